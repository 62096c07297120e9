"""Delivery by the workers: the fan-out (a notification's deliveries handed to the lanes, which send
them in batches: services.lanes, services.batches), give one up, and staff retrying a failed one.

`send_delivery` sends one delivery alone (exactly once: the row is locked and its status checked
before the provider is called, and the outcome written before the lock is let go) for the outbox's
`notifications.send` messages queued before the lanes; a refusal for now is retried by the outbox
with backoff and after MAX_ATTEMPTS dead-lettered. The lanes keep the same rules per batch.
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
    Notification,
)
from notifications.services import wechat as wechat_services

TOPIC_DISPATCH = "notifications.dispatch"
TOPIC_SEND = "notifications.send"  # single sends queued before the lanes (services.lanes) took over
MAX_ATTEMPTS = 6  # over about five minutes of backoff; then dead, for staff to retry


class TryAgain(Exception):
    """Raised to the outbox so it backs off and tries the send again."""


def send_key(delivery: Delivery) -> str:
    return f"delivery:{delivery.pk}:{delivery.round}"


def dispatch(*, notification_id: int) -> int:
    """Tell the lanes (notifications.services.lanes) that this company has the notification's
    deliveries to send, and start their chains: the workers send them in batches, fairly across
    companies. Writes nothing, so a redelivered dispatch only tells them again. How many lanes."""
    from notifications.services import lanes

    waiting = set(
        Delivery.objects.filter(notification_id=notification_id, status__in=SENDABLE, immediate=False)
        .exclude(channel=Channel.INBOX)
        .order_by()
        .values_list("urgent", flat=True)
        .distinct()
    )
    for urgent in waiting:
        lane = lanes.lane_of(urgent=urgent)
        lanes.mark_ready(lane)
        lanes.kick(lane)
    return len(waiting)


def company_and_url() -> tuple[str, str]:
    from companies.selectors import company_by_schema
    from companies.services import company_url

    company = company_by_schema(current_schema())
    return (company.name, company_url(company.slug).rstrip("/")) if company is not None else ("", "")


def address_of(delivery: Delivery, carrier: channels.Sender) -> str:
    """Where the delivery goes now: a bare address as sealed when written, else the recipient's
    ("" when they can no longer be reached there)."""
    if delivery.recipient is None:
        return crypto.decrypt(delivery.to) if delivery.to else ""
    return carrier.address(delivery.recipient) if delivery.recipient.is_active else ""


def context_of(notification: Notification, spec: events.Event, url: str) -> dict[str, Any]:
    """The context the channels render from: the notification's, its sealed keys opened (a code:
    only here, to hand it to the provider), with the link into the app."""
    context = dict(notification.context)
    for name in spec.sealed:
        if name in context:
            context[name] = crypto.decrypt(context[name])
    link = spec.link_for(context)
    context["_url"] = f"{url}{link}" if link and url else ""
    return context


def send_row(delivery: Delivery, *, company: str, url: str) -> str:
    """Hand one delivery (locked by the caller, in its transaction) to its channel: the provider's
    message id. Raises channels.DeliveryError (Fallback: another channel carries it) or
    events.UnknownEvent. Shared by the single send below and the lanes' batches (services.batches)."""
    spec = events.get(delivery.notification.event)
    carrier = channels.sender(delivery.channel)
    address = address_of(delivery, carrier)
    if not address:
        raise channels.Permanent(_("收件人已无可用的联系方式。"))
    context = context_of(delivery.notification, spec, url)
    context["_delivery"] = delivery.pk
    return carrier.send(event=spec, context=context, address=address, company=company)


def fell_back(delivery: Delivery, exc: channels.Fallback) -> None:
    """The delivery closed with the reason, another channel carrying the message (services.wechat)."""
    delivery.status = DeliveryStatus.FAILED if exc.failed else DeliveryStatus.SKIPPED
    delivery.reason = f"{exc} {wechat_services.fall_back(delivery)}"[:2000]


def gone_dead(delivery: Delivery) -> None:
    """Dead, for staff to retry; a WeChat message that stayed refused falls back to another channel."""
    delivery.status = DeliveryStatus.DEAD
    if delivery.channel == Channel.WECHAT:  # WeChat stayed down: the owner hears another way
        delivery.reason = f"{delivery.reason} {wechat_services.fall_back(delivery)}"[:2000]


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
        company, url = company_and_url()
        provider_id = send_row(delivery, company=company, url=url)
    except channels.Fallback as exc:  # another channel carries it; the log says why
        fell_back(delivery, exc)
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
    delivery.reason = (delivery.reason or error)[:2000]
    gone_dead(delivery)
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


def _carried_by_another_channel(delivery: Delivery) -> bool:
    """A WeChat message whose SMS fallback went out or is on its way (services.wechat.fall_back):
    sending it on WeChat as well would tell the owner twice."""
    if delivery.channel != Channel.WECHAT or delivery.recipient_id is None:
        return False
    return (
        Delivery.objects.filter(
            notification_id=delivery.notification_id, recipient_id=delivery.recipient_id, channel=Channel.SMS
        )
        .exclude(status__in=RETRYABLE_BY_STAFF)
        .exists()
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
    if _carried_by_another_channel(delivery):
        raise DomainError(_("这条消息已改由短信发给对方，不再通过微信重发。"), code="delivery_carried", status_code=409)
    before = {"status": delivery.status, "reason": delivery.reason, "attempts": delivery.attempts}
    delivery.status, delivery.reason, delivery.attempts = DeliveryStatus.QUEUED, "", 0
    delivery.round += 1
    delivery.not_before = None
    delivery.updated_at = timezone.now()
    delivery.leased_until = None
    delivery.immediate = False  # the lanes send a staff retry, not the caller who asked at once
    fields = ["status", "reason", "attempts", "round", "not_before", "leased_until", "immediate", "updated_at"]
    delivery.save(update_fields=fields)
    # The lanes send it (the dispatch tells them), under a key of its own round.
    emit(
        TOPIC_DISPATCH,
        {"notification_id": delivery.notification_id},
        key=f"notification:{delivery.notification_id}:retry:{delivery.pk}:{delivery.round}",
    )
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
