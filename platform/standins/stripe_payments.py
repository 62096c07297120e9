"""The Stripe stand-in's card payments: PaymentIntents and Refunds (stateful, in Redis, in the
stand-in's account: standins.stripe_account; standins.stripe routes these paths here and applies
idempotency keys to them).

- POST /v1/payment_intents (amount > 0 in the currency's smallest unit, currency; metadata,
  description), GET /v1/payment_intents/{id}, POST /v1/payment_intents/{id}/confirm
  (payment_method: Stripe's test methods pm_card_visa, pm_card_chargeDeclined,
  pm_card_chargeDeclinedInsufficientFunds), POST /v1/payment_intents/{id}/cancel
- POST /v1/refunds (payment_intent, amount ≤ what is left, metadata), GET /v1/refunds/{id},
  GET /v1/refunds?payment_intent=…

A declined card answers 402 card_error (code card_declined, decline_code generic_decline or
insufficient_funds) and leaves the intent in requires_payment_method, as Stripe does; cancelling a
succeeded intent is 400 payment_intent_unexpected_state. Each change queues the events Stripe sends
(payment_intent.succeeded / payment_failed / canceled, charge.refunded, refund.updated) under the
intent's id: `stripe_account.take_events(intent_id)` hands them out, `stripe_events.deliveries`
signs them.

Not Stripe's API: `confirm_with_card(intent_id, number)` is what Stripe.js does with a card number
typed into its Element (the stand-in's card page, standins.views): 4242 4242 4242 4242 succeeds,
4000 0000 0000 0002 is declined, 4000 0000 0000 9995 has insufficient funds; other numbers are
declined as incorrect.
"""

from __future__ import annotations

import secrets
import time
from typing import Any

from standins import stripe_account as account
from standins.stripe_account import StripeRefusal

TEST_METHODS = {  # payment method -> decline code ("" succeeds)
    "pm_card_visa": "",
    "pm_card_mastercard": "",
    "pm_card_chargeDeclined": "generic_decline",
    "pm_card_chargeDeclinedInsufficientFunds": "insufficient_funds",
}
TEST_CARDS = {
    "4242424242424242": "pm_card_visa",
    "5555555555554444": "pm_card_mastercard",
    "4000000000000002": "pm_card_chargeDeclined",
    "4000000000009995": "pm_card_chargeDeclinedInsufficientFunds",
}
DECLINE_MESSAGES = {
    "generic_decline": "Your card was declined.",
    "insufficient_funds": "Your card has insufficient funds.",
    "incorrect_number": "Your card number is incorrect.",
}
CONFIRMABLE = frozenset({"requires_payment_method", "requires_confirmation"})


def route(method: str, resource: str, params: dict[str, Any]) -> dict[str, Any]:
    parts = resource.split("/")
    if parts[0] == "payment_intents":
        if method == "POST" and len(parts) == 1:
            return _create_intent(params)
        if method == "GET" and len(parts) == 2:
            return account.must(parts[1], "payment_intent")
        if method == "POST" and len(parts) == 3 and parts[2] == "confirm":
            return confirm(parts[1], str(params.get("payment_method") or ""))
        if method == "POST" and len(parts) == 3 and parts[2] == "cancel":
            return cancel_intent(parts[1], str(params.get("cancellation_reason") or "requested_by_customer"))
    if parts[0] == "refunds":
        if method == "POST" and len(parts) == 1:
            return _create_refund(params)
        if method == "GET" and len(parts) == 2:
            return account.must(parts[1], "refund")
        if method == "GET" and len(parts) == 1:
            return _list_refunds(params)
    raise StripeRefusal(404, "invalid_request_error", f"Unrecognized request URL ({method}: /v1/{resource}).")


def _positive_int(params: dict[str, Any], name: str) -> int:
    try:
        value = int(str(params.get(name, "")))
    except ValueError:
        value = 0
    if value <= 0:
        raise StripeRefusal(400, "invalid_request_error", f"Invalid positive integer: {name}.", param=name)
    return value


def _create_intent(params: dict[str, Any]) -> dict[str, Any]:
    amount = _positive_int(params, "amount")
    currency = str(params.get("currency") or "").lower()
    if not currency:
        raise StripeRefusal(400, "invalid_request_error", "Missing required param: currency.", param="currency")
    intent_id = account.new_id("pi")
    return account.save(
        {
            "id": intent_id,
            "object": "payment_intent",
            "amount": amount,
            "amount_received": 0,
            "currency": currency,
            "status": "requires_payment_method",
            "client_secret": f"{intent_id}_secret_{secrets.token_hex(12)}",
            "description": params.get("description"),
            "metadata": params.get("metadata") or {},
            "payment_method_types": params.get("payment_method_types") or ["card"],
            "payment_method": None,
            "latest_charge": None,
            "last_payment_error": None,
            "cancellation_reason": None,
            "canceled_at": None,
            "created": int(time.time()),
            "livemode": False,
        }
    )


