"""A gateway's notification, verified, then acted on — or refused, logged, never credited.

Order of checks: the signature over the raw body and its timestamp (the gateway's public key named
by its serial), decryption with the API v3 key, the event type, the merchant (the platform's
sp_mchid and THIS company's sub_mchid), the order (its out_trade_no must be one of this company's),
then — under the order's lock in `orders.settle` (a refund: `refunds.settle`, by its out_refund_no)
— the amount. Anything failing is `Refused`, with a reason code the endpoint keeps
(payments.services.refused).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from payments import gateways
from payments.gateways import GatewayError, Notification, VerificationFailed
from payments.models import PaymentOrder, PaymentRefund
from payments.services import orders, refunds
from payments.services.checkout import expected_merchant, merchant_of

logger = logging.getLogger(__name__)


class Refused(Exception):
    """`reason`: a code kept with the refused notification (payments.services.refused); `detail`: logged."""

    def __init__(self, status: int, reason: str, detail: str = ""):
        super().__init__(f"{reason}: {detail}")
        self.status = status
        self.reason = reason
        self.detail = detail


def handle(*, gateway_name: str, company: Any, headers: Mapping[str, str], body: bytes) -> Notification:
    try:
        gateway = gateways.get(gateway_name)
    except GatewayError as exc:  # this deployment takes no such payments
        raise _refuse(400, "gateway_unavailable", str(exc)) from exc
    try:
        note = gateway.parse_notification(headers, body)
    except VerificationFailed as exc:
        raise _refuse(401, "bad_signature", str(exc)) from exc
    try:
        merchant = expected_merchant(gateway_name, merchant_of(gateway_name, company))
    except Exception as exc:  # this company takes no such payments: nothing here can be theirs
        raise _refuse(400, "merchant_not_configured", str(exc)) from exc
    report = note.payment or note.refund
    if report is None:
        logger.info("%s notification %s (%s) ignored", gateway_name, note.event_id, note.raw.get("event_type"))
        return note
    order = PaymentOrder.objects.filter(out_trade_no=report.out_trade_no, gateway=gateway_name).first()
    if order is None:
        raise _refuse(404, "unknown_order", f"no order {report.out_trade_no[:32]!r} in this company")
    try:
        if note.payment is not None:
            if note.payment.state != "paid":
                raise _refuse(400, "not_paid", f"transaction notification in state {note.payment.state}")
            orders.settle(
                order_id=order.pk,
                state=note.payment,
                merchant=merchant,
                source="notification",
                method=gateway.method,
                evidence=note.raw,
            )
        elif note.refund is not None:
            refund = PaymentRefund.objects.filter(order=order, out_refund_no=note.refund.out_refund_no).first()
            if refund is None:
                raise _refuse(404, "unknown_refund", f"no refund {note.refund.out_refund_no[:64]!r} of {order.pk}")
            if note.refund.state not in ("refunded", "failed", "closed"):
                raise _refuse(400, "mismatch", f"refund notification {note.event} in state {note.refund.state}")
            refunds.settle(
                refund_id=refund.pk, state=note.refund, source="notification", merchant=merchant, evidence=note.raw
            )
    except orders.Mismatch as exc:
        raise _refuse(400, "mismatch", f"{order.out_trade_no}: {exc}") from exc
    return note


def _refuse(status: int, reason: str, detail: str) -> Refused:
    logger.warning("payment notification refused (%s %s): %s", status, reason, detail)
    return Refused(status, reason, detail)
