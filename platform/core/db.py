"""Small helpers for writes that the database itself guards."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import IntegrityError, transaction

from core.errors import DomainError


@contextmanager
def conflict_as(error: DomainError) -> Iterator[None]:
    """Run a write in its own savepoint; a constraint it breaks (a unique name taken by a concurrent
    writer, say) becomes `error` — the database decides, so there is no check-then-write race, and
    the caller still gets a readable 400 with field errors."""
    try:
        with transaction.atomic():
            yield
    except IntegrityError as exc:
        raise error from exc
