"""notify(): one call, from any module, inside the caller's action.

It writes the notification, one delivery per recipient × channel (unique in the database; a crowd's
by COPY) and one outbox message; after the commit a worker's dispatch tells the lanes, whose workers
send the deliveries in batches, fairly across companies (notifications.services.lanes, .batches) —
an urgent event's lane is told at once as well. The inbox item is written here, already delivered:
it becomes visible with the caller's commit, and never without it.
"""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, connection, models, transaction
from django.utils import timezone

from core import actions, crypto
from core.actions import emit
from core.db import current_schema
from notifications import channels, company_settings, events
from notifications.models import Channel, Delivery, DeliveryStatus, Notification, Preference
from notifications.services.quiet_hours import quiet_until

logger = logging.getLogger(__name__)

TOPIC_DISPATCH = "notifications.dispatch"
COPY_FROM = 1000  # rows: fewer go by INSERT
COPY_CHUNK = 10_000
PLAIN_FIELDS = (
    models.CharField,
    models.TextField,
    models.IntegerField,
    models.BooleanField,
    models.DateTimeField,
    models.ForeignKey,
)
MUTED = "muted by the recipient"


@dataclass(frozen=True)
class Address:
    """Someone reached on one channel without an account (a login code to a phone nobody has
    signed in with yet): a delivery without a recipient, its address kept sealed."""

    channel: Channel
    value: str


def notify(
    recipients: Iterable[Any], event: str, context: Mapping[str, Any], *, key: str = "", inbox_only: bool = False
) -> Notification | None:
    """Tell `recipients` (users: staff or owners; or an Address, reached without an account) about
    `event`, rendered from `context` (JSON-able: dates, Decimals as strings). `key` makes it
    idempotent: a second call with the same key adds nothing and returns the first notification.
    None when nobody active was given. An immediate event is not dispatched: the caller sends it
    (deliveries.send_at_once) after its action commits. `inbox_only`: whoever receives it must not
    be named outside their own inbox (the filer of an anonymous suggestion) — no WeChat, SMS or
    e-mail, so no delivery in the staff's log names them, whatever the company configured."""
    if not actions.in_action():
        raise actions.OutsideAction(f"notify({event!r}) must run inside an action")
    spec = events.get(event)  # an unknown event fails in the caller's action, not later in a worker
    if len(key) > 200:
        raise ValueError("a notification key is at most 200 characters")
    if key:
        existing = Notification.objects.filter(key=key).first()
        if existing is not None:
            return existing
    given = [someone for someone in recipients if someone is not None]
    addresses = list(dict.fromkeys(a for a in given if isinstance(a, Address) and a.value))
    people = {user.pk: user for user in given if not isinstance(user, Address) and user.pk and user.is_active}
    if not people and not addresses:
        return None
    data = json.loads(json.dumps(dict(context), cls=DjangoJSONEncoder))
    for name in spec.sealed:  # a code: kept encrypted, opened only to hand it to the provider
        if name in data:
            data[name] = crypto.encrypt(str(data[name]))
    try:
        with transaction.atomic():  # a savepoint: another worker may have written the same key meanwhile
            notification = Notification.objects.create(event=spec.name, context=data, key=key)
    except IntegrityError:
        return Notification.objects.get(key=key)
    now = timezone.now()
    # Few people set preferences: for a crowd, all of them beat an IN list of 20,000 ids.
    chosen = Preference.objects.all() if len(people) > 1000 else Preference.objects.filter(user_id__in=list(people))
    preferences = {pref.user_id: pref for pref in chosen}
    carriers = [channels.sender(channel) for channel in company_settings.channels_for(spec)]
    carriers = [carrier for carrier in carriers if carrier.channel == Channel.INBOX or carrier.can_carry(spec)]
    wechat = channels.sender(Channel.WECHAT)
    if wechat.can_carry(spec):  # the company has a template for it: WeChat first, SMS its fallback
        carriers.insert(0, wechat)
    if inbox_only:
        carriers = [carrier for carrier in carriers if carrier.channel == Channel.INBOX]
    rows: list[dict[str, Any]] = []  # the deliveries' columns: 40,000 model instances take seconds
    queued = False
    for user in people.values():
        preference = preferences.get(user.pk)
        on_wechat = False
        for carrier in carriers:
            address = carrier.address(user)
            if not address:
                continue  # no phone, no e-mail: the other channels (and always the inbox) carry it
            if on_wechat and carrier.channel == Channel.SMS:
                continue  # sent only if WeChat cannot (services.wechat.fall_back)
            on_wechat = on_wechat or carrier.channel == Channel.WECHAT
            row: dict[str, Any] = {
                "recipient_id": user.pk,
                "channel": carrier.channel,
                "address": carrier.masked(address),
                "status": DeliveryStatus.QUEUED,
            }
            if carrier.channel == Channel.INBOX:
                row["status"], row["sent_at"] = DeliveryStatus.DELIVERED, now
            elif preference is not None and not spec.essential and spec.name in preference.muted_events:
                row["status"], row["reason"] = DeliveryStatus.SKIPPED, MUTED
            elif preference is not None and not spec.urgent:
                row["not_before"] = _quiet(preference, now)
            queued = queued or row["status"] == DeliveryStatus.QUEUED
            rows.append(row)
    for bare in addresses:
        by = next((c for c in carriers if c.channel == bare.channel and c.channel != Channel.INBOX), None)
        if by is None:
            continue  # the event does not go (or cannot go here) by that channel: nothing to send
        rows.append(
            {
                "recipient_id": None,
                "to": crypto.encrypt(bare.value),
                "channel": by.channel,
                "address": by.masked(bare.value),
                "status": DeliveryStatus.QUEUED,
            }
        )
        queued = True
    # An immediate event's deliveries are the caller's to send (deliveries.send_at_once): no lane takes them.
    write_rows(rows, notification_id=notification.pk, urgent=spec.urgent, immediate=spec.immediate, now=now)
    if queued and not spec.immediate:
        emit(TOPIC_DISPATCH, {"notification_id": notification.pk}, key=f"notification:{notification.pk}")
        if spec.urgent:  # straight to the urgent lane once committed; the dispatch above is the net
            transaction.on_commit(functools.partial(_tell_urgent_lane, current_schema()))
    return notification


