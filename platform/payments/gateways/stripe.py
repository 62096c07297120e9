"""Card payments through Stripe PaymentIntents, for owners who do not pay with WeChat.

One Stripe account — the platform's, the same one the SaaS subscription uses (subscriptions.gateway:
its client, keys and webhook verification) — takes every company's card payments. Each
PaymentIntent carries its company (schema and id) and its order (out_trade_no) in its metadata: the
public webhook routes an event to its company by them, and every report is checked against them
(`merchant_ids`), so one company's payment can never settle another's order.

Production route, not built yet: Stripe Connect, each company a connected account (onboarding,
`on_behalf_of` / `transfer_data[destination]` or direct charges with the `Stripe-Account` header,
per-account webhooks, payouts and fees). Until then the money lands in the platform's account and
reaches each company through settlement outside this code.

Settings: STRIPE_BACKEND "standin" (demo and tests: the stand-in's keys, and `pay_url`, the
stand-in's card page) or "stripe" with STRIPE_SECRET_KEY, STRIPE_WEBHOOK_SECRET and
STRIPE_PUBLISHABLE_KEY all set (otherwise card payments are off: the gateway is not configured; a
secret key without a usable publishable key is logged as an error, and refused at a production
start by `guard`). The stand-in's keys are refused in production (`guard`, and again here). With
real Stripe the owner pays on our own card page (payments.api.card_page: Stripe.js's Payment
Element on the company's host, confirming with the intent's `client_secret` and `publishable_key`).

Events are nudges, not the truth: whatever an event says, the PaymentIntent is read back
(`retrieve_intent`) and acted on as it stands now, so a late `payment_failed` cannot undo a success.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping
from typing import Any

import stripe
from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import adapters
from core.errors import DomainError
from payments.gateways import GatewayError, GatewayState, Notification, Prepay, RefundState, VerificationFailed
from subscriptions import gateway as stripe_account

SCHEMA_KEY = "wuye_company_schema"
COMPANY_KEY = stripe_account.COMPANY_KEY  # "wuye_company_id", as the subscription's objects carry it
ORDER_KEY = "wuye_out_trade_no"
REFUND_KEY = "wuye_out_refund_no"
INTENT_STATES = {
    "succeeded": "paid",
    "canceled": "closed",
    "requires_payment_method": "pending",  # also after a declined card: the owner may try another
    "requires_confirmation": "pending",
    "requires_action": "pending",
    "processing": "pending",
    "requires_capture": "pending",
}
REFUND_STATES = {"succeeded": "refunded", "pending": "processing", "requires_action": "processing"}
PAYMENT_EVENTS = frozenset({"payment_intent.succeeded", "payment_intent.payment_failed", "payment_intent.canceled"})
REFUND_EVENTS = frozenset({"charge.refunded", "refund.updated"})
ENV_KEYS = ("STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRET", "STRIPE_PUBLISHABLE_KEY")
logger = logging.getLogger(__name__)


def _standin_keys() -> tuple[str, str, str]:
    from standins import stripe_account

    return stripe_account.DEMO_SECRET_KEY, stripe_account.DEMO_WEBHOOK_SECRET, stripe_account.DEMO_PUBLISHABLE_KEY


def _keys() -> tuple[str, str, str]:
    if settings.STRIPE_BACKEND == "standin":
        return _standin_keys()
    return tuple(str(getattr(settings, name, "") or "") for name in ENV_KEYS)  # type: ignore[return-value]


def _mode(key: str) -> str:
    """ "live" or "test" from a Stripe key's prefix (sk_live_…, rk_test_…, pk_live_…), else ""."""
    for mode in ("live", "test"):
        if key.split("_", 2)[1:2] == [mode]:
            return mode
    return ""


