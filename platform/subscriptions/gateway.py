"""The Stripe adapter: one StripeClient, bound to api.stripe.com or, in the demo and the tests, to
the local stand-in (standins.stripe) through an in-process transport — the same client, the same
requests, no network. core.adapters refuses to start production on the stand-in or without keys.
"""

from __future__ import annotations

from typing import Any

import stripe
from django.conf import settings

from core import adapters
from core.adapters import Binding

# Our own objects' ids travel to Stripe in this metadata key, and come back in its events.
COMPANY_KEY = "wuye_company_id"


class GatewayUnavailable(Exception):
    """Stripe could not be reached or refused the call (the message is Stripe's, for the log)."""


def binding() -> Binding:
    """core.adapters' probe: which Stripe backend is in use, and what it lacks."""
    backend = settings.STRIPE_BACKEND
    if backend == "standin":
        return Binding(adapter="stripe", backend=backend, standin=True)
    if backend == "stripe":
        missing = tuple(name for name in ("STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRET") if not getattr(settings, name))
        base = settings.STRIPE_API_BASE
        return Binding(adapter="stripe", backend=base, standin=adapters.is_local(base), missing=missing)
    return Binding(adapter="stripe", backend=backend, standin=False, missing=("WUYE_STRIPE_BACKEND (stripe)",))


def _credentials() -> tuple[str, str]:
    if settings.STRIPE_BACKEND == "standin":
        from standins import stripe_account

        return stripe_account.DEMO_SECRET_KEY, stripe_account.DEMO_WEBHOOK_SECRET
    return settings.STRIPE_SECRET_KEY, settings.STRIPE_WEBHOOK_SECRET


def webhook_secret() -> str:
    return _credentials()[1]


def client() -> stripe.StripeClient:
    secret_key, _webhook = _credentials()
    if not secret_key:
        raise GatewayUnavailable("STRIPE_SECRET_KEY is not set")
    http_client: Any = None
    if settings.STRIPE_BACKEND == "standin":
        from standins import stripe as standin

        http_client = stripe.RequestsClient(session=standin.in_process_session(settings.STRIPE_API_BASE))
    return stripe.StripeClient(
        secret_key,
        base_addresses={"api": settings.STRIPE_API_BASE},
        http_client=http_client,
        max_network_retries=2,
    )


def call(operation: Any, *args: Any, **kwargs: Any) -> Any:
    """Run one Stripe call; any Stripe error becomes GatewayUnavailable (logged by the caller)."""
    try:
        return operation(*args, **kwargs)
    except stripe.StripeError as exc:
        raise GatewayUnavailable(f"{type(exc).__name__}: {exc.user_message or exc}") from exc


def construct_event(payload: bytes, signature: str | None) -> stripe.Event:
    """Stripe's own verification: the v1 HMAC over "t.body" with our endpoint secret, 300 s tolerance.
    Raises stripe.SignatureVerificationError or ValueError."""
    return stripe.Webhook.construct_event(payload, signature, webhook_secret(), tolerance=300)
