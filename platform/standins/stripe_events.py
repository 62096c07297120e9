"""What happens on the Stripe stand-in's side, for tests and the demo's pages (standins.views) — not
part of Stripe's API: `complete_checkout` (the customer paid on the Checkout page), `fail_renewal`,
`pay_open_invoice`, `cancel`. Each queues the webhook events Stripe would send (take them with
standins.stripe_account.take_events); `signed(event)` signs one the way Stripe does
(Stripe-Signature: t=…,v1=HMAC-SHA256) and `deliveries` as Stripe may deliver them.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
from typing import Any

from standins import stripe
from standins.stripe_account import DEMO_WEBHOOK_SECRET, PREFIX, StripeRefusal, must, new_id, queue_event, save, store
from standins.transport import demo_host

MONTH = 30 * 86400


def _invoice(subscription: dict[str, Any], *, paid: bool) -> dict[str, Any]:
    item = subscription["items"]["data"][0]
    amount = item["price"]["unit_amount"] * item["quantity"]
    invoice = save(
        {
            "id": new_id("in"),
            "object": "invoice",
            "customer": subscription["customer"],
            "number": f"WUYE-{secrets.token_hex(3).upper()}",
            "status": "paid" if paid else "open",
            "currency": item["price"]["currency"],
            "amount_due": amount,
            "amount_paid": amount if paid else 0,
            "amount_remaining": 0 if paid else amount,
            "attempt_count": 1,
            "period_start": item["current_period_start"],
            "period_end": item["current_period_end"],
            "hosted_invoice_url": f"{demo_host()}/_standins/stripe/invoice/",
            "created": int(time.time()),
            "parent": {
                "type": "subscription_details",
                "subscription_details": {"subscription": subscription["id"], "metadata": subscription["metadata"]},
            },
            "livemode": False,
        }
    )
    subscription["latest_invoice"] = invoice["id"]
    return invoice


def complete_checkout(session_id: str) -> dict[str, Any]:
    """The customer paid on the Checkout page: a subscription, its first invoice (paid) and the events
    Stripe sends for them (in Stripe's usual order, which is no promise)."""
    session = must(session_id, "checkout.session")
    if session["status"] != "open":
        raise StripeRefusal(400, "invalid_request_error", "This Checkout Session is no longer open.")
    customer = session["customer"] or stripe.create_customer({})["id"]
    price = must(session["price"], "price")
    now = int(time.time())
    subscription = {
        "id": new_id("sub"),
        "object": "subscription",
        "customer": customer,
        "status": "active",
        "metadata": (session.get("subscription_data") or {}).get("metadata") or {},
        "items": {
            "object": "list",
            "data": [
                {
                    "id": new_id("si"),
                    "object": "subscription_item",
                    "price": price,
                    "quantity": session["quantity"],
                    "current_period_start": now,
                    "current_period_end": now + MONTH,
                }
            ],
        },
        "cancel_at_period_end": False,
        "canceled_at": None,
        "created": now,
        "start_date": now,
        "livemode": False,
    }
    invoice = _invoice(subscription, paid=True)
    save(subscription)
    store().sadd(f"{PREFIX}subs:{customer}", subscription["id"])
    session.update(status="complete", payment_status="paid", customer=customer, subscription=subscription["id"])
    save(session)
    queue_event("customer.subscription.created", subscription)
    queue_event("invoice.paid", invoice)
    queue_event("checkout.session.completed", session)
    return subscription


def fail_renewal(subscription_id: str) -> dict[str, Any]:
    """The next period's charge was declined: an open invoice, the subscription past_due."""
    subscription = must(subscription_id, "subscription")
    item = subscription["items"]["data"][0]
    item["current_period_start"] = item["current_period_end"]
    item["current_period_end"] += MONTH
    invoice = _invoice(subscription, paid=False)
    subscription["status"] = "past_due"
    save(subscription)
    queue_event("invoice.payment_failed", invoice)
    queue_event("customer.subscription.updated", subscription)
    return invoice


def pay_open_invoice(subscription_id: str) -> dict[str, Any]:
    """The card was fixed and the open invoice paid: the subscription is active again."""
    subscription = must(subscription_id, "subscription")
    invoice = must(subscription["latest_invoice"], "invoice")
    invoice.update(status="paid", amount_paid=invoice["amount_due"], amount_remaining=0)
    save(invoice)
    subscription["status"] = "active"
    save(subscription)
    queue_event("invoice.paid", invoice)
    queue_event("customer.subscription.updated", subscription)
    return invoice


def cancel(subscription_id: str) -> dict[str, Any]:
    subscription = must(subscription_id, "subscription")
    subscription.update(status="canceled", canceled_at=int(time.time()), ended_at=int(time.time()))
    save(subscription)
    queue_event("customer.subscription.deleted", subscription)
    return subscription


def signed(event: dict[str, Any], *, secret: str = DEMO_WEBHOOK_SECRET, at: int | None = None) -> tuple[bytes, str]:
    """The body and Stripe-Signature header Stripe would send `event` with."""
    body = json.dumps(event, separators=(",", ":"))
    timestamp = int(time.time()) if at is None else at
    signature = hmac.new(secret.encode(), f"{timestamp}.{body}".encode(), hashlib.sha256).hexdigest()
    return body.encode(), f"t={timestamp},v1={signature}"


def deliveries(
    events: list[dict[str, Any]], *, twice: bool = False, reverse: bool = False, secret: str = DEMO_WEBHOOK_SECRET
) -> list[tuple[bytes, str]]:
    """How Stripe may deliver `events`: (body, Stripe-Signature) each, possibly out of order and again —
    its webhooks are at least once, in no promised order."""
    ordered = list(reversed(events)) if reverse else list(events)
    if twice:
        ordered = ordered + list(reversed(ordered))
    return [signed(event, secret=secret) for event in ordered]
