"""The pool of spare schemas: company schemas created and fully migrated ahead of time, so that a
signup only renames one (`ALTER SCHEMA … RENAME`, a catalogue update) instead of migrating a new
schema for seconds. settings.WUYE_SPARE_SCHEMAS says how many are kept; beat's refill tops them up.

What makes a rename safe: a spare holds nothing but what migrations write (tables, functions,
triggers, the migration record, content types, permissions) — no company data, and above all
nothing encrypted: core.crypto binds every ciphertext to its schema's name. Sequences, defaults
and triggers refer to their objects by OID, so they follow the rename. A spare is no Company row,
so no request, task or beat entry can reach it (config.beat sends to Company rows only).

A spare is handed out only at the migrations of the code that hands it out (`fingerprint`, and
its own migration record): after a deploy adds migrations, the refill drops the spares built
before and builds new ones; until then signups take the migrating path.
"""

from __future__ import annotations

import functools
import logging
import secrets

from django.conf import settings
from django.db import connection

from accounts import services as account_services
from companies import spare_build
from companies.models import SpareSchema
from core.actions import action
from core.db import tenant_db
from core.migrate_executor import leaf_migrations, schemas_behind

logger = logging.getLogger(__name__)

SPARE_PREFIX = "spare_"
REFILL_LOCK = 0x77_75_79_66  # one refill at a time (a session advisory lock, tried, never waited for)


@functools.cache
def _leaves() -> frozenset[tuple[str, str]]:
    """The code's leaf migrations: fixed for the life of a process (reading them takes a while)."""
    return frozenset(leaf_migrations())


def fingerprint() -> str:
    """The code's migrations, digested: what a spare must have been built at to be handed out."""
    return spare_build.fingerprint_of(set(_leaves()))


def _behind(names: list[str]) -> set[str]:
    return set(schemas_behind(names, leaves=set(_leaves()))) if names else set()


def claim(*, rename_to: str) -> str | None:
    """Inside the provisioning transaction: take a spare at the code's migrations and rename it to
    `rename_to`. Returns the spare's old name, or None when there is none (the caller migrates a new
    schema). Concurrent claims never share a spare (FOR UPDATE SKIP LOCKED); a rollback puts the
    spare back, under its old name."""
    spare = (
        SpareSchema.objects.select_for_update(skip_locked=True)
        .filter(migrations=fingerprint())
        .order_by("created_at")
        .first()
    )
    if spare is None:
        return None
    if _behind([spare.schema_name]):
        # Its record lacks one of the code's migrations: the refill drops it.
        logger.warning("spare schema %s is behind the code's migrations: not handed out", spare.schema_name)
        return None
    name, quote = spare.schema_name, connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(f"ALTER SCHEMA {quote(name)} RENAME TO {quote(rename_to)}")
    spare.delete()
    return name


def refill(*, target: int | None = None) -> dict[str, int]:
    """Drop the spares no longer at the code's migrations, then build spares up to `target`
    (settings.WUYE_SPARE_SCHEMAS). Safe to run twice at once: a second run finds the lock taken and
    does nothing. Each spare is built in a transaction of its own, so a failure loses only it."""
    target = settings.WUYE_SPARE_SCHEMAS if target is None else target
    result = {"dropped": 0, "built": 0, "replayed": 0, "skipped": 0}
    tenant_db().set_schema_to_public()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [REFILL_LOCK])
        if not cursor.fetchone()[0]:
            result["skipped"] = 1
            return result
    try:
        for name in stale():
            result["dropped"] += int(drop_spare(schema_name=name))
        while SpareSchema.objects.count() < target:
            how = _build_one()
            result["built"] += 1
            result["replayed"] += int(how == "replayed")
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [REFILL_LOCK])
    return result


def stale() -> list[str]:
    """Spares built at other migrations than the code's, or whose record lacks one of them."""
    names = list(SpareSchema.objects.order_by("created_at").values_list("schema_name", flat=True))
    old = set(SpareSchema.objects.exclude(migrations=fingerprint()).values_list("schema_name", flat=True))
    behind = _behind(names)
    return [name for name in names if name in old or name in behind]


def _build_one() -> str:
    try:
        return build_spare(schema_name=SPARE_PREFIX + secrets.token_hex(6))
    except spare_build.ReplayMismatch as exc:
        # The recording was forgotten with it: the next one is migrated for real (and recorded anew).
        logger.error("a replayed spare schema came out unlike the recorded one (%s): migrating instead", exc)
        return build_spare(schema_name=SPARE_PREFIX + secrets.token_hex(6))


@action
def build_spare(*, schema_name: str) -> str:
    """Create one spare and list it, in one transaction: a spare is listed complete or not at all."""
    if not schema_name.startswith(SPARE_PREFIX):
        raise ValueError(f"not a spare schema name: {schema_name!r}")
    how = spare_build.build(schema_name, fingerprint=fingerprint())
    SpareSchema.objects.create(schema_name=schema_name, migrations=fingerprint())
    account_services.record_audit(
        actor=None, action="spare_schema.build", object_type="spare_schema", object_id=schema_name, after={"how": how}
    )
    return how


@action
def drop_spare(*, schema_name: str) -> bool:
    """Drop one listed spare (skipped when a signup holds it right now)."""
    spare = SpareSchema.objects.select_for_update(skip_locked=True).filter(schema_name=schema_name).first()
    if spare is None or not spare.schema_name.startswith(SPARE_PREFIX):
        return False
    with connection.cursor() as cursor:
        cursor.execute(f"DROP SCHEMA IF EXISTS {connection.ops.quote_name(spare.schema_name)} CASCADE")
    spare.delete()
    account_services.record_audit(
        actor=None, action="spare_schema.drop", object_type="spare_schema", object_id=schema_name, after={}
    )
    return True
