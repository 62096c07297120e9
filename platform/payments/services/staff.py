"""What company staff do to an order from the 在线支付 page: ask the gateway now (the sweeper's own
step, so an order is settled exactly as a notification or the sweeper would settle it) and close a
pending attempt (checkout's close_attempt: at the gateway first, then here). Each request leaves an
audit row naming who asked and what came of it; asking twice changes nothing the first did not."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import services as account_services
from core.actions import action
from core.errors import DomainError, NotFound
from payments.gateways import GatewayError
from payments.models import HOLDING, OrderStatus, PaymentOrder
from payments.services import orders
from payments.services.checkout import AlreadyPaid, close_attempt
from payments.services.sweeper import ask_gateway

STAFF_SOURCE = "staff"


def _order(order_id: int) -> PaymentOrder:
    order = PaymentOrder.objects.filter(pk=order_id).first()
    if order is None:
        raise NotFound()
    return order


def _unavailable(exc: Exception) -> DomainError:
    return DomainError(_("支付服务暂时不可用，请稍后再试。"), code="gateway_unavailable", status_code=503)


def query_now(*, order_id: int, company: Any, actor: Any) -> PaymentOrder:
    """查询支付结果: a live order is asked about at its gateway and settled by what it says; an order
    already past that (paid, closed, failed, refunded) is left as it is. Returns the order now."""
    order = _order(order_id)
    before = order.status
    outcome = "unchanged"
    if order.status in HOLDING:
        try:
            outcome = ask_gateway(order, company=company, now=timezone.now(), source=STAFF_SOURCE)
        except GatewayError as exc:
            raise _unavailable(exc) from exc
        except orders.Mismatch as exc:
            _noted(order_id=order.pk, actor=actor, what="query", before=before, outcome=f"mismatch: {exc}")
            raise DomainError(
                _("支付渠道的答复与订单不符，已拒绝入账，请联系平台核查。"), code="gateway_mismatch", status_code=409
            ) from exc
    return _noted(order_id=order.pk, actor=actor, what="query", before=before, outcome=outcome)


def close_order(*, order_id: int, company: Any, actor: Any) -> PaymentOrder:
    """关闭订单: a created or pending order is closed at the gateway, then here (an order the gateway
    says was paid meanwhile is settled instead, and AlreadyPaid raised). Closing a closed or failed
    order again is a no-op; a paid one cannot be closed."""
    order = _order(order_id)
    before = order.status
    if order.status in (OrderStatus.CLOSED, OrderStatus.FAILED):
        return _noted(order_id=order.pk, actor=actor, what="close", before=before, outcome="unchanged")
    if order.status not in HOLDING:
        raise DomainError(_("该订单已支付，不能关闭；如需退款请走退款流程。"), code="order_not_open", status_code=409)
    try:
        closed = close_attempt(order, company=company, source=STAFF_SOURCE)
    except AlreadyPaid:
        _noted(order_id=order.pk, actor=actor, what="close", before=before, outcome="paid")
        raise
    except GatewayError as exc:
        raise _unavailable(exc) from exc
    return _noted(order_id=closed.pk, actor=actor, what="close", before=before, outcome=str(closed.status))


@action
def _noted(*, order_id: int, actor: Any, what: str, before: str, outcome: str) -> PaymentOrder:
    order = PaymentOrder.objects.get(pk=order_id)
    account_services.record_audit(
        actor=actor,
        action=f"payment_order.staff_{what}",
        object_type="paymentorder",
        object_id=order.pk,
        before={"status": before},
        after={"status": order.status, "outcome": outcome[:200], "out_trade_no": order.out_trade_no},
    )
    return order
