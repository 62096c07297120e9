"""A stand-in for the Stripe API (the parts the SaaS subscription and card payments use), stateful, in Redis.

Serves Stripe's paths, form-encoded parameters and JSON objects in the current API shape (a
subscription's period on its items, an invoice's subscription under `parent.subscription_details`):
- POST /v1/customers, GET /v1/customers/{id}
- POST /v1/checkout/sessions (mode=subscription), GET /v1/checkout/sessions/{id}
- POST /v1/billing_portal/configurations, POST /v1/billing_portal/sessions (configuration=…)
- GET /v1/subscriptions/{id}, POST /v1/subscriptions/{id} (a new price for its item), GET /v1/invoices/{id}
- PaymentIntents and Refunds for the owners' card payments: standins.stripe_payments
It checks what Stripe checks: the secret key (401), required parameters and known prices and
customers (400 invalid_request_error / resource_missing), and idempotency keys — the same key with
the same parameters replays the first answer (header Idempotent-Replayed), with other parameters it
is refused (400 idempotency_error).

The account it serves (keys, objects, the event queue) is standins.stripe_account; what happens on
Stripe's side — a customer paying on the Checkout page, renewals, cancellations, and the signed
webhook deliveries of their events — is standins.stripe_events. `register_price` (not Stripe's
API) sets up a price for tests and the demo.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl

import requests

from standins import stripe_payments
from standins.stripe_account import (
    DEMO_SECRET_KEY,
    PREFIX,
    StripeRefusal,
    load,
    must,
    new_id,
    queue_event,
    save,
    store,
)
from standins.transport import WsgiTransport, demo_host

# The demo's plans (companies.services.ensure_default_plans): price id -> (amount in fen, currency).
DEMO_PRICES = {"price_wuye_standard_monthly": (99_900, "cny"), "price_wuye_pro_monthly": (299_900, "cny")}


def parse_form(body: str) -> dict[str, Any]:
    """Stripe's form encoding (a[b][0][c]=v) into nested dicts and lists."""
    root: dict[str, Any] = {}
    for key, value in parse_qsl(body, keep_blank_values=True):
        parts = key.replace("]", "").split("[")
        node: Any = root
        for part, following in itertools.pairwise(parts):
            container: Any = [] if following.isdigit() else {}
            if isinstance(node, list):
                index = int(part)
                while len(node) <= index:
                    node.append(None)
                node[index] = node[index] if node[index] is not None else container
                node = node[index]
            else:
                node = node.setdefault(part, container)
        last = parts[-1]
        if isinstance(node, list):
            index = int(last)
            while len(node) <= index:
                node.append(None)
            node[index] = value
        else:
            node[last] = value
    return root


# --- the API ------------------------------------------------------------------------------------


def register_price(price_id: str, unit_amount: int, currency: str = "cny") -> None:
    save(
        {
            "id": price_id,
            "object": "price",
            "unit_amount": unit_amount,
            "currency": currency,
            "recurring": {"interval": "month", "interval_count": 1},
            "active": True,
        }
    )


def create_customer(params: dict[str, Any]) -> dict[str, Any]:
    return save(
        {
            "id": new_id("cus"),
            "object": "customer",
            "name": params.get("name"),
            "email": params.get("email"),
            "metadata": params.get("metadata") or {},
            "created": int(time.time()),
            "livemode": False,
        }
    )


