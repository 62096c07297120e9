"""A gateway's notification, verified, then acted on — or refused, logged, never credited.

Order of checks: the signature over the raw body and its timestamp (the gateway's public key named
by its serial), decryption with the API v3 key, the event type, the merchant (the platform's
sp_mchid and THIS company's sub_mchid), the order (its out_trade_no must be one of this company's),
then — under the order's lock in `orders.settle` — the amount. Anything failing is `Refused`.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from payments import gateways
from payments.gateways import GatewayError, Notification, VerificationFailed
from payments.models import PaymentOrder
from payments.services import orders
from payments.services.checkout import expected_merchant, merchant_of

logger = logging.getLogger(__name__)


class Refused(Exception):
    def __init__(self, status: int, reason: str):
        super().__init__(reason)
        self.status = status
        self.reason = reason


def handle(*, gateway_name: str, company: Any, headers: Mapping[str, str], body: bytes) -> Notification:
    try:
        gateway = gateways.get(gateway_name)
    except GatewayError as exc:  # this deployment takes no such payments
        raise _refuse(400, f"gateway {gateway_name} unavailable: {exc}") from exc
    try:
        note = gateway.parse_notification(headers, body)
    except VerificationFailed as exc:
        raise _refuse(401, f"verification failed: {exc}") from exc
    try:
        merchant = expected_merchant(gateway_name, merchant_of(gateway_name, company))
    except Exception as exc:  # this company takes no such payments: nothing here can be theirs
        raise _refuse(400, "merchant not configured") from exc
    report = note.payment or note.refund
    if report is None:
        logger.info("%s notification %s (%s) ignored", gateway_name, note.event_id, note.raw.get("event_type"))
        return note
    order = PaymentOrder.objects.filter(out_trade_no=report.out_trade_no, gateway=gateway_name).first()
    if order is None:
        raise _refuse(404, f"no order {report.out_trade_no[:32]!r} in this company")
    try:
        if note.payment is not None:
            if note.payment.state != "paid":
                raise _refuse(400, f"transaction notification in state {note.payment.state}")
            orders.settle(
                order_id=order.pk,
                state=note.payment,
                merchant=merchant,
                source="notification",
                method=gateway.method,
                evidence=note.raw,
            )
        elif note.refund is not None and note.event == "refund.success":
            for key, value in merchant.items():
                if note.refund.merchant.get(key) not in (value, ""):  # refund answers omit sp_mchid
                    raise orders.Mismatch(f"{key} differs")
            if not note.refund.merchant.get("sub_mchid"):
                raise orders.Mismatch("no sub_mchid")
            orders.apply_refund(
                order_id=order.pk,
                out_refund_no=note.refund.out_refund_no,
                amount_fen=note.refund.amount_fen,
                reference=note.refund.reference,
                source="notification",
                evidence=dict(note.raw),
            )
        else:
            logger.warning(
                "%s refund notification %s for %s: %s", gateway_name, note.event_id, order.out_trade_no, note.event
            )
    except orders.Mismatch as exc:
        raise _refuse(400, f"{order.out_trade_no}: {exc}") from exc
    return note


def _refuse(status: int, reason: str) -> Refused:
    logger.warning("payment notification refused (%s): %s", status, reason)
    return Refused(status, reason)