def key_problems(secret: str, publishable: str) -> list[str]:
    """What is wrong with a real account's key pair for owners' card payments (empty: usable, or no
    secret key at all — then Stripe is simply not set up). A card page needs the publishable key of
    the same account and mode as the secret key that made the PaymentIntent."""
    if not secret:
        return []
    if not publishable:
        return [
            "STRIPE_PUBLISHABLE_KEY 未设置（业主银行卡支付需要）/ "
            "STRIPE_PUBLISHABLE_KEY is not set (owners' card payments need it)"
        ]
    if not publishable.startswith("pk_"):
        return ["STRIPE_PUBLISHABLE_KEY 不是可公开密钥（pk_…）/ STRIPE_PUBLISHABLE_KEY is not a publishable key (pk_…)"]
    if _mode(secret) != _mode(publishable):
        return [
            "STRIPE_SECRET_KEY 与 STRIPE_PUBLISHABLE_KEY 的模式不同（live/test）/ "
            "STRIPE_SECRET_KEY and STRIPE_PUBLISHABLE_KEY are of different modes (live/test)"
        ]
    return []


def guard() -> list[str]:
    """core.adapters' production rules: the stand-in's published keys are never a real account's, and
    a real account's secret key comes with its publishable key (else owners could not pay by card)."""
    configured = {name: str(getattr(settings, name, "") or "") for name in ENV_KEYS}
    problems = [
        f"{name} 是 Stripe 替身的密钥 / {name} is the Stripe stand-in's key"
        for name, value in configured.items()
        if value and value in _standin_keys()
    ]
    if settings.STRIPE_BACKEND == "stripe":
        problems += key_problems(configured["STRIPE_SECRET_KEY"], configured["STRIPE_PUBLISHABLE_KEY"])
    return problems


def gateway() -> StripeGateway:
    backend = settings.STRIPE_BACKEND
    if backend not in ("standin", "stripe"):
        raise GatewayError("DISABLED", "Stripe is not configured on this deployment")
    secret, webhook, publishable = _keys()
    misconfigured = key_problems(secret, publishable) if backend == "stripe" else []
    if misconfigured:
        # Never a broken card page: no card method at all, and the operator hears of it.
        logger.error("owners' card payments are off: %s", "; ".join(misconfigured))
        raise GatewayError("DISABLED", "; ".join(misconfigured))
    if adapters.in_production() and (backend == "standin" or guard()):
        raise GatewayError("DISABLED", "the Stripe stand-in is refused in production")
    if not (secret and webhook and publishable):
        raise GatewayError("DISABLED", "card payments need STRIPE_SECRET_KEY, _WEBHOOK_SECRET and _PUBLISHABLE_KEY")
    standin_page = backend == "standin" or adapters.is_local(settings.STRIPE_API_BASE)
    return StripeGateway(publishable_key=publishable, standin_page=standin_page)


def _call(operation: Callable[..., Any], *args: Any, **kwargs: Any) -> dict[str, Any]:
    try:
        found = operation(*args, **kwargs)
    except stripe.StripeError as exc:
        status = None if isinstance(exc, stripe.APIConnectionError) else exc.http_status
        code = str(exc.code or type(exc).__name__)
        raise GatewayError(code, str(exc.user_message or exc), status=status, body=exc.json_body) from exc
    return dict(found.to_dict())


def _metadata(obj: Mapping[str, Any]) -> Mapping[str, Any]:
    metadata = obj.get("metadata")
    return metadata if isinstance(metadata, Mapping) else {}


def claimed_merchant(obj: Mapping[str, Any]) -> dict[str, str]:
    """The company an object's metadata names (empty values when it names none)."""
    metadata = _metadata(obj)
    return {"company_schema": str(metadata.get(SCHEMA_KEY) or ""), "company_id": str(metadata.get(COMPANY_KEY) or "")}


