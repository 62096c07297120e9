"""Reads of payment orders, already scoped to who asks."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from payments.models import PaymentOrder, PaymentRefund, RefusedNotification, Settlement


def with_lines(order_id: int) -> PaymentOrder:
    return PaymentOrder.objects.prefetch_related("lines").get(pk=order_id)


def owner_order(user: Any, order_id: int) -> PaymentOrder | None:
    """One of the orders this owner started (None for anyone else's: the caller answers 404)."""
    if user is None or user.pk is None:
        return None
    return PaymentOrder.objects.prefetch_related("lines").filter(pk=order_id, created_by=user).first()


def order_settled_as(purpose: str, reference: str) -> PaymentOrder | None:
    """The paid order whose money the purpose recorded under `reference` (billing: the payment id)."""
    return (
        PaymentOrder.objects.filter(purpose=purpose, settlement=Settlement.ALLOCATED, settled_reference=reference)
        .exclude(gateway="offline")
        .first()
    )


def refunds_of(order_id: int) -> list[PaymentRefund]:
    return list(PaymentRefund.objects.filter(order_id=order_id).order_by("id"))


def refused_notifications() -> QuerySet[RefusedNotification]:
    return RefusedNotification.objects.order_by("-received_at", "-id")
