"""Subscribing through Stripe Checkout, changing plan, and the Billing portal for the card.

The company admin picks a plan; we save a CheckoutRequest first (its id is the idempotency key),
make sure the company has its Stripe customer (created once, carrying the company's id, and kept on
the Subscription row — the one way a webhook finds its company), then ask Stripe for a Checkout
Session in subscription mode and hand its URL back for the browser to go to. What the customer then
pays comes back by webhook (services.webhooks), never from the redirect.

A company that already pays through Stripe changes plan here, not in a second Checkout (which would
leave it paying for two subscriptions): its subscription's item gets the new price, once its houses
and staff fit the plan. The Billing portal therefore opens with plan changes switched off (the
card, invoices and cancellation only) — a downgrade there would skip that check.

These run on the company's host (the company's schema): their audit rows go to the company's trail,
the rows they write are the platform's (public tables, reachable from every company's search path).
"""

from __future__ import annotations

import hashlib
import json
import logging
import uuid
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext as _

from accounts import services as account_services
from companies.models import Company, Plan, Subscription
from core.actions import action
from core.errors import DomainError
from core.schemas import Schema
from subscriptions import gateway
from subscriptions.models import CheckoutRequest, CheckoutStatus
from subscriptions.services import lifecycle, limits

logger = logging.getLogger(__name__)


def _unavailable() -> DomainError:
    return DomainError(_("支付服务暂时不可用，请稍后重试。"), code="gateway_unavailable", status_code=503)


def purchasable_plan(code: str) -> Plan:
    plan = Plan.objects.filter(code=code, is_trial=False).exclude(stripe_price_id="").first()
    if plan is None:
        message = _("该套餐不存在或暂不支持在线订阅。")
        raise DomainError(message, fields={"plan": [message]})
    return plan


@action(schema=Schema.BOTH)
def _create_request(*, company: Company, plan: Plan, actor: Any) -> CheckoutRequest:
    request = CheckoutRequest.objects.create(company=company, plan=plan, requested_by=getattr(actor, "name", ""))
    account_services.record_audit(
        actor=actor,
        action="subscription.checkout_requested",
        object_type="checkout",
        object_id=str(request.pk),
        after={"plan": plan.code},
    )
    return request


@action(schema=Schema.BOTH)
def _finish_request(*, request_id: Any, session_id: str = "", url: str = "", error: str = "") -> CheckoutRequest:
    request = CheckoutRequest.objects.select_for_update().get(pk=request_id)
    request.status = CheckoutStatus.FAILED if error else CheckoutStatus.OPEN
    request.stripe_session_id, request.url, request.error = session_id, url, error[:500]
    request.save()
    account_services.record_audit(
        actor=None,
        action="subscription.checkout_failed" if error else "subscription.checkout_opened",
        object_type="checkout",
        object_id=str(request.pk),
        after={"session": session_id, "error": error[:200]},
    )
    return request


@action(schema=Schema.BOTH)
def _keep_customer(*, company: Company, customer_id: str) -> str:
    """Store the company's Stripe customer unless one is stored already (then that one is used)."""
    subscription = Subscription.objects.select_for_update().get(company=company)
    if not subscription.stripe_customer_id:
        subscription.stripe_customer_id = customer_id
        subscription.save(update_fields=["stripe_customer_id", "updated_at"])
        account_services.record_audit(
            actor=None,
            action="subscription.customer_created",
            object_type="company",
            object_id=company.slug,
            after={"customer": customer_id},
        )
    return subscription.stripe_customer_id


def _customer_for(company: Company, request: CheckoutRequest) -> str:
    existing = Subscription.objects.filter(company=company).values_list("stripe_customer_id", flat=True).first()
    if existing:
        return existing
    client = gateway.client()
    customer = gateway.call(
        client.v1.customers.create,
        params={"name": company.name, "metadata": {gateway.COMPANY_KEY: str(company.pk)}},
        options={"idempotency_key": f"wuye-customer-{request.pk}"},
    )
    return _keep_customer(company=company, customer_id=customer.id)


def _check_fits(plan: Plan) -> None:
    problems = limits.fits(plan)
    if problems:
        raise DomainError(_("当前用量超出该套餐上限，无法选择。"), code="plan_limit", fields={"plan": problems})


# Stripe's subscription statuses in which the subscription is the company's to change (not to replace).
CHANGEABLE = frozenset({"active", "trialing", "past_due"})


def live_subscription(company: Company) -> dict[str, Any] | None:
    """The company's Stripe subscription as Stripe has it now, when it is one to change rather than
    to replace by a new Checkout (None: there is none, or it has ended)."""
    subscription_id = (
        Subscription.objects.filter(company=company).values_list("stripe_subscription_id", flat=True).first()
    )
    if not subscription_id:
        return None
    try:
        current = gateway.call(gateway.client().v1.subscriptions.retrieve, subscription_id)
    except gateway.GatewayUnavailable as exc:
        logger.warning("subscription of %s could not be read: %s", company.slug, exc)
        raise _unavailable() from exc
    found = dict(current.to_dict())
    return found if found.get("status") in CHANGEABLE else None


def start_checkout(*, company: Company, plan_code: str, actor: Any, return_url: str) -> str:
    """Where to send the browser for `plan_code`: a Checkout Session's URL, or — for a company that
    already pays through Stripe — the plan changed in place and the way back to its page. A plan the
    company's houses or staff do not fit in is refused (400) before anything is written or asked."""
    plan = purchasable_plan(plan_code)
    _check_fits(plan)
    current = live_subscription(company)
    if current is not None:
        change_plan(company=company, plan=plan, current=current, actor=actor)
        return f"{return_url}?checkout=changed"
    return _open_checkout(company=company, plan=plan, actor=actor, return_url=return_url).url


