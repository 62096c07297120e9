from __future__ import annotations

from typing import Any

from django.db import models

from core import crypto, identity


class EncryptedTextField(models.TextField[str, str]):
    """A text column stored as AES-GCM ciphertext bound to the current company's schema.

    Not searchable or orderable in SQL by design; pair it with a blind-index column for lookups.
    Tables in the public schema pass `platform=True`: their rows are read from every host, so they
    are bound to the platform's key rather than to whichever company's schema is active.
    """

    def __init__(self, *args: Any, platform: bool = False, **kwargs: Any):
        self.platform = platform
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        if self.platform:
            kwargs["platform"] = True
        return name, path, args, kwargs

    def _schema(self) -> str | None:
        return "public" if self.platform else None

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> str | None:
        if value is None or value == "":
            return value
        return crypto.decrypt(value, schema=self._schema())

    def get_prep_value(self, value: Any) -> str | None:
        prepared: str | None = super().get_prep_value(value)
        if prepared is None or prepared == "":
            return prepared
        return crypto.encrypt(str(prepared), schema=self._schema())


class BlindIndexField(models.CharField[str, str]):
    """The blind index (HMAC under the company's key) of an encrypted column, for exact lookup.

    It names its source column and purpose so that `rotate_data_keys` can find every index by
    walking the models and recompute it from the decrypted source under the current key. Store
    `crypto.blind_index(value)`; look up with `__in=crypto.blind_indexes(value)` (every configured key).
    """

    def __init__(self, *args: Any, source: str, purpose: str, qualifier: str = "", **kwargs: Any):
        self.source = source
        self.purpose = purpose
        # A plain column that qualifies the value (a document's type): the index is then of
        # core.identity.document_key(value, qualifier), and re-keying reads that column too.
        self.qualifier = qualifier
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("blank", True)
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        kwargs["purpose"] = self.purpose
        if self.qualifier:
            kwargs["qualifier"] = self.qualifier
        return name, path, args, kwargs

    def compute(self, plaintext: str, qualifier: str = "") -> str:
        """The index of `plaintext` under the current key, in the current schema ("" for no value)."""
        if not plaintext:
            return ""
        if self.qualifier:
            plaintext = identity.document_key(plaintext, qualifier)
        return crypto.blind_index(plaintext, purpose=self.purpose)
