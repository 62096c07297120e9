"""Reads for fee configuration: items with their current price, assignments, and which houses a bulk
assignment would reach (the preview staff see before they commit it)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Context, Decimal
from typing import Any

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from billing import fee_rules
from billing.models import Charge, ChargeKind, ChargingMode, FeeAssignment, FeeItem, FeePrice, Meter
from tenants.estates.models import Building, Estate, House, HouseStatus, HouseUse, Unit

FILTERS = ("estate", "building", "unit", "house", "statuses", "uses")
PREVIEW_HOUSES = 20


def fee_items() -> QuerySet[FeeItem]:
    """Items with their prices (newest first) and how many houses hold them now: two queries a page."""
    return (
        FeeItem.objects.annotate(open_assignments=Count("assignments", filter=Q(assignments__end__isnull=True)))
        .prefetch_related(Prefetch("prices", queryset=FeePrice.objects.order_by("-effective_from")))
        .order_by("kind", "name", "id")
    )


def service_fee_items() -> QuerySet[FeeItem]:
    """The active one-off items a service charge (a paid repair, an activity's fee) may be posted under."""
    return FeeItem.objects.filter(active=True, cycle_months=0).order_by("name", "id")


def current_price(item: FeeItem, on: date) -> FeePrice | None:
    """The price in force on `on` (from prefetched prices), else the earliest one still to come."""
    prices = sorted(item.prices.all(), key=lambda price: price.effective_from, reverse=True)
    for price in prices:
        if price.effective_from <= on:
            return price
    return prices[-1] if prices else None


def charged_through(item: FeeItem) -> date | None:
    """The end of the latest period this item has been charged for, on any house."""
    last: date | None = (
        Charge.objects.filter(fee_item=item, kind=ChargeKind.REGULAR)
        .order_by("-period_end")
        .values_list("period_end", flat=True)
        .first()
    )
    return last


def assignments() -> QuerySet[FeeAssignment]:
    return FeeAssignment.objects.select_related("fee_item", "house__building", "house__unit", "house__estate")


def _pk(value: Any) -> Any:
    return getattr(value, "pk", value)


def check_filters(add: Callable[[str, str], None], filters: Mapping[str, Any]) -> None:
    """Problems with a bulk assignment's house filters, reported through `add(field, message)`."""
    unknown = sorted(set(filters) - set(FILTERS))
    if unknown:
        raise TypeError(f"unknown house filters {unknown}")
    if not any(filters.get(name) is not None for name in ("estate", "building", "unit", "house")):
        add("estate", _("请选择小区、楼栋、单元或房屋。"))
    if set(filters.get("statuses") or ()) - set(HouseStatus.values):
        add("statuses", _("房屋状态无效。"))
    if set(filters.get("uses") or ()) - set(HouseUse.values):
        add("uses", _("房屋用途无效。"))


def assignment_targets(
    estate: Estate | int | None = None,
    building: Building | int | None = None,
    unit: Unit | int | None = None,
    statuses: Iterable[str] = (),
    uses: Iterable[str] = (),
    house: House | int | None = None,
) -> QuerySet[House]:
    """The houses a bulk assignment selects: every filter given narrows it."""
    houses = House.objects.all()
    if estate is not None:
        houses = houses.filter(estate_id=_pk(estate))
    if building is not None:
        houses = houses.filter(building_id=_pk(building))
    if unit is not None:
        houses = houses.filter(unit_id=_pk(unit))
    if house is not None:
        houses = houses.filter(pk=_pk(house))
    statuses = list(statuses)
    if statuses:
        houses = houses.filter(status__in=statuses)
    uses = list(uses)
    if uses:
        houses = houses.filter(use__in=uses)
    return houses


def _held_from(item: FeeItem, start: date) -> Exists:
    """The house already holds the item on or after `start` (open, or ending after it)."""
    return Exists(
        FeeAssignment.objects.filter(house_id=OuterRef("pk"), fee_item_id=item.pk).filter(
            Q(end__isnull=True) | Q(end__gt=start)
        )
    )


def _has_data(item: FeeItem) -> Exists | None:
    """What a house needs for the item's mode to compute a charge, where it may be missing."""
    if item.mode == ChargingMode.METER:
        return Exists(Meter.objects.filter(house_id=OuterRef("pk"), kind=item.meter_kind, active=True))
    if item.mode == ChargingMode.SHARED_METER:
        shared = Meter.objects.filter(kind=item.meter_kind, active=True, house__isnull=True)
        return Exists(
            shared.filter(
                Q(building_id=OuterRef("building_id")) | Q(building__isnull=True, estate_id=OuterRef("estate_id"))
            )
        )
    return None


def missing_data_reason(item: FeeItem) -> str:
    if item.mode == ChargingMode.METER:
        return _("房屋没有启用中的该类表具，抄表后才能计费。")
    if item.mode == ChargingMode.SHARED_METER:
        return _("房屋所在楼栋或小区没有该类公摊表，无法分摊。")
    return ""


@dataclass(frozen=True)
class AssignmentPlan:
    matched: QuerySet[House]
    already: QuerySet[House]
    to_assign: QuerySet[House]
    missing: QuerySet[House]

    def counts(self) -> dict[str, int]:
        return {
            "matched": self.matched.count(),
            "already_assigned": self.already.count(),
            "to_assign": self.to_assign.count(),
            "missing_data": self.missing.count(),
        }


def assignment_plan(item: FeeItem, start: date, **filters: Any) -> AssignmentPlan:
    matched = assignment_targets(**filters)
    held = _held_from(item, start)
    to_assign = matched.filter(~held)
    has_data = _has_data(item)
    missing = to_assign.filter(~has_data) if has_data is not None else to_assign.none()
    return AssignmentPlan(matched=matched, already=matched.filter(held), to_assign=to_assign, missing=missing)


def preview_assignment(item: FeeItem, start: date, **filters: Any) -> dict[str, Any]:
    """What assign_fee_item would do, without doing it: its counts (the same ones it returns) and the
    first houses, each marked as already holding the item or lacking what the mode needs."""
    plan = assignment_plan(item, start, **filters)
    has_data = _has_data(item)
    first = (
        plan.matched.select_related("building", "unit")
        .annotate(held=_held_from(item, start), has_data=has_data if has_data is not None else Q(pk__isnull=False))
        .order_by("estate_id", "building_id", "unit_id", "floor", "number")[:PREVIEW_HOUSES]
    )
    return {
        **plan.counts(),
        "missing_reason": missing_data_reason(item),
        "houses": [
            {
                "id": house.pk,
                "label": house.label,
                "already_assigned": bool(house.held),
                "missing_data": not house.held and not house.has_data,
            }
            for house in first
        ],
    }


def describe_filters(filters: Mapping[str, Any]) -> dict[str, Any]:
    """The filters as the audit row keeps them: ids and lists, nothing unset."""
    described: dict[str, Any] = {}
    for name in FILTERS:
        value = filters.get(name)
        if value is None or value == [] or value == ():
            continue
        described[name] = sorted(value) if name in ("statuses", "uses") else _pk(value)
    return described


def formula_check(formula: str) -> dict[str, Any]:
    """The admin form's live check: whether the formula would be accepted, why not, and its value
    for a sample flat (the sample's figures too, so the form can show the working)."""
    why = fee_rules.formula_problem(formula)
    if why:
        return {"ok": False, "error": why, "sample": None, "sample_variables": {}}
    value, sample_error = fee_rules.formula_sample(formula)
    return {
        "ok": True,
        "error": sample_error,
        "sample": None if value is None else str(value.quantize(Decimal("0.0001"), context=Context(prec=80))),
        "sample_variables": {name: str(figure) for name, figure in fee_rules.SAMPLE_VARIABLES.items()},
    }
