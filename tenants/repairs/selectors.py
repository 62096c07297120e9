"""Reads of repairs, already scoped to what the caller may see."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from accounts.models import User
from accounts.roles import PERMISSIONS
from notifications import selectors as notification_selectors
from tenants.repairs.models import (
    OPEN_STATUSES,
    DispatchMode,
    RepairCategory,
    RepairOrder,
    RepairPhoto,
    RepairSettings,
    Status,
    TimelineEntry,
)

WORK = "repairs.work"
DISPATCH = "repairs.dispatch"


def categories() -> QuerySet[RepairCategory]:
    return RepairCategory.objects.select_related("parent").order_by("sort_order", "id")


def active_categories() -> QuerySet[RepairCategory]:
    return categories().filter(is_active=True).filter(Q(parent__isnull=True) | Q(parent__is_active=True))


def repair_settings() -> RepairSettings:
    return RepairSettings.objects.filter(pk=1).first() or RepairSettings(pk=1)


def _orders() -> QuerySet[RepairOrder]:
    return RepairOrder.objects.select_related(
        "category__parent", "estate", "house__building", "house__unit", "worker", "owner", "filed_by"
    )


def staff_orders() -> QuerySet[RepairOrder]:
    """Every order of the company (the dispatcher's view)."""
    return _orders()


def worker_orders(user: Any) -> QuerySet[RepairOrder]:
    """A worker's orders: those assigned to them, and those anyone may grab (grab mode, not yet taken)."""
    return _orders().filter(
        Q(worker=user) | Q(status=Status.SUBMITTED, worker__isnull=True, category__dispatch_mode=DispatchMode.GRAB)
    )


def owner_orders(user: Any) -> QuerySet[RepairOrder]:
    return _orders().filter(owner=user)


def overdue(queryset: QuerySet[RepairOrder], flag: bool) -> QuerySet[RepairOrder]:
    late = Q(status__in=OPEN_STATUSES, due_at__lt=timezone.now())
    return queryset.filter(late) if flag else queryset.exclude(late)


def timeline(order: RepairOrder) -> QuerySet[TimelineEntry]:
    return order.timeline.select_related("actor", "worker").order_by("at", "id")


def workers() -> QuerySet[Any]:
    """Active staff whose own role is a worker's (an administrator, who holds every permission, is
    not sent repairs)."""
    return User.objects.filter(is_active=True, roles__overlap=sorted(PERMISSIONS[WORK])).order_by("pk")


def dispatchers() -> QuerySet[Any]:
    return notification_selectors.staff_with_permission(DISPATCH)


def is_worker(user: Any) -> bool:
    return user is not None and workers().filter(pk=user.pk).exists()


def least_loaded_worker() -> Any | None:
    """The worker with the fewest open orders (the longest-known first on a tie)."""
    loads = dict(
        RepairOrder.objects.filter(status__in=OPEN_STATUSES, worker__isnull=False)
        .values_list("worker")
        .annotate(n=Count("id"))
        .values_list("worker", "n")
    )
    candidates = list(workers().order_by("pk"))
    return min(candidates, key=lambda user: (loads.get(user.pk, 0), user.pk), default=None)


def staff_photo(user: Any, photo_id: int) -> RepairPhoto | None:
    """A photo a staff member may see: any attached one for a dispatcher, those of the orders a worker
    may see (tenants.repairs.selectors.worker_orders) for a worker, and their own uploads not yet
    attached."""
    photos = RepairPhoto.objects.filter(pk=photo_id)
    own_upload = Q(order__isnull=True, uploaded_by=user)
    if user.has_permission(DISPATCH):
        return photos.filter(own_upload | Q(order__isnull=False)).first()
    if user.has_permission(WORK):
        return photos.filter(own_upload | Q(order__in=worker_orders(user).values("pk"))).first()
    return None


def owner_photo(user: Any, photo_id: int) -> RepairPhoto | None:
    """A photo an owner may see: every photo of their own orders, and their own uploads not yet attached."""
    return (
        RepairPhoto.objects.filter(pk=photo_id)
        .filter(Q(order__owner=user) | Q(order__isnull=True, uploaded_by=user))
        .first()
    )


def order_photos() -> QuerySet[RepairPhoto]:
    """For prefetching an order's photos (one query for a page of orders)."""
    return RepairPhoto.objects.select_related("uploaded_by").order_by("created_at", "id")
