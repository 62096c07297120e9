"""An owner's order with a vendor: booking (a slot's place taken in the same transaction), the one
function that moves an order, the owner's cancellation (money back through payments) and rating.

Every move bumps the order's version and writes the vendor's copy in the public schema
(partners.services.portal_orders.record_copy) in the same action: the portal never shows a state the
company's order is not in."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import services as account_services
from core.actions import action
from core.db import conflict_as
from core.errors import DomainError, NotFound
from core.masking import mask_phone
from notifications.services import notify
from partners import selectors as partner_selectors
from partners.services import portal_orders, slots
from payments import selectors as payment_selectors
from payments.services import refunds as payment_refunds
from tenants.activities.selectors import owner_houses
from tenants.feedback import services as feedback_services
from tenants.vendor_orders.models import (
    LIVE,
    QUOTED,
    TRANSITIONS,
    CancelledBy,
    Fulfilment,
    OrderStatus,
    VendorOrder,
)

# Free cancellation by the owner until this long before the start (afterwards the vendor is on its way).
OWNER_CANCEL_BEFORE = timedelta(hours=2)
MAX_QUANTITY = 99
TIMES = {
    OrderStatus.CONFIRMED: "confirmed_at",
    OrderStatus.IN_SERVICE: "started_at",
    OrderStatus.DONE: "completed_at",
    OrderStatus.RATED: "rated_at",
    OrderStatus.CANCELLED: "cancelled_at",
}


def _invalid(field: str, message: str) -> DomainError:
    return DomainError(message, fields={field: [message]})


def pay_window() -> timedelta:
    """An unpaid order keeps its place a little longer than a payment order lives."""
    return timedelta(minutes=settings.PAYMENT_ORDER_TTL_MINUTES + 5)


def locked(order_id: Any) -> VendorOrder:
    order = (
        VendorOrder.objects.select_for_update()
        .select_related("house__estate", "house__building", "house__unit")
        .filter(pk=order_id)
        .first()
    )
    if order is None:
        raise NotFound()
    return order


def write_copy(order: VendorOrder) -> None:
    """The vendor's copy: the owner's phone in full only while the order is under way."""
    house = order.house
    copy = portal_orders.OrderCopy(
        order_id=order.pk,
        number=order.number,
        version=order.version,
        status=order.status,
        offering_name=order.offering_name,
        price_mode=order.price_mode,
        fulfilment=order.fulfilment,
        quantity=order.quantity,
        amount=order.amount,
        refunded=order.refunded,
        commission_rate=order.commission_rate,
        scheduled_start=order.scheduled_start,
        scheduled_end=order.scheduled_end,
        estate_name=house.estate.name,
        address=house.label,
        contact_name=order.contact_name,
        contact_phone=order.contact_phone if order.status in LIVE else mask_phone(order.contact_phone or ""),
        note=order.note,
        rating=order.rating,
        rating_comment=order.rating_comment,
        created_at=order.created_at,
        paid_at=order.paid_at,
        completed_at=order.completed_at,
        cancelled_at=order.cancelled_at,
        cancelled_by=order.cancelled_by,
        cancel_reason=order.cancel_reason,
        updated_at=timezone.now(),
    )
    portal_orders.record_copy(company=partner_selectors.current_company(), vendor_id=order.vendor_id, copy=copy)


def _audit(order: VendorOrder, verb: str, *, actor: Any = None, actor_label: str = "", before: str = "") -> None:
    account_services.record_audit(
        actor=actor,
        actor_label=actor_label,
        action=f"vendor_order.{verb}",
        object_type="vendor_order",
        object_id=order.pk,
        before={"status": before} if before else None,
        after={"status": order.status, "amount": str(order.amount), "refunded": str(order.refunded)},
    )


def move(
    order: VendorOrder, to: str, *, verb: str, actor: Any = None, actor_label: str = "", now: datetime | None = None
) -> VendorOrder:
    """The only place an order changes state: the move must be in TRANSITIONS; stamped, audited, copied."""
    if (order.status, to) not in TRANSITIONS:
        raise DomainError(
            _("订单当前状态（%(status)s）不能执行此操作。") % {"status": order.get_status_display()},
            code="invalid_state",
            status_code=409,
        )
    before = order.status
    order.status = to
    if to in TIMES:  # booked: paid_at is the payment's own time (services.payment)
        setattr(order, TIMES[OrderStatus(to)], now or timezone.now())
    order.version += 1
    order.save()
    _audit(order, verb, actor=actor, actor_label=actor_label, before=before)
    write_copy(order)
    return order


@action
def book(
    *,
    user: Any,
    vendor_id: int,
    offering_id: int,
    house_id: int,
    contact_name: str,
    contact_phone: str,
    idempotency_key: str,
    slot_id: int | None = None,
    quantity: int = 1,
    fulfilment: str = "",
    note: str = "",
    now: datetime | None = None,
) -> VendorOrder:
    """预约/下单: the owner books an offering of a vendor the company admitted for the house's estate.
    A housekeeping service takes a place in one of the vendor's slots; goods are delivered or picked
    up. A fixed price waits for payment (the place held meanwhile); a quoted one is booked at once."""
    now = now or timezone.now()
    key = (idempotency_key or "").strip()
    if not key or len(key) > 64:
        raise _invalid("idempotency_key", _("缺少请求编号（1–64 个字符）。"))
    again = VendorOrder.objects.filter(owner=user, idempotency_key=key).first()
    if again is not None:  # a double tap or a retried request: the order it made
        return again
    house = owner_houses(user).select_related("estate", "building", "unit").filter(pk=house_id).first()
    if house is None:
        raise _invalid("house", _("只能为自己绑定的房屋下单。"))
    company = partner_selectors.current_company()
    # Locked (FOR NO KEY UPDATE) until the order is written: a suspension (FOR UPDATE) waits for this
    # booking and then cancels it, or this booking waits and finds the vendor no longer listed.
    admission = (
        partner_selectors.listed_vendors(company=company, estate_ids=[house.estate_id])
        .filter(vendor_id=vendor_id)
        .select_for_update(of=("self",), no_key=True)
        .first()
    )
    if admission is None:
        raise _invalid("vendor", _("该服务商不为您的小区提供服务。"))
    offering = (
        partner_selectors.offerings_for_company(vendor_id=vendor_id, company=company).filter(pk=offering_id).first()
    )
    if offering is None:
        raise _invalid("offering", _("该服务项目已下架。"))
    if not 1 <= quantity <= MAX_QUANTITY:
        raise _invalid("quantity", _("数量须在 1 到 %(max)s 之间。") % {"max": MAX_QUANTITY})
    if offering.is_service:
        if slot_id is None:
            raise _invalid("slot", _("请选择服务时段。"))
        fulfilment = Fulfilment.AT_HOME
    elif fulfilment not in (Fulfilment.DELIVERY, Fulfilment.PICKUP):
        raise _invalid("fulfilment", _("请选择送货上门或到店自提。"))
    amount = (offering.price * quantity).quantize(Decimal("0.01")) if offering.is_fixed_price else Decimal("0.00")
    with conflict_as(_invalid("idempotency_key", _("该请求编号已使用。"))):
        order = VendorOrder.objects.create(
            vendor_id=vendor_id,
            vendor_name=admission.vendor.name,
            offering_id=offering.pk,
            offering_name=offering.name,
            price_mode=offering.price_mode,
            unit_price=offering.price,
            quantity=quantity,
            amount=amount,
            commission_rate=admission.commission_rate,
            fulfilment=fulfilment,
            house=house,
            owner=user,
            contact_name=contact_name.strip(),
            contact_phone=contact_phone,
            note=note.strip(),
            idempotency_key=key,
            created_at=now,
            pay_by=now + pay_window(),
        )
    if slot_id is not None and offering.is_service:
        slot = slots.take_place(slot_id=slot_id, vendor_id=vendor_id, company=company, order_id=order.pk, now=now)
        order.slot_id = slot.pk
        order.scheduled_start, order.scheduled_end = slot.starts_at, slot.ends_at
        order.save(update_fields=["slot_id", "scheduled_start", "scheduled_end"])
    _audit(order, "book", actor=user)
    if amount > 0:
        write_copy(order)
        return order
    return move(order, OrderStatus.BOOKED, verb="booked", actor=user, now=now)


# One home service; more is a typo (or a contract, not an app order).
MAX_QUOTE = Decimal("50000.00")


def price_at_completion(order: VendorOrder, amount: Decimal | None) -> None:
    """A quoted order is completed with the amount agreed at the door (the owner then pays it); a
    fixed one keeps what was paid."""
    if order.price_mode != QUOTED:
        if amount is not None:
            message = _("一口价订单不能修改金额。")
            raise DomainError(message, fields={"amount": [message]})
        return
    if amount is None or amount <= 0:
        message = _("上门报价的订单完成时须填写实际金额。")
        raise DomainError(message, fields={"amount": [message]})
    if amount > MAX_QUOTE or amount != amount.quantize(Decimal("0.01")):
        message = _("金额须在 0.01 到 %(max)s 元之间，精确到分。") % {"max": MAX_QUOTE}
        raise DomainError(message, fields={"amount": [message]})
    order.amount = amount


def tell_owner(order: VendorOrder, event: str) -> None:
    """The owner hears of a move of their order (once per event and order: the key)."""
    when = timezone.localtime(order.scheduled_start).strftime("%Y-%m-%d %H:%M") if order.scheduled_start else ""
    context = {
        "order_id": order.pk,
        "offering": order.offering_name,
        "vendor": order.vendor_name,
        "when": when,
        "reason": order.cancel_reason,
        "amount": str(order.amount),
    }
    notify([order.owner], event, context, key=f"{event}:{order.pk}")


def refund_reference(order: VendorOrder) -> str:
    """The reference payments keeps on the order's refunds (payment.refund_settled reads it back)."""
    return f"vendor_order:{order.pk}"


