"""Stripe's webhooks: verified, applied once, in any order.

One endpoint for the platform's Stripe account: the subscription's events are handled here, the
owners' card payments' (PaymentIntents, their refunds) are verified here and handed to
payments.services.card_events, which routes each to its company.

- Verified by Stripe's own `construct_event` (v1 HMAC over "t.body", 300 s tolerance); anything
  else is refused with a 400 and logged, and changes nothing.
- Applied once: the event's id goes into StripeEvent (unique) in the same transaction as its
  effect, so a second delivery — even a concurrent one — finds it there and does nothing.
- In any order: an event is a nudge, not the truth. The subscription (and invoice) it names is read
  back from Stripe and our row set to what it says now, so a late `customer.subscription.updated`
  cannot undo a newer payment, and one arriving before `checkout.session.completed` already works.
- Its company is ours to know, not the event's to say: found by the Stripe customer we created for
  it (or the Checkout Session we opened for it). Metadata naming another company is refused.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import stripe
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tenants.utils import schema_context

from accounts import services as account_services
from companies.models import Company, Plan, Subscription
from core.actions import action
from core.errors import DomainError
from payments.services import card_events
from subscriptions import gateway
from subscriptions.models import CheckoutRequest, CheckoutStatus, InvoiceStatus, StripeEvent, SubscriptionInvoice
from subscriptions.services import lifecycle, limits

logger = logging.getLogger(__name__)

HANDLED = frozenset(
    {
        "checkout.session.completed",
        "customer.subscription.created",
        "customer.subscription.updated",
        "customer.subscription.deleted",
        "invoice.paid",
        "invoice.payment_failed",
    }
)
ZERO_DECIMAL_CURRENCIES = frozenset({"jpy", "krw", "vnd", "clp", "pyg", "xaf", "xof", "ugx", "rwf", "mga", "kmf"})


def _refused() -> DomainError:
    return DomainError(_("签名无效。"), code="bad_signature")


def receive(*, payload: bytes, signature: str | None) -> str:
    """Handle one delivery; returns what it did (for the log). Raises DomainError when unverified."""
    try:
        gateway.construct_event(payload, signature)
    except (stripe.SignatureVerificationError, ValueError) as exc:
        logger.warning("stripe webhook refused: %s", exc)
        raise _refused() from exc
    event: dict[str, Any] = json.loads(payload)  # the body just verified, as plain data
    if event.get("type") in card_events.HANDLED:  # an owner's card payment: its company's business
        return card_events.receive(event)
    if event.get("type") not in HANDLED:
        return _record(event=event, company=None, outcome="ignored: not a type we handle")
    if StripeEvent.objects.filter(event_id=event["id"]).exists():
        return "duplicate"
    company, current, invoice, problem = _resolve(event)
    if problem:
        logger.warning("stripe event %s (%s) not applied: %s", event["id"], event["type"], problem)
        return _record(event=event, company=company, outcome=f"ignored: {problem}")
    return _record(event=event, company=company, current=current, invoice=invoice)


def _stripe_object(event: dict[str, Any]) -> dict[str, Any]:
    return dict(event.get("data", {}).get("object") or {})


def _retrieve(kind: str, object_id: str) -> dict[str, Any]:
    client = gateway.client()
    if kind == "subscription":
        found: Any = gateway.call(client.v1.subscriptions.retrieve, object_id)
    else:
        found = gateway.call(client.v1.invoices.retrieve, object_id)
    return dict(found.to_dict())


def _invoice_subscription(invoice: dict[str, Any]) -> str:
    parent = invoice.get("parent") or {}
    details = parent.get("subscription_details") or {}
    return str(details.get("subscription") or invoice.get("subscription") or "")


def _resolve(
    event: dict[str, Any],
) -> tuple[Company | None, dict[str, Any] | None, dict[str, Any] | None, str]:
    """(company, the subscription as Stripe has it now, the invoice now, why not to apply it)."""
    obj = _stripe_object(event)
    kind = event["type"]
    invoice = None
    company: Company | None
    if kind == "checkout.session.completed":
        request = CheckoutRequest.objects.select_related("company").filter(stripe_session_id=obj.get("id")).first()
        if request is None:
            return None, None, None, "a Checkout Session we did not open"
        company = request.company
        claimed = {str(obj.get("client_reference_id") or ""), _claimed_company(obj)} - {""}
        if claimed - {str(company.pk)}:
            return company, None, None, "the session names another company"
        subscription_id = str(obj.get("subscription") or "")
    else:
        if kind.startswith("invoice."):
            invoice = _retrieve("invoice", str(obj["id"]))
            subscription_id = _invoice_subscription(invoice)
            customer = str(invoice.get("customer") or "")
        else:
            subscription_id = str(obj["id"])
            customer = str(obj.get("customer") or "")
        company = _company_of_customer(customer)
        if company is None:
            return None, None, None, "a customer that is no company's"
    if not subscription_id:
        return company, None, invoice, "no subscription"
    current = _retrieve("subscription", subscription_id)
    claimed = {_claimed_company(current), _claimed_company(obj)} - {""}
    if current.get("customer") and _company_of_customer(str(current["customer"])) != company:
        return company, None, None, "the subscription belongs to another customer"
    if claimed - {str(company.pk)}:
        return company, None, None, "the metadata names another company"
    return company, current, invoice, ""


def _claimed_company(obj: dict[str, Any]) -> str:
    return str((obj.get("metadata") or {}).get(gateway.COMPANY_KEY) or "")


def _company_of_customer(customer: str) -> Company | None:
    if not customer:
        return None
    row = Subscription.objects.select_related("company").filter(stripe_customer_id=customer).first()
    return row.company if row else None


@action
def _record(
    *,
    event: dict[str, Any],
    company: Company | None,
    outcome: str = "",
    current: dict[str, Any] | None = None,
    invoice: dict[str, Any] | None = None,
) -> str:
    try:
        with transaction.atomic():  # a savepoint: a second delivery is an answer, not a broken transaction
            row = StripeEvent.objects.create(
                event_id=event["id"],
                type=event["type"],
                company=company,
                stripe_created=_time(event.get("created")),
            )
    except IntegrityError:
        return "duplicate"
    if company is not None and current is not None:
        outcome = _apply(event, company, current, invoice)
    row.outcome = outcome[:200]
    row.save(update_fields=["outcome"])
    account_services.record_audit(
        actor=None,
        action="stripe.event",
        object_type="stripe_event",
        object_id=event["id"],
        after={"type": event["type"], "company": company.slug if company else None, "outcome": row.outcome},
    )
    return row.outcome


def _apply(event: dict[str, Any], company: Company, current: dict[str, Any], invoice: dict[str, Any] | None) -> str:
    if event["type"] == "checkout.session.completed":
        CheckoutRequest.objects.filter(stripe_session_id=_stripe_object(event)["id"]).exclude(
            status=CheckoutStatus.COMPLETED
        ).update(status=CheckoutStatus.COMPLETED, completed_at=timezone.now())
    if invoice is not None:
        _keep_invoice(company, invoice, failed=event["type"] == "invoice.payment_failed")
    plan = _plan_of(current)
    outcome = lifecycle.apply_stripe_subscription(company=company, current=current, plan=plan)
    if plan is not None and _outgrown(company, plan):
        # Changed on Stripe's side (its dashboard): the company keeps its data, adds nothing past the
        # limits (limits.hold) and sees its usage over them on its subscription page.
        logger.warning("company %s is over the limits of its plan %s", company.slug, plan.code)
        outcome += " (usage over the plan's limits)"
    return outcome


def _outgrown(company: Company, plan: Plan) -> bool:
    with schema_context(company.schema_name):
        return bool(limits.fits(plan))


def _plan_of(current: dict[str, Any]) -> Plan | None:
    items = (current.get("items") or {}).get("data") or []
    price = ((items[0].get("price") or {}).get("id") if items else None) or ""
    plan = Plan.objects.filter(stripe_price_id=price).first() if price else None
    if price and plan is None:
        logger.warning("stripe price %s is no plan's; the company's plan is left as it is", price)
    return plan


def _money(amount: Any, currency: str) -> Decimal:
    value = Decimal(int(amount or 0))
    return value if currency in ZERO_DECIMAL_CURRENCIES else (value / 100).quantize(Decimal("0.01"))


def _time(stamp: Any) -> datetime | None:
    return datetime.fromtimestamp(int(stamp), tz=UTC) if stamp else None


def _keep_invoice(company: Company, invoice: dict[str, Any], *, failed: bool) -> None:
    currency = str(invoice.get("currency") or "cny").lower()
    status = {"paid": InvoiceStatus.PAID, "void": InvoiceStatus.VOID, "uncollectible": InvoiceStatus.FAILED}.get(
        str(invoice.get("status")), InvoiceStatus.FAILED if failed else InvoiceStatus.OPEN
    )
    SubscriptionInvoice.objects.update_or_create(
        stripe_invoice_id=invoice["id"],
        defaults={
            "company": company,
            "number": str(invoice.get("number") or ""),
            "status": status,
            "currency": currency,
            "amount_due": _money(invoice.get("amount_due"), currency),
            "amount_paid": _money(invoice.get("amount_paid"), currency),
            "period_start": _time(invoice.get("period_start")),
            "period_end": _time(invoice.get("period_end")),
            "hosted_invoice_url": str(invoice.get("hosted_invoice_url") or ""),
            "issued_at": _time(invoice.get("created")) or timezone.now(),
        },
    )
