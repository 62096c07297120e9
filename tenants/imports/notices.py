"""Telling the person who uploaded an import how it ended (notifications.notify, in the action that
ended it): finished — its rows written; failed — given up, with the reason. Keyed by the import, so
a redelivered task tells them once."""

from __future__ import annotations

from typing import Any

from notifications.services import notify
from tenants.imports import kinds
from tenants.imports.models import Import


def _people(record: Import) -> list[Any]:
    return [user for user in dict.fromkeys((record.created_by, record.committed_by)) if user is not None]


def _context(record: Import) -> dict[str, Any]:
    try:
        kind = str(kinds.get(record.kind).label)
    except LookupError:
        kind = record.kind
    return {"import_id": record.pk, "kind": kind, "file_name": record.file_name}


def tell_finished(record: Import) -> None:
    notify(_people(record), "import.finished", _context(record), key=f"import.finished:{record.pk}")


def tell_failed(record: Import, message: str) -> None:
    context = {**_context(record), "message": message[:500]}
    notify(_people(record), "import.failed", context, key=f"import.failed:{record.pk}")
