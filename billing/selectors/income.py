"""Income (收入) over business days: received − refunded − reversed, each part dated by its own
business day (Asia/Shanghai) and shown, by fee item, method, day or month.

- received (收款): money in from outside (cash, POS, transfer, cheque, WeChat, card) on the payment's
  business date — split by what it paid for: allocations per fee item (late fees their own line),
  what went to the prepaid balance (预存款), a deposit received (押金). A payment is spent exactly on
  these (a database rule), so the split adds up to the payments. Draws on a prepaid balance or a
  deposit move money already received: not income.
- refunded (退款): refunds on the day their money went back (`refunded_at`: the approval of an
  offline refund, the channel's confirmation of one to the original channel, the cash pay-out of a
  failed channel refund), by their refund method: a payment's refund under the fee items its reversal
  lines take back, a prepaid balance's under 预存款, a deposit's under 押金. A refund still in flight
  (refunding 退款中, refund_failed 退款失败) is no money out and has no ledger line yet; its amount is
  shown apart (`refunding`, `refund_failed`: approved by the range's end and still so now), never in
  the net.
- reversed (作废冲正): payments received whose receipt was voided, on the day of the void: the
  payment's own lines taken back. (A payment with a refund is not voidable, and a voided payment has
  nothing left to refund — billing.services.receipts — so no money is taken back twice.)

The same rows, grouped differently, give every view and the cashier's day (billing.selectors.cashier):
one query, its lines adding up to its totals.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, Literal

from django.conf import settings
from django.db.models import Count, Sum
from django.utils.translation import gettext as _

from billing.models import (
    Allocation,
    BalanceEntry,
    Charge,
    ChargeKind,
    Deposit,
    FeeItem,
    Payment,
    PaymentMethod,
    PayoutStatus,
    Receipt,
    Refund,
    RequestStatus,
)
from billing.models.ledger import RECEIVED_METHODS
from billing.selectors.report_sql import ZERO, end_of_day, fetch, money, month_start, months_between, table
from tenants.estates.models import House

IncomeBy = Literal["fee_item", "method", "day", "month"]
INCOME_BY: tuple[IncomeBy, ...] = ("fee_item", "method", "day", "month")
PARTS = ("received", "refunded", "reversed")


@dataclass(frozen=True)
class IncomeLine:
    key: str  # a fee item id ("12", "12:late_fee"), "prepaid", "deposit"; a method; a date; a month
    label: str
    amount: Decimal  # net: received − refunded − reversed
    count: int  # payments received (a payment split over several fee items counts in each)
    received: Decimal = ZERO
    refunded: Decimal = ZERO
    reversed: Decimal = ZERO


@dataclass(frozen=True)
class Income:
    date_from: date
    date_to: date  # inclusive
    by: IncomeBy
    lines: list[IncomeLine]
    total: Decimal  # net
    count: int  # payments received
    received: Decimal = ZERO
    refunded: Decimal = ZERO
    reversed: Decimal = ZERO
    # money in flight, not in the net: refunds approved by date_to whose money has not gone back
    refunding: Decimal = ZERO
    refunding_count: int = 0
    refund_failed: Decimal = ZERO
    refund_failed_count: int = 0


@dataclass(frozen=True)
class Scope:
    """Which money: business days [date_from, date_to], an estate, one cashier's (their payments,
    the refunds they requested, the receipts they voided), received methods only or every payment."""

    date_from: date
    date_to: date
    estate: int | None = None
    cashier: int | None = None
    received_only: bool = True
    parts: tuple[str, ...] = field(default=PARTS)

    def params(self) -> dict[str, Any]:
        return {
            "date_from": self.date_from,
            "date_to": self.date_to,
            "start": end_of_day(self.date_from - timedelta(days=1)),
            "end": end_of_day(self.date_to),
            "tz": settings.TIME_ZONE,
            "received": sorted(RECEIVED_METHODS),
            "estate": self.estate,
            "cashier": self.cashier,
        }


# A service charge is income of its fee item like a regular one (one line per item, late fees apart).
_KIND = f"(CASE c.kind WHEN '{ChargeKind.SERVICE.value}' THEN '{ChargeKind.REGULAR.value}' ELSE c.kind END)"

_GROUPS = {
    "fee_item": ("m.item", "m.kind"),
    "method": ("m.method",),
    "day": ("m.day",),
    "month": ("date_trunc('month', m.day)::date",),
}


def _sql(scope: Scope, by: IncomeBy) -> str:
    payment, allocation, charge = table(Payment), table(Allocation), table(Charge)
    balance, deposit, receipt, refund = table(BalanceEntry), table(Deposit), table(Receipt), table(Refund)
    methods = " AND p.method = ANY(%(received)s)" if scope.received_only else ""
    estate = " AND p.estate_id = %(estate)s" if scope.estate is not None else ""
    mine = " AND p.cashier_id = %(cashier)s" if scope.cashier is not None else ""
    voided_by = " AND r.voided_by_id = %(cashier)s" if scope.cashier is not None else ""
    # a cashier's refunds: those they paid out in cash, else those they asked for
    refund_scope = ""
    if scope.cashier is not None:
        refund_scope = " AND COALESCE(f.paid_out_by_id, f.requested_by_id) = %(cashier)s"
    if scope.estate is not None:
        refund_scope += f" AND f.house_id IN (SELECT id FROM {table(House)} WHERE estate_id = %(estate)s)"
    refunded = PayoutStatus.REFUNDED.value
    keys = _GROUPS[by]
    columns = ", ".join(keys) + (", NULL" if len(keys) == 1 else "")
    return f"""
        WITH received AS (
            SELECT p.id, p.method, p.business_date AS day
              FROM {payment} p
             WHERE p.business_date BETWEEN %(date_from)s AND %(date_to)s{methods}{estate}{mine}
        ), voided AS (
            SELECT p.id, p.method, (r.voided_at AT TIME ZONE %(tz)s)::date AS day
              FROM {receipt} r JOIN {payment} p ON p.id = r.payment_id
             WHERE r.voided_at >= %(start)s AND r.voided_at < %(end)s
                   AND p.method = ANY(%(received)s){estate}{voided_by}
        ), refunds AS (
            SELECT f.id, f.source, f.payment_id, f.method, f.amount, (f.refunded_at AT TIME ZONE %(tz)s)::date AS day
              FROM {refund} f
             WHERE f.payout_status = '{refunded}'
                   AND f.refunded_at >= %(start)s AND f.refunded_at < %(end)s{refund_scope}
        ), spent AS (
            SELECT al.payment_id, c.fee_item_id AS item, {_KIND} AS kind, al.amount
              FROM {allocation} al JOIN {charge} c ON c.id = al.charge_id
             WHERE al.reverses_id IS NULL
                   AND al.payment_id IN (SELECT id FROM received UNION ALL SELECT id FROM voided)
            UNION ALL
            SELECT be.payment_id, NULL, 'prepaid', be.amount
              FROM {balance} be
             WHERE be.kind IN ('top_up', 'overpayment')
                   AND be.payment_id IN (SELECT id FROM received UNION ALL SELECT id FROM voided)
            UNION ALL
            SELECT d.payment_id, NULL, 'deposit', d.amount
              FROM {deposit} d
             WHERE d.payment_id IN (SELECT id FROM received UNION ALL SELECT id FROM voided)
        ), m AS (
            SELECT 'received' AS part, r.day, r.method, s.item, s.kind, s.amount, 'p' || r.id AS ref
              FROM received r JOIN spent s ON s.payment_id = r.id
            UNION ALL
            SELECT 'reversed', v.day, v.method, s.item, s.kind, s.amount, 'v' || v.id
              FROM voided v JOIN spent s ON s.payment_id = v.id
            UNION ALL
            SELECT 'refunded', f.day, f.method, NULL, CASE f.source WHEN 'balance' THEN 'prepaid' ELSE 'deposit' END,
                   f.amount, 'f' || f.id
              FROM refunds f WHERE f.source <> 'payment'
            UNION ALL
            -- a payment's refund takes back its allocations by reversal lines, written in the transaction
            -- that paid it back just before its `reversed_at`: each line is the next reversed refund's
            SELECT 'refunded', f.day, f.method, c.fee_item_id, {_KIND}, -al.amount, 'f' || f.id
              FROM refunds f
              JOIN {allocation} al ON al.payment_id = f.payment_id AND al.reverses_id IS NOT NULL
              JOIN {charge} c ON c.id = al.charge_id
             WHERE f.source = 'payment' AND f.id = (
                   SELECT g.id FROM {refund} g
                    WHERE g.payment_id = al.payment_id AND g.reversed_at >= al.created_at
                    ORDER BY g.reversed_at, g.id LIMIT 1)
        )
        SELECT GROUPING({", ".join(keys)}) = 0 AS line, {columns}, m.part, SUM(m.amount), COUNT(DISTINCT m.ref)
          FROM m
         WHERE m.part = ANY(%(parts)s)
         GROUP BY GROUPING SETS (({", ".join(keys)}, m.part), (m.part))
    """


@dataclass
class _Sums:
    received: Decimal = ZERO
    refunded: Decimal = ZERO
    reversed: Decimal = ZERO
    count: int = 0  # payments received
    counts: dict[str, int] = field(default_factory=dict)  # per part: payments, refunds, voids

    def add(self, part: str, amount: Any, count: int) -> None:
        setattr(self, part, getattr(self, part) + money(amount))
        self.counts[part] = count
        if part == "received":
            self.count = count

    def line(self, key: str, label: str) -> IncomeLine:
        net = self.received - self.refunded - self.reversed
        return IncomeLine(key, label, net, self.count, self.received, self.refunded, self.reversed)


def movements(scope: Scope, by: IncomeBy) -> tuple[dict[tuple[Any, Any], _Sums], _Sums]:
    """The parts per group (a fee item and charge kind, a method, a day, a month) and in all."""
    params = {**scope.params(), "parts": list(scope.parts)}
    groups: dict[tuple[Any, Any], _Sums] = {}
    total = _Sums()
    for is_line, first, second, part, amount, count in fetch(_sql(scope, by), params):
        target = groups.setdefault((first, second), _Sums()) if is_line else total
        target.add(part, amount, count)
    return groups, total


def method_label(method: str) -> str:
    if method == "original":
        return _("原路退回")
    return str(dict(PaymentMethod.choices).get(method, method))


def _method_order(method: str) -> int:
    values = [*PaymentMethod.values, "original"]
    return values.index(method) if method in values else len(values)


def fee_item_lines(groups: dict[tuple[Any, Any], _Sums]) -> list[IncomeLine]:
    """Fee items by name (a late fee after its item), then the prepaid balance, then deposits."""
    names = dict(FeeItem.objects.filter(pk__in={item for item, _kind in groups if item}).values_list("pk", "name"))
    lines = []
    items = sorted(
        ((item, kind) for item, kind in groups if item is not None),
        key=lambda k: (names.get(k[0], ""), k[0], k[1] == ChargeKind.LATE_FEE),
    )
    for item, kind in items:
        name = names.get(item, "")
        if kind == ChargeKind.LATE_FEE:
            key, label = f"{item}:late_fee", _("滞纳金（%(item)s）") % {"item": name}
        else:
            key, label = str(item), name
        lines.append(groups[(item, kind)].line(key, label))
    for kind, label in (("prepaid", _("预存款")), ("deposit", _("押金"))):
        if (None, kind) in groups:
            lines.append(groups[(None, kind)].line(kind, label))
    return lines


def method_lines(groups: dict[tuple[Any, Any], _Sums]) -> list[IncomeLine]:
    return [
        groups[(method, None)].line(method, method_label(method))
        for method in sorted((method for method, _none in groups), key=_method_order)
    ]


def _days(date_from: date, date_to: date) -> Iterable[date]:
    day = date_from
    while day <= date_to:
        yield day
        day += timedelta(days=1)


def in_flight(scope: Scope) -> dict[str, tuple[Decimal, int]]:
    """Refunds approved by the scope's end whose money has not gone back yet: {payout status: (sum, count)}."""
    refunds = Refund.objects.filter(
        status=RequestStatus.APPROVED,
        payout_status__in=[PayoutStatus.REFUNDING, PayoutStatus.REFUND_FAILED],
        decided_at__lt=end_of_day(scope.date_to),
    )
    if scope.estate is not None:
        refunds = refunds.filter(house__estate_id=scope.estate)
    if scope.cashier is not None:
        refunds = refunds.filter(requested_by_id=scope.cashier)
    rows = refunds.values("payout_status").annotate(total=Sum("amount"), n=Count("id")).order_by()
    return {row["payout_status"]: (money(row["total"]), row["n"]) for row in rows}


