"""An order's life: the one transition function, and settling what a gateway says happened.

`settle` is where money is credited, exactly once: under the order's row lock it checks what the
gateway reported (the order, the merchant, the amount), moves pending → paid with the evidence and
hands the money to the purpose (billing's record_payment) in the same transaction. A second
notification, a notification after a query, a retry after a crash — each finds the order paid and
changes nothing. When the purpose says the items were paid elsewhere meanwhile (the cash desk won),
nothing is allocated: the order is marked `refund_due` and refunded through payments.services.refunds
(the one refund path).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import services as account_services
from core.actions import action
from core.errors import DomainError
from payments import bridge
from payments.gateways import BillRow, GatewayState
from payments.models import (
    HOLDING,
    TRANSITIONS,
    OrderStatus,
    PaymentEvent,
    PaymentOrder,
    PaymentOrderLine,
    Settlement,
)

logger = logging.getLogger(__name__)

TOPIC_REFUND = "payments.refund"
PAID_STATES = frozenset({OrderStatus.PAID, OrderStatus.PARTIALLY_REFUNDED, OrderStatus.REFUNDED})


class IllegalTransition(DomainError):
    def __init__(self, order: PaymentOrder, to: str):
        super().__init__(
            _("支付订单状态不能从 %(a)s 变为 %(b)s。") % {"a": order.status, "b": to},
            code="illegal_transition",
            status_code=409,
        )


class Mismatch(Exception):
    """What the gateway reported does not fit the order (amount, merchant, order number): refused."""


def locked(order_id: int) -> PaymentOrder:
    return PaymentOrder.objects.select_for_update().get(pk=order_id)


@action
def transition(
    order: PaymentOrder,
    to: str,
    *,
    source: str,
    evidence: Mapping[str, Any],
    actor: Any = None,
    **changes: Any,
) -> PaymentOrder:
    """Move a locked order along one of TRANSITIONS, with its evidence and an audit row."""
    if (order.status, to) not in TRANSITIONS:
        raise IllegalTransition(order, to)
    if (order.status, to) == (OrderStatus.CLOSED, OrderStatus.PAID) and (
        source != "reconciliation" or "trade_bill" not in evidence
    ):
        raise IllegalTransition(order, to)  # only reconciliation's heal, from a trade bill line
    before = order.status
    # The event first: the database's transition rule may ask for it (closed → paid, migration 0008).
    PaymentEvent.objects.create(order=order, from_status=before, to_status=to, source=source, evidence=dict(evidence))
    order.status = to
    for name, value in changes.items():
        setattr(order, name, value)
    order.save()
    if to not in HOLDING:
        PaymentOrderLine.objects.filter(order=order, holds=True).update(holds=False)
    account_services.record_audit(
        actor=actor,
        action=f"payment_order.{to}",
        object_type="paymentorder",
        object_id=order.pk,
        before={"status": before},
        after={"status": to, "source": source, "out_trade_no": order.out_trade_no},
    )
    return order


def check_report(order: PaymentOrder, state: GatewayState, *, merchant: Mapping[str, str]) -> None:
    """Refuse a report about another order, another merchant or another amount."""
    if state.state == "unknown":
        return  # the gateway has no such order: nothing it says can credit anything
    if state.out_trade_no != order.out_trade_no:
        raise Mismatch("out_trade_no differs")
    for key, expected in merchant.items():
        if state.merchant.get(key) != expected:
            raise Mismatch(f"{key} differs")
    if state.state == "paid" and state.amount_fen != order.amount_fen:
        raise Mismatch(f"amount {state.amount_fen} fen, order {order.amount_fen} fen")


@action
def settle(
    *,
    order_id: int,
    state: GatewayState,
    merchant: Mapping[str, str],
    source: str,
    method: str,
    evidence: Mapping[str, Any] | None = None,
) -> PaymentOrder:
    """Act on what the gateway says of an order (a verified notification or a query's answer).
    `merchant`: the merchant ids the money must have been paid to; `evidence`: what to keep (the
    whole notification; the query's answer by default). Raises Mismatch (nothing written)."""
    order = locked(order_id)
    check_report(order, state, merchant=merchant)
    evidence = dict(evidence if evidence is not None else state.raw)
    if state.state == "paid":
        if order.status in PAID_STATES:
            return order  # a duplicate, a retry, or the query after the notification: done already
        if order.status in (OrderStatus.CLOSED, OrderStatus.FAILED):
            # The provider refuses to take money for a closed order; if it ever says otherwise it is
            # for reconciliation to find, never credited silently.
            logger.error("payment %s reported paid while %s: not credited", order.out_trade_no, order.status)
            return order
        if order.status == OrderStatus.CREATED:
            transition(order, OrderStatus.PENDING, source=source, evidence=evidence)
        transition(
            order,
            OrderStatus.PAID,
            source=source,
            evidence=evidence,
            gateway_reference=state.reference,
            paid_at=state.paid_at or timezone.now(),
            payer_account=state.payer_account or order.payer_account,
        )
        _credit(order, method=method)
        return order
    if state.state in ("closed", "failed", "unknown") and order.status in (OrderStatus.CREATED, OrderStatus.PENDING):
        to = (
            OrderStatus.CLOSED
            if state.state == "closed" and order.status == OrderStatus.PENDING
            else OrderStatus.FAILED
        )
        transition(order, to, source=source, evidence=evidence or {"gateway": "no such order"})
    return order


@action
def settle_from_bill(*, order_id: int, row: BillRow, method: str) -> PaymentOrder:
    """Reconciliation's heal of an order the sweeper closed (expired, no notification) that the
    provider's trade bill shows paid: closed → paid with the bill line as evidence (the database
    refuses the move without it), credited as a notification would be — exactly once: a second run
    finds it paid. `row` comes from a bill already checked to be this merchant's. Raises Mismatch
    (nothing written) for a line of another order, not SUCCESS, or at another amount."""
    order = locked(order_id)
    if order.status != OrderStatus.CLOSED:
        return order  # healed already, or never closed: nothing for the bill to do
    if row.kind != "payment" or row.out_trade_no != order.out_trade_no:
        raise Mismatch("the bill line is about another order")
    if row.trade_state != "SUCCESS":
        raise Mismatch(f"the bill line is {row.trade_state}")
    if row.amount != order.amount:
        raise Mismatch(f"billed {row.amount}, order {order.amount}")
    line = {
        "out_trade_no": row.out_trade_no,
        "trade_state": row.trade_state,
        "amount": str(row.amount),
        "reference": row.reference,
        "at": row.at.isoformat() if row.at else "",
        "line": dict(row.raw),
    }
    transition(
        order,
        OrderStatus.PAID,
        source="reconciliation",
        evidence={"trade_bill": line},
        gateway_reference=row.reference or order.gateway_reference,
        paid_at=row.at or timezone.now(),
    )
    _credit(order, method=method)
    return order


def _credit(order: PaymentOrder, *, method: str) -> None:
    """Hand the money to the purpose, in this transaction; a lost race becomes a refund."""
    items = tuple(order.lines.order_by("id").values_list("item_id", flat=True))
    request = bridge.AllocationRequest(
        payer_id=order.payer_id,
        amount=order.amount,
        item_ids=items,
        method=method,
        idempotency_key=f"pay:{order.out_trade_no}",
        reference=order.gateway_reference,
        received_at=order.paid_at or timezone.now(),
    )
    try:
        reference = bridge.payable(order.purpose).allocate(request)
    except bridge.ItemsTaken:
        from payments.services import refunds  # the refund path builds on this module

        order.settlement = Settlement.REFUND_DUE
        order.save(update_fields=["settlement", "updated_at"])
        refunds.request_refund(order, order.amount, refunds.LOST_RACE_REASON, "", source="lost_race")
        account_services.record_audit(
            actor=None,
            action="payment_order.refund_due",
            object_type="paymentorder",
            object_id=order.pk,
            after={"reason": "items paid elsewhere", "amount": str(order.amount)},
        )
        return
    order.settlement = Settlement.ALLOCATED
    order.settled_reference = reference
    order.save(update_fields=["settlement", "settled_reference", "updated_at"])
