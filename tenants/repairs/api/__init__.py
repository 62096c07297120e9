"""Repairs API (报修) by concern: categories and settings, orders for each party, photos."""

from __future__ import annotations

from tenants.repairs.api.categories import (
    OwnerRepairCategoryList,
    RepairCategorySerializer,
    RepairCategoryViewSet,
    RepairSettingsSerializer,
    RepairSettingsView,
)
from tenants.repairs.api.dispatch_rules import DispatchRuleSerializer, DispatchRuleViewSet
from tenants.repairs.api.orders import (
    OwnerRepairViewSet,
    RepairOrderDetailSerializer,
    RepairOrderSerializer,
    RepairOrderViewSet,
    RepairWorkViewSet,
)
from tenants.repairs.api.photos import PATHS as PHOTO_PATHS
from tenants.repairs.api.stats import RepairStatsView
from tenants.repairs.api.workers import RepairWorkContact, RepairWorkerList

__all__ = [
    "PHOTO_PATHS",
    "DispatchRuleSerializer",
    "DispatchRuleViewSet",
    "OwnerRepairCategoryList",
    "OwnerRepairViewSet",
    "RepairCategorySerializer",
    "RepairCategoryViewSet",
    "RepairOrderDetailSerializer",
    "RepairOrderSerializer",
    "RepairOrderViewSet",
    "RepairSettingsSerializer",
    "RepairSettingsView",
    "RepairStatsView",
    "RepairWorkContact",
    "RepairWorkViewSet",
    "RepairWorkerList",
]
