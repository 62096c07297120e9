from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from companies.models import Company, Plan


class CheckoutStatus(models.TextChoices):
    CREATED = "created", _("已创建")
    OPEN = "open", _("待支付")
    COMPLETED = "completed", _("已完成")
    FAILED = "failed", _("创建失败")


class CheckoutRequest(models.Model):
    """订阅下单 — a company admin's request to subscribe to a plan through Stripe Checkout.

    Saved before Stripe is called: its id is the idempotency key of the Checkout Session, so a
    retried call can never open a second session for the same request."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="checkout_requests")
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT)
    requested_by = models.CharField(max_length=100, blank=True)  # the admin's name (users live in the company)
    status = models.CharField(max_length=16, choices=CheckoutStatus.choices, default=CheckoutStatus.CREATED)
    stripe_session_id = models.CharField(max_length=255, blank=True)
    url = models.URLField(max_length=2000, blank=True)
    error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["stripe_session_id"], condition=~models.Q(stripe_session_id=""), name="checkout_session_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.company} → {self.plan} ({self.status})"

    @property
    def idempotency_key(self) -> str:
        return f"wuye-checkout-{self.pk}"


class StripeEvent(models.Model):
    """A Stripe webhook event, stored in the transaction of its effect: its unique id is what makes a
    second delivery of the same event change nothing."""

    event_id = models.CharField(max_length=255, unique=True)
    type = models.CharField(max_length=100)
    company = models.ForeignKey(Company, null=True, blank=True, on_delete=models.SET_NULL)
    outcome = models.CharField(max_length=200, blank=True)  # what it did, or why it did nothing
    stripe_created = models.DateTimeField(null=True, blank=True)
    received_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.event_id} {self.type}"


class InvoiceStatus(models.TextChoices):
    OPEN = "open", _("待支付")
    PAID = "paid", _("已支付")
    FAILED = "failed", _("扣款失败")
    VOID = "void", _("已作废")


class SubscriptionInvoice(models.Model):
    """订阅账单 — an invoice Stripe issued for a company's subscription, as its webhooks said."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="subscription_invoices")
    stripe_invoice_id = models.CharField(max_length=255, unique=True)
    number = models.CharField(max_length=100, blank=True)
    status = models.CharField(max_length=16, choices=InvoiceStatus.choices)
    currency = models.CharField(max_length=3)
    amount_due = models.DecimalField(max_digits=12, decimal_places=2)
    amount_paid = models.DecimalField(max_digits=12, decimal_places=2)
    period_start = models.DateTimeField(null=True, blank=True)
    period_end = models.DateTimeField(null=True, blank=True)
    hosted_invoice_url = models.URLField(max_length=2000, blank=True)
    issued_at = models.DateTimeField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-issued_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount_due__gte=0) & models.Q(amount_paid__gte=0),
                name="invoice_amounts_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.company} {self.stripe_invoice_id} {self.status}"
