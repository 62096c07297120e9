"""Reads of the ledger for staff and owners: every list a fixed number of queries, whatever its size.

What a charge still owes is computed in the query (subqueries over its adjustments and allocations),
never stored; its status (unpaid, partial, paid, overdue) is derived from that and today's date, so a
filter on status and the status shown on the row are the same expression.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction
from typing import Any

from django.db import connection
from django.db.models import (
    Case,
    CharField,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.expressions import CombinedExpression
from django.db.models.functions import Coalesce, Concat
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from billing import late_fees as late_fee_policies
from billing.models import (
    Allocation,
    BalanceEntry,
    BillRun,
    CashierShift,
    Charge,
    ChargeKind,
    Deposit,
    DepositSettlement,
    FeeItem,
    Payment,
    Receipt,
    Refund,
    Waiver,
)
from core import text
from tenants.estates.models import Building, Estate, House, Unit
from tenants.residents import selectors as resident_selectors
from tenants.residents.models import Occupancy, Person

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


def _sum_of(queryset: QuerySet[Any], group: str, field: str = "amount") -> Coalesce:
    """The sum of `field` over `queryset` (already tied to OuterRef), as a scalar subquery; 0 if none."""
    total = queryset.order_by().values(group).annotate(total=Sum(field)).values("total")[:1]
    return Coalesce(Subquery(total, output_field=MONEY), Value(ZERO), output_field=MONEY)


def with_outstanding(charges: QuerySet[Charge], *, as_of: date | None = None) -> QuerySet[Charge]:
    """Charges annotated with adjusted (≤ 0), net, paid, outstanding and status; one query."""
    as_of = as_of or timezone.localdate()
    adjusted = _sum_of(Charge.objects.filter(principal=OuterRef("pk"), kind=ChargeKind.ADJUSTMENT), "principal")
    paid = _sum_of(Allocation.objects.filter(charge=OuterRef("pk")), "charge")
    return (
        charges.annotate(adjusted=adjusted, paid=paid)
        .annotate(net=ExpressionWrapper(F("amount") + F("adjusted"), output_field=MONEY))
        .annotate(outstanding=ExpressionWrapper(F("net") - F("paid"), output_field=MONEY))
        .annotate(
            status=Case(
                When(outstanding__lte=0, then=Value(ChargeStatus.PAID)),
                When(due_date__lt=as_of, then=Value(ChargeStatus.OVERDUE)),
                When(paid__gt=0, then=Value(ChargeStatus.PARTIAL)),
                default=Value(ChargeStatus.UNPAID),
                output_field=CharField(),
            )
        )
    )


def charges() -> QuerySet[Charge]:
    """The staff ledger: regular charges and late fees (adjustments show in their principal's net)."""
    return with_outstanding(
        Charge.objects.exclude(kind=ChargeKind.ADJUSTMENT).select_related(
            "house__building", "house__unit", "house__estate", "fee_item"
        )
    ).order_by("-due_date", "-id")


def filter_charges(
    queryset: QuerySet[Charge],
    *,
    status: str = "",
    period_from: date | None = None,
    period_to: date | None = None,
) -> QuerySet[Charge]:
    if status:
        queryset = queryset.filter(**{"status": status})  # an annotation (with_outstanding)
    if period_from:
        queryset = queryset.filter(period_end__gt=period_from)
    if period_to:
        queryset = queryset.filter(period_start__lt=period_to + timedelta(days=1))
    return queryset


# --- explaining a line to a person -----------------------------------------------------------------


def _months_text(months: Any) -> str:
    """ "16/31" → "16/31", "3/1" → "3"; a fraction is kept exact rather than rounded for display."""
    try:
        value = Fraction(str(months))
    except (ValueError, ZeroDivisionError):
        return str(months)
    return str(value.numerator) if value.denominator == 1 else f"{value.numerator}/{value.denominator}"


def _readings_text(readings: Any) -> str:
    if isinstance(readings, list) and readings and isinstance(readings[0], dict):
        first, last = readings[0], readings[-1]
        previous, current = first.get("previous"), last.get("current")
        if previous is not None and current is not None:
            return _("读数 %(previous)s→%(current)s ") % {"previous": previous, "current": current}
    return ""


def explain(charge: Charge) -> str:
    """A charge's computation in words, from the inputs it recorded (`calculation`):
    "89.50㎡ × 2.5000 元 × 1 月", "读数 120→135 用量 15 × 3.20", "逾期 12 天 × 0.05%"."""
    calc: dict[str, Any] = charge.calculation if isinstance(charge.calculation, dict) else {}
    if charge.kind == ChargeKind.LATE_FEE:
        policy = calc.get("late_fee") or {}
        due = calc.get("due_date")
        until = charge.period_end - timedelta(days=1)
        days = (until - date.fromisoformat(due)).days if isinstance(due, str) else None
        rate = policy.get("rate") if isinstance(policy, dict) else None
        if days is not None and rate and policy.get("strategy") == "daily_rate":
            percent = (Decimal(str(rate)) * 100).normalize()
            return _("逾期 %(days)s 天 × %(rate)s%%") % {"days": days, "rate": f"{percent:f}"}
        if days is not None:
            return _("逾期 %(days)s 天滞纳金") % {"days": days}
        return _("滞纳金")
    if charge.kind == ChargeKind.ADJUSTMENT:
        return charge.reason or _("减免")
    mode = calc.get("mode", "")
    months = _months_text(calc.get("months", "1"))
    if mode in ("building_area", "usable_area"):
        return _("%(base)s㎡ × %(price)s 元 × %(months)s 月") % {
            "base": calc.get("base"),
            "price": calc.get("unit_price"),
            "months": months,
        }
    if mode == "fixed":
        return _("%(price)s 元/期 × %(months)s 月") % {"price": calc.get("unit_price"), "months": months}
    if mode in ("count", "time"):
        if calc.get("months") is None:
            return _("%(qty)s × %(price)s 元 × %(days)s 天") % {
                "qty": calc.get("base"),
                "price": calc.get("unit_price"),
                "days": calc.get("days"),
            }
        return _("%(qty)s × %(price)s 元 × %(months)s 月") % {
            "qty": calc.get("base"),
            "price": calc.get("unit_price"),
            "months": months,
        }
    if mode in ("meter", "shared_meter", "usage"):
        usage = calc.get("usage")
        readings = _readings_text(calc.get("readings"))
        if isinstance(usage, dict):
            parts = "，".join(f"{k} {v}" for k, v in usage.items())
            return _("%(readings)s用量 %(usage)s（峰谷计价）") % {"readings": readings, "usage": parts}
        if calc.get("tiers"):
            return _("%(readings)s用量 %(usage)s（阶梯计价）") % {"readings": readings, "usage": usage}
        return _("%(readings)s用量 %(usage)s × %(price)s") % {
            "readings": readings,
            "usage": usage,
            "price": calc.get("unit_price"),
        }
    if mode == "manual":
        if calc.get("usage") is not None:
            return _("用量 %(usage)s × %(price)s") % {"usage": calc.get("usage"), "price": calc.get("unit_price")}
        return charge.reason or _("手工录入")
    if mode == "formula":
        return _("公式 %(formula)s") % {"formula": calc.get("formula", "")}
    if calc.get("manual") or charge.reason:
        return charge.reason or _("手工录入")
    return ""


# --- bill runs, payments, receipts, requests --------------------------------------------------------


def bill_runs() -> QuerySet[BillRun]:
    return BillRun.objects.select_related("estate", "building", "job", "created_by").prefetch_related("fee_items")


def payments() -> QuerySet[Payment]:
    return Payment.objects.select_related(
        "house__building", "house__unit", "house__estate", "cashier", "receipt"
    ).order_by("-received_at", "-id")


def payment_lines(payment_ids: Sequence[int]) -> dict[int, list[Allocation]]:
    """The allocations of many payments, in one query: {payment id: [allocation, ...]}."""
    found: dict[int, list[Allocation]] = {pk: [] for pk in payment_ids}
    if not payment_ids:
        return found
    rows = (
        Allocation.objects.filter(payment_id__in=payment_ids)
        .select_related("charge__fee_item")
        .order_by("payment_id", "id")
    )
    for row in rows:
        found[row.payment_id].append(row)
    return found


def receipts() -> QuerySet[Receipt]:
    return Receipt.objects.select_related(
        "payment__house__building", "payment__house__unit", "payment__house__estate", "payment__cashier"
    )


def waivers() -> QuerySet[Waiver]:
    return Waiver.objects.select_related(
        "charge__house__building", "charge__house__unit", "charge__fee_item", "requested_by", "decided_by"
    )


def refunds() -> QuerySet[Refund]:
    return Refund.objects.select_related("house__building", "house__unit", "requested_by", "decided_by")


def deposits() -> QuerySet[Deposit]:
    settled = _sum_of(DepositSettlement.objects.filter(deposit=OuterRef("pk")), "deposit")
    return (
        Deposit.objects.select_related("house__building", "house__unit", "house__estate", "payment")
        .annotate(settled=settled)
        .annotate(remaining=ExpressionWrapper(F("amount") - F("settled"), output_field=MONEY))
    )


def shifts() -> QuerySet[CashierShift]:
    return CashierShift.objects.select_related("cashier")


# --- houses: the cash desk and balances ------------------------------------------------------------


def _label() -> Concat:
    return Concat("building__name", "unit__name", "number", output_field=CharField())


def _house_owing() -> ExpressionWrapper[CombinedExpression]:
    charged = _sum_of(Charge.objects.filter(house=OuterRef("pk")), "house")
    allocated = _sum_of(Allocation.objects.filter(charge__house=OuterRef("pk")), "charge__house")
    return ExpressionWrapper(charged - allocated, output_field=MONEY)


def _primary_payer_name() -> Subquery:
    payer = Occupancy.objects.filter(house=OuterRef("pk"), moved_out__isnull=True).order_by(
        "-is_primary_payer", "relation", "id"
    )
    return Subquery(payer.values("person__name")[:1], output_field=CharField())


def search_houses(query: str, *, limit: int = 20) -> list[House]:
    """The cash desk's search: a house number or label ("1栋1单元101", "101"), an owner's name, or a
    phone number (through the blind index: no phone is decrypted). Each row with what it owes."""
    term = text.normalise(query).replace(" ", "")
    if not term:
        return []
    match = Q(number=term) | Q(full_label__icontains=term)
    digits = term.lstrip("+")
    if digits.isdigit() and len(digits) >= 7:
        people = resident_selectors.filter_people(Person.objects.all(), phone=term)
        match |= Q(Exists(Occupancy.objects.filter(house=OuterRef("pk"), moved_out__isnull=True, person__in=people)))
    else:
        match |= Q(
            Exists(Occupancy.objects.filter(house=OuterRef("pk"), moved_out__isnull=True, person__name__icontains=term))
        )
    houses = (
        House.objects.select_related("building", "unit", "estate")
        .annotate(full_label=_label())
        .filter(match)
        .annotate(owing=_house_owing(), payer_name=_primary_payer_name())
        .order_by("estate__name", "building__name", "unit__name", "floor", "number")
    )
    return list(houses[:limit])


def house_for_desk(house_id: int) -> House | None:
    return (
        House.objects.select_related("building", "unit", "estate")
        .annotate(payer_name=_primary_payer_name())
        .filter(pk=house_id)
        .first()
    )


def primary_payer(house: House) -> Person | None:
    occupancy = (
        Occupancy.objects.filter(house=house, moved_out__isnull=True)
        .select_related("person")
        .order_by("-is_primary_payer", "relation", "id")
        .first()
    )
    return occupancy.person if occupancy else None


def recent_payments(house_id: int, *, limit: int = 10) -> list[Payment]:
    return list(payments().filter(house_id=house_id)[:limit])


def held_deposits(house_id: int) -> list[Deposit]:
    return list(deposits().filter(house_id=house_id, **{"remaining__gt": 0}).order_by("-created_at"))


def balances() -> QuerySet[House]:
    """Houses with a prepaid balance other than zero, with the balance."""
    balance = _sum_of(BalanceEntry.objects.filter(house=OuterRef("pk")), "house")
    return (
        House.objects.filter(Exists(BalanceEntry.objects.filter(house=OuterRef("pk"))))
        .select_related("building", "unit", "estate")
        .annotate(balance=balance)
        .exclude(balance=0)
        .order_by("estate__name", "building__name", "unit__name", "floor", "number")
    )


def balance_entries(house_id: int) -> QuerySet[BalanceEntry]:
    return BalanceEntry.objects.filter(house_id=house_id).select_related("payment").order_by("-created_at", "-id")


# --- the owner's own view --------------------------------------------------------------------------


def _current_occupancies_of(user: Any) -> QuerySet[Occupancy]:
    """The houses an owner is bound to now: their resident record's current relations (as
    tenants.residents.selectors.person_of + houses_of, in one query)."""
    return Occupancy.objects.filter(person__user=user, person__user__isnull=False, moved_out__isnull=True)


def owner_house_ids(user: Any) -> list[int]:
    ids = _current_occupancies_of(user).order_by("moved_in", "id").values_list("house_id", flat=True)
    return list(dict.fromkeys(ids))


@dataclass(frozen=True)
class OwnerHouse:
    """One of an owner's houses as the owner's bills show it."""

    pk: int
    label: str  # as House.label: building, unit, number
    estate_name: str
    balance: Decimal  # prepaid (预存款)


def _owner_houses_sql(filtered: bool) -> str:
    return f"""
        SELECT h.id, b.name || u.name || h.number, e.name,
               COALESCE((SELECT SUM(be.amount) FROM {BalanceEntry._meta.db_table} be WHERE be.house_id = h.id), 0)
        FROM {Occupancy._meta.db_table} o
        JOIN {Person._meta.db_table} p ON p.id = o.person_id
        JOIN {House._meta.db_table} h ON h.id = o.house_id
        JOIN {Building._meta.db_table} b ON b.id = h.building_id
        JOIN {Unit._meta.db_table} u ON u.id = h.unit_id
        JOIN {Estate._meta.db_table} e ON e.id = h.estate_id
        WHERE p.user_id = %s AND o.moved_out IS NULL {"AND o.house_id = ANY(%s)" if filtered else ""}
        ORDER BY o.moved_in, o.id"""  # noqa: S608 (models' tables; values are parameters)


def owner_houses(user: Any, house_ids: Sequence[int] | None = None) -> list[OwnerHouse]:
    """The owner's houses now (those of `house_ids` among them), each with its prepaid balance: one
    query, in SQL rather than the ORM — the mini-program's home screen asks for it on every visit, and
    compiling the ORM's form of it cost more than running it (tests/bench/owner_bills.py)."""
    if user is None or user.pk is None:
        return []
    params: list[Any] = [user.pk]
    if house_ids is not None:
        params.append(list(house_ids))
    with connection.cursor() as cursor:
        cursor.execute(_owner_houses_sql(house_ids is not None), params)
        rows = cursor.fetchall()
    houses: dict[int, OwnerHouse] = {}
    for pk, label, estate_name, balance in rows:
        houses.setdefault(pk, OwnerHouse(pk=pk, label=label, estate_name=estate_name, balance=balance))
    return list(houses.values())


# Charge columns owner_lines reads, in the model's field order (Model.from_db defers the others).
_LINE_FIELDS = (
    "id",
    "house_id",
    "fee_item_id",
    "kind",
    "period_start",
    "period_end",
    "amount",
    "due_date",
    "calculation",
    "principal_id",
    "reason",
)
_FEE_ITEM_FIELDS = ("id", "name", "payable_online", "late_fee")


def _owner_lines_sql() -> str:
    charge, allocation, fee_item = Charge._meta.db_table, Allocation._meta.db_table, FeeItem._meta.db_table
    columns = ", ".join(f"c.{name}" for name in _LINE_FIELDS)
    # net, paid and outstanding as with_outstanding computes them (adjustments are ≤ 0; what a
    # charge still owes is net − paid), each subquery once per line rather than once per use.
    return f"""
        SELECT {columns}, f.id, f.name, f.payable_online, f.late_fee,
               c.amount + COALESCE(d.adjusted, 0), COALESCE(a.paid, 0), COALESCE(d.late_posted, 0),
               p.period_start, p.period_end
        FROM {charge} c
        JOIN {fee_item} f ON f.id = c.fee_item_id
        LEFT JOIN {charge} p ON p.id = c.principal_id
        LEFT JOIN LATERAL (
            SELECT SUM(x.amount) FILTER (WHERE x.kind = %(adjustment)s) AS adjusted,
                   SUM(x.amount) FILTER (WHERE x.kind = %(late_fee)s) AS late_posted
            FROM {charge} x WHERE x.principal_id = c.id) d ON TRUE
        LEFT JOIN LATERAL (SELECT SUM(y.amount) AS paid FROM {allocation} y WHERE y.charge_id = c.id) a ON TRUE
        WHERE c.house_id = ANY(%(houses)s) AND c.kind <> %(adjustment)s
          AND (c.amount + COALESCE(d.adjusted, 0) - COALESCE(a.paid, 0) > 0 OR c.period_end > %(paid_since)s)
        ORDER BY c.house_id, c.due_date, c.period_start, c.id"""  # noqa: S608 (models' tables; values are parameters)


def charge_status(*, outstanding: Decimal, paid: Decimal, due_date: date, as_of: date) -> str:
    """A charge's status from what it owes: the rule with_outstanding writes as SQL, for rows read
    without it (owner_lines); tests/billing/test_ledger_api.py holds the two to the same answers."""
    if outstanding <= 0:
        return ChargeStatus.PAID
    if due_date < as_of:
        return ChargeStatus.OVERDUE
    if paid > 0:
        return ChargeStatus.PARTIAL
    return ChargeStatus.UNPAID


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str | bytes) else value