def refund_paid(order: VendorOrder, *, reason: str, actor: Any) -> None:
    """Everything paid goes back through the gateway it came by (payments tells us when it is done)."""
    if order.status == OrderStatus.UNPAID or order.amount <= 0:
        return
    paid = payment_selectors.paid_order_for(purpose="vendor_orders", item_id=order.pk)
    if paid is None:  # booked without money (a quoted price): nothing to give back
        return
    payment_refunds.request_refund(paid, order.amount - order.refunded, reason, refund_reference(order), actor=actor)


def refuse_in_service(order: VendorOrder) -> None:
    """The owner and the vendor cancel an order only before the service starts; one under way is ended
    by the vendor, or by the company when its vendor cannot (services.company_moves)."""
    if order.status == OrderStatus.IN_SERVICE:
        raise DomainError(
            _("服务已开始，不能取消；如有问题请联系物业服务中心。"), code="invalid_state", status_code=409
        )


def cancel(
    order: VendorOrder, *, by: str, reason: str, actor: Any = None, actor_label: str = "", now: datetime | None = None
) -> VendorOrder:
    """Cancel in the caller's action: the slot's place is freed and what was paid is refunded."""
    now = now or timezone.now()
    refund_paid(order, reason=reason or _("服务订单取消"), actor=actor)
    order.cancelled_by, order.cancel_reason = by, reason[:200]
    order = move(order, OrderStatus.CANCELLED, verb="cancel", actor=actor, actor_label=actor_label, now=now)
    slots.release_place(company=partner_selectors.current_company(), order_id=order.pk, now=now)
    return order


