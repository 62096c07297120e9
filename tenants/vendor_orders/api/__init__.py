"""Vendor orders API: owners browse the admitted vendors, book, pay and rate; staff read the orders."""

from __future__ import annotations

from tenants.vendor_orders.api.owner import OwnerVendorOrderViewSet
from tenants.vendor_orders.api.staff import VendorOrderViewSet

__all__ = ["OwnerVendorOrderViewSet", "VendorOrderViewSet"]