def income(date_from: date, date_to: date, estate: int | None = None, by: IncomeBy = "fee_item") -> Income:
    """收入 over the business days [date_from, date_to]: received − refunded − reversed, by fee item,
    method, day or month (every day or month of the range is a line, zero when nothing moved). Each
    part of the lines adds up to that part of the total; `amount` and `total` are net."""
    groups, total = movements(Scope(date_from, date_to, estate=estate), by)
    if by == "fee_item":
        lines = fee_item_lines(groups)
    elif by == "method":
        lines = method_lines(groups)
    else:
        if by == "day":
            keys: Iterable[date] = _days(date_from, date_to)
        else:
            first = month_start(date_from)
            keys = [month_start(first, step) for step in range(months_between(first, date_to) + 1)]
        lines = []
        for key in keys:
            label = key.isoformat() if by == "day" else key.strftime("%Y-%m")
            lines.append(groups.get((key, None), _Sums()).line(label, label))
    net = total.line("", "")
    flight = in_flight(Scope(date_from, date_to, estate=estate))
    refunding, refunding_count = flight.get(PayoutStatus.REFUNDING, (ZERO, 0))
    failed, failed_count = flight.get(PayoutStatus.REFUND_FAILED, (ZERO, 0))
    return Income(
        date_from=date_from,
        date_to=date_to,
        by=by,
        lines=lines,
        total=net.amount,
        count=net.count,
        received=net.received,
        refunded=net.refunded,
        reversed=net.reversed,
        refunding=refunding,
        refunding_count=refunding_count,
        refund_failed=failed,
        refund_failed_count=failed_count,
    )
