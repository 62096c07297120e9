"""Reads of meters and readings: what the bill run prices (usage per house, shared-meter shares, the
readings it used, what is missing) and the meter reader's walking route.

A billing window is half-open, [cycle_start, cycle_end): a reading counts in the cycle its date
falls in. Only billable readings count: `ok`, or `approved` after a hold.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery, Sum

from billing import money
from billing.models import Meter, MeterReading, ReadingStatus, SplitBy
from tenants.estates.models import House

BILLABLE = (ReadingStatus.OK, ReadingStatus.APPROVED)
SHARE_PLACE = Decimal("0.01")  # shares are quantities with 2 decimal places, as readings are


def meters() -> QuerySet[Meter]:
    return Meter.objects.select_related("house__unit", "house__building", "building", "estate")


def readings() -> QuerySet[MeterReading]:
    return MeterReading.objects.select_related(
        "meter__house__unit", "meter__house__building", "meter__building", "meter__estate", "reader"
    ).order_by("-read_on", "meter_id", "register", "-id")


def _billable_in(cycle_start: date, cycle_end: date) -> QuerySet[MeterReading]:
    return MeterReading.objects.filter(status__in=BILLABLE, read_on__gte=cycle_start, read_on__lt=cycle_end)


def _house_readings(
    meter_kind: str, cycle_start: date, cycle_end: date, house_ids: Iterable[int]
) -> QuerySet[MeterReading]:
    # Inactive meters too: a meter replaced in the cycle still bills what it measured before.
    return _billable_in(cycle_start, cycle_end).filter(meter__kind=meter_kind, meter__house_id__in=list(house_ids))


def usage_by_house(
    meter_kind: str, cycle_start: date, cycle_end: date, house_ids: Iterable[int]
) -> dict[int, dict[str, Decimal]]:
    """Each house's billable usage in the window by register ("total", "peak", "valley"), summed
    over its meters of that kind (a house with two water meters pays for both). Houses with no
    billable reading are absent."""
    rows = (
        _house_readings(meter_kind, cycle_start, cycle_end, house_ids)
        .values("meter__house_id", "register")
        .annotate(used=Sum("usage"))
        .order_by()
    )
    usage: dict[int, dict[str, Decimal]] = defaultdict(dict)
    for row in rows:
        usage[row["meter__house_id"]][row["register"]] = row["used"]
    return dict(usage)


def readings_for_billing(
    meter_kind: str, cycle_start: date, cycle_end: date, house_ids: Iterable[int]
) -> dict[int, list[int]]:
    """The ids of the readings usage_by_house summed, per house (the bill run records them in each
    charge's calculation)."""
    rows = (
        _house_readings(meter_kind, cycle_start, cycle_end, house_ids)
        .order_by("meter__house_id", "read_on", "id")
        .values_list("meter__house_id", "id")
    )
    used: dict[int, list[int]] = defaultdict(list)
    for house_id, reading_id in rows:
        used[house_id].append(reading_id)
    return dict(used)


def billable_usage(
    *, meter_kind: str, shared: bool, cycle_start: date, cycle_end: date, house_ids: Iterable[int]
) -> dict[int, dict[str, Any]]:
    """What the bill run prices per house: {house_id: {"usage": {register: Decimal}, "readings": [ids]}}.

    `shared=False`: the house's own meters (usage_by_house, readings_for_billing). `shared=True`: the
    house's share of every shared meter of that kind over its building or its estate (公摊), with
    the shared meters' readings. Houses with nothing billable are absent."""
    house_ids = list(house_ids)
    if not shared:
        used = readings_for_billing(meter_kind, cycle_start, cycle_end, house_ids)
        return {
            house_id: {"usage": usage, "readings": used.get(house_id, [])}
            for house_id, usage in usage_by_house(meter_kind, cycle_start, cycle_end, house_ids).items()
        }
    wanted = set(house_ids)
    places = House.objects.filter(pk__in=house_ids)
    buildings = set(places.values_list("building_id", flat=True))
    estates = set(places.values_list("estate_id", flat=True))
    found: dict[int, dict[str, Any]] = {}
    shared_meters = Meter.objects.filter(kind=meter_kind, house__isnull=True).filter(
        Q(building_id__in=buildings) | Q(building__isnull=True, estate_id__in=estates)
    )
    for meter in shared_meters.order_by("pk"):
        reading_ids = list(
            _billable_in(cycle_start, cycle_end)
            .filter(meter=meter, register="total")
            .order_by("read_on", "id")
            .values_list("pk", flat=True)
        )
        if not reading_ids:
            continue
        for house_id, share in shared_usage_shares(meter, cycle_start, cycle_end).items():
            if house_id not in wanted:
                continue
            entry = found.setdefault(house_id, {"usage": {"total": Decimal("0.00")}, "readings": []})
            entry["usage"]["total"] += share
            entry["readings"].extend(reading_ids)
    return found


@dataclass(frozen=True)
class ReadingException:
    """A house the bill run cannot price from its meter: `missing` (no billable reading in the
    window) or `held` (a reading waits for review)."""

    house_id: int
    meter_id: int
    meter_number: str
    problem: str  # "missing" | "held"
    reading_id: int | None = None
    hold_reason: str = ""


def missing_readings(
    meter_kind: str, cycle_start: date, cycle_end: date, house_ids: Iterable[int]
) -> list[ReadingException]:
    """For the bill-run preview: every active meter of that kind on those houses with no billable
    reading in the window, and every held reading in the window (two queries)."""
    house_ids = list(house_ids)
    billable = _billable_in(cycle_start, cycle_end).filter(meter=OuterRef("pk"))
    unread = (
        Meter.objects.filter(kind=meter_kind, house_id__in=house_ids, active=True)
        .annotate(read=Exists(billable))
        .filter(read=False)
        .order_by("house_id", "number")
        .values_list("house_id", "pk", "number")
    )
    found = [ReadingException(house_id, meter_id, number, "missing") for house_id, meter_id, number in unread]
    held = (
        MeterReading.objects.filter(
            status=ReadingStatus.HELD,
            read_on__gte=cycle_start,
            read_on__lt=cycle_end,
            meter__kind=meter_kind,
            meter__house_id__in=house_ids,
        )
        .order_by("meter__house_id", "read_on", "id")
        .values_list("meter__house_id", "meter_id", "meter__number", "pk", "hold_reason")
    )
    found += [
        ReadingException(house_id, meter_id, number, "held", reading_id, reason)
        for house_id, meter_id, number, reading_id, reason in held
    ]
    return found


def shared_meter_usage(meter: Meter, cycle_start: date, cycle_end: date) -> Decimal:
    """The shared meter's billable usage in the window (its total register)."""
    total = (
        _billable_in(cycle_start, cycle_end).filter(meter=meter, register="total").aggregate(used=Sum("usage"))["used"]
    )
    return total if total is not None else Decimal("0.00")


def shared_houses(meter: Meter) -> QuerySet[House]:
    """The houses a shared meter is split among: its building's, or its whole estate's. Every
    house takes part whatever its state: an unsold or empty house's share is its owner's (the
    developer's) to pay, not the neighbours'."""
    houses = (
        House.objects.filter(building_id=meter.building_id)
        if meter.building_id
        else House.objects.filter(estate_id=meter.estate_id)
    )
    return houses.order_by("pk")


def shared_usage_shares(meter: Meter, cycle_start: date, cycle_end: date) -> dict[int, Decimal]:
    """公摊 — the shared meter's usage in the window split among its houses, by count or by
    building area, each share to 2 places and the shares summing exactly to the total (the
    largest remainders take the last place's leftover units)."""
    total = shared_meter_usage(meter, cycle_start, cycle_end)
    houses = list(shared_houses(meter).values_list("pk", "building_area"))
    if not houses:
        return {}
    by_area = meter.split_by == SplitBy.AREA
    weights = [area for _pk, area in houses] if by_area else [Decimal(1)] * len(houses)
    shares = money.largest_remainder(total, weights, SHARE_PLACE)
    return {pk: share for (pk, _area), share in zip(houses, shares, strict=True)}


# --- the meter reader's route ----------------------------------------------------------------


def meter_route(
    *, cycle_start: date, estate_id: int | None = None, building_id: int | None = None, kind: str | None = None
) -> list[dict[str, Any]]:
    """Active meters in walking order — building, unit, floor, house number; a building's shared
    meters before its houses' (the meter room is on the ground floor), an estate's at the end —
    each with its last reading and whether it has been read since `cycle_start`. One query."""
    found = Meter.objects.filter(active=True)
    if estate_id is not None:
        found = found.filter(estate_id=estate_id)
    if building_id is not None:
        found = found.filter(building_id=building_id)
    if kind:
        found = found.filter(kind=kind)
    last = MeterReading.objects.filter(meter=OuterRef("pk")).exclude(status=ReadingStatus.REJECTED)
    last = last.order_by("-read_on", "-id")
    rows = (
        found.annotate(
            last_reading_id=Subquery(last.values("pk")[:1]),
            last_read_on=Subquery(last.values("read_on")[:1]),
            last_current=Subquery(last.values("current")[:1]),
            last_register=Subquery(last.values("register")[:1]),
            last_status=Subquery(last.values("status")[:1]),
            read_this_cycle=Exists(last.filter(read_on__gte=cycle_start)),
        )
        .order_by(
            "estate__name",
            F("building__name").asc(nulls_last=True),
            F("house__unit__name").asc(nulls_first=True),
            F("house__floor").asc(nulls_first=True),
            F("house__number").asc(nulls_first=True),
            "kind",
            "number",
        )
        .values(
            "pk",
            "kind",
            "number",
            "house_id",
            "house__number",
            "house__floor",
            "house__unit__name",
            "building_id",
            "building__name",
            "estate_id",
            "estate__name",
            "time_of_use",
            "rollover_at",
            "last_reading_id",
            "last_read_on",
            "last_current",
            "last_register",
            "last_status",
            "read_this_cycle",
        )
    )
    return [
        {
            "id": row["pk"],
            "kind": row["kind"],
            "number": row["number"],
            "house": row["house_id"],
            "house_label": (
                f"{row['building__name']}{row['house__unit__name']}{row['house__number']}" if row["house_id"] else ""
            ),
            "floor": row["house__floor"],
            "building": row["building_id"],
            "building_name": row["building__name"] or "",
            "estate": row["estate_id"],
            "estate_name": row["estate__name"],
            "shared": row["house_id"] is None,
            "time_of_use": row["time_of_use"],
            "rollover_at": row["rollover_at"],
            "last_reading": (
                {
                    "id": row["last_reading_id"],
                    "read_on": row["last_read_on"],
                    "current": row["last_current"],
                    "register": row["last_register"],
                    "status": row["last_status"],
                }
                if row["last_reading_id"]
                else None
            ),
            "read_this_cycle": row["read_this_cycle"],
        }
        for row in rows
    ]
