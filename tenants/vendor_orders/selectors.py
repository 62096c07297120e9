"""Reads of vendor orders, already scoped: an owner's own orders, the company's orders for its staff."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from core.geo import Point
from tenants.activities.selectors import owner_houses
from tenants.estates.models import Estate
from tenants.vendor_orders.models import VendorOrder


def owner_estates(user: Any) -> dict[int, Point | None]:
    """The estates of the owner's houses, each with where it is (partners lists the vendors admitted
    for them, and how far each is)."""
    estate_ids = set(owner_houses(user).values_list("estate_id", flat=True))
    rows = Estate.objects.filter(pk__in=estate_ids).values_list("pk", "latitude", "longitude")
    return {pk: (lat, lng) if lat is not None and lng is not None else None for pk, lat, lng in rows}


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
