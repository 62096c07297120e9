"""Billing reports (收费报表): arrears with ageing (欠费账龄), collection rate (收缴率), income (收入),
the cashier's daily summary (收银日报) — each a query over the ledger, never a stored counter.

How the ledger adds up (billing.models.ledger):
- a charge's net is its amount plus its adjustments (negative charges pointing at it as `principal`);
- what is paid on it is the sum of its allocations, reversals (negative rows) included;
- outstanding = net − paid. Late fees are charges of their own, with their own due date.

Large reports are set-based: the three kinds of ledger line that move a charge's outstanding (the
charge, its adjustments, its allocations) are stacked with UNION ALL, each tagged with the due date
of the charge it belongs to, and summed per payer (or building, estate) in one GROUP BY — no
correlated subquery per charge, no Python loop over charges. Arrears for an estate of 300,000
charges is a few hundred milliseconds (tests/bench/reports.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Literal

from django.db import connection, transaction
from django.db.models import (
    Count,
    DecimalField,
    F,
    OuterRef,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from billing.models import (
    Allocation,
    BalanceEntry,
    BalanceEntryKind,
    Charge,
    ChargeKind,
    Deposit,
    FeeItem,
    Payment,
    PaymentMethod,
    Refund,
    RequestStatus,
)
from billing.models.ledger import RECEIVED_METHODS
from tenants.estates.models import Building, Estate, House, Unit
from tenants.residents import selectors as resident_selectors

ArrearsGroup = Literal["house", "building", "estate"]
IncomeBy = Literal["fee_item", "method", "day", "month"]
ARREARS_GROUPS: tuple[ArrearsGroup, ...] = ("house", "building", "estate")
INCOME_BY: tuple[IncomeBy, ...] = ("fee_item", "method", "day", "month")

ZERO = Decimal("0.00")
CENT = Decimal("0.01")
RATE_PLACES = Decimal("0.0001")
_MONEY: DecimalField[Decimal, Decimal] = DecimalField(max_digits=14, decimal_places=2)


def _money(value: Any) -> Decimal:
    return (Decimal(value) if value is not None else ZERO).quantize(CENT)


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


_CHARGE = _q(Charge._meta.db_table)
_ALLOCATION = _q(Allocation._meta.db_table)
_HOUSE = _q(House._meta.db_table)
_UNIT = _q(Unit._meta.db_table)
_BUILDING = _q(Building._meta.db_table)
_ESTATE = _q(Estate._meta.db_table)


def end_of_day(day: date) -> datetime:
    """The first instant after `day` in the company's time zone: rows created before it are that day's."""
    return timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))


# --- one charge at a time ---------------------------------------------------------------------------


def charge_balances() -> QuerySet[Charge]:
    """Charges that can be owed (regular and late fees, not adjustment lines), each annotated with
    `adjusted` (its adjustments, ≤ 0), `net` (amount + adjusted), `paid` (its allocations, reversals
    included) and `outstanding` (net − paid). Two correlated subqueries in the one query, so a page
    of them is one query whatever its size; for figures over many charges use the reports below."""
    adjustments = (
        Charge.objects.filter(principal=OuterRef("pk"), kind=ChargeKind.ADJUSTMENT)
        .order_by()
        .values("principal")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    allocated = (
        Allocation.objects.filter(charge=OuterRef("pk"))
        .order_by()
        .values("charge")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    zero = Value(ZERO, output_field=_MONEY)
    return (
        Charge.objects.exclude(kind=ChargeKind.ADJUSTMENT)
        .annotate(
            adjusted=Coalesce(Subquery(adjustments, output_field=_MONEY), zero),
            paid=Coalesce(Subquery(allocated, output_field=_MONEY), zero),
        )
        .annotate(net=F("amount") + F("adjusted"))
        .annotate(outstanding=F("net") - F("paid"))
    )


# --- arrears and ageing -----------------------------------------------------------------------------


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

    def params(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of,
            "cutoff": end_of_day(self.as_of),
            "d30": self.as_of - timedelta(days=30),
            "d90": self.as_of - timedelta(days=90),
            "d180": self.as_of - timedelta(days=180),
            "estate": self.estate,
            "building": self.building,
        }

    def grouped_sql(self) -> str:
        """Per group: each ageing bucket and the total; only groups that owe (or are owed) something.

        Adjustments and allocations are dated by when they entered the ledger (an adjustment's
        issue date, an allocation's creation), so an earlier `as_of` sees the ledger as it stood.
        An adjustment is aged by its principal's due date, looked up by primary key (a few percent of
        the lines: cheaper than a join the planner would run as a merge over every charge); it has
        its principal's house, building and estate, and is issued after it."""
        key = {"house": "house_id", "building": "building_id", "estate": "estate_id"}[self.group_by]
        scope = ""
        if self.estate is not None:
            scope += " AND c.estate_id = %(estate)s"
        if self.building is not None:
            scope += " AND c.building_id = %(building)s"
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
              FROM {_ALLOCATION} al JOIN {_CHARGE} c ON c.id = al.charge_id
             WHERE al.created_at < %(cutoff)s AND c.issued_on <= %(as_of)s{scope}
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


