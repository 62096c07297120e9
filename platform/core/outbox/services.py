"""Writes of the outbox: enqueue (inside an action), deliver (a worker), sweep (beat), retry (operator)."""

from __future__ import annotations

import functools
import json
import logging
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.db.models import Q
from django.utils import translation
from django_tenants.utils import get_public_schema_name, schema_context

from core import actions
from core.db import current_schema
from core.outbox import registry, relay
from core.outbox.models import OutboxMessage, OutboxStatus

logger = logging.getLogger(__name__)

# A worker holds a message this long; past it, the sweeper may hand it to another worker (the
# first one died). No handler runs longer: the delivering task's time limits (tasks.py) stop it first
# (imports of 100k rows take well under a minute).
LEASE = timedelta(minutes=15)
# The sweeper sends a pending message again when it was last sent this long ago.
RESEND_AFTER = timedelta(minutes=2)
# Done messages are kept this long (to see what happened), then pruned; dead ones stay.
KEEP_DONE = timedelta(days=7)
SWEEP_BATCH = 500
# The payload key of the sender's language (topics registered with in_senders_language); the handler
# runs in it and never sees the key.
LANGUAGE_KEY = "_language"


def _now() -> datetime:
    """The database's clock. Web hosts, workers and beat compare each other's times (due, leased,
    sent): on their own clocks a host a second ahead writes messages a worker finds 'not due yet' and
    leaves to the sweeper minutes later, and a worker ahead by more than a lease takes over a running
    message. One clock for all of them."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement_timestamp()")
        row = cursor.fetchone()
    assert row is not None
    moment: datetime = row[0]
    return moment


def backoff(attempts: int) -> timedelta:
    """Wait before the next try: 10 s, 20 s, 40 s … at most 30 minutes."""
    return timedelta(seconds=min(10 * 2 ** max(attempts - 1, 0), 30 * 60))


def enqueue(
    *,
    topic: str,
    payload: dict[str, Any],
    key: str,
    max_attempts: int | None = None,
    available_at: datetime | None = None,
) -> int | None:
    """Write a message in the caller's transaction (core.actions.emit). None: the key was there.

    `available_at` holds it back until then (a notification deferred past quiet hours): its last
    send is dated RESEND_AFTER before that moment, so the sweeper hands it over once it is due —
    no broker countdown of hours (Redis would redeliver it long before)."""
    spec = registry.topic(topic)  # an unknown topic fails here, in the action, not later in a worker
    if not key or len(key) > 200:
        raise ValueError("an outbox key is 1 to 200 characters")
    if spec.in_senders_language:
        payload = {**payload, LANGUAGE_KEY: translation.get_language() or settings.LANGUAGE_CODE}
    table = f'"{get_public_schema_name()}".{connection.ops.quote_name(OutboxMessage._meta.db_table)}'
    with connection.cursor() as cursor:
        cursor.execute(  # times from the database's clock (_now)
            f"INSERT INTO {table} (schema_name, topic, key, payload, status, attempts, max_attempts,"  # noqa: S608
            " available_at, sent_at, last_error, created_at)"
            " VALUES (%s, %s, %s, %s::jsonb, 'pending', 0, %s,"
            " GREATEST(statement_timestamp(), %s::timestamptz),"
            " GREATEST(statement_timestamp(), %s::timestamptz - %s * interval '1 second'), '',"
            " statement_timestamp())"
            " ON CONFLICT (schema_name, key) DO NOTHING RETURNING id",
            [
                current_schema(),
                topic,
                key,
                json.dumps(payload, cls=DjangoJSONEncoder),
                max_attempts or spec.max_attempts,
                available_at,
                available_at,
                RESEND_AFTER.total_seconds(),
            ],
        )
        row = cursor.fetchone()
    return row[0] if row else None


def _supported(language: Any) -> str:
    """The sender's language as one the site speaks; anything else (absent, unknown) is the default."""
    if isinstance(language, str) and language:
        try:
            return translation.get_supported_language_variant(language)
        except LookupError:
            pass
    return settings.LANGUAGE_CODE


@contextmanager
def _running(message: OutboxMessage) -> Iterator[dict[str, Any]]:
    """The handler's keyword arguments, in its company's schema, in the sender's language if carried."""
    payload = dict(message.payload)
    language = payload.pop(LANGUAGE_KEY, None)
    with (
        schema_context(message.schema_name),
        translation.override(_supported(language) if language is not None else translation.get_language()),
    ):
        yield payload


def deliver(*, message_id: int) -> str:
    """Run one message's handler in its company's schema: 'done', 'retry', 'dead' or 'skipped'
    (already done, held by another worker, or not due yet)."""
    with schema_context(get_public_schema_name()):
        message = _claim(message_id)
    if message is None:
        return "skipped"
    if message.attempts > message.max_attempts:
        return _bury(message, error=message.last_error or "the worker running it was lost")
    try:
        spec = registry.topic(message.topic)
    except registry.UnknownTopic as exc:
        return _bury(message, error=str(exc))
    try:
        with _running(message) as payload, actions.writes_only_in_actions(f"outbox handler {message.topic}"):
            spec.handler(**payload)
    except Exception as exc:
        logger.exception("outbox %s (%s) attempt %s failed", message.pk, message.topic, message.attempts)
        return _failed(message, error="".join(traceback.format_exception_only(exc)).strip())
    with schema_context(get_public_schema_name()):
        OutboxMessage.objects.filter(pk=message.pk, status=OutboxStatus.PENDING).update(
            status=OutboxStatus.DONE, finished_at=_now(), leased_until=None
        )
    return "done"