def owner_lines(house_ids: Sequence[int], *, paid_since: date, as_of: date | None = None) -> list[Charge]:
    """Every line still owing, and those paid since `paid_since`, of the houses, as charges (only the
    fields shown loaded) annotated as with_outstanding annotates them (adjusted, net, paid,
    outstanding, status) and with the late fees posted on each (`late_posted`) and, on a late fee,
    its principal's (period_start, period_end) (`principal_period`), their fee item loaded: one
    query, in SQL (see owner_houses)."""
    as_of = as_of or timezone.localdate()
    if not house_ids:
        return []
    params: dict[str, Any] = {
        "houses": list(house_ids),
        "paid_since": paid_since,
        "adjustment": ChargeKind.ADJUSTMENT,
        "late_fee": ChargeKind.LATE_FEE,
    }
    with connection.cursor() as cursor:
        cursor.execute(_owner_lines_sql(), params)
        rows = cursor.fetchall()
    db = connection.alias
    width = len(_LINE_FIELDS)
    items: dict[int, FeeItem] = {}
    lines = []
    for row in rows:
        values = list(row[:width])
        values[_LINE_FIELDS.index("calculation")] = _json(values[_LINE_FIELDS.index("calculation")])
        charge = Charge.from_db(db, _LINE_FIELDS, values)
        item_id, item_name, payable_online, late_fee, net, paid, late_posted, principal_start, principal_end = row[
            width:
        ]
        item = items.get(item_id)
        if item is None:
            item = FeeItem.from_db(db, _FEE_ITEM_FIELDS, (item_id, item_name, payable_online, _json(late_fee)))
            items[item_id] = item
        charge.fee_item = item
        outstanding = net - paid
        charge.adjusted = net - charge.amount  # type: ignore[attr-defined]  # as with_outstanding
        charge.net = net  # type: ignore[attr-defined]
        charge.paid = paid  # type: ignore[attr-defined]
        charge.outstanding = outstanding  # type: ignore[attr-defined]
        charge.status = charge_status(  # type: ignore[attr-defined]
            outstanding=outstanding, paid=paid, due_date=charge.due_date, as_of=as_of
        )
        charge.late_posted = late_posted  # type: ignore[attr-defined]
        # A late fee's principal: the bill it is the late fee of (same fee item), by its period.
        charge.principal_period = (  # type: ignore[attr-defined]
            (principal_start, principal_end) if charge.principal_id is not None else None
        )
        lines.append(charge)
    return lines


