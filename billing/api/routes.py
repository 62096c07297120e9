"""Every billing route of a company's host, gathered from the concern modules.

Each module exposes `VIEWSETS` ([(prefix, viewset, basename)]) and/or `PATHS` (django `path()`s under
api/v1/); adding a module here is all it takes to serve it (and to enter the isolation route sweep).
"""

from __future__ import annotations

from types import ModuleType

from django.urls import URLPattern, URLResolver
from rest_framework.routers import SimpleRouter

from billing.api import (
    bill_runs,
    cashdesk,
    charges,
    deposits,
    discounts,
    fees,
    invoices,
    meters,
    onboarding,
    owner,
    payments,
    reminders,
    reports,
    requests,
    service_fee_items,
)

MODULES: list[ModuleType] = [
    fees,
    meters,
    reports,
    reminders,
    bill_runs,
    charges,
    cashdesk,
    payments,
    requests,
    deposits,
    owner,
    discounts,
    invoices,
    onboarding,
    service_fee_items,
]


def register(router: SimpleRouter) -> list[URLPattern | URLResolver]:
    paths: list[URLPattern | URLResolver] = []
    for module in MODULES:
        for prefix, viewset, basename in getattr(module, "VIEWSETS", []):
            router.register(prefix, viewset, basename=basename)
        paths.extend(getattr(module, "PATHS", []))
    return paths
