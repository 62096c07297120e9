"""Stripe's card-payment events, routed from the platform's one webhook (public host) to the company
whose payment they are about, and applied there once, in any order.

subscriptions.services.webhooks verifies every delivery (one verification for the whole account)
and hands the events named in HANDLED here. Then:
- Read back: the event names a PaymentIntent (itself, or a charge's or refund's); the intent is
  retrieved and its state *now* is what is acted on — a late `payment_failed` finds it succeeded,
  a `succeeded` that outran nothing is simply applied.
- Routed by the intent's metadata: the company (schema and id, both must name the same company in
  the public registry), entered with tenant_context; there the out_trade_no must be one of its Stripe
  orders and the order's PaymentIntent the one named. An event whose own metadata names another
  company than its intent is refused. `orders.settle` checks the metadata against this company again.
- Once: the event id goes into GatewayEvent in the company's schema, in the same transaction as the
  settlement or refund it causes.
Refused events answer 400 and change nothing (Stripe retries them; they stay refused); Stripe
unreachable answers 503 (Stripe retries, and it is asked again).
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import IntegrityError, transaction
from django_tenants.utils import get_public_schema_name, tenant_context

from accounts import services as account_services
from companies.models import Company
from core import text
from core.actions import action
from payments import gateways
from payments.gateways import GatewayState, RefundState
from payments.gateways import stripe as card
from payments.models import GatewayEvent, PaymentOrder, PaymentRefund
from payments.services import orders
from payments.services import refunds as refund_service
from payments.services.notifications import Refused

logger = logging.getLogger(__name__)
HANDLED = card.PAYMENT_EVENTS | card.REFUND_EVENTS


def _refuse(status: int, reason: str) -> Refused:
    logger.warning("stripe card event refused (%s): %s", status, reason)
    return Refused(status, reason)


def receive(event: dict[str, Any]) -> str:
    """One verified event of HANDLED's types; returns what it did. Raises Refused or GatewayError."""
    try:
        gateway = gateways.get("stripe")
    except gateways.GatewayError as exc:
        raise _refuse(400, f"card payments are off: {exc}") from exc
    assert isinstance(gateway, card.StripeGateway)
    intent_id = card.intent_of(event)
    if not intent_id:
        raise _refuse(400, f"{event.get('type')} names no PaymentIntent")
    current = gateway.retrieve_intent(intent_id)
    claimed = card.claimed_merchant((event.get("data") or {}).get("object") or {})
    if any(value and value != current.merchant[key] for key, value in claimed.items()):
        raise _refuse(400, f"{event.get('id')}: its metadata names another company than its PaymentIntent")
    company = _company(current.merchant)
    if company is None:
        raise _refuse(400, f"{intent_id}: its metadata names no company")
    with tenant_context(company):
        return _receive_in_company(event, gateway, current, company)


def _company(merchant: dict[str, str] | Any) -> Company | None:
    schema, company_id = merchant.get("company_schema", ""), merchant.get("company_id", "")
    if not schema or not text.is_ascii_digits(company_id) or schema == get_public_schema_name():
        return None
    return Company.objects.filter(schema_name=schema, pk=int(company_id)).first()


def _receive_in_company(event: dict[str, Any], gateway: card.StripeGateway, current: GatewayState, company: Any) -> str:
    if GatewayEvent.objects.filter(gateway=gateway.name, event_id=str(event["id"])).exists():
        return "duplicate"
    order = PaymentOrder.objects.filter(out_trade_no=current.out_trade_no, gateway=gateway.name).first()
    if order is None or not current.out_trade_no:
        raise _refuse(404, f"no card order {current.out_trade_no[:32]!r} in {company.schema_name}")
    if order.prepay_id != current.reference:
        raise _refuse(400, f"{order.out_trade_no} is paid through another PaymentIntent")
    refunds = gateway.refunds(order) if event["type"] in card.REFUND_EVENTS else []
    merchant = gateway.merchant_ids(gateway.merchant_for(company))
    try:
        return _apply(
            event=event, order_id=order.pk, current=current, refunds=refunds, merchant=merchant, method=gateway.method
        )
    except orders.Mismatch as exc:
        raise _refuse(400, f"{order.out_trade_no}: {exc}") from exc


@action
def _apply(
    *,
    event: dict[str, Any],
    order_id: int,
    current: GatewayState,
    refunds: list[RefundState],
    merchant: dict[str, str],
    method: str,
) -> str:
    try:
        with transaction.atomic():  # a savepoint: a concurrent second delivery is an answer, not an error
            row = GatewayEvent.objects.create(
                gateway="stripe", event_id=str(event["id"]), type=str(event["type"]), order_id=order_id
            )
    except IntegrityError:
        return "duplicate"
    evidence = {"event": event.get("id"), "type": event.get("type"), "payment_intent": dict(current.raw)}
    order = orders.settle(
        order_id=order_id, state=current, merchant=merchant, source="notification", method=method, evidence=evidence
    )
    for state in refunds:
        if state.state not in refund_service.ENDS:
            continue  # still processing: a later event (or the refund sweeper) ends it
        refund = PaymentRefund.objects.filter(order_id=order_id, out_refund_no=state.out_refund_no).first()
        if refund is None:
            continue  # a refund made elsewhere (Stripe's dashboard): reconciliation reports it
        refund_service.settle(
            refund_id=refund.pk,
            state=state,
            source="notification",
            merchant=merchant,
            evidence={"event": event.get("id"), "refund": dict(state.raw)},
        )
    order = PaymentOrder.objects.get(pk=order_id)
    row.outcome = f"order {order.status}"
    row.save(update_fields=["outcome"])
    account_services.record_audit(
        actor=None,
        action="payment_order.gateway_event",
        object_type="paymentorder",
        object_id=order_id,
        after={"event": row.event_id, "type": row.type, "status": order.status},
    )
    return row.outcome
