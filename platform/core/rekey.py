"""Re-encrypting and re-indexing stored values under the current data key (`rotate_data_keys`).

Every model is walked: any concrete EncryptedTextField or BlindIndexField makes a model part of the
work, so a model added later is covered without touching this module. A row is rewritten only when
one of its ciphertexts was made under another key, or one of its indexes differs from its source's
index under the current key; everything else is read and left alone. That is what makes a run
resumable and safe to repeat: each batch commits on its own, and a second run finds nothing to do.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db import DEFAULT_DB_ALIAS, IntegrityError, models, router, transaction
from django.db.models.functions import Cast

from core import crypto
from core.fields import BlindIndexField, EncryptedTextField


@dataclass(frozen=True)
class KeyedModel:
    model: type[models.Model]
    encrypted: tuple[EncryptedTextField, ...]
    indexes: tuple[BlindIndexField, ...]

    @property
    def label(self) -> str:
        return self.model._meta.label


@dataclass
class Tally:
    checked: int = 0
    rewritten: int = 0
    failed: list[str] = field(default_factory=list)  # "app.Model#pk: why", for the operator to look at


def keyed_models() -> list[KeyedModel]:
    found = []
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        fields = model._meta.concrete_fields
        encrypted = tuple(f for f in fields if isinstance(f, EncryptedTextField))
        indexes = tuple(f for f in fields if isinstance(f, BlindIndexField))
        if encrypted or indexes:
            found.append(KeyedModel(model, encrypted, indexes))
    return sorted(found, key=lambda item: item.label)


def models_in_current_schema() -> list[KeyedModel]:
    """The keyed models whose tables exist in the connection's schema (public or a company's)."""
    return [item for item in keyed_models() if router.allow_migrate_model(DEFAULT_DB_ALIAS, item.model)]


def _schema_of(encrypted_field: EncryptedTextField) -> str | None:
    return "public" if encrypted_field.platform else None


def _fresh_values(item: KeyedModel, row: tuple[Any, ...]) -> dict[str, Any] | None:
    """The row's values to write under the current key, or None when it is already current.
    Raises crypto.DecryptionError for a value no configured key opens."""
    current = crypto.current_key_id()
    plain_sources = _plain_sources(item)
    rest = row[1:]
    tokens = rest[: len(item.encrypted)]
    plain_values = rest[len(tokens) : len(tokens) + len(plain_sources)]
    plaintext: dict[str, Any] = dict(zip(plain_sources, plain_values, strict=True))
    stored_indexes = rest[len(tokens) + len(plain_sources) :]
    stale = False
    for encrypted_field, token in zip(item.encrypted, tokens, strict=True):
        if not token:
            plaintext[encrypted_field.attname] = token
            continue
        plaintext[encrypted_field.attname] = crypto.decrypt(token, schema=_schema_of(encrypted_field))
        stale = stale or crypto.key_id_of(token) != current
    fresh_indexes = {
        f.attname: f.compute(plaintext[f.source] or "", plaintext.get(f.qualifier) or "") for f in item.indexes
    }
    stale = stale or any(
        fresh_indexes[f.attname] != (stored or "") for f, stored in zip(item.indexes, stored_indexes, strict=True)
    )
    if not stale:
        return None
    return {**{f.attname: plaintext[f.attname] for f in item.encrypted}, **fresh_indexes}


def _plain_sources(item: KeyedModel) -> list[str]:
    """Index sources that are not encrypted columns (read as they are)."""
    encrypted = {f.attname for f in item.encrypted}
    sources = [f.source for f in item.indexes if f.source not in encrypted]
    qualifiers = [f.qualifier for f in item.indexes if f.qualifier and f.qualifier not in sources]
    return sources + list(dict.fromkeys(qualifiers))


def _rows(item: KeyedModel, after: Any, batch_size: int, *, lock: bool = True) -> list[tuple[Any, ...]]:
    # Ciphertexts are read raw (cast to text, so the field does not decrypt them): their key id
    # says whether they need rewriting. Rows are locked until the batch commits, so a write racing
    # with the command is never overwritten by a stale value.
    raw = [Cast(f.attname, output_field=models.TextField()) for f in item.encrypted]
    columns: list[Any] = [*raw, *_plain_sources(item), *(f.attname for f in item.indexes)]
    queryset = item.model._base_manager.order_by("pk")
    if lock:
        queryset = queryset.select_for_update()
    if after is not None:
        queryset = queryset.filter(pk__gt=after)
    return list(queryset.values_list("pk", *columns)[:batch_size])


def _write(item: KeyedModel, updates: dict[Any, dict[str, Any]]) -> None:
    # bulk_update passes each value through the field: EncryptedTextField encrypts it under the
    # current key; auto_now columns are left alone (re-keying changes nobody's data).
    objects = [item.model(pk=pk, **values) for pk, values in updates.items()]
    names = [f.attname for f in item.encrypted] + [f.attname for f in item.indexes]
    item.model._base_manager.bulk_update(objects, names)


def _write_one_by_one(item: KeyedModel, updates: dict[Any, dict[str, Any]], tally: Tally) -> int:
    written = 0
    for pk, values in updates.items():
        try:
            with transaction.atomic():
                _write(item, {pk: values})
            written += 1
        except IntegrityError as exc:
            # Two rows with the same value indexed under different keys (written mid-rotation):
            # left for a person to merge; everything else goes on.
            tally.failed.append(f"{item.label}#{pk}: {exc.__class__.__name__}: {str(exc).splitlines()[0]}")
    return written


def rekey_model(
    item: KeyedModel,
    *,
    batch_size: int = 500,
    max_rewrites: int | None = None,
    on_batch: Callable[[KeyedModel, Tally], None] | None = None,
) -> Tally:
    """Bring one model's rows in the current schema under the current key, in batches of
    `batch_size` each committed on its own. Stops early once `max_rewrites` rows were rewritten."""
    tally = Tally()
    after = None
    while max_rewrites is None or tally.rewritten < max_rewrites:
        with transaction.atomic():
            rows = _rows(item, after, batch_size)
            if not rows:
                break
            updates: dict[Any, dict[str, Any]] = {}
            for row in rows:
                room = None if max_rewrites is None else max_rewrites - tally.rewritten - len(updates)
                if room is not None and room <= 0:
                    break
                tally.checked += 1
                after = row[0]
                try:
                    values = _fresh_values(item, row)
                except crypto.DecryptionError:
                    tally.failed.append(f"{item.label}#{row[0]}: no configured key decrypts it")
                    continue
                if values is not None:
                    updates[row[0]] = values
            if updates:
                try:
                    with transaction.atomic():
                        _write(item, updates)
                    tally.rewritten += len(updates)
                except IntegrityError:
                    tally.rewritten += _write_one_by_one(item, updates, tally)
        if on_batch is not None:
            on_batch(item, tally)
        if len(rows) < batch_size:
            break
    return tally


def pending(item: KeyedModel, *, batch_size: int = 1000) -> Iterator[Any]:
    """Primary keys of rows not yet under the current key (for a dry run), read in batches."""
    after = None
    while True:
        rows = _rows(item, after, batch_size, lock=False)
        for row in rows:
            try:
                if _fresh_values(item, row) is not None:
                    yield row[0]
            except crypto.DecryptionError:
                yield row[0]
        if len(rows) < batch_size:
            return
        after = rows[-1][0]
