"""What a charge still owes (未缴金额) — the one definition, in the forms the code reads it in.

    outstanding = amount + adjusted − paid
    adjusted    = the sum of its adjustment lines (negative charges whose principal is it), ≤ 0
    paid        = the sum of its allocations, reversals (negative rows) included
    net         = amount + adjusted

Only regular charges, service charges and late fees are owed (an adjustment shows in its principal's net); a late fee
is a charge of its own, with its own due date. Its status (unpaid, partial, paid, overdue) follows
from these and the day.

When a line counts (reports "as of" a day, dated in the company's time zone):
- a charge and an adjustment from their issue date;
- an allocation from its payment's business date (营业日, the Asia/Shanghai date the money was
  received — a payment taken at 23:30 on 31 January and keyed in on 1 February is January's);
- a reversal (a void, a refund) from when it was entered: that is when it happened.

Forms (each used where it is fastest; tests hold them to the same answers):
- `annotate(charges)` / `charge_balances()`: the ORM, a correlated subquery per sum, one query for any
  page (the staff ledger, the cash desk, posting late fees, due notices);
- `lateral_joins_sql(alias)`: the same sums as LATERAL joins for hand-written SQL (the owner's bills,
  whose ORM form cost more to compile than to run — tests/bench/owner_bills.py);
- `allocations_counted_sql(...)`: the dating rule above, for the set-based reports (arrears, the
  collection rate), which add up the same lines per payer in one GROUP BY instead of per charge.

A module of its own, beside the models, because both writes (billing.services: which charges a
payment pays, which late fees to post) and reads (billing.selectors) need it, and those two layers
do not import each other.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import (
    Case,
    CharField,
    DecimalField,
    ExpressionWrapper,
    F,
    OuterRef,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy

from billing.models import Allocation, Charge, ChargeKind, Payment

ZERO = Decimal("0.00")
MONEY: DecimalField[Decimal, Decimal] = DecimalField(max_digits=14, decimal_places=2)


class ChargeStatus:
    UNPAID = "unpaid"
    PARTIAL = "partial"
    PAID = "paid"
    OVERDUE = "overdue"
    CHOICES = [
        (UNPAID, gettext_lazy("未缴")),
        (PARTIAL, gettext_lazy("部分缴纳")),
        (PAID, gettext_lazy("已缴清")),
        (OVERDUE, gettext_lazy("已逾期")),
    ]


CHARGE_STATUS_CHOICES = ChargeStatus.CHOICES


def sum_of(queryset: QuerySet[Any], group: str, field: str = "amount") -> Coalesce:
    """The sum of `field` over `queryset` (already tied to OuterRef), as a scalar subquery; 0 if none."""
    total = queryset.order_by().values(group).annotate(total=Sum(field)).values("total")[:1]
    return Coalesce(Subquery(total, output_field=MONEY), Value(ZERO), output_field=MONEY)


def adjusted_of(ref: str = "pk") -> Coalesce:
    return sum_of(Charge.objects.filter(principal=OuterRef(ref), kind=ChargeKind.ADJUSTMENT), "principal")


def paid_of(ref: str = "pk") -> Coalesce:
    return sum_of(Allocation.objects.filter(charge=OuterRef(ref)), "charge")


def late_posted_of(ref: str = "pk") -> Coalesce:
    """The late fees posted on a principal so far."""
    return sum_of(Charge.objects.filter(principal=OuterRef(ref), kind=ChargeKind.LATE_FEE), "principal")


def annotate(charges: QuerySet[Charge], *, late_posted: bool = False) -> QuerySet[Charge]:
    """Charges annotated with `adjusted`, `paid`, `net` and `outstanding` (and `late_posted`)."""
    if late_posted:
        charges = charges.annotate(late_posted=late_posted_of())
    return (
        charges.annotate(adjusted=adjusted_of(), paid=paid_of())
        .annotate(net=ExpressionWrapper(F("amount") + F("adjusted"), output_field=MONEY))
        .annotate(outstanding=ExpressionWrapper(F("net") - F("paid"), output_field=MONEY))
    )


def charge_balances() -> QuerySet[Charge]:
    """Every charge that can be owed (regular, service and late fees), annotated as `annotate` does."""
    return annotate(Charge.objects.exclude(kind=ChargeKind.ADJUSTMENT))


def with_status(charges: QuerySet[Charge], *, as_of: date | None = None) -> QuerySet[Charge]:
    """`annotate`, plus `status` as of a day (today): the rule `charge_status` states in Python."""
    as_of = as_of or timezone.localdate()
    return annotate(charges).annotate(
        status=Case(
            When(outstanding__lte=0, then=Value(ChargeStatus.PAID)),
            When(due_date__lt=as_of, then=Value(ChargeStatus.OVERDUE)),
            When(paid__gt=0, then=Value(ChargeStatus.PARTIAL)),
            default=Value(ChargeStatus.UNPAID),
            output_field=CharField(),
        )
    )


def charge_status(*, outstanding: Decimal, paid: Decimal, due_date: date, as_of: date) -> str:
    """A charge's status from what it owes, for rows read in SQL (the owner's bills)."""
    if outstanding <= 0:
        return ChargeStatus.PAID
    if due_date < as_of:
        return ChargeStatus.OVERDUE
    if paid > 0:
        return ChargeStatus.PARTIAL
    return ChargeStatus.UNPAID


def payer_owing(ref: str = "pk") -> ExpressionWrapper[Any]:
    """What a payer (the house `ref`) owes in all: the sum of its charges' outstanding, which is every
    charge line (adjustments are ≤ 0) less every allocation — two sums, not one per charge."""
    charged = sum_of(Charge.objects.filter(house=OuterRef(ref)), "house")
    allocated = sum_of(Allocation.objects.filter(charge__house=OuterRef(ref)), "charge__house")
    return ExpressionWrapper(charged - allocated, output_field=MONEY)


def owing(house_id: int) -> list[tuple[Charge, Decimal]]:
    """(charge, outstanding) of a payer's charges still owing, oldest due first, fee items loaded."""
    rows = (
        charge_balances()
        .filter(house_id=house_id, **{"outstanding__gt": 0})  # an annotation
        .select_related("fee_item")
        .order_by("due_date", "period_start", "id")
    )
    return [(charge, charge.outstanding) for charge in rows]  # type: ignore[attr-defined]