def change_plan(*, company: Company, plan: Plan, current: dict[str, Any], actor: Any) -> str:
    """Give the company's live subscription `plan`'s price (Stripe prorates); our row follows what
    Stripe answers, as a webhook would make it (the webhook that follows then changes nothing)."""
    item = current["items"]["data"][0]
    if (item.get("price") or {}).get("id") == plan.stripe_price_id:
        message = _("已是该套餐。")
        raise DomainError(message, code="same_plan", status_code=409, fields={"plan": [message]})
    try:
        updated = gateway.call(
            gateway.client().v1.subscriptions.update,
            current["id"],
            params={
                "items": [{"id": item["id"], "price": plan.stripe_price_id}],
                "proration_behavior": "create_prorations",
                "metadata": {gateway.COMPANY_KEY: str(company.pk)},
            },
            options={"idempotency_key": f"wuye-plan-change-{uuid.uuid4()}"},
        )
    except gateway.GatewayUnavailable as exc:
        logger.warning("plan change for %s failed: %s", company.slug, exc)
        raise _unavailable() from exc
    return _apply_change(company=company, plan=plan, current=dict(updated.to_dict()), actor=actor)


@action(schema=Schema.BOTH)
def _apply_change(*, company: Company, plan: Plan, current: dict[str, Any], actor: Any) -> str:
    account_services.record_audit(
        actor=actor,
        action="subscription.plan_changed",
        object_type="company",
        object_id=company.slug,
        after={"plan": plan.code, "subscription": current["id"]},
    )
    return lifecycle.apply_stripe_subscription(company=company, current=current, plan=plan)


def _open_checkout(*, company: Company, plan: Plan, actor: Any, return_url: str) -> CheckoutRequest:
    request = _create_request(company=company, plan=plan, actor=actor)
    try:
        customer = _customer_for(company, request)
        session = gateway.call(
            gateway.client().v1.checkout.sessions.create,
            params={
                "mode": "subscription",
                "customer": customer,
                "line_items": [{"price": plan.stripe_price_id, "quantity": 1}],
                "client_reference_id": str(company.pk),
                "metadata": {gateway.COMPANY_KEY: str(company.pk), "wuye_checkout_id": str(request.pk)},
                "subscription_data": {"metadata": {gateway.COMPANY_KEY: str(company.pk)}},
                "success_url": f"{return_url}?checkout=done",
                "cancel_url": f"{return_url}?checkout=canceled",
            },
            options={"idempotency_key": request.idempotency_key},
        )
    except gateway.GatewayUnavailable as exc:
        logger.warning("checkout for %s failed: %s", company.slug, exc)
        _finish_request(request_id=request.pk, error=str(exc))
        raise _unavailable() from exc
    return _finish_request(request_id=request.pk, session_id=session.id, url=session.url)


@action(audit=False)  # the demo's setup, no person's change: plans get the stand-in's prices
def link_standin_prices() -> int:
    """With the Stripe stand-in (demo), give the default paid plans its prices when they have none."""
    from django.conf import settings

    if settings.STRIPE_BACKEND != "standin":
        return 0
    from standins import stripe as standin

    standin.ensure_demo_prices()
    linked = 0
    for code, price in (("standard", "price_wuye_standard_monthly"), ("pro", "price_wuye_pro_monthly")):
        linked += Plan.objects.filter(code=code, stripe_price_id="").update(stripe_price_id=price)
    return linked


# What the Billing portal lets a customer do: the card, invoices and cancellation — not change plan
# (start_checkout does that, after checking usage against the plan).
PORTAL_FEATURES: dict[str, Any] = {
    "customer_update": {"enabled": False},
    "invoice_history": {"enabled": True},
    "payment_method_update": {"enabled": True},
    "subscription_cancel": {"enabled": True, "mode": "at_period_end"},
    "subscription_update": {"enabled": False},
}


def portal_configuration() -> str:
    """The Billing portal configuration with PORTAL_FEATURES: STRIPE_PORTAL_CONFIGURATION when the
    platform set one up, else created once (its id kept in the cache; the idempotency key, derived
    from the features, makes concurrent first calls create one)."""
    if settings.STRIPE_PORTAL_CONFIGURATION:
        return str(settings.STRIPE_PORTAL_CONFIGURATION)
    fingerprint = hashlib.sha256(json.dumps(PORTAL_FEATURES, sort_keys=True).encode()).hexdigest()[:16]
    key = f"subscriptions:portal-configuration:{settings.STRIPE_BACKEND}:{fingerprint}"
    found = cache.get(key)
    if found:
        return str(found)
    configuration = gateway.call(
        gateway.client().v1.billing_portal.configurations.create,
        params={"features": PORTAL_FEATURES, "metadata": {"wuye": fingerprint}},
        options={"idempotency_key": f"wuye-portal-configuration-{fingerprint}"},
    )
    cache.set(key, configuration.id, timeout=None)
    return str(configuration.id)


def portal_url(*, company: Company, return_url: str) -> str:
    """A Billing portal session for the company's card and invoices (a link valid for a short while)."""
    customer = Subscription.objects.filter(company=company).values_list("stripe_customer_id", flat=True).first()
    if not customer:
        raise DomainError(_("尚未在线订阅，暂无可管理的付款方式。"), code="no_customer", status_code=409)
    try:
        session = gateway.call(
            gateway.client().v1.billing_portal.sessions.create,
            params={"customer": customer, "return_url": return_url, "configuration": portal_configuration()},
        )
    except gateway.GatewayUnavailable as exc:
        logger.warning("portal for %s failed: %s", company.slug, exc)
        raise _unavailable() from exc
    return str(session.url)
