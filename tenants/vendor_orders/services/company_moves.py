"""The company's own moves of its service orders, for when its vendor cannot make them.

- Suspending a vendor (partners.services.admissions, through partners.bridge, in the suspension's
  transaction) cancels the vendor's orders that have not started and refunds what was paid: the
  vendor no longer sees them, so nobody would serve them. Orders under way stay for the staff.
- Staff cancel a live order with a reason (an order under way included), or complete one under way
  that the vendor, no longer admitted, cannot complete; the owner is told either way.
- Staff ask again for the refund of a cancelled order whose channel refund failed or closed.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core.actions import action
from core.errors import DomainError
from partners import selectors as partner_selectors
from payments import selectors as payment_selectors
from tenants.vendor_orders.models import LIVE, CancelledBy, OrderStatus, RefundState, VendorOrder
from tenants.vendor_orders.services import payment
from tenants.vendor_orders.services.orders import (
    cancel,
    locked,
    move,
    price_at_completion,
    refund_paid,
    refund_reference,
    tell_owner,
)

NOT_STARTED = frozenset({OrderStatus.UNPAID, OrderStatus.BOOKED, OrderStatus.CONFIRMED})
CANCELLABLE = NOT_STARTED | LIVE
CANCELLED_EVENT = "vendor_order.cancelled_by_company"
DONE_EVENT = "vendor_order.done"
PRICED_EVENT = "vendor_order.priced"


@action
def cancel_for_suspension(*, vendor_id: int, actor: Any) -> int:
    """Cancel (and refund) every order of the vendor in this company that has not started; a second
    run finds none. Returns how many were cancelled."""
    now = timezone.now()
    with translation.override(settings.LANGUAGE_CODE):  # kept with the order: the company's language
        reason = _("该服务商已暂停服务")
    ids = list(
        VendorOrder.objects.filter(vendor_id=vendor_id, status__in=NOT_STARTED)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    count = 0
    for order_id in ids:
        order = locked(order_id)
        if order.status not in NOT_STARTED:
            continue
        cancel(order, by=CancelledBy.COMPANY, reason=reason, actor=actor, now=now)
        tell_owner(order, CANCELLED_EVENT)
        count += 1
    return count


@action
def staff_cancel(*, order_id: Any, actor: Any, reason: str) -> VendorOrder:
    order = locked(order_id)
    reason = (reason or "").strip()
    if not reason:
        message = _("请填写取消原因。")
        raise DomainError(message, fields={"reason": [message]})
    if order.status not in CANCELLABLE:
        raise DomainError(
            _("订单当前状态（%(status)s）不能取消。") % {"status": order.get_status_display()},
            code="invalid_state",
            status_code=409,
        )
    order = cancel(order, by=CancelledBy.COMPANY, reason=reason, actor=actor)
    tell_owner(order, CANCELLED_EVENT)
    return order


@action
def staff_complete(*, order_id: Any, actor: Any, amount: Decimal | None = None) -> VendorOrder:
    """An order under way whose vendor is no longer admitted for the house's estate: the company
    records it done (on the owner's word) — a quoted one with the amount agreed at the door, which
    the owner then pays; while the vendor is admitted, completing is the vendor's."""
    order = locked(order_id)
    if order.status != OrderStatus.IN_SERVICE:
        raise DomainError(
            _("订单当前状态（%(status)s）不能完成。") % {"status": order.get_status_display()},
            code="invalid_state",
            status_code=409,
        )
    listed = partner_selectors.listed_vendors(
        company=partner_selectors.current_company(), estate_ids=[order.house.estate_id]
    ).filter(vendor_id=order.vendor_id)
    if listed.exists():
        raise DomainError(
            _("该服务商仍在服务中，请由服务商在服务商平台完成订单。"), code="vendor_can_complete", status_code=409
        )
    price_at_completion(order, amount)
    order = move(order, OrderStatus.DONE, verb="company_complete", actor=actor)
    tell_owner(order, PRICED_EVENT if payment.awaits_payment(order) else DONE_EVENT)
    return order


def refund_state(order: VendorOrder, states: dict[str, str]) -> str:
    """A RefundState for a cancelled order something was paid for, else '' (`states`: the latest
    channel refund's status by purpose reference, payments.selectors.purpose_refund_states)."""
    if order.status != OrderStatus.CANCELLED or order.paid_at is None or order.amount <= 0:
        return ""
    if order.refunded >= order.amount:
        return RefundState.REFUNDED
    if states.get(refund_reference(order), "") in ("failed", "closed"):
        return RefundState.FAILED
    return RefundState.REFUNDING


@action
def retry_refund(*, order_id: Any, actor: Any) -> VendorOrder:
    order = locked(order_id)
    states = payment_selectors.purpose_refund_states([refund_reference(order)])
    if refund_state(order, states) != RefundState.FAILED:
        raise DomainError(_("该订单没有需要重新发起的退款。"), code="nothing_to_refund", status_code=409)
    refund_paid(order, reason=order.cancel_reason or _("服务订单取消"), actor=actor)
    return order
