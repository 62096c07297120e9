"""`migrate_schemas` that skips every schema with nothing to migrate, and migrates the rest in parallel.

Every deploy runs `migrate_schemas`. django-tenants' executors run Django's `migrate` in each schema
in turn, and even with nothing to apply that builds the migration graph, loads the state and checks
every app, for each schema: 100 s for 300 companies with nothing to do (issue 16). Here one query
per 500 schemas reads what each schema has applied, compares it with the graph's leaf migrations,
and only the schemas missing one are migrated — in parallel processes (django-tenants'
multiprocessing pool: WUYE_MIGRATE_PROCESSES processes, default 4) when there are several.

It is the default (settings.GET_EXECUTOR_FUNCTION); `--executor standard|multiprocessing` (or the
EXECUTOR variable) still chooses django-tenants' own. A run with a target (app label, migration
name) or that fakes, plans, prunes or checks goes through every schema as the standard executor does.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Iterable, Sequence
from typing import Any

from django.conf import settings
from django.db import connections
from django.db.migrations.loader import MigrationLoader
from django_tenants.migration_executors import get_executor as tenants_get_executor
from django_tenants.migration_executors.base import MigrationExecutor, run_migrations
from django_tenants.migration_executors.multiproc import get_pool, run_migrations_percent

from core.db import tenant_db

CODENAME = "skip-current"
CHUNK = 500  # schemas per query
# Options that make a run more than "bring every schema up to date": those take every schema.
_EVERY_SCHEMA_OPTIONS = ("app_label", "migration_name", "fake", "fake_initial", "plan", "prune", "check_unapplied")


def leaf_migrations() -> set[tuple[str, str]]:
    """(app, name) of the newest migration of every app in the code: a schema that has applied
    all of these has applied everything before them too."""
    return set(MigrationLoader(None, ignore_no_migrations=True).graph.leaf_nodes())


def schemas_behind(
    schemas: Sequence[str], *, alias: str = "default", leaves: set[tuple[str, str]] | None = None
) -> list[str]:
    """The schemas (in the given order) that lack one of the code's leaf migrations (`leaves` when
    the caller has them already), or have no migration table at all; read in one query per CHUNK
    schemas."""
    ordered = sorted(leaf_migrations() if leaves is None else leaves)
    connection = connections[alias]
    tenant_db(connection).set_schema_to_public()
    current: set[str] = set()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT n.nspname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE c.relname = 'django_migrations' AND c.relkind = 'r' AND n.nspname = ANY(%s)",
            [list(schemas)],
        )
        with_table = [row[0] for row in cursor.fetchall()]
        apps = [app for app, _name in ordered]
        names = [name for _app, name in ordered]
        for start in range(0, len(with_table), CHUNK):
            chunk = with_table[start : start + CHUNK]
            # (schema names are identifiers the catalogue just returned, quoted as identifiers)
            parts = [
                f"SELECT %s::text FROM {connection.ops.quote_name(schema)}.django_migrations m "
                "JOIN leaves USING (app, name) HAVING count(DISTINCT (m.app, m.name)) = %s"
                for schema in chunk
            ]
            params: list[list[str] | str | int] = [apps, names]
            for schema in chunk:
                params += [schema, len(ordered)]
            query = "WITH leaves(app, name) AS (SELECT * FROM unnest(%s::text[], %s::text[])) " + " UNION ALL ".join(
                parts
            )
            cursor.execute(query, params)
            current.update(row[0] for row in cursor.fetchall())
    return [schema for schema in schemas if schema not in current]


class SkipCurrentExecutor(MigrationExecutor):  # type: ignore[misc]
    codename = CODENAME

    def _every_schema(self) -> bool:
        return any(self.options.get(option) for option in _EVERY_SCHEMA_OPTIONS)

    def run_migrations(self, tenants: Iterable[str] | None = None) -> None:
        schemas = list(tenants or [])
        behind = schemas if self._every_schema() else schemas_behind(schemas, alias=self.TENANT_DB_ALIAS)
        verbosity = int(self.options.get("verbosity", 1))
        if verbosity >= 1 and len(schemas) > len(behind):
            self.stdout(f"[{CODENAME}] {len(schemas) - len(behind)} of {len(schemas)} schemas are up to date")
        if self.PUBLIC_SCHEMA_NAME in behind:
            run_migrations(self.args, self.options, self.codename, self.PUBLIC_SCHEMA_NAME)
            behind.remove(self.PUBLIC_SCHEMA_NAME)
        if len(behind) <= 1 or settings.TENANT_MULTIPROCESSING_MAX_PROCESSES <= 1:
            for index, schema in enumerate(behind):
                run_migrations(self.args, self.options, self.codename, schema, idx=index, count=len(behind))
            return
        # Forked children must not share the parent's database connection.
        connection = connections[self.TENANT_DB_ALIAS]
        connection.close()
        connection.connection = None
        migrate_one = functools.partial(run_migrations_percent, self.args, self.options, self.codename, len(behind))
        pool = get_pool()  # settings.TENANT_MULTIPROCESSING_MAX_PROCESSES (WUYE_MIGRATE_PROCESSES) processes
        try:
            pool.map(migrate_one, enumerate(behind), 1)
        finally:
            pool.close()
            pool.join()

    def run_multi_type_migrations(self, tenants: Any) -> None:  # one tenant type here
        raise NotImplementedError("Wuye has a single tenant type")

    @staticmethod
    def stdout(message: str) -> None:
        print(message, flush=True)


def get_executor(codename: str | None = None) -> type[MigrationExecutor]:
    """settings.GET_EXECUTOR_FUNCTION: this executor unless another is asked for by name."""
    codename = codename or os.environ.get("EXECUTOR") or CODENAME
    if codename == CODENAME:
        return SkipCurrentExecutor
    return tenants_get_executor(codename)  # type: ignore[no-any-return]