def _create_checkout(params: dict[str, Any], host: str) -> dict[str, Any]:
    if params.get("mode") != "subscription":
        raise StripeRefusal(400, "invalid_request_error", "This stand-in supports mode=subscription.", param="mode")
    if not params.get("success_url"):
        raise StripeRefusal(400, "invalid_request_error", "Missing required param: success_url.", param="success_url")
    items = params.get("line_items") or []
    if len(items) != 1 or not isinstance(items[0], dict):
        raise StripeRefusal(400, "invalid_request_error", "Missing required param: line_items.", param="line_items")
    price = must(str(items[0].get("price", "")), "price", param="line_items[0][price]")
    customer = params.get("customer")
    if customer:
        must(customer, "customer", param="customer")
    session_id = new_id("cs_test")
    now = int(time.time())
    return save(
        {
            "id": session_id,
            "object": "checkout.session",
            "mode": "subscription",
            "status": "open",
            "payment_status": "unpaid",
            "customer": customer,
            "client_reference_id": params.get("client_reference_id"),
            "metadata": params.get("metadata") or {},
            "subscription_data": params.get("subscription_data") or {},
            "subscription": None,
            "price": price["id"],
            "quantity": int(items[0].get("quantity") or 1),
            "success_url": params["success_url"],
            "cancel_url": params.get("cancel_url"),
            "url": f"{host}/_standins/stripe/checkout/{session_id}/",
            "amount_total": price["unit_amount"] * int(items[0].get("quantity") or 1),
            "currency": price["currency"],
            "created": now,
            "expires_at": now + 86400,
            "livemode": False,
        }
    )


def _create_portal_configuration(params: dict[str, Any]) -> dict[str, Any]:
    features = params.get("features")
    if not isinstance(features, dict) or not features:
        raise StripeRefusal(400, "invalid_request_error", "Missing required param: features.", param="features")
    return save(
        {
            "id": new_id("bpc"),
            "object": "billing_portal.configuration",
            "active": True,
            "is_default": False,
            "features": features,
            "metadata": params.get("metadata") or {},
            "created": int(time.time()),
            "livemode": False,
        }
    )


def _create_portal(params: dict[str, Any], host: str) -> dict[str, Any]:
    customer = must(str(params.get("customer", "")), "customer", param="customer")
    configuration = params.get("configuration")
    if configuration:
        must(str(configuration), "billing_portal.configuration", param="configuration")
    portal_id = new_id("bps")
    return save(
        {
            "id": portal_id,
            "object": "billing_portal.session",
            "customer": customer["id"],
            "configuration": configuration or None,
            "return_url": params.get("return_url"),
            "url": f"{host}/_standins/stripe/portal/{portal_id}/",
            "created": int(time.time()),
            "livemode": False,
        }
    )


def _update_subscription(subscription_id: str, params: dict[str, Any]) -> dict[str, Any]:
    """A new price for the subscription's one item (a plan change); Stripe prorates and says so by
    customer.subscription.updated."""
    subscription = must(subscription_id, "subscription")
    if subscription["status"] in ("canceled", "incomplete_expired"):
        raise StripeRefusal(
            400,
            "invalid_request_error",
            "A canceled subscription can only update its cancellation_details and metadata.",
        )
    items = params.get("items") or []
    if len(items) != 1 or not isinstance(items[0], dict):
        raise StripeRefusal(400, "invalid_request_error", "Missing required param: items.", param="items")
    item = subscription["items"]["data"][0]
    if items[0].get("id") != item["id"]:
        raise StripeRefusal(
            400,
            "invalid_request_error",
            f"No such subscription item: '{items[0].get('id')}'",
            param="items[0][id]",
            code="resource_missing",
        )
    item["price"] = must(str(items[0].get("price", "")), "price", param="items[0][price]")
    subscription["metadata"] = {**subscription.get("metadata", {}), **(params.get("metadata") or {})}
    save(subscription)
    queue_event("customer.subscription.updated", subscription)
    return subscription