def _fetch(sql: str, params: dict[str, Any]) -> list[tuple[Any, ...]]:
    """Run a report query with room to aggregate in memory (an estate's ledger grouped per payer
    spills past the default work_mem to disk, doubling the time), and without JIT compilation,
    which costs more than it saves on a query that runs once."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL work_mem = '64MB'")
        cursor.execute("SET LOCAL jit = off")
        cursor.execute(sql, params)
        return list(cursor.fetchall())


def _line(row: tuple[Any, ...], payers: dict[int, str]) -> ArrearsLine:
    key, *buckets, _total, _count, estate_id, estate_name, building_id, building_name, house_id, label = row
    return ArrearsLine(
        **{name: _money(value) for name, value in zip(BUCKETS, buckets, strict=True)},
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
        rows = _fetch(f"SELECT count(*) FROM ({self.query.grouped_sql()}) g", self.query.params())
        return int(rows[0][0])

    def __len__(self) -> int:
        return self.count()

    def page_and_count(self, *, offset: int, limit: int | None) -> tuple[list[ArrearsLine], int | None]:
        """A page of lines and how many lines there are in all, from one query (the count is None
        when the page is past the end: no row carried it)."""
        sql, params = self.query.lines_sql(limit=limit, offset=offset)
        rows = _fetch(sql, params)
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
    ((count, *buckets),) = _fetch(f"SELECT count(*), {sums} FROM ({query.grouped_sql()}) g", query.params())
    return ArrearsTotals(
        **{name: _money(value) for name, value in zip(BUCKETS, buckets, strict=True)},
        as_of=as_of,
        group_by=group_by,
        lines=int(count),
    )


# --- collection rate --------------------------------------------------------------------------------


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


def _collection_sql(*, by_month: bool, estate: int | None) -> str:
    scope = " AND estate_id = %(estate)s" if estate is not None else ""
    month = "date_trunc('month', cycle_start)::date" if by_month else "NULL::date"
    return f"""
        WITH owed AS (
            SELECT id, amount, {month} AS month
              FROM {_CHARGE}
             WHERE kind IN ('regular', 'late_fee')
                   AND cycle_start >= %(start)s AND cycle_start < %(end)s{scope}
        ), lines AS (
            SELECT month, amount AS due, 0 AS paid, 1 AS charges FROM owed
            UNION ALL
            SELECT o.month, a.amount, 0, 0
              FROM {_CHARGE} a JOIN owed o ON o.id = a.principal_id
             WHERE a.kind = 'adjustment' AND a.issued_on <= %(as_of)s
            UNION ALL
            SELECT o.month, 0, al.amount, 0
              FROM {_ALLOCATION} al JOIN owed o ON o.id = al.charge_id
             WHERE al.created_at < %(cutoff)s
        )
        SELECT month, COALESCE(SUM(due), 0), COALESCE(SUM(paid), 0), COALESCE(SUM(charges), 0)
          FROM lines GROUP BY month
    """


def _collection_rows(
    start: date, end: date, *, estate: int | None, as_of: date | None, by_month: bool
) -> dict[date | None, tuple[Decimal, Decimal, int]]:
    as_of = as_of or timezone.localdate()
    params = {"start": start, "end": end, "estate": estate, "as_of": as_of, "cutoff": end_of_day(as_of)}
    rows = _fetch(_collection_sql(by_month=by_month, estate=estate), params)
    return {month: (_money(due), _money(paid), int(n)) for month, due, paid, n in rows}


def collection_rate(
    period_start: date, period_end: date, estate: int | None = None, *, as_of: date | None = None
) -> Collection:
    """收缴率 for the charges (regular and late fees) whose cycle starts in [period_start, period_end):
    due = their amounts net of adjustments, paid = what is allocated to them (reversals included),
    counting what entered the ledger by the end of `as_of` (today)."""
    rows = _collection_rows(period_start, period_end, estate=estate, as_of=as_of, by_month=False)
    due, paid, charges = rows.get(None, (ZERO, ZERO, 0))
    return Collection(period_start=period_start, period_end=period_end, due=due, paid=paid, charges=charges)


def add_months(day: date, months: int) -> date:
    """The first of the month `months` after `day`'s month."""
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def collection_by_month(months: int = 12, as_of: date | None = None, estate: int | None = None) -> list[Collection]:
    """The collection rate of each of the last `months` months (by cycle start), oldest first, up to
    the month of `as_of` (today); a month with nothing due is there with rate None."""
    as_of = as_of or timezone.localdate()
    first = add_months(as_of, -(months - 1))
    end = add_months(as_of, 1)
    rows = _collection_rows(first, end, estate=estate, as_of=as_of, by_month=True)
    series = []
    for step in range(months):
        month = add_months(first, step)
        due, paid, charges = rows.get(month, (ZERO, ZERO, 0))
        series.append(
            Collection(period_start=month, period_end=add_months(month, 1), due=due, paid=paid, charges=charges)
        )
    return series