def intent_state(intent: Mapping[str, Any], *, currency: str = "cny") -> GatewayState:
    state = INTENT_STATES.get(str(intent.get("status")), "failed")
    received = intent.get("amount_received") if state == "paid" else intent.get("amount")
    same_currency = str(intent.get("currency") or "").lower() == currency
    evidence = {key: value for key, value in intent.items() if key != "client_secret"}
    return GatewayState(
        state=state,
        out_trade_no=str(_metadata(intent).get(ORDER_KEY) or ""),
        reference=str(intent.get("id") or ""),
        amount_fen=received if isinstance(received, int) and same_currency else None,
        merchant=claimed_merchant(intent),
        payer_account=str(intent.get("payment_method") or ""),
        raw=evidence,
    )


def refund_state(refund: Mapping[str, Any]) -> RefundState:
    metadata = _metadata(refund)
    return RefundState(
        state=REFUND_STATES.get(str(refund.get("status")), "failed"),
        out_refund_no=str(metadata.get(REFUND_KEY) or ""),
        out_trade_no=str(metadata.get(ORDER_KEY) or ""),
        amount_fen=int(refund.get("amount") or 0),
        reference=str(refund.get("id") or ""),
        merchant=claimed_merchant(refund),
        raw=dict(refund),
    )


def intent_of(event: Mapping[str, Any]) -> str:
    """The PaymentIntent an event is about (the intent itself, or a charge's or refund's)."""
    obj = (event.get("data") or {}).get("object") or {}
    if str(event.get("type", "")).startswith("payment_intent."):
        return str(obj.get("id") or "")
    return str(obj.get("payment_intent") or "")