def write_rows(
    rows: list[dict[str, Any]], *, notification_id: int, urgent: bool, immediate: bool = False, now: datetime
) -> None:
    """The deliveries (each a dict of its columns; the others their defaults) by COPY in chunks: an
    announcement to 20,000 owners is 40,000 rows, which a multi-row INSERT takes seconds over; a
    handful by an INSERT."""
    common = {
        "notification_id": notification_id,
        "urgent": urgent,
        "immediate": immediate,
        "created_at": now,
        "updated_at": now,
    }
    if len(rows) < COPY_FROM:
        Delivery.objects.bulk_create([Delivery(**common, **row) for row in rows])
        return
    fields = [field for field in Delivery._meta.concrete_fields if not field.primary_key]
    defaults = {field.attname: field.get_default() for field in fields}
    defaults.update(common)
    # Plain values go as they are (psycopg adapts them); any other field is prepared as Django would.
    prepare = [(index, field) for index, field in enumerate(fields) if not isinstance(field, PLAIN_FIELDS)]
    columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    statement = f"COPY {connection.ops.quote_name(Delivery._meta.db_table)} ({columns}) FROM STDIN"
    names = [field.attname for field in fields]
    with connection.cursor() as cursor:
        for start in range(0, len(rows), COPY_CHUNK):
            with cursor.cursor.copy(statement) as copy:
                for row in rows[start : start + COPY_CHUNK]:
                    values = [row.get(name, defaults[name]) for name in names]
                    for index, field in prepare:
                        values[index] = field.get_db_prep_save(values[index], connection)
                    copy.write_row(values)


def _tell_urgent_lane(schema: str) -> None:
    from notifications.services import lanes

    try:
        lanes.mark_ready(lanes.URGENT, schema)
        lanes.kick(lanes.URGENT)
    except Exception:  # Redis away: the outbox's dispatch tells the lane when it can
        logger.warning("notifications: the urgent lane was not told of %s's message", schema, exc_info=True)


def _quiet(preference: Preference, now: datetime) -> datetime | None:
    return quiet_until(start=preference.quiet_start, end=preference.quiet_end, now=now)