def _route(method: str, path: str, params: dict[str, Any], host: str) -> dict[str, Any]:
    parts = path.strip("/").split("/")
    if parts[0] != "v1":
        raise StripeRefusal(404, "invalid_request_error", f"Unrecognized request URL ({method}: {path}).")
    resource = "/".join(parts[1:])
    if method == "POST" and resource == "customers":
        return create_customer(params)
    if method == "POST" and resource == "checkout/sessions":
        return _create_checkout(params, host)
    if method == "POST" and resource == "billing_portal/configurations":
        return _create_portal_configuration(params)
    if method == "POST" and resource == "billing_portal/sessions":
        return _create_portal(params, host)
    if method == "POST" and resource.startswith("subscriptions/"):
        return _update_subscription(resource.removeprefix("subscriptions/"), params)
    if resource.startswith(("payment_intents", "refunds")):
        return stripe_payments.route(method, resource, params)
    kinds = {"customers": "customer", "checkout/sessions": "checkout.session", "subscriptions": "subscription"}
    kinds["invoices"] = "invoice"
    collection, _slash, object_id = resource.rpartition("/")
    if method == "GET" and collection in kinds:
        return must(object_id, kinds[collection])
    raise StripeRefusal(404, "invalid_request_error", f"Unrecognized request URL ({method}: {path}).")


def handle(
    method: str, path: str, headers: dict[str, str], body: str, *, host: str = "", query: str = ""
) -> tuple[int, dict, dict]:
    """One HTTP request (header names lowercased) -> (status, JSON answer, extra headers)."""
    auth = headers.get("authorization", "")
    if not hmac.compare_digest(auth, f"Bearer {DEMO_SECRET_KEY}"):
        refusal = StripeRefusal(401, "invalid_request_error", "Invalid API Key provided.")
        return 401, refusal.body(), {}
    params = parse_form(body if method == "POST" else query)
    key = headers.get("idempotency-key", "") if method == "POST" else ""
    fingerprint = hashlib.sha256(f"{method} {path} {json.dumps(params, sort_keys=True)}".encode()).hexdigest()
    db = store()
    if key:
        seen = db.get(f"{PREFIX}idem:{key}")
        if seen:
            earlier = json.loads(seen)
            if earlier["fingerprint"] != fingerprint:
                refusal = StripeRefusal(
                    400,
                    "idempotency_error",
                    "Keys for idempotent requests can only be used with the same parameters they were first "
                    f"used with. Try using a key other than '{key}' if you meant to execute a different request.",
                )
                return 400, refusal.body(), {}
            return earlier["status"], earlier["body"], {"Idempotent-Replayed": "true"}
    try:
        status, answer = 200, _route(method, path, params, host or demo_host())
    except StripeRefusal as refusal:
        status, answer = refusal.status, refusal.body()
    if key:  # Stripe keeps the first answer, errors included, for 24 hours
        record = {"fingerprint": fingerprint, "status": status, "body": answer}
        db.set(f"{PREFIX}idem:{key}", json.dumps(record), ex=86400)
    return status, answer, {}


def card_page_url(intent_id: str) -> str:
    """The stand-in's card page for a PaymentIntent (what Stripe.js's card form is in production)."""
    return f"{demo_host()}/_standins/stripe/pay/{intent_id}/"


def wsgi_app(environ: dict, start_response: Callable) -> list[bytes]:
    headers = {key[5:].replace("_", "-").lower(): value for key, value in environ.items() if key.startswith("HTTP_")}
    length = int(environ.get("CONTENT_LENGTH") or 0)
    body = environ["wsgi.input"].read(length).decode() if length else ""
    path = environ.get("PATH_INFO", "")
    status, payload, extra = handle(
        environ["REQUEST_METHOD"], path, headers, body, query=environ.get("QUERY_STRING", "")
    )
    data = json.dumps(payload).encode()
    start_response(
        f"{status} {'OK' if status == 200 else 'ERROR'}",
        [("Content-Type", "application/json"), ("Content-Length", str(len(data))), *extra.items()],
    )
    return [data]


def in_process_session(api_base: str) -> requests.Session:
    """A requests session whose calls to `api_base` reach this stand-in, never the network."""
    session = requests.Session()
    session.mount(api_base.rstrip("/") + "/", WsgiTransport(wsgi_app))
    return session


def ensure_demo_prices() -> None:
    for price_id, (amount, currency) in DEMO_PRICES.items():
        if load(price_id) is None:
            register_price(price_id, amount, currency)