class StripeGateway:
    name = "stripe"
    method = "card"
    label = gettext_lazy("银行卡支付")

    def __init__(self, *, publishable_key: str, standin_page: bool):
        self.publishable_key = publishable_key
        self.standin_page = standin_page
        # A browser pays on a page it opens (`pay_url`): our own card page (Stripe.js's Payment
        # Element, payments.api.card_page), or against the stand-in — which has no Stripe.js — its
        # own card page. Inside the mini-program WeChat allows no card form.
        self.channels: tuple[str, ...] = ("h5",)

    def _client(self) -> stripe.StripeClient:
        try:
            return stripe_account.client()
        except stripe_account.GatewayUnavailable as exc:
            raise GatewayError("DISABLED", str(exc)) from exc

    def merchant_for(self, company: Any) -> dict[str, str]:
        if not company.schema_name or company.pk is None:
            raise DomainError(_("本公司尚未开通银行卡支付。"), code="stripe_not_configured", status_code=409)
        return {"company_schema": company.schema_name, "company_id": str(company.pk)}

    def merchant_ids(self, merchant: Mapping[str, str]) -> dict[str, str]:
        # One platform account: what tells companies apart is the metadata each intent carries.
        return {"company_schema": merchant["company_schema"], "company_id": merchant["company_id"]}

    def _metadata_of(self, order: Any, merchant: Mapping[str, str]) -> dict[str, str]:
        return {
            SCHEMA_KEY: merchant["company_schema"],
            COMPANY_KEY: merchant["company_id"],
            ORDER_KEY: order.out_trade_no,
        }

    def prepay(self, order: Any, *, merchant: Mapping[str, str], payer_account: str) -> Prepay:
        params = {
            "amount": order.amount_fen,
            "currency": order.currency.lower(),
            "description": order.description,
            "metadata": self._metadata_of(order, merchant),
            "payment_method_types": ["card"],
        }
        # Keyed by the order (its out_trade_no, unique across companies — the client's key is unique
        # only within one): a retried create is the same PaymentIntent, never a second charge.
        intent = _call(
            self._client().v1.payment_intents.create,
            params=params,
            options={"idempotency_key": f"wuye-pi-{order.out_trade_no}"},
        )
        client_params = {
            "payment_intent": str(intent["id"]),
            "client_secret": str(intent["client_secret"]),
            "publishable_key": self.publishable_key,
        }
        if self.standin_page:
            from standins import stripe as standin

            client_params["pay_url"] = standin.card_page_url(str(intent["id"]))
        return Prepay(reference=str(intent["id"]), client_params=client_params, raw=intent_state(intent).raw)

    def retrieve_intent(self, intent_id: str, *, currency: str = "cny") -> GatewayState:
        return intent_state(_call(self._client().v1.payment_intents.retrieve, intent_id), currency=currency)

    def query(self, order: Any, *, merchant: Mapping[str, str]) -> GatewayState:
        if not order.prepay_id:  # the create was never answered: no client can have paid it
            return GatewayState(state="unknown", out_trade_no=order.out_trade_no)
        try:
            return self.retrieve_intent(order.prepay_id, currency=order.currency.lower())
        except GatewayError as exc:
            if exc.code == "resource_missing":
                return GatewayState(state="unknown", out_trade_no=order.out_trade_no, raw=exc.body or {})
            raise

    def close(self, order: Any, *, merchant: Mapping[str, str]) -> None:
        if not order.prepay_id:
            return
        try:
            _call(
                self._client().v1.payment_intents.cancel,
                order.prepay_id,
                params={"cancellation_reason": "abandoned"},
            )
        except GatewayError as exc:
            if exc.code == "resource_missing":
                raise GatewayError("ORDERNOTEXIST", exc.message, status=exc.status, body=exc.body) from exc
            raise  # payment_intent_unexpected_state (succeeded): the caller asks what happened

    def refund(
        self, order: Any, *, merchant: Mapping[str, str], out_refund_no: str, amount_fen: int, reason: str
    ) -> RefundState:
        params = {
            "payment_intent": order.prepay_id,
            "amount": amount_fen,
            "metadata": {**self._metadata_of(order, merchant), REFUND_KEY: out_refund_no, "reason": reason[:200]},
        }
        refund = _call(
            self._client().v1.refunds.create, params=params, options={"idempotency_key": f"wuye-refund-{out_refund_no}"}
        )
        return refund_state(refund)

    def query_refund(self, order: Any, *, merchant: Mapping[str, str], out_refund_no: str) -> RefundState:
        """A refund by our number: Stripe keeps it in the refund's metadata, so the order's refunds are
        listed and the one carrying it taken ("unknown" when Stripe has none: the sweeper sends it)."""
        for refund in self.refunds(order):
            if refund.out_refund_no == out_refund_no:
                return refund
        return RefundState(state="unknown", out_refund_no=out_refund_no, out_trade_no=order.out_trade_no, amount_fen=0)

    def refunds(self, order: Any) -> list[RefundState]:
        """The order's refunds as Stripe has them now."""
        if not order.prepay_id:
            return []
        found = _call(self._client().v1.refunds.list, params={"payment_intent": order.prepay_id, "limit": 100})
        return [refund_state(refund) for refund in found.get("data") or []]

    def parse_notification(self, headers: Mapping[str, str], body: bytes) -> Notification:
        lowered = {key.lower(): value for key, value in headers.items()}
        try:
            stripe_account.construct_event(body, lowered.get("stripe-signature"))
            event = json.loads(body)
        except (stripe.SignatureVerificationError, ValueError) as exc:
            raise VerificationFailed(str(exc)) from exc
        return notification_of(event)


def notification_of(event: Mapping[str, Any]) -> Notification:
    """A verified event as a Notification (its object as the event carried it, not yet read back)."""
    kind = str(event.get("type") or "")
    obj = (event.get("data") or {}).get("object") or {}
    event_id = str(event.get("id") or "")
    if kind in PAYMENT_EVENTS:
        return Notification(event=kind, event_id=event_id, payment=intent_state(obj), raw=dict(event))
    if kind == "refund.updated":
        return Notification(event=kind, event_id=event_id, refund=refund_state(obj), raw=dict(event))
    return Notification(event=kind if kind in REFUND_EVENTS else "other", event_id=event_id, raw=dict(event))
