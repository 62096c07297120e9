"""Helpers of the notification tests: people, a notify() inside an action, running the outbox."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone
from django_tenants.utils import schema_context, tenant_context

from accounts import services as account_services
from accounts.models import User
from core.actions import action
from core.outbox import services as outbox
from core.outbox.models import OutboxMessage
from core.schemas import Schema
from notifications.services import lanes, notify


@action(audit=False, schema=Schema.COMPANY)
def notify_in_action(
    recipients: list[Any], event: str, context: dict[str, Any], key: str = "", *, inbox_only: bool = False
) -> Any:
    return notify(recipients, event, context, key=key, inbox_only=inbox_only)


def owner(company, client_for, username: str, *, phone: str = "") -> tuple[Any, User]:
    """An owner-app account (resident) and an API client signed in as it."""
    with tenant_context(company):
        user = account_services.create_user(username=username, name=f"业主{username}", roles=["resident"], phone=phone)
        raw, _token = account_services.issue_token(user=user, kind="sms")
    client = client_for(company)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client, user


def drain(outbox_sent: list[int]) -> None:
    """Run every message the test emitted, and those they emit in turn, as workers would (each once),
    and the notification lanes' turns until no company is due (the sends)."""
    done: set[int] = set()
    while todo := [message_id for message_id in outbox_sent if message_id not in done]:
        for message_id in todo:
            done.add(message_id)
            outbox.deliver(message_id=message_id)
        lanes.run_until_idle()


def message(key: str, company) -> OutboxMessage:
    with schema_context("public"):
        return OutboxMessage.objects.get(schema_name=company.schema_name, key=key)


def forget_rate_limits() -> None:
    """The notification rate limits' buckets (notifications.ratelimit), as if long ago."""
    from core import redis_client
    from notifications import ratelimit

    store = redis_client.client()
    keys = list(store.scan_iter(match=f"{ratelimit.PREFIX}*"))
    if keys:
        store.delete(*keys)


def make_deliveries_due(company) -> None:
    """Let the deliveries' waits (a backoff, a lease) pass, as if minutes had gone by."""
    from notifications.models import Delivery

    with tenant_context(company):
        Delivery.objects.update(not_before=None, leased_until=None)
    for lane in lanes.LANES:
        lanes.mark_ready(lane, company.schema_name)


def make_due(message_: OutboxMessage) -> None:
    """Let a backed-off message's wait pass, as if minutes had gone by."""
    with schema_context("public"):
        OutboxMessage.objects.filter(pk=message_.pk).update(available_at=timezone.now() - timedelta(seconds=1))
