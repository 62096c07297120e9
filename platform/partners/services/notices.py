"""Telling a vendor: a notice in the portal's 消息, written in the transaction of what happened, and
for what needs the vendor (partners.notices.SPECS with an SMS template) a text to its contact phone
through the outbox — held back past the night (22:00–07:00 Shanghai), skipped when the vendor
turned texts off. Vendors are no company's users, so this is the platform's own path, with the
platform's SMS account and templates, never a company's."""

from __future__ import annotations

import logging
from datetime import time, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from companies.models import Company
from core.actions import action, emit, in_action
from notifications import sms
from notifications.services.quiet_hours import quiet_until
from partners import notices
from partners.models import NoticeKind, NoticeSms, PortalOrder, Vendor, VendorAccount, VendorNotice

logger = logging.getLogger(__name__)

TOPIC_SMS = "partners.notice_sms"
NIGHT = (time(22, 0), time(7, 0))


def tell_vendor(
    *,
    vendor_id: int,
    kind: str,
    key: str,
    context: dict[str, Any],
    company: Company | None = None,
    portal_order: PortalOrder | None = None,
    text: bool = True,
) -> VendorNotice | None:
    """Write the notice inside the caller's action; `key` names what happened, so a redelivered
    task or a repeated call adds nothing (None). The text, if the kind has one (and `text`), leaves
    by the outbox."""
    if not in_action():
        raise RuntimeError("a vendor notice is written inside the action it tells of")
    spec = notices.spec(kind)  # an unknown kind fails in the caller's action
    texted = bool(spec.sms) and text
    if company is not None:
        context = {"company": company.brand_name, **context}
    try:
        with transaction.atomic():  # a savepoint: the same key written meanwhile is not an error
            notice = VendorNotice.objects.create(
                vendor_id=vendor_id,
                company=company,
                kind=kind,
                context=context,
                portal_order=portal_order,
                key=key[:200],
                sms=NoticeSms.QUEUED if texted else NoticeSms.NONE,
            )
    except IntegrityError:
        return None
    if texted:
        now = timezone.now()
        emit(
            TOPIC_SMS,
            {"notice_id": notice.pk},
            key=f"vendor-notice:{notice.pk}",
            available_at=quiet_until(start=NIGHT[0], end=NIGHT[1], now=now),
        )
    return notice


class NoticeNotSent(Exception):
    """The SMS provider is unavailable for now: the outbox tries again."""


@action(audit=False)  # the notice's own row records whether its text went
def send_sms(*, notice_id: int) -> str:
    """Text one notice to the vendor's contact phone. The row is locked and marked in the same
    transaction, so a redelivered message finds it sent; a worker lost between the provider's
    answer and the commit sends it again (at least once, as every text of ours). A refusal of the
    number is final; an outage raises, for the outbox to retry; Tencent's per-number limit (one a
    number per 30 s, five an hour) is waited out in a later message, an hour on, for a day."""
    notice = (
        VendorNotice.objects.select_for_update(of=("self",))
        .select_related("vendor")
        .filter(pk=notice_id, sms=NoticeSms.QUEUED)
        .first()
    )
    if notice is None:
        return "done"
    vendor = notice.vendor
    template = notices.spec(notice.kind).sms
    if not vendor.is_active:
        return _mark(notice, NoticeSms.SKIPPED, _("服务商已被平台停用。"))
    if not vendor.sms_alerts:
        return _mark(notice, NoticeSms.SKIPPED, _("服务商已关闭短信提醒。"))
    if not vendor.phone:
        return _mark(notice, NoticeSms.SKIPPED, _("服务商没有联系电话。"))
    gateway = sms.gateway()
    if not gateway.has_template(template):
        return _mark(notice, NoticeSms.FAILED, _("平台未配置该短信模板，短信未发送。"))
    try:
        gateway.send(phone=vendor.phone, template=template, params=notices.sms_params(notice))
    except sms.SmsError as exc:
        if exc.reason == sms.SmsFailure.UNAVAILABLE:
            raise NoticeNotSent(f"vendor notice {notice.pk}: {exc.code}") from exc
        if exc.reason == sms.SmsFailure.THROTTLED:
            return _later(notice, exc.message)
        return _mark(notice, NoticeSms.FAILED, exc.message)
    return _mark(notice, NoticeSms.SENT, "")


THROTTLED_WAIT = timedelta(hours=1)
THROTTLED_FOR_AT_MOST = timedelta(days=1)


