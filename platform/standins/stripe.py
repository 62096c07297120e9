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

Not part of Stripe's API, for tests and the demo's pages (standins.views): `register_price`,
`complete_checkout` (the customer paid on the Checkout page), `fail_renewal`, `pay_open_invoice`,
`cancel`. Each queues the webhook events Stripe would send; `take_events(customer)` hands them out
and `signed(event)` signs one the way Stripe does (Stripe-Signature: t=…,v1=HMAC-SHA256).
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import secrets
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl

import redis
import requests

from core import redis_client
from standins.transport import WsgiTransport, demo_host

PREFIX = "standin:stripe:"
DEMO_SECRET_KEY = "sk_test_wuyeStandIn000000000000000000"
DEMO_WEBHOOK_SECRET = "whsec_wuyeStandIn00000000000000000000"
DEMO_PUBLISHABLE_KEY = "pk_test_wuyeStandIn000000000000000000"
API_VERSION = "2026-10-28.endive"
MONTH = 30 * 86400
# The demo's plans (companies.services.ensure_default_plans): price id -> (amount in fen, currency).
DEMO_PRICES = {"price_wuye_standard_monthly": (99_900, "cny"), "price_wuye_pro_monthly": (299_900, "cny")}


def _store() -> redis.Redis:
    return redis_client.client()


class StripeRefusal(Exception):
    def __init__(self, status: int, kind: str, message: str, *, param: str = "", code: str = ""):
        super().__init__(message)
        self.status, self.kind, self.message, self.param, self.code = status, kind, message, param, code

    def body(self) -> dict[str, Any]:
        error: dict[str, Any] = {"type": self.kind, "message": self.message}
        if self.param:
            error["param"] = self.param
        if self.code:
            error["code"] = self.code
        return {"error": error}


def _new_id(prefix: str) -> str:
    return f"{prefix}_{secrets.token_hex(12)}"


def _get(object_id: str) -> dict[str, Any] | None:
    raw = _store().get(f"{PREFIX}obj:{object_id}")
    return json.loads(raw) if raw else None


def _put(obj: dict[str, Any]) -> dict[str, Any]:
    _store().set(f"{PREFIX}obj:{obj['id']}", json.dumps(obj), ex=7 * 86400)
    return obj


def get_object(object_id: str, kind: str) -> dict[str, Any] | None:
    obj = _get(object_id)
    return obj if obj is not None and obj.get("object") == kind else None


def subscriptions_of(customer: str) -> list[dict[str, Any]]:
    ids = sorted(str(i) for i in _store().smembers(f"{PREFIX}subs:{customer}"))
    return [obj for obj in (_get(i) for i in ids) if obj is not None]


def _must(object_id: str, kind: str, param: str = "") -> dict[str, Any]:
    obj = _get(object_id) if object_id else None
    if obj is None or obj.get("object") != kind:
        raise StripeRefusal(
            404 if not param else 400,
            "invalid_request_error",
            f"No such {kind.split('.')[-1]}: '{object_id}'",
            param=param or "id",
            code="resource_missing",
        )
    return obj


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
    _put(
        {
            "id": price_id,
            "object": "price",
            "unit_amount": unit_amount,
            "currency": currency,
            "recurring": {"interval": "month", "interval_count": 1},
            "active": True,
        }
    )