@action
def owner_cancel(*, order_id: Any, user: Any, reason: str = "", now: datetime | None = None) -> VendorOrder:
    now = now or timezone.now()
    order = locked(order_id)
    if order.owner_id != user.pk:
        raise NotFound()
    refuse_in_service(order)
    if (
        order.status == OrderStatus.CONFIRMED
        and order.scheduled_start
        and order.scheduled_start - now < OWNER_CANCEL_BEFORE
    ):
        raise DomainError(
            _("服务开始前 2 小时内不能自行取消，请联系服务商。"), code="too_late_to_cancel", status_code=409
        )
    return cancel(order, by=CancelledBy.OWNER, reason=reason.strip(), actor=user, now=now)


@action
def rate(*, order_id: Any, user: Any, rating: int, comment: str = "") -> VendorOrder:
    order = locked(order_id)
    if order.owner_id != user.pk:
        raise NotFound()
    if not 1 <= rating <= 5:
        raise _invalid("rating", _("评分须在 1 到 5 之间。"))
    order.rating, order.rating_comment = rating, comment.strip()[:500]
    return move(order, OrderStatus.RATED, verb="rate", actor=user)


@action
def complain(*, order_id: Any, user: Any, description: str) -> VendorOrder:
    """投诉服务商: the owner's complaint about the vendor of an order reaches the company as a complaint
    of its 投诉建议 (handled, answered and rated there); one per order."""
    order = locked(order_id)
    if order.owner_id != user.pk:
        raise NotFound()
    never_paid = order.price_mode != QUOTED and order.paid_at is None  # a quoted one may be, priced
    if order.status == OrderStatus.UNPAID or never_paid:
        raise DomainError(_("未支付的订单不能投诉。"), code="invalid_state", status_code=409)
    if order.complaint_id is not None:
        raise DomainError(_("该订单已投诉过，请在投诉建议中查看处理进度。"), code="already_complained", status_code=409)
    text = (description or "").strip()
    if not text:
        raise _invalid("description", _("请填写投诉内容。"))
    summary = _("【服务商投诉】%(vendor)s（订单 %(number)s，%(offering)s）：%(text)s") % {
        "vendor": order.vendor_name,
        "number": order.number,
        "offering": order.offering_name,
        "text": text,
    }
    order.complaint = feedback_services.file_feedback(
        actor=user, kind="complaint", description=summary[:1000], house=order.house
    )
    order.save(update_fields=["complaint"])
    _audit(order, "complain", actor=user)
    return order


@action
def expire_unpaid(*, now: datetime | None = None) -> int:
    """Cancel the orders not paid in time and free their places (beat; a second run finds none)."""
    now = now or timezone.now()
    ids = list(VendorOrder.objects.filter(status=OrderStatus.UNPAID, pay_by__lt=now).values_list("pk", flat=True)[:500])
    count = 0
    for order_id in ids:
        order = locked(order_id)
        if order.status != OrderStatus.UNPAID or order.pay_by >= now:
            continue
        cancel(order, by=CancelledBy.SYSTEM, reason=_("超时未支付"), actor_label="system", now=now)
        count += 1
    return count
