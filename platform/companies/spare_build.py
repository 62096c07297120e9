"""Building one spare schema: migrated for real once per process, then replayed.

Migrating an empty schema costs 8–20 s, nearly all of it Django rendering model states in Python,
not PostgreSQL work. The statements one real migration sends are the same for every empty schema
(the same code, the same empty tables), so the first spare a process builds is migrated for real
with every statement recorded, and later spares replay the recording as one script (1.4–2 s, the
DDL itself). A replayed spare is held to the recorded one: the same tables, columns, defaults,
constraints, indexes, triggers, functions and bookkeeping rows (`shape`), or it is refused and
migrated for real. Nothing is recorded across processes: a new deploy records anew.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass
from typing import Any

from django.core.management import call_command
from django.db import connection

from core.db import tenant_db

_PLACEHOLDER = "__wuye_spare_schema__"
# The schema switches django-tenants sends, and savepoints (the replay is one statement list in
# the caller's transaction): left out of the script.
_LEFT_OUT = ("SET SEARCH_PATH", "SHOW ", "SAVEPOINT ", "RELEASE SAVEPOINT ")


@dataclass(frozen=True)
class Recording:
    script: str  # the statements, with the schema's name as _PLACEHOLDER
    shape: str  # `shape` of the schema it was recorded in


_recordings: dict[str, Recording] = {}  # by the code's migration fingerprint
_lock = threading.Lock()


def shape(schema: str) -> str:
    """A digest of everything migrations put in `schema`, independent of its name."""
    query = """
    WITH ns AS (SELECT oid FROM pg_namespace WHERE nspname = %(schema)s)
    SELECT md5(coalesce(string_agg(replace(item, %(schema)s, ''), E'\\n' ORDER BY item), ''))
    FROM (
        SELECT 'rel ' || c.relname || ' ' || c.relkind::text AS item FROM pg_class c WHERE c.relnamespace = (TABLE ns)
        UNION ALL
        SELECT 'col ' || c.relname || '.' || a.attname || ' ' || format_type(a.atttypid, a.atttypmod)
               || ' ' || a.attnotnull::text || ' ' || coalesce(pg_get_expr(d.adbin, d.adrelid), '')
        FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
        LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
        WHERE c.relnamespace = (TABLE ns) AND a.attnum > 0 AND NOT a.attisdropped
        UNION ALL
        SELECT 'con ' || conname || ' ' || pg_get_constraintdef(oid) FROM pg_constraint
        WHERE connamespace = (TABLE ns)
        UNION ALL
        SELECT 'idx ' || pg_get_indexdef(i.indexrelid) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
        WHERE c.relnamespace = (TABLE ns)
        UNION ALL
        SELECT 'trg ' || pg_get_triggerdef(t.oid) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
        WHERE c.relnamespace = (TABLE ns) AND NOT t.tgisinternal
        UNION ALL
        SELECT 'fn ' || proname || ' ' || md5(prosrc) FROM pg_proc WHERE pronamespace = (TABLE ns)
    ) shape
    """
    with connection.cursor() as cursor:
        cursor.execute(query, {"schema": schema})
        digest = cursor.fetchone()[0]
        # The rows migrations write: what was applied, content types and permissions (the schema's
        # name quoted as an identifier).
        quoted = connection.ops.quote_name(schema)
        applied_sql = "SELECT md5(string_agg(app || '.' || name, ',' ORDER BY app, name)) FROM {}.django_migrations"
        cursor.execute(applied_sql.format(quoted))
        applied = cursor.fetchone()[0]
        rows_sql = (
            "SELECT md5(string_agg(ct.id || ct.app_label || '.' || ct.model || ':' || coalesce(p.codename, ''), ','"
            " ORDER BY ct.id, p.id)) FROM {0}.django_content_type ct"
            " LEFT JOIN {0}.auth_permission p ON p.content_type_id = ct.id"
        )
        cursor.execute(rows_sql.format(quoted))
        rows = cursor.fetchone()[0]
    return f"{digest}:{applied}:{rows}"


def build(schema: str, *, fingerprint: str) -> str:
    """Create `schema` and bring it to the code's migrations, in the caller's transaction. Returns
    how: "replayed" or "migrated"."""
    recording = _recordings.get(fingerprint)
    if recording is not None:
        try:
            _replay(schema, recording)
            return "replayed"
        except ReplayMismatch:
            with _lock:
                _recordings.pop(fingerprint, None)
            raise
    made = _migrate_recording(schema)
    if made is not None:
        with _lock:
            _recordings.setdefault(fingerprint, made)
    return "migrated"


class ReplayMismatch(Exception):
    """A replayed spare came out unlike the schema its recording was made in."""


def _create(schema: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE SCHEMA {connection.ops.quote_name(schema)}")


def _migrate_recording(schema: str) -> Recording | None:
    """Migrate `schema` for real (as django-tenants' create_schema does), recording the statements.
    None when the recording cannot be replayed faithfully (a savepoint was rolled back)."""
    statements: list[tuple[str, Any, bool]] = []

    def record(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        statements.append((sql, params, many))
        return execute(sql, params, many, context)

    _create(schema)
    with connection.execute_wrapper(record):
        call_command("migrate_schemas", tenant=True, schema_name=schema, interactive=False, verbosity=0)
    tenant_db().set_schema_to_public()
    parts = []
    with connection.cursor() as cursor:
        raw = cursor.cursor  # psycopg's client-side binding cursor: renders a statement as sent
        for sql, params, many in statements:
            head = sql.lstrip().upper()
            if head.startswith("ROLLBACK"):
                return None
            if head.startswith(_LEFT_OUT):
                continue
            for one in params if many else [params]:
                parts.append(raw.mogrify(sql, one) if one is not None else sql)
    script = ";\n".join(parts).replace(schema, _PLACEHOLDER)
    return Recording(script=script, shape=shape(schema))


def _replay(schema: str, recording: Recording) -> None:
    _create(schema)
    tenant_db().set_schema(schema)
    try:
        with connection.cursor() as cursor:
            cursor.execute(recording.script.replace(_PLACEHOLDER, schema))
    finally:
        tenant_db().set_schema_to_public()
    if shape(schema) != recording.shape:
        raise ReplayMismatch(schema)


def fingerprint_of(leaves: set[tuple[str, str]]) -> str:
    return hashlib.sha256(repr(sorted(leaves)).encode()).hexdigest()[:32]