# --- income and the cashier's day -------------------------------------------------------------------


@dataclass(frozen=True)
class IncomeLine:
    key: str  # a fee item id ("12", "12:late_fee"), "prepaid", "deposit"; a method; a date; a month
    label: str
    amount: Decimal
    count: int  # payments (a payment split over several fee items counts in each)


@dataclass(frozen=True)
class Income:
    date_from: date
    date_to: date  # inclusive
    by: IncomeBy
    lines: list[IncomeLine]
    total: Decimal
    count: int  # payments


def received_payments(
    date_from: date, date_to: date, estate: int | None = None, *, received_only: bool = True
) -> QuerySet[Payment]:
    """Payments of the business days [date_from, date_to]: money received from outside unless
    `received_only` is False (then draws on a prepaid balance or deposit too)."""
    payments = Payment.objects.filter(business_date__gte=date_from, business_date__lte=date_to)
    if received_only:
        payments = payments.filter(method__in=sorted(RECEIVED_METHODS))
    if estate is not None:
        payments = payments.filter(estate_id=estate)
    return payments


def _by_fee_item(payments: QuerySet[Payment]) -> list[IncomeLine]:
    """What the payments paid for: allocations per fee item (late fees their own line), what went
    to the prepaid balance, deposits received. A payment is spent exactly on these (a database rule),
    so the lines add up to the payments. Reversals are later rows of their own, not income lost."""
    ids = payments.order_by().values("pk")
    lines: list[IncomeLine] = []
    allocated = (
        Allocation.objects.filter(payment__in=ids, amount__gt=0)
        .order_by()
        .values("charge__fee_item_id", "charge__kind")
        .annotate(amount=Sum("amount"), count=Count("payment_id", distinct=True))
        .values_list("charge__fee_item_id", "charge__kind", "amount", "count")
    )
    rows = list(allocated)
    names = dict(FeeItem.objects.filter(pk__in={row[0] for row in rows}).values_list("pk", "name"))
    for item_id, kind, amount, count in sorted(rows, key=lambda r: (names.get(r[0], ""), r[0], r[1])):
        name = names.get(item_id, "")
        if kind == ChargeKind.LATE_FEE:
            lines.append(
                IncomeLine(f"{item_id}:late_fee", _("滞纳金（%(item)s）") % {"item": name}, _money(amount), count)
            )
        else:
            lines.append(IncomeLine(str(item_id), name, _money(amount), count))
    prepaid = BalanceEntry.objects.filter(
        payment__in=ids, kind__in=[BalanceEntryKind.TOP_UP, BalanceEntryKind.OVERPAYMENT]
    ).aggregate(amount=Sum("amount"), count=Count("payment_id", distinct=True))
    if prepaid["amount"]:
        lines.append(IncomeLine("prepaid", _("预存款"), _money(prepaid["amount"]), prepaid["count"]))
    deposits = Deposit.objects.filter(payment__in=ids).aggregate(amount=Sum("amount"), count=Count("id"))
    if deposits["amount"]:
        lines.append(IncomeLine("deposit", _("押金"), _money(deposits["amount"]), deposits["count"]))
    return lines


def _by_method(payments: QuerySet[Payment]) -> list[IncomeLine]:
    labels = dict(PaymentMethod.choices)
    rows = payments.order_by().values("method").annotate(amount=Sum("amount"), count=Count("id"))
    return [
        IncomeLine(row["method"], str(labels.get(row["method"], row["method"])), _money(row["amount"]), row["count"])
        for row in sorted(rows, key=lambda r: list(labels).index(r["method"]) if r["method"] in labels else 99)
    ]


