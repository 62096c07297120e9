"""The cashier's day (收银日报): a business day's payments by method and by fee item, the refunds
approved and the receipts voided that day — for one cashier or everyone. The rows are income's
(billing.selectors.income), with draws on prepaid balances and deposits included and marked."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from billing.models.ledger import RECEIVED_METHODS
from billing.selectors.income import IncomeLine, Scope, fee_item_lines, method_label, method_lines, movements
from billing.selectors.report_sql import ZERO


@dataclass(frozen=True)
class DayLine:
    key: str  # a method; a fee item id ("12", "12:late_fee"), "prepaid", "deposit"
    label: str
    amount: Decimal
    count: int  # payments


@dataclass(frozen=True)
class MethodLine(DayLine):
    received: bool = True  # money from outside; False for draws on a prepaid balance or deposit


@dataclass(frozen=True)
class RefundLine:
    key: str  # the refund method; for voids, the voided payments' method
    label: str
    amount: Decimal
    count: int


@dataclass(frozen=True)
class CashierDay:
    """`amount` is every payment; `received` only money from outside; `refunded` the refunds approved
    that day (a cashier's: those they requested); `reversed` the payments received whose receipts were
    voided that day (a cashier's: those they voided)."""

    business_date: date
    cashier: int | None
    by_method: list[MethodLine]
    by_fee_item: list[DayLine]
    refunds: list[RefundLine] = field(default_factory=list)
    voids: list[RefundLine] = field(default_factory=list)
    count: int = 0
    amount: Decimal = ZERO
    received: Decimal = ZERO
    refunded: Decimal = ZERO
    reversed: Decimal = ZERO

    @property
    def net_received(self) -> Decimal:
        return self.received - self.refunded - self.reversed


def _paid(line: IncomeLine) -> DayLine:
    return DayLine(line.key, line.label, line.received, line.count)


def cashier_daily(business_date: date, cashier: int | None = None) -> CashierDay:
    """The day's payments by method (internal draws marked as such) and by fee item — both add up to
    `amount` — with the day's refunds and voids by method."""
    paid = Scope(business_date, business_date, cashier=cashier, received_only=False, parts=("received",))
    by_method = [
        MethodLine(line.key, line.label, line.received, line.count, received=line.key in RECEIVED_METHODS)
        for line in method_lines(movements(paid, "method")[0])
    ]
    by_fee_item = [_paid(line) for line in fee_item_lines(movements(paid, "fee_item")[0])]
    back = Scope(business_date, business_date, cashier=cashier, parts=("refunded", "reversed"))
    groups, _total = movements(back, "method")
    refunds, voids = [], []
    for (method, _none), sums in sorted(groups.items()):
        if sums.refunded:
            refunds.append(RefundLine(method, method_label(method), sums.refunded, sums.counts["refunded"]))
        if sums.reversed:
            voids.append(RefundLine(method, method_label(method), sums.reversed, sums.counts["reversed"]))
    return CashierDay(
        business_date=business_date,
        cashier=cashier,
        by_method=by_method,
        by_fee_item=by_fee_item,
        refunds=refunds,
        voids=voids,
        count=sum(line.count for line in by_method),
        amount=sum((line.amount for line in by_method), ZERO),
        received=sum((line.amount for line in by_method if line.received), ZERO),
        refunded=sum((line.amount for line in refunds), ZERO),
        reversed=sum((line.amount for line in voids), ZERO),
    )
