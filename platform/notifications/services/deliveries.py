"""Delivery by the workers: fan a notification out to its channels' sends, send one delivery
(exactly once: the row is locked and its status checked before the provider is called, and the
outcome written before the lock is let go), give one up, and staff retrying a failed one.

A send that the provider refused for now (down, throttled) is marked retrying and raised again, so
the outbox backs off (10 s, 20 s, 40 s …) and after MAX_ATTEMPTS dead-letters it (on_dead: dead). A
refusal that will never pass (an invalid number) fails at once. The one window left is a worker
killed after the provider accepted and before the commit: the row is still queued and a later try
sends again — the provider offers no idempotency key to close it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import services as account_services
from core import crypto
from core.actions import action, emit
from core.db import current_schema
from core.errors import DomainError
from notifications import channels, events
from notifications.models import (
    RETRYABLE_BY_STAFF,
    SENDABLE,
    Channel,
    Delivery,
    DeliveryStatus,
)
from notifications.services import wechat as wechat_services

TOPIC_SEND = "notifications.send"
MAX_ATTEMPTS = 6  # over about five minutes of backoff; then dead, for staff to retry


class TryAgain(Exception):
    """Raised to the outbox so it backs off and tries the send again."""


def send_key(delivery: Delivery) -> str:
    return f"delivery:{delivery.pk}:{delivery.round}"


@action(audit=False)  # the worker's fan-out: the deliveries are the record
def dispatch(*, notification_id: int) -> int:
    """Queue one send per delivery still to go (a redelivered dispatch adds nothing: same keys)."""
    pending = Delivery.objects.filter(notification_id=notification_id, status__in=SENDABLE).exclude(
        channel=Channel.INBOX
    )
    count = 0
    for delivery in pending.only("pk", "round", "not_before"):
        emit(TOPIC_SEND, {"delivery_id": delivery.pk}, key=send_key(delivery), available_at=delivery.not_before)
        count += 1
    return count


def _company() -> tuple[str, str]:
    from companies.selectors import company_by_schema
    from companies.services import company_url

    company = company_by_schema(current_schema())
    return (company.name, company_url(company.slug).rstrip("/")) if company is not None else ("", "")


@dataclass(frozen=True)
class Sent:
    outcome: str  # 'sent', 'failed' (for good), 'retry' (for now), 'fallback' or 'skipped' (final, or not there)
    failure: str = ""  # the provider's kind of refusal (notifications.sms.SmsFailure), when it said


@action(audit=False)  # the delivery row is the record of what went out, when and why not
def send_delivery(*, delivery_id: int) -> str:
    """'sent', 'failed' (for good), 'retry' (for now), 'fallback' (another channel carries it) or
    'skipped' (already final, or not there)."""
    return _send(delivery_id=delivery_id).outcome


def send_at_once(*, notification_id: int, retry: bool = False) -> list[Sent]:
    """Send an immediate notification's deliveries now, each in its own transaction, and say how
    each went (the caller tells its user: a login code throttled, an invalid number). Without
    `retry` a refusal for now is final (failed): a code is sent at once or asked for again; with
    it the delivery stays retrying, for the caller's own retry to send."""
    pending = (
        Delivery.objects.filter(notification_id=notification_id, status__in=SENDABLE)
        .exclude(channel=Channel.INBOX)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    return [_send(delivery_id=delivery_id, retry=retry) for delivery_id in list(pending)]


def _address(delivery: Delivery, carrier: channels.Sender) -> str:
    if delivery.recipient is None:
        return crypto.decrypt(delivery.to) if delivery.to else ""
    return carrier.address(delivery.recipient) if delivery.recipient.is_active else ""


@action(audit=False)
def _send(*, delivery_id: int, retry: bool = True) -> Sent:
    delivery = (
        Delivery.objects.select_for_update(of=("self",))
        .select_related("notification", "recipient")
        .filter(pk=delivery_id)
        .first()
    )
    if delivery is None or delivery.status not in SENDABLE:
        return Sent("skipped")
    now = timezone.now()
    delivery.attempts += 1
    delivery.updated_at = now
    fields = ["attempts", "updated_at", "status", "reason"]
    failure = ""
    try:
        spec = events.get(delivery.notification.event)
        carrier = channels.sender(delivery.channel)
        address = _address(delivery, carrier)
        if not address:
            raise channels.Permanent(_("收件人已无可用的联系方式。"))
        company, url = _company()
        context = dict(delivery.notification.context)
        for name in spec.sealed:
            if name in context:
                context[name] = crypto.decrypt(context[name])
        link = spec.link_for(context)
        context["_url"] = f"{url}{link}" if link and url else ""
        context["_delivery"] = delivery.pk
        provider_id = carrier.send(event=spec, context=context, address=address, company=company)
    except channels.Fallback as exc:  # another channel carries it; the log says why
        delivery.status = DeliveryStatus.FAILED if exc.failed else DeliveryStatus.SKIPPED
        delivery.reason = f"{exc} {wechat_services.fall_back(delivery)}"[:2000]
        outcome = "fallback"
    except (channels.Permanent, events.UnknownEvent) as exc:
        delivery.status, delivery.reason = DeliveryStatus.FAILED, str(exc)[:2000]
        outcome, failure = "failed", getattr(exc, "failure", "")
    except channels.Transient as exc:
        delivery.status = DeliveryStatus.RETRYING if retry else DeliveryStatus.FAILED
        delivery.reason = str(exc)[:2000]
        outcome, failure = ("retry" if retry else "failed"), exc.failure
    else:
        delivery.status, delivery.reason = DeliveryStatus.SENT, ""
        delivery.provider_id, delivery.sent_at = provider_id[:100], now
        fields += ["provider_id", "sent_at"]
        outcome = "sent"
    delivery.save(update_fields=fields)
    return Sent(outcome, failure)


@action(audit=False)  # the outbox gave the send up; the row says so, for staff to retry
def give_up(*, delivery_id: int, error: str) -> None:
    """Dead, keeping the provider's last answer as the reason (the outbox's error only says it gave up)."""
    delivery = Delivery.objects.select_for_update().filter(pk=delivery_id, status__in=SENDABLE).first()
    if delivery is None:
        return
    delivery.status, delivery.reason = DeliveryStatus.DEAD, (delivery.reason or error)[:2000]
    if delivery.channel == Channel.WECHAT:  # WeChat stayed down: the owner hears another way
        delivery.reason = f"{delivery.reason} {wechat_services.fall_back(delivery)}"[:2000]
    delivery.updated_at = timezone.now()
    delivery.save(update_fields=["status", "reason", "updated_at"])


@action(audit=False)  # the caller's retries of an immediate notification are spent; the rows say so
def give_up_keyed(*, key: str, error: str) -> int:
    """Dead: the deliveries still to go of the notification written under `key` (a password code
    whose outbox message was given up)."""
    return (
        Delivery.objects.filter(notification__key=key, status__in=SENDABLE)
        .exclude(channel=Channel.INBOX)
        .update(status=DeliveryStatus.DEAD, reason=error[:2000], updated_at=timezone.now())
    )


@action
def retry_delivery(*, delivery_id: int, actor: Any) -> Delivery:
    """Staff send a failed or dead delivery again, with fresh tries, under a new outbox key."""
    delivery = Delivery.objects.select_for_update().filter(pk=delivery_id).first()
    if delivery is None:
        raise DomainError(_("投递记录不存在。"), code="not_found", status_code=404)
    if delivery.status not in RETRYABLE_BY_STAFF:
        raise DomainError(_("只能重试发送失败或已放弃的投递。"), code="delivery_state", status_code=409)
    if _is_code(delivery):
        raise DomainError(_("验证码不重发：请本人重新获取。"), code="delivery_code", status_code=409)
    before = {"status": delivery.status, "reason": delivery.reason, "attempts": delivery.attempts}
    delivery.status, delivery.reason, delivery.attempts = DeliveryStatus.QUEUED, "", 0
    delivery.round += 1
    delivery.not_before = None
    delivery.updated_at = timezone.now()
    delivery.save(update_fields=["status", "reason", "attempts", "round", "not_before", "updated_at"])
    emit(TOPIC_SEND, {"delivery_id": delivery.pk}, key=send_key(delivery))
    account_services.record_audit(
        actor=actor,
        action="notification.retry",
        object_type="notification_delivery",
        object_id=delivery.pk,
        before=before,
        after={"status": delivery.status, "round": delivery.round},
    )
    return delivery


def _is_code(delivery: Delivery) -> bool:
    try:
        return bool(events.get(delivery.notification.event).sealed)
    except events.UnknownEvent:
        return False