def _claim(message_id: int) -> OutboxMessage | None:
    now = _now()
    with transaction.atomic():
        message = (
            OutboxMessage.objects.select_for_update(skip_locked=True)
            .filter(pk=message_id, status=OutboxStatus.PENDING, available_at__lte=now)
            .filter(Q(leased_until__isnull=True) | Q(leased_until__lt=now))
            .first()
        )
        if message is None:
            return None
        message.leased_until = now + LEASE  # held while it runs — or while it is given up, so on_dead runs once
        if message.attempts >= message.max_attempts:
            # Every try was used and the last one never reported back (its worker died): give up.
            message.save(update_fields=["leased_until"])
            message.attempts = message.max_attempts + 1  # in memory only: tells deliver to bury it
            return message
        message.attempts += 1
        message.save(update_fields=["attempts", "leased_until"])
    return message


def _failed(message: OutboxMessage, *, error: str) -> str:
    if message.attempts >= message.max_attempts:
        return _bury(message, error=error)
    wait = backoff(message.attempts)
    due = _now() + wait
    with schema_context(get_public_schema_name()):
        OutboxMessage.objects.filter(pk=message.pk, status=OutboxStatus.PENDING).update(
            available_at=due, sent_at=due, leased_until=None, last_error=error[:4000]
        )
    try:
        relay.publish(message.pk, countdown=wait.total_seconds())
    except Exception:
        logger.warning("outbox message %s: retry not handed to the broker; the sweeper will", message.pk)
    return "retry"


def _bury(message: OutboxMessage, *, error: str) -> str:
    """Give the message up (dead letter) after telling its topic, so nothing waits for it forever."""
    try:
        spec: registry.Topic | None = registry.topic(message.topic)
    except registry.UnknownTopic:
        spec = None
    if spec is not None and spec.on_dead is not None:
        try:
            with _running(message) as payload, actions.writes_only_in_actions(f"on_dead of {message.topic}"):
                spec.on_dead(error=error, **payload)
        except Exception as exc:
            logger.exception("outbox %s: on_dead of %s failed", message.pk, message.topic)
            # Said on the message, where the operator looks: what waited for it (an import, a signup)
            # was not told and still waits; retrying the message runs its handler again.
            told = "".join(traceback.format_exception_only(exc)).strip()
            error = f"{error}\n\non_dead failed, nothing was told: {told}"
    with schema_context(get_public_schema_name()):
        OutboxMessage.objects.filter(pk=message.pk, status=OutboxStatus.PENDING).update(
            status=OutboxStatus.DEAD,
            finished_at=_now(),
            leased_until=None,
            attempts=min(message.attempts, message.max_attempts),
            last_error=error[:4000],
        )
    logger.error("outbox %s (%s, %s) dead-lettered: %s", message.pk, message.topic, message.schema_name, error)
    return "dead"


def sweep(*, batch: int = SWEEP_BATCH) -> int:
    """Hand every due, unheld, not-recently-sent pending message to the broker again — one query over
    every company's messages (they all live in this one table). Also prunes old done messages."""
    now = _now()
    with schema_context(get_public_schema_name()):
        with transaction.atomic():
            ids = list(
                OutboxMessage.objects.select_for_update(skip_locked=True)
                .filter(status=OutboxStatus.PENDING, available_at__lte=now, sent_at__lte=now - RESEND_AFTER)
                .filter(Q(leased_until__isnull=True) | Q(leased_until__lt=now))
                .order_by("sent_at")
                .values_list("pk", flat=True)[:batch]
            )
            OutboxMessage.objects.filter(pk__in=ids).update(sent_at=now)
        stale = OutboxMessage.objects.filter(status=OutboxStatus.DONE, finished_at__lt=now - KEEP_DONE)
        OutboxMessage.objects.filter(pk__in=list(stale.values_list("pk", flat=True)[:5000])).delete()
    relay.send(ids)
    return len(ids)


def retry_dead(*, message_id: int) -> bool:
    """The operator sends a dead message again (after fixing what killed it), with fresh attempts."""
    now = _now()
    with schema_context(get_public_schema_name()):
        updated = OutboxMessage.objects.filter(pk=message_id, status=OutboxStatus.DEAD).update(
            status=OutboxStatus.PENDING, attempts=0, available_at=now, sent_at=now, finished_at=None
        )
    if updated:
        # After the commit: the console runs this inside its request's action, and a worker handed the
        # message before that commits would find it still dead and drop it.
        transaction.on_commit(functools.partial(relay.send, [message_id]))
    return bool(updated)


def deliver_now(*, schema_name: str, key: str) -> str:
    """Run a message here and now, in this process (a command that cannot wait for a worker, such
    as the demo seed); the same claim and bookkeeping as a worker's, so it is never run twice."""
    with schema_context(get_public_schema_name()):
        message_id = OutboxMessage.objects.values_list("pk", flat=True).get(schema_name=schema_name, key=key)
    return deliver(message_id=message_id)
