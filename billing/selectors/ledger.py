"""Reads of the ledger for staff: every list a fixed number of queries, whatever its size.

What a charge still owes, and its status, are billing.outstanding's (computed in the query, never
stored); the owner's own view is billing.selectors.owner.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction
from typing import Any, NamedTuple

from django.db.models import (
    CharField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.db.models.functions import Coalesce, Concat
from django.utils.translation import gettext as _

from billing import outstanding
from billing.models import (
    Allocation,
    BalanceEntry,
    BillRun,
    CashierShift,
    Charge,
    ChargeKind,
    Deposit,
    DepositSettlement,
    Payment,
    Receipt,
    Refund,
    VacancyDiscount,
    Waiver,
)
from billing.outstanding import MONEY, sum_of
from core import text
from tenants.estates.models import House
from tenants.residents import selectors as resident_selectors
from tenants.residents.models import Occupancy, Person


def charges() -> QuerySet[Charge]:
    """The staff ledger: regular charges and late fees (adjustments show in their principal's net),
    with what each owes and its status (billing.outstanding)."""
    return outstanding.with_status(
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
        queryset = queryset.filter(**{"status": status})  # an annotation (outstanding.with_status)
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
    if charge.kind == ChargeKind.SERVICE:
        return charge.reason or _("服务费")
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


class Reversible(NamedTuple):
    allocation_id: int
    charge_id: int
    left: Decimal  # the allocation's amount less what its reversals already took back


def reversible_allocations(payment_id: int) -> list[Reversible]:
    """What a refund or a void may still take back of a payment: each allocation with something left
    after its reversals (an allocation may be refunded in parts), the latest charges first."""
    rows = (
        Allocation.objects.filter(payment_id=payment_id, reverses__isnull=True)
        .annotate(left=F("amount") + Coalesce(Sum("reversals__amount"), Decimal("0.00")))
        .filter(left__gt=0)
        .order_by("-charge__due_date", "-id")
        .values_list("pk", "charge_id", "left")
    )
    return [Reversible(pk, charge_id, left) for pk, charge_id, left in rows]


def receipts() -> QuerySet[Receipt]:
    return Receipt.objects.select_related(
        "payment__house__building", "payment__house__unit", "payment__house__estate", "payment__cashier"
    )


def waivers() -> QuerySet[Waiver]:
    return Waiver.objects.select_related(
        "charge__house__building", "charge__house__unit", "charge__fee_item", "requested_by", "decided_by"
    )


def vacancies() -> QuerySet[VacancyDiscount]:
    return VacancyDiscount.objects.select_related(
        "house__building", "house__unit", "house__estate", "fee_item", "rule", "requested_by", "decided_by"
    )


def refunds() -> QuerySet[Refund]:
    return Refund.objects.select_related("house__building", "house__unit", "requested_by", "decided_by", "paid_out_by")


def deposits() -> QuerySet[Deposit]:
    settled = sum_of(DepositSettlement.objects.filter(deposit=OuterRef("pk")), "deposit")
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
        .annotate(owing=outstanding.payer_owing(), payer_name=_primary_payer_name())
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
    balance = sum_of(BalanceEntry.objects.filter(house=OuterRef("pk")), "house")
    return (
        House.objects.filter(Exists(BalanceEntry.objects.filter(house=OuterRef("pk"))))
        .select_related("building", "unit", "estate")
        .annotate(balance=balance)
        .exclude(balance=0)
        .order_by("estate__name", "building__name", "unit__name", "floor", "number")
    )


def balance_entries(house_id: int) -> QuerySet[BalanceEntry]:
    return BalanceEntry.objects.filter(house_id=house_id).select_related("payment").order_by("-created_at", "-id")