def _later(notice: VendorNotice, error: str) -> str:
    """The provider's per-number limit: the same text in a new message an hour on (past the night),
    until a day has gone by — then it is failed, and the portal's notice is what the vendor has."""
    now = timezone.now()
    if now - notice.created_at > THROTTLED_FOR_AT_MOST:
        return _mark(notice, NoticeSms.FAILED, error)
    later = now + THROTTLED_WAIT
    later = quiet_until(start=NIGHT[0], end=NIGHT[1], now=later) or later
    emit(TOPIC_SMS, {"notice_id": notice.pk}, key=f"vendor-notice:{notice.pk}:{later:%Y%m%d%H}", available_at=later)
    return "later"


def _mark(notice: VendorNotice, state: str, error: str) -> str:
    notice.sms, notice.sms_error = state, error[:200]
    notice.save(update_fields=["sms", "sms_error"])
    return str(state)


@action(audit=False)  # the outbox gave the text up: the notice says so rather than wait forever
def sms_given_up(*, notice_id: int, error: str = "", **_payload: Any) -> None:
    VendorNotice.objects.filter(pk=notice_id, sms=NoticeSms.QUEUED).update(
        sms=NoticeSms.FAILED, sms_error=_("短信服务暂时不可用，多次重试后仍未发送。")[:200]
    )


@action(audit=False)  # a reader's bookmark, not a change of the vendor's business
def mark_read(*, account: VendorAccount, ids: list[int] | None) -> int:
    """Mark the vendor's notices read: those given (others' ids are ignored), or all."""
    rows = VendorNotice.objects.filter(vendor_id=account.vendor_id, read_at__isnull=True)
    if ids is not None:
        rows = rows.filter(pk__in=ids)
    return rows.update(read_at=timezone.now())


@action
def set_sms_alerts(*, account: VendorAccount, on: bool) -> Vendor:
    from partners.services.vendors import trail

    vendor = Vendor.objects.select_for_update().get(pk=account.vendor_id)
    if vendor.sms_alerts != on:
        before = vendor.sms_alerts
        vendor.sms_alerts = on
        vendor.save(update_fields=["sms_alerts"])
        trail(
            account, "partner.sms_alerts", "vendor", vendor.pk, before={"sms_alerts": before}, after={"sms_alerts": on}
        )
    return vendor


def order_context(order: PortalOrder) -> dict[str, Any]:
    return {
        "number": order.number,
        "offering": order.offering_name,
        "estate": order.estate_name,
        "amount": str(order.amount),
    }


def tell_of_order(before: PortalOrder | None, after: PortalOrder, *, admitted: bool) -> None:
    """What the vendor hears of a move of its order (the copy before and after it): a new order to
    confirm, a cancellation not its own, a payment after the work (a quoted order), a rating. Not
    `admitted` (the company is suspending it and cancels its orders): no text per order — the
    suspension's own notice says so."""
    context = order_context(after)
    base = f"portal-order:{after.company_id}:{after.order_id}"
    was = before.status if before is not None else ""
    if after.status == "booked" and was in ("", "unpaid"):
        when = timezone.localtime(after.scheduled_start).strftime("%Y-%m-%d %H:%M") if after.scheduled_start else ""
        goods = {"quantity": after.quantity, "fulfilment": after.fulfilment} if after.fulfilment != "at_home" else {}
        _tell(after, NoticeKind.ORDER_BOOKED, f"{base}:booked", {**context, "when": when, **goods})
    if after.status == "cancelled" and was not in ("", "unpaid", "cancelled") and after.cancelled_by != "vendor":
        told = {**context, "by": after.cancelled_by, "reason": after.cancel_reason}
        _tell(after, NoticeKind.ORDER_CANCELLED, f"{base}:cancelled", told, text=admitted)
    if after.paid_at is not None and (before is None or before.paid_at is None) and was in ("done", "rated"):
        _tell(after, NoticeKind.ORDER_PAID, f"{base}:paid", context)
    if after.rating is not None and (before is None or before.rating is None):
        told = {**context, "rating": after.rating, "comment": after.rating_comment}
        _tell(after, NoticeKind.ORDER_RATED, f"{base}:rated", told)


def _tell(order: PortalOrder, kind: str, key: str, context: dict[str, Any], *, text: bool = True) -> None:
    tell_vendor(
        vendor_id=order.vendor_id,
        kind=kind,
        key=key,
        context=context,
        company=order.company,
        portal_order=order,
        text=text,
    )


def unread_count(vendor: Vendor) -> int:
    return VendorNotice.objects.filter(vendor=vendor, read_at__isnull=True).count()