def confirm(intent_id: str, payment_method: str) -> dict[str, Any]:
    intent = account.must(intent_id, "payment_intent")
    if intent["status"] not in CONFIRMABLE:
        raise StripeRefusal(
            400,
            "invalid_request_error",
            f"This PaymentIntent's status is {intent['status']}; it cannot be confirmed.",
            code="payment_intent_unexpected_state",
        )
    if payment_method not in TEST_METHODS:
        raise StripeRefusal(
            400,
            "invalid_request_error",
            f"No such PaymentMethod: '{payment_method}'",
            param="payment_method",
            code="resource_missing",
        )
    return _attempt(intent, payment_method, TEST_METHODS[payment_method])


def confirm_with_card(intent_id: str, number: str) -> tuple[dict[str, Any], str]:
    """What Stripe.js does with a typed card: (the intent now, the decline code or "")."""
    intent = account.must(intent_id, "payment_intent")
    digits = "".join(ch for ch in number if ch.isdigit())
    method = TEST_CARDS.get(digits, "")
    decline = TEST_METHODS[method] if method else "incorrect_number"
    if intent["status"] not in CONFIRMABLE:
        return intent, ""
    try:
        return _attempt(intent, method or "pm_card_unknown", decline), decline
    except StripeRefusal:
        return account.must(intent_id, "payment_intent"), decline


def _attempt(intent: dict[str, Any], payment_method: str, decline: str) -> dict[str, Any]:
    queue = intent["id"]
    if decline:
        error = {
            "type": "card_error",
            "code": "incorrect_number" if decline == "incorrect_number" else "card_declined",
            "decline_code": decline,
            "message": DECLINE_MESSAGES[decline],
        }
        intent.update(status="requires_payment_method", last_payment_error=error, payment_method=None)
        account.save(intent)
        account.queue_event("payment_intent.payment_failed", intent, queue=queue)
        raise StripeRefusal(402, "card_error", error["message"], code=error["code"])
    charge = account.save(
        {
            "id": account.new_id("ch"),
            "object": "charge",
            "amount": intent["amount"],
            "amount_refunded": 0,
            "currency": intent["currency"],
            "paid": True,
            "refunded": False,
            "status": "succeeded",
            "payment_intent": intent["id"],
            "metadata": intent["metadata"],
            "created": int(time.time()),
            "livemode": False,
        }
    )
    intent.update(
        status="succeeded",
        amount_received=intent["amount"],
        latest_charge=charge["id"],
        payment_method=f"{payment_method}_{secrets.token_hex(4)}",
        last_payment_error=None,
    )
    account.save(intent)
    account.queue_event("payment_intent.succeeded", intent, queue=queue)
    return intent


def cancel_intent(intent_id: str, reason: str = "requested_by_customer") -> dict[str, Any]:
    intent = account.must(intent_id, "payment_intent")
    if intent["status"] in ("succeeded", "canceled"):
        raise StripeRefusal(
            400,
            "invalid_request_error",
            f"You cannot cancel this PaymentIntent because it has a status of {intent['status']}.",
            code="payment_intent_unexpected_state",
        )
    intent.update(status="canceled", cancellation_reason=reason, canceled_at=int(time.time()))
    account.save(intent)
    account.queue_event("payment_intent.canceled", intent, queue=intent_id)
    return intent


def _refund_ids(intent_id: str) -> list[str]:
    return [str(refund_id) for refund_id in account.store().lrange(f"{account.PREFIX}refunds:{intent_id}", 0, -1)]


def _create_refund(params: dict[str, Any]) -> dict[str, Any]:
    intent = account.must(str(params.get("payment_intent") or ""), "payment_intent", param="payment_intent")
    if intent["status"] != "succeeded":
        raise StripeRefusal(
            400,
            "invalid_request_error",
            f"This PaymentIntent ({intent['id']}) does not have a successful charge to refund.",
            code="charge_not_refundable",
        )
    charge = account.must(intent["latest_charge"], "charge")
    left = charge["amount"] - charge["amount_refunded"]
    amount = _positive_int(params, "amount") if "amount" in params else left
    if amount > left:
        raise StripeRefusal(
            400,
            "invalid_request_error",
            f"Refund amount ({amount}) is greater than unrefunded amount on charge ({left})",
            param="amount",
            code="amount_too_large",
        )
    refund = account.save(
        {
            "id": account.new_id("re"),
            "object": "refund",
            "amount": amount,
            "currency": intent["currency"],
            "charge": charge["id"],
            "payment_intent": intent["id"],
            "metadata": params.get("metadata") or {},
            "reason": params.get("reason"),
            "status": "succeeded",
            "created": int(time.time()),
        }
    )
    account.store().rpush(f"{account.PREFIX}refunds:{intent['id']}", refund["id"])
    charge.update(amount_refunded=charge["amount_refunded"] + amount)
    charge["refunded"] = charge["amount_refunded"] == charge["amount"]
    account.save(charge)
    account.queue_event("charge.refunded", charge, queue=intent["id"])
    account.queue_event("refund.updated", refund, queue=intent["id"])
    return refund


def _list_refunds(params: dict[str, Any]) -> dict[str, Any]:
    intent_id = str(params.get("payment_intent") or "")
    refunds = [account.must(refund_id, "refund") for refund_id in reversed(_refund_ids(intent_id))] if intent_id else []
    return {"object": "list", "url": "/v1/refunds", "has_more": False, "data": refunds}
