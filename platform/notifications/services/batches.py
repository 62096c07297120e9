"""Sending in batches, in one company's schema (the lanes of notifications.services.lanes pick which).

A worker claims a batch of deliveries still to send (`claim`: a lease on the rows, so other workers
take other rows), then sends it group by group (`send_group`): the SMS of one notification in one
provider request of up to NOTIFY_SMS_GROUP numbers (Tencent's PhoneNumberSet: the same text), any
other channel one delivery at a time. Each group is one transaction that locks its rows and keeps
only those still sendable — the status, checked under the lock, is what keeps a delivery from going
twice — and writes their outcomes before the lock is let go.

A worker killed mid-batch leaves its remaining rows leased; once the lease lapses another worker
claims and sends them, and the rows already sent are sent, not claimable. The window the provider
leaves open is the one of a single send: killed after the provider accepted a group and before its
commit, that group is sent again (Tencent's SendSms takes no idempotency key).

Before a group goes out the company's token bucket and each recipient's are asked (notifications.
ratelimit): what the company may not send yet goes back to the queue unleased (the batch stops and
says how long to wait), a recipient texted too recently waits (not_before) without a try counted. A
provider that refuses the whole request for now (down, out of balance) stops the batch: the group is
retried with backoff (RETRYING; DEAD after MAX_ATTEMPTS), the rest of the batch is released untried.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import groupby

from django.conf import settings
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from core.actions import action
from core.db import current_schema
from notifications import channels, events, ratelimit
from notifications.models import SENDABLE, Channel, Delivery, DeliveryStatus
from notifications.services import deliveries


@dataclass
class Outcome:
    sent: int = 0
    failed: int = 0
    retrying: int = 0
    deferred: int = 0  # a recipient's own limit: waits, no try counted
    released: int = 0  # claimed and given back untried (the company's rate, the provider down)
    wait: float = 0.0  # seconds the company should not be served again (its rate, the provider down)

    def add(self, other: Outcome) -> None:
        for name in ("sent", "failed", "retrying", "deferred", "released"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.wait = max(self.wait, other.wait)


def lease() -> timedelta:
    return timedelta(seconds=settings.NOTIFY_LEASE_SECONDS)


def retry_after(attempts: int) -> timedelta:
    """The wait before a try after `attempts` failed ones: NOTIFY_RETRY_SECONDS, doubling, at most 30 min."""
    return timedelta(seconds=min(settings.NOTIFY_RETRY_SECONDS * 2 ** max(attempts - 1, 0), 30 * 60))


def _table() -> str:
    return connection.ops.quote_name(Delivery._meta.db_table)


@action(audit=False)  # the lease is bookkeeping of the workers; the rows' outcomes are the record
def claim(*, urgent: bool, limit: int) -> list[int]:
    """Lease up to `limit` due deliveries of the lane, oldest first, skipping rows another worker holds."""
    table = _table()
    with connection.cursor() as cursor:
        cursor.execute(
            f"""UPDATE {table} SET leased_until = statement_timestamp() + %s * interval '1 second'
                WHERE id IN (
                    SELECT id FROM {table}
                    WHERE status IN ('queued', 'retrying') AND channel <> 'inbox' AND urgent = %s
                      AND NOT immediate AND (not_before IS NULL OR not_before <= statement_timestamp())
                      AND (leased_until IS NULL OR leased_until < statement_timestamp())
                    ORDER BY urgent, id LIMIT %s
                    FOR UPDATE SKIP LOCKED)
                RETURNING id""",  # noqa: S608 - the table name is the model's
            [settings.NOTIFY_LEASE_SECONDS, urgent, limit],
        )
        return sorted(row[0] for row in cursor.fetchall())


def next_due(*, urgent: bool) -> datetime | None:
    """When the lane has something to send in this company: now, later (quiet hours, a backoff, a
    lease to lapse), or None — nothing left."""
    table = _table()
    with connection.cursor() as cursor:
        cursor.execute(
            f"""SELECT min(GREATEST(not_before, leased_until, statement_timestamp())) FROM {table}
                WHERE status IN ('queued', 'retrying') AND channel <> 'inbox' AND urgent = %s
                  AND NOT immediate""",  # noqa: S608
            [urgent],
        )
        row = cursor.fetchone()
    return row[0] if row else None


def send_batch(ids: list[int]) -> Outcome:
    """Send the claimed deliveries `ids`, group by group; stop (releasing the rest) when the company's
    rate runs out or the provider refuses for now."""
    outcome = Outcome()
    rows = list(
        Delivery.objects.filter(pk__in=ids)
        .order_by("notification_id", "channel", "pk")
        .values_list("pk", "notification_id", "channel")
    )
    groups: list[tuple[str, list[int]]] = []
    for (_notification, channel), members in groupby(rows, key=lambda row: (row[1], row[2])):
        member_ids = [row[0] for row in members]
        size = settings.NOTIFY_SMS_GROUP if channel == Channel.SMS else 1
        groups += [(channel, member_ids[i : i + size]) for i in range(0, len(member_ids), size)]
    for index, (channel, group) in enumerate(groups):
        if outcome.wait:
            release([pk for _channel, rest in groups[index:] for pk in rest])
            outcome.released += sum(len(rest) for _channel, rest in groups[index:])
            break
        outcome.add(send_group(ids=group, channel=channel))
    return outcome


@action(audit=False)
def release(ids: list[int]) -> None:
    """Give claimed rows back untried: the next worker may take them at once."""
    if ids:
        Delivery.objects.filter(pk__in=ids, status__in=SENDABLE).update(leased_until=None)


@action(audit=False)  # the delivery rows are the record of what went out, when and why not
def send_group(*, ids: list[int], channel: str) -> Outcome:
    """Send one group (one provider request for SMS, one delivery otherwise) exactly once."""
    outcome = Outcome()
    schema = current_schema()
    rows = list(
        Delivery.objects.select_for_update(of=("self",))
        .select_related("notification", "recipient")
        .filter(pk__in=ids, status__in=SENDABLE)
        .order_by("pk")
    )
    if not rows:
        return outcome
    now = timezone.now()
    granted, wait = ratelimit.take_company(schema=schema, channel=channel, wanted=len(rows))
    if granted < len(rows):
        for row in rows[granted:]:
            row.leased_until = None
        outcome.released, outcome.wait = len(rows) - granted, max(wait, 0.001)
    held, rows = rows[granted:], rows[:granted]
    waits = ratelimit.take_recipients(schema=schema, channel=channel, recipients=[_who(row) for row in rows])
    going = []
    for row, recipient_wait in zip(rows, waits, strict=True):
        if recipient_wait:
            row.not_before, row.leased_until = now + timedelta(seconds=recipient_wait), None
            held.append(row)
            outcome.deferred += 1
        else:
            going.append(row)
    answers = _send(going, channel=channel)
    now = timezone.now()  # the provider's answer: sent then, a backoff from then
    unsent = []
    for row, answer in zip(going, answers, strict=True):
        row.attempts += 1
        row.updated_at, row.leased_until = now, None
        if isinstance(answer, str):
            row.status, row.reason, row.provider_id, row.sent_at = DeliveryStatus.SENT, "", answer[:100], now
            outcome.sent += 1
            continue
        unsent.append(_who(row))
        row.reason = str(answer)[:2000]
        if isinstance(answer, channels.Fallback):  # another channel carries it; the log says why
            deliveries.fell_back(row, answer)
            outcome.failed += 1
        elif isinstance(answer, channels.Transient):
            if not isinstance(answer, channels.Throttled):
                outcome.wait = max(outcome.wait, retry_after(row.attempts).total_seconds())
            _retry_later(row, now)
            outcome.retrying += 1
        else:
            row.status = DeliveryStatus.FAILED
            outcome.failed += 1
    ratelimit.refund_recipients(schema=schema, channel=channel, recipients=unsent)
    _write_outcomes([*going, *held])
    return outcome


def _who(row: Delivery) -> int | str:
    """The recipient's rate-limit bucket: a bare address (no recipient) is its delivery's own."""
    return row.recipient_id if row.recipient_id is not None else f"d{row.pk}"


def _write_outcomes(rows: list[Delivery]) -> None:
    """The rows' outcomes in one UPDATE (Django's bulk_update builds a CASE per field and row)."""
    if not rows:
        return
    columns = {
        "id": "bigint",
        "status": "text",
        "reason": "text",
        "attempts": "int",
        "provider_id": "text",
        "sent_at": "timestamptz",
        "updated_at": "timestamptz",
        "leased_until": "timestamptz",
        "not_before": "timestamptz",
    }
    arrays = ", ".join(f"%s::{kind}[]" for kind in columns.values())
    assignments = ", ".join(f"{name} = v.{name}" for name in columns if name != "id")
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {_table()} AS d SET {assignments} FROM unnest({arrays}) AS v({', '.join(columns)})"  # noqa: S608
            " WHERE d.id = v.id",
            [[getattr(row, "pk" if name == "id" else name) for row in rows] for name in columns],
        )


def _retry_later(row: Delivery, now: datetime) -> None:
    if row.attempts >= deliveries.MAX_ATTEMPTS:
        deliveries.gone_dead(row)  # for staff to retry (the failures list); WeChat falls back
    else:
        row.status, row.not_before = DeliveryStatus.RETRYING, now + retry_after(row.attempts)


def _send(rows: list[Delivery], *, channel: str) -> list[str | channels.DeliveryError]:
    """Per row the provider's message id or why not: an SMS group in one request, any other channel
    row by row through the single send's own path (deliveries.send_row: WeChat's subscriptions and
    fallback, the company's templates)."""
    if not rows:
        return []
    company, url = deliveries.company_and_url()
    carrier = channels.sender(channel)
    if not isinstance(carrier, channels.SmsSender):
        return [_send_one(row, company=company, url=url) for row in rows]
    answers: list[str | channels.DeliveryError | None] = [None] * len(rows)
    try:
        spec = events.get(rows[0].notification.event)  # a group is one notification's
    except events.UnknownEvent as exc:
        return [channels.Permanent(str(exc)) for _row in rows]
    context = deliveries.context_of(rows[0].notification, spec, url)
    reachable: list[tuple[int, str]] = []
    for index, row in enumerate(rows):
        address = deliveries.address_of(row, carrier)
        if address:
            reachable.append((index, address))
        else:
            answers[index] = channels.Permanent(_("收件人已无可用的联系方式。"))
    if reachable:
        try:
            sent = carrier.send_many(event=spec, context=context, addresses=[a for _i, a in reachable], company=company)
        except channels.DeliveryError as exc:
            sent = [exc] * len(reachable)
        for (index, _address), answer in zip(reachable, sent, strict=True):
            answers[index] = answer
    return [answer if answer is not None else channels.Transient("no answer") for answer in answers]


def _send_one(row: Delivery, *, company: str, url: str) -> str | channels.DeliveryError:
    try:
        return deliveries.send_row(row, company=company, url=url)
    except channels.DeliveryError as exc:
        return exc
    except events.UnknownEvent as exc:
        return channels.Permanent(str(exc))
