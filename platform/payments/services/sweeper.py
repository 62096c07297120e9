"""Settling what no notification settled.

`sweep` (beat, in every company): every live order older than a minute is asked about at its
gateway; paid ones are settled exactly as a notification would (orders.settle: once, under the
lock), the gateway's unknown ones fail, and pending ones past their expiry are closed. Running it
twice, or beside a notification, changes nothing the first did not.
Refunds still processing are swept by payments.services.refunds.sweep.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from django.utils import timezone

from companies.models import Company
from core.db import current_schema
from payments import gateways
from payments.gateways import GatewayError
from payments.models import OrderStatus, PaymentOrder
from payments.services import orders
from payments.services.checkout import close_attempt, expected_merchant, merchant_of

logger = logging.getLogger(__name__)
GRACE = timedelta(minutes=1)  # a notification usually arrives within seconds
BATCH = 200


def current_company() -> Any:
    return Company.objects.get(schema_name=current_schema())


def sweep(*, now: Any = None) -> dict[str, int]:
    now = now or timezone.now()
    company = current_company()
    counts = {"asked": 0, "paid": 0, "closed": 0, "failed": 0, "errors": 0}
    live = PaymentOrder.objects.filter(
        status__in=[OrderStatus.CREATED, OrderStatus.PENDING], created_at__lt=now - GRACE
    ).order_by("created_at")[:BATCH]
    for order in live:
        counts["asked"] += 1
        try:
            outcome = ask_gateway(order, company=company, now=now)
        except (GatewayError, orders.Mismatch, Exception) as exc:  # one bad order never stops the sweep
            counts["errors"] += 1
            logger.warning("sweeping %s failed: %s", order.out_trade_no, exc)
            continue
        if outcome in counts:
            counts[outcome] += 1
    return counts


def settle_by_query(order: PaymentOrder, *, company: Any, source: str = "sweeper") -> PaymentOrder:
    """Ask the gateway about one order and act on its answer exactly as on a notification (also
    reconciliation's way to heal an order the bill shows paid)."""
    gateway = gateways.get(order.gateway)
    merchant = merchant_of(order.gateway, company)
    state = gateway.query(order, merchant=merchant)
    return orders.settle(
        order_id=order.pk,
        state=state,
        merchant=expected_merchant(order.gateway, merchant),
        source=source,
        method=gateway.method,
    )


def ask_gateway(order: PaymentOrder, *, company: Any, now: Any, source: str = "sweeper") -> str:
    """Settle one order by query, then fail or close it as its answer and expiry say. The sweeper's
    step, and staff's "query now" (payments.services.staff): what one call did, a second finds done.
    Returns the outcome."""
    settled = settle_by_query(order, company=company, source=source)
    if settled.status in orders.PAID_STATES:
        return "paid"
    if settled.status in (OrderStatus.CLOSED, OrderStatus.FAILED):
        return str(settled.status)
    if settled.expires_at < now:
        try:
            closed = close_attempt(settled, company=company, source=source)
        except orders.IllegalTransition:
            return "pending"
        return str(closed.status)
    return "pending"
