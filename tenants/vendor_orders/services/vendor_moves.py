"""The partner portal's moves of an order (partners.bridge.OrdersProvider), run in the company's
schema after partners checked that the vendor's admission is approved."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from core.actions import action
from core.errors import DomainError, NotFound
from tenants.vendor_orders.models import CancelledBy, OrderStatus, VendorOrder
from tenants.vendor_orders.services import company_moves, payment
from tenants.vendor_orders.services.orders import (
    cancel,
    locked,
    move,
    price_at_completion,
    refuse_in_service,
    tell_owner,
)

MOVES = {
    "confirm": OrderStatus.CONFIRMED,
    "start": OrderStatus.IN_SERVICE,
    "complete": OrderStatus.DONE,
}
# What the owner is told of each of the vendor's moves (starting is seen at the door).
TOLD = {
    "confirm": "vendor_order.confirmed",
    "complete": "vendor_order.done",
    "cancel": "vendor_order.cancelled_by_vendor",
}
PRICED_EVENT = company_moves.PRICED_EVENT  # a quoted order done: the agreed amount is to pay


def _tell_owner(order: VendorOrder, move_name: str) -> None:
    event = TOLD.get(move_name)
    if event is None:
        return
    if move_name == "complete" and payment.awaits_payment(order):
        event = PRICED_EVENT
    tell_owner(order, event)


@action
def vendor_move(
    *, order_id: int, vendor_id: int, move_name: str, actor_label: str, reason: str = "", amount: Decimal | None = None
) -> None:
    order = locked(order_id)
    if order.vendor_id != vendor_id:  # another vendor's order in this company: not found
        raise NotFound()
    if move_name == "cancel":
        refuse_in_service(order)
        reason = (reason or "").strip()
        if not reason:
            raise DomainError(_("请填写取消原因。"), fields={"reason": [_("请填写取消原因。")]})
        cancel(order, by=CancelledBy.VENDOR, reason=reason, actor_label=actor_label)
        _tell_owner(order, move_name)
        return
    if move_name not in MOVES:
        raise DomainError(_("不支持的操作。"), code="bad_move")
    if move_name == "complete" and order.status == OrderStatus.IN_SERVICE:
        price_at_completion(order, amount)
    elif amount is not None:
        message = _("只有完成上门报价的订单时才填写金额。")
        raise DomainError(message, fields={"amount": [message]})
    move(order, MOVES[move_name], verb=f"vendor_{move_name}", actor_label=actor_label)
    _tell_owner(order, move_name)


class PortalOrders:
    def vendor_move(
        self, *, order_id: int, vendor_id: int, move: str, actor_label: str, reason: str, amount: Decimal | None
    ) -> None:
        vendor_move(
            order_id=order_id,
            vendor_id=vendor_id,
            move_name=move,
            actor_label=actor_label,
            reason=reason,
            amount=amount,
        )

    def vendor_suspended(self, *, vendor_id: int, actor: Any) -> int:
        return company_moves.cancel_for_suspension(vendor_id=vendor_id, actor=actor)