def _days(date_from: date, date_to: date) -> Iterable[date]:
    day = date_from
    while day <= date_to:
        yield day
        day += timedelta(days=1)


def income(date_from: date, date_to: date, estate: int | None = None, by: IncomeBy = "fee_item") -> Income:
    """收入 — money received from outside (cash, POS, transfer, cheque, WeChat, card) on the business
    days [date_from, date_to], by fee item, method, day or month (every day or month of the range is a
    line, zero when nothing came in). The lines add up to the total."""
    payments = received_payments(date_from, date_to, estate)
    if by == "fee_item":
        lines = _by_fee_item(payments)
    elif by == "method":
        lines = _by_method(payments)
    else:
        if by == "day":
            grouped = payments.order_by().values("business_date").annotate(amount=Sum("amount"), count=Count("id"))
            found = {row["business_date"]: row for row in grouped}
            keys: Iterable[date] = _days(date_from, date_to)
        else:
            grouped = (
                payments.order_by()
                .annotate(month=TruncMonth("business_date"))
                .values("month")
                .annotate(amount=Sum("amount"), count=Count("id"))
            )
            found = {row["month"]: row for row in grouped}
            first = date_from.replace(day=1)
            keys = [add_months(first, step) for step in range(_months_between(first, date_to) + 1)]
        lines = []
        for key in keys:
            row = found.get(key)
            label = key.isoformat() if by == "day" else key.strftime("%Y-%m")
            lines.append(IncomeLine(label, label, _money(row["amount"] if row else 0), row["count"] if row else 0))
    totals = payments.aggregate(amount=Sum("amount"), count=Count("id"))
    return Income(
        date_from=date_from,
        date_to=date_to,
        by=by,
        lines=lines,
        total=_money(totals["amount"]),
        count=totals["count"],
    )


def _months_between(first: date, last: date) -> int:
    return (last.year - first.year) * 12 + last.month - first.month


@dataclass(frozen=True)
class MethodLine(IncomeLine):
    received: bool = True  # money from outside; False for draws on a prepaid balance or deposit


@dataclass(frozen=True)
class RefundLine:
    key: str  # the refund method
    label: str
    amount: Decimal
    count: int


@dataclass(frozen=True)
class CashierDay:
    """收银日报 — a business day's payments (one cashier's, or everyone's) by method and by fee item,
    and the refunds approved that day. `amount` is every payment; `received` only money from outside."""

    business_date: date
    cashier: int | None
    by_method: list[MethodLine]
    by_fee_item: list[IncomeLine]
    refunds: list[RefundLine] = field(default_factory=list)
    count: int = 0
    amount: Decimal = ZERO
    received: Decimal = ZERO
    refunded: Decimal = ZERO

    @property
    def net_received(self) -> Decimal:
        return self.received - self.refunded


def cashier_daily(business_date: date, cashier: int | None = None) -> CashierDay:
    """The day's payments by method (internal draws marked as such) and by fee item — both add up to
    `amount` — and refunds approved that day (for a cashier: the ones they requested)."""
    payments = received_payments(business_date, business_date, received_only=False)
    if cashier is not None:
        payments = payments.filter(cashier_id=cashier)
    by_method = [
        MethodLine(line.key, line.label, line.amount, line.count, received=line.key in RECEIVED_METHODS)
        for line in _by_method(payments)
    ]
    refunds = Refund.objects.filter(
        status=RequestStatus.APPROVED,
        decided_at__gte=end_of_day(business_date - timedelta(days=1)),
        decided_at__lt=end_of_day(business_date),
    )
    if cashier is not None:
        refunds = refunds.filter(requested_by_id=cashier)
    labels = dict(PaymentMethod.choices)
    refund_lines = [
        RefundLine(row["method"], str(labels.get(row["method"], row["method"])), _money(row["amount"]), row["count"])
        for row in refunds.order_by("method").values("method").annotate(amount=Sum("amount"), count=Count("id"))
    ]
    return CashierDay(
        business_date=business_date,
        cashier=cashier,
        by_method=by_method,
        by_fee_item=_by_fee_item(payments),
        refunds=refund_lines,
        count=sum(line.count for line in by_method),
        amount=sum((line.amount for line in by_method), ZERO),
        received=sum((line.amount for line in by_method if line.received), ZERO),
        refunded=sum((line.amount for line in refund_lines), ZERO),
    )