def accruing_late_fees(lines: Iterable[Charge], *, as_of: date) -> list[tuple[Charge, Decimal]]:
    """(principal, late fee accrued and not yet posted) over lines of owner_lines — the same rule as
    billing.services.late_fees.accrued_unposted, without its queries."""
    result = []
    for charge in lines:
        if charge.kind != ChargeKind.REGULAR or charge.due_date >= as_of or not charge.fee_item.late_fee:
            continue
        net, paid = charge.net, charge.paid  # type: ignore[attr-defined]  # annotated (with_outstanding)
        if net - paid <= 0:
            continue
        policy = late_fee_policies.policy_from_config(charge.fee_item.late_fee)
        due = late_fee_policies.late_fee_due(policy, principal=net, due=charge.due_date, as_of=as_of)
        extra = due - charge.late_posted  # type: ignore[attr-defined]
        if extra > 0:
            result.append((charge, extra))
    return result


def owner_payments(house_ids: Sequence[int]) -> QuerySet[Payment]:
    return (
        Payment.objects.filter(house_id__in=list(house_ids))
        .select_related("house__building", "house__unit", "receipt")
        .order_by("-received_at", "-id")
    )


def owner_receipt(user: Any, receipt_id: int) -> Receipt | None:
    """A receipt of one of the owner's houses, or None (the caller answers 404 either way)."""
    return (
        Receipt.objects.select_related("payment")
        .filter(pk=receipt_id, payment__house_id__in=_current_occupancies_of(user).values("house_id"))
        .first()
    )
