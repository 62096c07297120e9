"""Repair statistics and staff performance, computed by aggregate queries over the orders.

Nothing here counts anything as it happens: every figure is a query over `RepairOrder` (whose
`accepted_at` is the timeline's first acceptance), so a redelivered task or a retried request cannot
double one.
Each figure is one SQL statement (GROUP BY / FILTER / percentile_cont / a window), never a Python
loop over orders.

Which orders a figure counts:
- cancelled orders never count;
- volume (by month, category, building, worker; the top categories per month): orders filed
  (`created_at`) in the range;
- time to accept: orders filed in the range that were accepted, from filing to the first
  acceptance (a worker's accept or grab);
- time to complete, SLA met, ratings, performance: finished orders (completed, confirmed or
  closed; a reopened order is not finished until it is completed again) whose `completed_at` falls
  in the range; SLA met counts those with a `due_at`, met when `completed_at ≤ due_at`.
Months are calendar months in the company's time zone (Asia/Shanghai).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import (
    Aggregate,
    Avg,
    Count,
    F,
    FloatField,
    Func,
    Q,
    QuerySet,
    Sum,
    Window,
)
from django.db.models.functions import RowNumber, TruncMonth
from django.utils import timezone

from tenants.repairs.models import RepairOrder, Status

FINISHED = (Status.COMPLETED, Status.CONFIRMED, Status.CLOSED)
TOP_CATEGORIES = 5


class Percentile(Aggregate):
    """percentile_cont(fraction) WITHIN GROUP (ORDER BY expression): the interpolated percentile."""

    function = "percentile_cont"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()

    def __init__(self, expression: Any, fraction: float, **extra: Any) -> None:
        if not 0 <= fraction <= 1:
            raise ValueError("fraction must lie in [0, 1]")
        super().__init__(expression, fraction=repr(float(fraction)), **extra)


class Seconds(Func):
    """The seconds between two timestamps (later − earlier)."""

    template = "EXTRACT(EPOCH FROM (%(expressions)s))"
    arg_joiner = " - "
    output_field = FloatField()


@dataclass(frozen=True)
class Period:
    """[start, end) in local dates: `date_to` is the last day included."""

    date_from: date
    date_to: date
    estate_id: int | None = None

    @property
    def start(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.date_from, time.min))

    @property
    def end(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.date_to + timedelta(days=1), time.min))

    def months(self) -> list[date]:
        out, month = [], self.date_from.replace(day=1)
        while month <= self.date_to:
            out.append(month)
            month = (month + timedelta(days=32)).replace(day=1)
        return out


def default_period(today: date | None = None, *, estate_id: int | None = None) -> Period:
    """The last 12 calendar months, this one included (to today)."""
    today = today or timezone.localdate()
    year, month = today.year, today.month - 11
    if month < 1:
        year, month = year - 1, month + 12
    return Period(date_from=date(year, month, 1), date_to=today, estate_id=estate_id)


def _percent(part: int, whole: int, places: str = "0.1") -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / whole).quantize(Decimal(places), rounding=ROUND_HALF_UP)


def _two(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _hours(seconds: float | None) -> Decimal | None:
    return None if seconds is None else _two(seconds / 3600)


def _base(period: Period) -> QuerySet[RepairOrder]:
    orders = RepairOrder.objects.exclude(status=Status.CANCELLED)
    if period.estate_id is not None:
        orders = orders.filter(estate_id=period.estate_id)
    return orders


def filed(period: Period) -> QuerySet[RepairOrder]:
    """Orders filed in the period, cancelled ones left out."""
    return _base(period).filter(created_at__gte=period.start, created_at__lt=period.end)


def finished(period: Period) -> QuerySet[RepairOrder]:
    """Orders finished (completed, confirmed, closed) with `completed_at` in the period."""
    return _base(period).filter(status__in=FINISHED, completed_at__gte=period.start, completed_at__lt=period.end)


def _month(field_name: str) -> TruncMonth:
    return TruncMonth(field_name, tzinfo=timezone.get_default_timezone())


def _local_month(value: date | datetime) -> date:
    if isinstance(value, datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value.replace(day=1)


# --- the figures ---------------------------------------------------------------------------------


def totals(period: Period) -> dict[str, Any]:
    """Filed (not cancelled), cancelled, still open, and finished in the period: one query."""
    base = RepairOrder.objects.filter(created_at__gte=period.start, created_at__lt=period.end)
    if period.estate_id is not None:
        base = base.filter(estate_id=period.estate_id)
    row = base.aggregate(
        filed=Count("id", filter=~Q(status=Status.CANCELLED)),
        cancelled=Count("id", filter=Q(status=Status.CANCELLED)),
        open=Count("id", filter=~Q(status=Status.CANCELLED) & ~Q(status__in=FINISHED)),
        finished=Count("id", filter=Q(status__in=FINISHED)),
    )
    return row


def volume_by_month(period: Period) -> list[dict[str, Any]]:
    """Orders filed per month; every month of the period is present (0 when none)."""
    counts = {
        _local_month(row["month"]): row["count"]
        for row in filed(period).annotate(month=_month("created_at")).values("month").annotate(count=Count("id"))
    }
    return [{"month": month, "count": counts.get(month, 0)} for month in period.months()]


def volume_by_category(period: Period) -> list[dict[str, Any]]:
    rows = (
        filed(period)
        .values("category", "category__name", "category__parent__name")
        .annotate(count=Count("id"))
        .order_by("-count", "category")
    )
    return [
        {
            "category": row["category"],
            "name": f"{row['category__parent__name']} › {row['category__name']}"
            if row["category__parent__name"]
            else row["category__name"],
            "count": row["count"],
        }
        for row in rows
    ]


def volume_by_building(period: Period) -> list[dict[str, Any]]:
    """Per building; orders at a public place without a house are one row per estate (building null)."""
    rows = (
        filed(period)
        .values("estate", "estate__name", "house__building", "house__building__name")
        .annotate(count=Count("id"))
        .order_by("-count", "estate", "house__building")
    )
    return [
        {
            "estate": row["estate"],
            "estate_name": row["estate__name"],
            "building": row["house__building"],
            "building_name": row["house__building__name"],
            "count": row["count"],
        }
        for row in rows
    ]


def volume_by_worker(period: Period) -> list[dict[str, Any]]:
    """Per worker now holding the order (null: not yet dispatched); `finished` of those filed."""
    rows = (
        filed(period)
        .values("worker", "worker__name")
        .annotate(count=Count("id"), finished=Count("id", filter=Q(status__in=FINISHED)))
        .order_by("-count", "worker")
    )
    return [
        {"worker": row["worker"], "name": row["worker__name"], "count": row["count"], "finished": row["finished"]}
        for row in rows
    ]


def durations(period: Period) -> dict[str, Any]:
    """Hours from filing to the first acceptance and to completion: median and 90th percentile."""
    accept = (
        filed(period)
        .filter(accepted_at__isnull=False)
        .aggregate(
            n=Count("id"),
            median=Percentile(Seconds(F("accepted_at"), F("created_at")), 0.5),
            p90=Percentile(Seconds(F("accepted_at"), F("created_at")), 0.9),
        )
    )
    complete = finished(period).aggregate(
        n=Count("id"),
        median=Percentile(Seconds(F("completed_at"), F("created_at")), 0.5),
        p90=Percentile(Seconds(F("completed_at"), F("created_at")), 0.9),
    )
    return {
        "accept_count": accept["n"],
        "accept_median_hours": _hours(accept["median"]),
        "accept_p90_hours": _hours(accept["p90"]),
        "complete_count": complete["n"],
        "complete_median_hours": _hours(complete["median"]),
        "complete_p90_hours": _hours(complete["p90"]),
    }


def _sla_and_rating_aggregates() -> dict[str, Any]:
    return {
        "finished": Count("id"),
        "sla_total": Count("id", filter=Q(due_at__isnull=False)),
        "sla_met": Count("id", filter=Q(due_at__isnull=False, completed_at__lte=F("due_at"))),
        "rating_count": Count("rating"),
        "rating_average": Avg("rating"),
    }


def finished_by_month(period: Period) -> list[dict[str, Any]]:
    """Per month of completion: finished, SLA met of those with a due time, ratings."""
    rows = {
        _local_month(row.pop("month")): row
        for row in finished(period)
        .annotate(month=_month("completed_at"))
        .values("month")
        .annotate(**_sla_and_rating_aggregates())
    }
    out = []
    for month in period.months():
        row = rows.get(month, {"finished": 0, "sla_total": 0, "sla_met": 0, "rating_count": 0, "rating_average": None})
        out.append(
            {
                "month": month,
                "finished": row["finished"],
                "sla_met": row["sla_met"],
                "sla_total": row["sla_total"],
                "sla_met_percent": _percent(row["sla_met"], row["sla_total"]),
                "rating_count": row["rating_count"],
                "rating_average": _two(row["rating_average"]),
            }
        )
    return out


def sla(period: Period) -> dict[str, Any]:
    row = finished(period).aggregate(
        total=Count("id", filter=Q(due_at__isnull=False)),
        met=Count("id", filter=Q(due_at__isnull=False, completed_at__lte=F("due_at"))),
    )
    return {"met": row["met"], "total": row["total"], "percent": _percent(row["met"], row["total"])}


def ratings(period: Period) -> dict[str, Any]:
    """Average and the count of each star (1–5) among finished orders rated."""
    stars = {f"r{n}": Count("id", filter=Q(rating=n)) for n in range(1, 6)}
    row = finished(period).aggregate(count=Count("rating"), average=Avg("rating"), **stars)
    return {
        "count": row["count"],
        "average": _two(row["average"]),
        "distribution": [{"rating": n, "count": row[f"r{n}"]} for n in range(1, 6)],
    }


def top_categories_by_month(period: Period, top: int = TOP_CATEGORIES) -> list[dict[str, Any]]:
    """Each month's most frequent categories (leaf categories, to plan spare parts), most first."""
    month = _month("created_at")
    ranked = (
        filed(period)
        .annotate(month=month)
        .values("month", "category", "category__name", "category__parent__name")
        .annotate(count=Count("id"))
        .annotate(
            rank=Window(RowNumber(), partition_by=[F("month")], order_by=[F("count").desc(), F("category").asc()])
        )
        .filter(rank__lte=top)
        .order_by("month", "rank")
    )
    return [
        {
            "month": _local_month(row["month"]),
            "rank": row["rank"],
            "category": row["category"],
            "name": f"{row['category__parent__name']} › {row['category__name']}"
            if row["category__parent__name"]
            else row["category__name"],
            "count": row["count"],
        }
        for row in ranked
    ]


