"""A company's subscription over time: trial → paid (active) → past due → suspended → resumed.

Two clocks end a company's paid-for time: the trial's end, and a grace period (settings.
SUBSCRIPTION_GRACE_DAYS) that starts when the trial ends unpaid, a renewal fails or the subscription
is canceled. Past the grace period the company's staff are suspended (companies.middleware); its
data is untouched and its owners keep their bills and payments. A payment (Stripe says the
subscription is active) resumes it at once.

`access_state` reads the state as of now — so a request is judged right even before the daily task
(`check_all`, safe to run twice) has written the transition down.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone
from django_tenants.utils import get_public_schema_name, schema_context

from accounts import services as account_services
from companies.models import Company, Plan, Subscription, SubscriptionStatus
from core.actions import action

logger = logging.getLogger(__name__)

PAID = frozenset({SubscriptionStatus.ACTIVE})
# Stripe's subscription statuses, as ours. incomplete (the first payment not yet through) changes nothing.
FROM_STRIPE = {
    "trialing": SubscriptionStatus.ACTIVE,  # a Stripe trial is one the company chose to pay for
    "active": SubscriptionStatus.ACTIVE,
    "past_due": SubscriptionStatus.PAST_DUE,
    "unpaid": SubscriptionStatus.PAST_DUE,
    "paused": SubscriptionStatus.PAST_DUE,
    "canceled": SubscriptionStatus.CANCELED,
    "incomplete_expired": SubscriptionStatus.CANCELED,
}


def grace() -> timedelta:
    return timedelta(days=settings.SUBSCRIPTION_GRACE_DAYS)


def access_state(subscription: Subscription | None, now: datetime | None = None) -> str:
    """The subscription's status as of `now`, clocks applied (nothing written)."""
    if subscription is None:
        return SubscriptionStatus.ACTIVE  # the public schema, the template: nothing to pay for
    now = now or timezone.now()
    status = subscription.status
    if status == SubscriptionStatus.TRIALING and subscription.trial_ends_at and now >= subscription.trial_ends_at:
        status = SubscriptionStatus.PAST_DUE
        if now >= subscription.trial_ends_at + grace():
            status = SubscriptionStatus.SUSPENDED
    elif (
        status in (SubscriptionStatus.PAST_DUE, SubscriptionStatus.CANCELED)
        and subscription.grace_ends_at
        and now >= subscription.grace_ends_at
    ):
        status = SubscriptionStatus.SUSPENDED
    return status


