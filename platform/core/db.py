"""Small helpers for writes that the database itself guards."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Protocol, cast

from django.db import IntegrityError, connection, transaction
from django.db.backends.base.base import BaseDatabaseWrapper

from core.errors import DomainError


class TenantDatabase(Protocol):
    """What django-tenants' database wrapper adds to Django's (its schema switch)."""

    schema_name: str

    def set_schema(self, schema_name: str, include_public: bool = True) -> None: ...

    def set_schema_to_public(self) -> None: ...


def tenant_db(wrapper: BaseDatabaseWrapper | None = None) -> TenantDatabase:
    """`wrapper` (the default connection unless given) seen with its schema switch: every connection
    is django-tenants' wrapper (settings' ENGINE), which Django's stubs cannot know."""
    return cast(TenantDatabase, connection if wrapper is None else wrapper)


def current_schema() -> str:
    """The schema the default connection works in: a company's, or "public"."""
    return tenant_db().schema_name


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