@dataclass
class Statistics:
    period: Period
    totals: dict[str, Any] = field(default_factory=dict)
    by_month: list[dict[str, Any]] = field(default_factory=list)
    finished_by_month: list[dict[str, Any]] = field(default_factory=list)
    by_category: list[dict[str, Any]] = field(default_factory=list)
    by_building: list[dict[str, Any]] = field(default_factory=list)
    by_worker: list[dict[str, Any]] = field(default_factory=list)
    durations: dict[str, Any] = field(default_factory=dict)
    sla: dict[str, Any] = field(default_factory=dict)
    ratings: dict[str, Any] = field(default_factory=dict)
    top_categories_by_month: list[dict[str, Any]] = field(default_factory=list)


def statistics(period: Period) -> Statistics:
    """Every figure of the statistics page (one query each)."""
    return Statistics(
        period=period,
        totals=totals(period),
        by_month=volume_by_month(period),
        finished_by_month=finished_by_month(period),
        by_category=volume_by_category(period),
        by_building=volume_by_building(period),
        by_worker=volume_by_worker(period),
        durations=durations(period),
        sla=sla(period),
        ratings=ratings(period),
        top_categories_by_month=top_categories_by_month(period),
    )


# --- staff performance ---------------------------------------------------------------------------


@dataclass
class WorkerFigures:
    work_orders_done: int = 0
    rating_sum: int = 0
    rating_count: int = 0
    sla_met: int = 0
    sla_total: int = 0


def performance(*, user_ids: Iterable[int], date_from: date, date_to: date) -> dict[int, WorkerFigures]:
    """Per worker (user id) among `user_ids`: repairs finished in [date_from, date_to] (local days),
    their ratings and SLA met. One query; users with nothing finished are absent."""
    ids = list(user_ids)
    if not ids:
        return {}
    period = Period(date_from=date_from, date_to=date_to)
    rows = (
        finished(period)
        .filter(worker_id__in=ids)
        .values("worker")
        .annotate(
            work_orders_done=Count("id"),
            rating_sum=Sum("rating"),
            rating_count=Count("rating"),
            sla_met=Count("id", filter=Q(due_at__isnull=False, completed_at__lte=F("due_at"))),
            sla_total=Count("id", filter=Q(due_at__isnull=False)),
        )
    )
    return {
        row["worker"]: WorkerFigures(
            work_orders_done=row["work_orders_done"],
            rating_sum=row["rating_sum"] or 0,
            rating_count=row["rating_count"],
            sla_met=row["sla_met"],
            sla_total=row["sla_total"],
        )
        for row in rows
    }
