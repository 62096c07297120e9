"""Service orders as something the platform's payment service takes money for (payments.bridge,
purpose `vendor_orders`; registered in VendorOrdersConfig.ready()): the owner pays one order of
theirs — a fixed price before the service (the money books it), or a quoted one once the vendor
completed it with the agreed amount — exactly once; a refund asked for on cancellation is recorded
when the channel says it is done."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import services as account_services
from core.actions import action
from core.errors import DomainError, NotFound
from partners import selectors as partner_selectors
from payments.bridge import AllocationRequest, ItemsTaken, Quote, QuoteLine
from tenants.vendor_orders.models import QUOTED, OrderStatus, VendorOrder
from tenants.vendor_orders.services.orders import locked, move, write_copy

PAYER_KIND = "house"
PRICED = frozenset({OrderStatus.DONE, OrderStatus.RATED})


def awaits_payment(order: VendorOrder) -> bool:
    """A quoted order the vendor completed with its amount, not paid yet (the owner pays it after)."""
    return order.price_mode == QUOTED and order.status in PRICED and order.paid_at is None and order.amount > 0


class VendorOrdersPayable:
    def quote(self, *, user: Any, payer_id: int, item_ids: Sequence[int] | None) -> Quote:
        """One order of the owner's, for the house it was booked for, still waiting for payment."""
        if not item_ids or len(item_ids) != 1:
            message = _("请选择一个待支付的服务订单。")
            raise DomainError(message, fields={"charge_ids": [message]})
        order = (
            VendorOrder.objects.select_related("house")
            .filter(pk=item_ids[0], owner_id=user.pk, house_id=payer_id)
            .first()
        )
        if order is None:
            raise NotFound()
        if awaits_payment(order):
            pass  # the work is done: it is paid for whatever has become of the vendor since
        elif order.status != OrderStatus.UNPAID or order.pay_by <= timezone.now() or order.amount <= 0:
            raise DomainError(_("该订单已不在待支付状态。"), code="order_not_payable", status_code=409)
        elif (
            not partner_selectors.listed_vendors(
                company=partner_selectors.current_company(), estate_ids=[order.house.estate_id]
            )
            .filter(vendor_id=order.vendor_id)
            .exists()
        ):
            # suspended (or its licence lapsed) since the booking: no money for a service not given
            raise DomainError(_("该服务商暂停服务，订单不能支付。"), code="vendor_unavailable", status_code=409)
        line = QuoteLine(item_id=order.pk, amount=order.amount, late_fee=Decimal("0.00"), label=order.offering_name)
        return Quote(
            payer_kind=PAYER_KIND,
            payer_id=payer_id,
            lines=(line,),
            description=f"{order.vendor_name} {order.offering_name}"[:127],
        )

    def allocate(self, request: AllocationRequest) -> str:
        """Book the order with the money (or settle a completed quoted one), in payments'
        transaction. The same payment again returns the first booking; an order cancelled meanwhile
        (its window ran out), paid otherwise or for another amount is ItemsTaken — the money goes back."""
        (order_id,) = request.item_ids
        order = locked(order_id)
        reference = f"vendor_order:{order.pk}"
        if order.payment_reference == request.idempotency_key:
            return reference
        if request.amount != order.amount:
            raise ItemsTaken()
        if awaits_payment(order):
            _settle_priced(order, request)
            return reference
        if order.status != OrderStatus.UNPAID:
            raise ItemsTaken()
        order.payment_reference = request.idempotency_key
        order.paid_at = request.received_at
        move(order, OrderStatus.BOOKED, verb="paid", actor_label="payment")
        return reference


def _settle_priced(order: VendorOrder, request: AllocationRequest) -> None:
    order.payment_reference = request.idempotency_key
    order.paid_at = request.received_at
    order.version += 1
    order.save(update_fields=["payment_reference", "paid_at", "version"])
    account_services.record_audit(
        actor=None,
        actor_label="payment",
        action="vendor_order.paid",
        object_type="vendor_order",
        object_id=order.pk,
        after={"status": order.status, "amount": str(order.amount)},
    )
    write_copy(order)


@action
def refund_settled(*, purpose_reference: str, status: str) -> None:
    """payments' word on a refund asked for at cancellation (`vendor_order:<id>`). Only `refunded`
    changes the order; an unknown reference is a programming error, never skipped."""
    kind, _sep, raw_id = purpose_reference.partition(":")
    if kind != "vendor_order" or not raw_id.isascii() or not raw_id.isdigit():
        raise ValueError(f"not a vendor order refund: {purpose_reference!r}")
    order = locked(int(raw_id))
    if status != "refunded" or order.refunded == order.amount:
        return
    before = str(order.refunded)
    order.refunded = order.amount
    order.version += 1
    order.save(update_fields=["refunded", "version"])
    account_services.record_audit(
        actor=None,
        actor_label="payment",
        action="vendor_order.refunded",
        object_type="vendor_order",
        object_id=order.pk,
        before={"refunded": before},
        after={"refunded": str(order.refunded)},
    )
    write_copy(order)