def _create_customer(params: dict[str, Any]) -> dict[str, Any]:
    return _put(
        {
            "id": _new_id("cus"),
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
    price = _must(str(items[0].get("price", "")), "price", param="line_items[0][price]")
    customer = params.get("customer")
    if customer:
        _must(customer, "customer", param="customer")
    session_id = _new_id("cs_test")
    now = int(time.time())
    return _put(
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
    return _put(
        {
            "id": _new_id("bpc"),
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
    customer = _must(str(params.get("customer", "")), "customer", param="customer")
    configuration = params.get("configuration")
    if configuration:
        _must(str(configuration), "billing_portal.configuration", param="configuration")
    portal_id = _new_id("bps")
    return _put(
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
    subscription = _must(subscription_id, "subscription")
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
    item["price"] = _must(str(items[0].get("price", "")), "price", param="items[0][price]")
    subscription["metadata"] = {**subscription.get("metadata", {}), **(params.get("metadata") or {})}
    _put(subscription)
    _event("customer.subscription.updated", subscription)
    return subscription


def _route(method: str, path: str, params: dict[str, Any], host: str) -> dict[str, Any]:
    parts = path.strip("/").split("/")
    if parts[0] != "v1":
        raise StripeRefusal(404, "invalid_request_error", f"Unrecognized request URL ({method}: {path}).")
    resource = "/".join(parts[1:])
    if method == "POST" and resource == "customers":
        return _create_customer(params)
    if method == "POST" and resource == "checkout/sessions":
        return _create_checkout(params, host)
    if method == "POST" and resource == "billing_portal/configurations":
        return _create_portal_configuration(params)
    if method == "POST" and resource == "billing_portal/sessions":
        return _create_portal(params, host)
    if method == "POST" and resource.startswith("subscriptions/"):
        return _update_subscription(resource.removeprefix("subscriptions/"), params)
    if resource.startswith(("payment_intents", "refunds")):
        from standins import stripe_payments

        return stripe_payments.route(method, resource, params)
    kinds = {"customers": "customer", "checkout/sessions": "checkout.session", "subscriptions": "subscription"}
    kinds["invoices"] = "invoice"
    collection, _slash, object_id = resource.rpartition("/")
    if method == "GET" and collection in kinds:
        return _must(object_id, kinds[collection])
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
    store = _store()
    if key:
        seen = store.get(f"{PREFIX}idem:{key}")
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
        store.set(f"{PREFIX}idem:{key}", json.dumps(record), ex=86400)
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


# --- what happens on Stripe's side: payments, renewals, cancellations, and their events -------------


def _event(kind: str, obj: dict[str, Any], *, queue: str | None = None) -> None:
    """Queue the event Stripe sends for `obj`, under its customer (or `queue`: a PaymentIntent's id)."""
    event = {
        "id": _new_id("evt"),
        "object": "event",
        "api_version": API_VERSION,
        "created": int(time.time()),
        "type": kind,
        "livemode": False,
        "pending_webhooks": 1,
        "data": {"object": obj},
    }
    target = queue if queue is not None else obj.get("customer") or ""
    _store().rpush(f"{PREFIX}events:{target}", json.dumps(event))


def _invoice(subscription: dict[str, Any], *, paid: bool) -> dict[str, Any]:
    item = subscription["items"]["data"][0]
    amount = item["price"]["unit_amount"] * item["quantity"]
    invoice = _put(
        {
            "id": _new_id("in"),
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
    session = _must(session_id, "checkout.session")
    if session["status"] != "open":
        raise StripeRefusal(400, "invalid_request_error", "This Checkout Session is no longer open.")
    customer = session["customer"] or _create_customer({})["id"]
    price = _must(session["price"], "price")
    now = int(time.time())
    subscription = {
        "id": _new_id("sub"),
        "object": "subscription",
        "customer": customer,
        "status": "active",
        "metadata": (session.get("subscription_data") or {}).get("metadata") or {},
        "items": {
            "object": "list",
            "data": [
                {
                    "id": _new_id("si"),
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
    _put(subscription)
    _store().sadd(f"{PREFIX}subs:{customer}", subscription["id"])
    session.update(status="complete", payment_status="paid", customer=customer, subscription=subscription["id"])
    _put(session)
    _event("customer.subscription.created", subscription)
    _event("invoice.paid", invoice)
    _event("checkout.session.completed", session)
    return subscription


def fail_renewal(subscription_id: str) -> dict[str, Any]:
    """The next period's charge was declined: an open invoice, the subscription past_due."""
    subscription = _must(subscription_id, "subscription")
    item = subscription["items"]["data"][0]
    item["current_period_start"] = item["current_period_end"]
    item["current_period_end"] += MONTH
    invoice = _invoice(subscription, paid=False)
    subscription["status"] = "past_due"
    _put(subscription)
    _event("invoice.payment_failed", invoice)
    _event("customer.subscription.updated", subscription)
    return invoice


def pay_open_invoice(subscription_id: str) -> dict[str, Any]:
    """The card was fixed and the open invoice paid: the subscription is active again."""
    subscription = _must(subscription_id, "subscription")
    invoice = _must(subscription["latest_invoice"], "invoice")
    invoice.update(status="paid", amount_paid=invoice["amount_due"], amount_remaining=0)
    _put(invoice)
    subscription["status"] = "active"
    _put(subscription)
    _event("invoice.paid", invoice)
    _event("customer.subscription.updated", subscription)
    return invoice


def cancel(subscription_id: str) -> dict[str, Any]:
    subscription = _must(subscription_id, "subscription")
    subscription.update(status="canceled", canceled_at=int(time.time()), ended_at=int(time.time()))
    _put(subscription)
    _event("customer.subscription.deleted", subscription)
    return subscription


def take_events(customer: str) -> list[dict[str, Any]]:
    """The events queued for `customer`'s account, oldest first, handed out once."""
    store = _store()
    key = f"{PREFIX}events:{customer}"
    with store.pipeline() as pipe:
        pipe.lrange(key, 0, -1)
        pipe.delete(key)
        raw, _deleted = pipe.execute()
    return [json.loads(item) for item in raw]


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


def ensure_demo_prices() -> None:
    for price_id, (amount, currency) in DEMO_PRICES.items():
        if _get(price_id) is None:
            register_price(price_id, amount, currency)
