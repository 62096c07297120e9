"""Reads of subscriptions: a company's own (plan, usage, trial, invoices) and the platform's (MRR)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from companies.models import Company, CompanyStatus, Plan, Subscription, SubscriptionStatus
from subscriptions.models import SubscriptionInvoice
from subscriptions.services import lifecycle, limits


def subscription_of(company: Company) -> Subscription | None:
    return Subscription.objects.select_related("plan").filter(company=company).first()


@dataclass(frozen=True)
class Overview:
    subscription: Subscription
    state: str
    trial_days_left: int | None
    usage: list[limits.Usage]
    plans: QuerySet[Plan]


def overview(company: Company, now: datetime | None = None) -> Overview | None:
    """What the company's 订阅与套餐 page shows (run in the company's schema: usage is counted there)."""
    subscription = subscription_of(company)
    if subscription is None:
        return None
    now = now or timezone.now()
    usage = [u for kind in (limits.HOUSES, limits.STAFF) if (u := limits.usage(kind, subscription.plan))]
    return Overview(
        subscription=subscription,
        state=lifecycle.access_state(subscription, now),
        trial_days_left=lifecycle.trial_days_left(subscription, now),
        usage=usage,
        plans=Plan.objects.filter(is_trial=False),
    )


def invoices_of(company: Company) -> QuerySet[SubscriptionInvoice]:
    return SubscriptionInvoice.objects.filter(company=company)


def access_state_of(company: Company) -> str:
    """The company's subscription state as of now (the check on every request)."""
    return lifecycle.access_state(Subscription.objects.filter(company=company).first())


def monthly_recurring_revenue() -> dict[str, Any]:
    """MRR: the monthly price of every paying subscription, by plan and in total (a query, not a counter).
    Paying: active on a plan with a price, not suspended by the platform."""
    paying = Subscription.objects.filter(
        status=SubscriptionStatus.ACTIVE, plan__monthly_price__gt=0, company__status=CompanyStatus.ACTIVE
    )
    by_plan = list(
        paying.values("plan__code", "plan__name")
        .annotate(revenue=Sum("plan__monthly_price"), companies=Count("pk"))
        .order_by("plan__code")
    )
    total = paying.aggregate(total=Sum("plan__monthly_price"))["total"] or Decimal("0.00")
    return {"total": total, "by_plan": by_plan, "paying_companies": paying.count()}


def suspended_companies(now: datetime | None = None) -> QuerySet[Subscription]:
    """Companies whose staff are locked out now: by the platform, or unpaid past their grace period
    (whether or not the daily task has written it down yet)."""
    now = now or timezone.now()
    trial_over = Q(status=SubscriptionStatus.TRIALING, trial_ends_at__lte=now - lifecycle.grace())
    grace_over = Q(status__in=[SubscriptionStatus.PAST_DUE, SubscriptionStatus.CANCELED], grace_ends_at__lte=now)
    return (
        Subscription.objects.select_related("company", "plan")
        .filter(
            Q(status=SubscriptionStatus.SUSPENDED)
            | trial_over
            | grace_over
            | Q(company__status=CompanyStatus.SUSPENDED)
        )
        .exclude(company__schema_name=settings.TENANT_BASE_SCHEMA)
    )
