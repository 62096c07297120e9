"""Reads of vendor orders, already scoped: an owner's own orders, the company's orders for its staff."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from tenants.activities.selectors import owner_houses
from tenants.vendor_orders.models import VendorOrder


def owner_estate_ids(user: Any) -> list[int]:
    """The estates of the owner's houses (partners lists the vendors admitted for them)."""
    return sorted(set(owner_houses(user).values_list("estate_id", flat=True)))


def owner_orders(user: Any) -> QuerySet[VendorOrder]:
    return (
        VendorOrder.objects.filter(owner=user)
        .select_related("house__building", "house__unit")
        .order_by("-created_at", "-id")
    )


def company_orders() -> QuerySet[VendorOrder]:
    return VendorOrder.objects.select_related("house__estate", "house__building", "house__unit").order_by(
        "-created_at", "-id"
    )