# --- the SQL forms ----------------------------------------------------------------------------------

_CHARGE = Charge._meta.db_table
_ALLOCATION = Allocation._meta.db_table
_PAYMENT = Payment._meta.db_table


def lateral_joins_sql(alias: str = "c") -> str:
    """LEFT JOINs giving, for the charge `alias`, `ld.adjusted`, `ld.late_posted` and `la.paid` (NULL
    when none): net is `alias.amount + COALESCE(ld.adjusted, 0)`, outstanding net − COALESCE(la.paid, 0)."""
    return f"""
        LEFT JOIN LATERAL (
            SELECT SUM(x.amount) FILTER (WHERE x.kind = '{ChargeKind.ADJUSTMENT.value}') AS adjusted,
                   SUM(x.amount) FILTER (WHERE x.kind = '{ChargeKind.LATE_FEE.value}') AS late_posted
            FROM {_CHARGE} x WHERE x.principal_id = {alias}.id) ld ON TRUE
        LEFT JOIN LATERAL (
            SELECT SUM(y.amount) AS paid FROM {_ALLOCATION} y WHERE y.charge_id = {alias}.id) la ON TRUE"""


def net_sql(alias: str = "c") -> str:
    return f"({alias}.amount + COALESCE(ld.adjusted, 0))"


def outstanding_sql(alias: str = "c") -> str:
    return f"({net_sql(alias)} - COALESCE(la.paid, 0))"


def allocations_counted_sql(as_of: date, allocation: str = "al", payment: str = "p") -> tuple[str, str]:
    """(a JOIN, an SQL condition) keeping the allocations `allocation` that had happened by the end of
    `as_of` (the query's %(as_of)s and %(cutoff)s, the first instant after it): an allocation on its
    payment's business date, a reversal when it was entered.

    As of today or later that is every row on the ledger — no payment is dated after it is recorded
    (record_payment never takes a received time later than now) — so the payment is not joined: the
    reports as of today stay a plain scan."""
    if as_of >= timezone.localdate():
        return "", "TRUE"
    join = f"JOIN {_PAYMENT} {payment} ON {payment}.id = {allocation}.payment_id"
    condition = (
        f"(CASE WHEN {allocation}.reverses_id IS NULL THEN {payment}.business_date <= %(as_of)s"
        f" ELSE {allocation}.created_at < %(cutoff)s END)"
    )
    return join, condition
