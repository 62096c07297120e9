"""The platform console's view of subscriptions: every company's, the suspended ones, MRR, and what
Stripe told us (events, invoices, checkouts — read only: they are Stripe's record, not ours to edit)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from companies.models import Subscription
from subscriptions import selectors
from subscriptions.models import CheckoutRequest, StripeEvent, SubscriptionInvoice
from subscriptions.services import lifecycle


class AccessFilter(admin.SimpleListFilter):
    title = _("员工访问")
    parameter_name = "access"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("suspended", _("已停用（平台停用或欠费超过宽限期）"))]

    def queryset(self, request: HttpRequest, queryset: Any) -> Any:
        if self.value() == "suspended":
            return queryset.filter(pk__in=selectors.suspended_companies().values("pk"))
        return queryset


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    list_display = [
        "company",
        "plan",
        "status",
        "access_now",
        "trial_ends_at",
        "grace_ends_at",
        "current_period_end",
        "stripe_status",
    ]
    list_filter = [AccessFilter, "status", "plan"]
    search_fields = ["company__slug", "company__name", "stripe_customer_id", "stripe_subscription_id"]
    readonly_fields = ["stripe_customer_id", "stripe_subscription_id", "stripe_status", "suspended_at"]
    list_select_related = ["company", "plan"]

    @admin.display(description=_("当前状态"))
    def access_now(self, subscription: Subscription) -> str:
        return str(lifecycle.access_state(subscription))

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> Any:
        return super().changelist_view(request, {**(extra_context or {}), "mrr": selectors.monthly_recurring_revenue()})


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(SubscriptionInvoice)
class SubscriptionInvoiceAdmin(ReadOnly):
    list_display = ["company", "number", "status", "amount_due", "amount_paid", "currency", "issued_at"]
    list_filter = ["status"]
    search_fields = ["company__slug", "stripe_invoice_id", "number"]


@admin.register(StripeEvent)
class StripeEventAdmin(ReadOnly):
    list_display = ["event_id", "type", "company", "outcome", "received_at"]
    list_filter = ["type"]
    search_fields = ["event_id", "company__slug"]


@admin.register(CheckoutRequest)
class CheckoutRequestAdmin(ReadOnly):
    list_display = ["company", "plan", "status", "requested_by", "created_at", "completed_at"]
    list_filter = ["status"]
