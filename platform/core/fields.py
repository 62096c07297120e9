from __future__ import annotations

from typing import Any

from django.db import models

from core import crypto


class EncryptedTextField(models.TextField):
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

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> str | None:
        if value is None or value == "":
            return value
        return crypto.decrypt(value, schema=self._schema())

    def get_prep_value(self, value: Any) -> str | None:
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return crypto.encrypt(str(value), schema=self._schema())
