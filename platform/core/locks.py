"""Named, transaction-scoped locks per company (PostgreSQL advisory locks).

An all-or-nothing import checks a whole file against the data and then writes it; single edits by
staff (a share, a building's floors) take the same lock *shared*, so they wait for an import in
progress instead of slipping in between its check and its write, and never wait for each other.
"""

from __future__ import annotations

from django.db import connection

from core.db import current_schema


def lock_company(name: str, *, shared: bool = False) -> None:
    """Hold the lock `name` of the current company until the transaction ends."""
    function = "pg_advisory_xact_lock_shared" if shared else "pg_advisory_xact_lock"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {function}(hashtext(%s))", [f"wuye-{name}:{current_schema()}"])


# The lock an import holds while it checks and writes estates, houses and residents.
BASIC_DATA = "import"
