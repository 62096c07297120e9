"""Arrears (欠费) with ageing (账龄) per payer, building or estate, as of a day — a query over the ledger.

Set-based: the three kinds of ledger line that move a charge's outstanding (the charge, its
adjustments, its allocations — billing.outstanding) are stacked with UNION ALL, each tagged with the
due date of the charge it belongs to, and summed per payer (or building, estate) in one GROUP BY — no
correlated subquery per charge, no Python loop over charges. Arrears for an estate of 300,000
charges is a few hundred milliseconds (tests/bench/reports.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, Literal

from billing.models import Allocation, Charge
from billing.outstanding import allocations_counted_sql
from billing.selectors.report_sql import ZERO, end_of_day, fetch, money, table
from tenants.estates.models import Building, Estate, House, Unit
from tenants.residents import selectors as resident_selectors

ArrearsGroup = Literal["house", "building", "estate"]
ARREARS_GROUPS: tuple[ArrearsGroup, ...] = ("house", "building", "estate")

_CHARGE, _ALLOCATION = table(Charge), table(Allocation)
_HOUSE, _UNIT, _BUILDING, _ESTATE = table(House), table(Unit), table(Building), table(Estate)


@dataclass(frozen=True)
class Ageing:
    """Outstanding money by days past due as of a date; the due day itself is 0 days past due."""

    not_yet_due: Decimal = ZERO
    days_0_30: Decimal = ZERO
    days_31_90: Decimal = ZERO
    days_91_180: Decimal = ZERO
    days_over_180: Decimal = ZERO

    @property
    def overdue(self) -> Decimal:
        return self.days_0_30 + self.days_31_90 + self.days_91_180 + self.days_over_180

    @property
    def total(self) -> Decimal:
        return self.not_yet_due + self.overdue


BUCKETS = ("not_yet_due", "days_0_30", "days_31_90", "days_91_180", "days_over_180")


@dataclass(frozen=True)
class ArrearsLine(Ageing):
    """One payer's (house's), building's or estate's arrears."""

    id: int = 0  # the house, building or estate
    label: str = ""
    estate_id: int = 0
    estate_name: str = ""
    building_id: int | None = None
    building_name: str = ""
    house_id: int | None = None
    payer_name: str = ""  # the current primary payer (houses only); "" when nobody is recorded


@dataclass(frozen=True)
class ArrearsTotals(Ageing):
    as_of: date = date.min
    group_by: ArrearsGroup = "house"
    lines: int = 0  # how many payers (buildings, estates) owe something


@dataclass(frozen=True)
class ArrearsQuery:
    """Which arrears: as of a date (the ledger as it stood at that day's end), in an estate or building."""

    as_of: date
    estate: int | None = None
    building: int | None = None
    group_by: ArrearsGroup = "house"
    houses: tuple[int, ...] | None = None  # only these payers (a cashier's selection)

    def params(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of,
            "cutoff": end_of_day(self.as_of),
            "d30": self.as_of - timedelta(days=30),
            "d90": self.as_of - timedelta(days=90),
            "d180": self.as_of - timedelta(days=180),
            "estate": self.estate,
            "building": self.building,
            "houses": list(self.houses or ()),
        }

    def grouped_sql(self) -> str:
        """Per group: each ageing bucket and the total; only groups that owe (or are owed) something.

        Each line counts from its own date (billing.outstanding: an adjustment's issue date, an
        allocation's business date, a reversal's entry), so an earlier `as_of` sees the ledger as
        it stood at that day's end.
        An adjustment is aged by its principal's due date, looked up by primary key (a few percent of
        the lines: cheaper than a join the planner would run as a merge over every charge); it has
        its principal's house, building and estate, and is issued after it."""
        key = {"house": "house_id", "building": "building_id", "estate": "estate_id"}[self.group_by]
        payment, counted = allocations_counted_sql(self.as_of, "al", "p")
        scope = ""
        if self.estate is not None:
            scope += " AND c.estate_id = %(estate)s"
        if self.building is not None:
            scope += " AND c.building_id = %(building)s"
        if self.houses is not None:
            scope += " AND c.house_id = ANY(%(houses)s)"
        lines = f"""
            SELECT c.{key} AS key, c.due_date, c.amount
              FROM {_CHARGE} c
             WHERE c.kind <> 'adjustment' AND c.issued_on <= %(as_of)s{scope}
            UNION ALL
            SELECT a.{key}, (SELECT c.due_date FROM {_CHARGE} c WHERE c.id = a.principal_id), a.amount
              FROM {_CHARGE} a
             WHERE a.kind = 'adjustment' AND a.issued_on <= %(as_of)s{scope.replace("c.", "a.")}
            UNION ALL
            SELECT c.{key}, c.due_date, -al.amount
              FROM {_ALLOCATION} al
              JOIN {_CHARGE} c ON c.id = al.charge_id
              {payment}
             WHERE {counted} AND c.issued_on <= %(as_of)s{scope}
        """
        # Summed per (group, bucket) first: one plain SUM per line, five groups per payer at most.
        return f"""
            WITH per_bucket AS (
                SELECT key,
                       CASE WHEN due_date > %(as_of)s THEN 0
                            WHEN due_date >= %(d30)s THEN 1
                            WHEN due_date >= %(d90)s THEN 2
                            WHEN due_date >= %(d180)s THEN 3
                            ELSE 4 END AS bucket,
                       SUM(amount) AS amount
                  FROM ({lines}) AS lines
                 GROUP BY 1, 2
            )
            SELECT key,
                   COALESCE(SUM(amount) FILTER (WHERE bucket = 0), 0) AS not_yet_due,
                   COALESCE(SUM(amount) FILTER (WHERE bucket = 1), 0) AS days_0_30,
                   COALESCE(SUM(amount) FILTER (WHERE bucket = 2), 0) AS days_31_90,
                   COALESCE(SUM(amount) FILTER (WHERE bucket = 3), 0) AS days_91_180,
                   COALESCE(SUM(amount) FILTER (WHERE bucket = 4), 0) AS days_over_180,
                   SUM(amount) AS total
              FROM per_bucket
             GROUP BY key
            HAVING SUM(amount) <> 0
        """

    def _labelled_sql(self) -> str:
        if self.group_by == "house":
            return f"""
                SELECT g.*, h.estate_id, e.name, h.building_id, b.name, h.id,
                       b.name || u.name || h.number AS label
                  FROM grouped g
                  JOIN {_HOUSE} h ON h.id = g.key
                  JOIN {_UNIT} u ON u.id = h.unit_id
                  JOIN {_BUILDING} b ON b.id = h.building_id
                  JOIN {_ESTATE} e ON e.id = h.estate_id
            """
        if self.group_by == "building":
            return f"""
                SELECT g.*, b.estate_id, e.name, b.id, b.name, NULL::bigint, b.name AS label
                  FROM grouped g
                  JOIN {_BUILDING} b ON b.id = g.key
                  JOIN {_ESTATE} e ON e.id = b.estate_id
            """
        return f"""
            SELECT g.*, e.id, e.name, NULL::bigint, '', NULL::bigint, e.name AS label
              FROM grouped g JOIN {_ESTATE} e ON e.id = g.key
        """

    def lines_sql(self, *, limit: int | None, offset: int) -> tuple[str, dict[str, Any]]:
        params = self.params()
        labelled = self._labelled_sql().replace("SELECT g.*,", "SELECT g.*, count(*) OVER () AS lines,", 1)
        sql = f"WITH grouped AS ({self.grouped_sql()}) {labelled} ORDER BY g.total DESC, g.key"
        if limit is not None:
            sql += " LIMIT %(limit)s OFFSET %(offset)s"
            params.update(limit=limit, offset=offset)
        return sql, params


def _line(row: tuple[Any, ...], payers: dict[int, str]) -> ArrearsLine:
    key, *buckets, _total, _count, estate_id, estate_name, building_id, building_name, house_id, label = row
    return ArrearsLine(
        **{name: money(value) for name, value in zip(BUCKETS, buckets, strict=True)},
        id=key,
        label=label,
        estate_id=estate_id,
        estate_name=estate_name,
        building_id=building_id,
        building_name=building_name or "",
        house_id=house_id,
        payer_name=payers.get(house_id, "") if house_id is not None else "",
    )


class ArrearsRows:
    """The arrears lines, sorted by what is owed (most first): `count()`, `page(offset, limit)` and
    iteration each run a fixed number of queries (a page: its lines, then its payers' names)."""

    def __init__(self, query: ArrearsQuery) -> None:
        self.query = query

    def count(self) -> int:
        rows = fetch(f"SELECT count(*) FROM ({self.query.grouped_sql()}) g", self.query.params())
        return int(rows[0][0])

    def __len__(self) -> int:
        return self.count()

    def page_and_count(self, *, offset: int, limit: int | None) -> tuple[list[ArrearsLine], int | None]:
        """A page of lines and how many lines there are in all, from one query (the count is None
        when the page is past the end: no row carried it)."""
        sql, params = self.query.lines_sql(limit=limit, offset=offset)
        rows = fetch(sql, params)
        payers: dict[int, str] = {}
        if self.query.group_by == "house" and rows:
            payers = resident_selectors.primary_payer_names(row[-2] for row in rows)
        return [_line(row, payers) for row in rows], (int(rows[0][7]) if rows else None)

    def page(self, *, offset: int, limit: int | None) -> list[ArrearsLine]:
        return self.page_and_count(offset=offset, limit=limit)[0]

    def __iter__(self) -> Iterator[ArrearsLine]:
        return iter(self.page(offset=0, limit=None))

    def __getitem__(self, index: slice) -> list[ArrearsLine]:
        if not isinstance(index, slice) or index.step not in (None, 1):
            raise TypeError("arrears rows are read by page")
        start = index.start or 0
        limit = None if index.stop is None else max(index.stop - start, 0)
        return self.page(offset=start, limit=limit)


def arrears(
    as_of: date,
    estate: int | None = None,
    building: int | None = None,
    group_by: ArrearsGroup = "house",
) -> ArrearsRows:
    """欠费明细 — outstanding per payer (or building, estate) with its ageing as of a date, most owed
    first. Includes what is issued but not yet due, in its own bucket."""
    return ArrearsRows(ArrearsQuery(as_of=as_of, estate=estate, building=building, group_by=group_by))


def arrears_totals(
    as_of: date,
    estate: int | None = None,
    building: int | None = None,
    group_by: ArrearsGroup = "house",
) -> ArrearsTotals:
    """欠费汇总 — the arrears lines summed: each bucket's total equals the sum of the lines'."""
    query = ArrearsQuery(as_of=as_of, estate=estate, building=building, group_by=group_by)
    sums = ", ".join(f"COALESCE(SUM({name}), 0)" for name in BUCKETS)
    ((count, *buckets),) = fetch(f"SELECT count(*), {sums} FROM ({query.grouped_sql()}) g", query.params())
    return ArrearsTotals(
        **{name: money(value) for name, value in zip(BUCKETS, buckets, strict=True)},
        as_of=as_of,
        group_by=group_by,
        lines=int(count),
    )


def owed_by_house(
    as_of: date, *, houses: list[int] | None = None, estate: int | None = None, building: int | None = None
) -> dict[int, Decimal]:
    """house id -> everything it owes as of a day (not yet due + overdue), for the chosen houses or
    the houses of an estate or building; only houses that owe something. One query over the ledger."""
    query = ArrearsQuery(
        as_of=as_of, estate=estate, building=building, houses=tuple(houses) if houses is not None else None
    )
    rows = fetch(f"SELECT key, total FROM ({query.grouped_sql()}) g WHERE total > 0 ORDER BY key", query.params())
    return {int(key): money(total) for key, total in rows}
