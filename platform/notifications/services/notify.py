"""notify(): one call, from any module, inside the caller's action.

It writes the notification, one delivery per recipient × channel (unique in the database) and one
outbox message; after the commit a worker fans the message out to the channels' sends
(notifications.services.deliveries). The inbox item is written here, already delivered: it becomes
visible with the caller's commit, and never without it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.utils import timezone

from core import actions, crypto
from core.actions import emit
from notifications import channels, company_settings, events
from notifications.models import Channel, Delivery, DeliveryStatus, Notification, Preference
from notifications.services.quiet_hours import quiet_until

TOPIC_DISPATCH = "notifications.dispatch"
MUTED = "muted by the recipient"


@dataclass(frozen=True)
class Address:
    """Someone reached on one channel without an account (a login code to a phone nobody has
    signed in with yet): a delivery without a recipient, its address kept sealed."""

    channel: Channel
    value: str


def notify(recipients: Iterable[Any], event: str, context: Mapping[str, Any], *, key: str = "") -> Notification | None:
    """Tell `recipients` (users: staff or owners; or an Address, reached without an account) about
    `event`, rendered from `context` (JSON-able: dates, Decimals as strings). `key` makes it
    idempotent: a second call with the same key adds nothing and returns the first notification.
    None when nobody active was given. An immediate event is not dispatched: the caller sends it
    (deliveries.send_at_once) after its action commits."""
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
    preferences = {pref.user_id: pref for pref in Preference.objects.filter(user_id__in=list(people))}
    carriers = [channels.sender(channel) for channel in company_settings.channels_for(spec)]
    carriers = [carrier for carrier in carriers if carrier.channel == Channel.INBOX or carrier.can_carry(spec)]
    wechat = channels.sender(Channel.WECHAT)
    if wechat.can_carry(spec):  # the company has a template for it: WeChat first, SMS its fallback
        carriers.insert(0, wechat)
    rows = []
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
            row = Delivery(
                notification=notification,
                recipient=user,
                channel=carrier.channel,
                address=carrier.masked(address),
                created_at=now,
                updated_at=now,
            )
            if carrier.channel == Channel.INBOX:
                row.status, row.sent_at = DeliveryStatus.DELIVERED, now
            elif preference is not None and not spec.essential and spec.name in preference.muted_events:
                row.status, row.reason = DeliveryStatus.SKIPPED, MUTED
            elif preference is not None and not spec.urgent:
                row.not_before = _quiet(preference, now)
            rows.append(row)
    for bare in addresses:
        by = next((c for c in carriers if c.channel == bare.channel and c.channel != Channel.INBOX), None)
        if by is None:
            continue  # the event does not go (or cannot go here) by that channel: nothing to send
        rows.append(
            Delivery(
                notification=notification,
                recipient=None,
                to=crypto.encrypt(bare.value),
                channel=by.channel,
                address=by.masked(bare.value),
                created_at=now,
                updated_at=now,
            )
        )
    Delivery.objects.bulk_create(rows)
    if not spec.immediate and any(row.status == DeliveryStatus.QUEUED for row in rows):
        emit(TOPIC_DISPATCH, {"notification_id": notification.pk}, key=f"notification:{notification.pk}")
    return notification


def _quiet(preference: Preference, now: datetime) -> datetime | None:
    return quiet_until(start=preference.quiet_start, end=preference.quiet_end, now=now)
