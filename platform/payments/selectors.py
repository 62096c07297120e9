"""Reads of payment orders, already scoped to who asks."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet

from payments.models import ItemKind, PaymentOrder, ReconciliationItem, ReconciliationRun


def with_lines(order_id: int) -> PaymentOrder:
    return PaymentOrder.objects.prefetch_related("lines").get(pk=order_id)


def owner_order(user: Any, order_id: int) -> PaymentOrder | None:
    """One of the orders this owner started (None for anyone else's: the caller answers 404)."""
    if user is None or user.pk is None:
        return None
    return PaymentOrder.objects.prefetch_related("lines").filter(pk=order_id, created_by=user).first()


def reconciliation_runs() -> QuerySet[ReconciliationRun]:
    """Runs, newest day first, each with the number of its open differences (healed ones excluded)."""
    open_items = Q(items__resolved_at__isnull=True) & ~Q(items__kind=ItemKind.HEALED)
    return ReconciliationRun.objects.select_related("job").annotate(
        item_count=Count("items", filter=~Q(items__kind=ItemKind.HEALED)),
        open_count=Count("items", filter=open_items),
        healed_count=Count("items", filter=Q(items__kind=ItemKind.HEALED)),
    )


def reconciliation_items(run_id: int) -> QuerySet[ReconciliationItem]:
    return ReconciliationItem.objects.filter(run_id=run_id).select_related("resolved_by").order_by("id")
