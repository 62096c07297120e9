"""The collection rate (收缴率) of the charges of a period, and its monthly series for the dashboard:
due (net of adjustments) against what is paid on them, each line counted from its own date
(billing.outstanding)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone

from billing.models import Allocation, Charge
from billing.outstanding import allocations_counted_sql
from billing.selectors.report_sql import ZERO, end_of_day, fetch, money, month_start, table

RATE_PLACES = Decimal("0.0001")
_CHARGE, _ALLOCATION = table(Charge), table(Allocation)


@dataclass(frozen=True)
class Collection:
    """收缴率 of the charges of a period: due (net of adjustments), paid, and paid ÷ due — None
    when nothing is due, which is not 0 % or 100 %."""

    period_start: date
    period_end: date  # exclusive
    due: Decimal
    paid: Decimal
    charges: int

    @property
    def rate(self) -> Decimal | None:
        if self.due == 0:
            return None
        return (self.paid / self.due).quantize(RATE_PLACES, rounding=ROUND_HALF_UP)

    @property
    def outstanding(self) -> Decimal:
        return self.due - self.paid


def _collection_sql(*, by_month: bool, estate: int | None, as_of: date) -> str:
    payment, counted = allocations_counted_sql(as_of, "al", "p")
    scope = " AND estate_id = %(estate)s" if estate is not None else ""
    month = "date_trunc('month', cycle_start)::date" if by_month else "NULL::date"
    return f"""
        WITH owed AS (
            SELECT id, amount, {month} AS month
              FROM {_CHARGE}
             WHERE kind IN ('regular', 'late_fee', 'service')
                   AND cycle_start >= %(start)s AND cycle_start < %(end)s{scope}
        ), lines AS (
            SELECT month, amount AS due, 0 AS paid, 1 AS charges FROM owed
            UNION ALL
            SELECT o.month, a.amount, 0, 0
              FROM {_CHARGE} a JOIN owed o ON o.id = a.principal_id
             WHERE a.kind = 'adjustment' AND a.issued_on <= %(as_of)s
            UNION ALL
            SELECT o.month, 0, al.amount, 0
              FROM {_ALLOCATION} al
              JOIN owed o ON o.id = al.charge_id
              {payment}
             WHERE {counted}
        )
        SELECT month, COALESCE(SUM(due), 0), COALESCE(SUM(paid), 0), COALESCE(SUM(charges), 0)
          FROM lines GROUP BY month
    """


def _collection_rows(
    start: date, end: date, *, estate: int | None, as_of: date | None, by_month: bool
) -> dict[date | None, tuple[Decimal, Decimal, int]]:
    as_of = as_of or timezone.localdate()
    params = {"start": start, "end": end, "estate": estate, "as_of": as_of, "cutoff": end_of_day(as_of)}
    rows = fetch(_collection_sql(by_month=by_month, estate=estate, as_of=as_of), params)
    return {month: (money(due), money(paid), int(n)) for month, due, paid, n in rows}


def collection_rate(
    period_start: date, period_end: date, estate: int | None = None, *, as_of: date | None = None
) -> Collection:
    """收缴率 for the charges (regular, service and late fees) whose cycle starts in [period_start, period_end):
    due = their amounts net of adjustments, paid = what is allocated to them (reversals included),
    counting what entered the ledger by the end of `as_of` (today)."""
    rows = _collection_rows(period_start, period_end, estate=estate, as_of=as_of, by_month=False)
    due, paid, charges = rows.get(None, (ZERO, ZERO, 0))
    return Collection(period_start=period_start, period_end=period_end, due=due, paid=paid, charges=charges)


def collection_by_month(months: int = 12, as_of: date | None = None, estate: int | None = None) -> list[Collection]:
    """The collection rate of each of the last `months` months (by cycle start), oldest first, up to
    the month of `as_of` (today); a month with nothing due is there with rate None."""
    as_of = as_of or timezone.localdate()
    first = month_start(as_of, -(months - 1))
    end = month_start(as_of, 1)
    rows = _collection_rows(first, end, estate=estate, as_of=as_of, by_month=True)
    series = []
    for step in range(months):
        month = month_start(first, step)
        due, paid, charges = rows.get(month, (ZERO, ZERO, 0))
        series.append(
            Collection(period_start=month, period_end=month_start(month, 1), due=due, paid=paid, charges=charges)
        )
    return series
