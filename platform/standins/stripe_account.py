"""The Stripe stand-in's account, in Redis: its keys, its objects, the errors it answers with, and the
queue of webhook events it sends — shared by its HTTP API (standins.stripe, standins.stripe_payments)
and what happens on Stripe's side (standins.stripe_events).

Objects are stored as Stripe's JSON under `standin:stripe:obj:<id>`; events queue under their
customer (or, for card payments, the PaymentIntent's id) until `take_events` hands them out.
"""

from __future__ import annotations

import json
import secrets
import time
from typing import Any

import redis

from core import redis_client

PREFIX = "standin:stripe:"
DEMO_SECRET_KEY = "sk_test_wuyeStandIn000000000000000000"
DEMO_WEBHOOK_SECRET = "whsec_wuyeStandIn00000000000000000000"
DEMO_PUBLISHABLE_KEY = "pk_test_wuyeStandIn000000000000000000"
API_VERSION = "2026-10-28.endive"


def store() -> redis.Redis:
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


def new_id(prefix: str) -> str:
    return f"{prefix}_{secrets.token_hex(12)}"


def load(object_id: str) -> dict[str, Any] | None:
    raw = store().get(f"{PREFIX}obj:{object_id}")
    return json.loads(raw) if raw else None


def save(obj: dict[str, Any]) -> dict[str, Any]:
    store().set(f"{PREFIX}obj:{obj['id']}", json.dumps(obj), ex=7 * 86400)
    return obj


def get_object(object_id: str, kind: str) -> dict[str, Any] | None:
    obj = load(object_id)
    return obj if obj is not None and obj.get("object") == kind else None


def subscriptions_of(customer: str) -> list[dict[str, Any]]:
    ids = sorted(str(i) for i in store().smembers(f"{PREFIX}subs:{customer}"))
    return [obj for obj in (load(i) for i in ids) if obj is not None]


def must(object_id: str, kind: str, param: str = "") -> dict[str, Any]:
    """The object, or Stripe's resource_missing: 404 for the path's own id, 400 for a parameter."""
    obj = load(object_id) if object_id else None
    if obj is None or obj.get("object") != kind:
        raise StripeRefusal(
            404 if not param else 400,
            "invalid_request_error",
            f"No such {kind.split('.')[-1]}: '{object_id}'",
            param=param or "id",
            code="resource_missing",
        )
    return obj


def queue_event(kind: str, obj: dict[str, Any], *, queue: str | None = None) -> None:
    """Queue the event Stripe sends for `obj`, under its customer (or `queue`: a PaymentIntent's id)."""
    event = {
        "id": new_id("evt"),
        "object": "event",
        "api_version": API_VERSION,
        "created": int(time.time()),
        "type": kind,
        "livemode": False,
        "pending_webhooks": 1,
        "data": {"object": obj},
    }
    target = queue if queue is not None else obj.get("customer") or ""
    store().rpush(f"{PREFIX}events:{target}", json.dumps(event))


def take_events(customer: str) -> list[dict[str, Any]]:
    """The events queued for `customer`'s account, oldest first, handed out once."""
    key = f"{PREFIX}events:{customer}"
    with store().pipeline() as pipe:
        pipe.lrange(key, 0, -1)
        pipe.delete(key)
        raw, _deleted = pipe.execute()
    return [json.loads(item) for item in raw]
