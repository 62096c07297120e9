"""Reads of repairs, already scoped to what the caller may see."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from django.db.models import Count, Max, Prefetch, Q, QuerySet
from django.utils import timezone

from accounts.models import User
from accounts.roles import PERMISSIONS, Role
from billing.selectors.service_charges import ServiceCharge, service_charges
from notifications import selectors as notification_selectors
from tenants.estates.models import House
from tenants.repairs.models import (
    OPEN_STATUSES,
    DispatchMode,
    DispatchRule,
    ListVersion,
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
    """Orders with what their labels need, fetched by small queries of their own (one per relation,
    whatever the page size) rather than joined: PostgreSQL spent 11–18 ms planning the seven-table
    join on every page of the list, against about 1 ms running it."""
    return RepairOrder.objects.prefetch_related(
        Prefetch("category", queryset=RepairCategory.objects.select_related("parent")),
        "estate",
        Prefetch("house", queryset=House.objects.select_related("building", "unit")),
        Prefetch("worker", queryset=User.objects.only("id", "name")),
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


def order_charges(orders: Iterable[RepairOrder]) -> dict[int, ServiceCharge]:
    """Each order's fee charge on the billing ledger (services.fees) by order id: one query for a page."""
    by_source = {order.charge_source: order.pk for order in orders if order.charge_source}
    return {by_source[source]: charge for source, charge in service_charges(by_source).items()}


def is_overdue(status: str, due_at: datetime | None) -> bool:
    """Open and past its time limit, now (the same rule as `overdue` below, for one order)."""
    return bool(due_at and status in OPEN_STATUSES and due_at < timezone.now())


def list_version() -> int | None:
    """The dispatcher list's version (bumped by the database on every change to orders, photos and
    categories); None when the row is missing, which turns the list cache off."""
    return ListVersion.objects.filter(pk=1).values_list("version", flat=True).first()


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


def least_loaded(candidates: list[Any]) -> Any | None:
    """Of `candidates`, the worker with the fewest open orders; on a tie the one sent an order least
    recently (never first), then the longest-known. Two indexed aggregates over the candidates."""
    ids = [user.pk for user in candidates]
    loads = dict(
        RepairOrder.objects.filter(status__in=OPEN_STATUSES, worker_id__in=ids)
        .values_list("worker")
        .annotate(n=Count("id"))
        .values_list("worker", "n")
    )
    last = dict(
        TimelineEntry.objects.filter(worker_id__in=ids)
        .values_list("worker")
        .annotate(at=Max("at"))
        .values_list("worker", "at")
    )
    never = datetime.min.replace(tzinfo=UTC)
    return min(candidates, key=lambda user: (loads.get(user.pk, 0), last.get(user.pk) or never, user.pk), default=None)


def dispatch_rules() -> QuerySet[DispatchRule]:
    return DispatchRule.objects.select_related("category__parent", "estate", "building", "worker").order_by(
        "category__sort_order", "category_id", "estate_id", "building_id", "id"
    )


def rule_team(order: RepairOrder) -> list[Any]:
    """The workers the most specific rules matching `order` name: a building's over an estate's over
    the whole company's, then the order's own category over its parent's. Several rules of that one
    scope are a team (shared by workload); rules naming someone no longer an active worker are skipped."""
    category = order.category
    building_id = order.house.building_id if order.house is not None else None
    rules = list(
        DispatchRule.objects.filter(
            Q(category_id=category.pk) | Q(category_id=category.parent_id)
            if category.parent_id
            else Q(category_id=category.pk),
            Q(estate__isnull=True) | Q(estate_id=order.estate_id),
            Q(building__isnull=True) | Q(building_id=building_id),
            worker__in=workers(),
        ).select_related("worker")
    )

    def rank(rule: DispatchRule) -> tuple[int, int]:
        place = 2 if rule.building_id else 1 if rule.estate_id else 0
        return place, int(rule.category_id == category.pk)

    best = max((rank(rule) for rule in rules), default=None)
    return sorted({rule.worker for rule in rules if rank(rule) == best}, key=lambda user: user.pk)


def managers() -> QuerySet[Any]:
    """The company's managers (公司管理员): told when an order breaches its SLA."""
    return User.objects.filter(is_active=True, roles__contains=[Role.ADMIN]).order_by("pk")


def sla_warning_staff() -> QuerySet[Any]:
    """Who is warned before a breach: the dispatching staff by their own role (dispatcher, customer
    service), so a manager hears of an order only once it is late — the managers when nobody else
    dispatches."""
    staff = dispatchers().exclude(roles__contains=[Role.ADMIN])
    return staff if staff.exists() else managers()


def sla_escalation_staff() -> list[Any]:
    """Who is told of a breach: everyone who dispatches, and the managers."""
    people = {user.pk: user for user in [*dispatchers(), *managers()]}
    return [people[pk] for pk in sorted(people)]


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