def trial_days_left(subscription: Subscription, now: datetime | None = None) -> int | None:
    if subscription.status != SubscriptionStatus.TRIALING or subscription.trial_ends_at is None:
        return None
    left = subscription.trial_ends_at - (now or timezone.now())
    return max(0, -(-int(left.total_seconds()) // 86400))


def _snapshot(subscription: Subscription) -> dict[str, Any]:
    return {
        "status": subscription.status,
        "plan": subscription.plan.code,
        "grace_ends_at": subscription.grace_ends_at.isoformat() if subscription.grace_ends_at else None,
        "stripe_subscription_id": subscription.stripe_subscription_id,
    }


def _audit(subscription: Subscription, what: str, before: dict[str, Any], actor: Any = None) -> None:
    account_services.record_audit(
        actor=actor,
        action=f"subscription.{what}",
        object_type="company",
        object_id=subscription.company.slug,
        before=before,
        after=_snapshot(subscription),
    )


def _locked(company_id: int) -> Subscription:
    return Subscription.objects.select_for_update().select_related("company", "plan").get(company_id=company_id)


@action
def check_company(*, company_id: int, now: datetime | None = None) -> str:
    """Write down what the clocks say for one company: trial over → past due (grace from the
    trial's end); grace over → suspended. Safe to run any number of times."""
    now = now or timezone.now()
    subscription = _locked(company_id)
    state = access_state(subscription, now)
    if state == subscription.status:
        return state
    before = _snapshot(subscription)
    if subscription.status == SubscriptionStatus.TRIALING and subscription.trial_ends_at:
        subscription.grace_ends_at = subscription.trial_ends_at + grace()
    subscription.status = state
    if state == SubscriptionStatus.SUSPENDED:
        subscription.suspended_at = now
    subscription.save()
    _audit(subscription, "suspended" if state == SubscriptionStatus.SUSPENDED else "past_due", before)
    logger.info("subscription of %s is now %s", subscription.company.slug, state)
    return state


def due_for_check(now: datetime | None = None) -> list[int]:
    """Companies whose trial or grace period has run out but whose row does not say so yet."""
    now = now or timezone.now()
    trial_over = Subscription.objects.filter(status=SubscriptionStatus.TRIALING, trial_ends_at__lte=now)
    grace_over = Subscription.objects.filter(
        status__in=[SubscriptionStatus.PAST_DUE, SubscriptionStatus.CANCELED], grace_ends_at__lte=now
    )
    return sorted({*trial_over.values_list("company_id", flat=True), *grace_over.values_list("company_id", flat=True)})


def check_all(now: datetime | None = None) -> dict[str, int]:
    """The daily pass (one action per company, so one failure stops no other)."""
    changed: dict[str, int] = {}
    with schema_context(get_public_schema_name()):
        for company_id in due_for_check(now):
            state = check_company(company_id=company_id, now=now)
            changed[state] = changed.get(state, 0) + 1
    return changed


def apply_stripe_subscription(*, company: Company, current: dict[str, Any], plan: Plan | None) -> str:
    """Make our row say what Stripe's subscription `current` (read from Stripe just now) says. Runs
    inside the webhook's action. A subscription of the company's that is not the one we follow and
    is over (an old one canceled) changes nothing."""
    subscription = _locked(company.pk)
    ours = subscription.stripe_subscription_id
    stripe_status = str(current.get("status", ""))
    status = FROM_STRIPE.get(stripe_status)
    if ours and ours != current["id"] and status != SubscriptionStatus.ACTIVE:
        return "ignored: not the company's current subscription"
    if status is None:
        return f"ignored: status {stripe_status}"
    before = _snapshot(subscription)
    subscription.stripe_subscription_id = current["id"]
    subscription.stripe_status = stripe_status
    if plan is not None:
        subscription.plan = plan
    period_end = _period_end(current)
    if period_end is not None:
        subscription.current_period_end = period_end
    now = timezone.now()
    if status == SubscriptionStatus.ACTIVE:
        subscription.status = SubscriptionStatus.ACTIVE
        subscription.grace_ends_at = None
        subscription.suspended_at = None
        subscription.trial_ends_at = None
    elif subscription.status == SubscriptionStatus.SUSPENDED or access_state(subscription, now) == (
        SubscriptionStatus.SUSPENDED
    ):
        subscription.status = SubscriptionStatus.SUSPENDED  # still unpaid: stays suspended
        subscription.suspended_at = subscription.suspended_at or now
    else:
        if subscription.status not in (SubscriptionStatus.PAST_DUE, SubscriptionStatus.CANCELED):
            # The grace period starts now (a cancellation: at the end of what was paid for, if later).
            start = now
            if status == SubscriptionStatus.CANCELED and subscription.current_period_end:
                start = max(now, subscription.current_period_end)
            subscription.grace_ends_at = start + grace()
        subscription.status = status
    subscription.save()
    if before != _snapshot(subscription):
        what = "resumed" if before["status"] == SubscriptionStatus.SUSPENDED and status in PAID else "synced"
        _audit(subscription, what, before)
    return f"{before['status']} → {subscription.status}"


def _period_end(current: dict[str, Any]) -> datetime | None:
    items = (current.get("items") or {}).get("data") or []
    stamp = items[0].get("current_period_end") if items else current.get("current_period_end")
    return datetime.fromtimestamp(int(stamp), tz=UTC) if stamp else None


@action
def grant_plan(*, company: Company, plan_code: str, actor: Any = None) -> Subscription:
    """Put a company on a plan without Stripe (the platform's own arrangement, the demo)."""
    plan = Plan.objects.get(code=plan_code)
    subscription = _locked(company.pk)
    if subscription.plan_id == plan.pk and subscription.status == SubscriptionStatus.ACTIVE:
        return subscription
    before = _snapshot(subscription)
    subscription.plan = plan
    subscription.status = SubscriptionStatus.ACTIVE
    subscription.trial_ends_at = subscription.grace_ends_at = subscription.suspended_at = None
    subscription.save()
    _audit(subscription, "granted", before, actor=actor)
    return subscription
