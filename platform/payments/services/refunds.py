"""Refunds to the original channel (原路退款), exactly once — the one path every refund takes.

1. `request_refund` (inside the caller's transaction: billing's approval, or `settle` when the cash
   desk won the race) stores a PaymentRefund with its own `out_refund_no`, under the order's row lock
   and within what the order has left (a trigger holds the same bound), and emits `payments.refund`.
2. `send` (the outbox task) asks the gateway to refund; asking again with the same number is the
   same refund, so a retry or the sweeper sending it again moves no more money. A definite refusal
   fails the refund; an unreachable gateway is asked again.
3. `settle` ends it from what the gateway says — its answer, a verified notification or a query
   (the sweeper) — once: the first end wins, duplicates and late notifications change nothing.
   A refunded refund adds to the order's `refunded_amount` (paid → partially_refunded → refunded);
   the purpose that asked hears the end through its bridge listener, in the same transaction.
A failed or closed refund holds no money: the purpose may ask again (a new number).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import services as account_services
from core.actions import action, emit
from core.errors import DomainError
from payments import bridge, gateways
from payments.gateways import GatewayError, RefundState
from payments.models import (
    REFUND_LIVE,
    REFUND_TRANSITIONS,
    OrderStatus,
    PaymentEvent,
    PaymentOrder,
    PaymentRefund,
    PaymentRefundEvent,
    RefundSource,
    RefundStatus,
)
from payments.services import orders, watch
from payments.services.checkout import expected_merchant, merchant_of
from payments.services.sweeper import current_company

logger = logging.getLogger(__name__)
TOPIC = orders.TOPIC_REFUND
GRACE = timedelta(minutes=1)
BATCH = 200
ENDS = {"refunded": RefundStatus.REFUNDED, "failed": RefundStatus.FAILED, "closed": RefundStatus.CLOSED}
LOST_RACE_REASON = "费用已在其他渠道缴清，原路退回"


class RefundExceeds(DomainError):
    def __init__(self, left: Decimal):
        super().__init__(
            _("退款金额超过该笔支付可退金额（%(left)s 元）。") % {"left": left},
            code="refund_exceeds",
            status_code=409,
        )


class NotRefundable(DomainError):
    def __init__(self) -> None:
        super().__init__(
            _("该支付订单未支付或已全额退款，不能原路退款。"), code="order_not_refundable", status_code=409
        )


def live_total(order: PaymentOrder) -> Decimal:
    total = PaymentRefund.objects.filter(order=order, status__in=REFUND_LIVE).aggregate(t=Sum("amount"))["t"]
    return total or Decimal("0.00")


def refunded_total(order: PaymentOrder) -> Decimal:
    total = PaymentRefund.objects.filter(order=order, status=RefundStatus.REFUNDED).aggregate(t=Sum("amount"))["t"]
    return total or Decimal("0.00")


@action
def request_refund(
    order: PaymentOrder,
    amount: Decimal,
    reason: str,
    purpose_reference: str,
    *,
    source: str = RefundSource.PURPOSE,
    actor: Any = None,
) -> PaymentRefund:
    """Refund `amount` of a paid order to where it came from. Asking again for the same purpose
    reference while its refund is live returns that refund. Raises RefundExceeds / NotRefundable."""
    order = orders.locked(order.pk)
    if source == RefundSource.LOST_RACE:
        purpose_reference = ""
    elif not purpose_reference:
        raise ValueError("a purpose's refund names its reference")
    existing = PaymentRefund.objects.filter(
        order=order, source=source, purpose_reference=purpose_reference, status__in=REFUND_LIVE
    ).first()
    if existing is not None:
        return existing
    if order.status not in (OrderStatus.PAID, OrderStatus.PARTIALLY_REFUNDED):
        raise NotRefundable()
    amount = Decimal(amount)
    if amount <= 0 or amount != amount.quantize(Decimal("0.01")):
        raise ValueError(f"refund amount {amount} is not a positive amount in fen")
    left = order.amount - live_total(order)
    if amount > left:
        raise RefundExceeds(left)
    number = PaymentRefund.objects.filter(order=order).count() + 1
    refund = PaymentRefund.objects.create(
        order=order,
        out_refund_no=f"R{order.out_trade_no}-{number}",
        amount=amount,
        reason=(reason or LOST_RACE_REASON)[:80],
        source=source,
        purpose_reference=purpose_reference,
    )
    watch.watch_after_commit()
    PaymentRefundEvent.objects.create(
        refund=refund,
        from_status="",
        to_status=RefundStatus.PROCESSING,
        source="api",
        evidence={"amount": str(amount), "reason": refund.reason, "purpose_reference": purpose_reference},
    )
    emit(TOPIC, {"refund_id": refund.pk}, key=f"payments.refund:{refund.pk}")
    account_services.record_audit(
        actor=actor,
        action="payment_refund.requested",
        object_type="paymentrefund",
        object_id=refund.pk,
        after={"order": order.out_trade_no, "out_refund_no": refund.out_refund_no, "amount": str(amount)},
    )
    return refund


def send(*, refund_id: int) -> str:
    """The outbox task (and the sweeper's resend): ask the gateway; safe to run twice."""
    refund = PaymentRefund.objects.select_related("order").get(pk=refund_id)
    if refund.status != RefundStatus.PROCESSING:
        return str(refund.status)
    order = refund.order
    gateway = gateways.get(order.gateway)
    merchant = merchant_of(order.gateway, current_company())
    try:
        state = gateway.refund(
            order,
            merchant=merchant,
            out_refund_no=refund.out_refund_no,
            amount_fen=refund.amount_fen,
            reason=refund.reason,
        )
    except GatewayError as exc:
        if exc.unreachable or exc.status == 429:
            raise  # nobody knows whether it refunded: the outbox asks again (same number)
        state = RefundState(
            state="failed",
            out_refund_no=refund.out_refund_no,
            out_trade_no=order.out_trade_no,
            amount_fen=refund.amount_fen,
            raw={"code": exc.code, "message": exc.message[:200], "status": exc.status},
        )
        return str(settle(refund_id=refund.pk, state=state, source="gateway").status)
    expected = expected_merchant(order.gateway, merchant)
    return str(settle(refund_id=refund.pk, state=state, source="gateway", merchant=expected).status)


def check_report(refund: PaymentRefund, state: RefundState, *, merchant: Mapping[str, str] | None) -> None:
    """Refuse a report about another refund, another order, another merchant or another amount."""
    if state.out_refund_no != refund.out_refund_no:
        raise orders.Mismatch("out_refund_no differs")
    if state.out_trade_no and state.out_trade_no != refund.order.out_trade_no:
        raise orders.Mismatch("out_trade_no differs")
    if merchant is not None and state.state != "unknown":
        for key, value in merchant.items():
            if state.merchant.get(key) not in (value, ""):  # refund answers omit sp_mchid
                raise orders.Mismatch(f"{key} differs")
        if "sub_mchid" in merchant and not state.merchant.get("sub_mchid"):
            raise orders.Mismatch("no sub_mchid")
    if state.state == "refunded" and state.amount_fen != refund.amount_fen:
        raise orders.Mismatch(f"refund of {state.amount_fen} fen, asked {refund.amount_fen} fen")


@action
def settle(
    *,
    refund_id: int,
    state: RefundState,
    source: str,
    merchant: Mapping[str, str] | None = None,
    evidence: Mapping[str, Any] | None = None,
) -> PaymentRefund:
    """`merchant`: the merchant ids a report must carry (None for our own reading of a refusal).
    End a refund from what the gateway says of it (processing and unknown change nothing). The
    first end wins; raises orders.Mismatch (nothing written) for a report that does not fit."""
    order_id = PaymentRefund.objects.values_list("order_id", flat=True).get(pk=refund_id)
    order = orders.locked(order_id)  # the order first, as request_refund takes them
    refund = PaymentRefund.objects.select_for_update().select_related("order").get(pk=refund_id)
    check_report(refund, state, merchant=merchant)
    to = ENDS.get(state.state)
    if to is None:
        return refund  # still processing (or not yet at the gateway): a later answer ends it
    if refund.status != RefundStatus.PROCESSING:
        if refund.status != to:
            logger.warning("refund %s is %s; %s says %s: kept", refund.out_refund_no, refund.status, source, to)
        return refund  # told again, or late: the first end stands
    assert (refund.status, to) in REFUND_TRANSITIONS
    kept = dict(evidence if evidence is not None else state.raw)
    refund.status = to
    refund.gateway_reference = state.reference or refund.gateway_reference
    refund.save(update_fields=["status", "gateway_reference", "updated_at"])
    PaymentRefundEvent.objects.create(
        refund=refund, from_status=RefundStatus.PROCESSING, to_status=to, source=source, evidence=kept
    )
    account_services.record_audit(
        actor=None,
        action=f"payment_refund.{to}",
        object_type="paymentrefund",
        object_id=refund.pk,
        before={"status": RefundStatus.PROCESSING},
        after={"status": to, "source": source, "out_refund_no": refund.out_refund_no},
    )
    if to == RefundStatus.REFUNDED:
        _apply_to_order(order, refund, source=source, evidence=kept)
    if refund.source == RefundSource.PURPOSE:
        listener = bridge.refund_listener(order.purpose)
        if listener is not None:
            listener(purpose_reference=refund.purpose_reference, status=str(to))
    return refund


def _apply_to_order(order: PaymentOrder, refund: PaymentRefund, *, source: str, evidence: Mapping[str, Any]) -> None:
    """The order follows what has been refunded: partially_refunded, then refunded."""
    refunded = refunded_total(order)
    to = OrderStatus.REFUNDED if refunded == order.amount else OrderStatus.PARTIALLY_REFUNDED
    trail = {**evidence, "out_refund_no": refund.out_refund_no, "refund_id": refund.gateway_reference}
    if order.status == to:  # another part of a partial refund: the sum moves, the status stays
        before = order.status
        order.refunded_amount = refunded
        order.save(update_fields=["refunded_amount", "updated_at"])
        PaymentEvent.objects.create(order=order, from_status=before, to_status=to, source=source, evidence=trail)
        return
    orders.transition(order, to, source=source, evidence=trail, refunded_amount=refunded)


def sweep(*, now: Any = None) -> dict[str, int]:
    """Refunds still processing a minute on: asked about by number (sent again when the gateway
    never heard of them — the same number, so never twice), ended as a notification would."""
    now = now or timezone.now()
    counts = {"asked": 0, "refunded": 0, "failed": 0, "closed": 0, "sent": 0, "errors": 0}
    waiting = PaymentRefund.objects.filter(status=RefundStatus.PROCESSING, created_at__lt=now - GRACE).select_related(
        "order"
    )[:BATCH]
    company = current_company() if waiting else None
    for refund in waiting:
        counts["asked"] += 1
        try:
            order = refund.order
            merchant = merchant_of(order.gateway, company)
            state = gateways.get(order.gateway).query_refund(
                order, merchant=merchant, out_refund_no=refund.out_refund_no
            )
            if state.state == "unknown":
                outcome = send(refund_id=refund.pk)
                counts["sent"] += 1
            else:
                expected = expected_merchant(order.gateway, merchant)
                outcome = str(settle(refund_id=refund.pk, state=state, source="sweeper", merchant=expected).status)
        except Exception as exc:  # one bad refund never stops the sweep
            counts["errors"] += 1
            logger.warning("sweeping refund %s failed: %s", refund.out_refund_no, exc)
            continue
        if outcome in counts:
            counts[outcome] += 1
    return counts


def refund_lost_race(*, order_id: int) -> PaymentRefund | None:
    """A message queued before refunds had rows (payload `order_id`): the lost race's refund, asked for
    now (once) and sent."""
    order = PaymentOrder.objects.get(pk=order_id)
    if order.settlement != "refund_due":
        return None
    refund = PaymentRefund.objects.filter(order=order, source=RefundSource.LOST_RACE, status__in=REFUND_LIVE).first()
    if refund is None:
        if order.status != OrderStatus.PAID:
            return None
        refund = request_refund(order, order.amount, LOST_RACE_REASON, "", source=RefundSource.LOST_RACE)
    send(refund_id=refund.pk)
    return refund
