"""Repairs API (报修) by concern: categories and settings, orders for each party."""

from __future__ import annotations

from tenants.repairs.api.categories import (
    OwnerRepairCategoryList,
    RepairCategorySerializer,
    RepairCategoryViewSet,
    RepairSettingsSerializer,
    RepairSettingsView,
)
from tenants.repairs.api.orders import (
    OwnerRepairViewSet,
    RepairOrderDetailSerializer,
    RepairOrderSerializer,
    RepairOrderViewSet,
    RepairWorkViewSet,
)
from tenants.repairs.api.workers import RepairWorkContact, RepairWorkerList

__all__ = [
    "OwnerRepairCategoryList",
    "OwnerRepairViewSet",
    "RepairCategorySerializer",
    "RepairCategoryViewSet",
    "RepairOrderDetailSerializer",
    "RepairOrderSerializer",
    "RepairOrderViewSet",
    "RepairSettingsSerializer",
    "RepairSettingsView",
    "RepairWorkContact",
    "RepairWorkViewSet",
    "RepairWorkerList",
]
