"""Reads of the ledger for an owner (the mini-program): their houses, their bills, their payments
and receipts — only ever those of the houses they are bound to now.

The bills screen is read in SQL rather than the ORM: the mini-program's home screen asks for it on
every visit, and compiling the ORM's form cost more than running it (tests/bench/owner_bills.py).
What a line owes is billing.outstanding's definition, in its SQL form.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import QuerySet
from django.utils import timezone

from billing import late_fees as late_fee_policies
from billing import outstanding
from billing.models import BalanceEntry, Charge, ChargeKind, FeeItem, Payment, Receipt, Refund
from tenants.estates.models import Building, Estate, House, Unit
from tenants.residents.models import Occupancy, Person


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
    charge, fee_item = Charge._meta.db_table, FeeItem._meta.db_table
    columns = ", ".join(f"c.{name}" for name in _LINE_FIELDS)
    return f"""
        SELECT {columns}, f.id, f.name, f.payable_online, f.late_fee,
               {outstanding.net_sql("c")}, COALESCE(la.paid, 0), COALESCE(ld.late_posted, 0),
               p.period_start, p.period_end
        FROM {charge} c
        JOIN {fee_item} f ON f.id = c.fee_item_id
        LEFT JOIN {charge} p ON p.id = c.principal_id
        {outstanding.lateral_joins_sql("c")}
        WHERE c.house_id = ANY(%(houses)s) AND c.kind <> %(adjustment)s
          AND ({outstanding.outstanding_sql("c")} > 0 OR c.period_end > %(paid_since)s)
        ORDER BY c.house_id, c.due_date, c.period_start, c.id"""  # noqa: S608 (models' tables; values are parameters)


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str | bytes) else value


def owner_lines(house_ids: Sequence[int], *, paid_since: date, as_of: date | None = None) -> list[Charge]:
    """Every line still owing, and those paid since `paid_since`, of the houses, as charges (only the
    fields shown loaded) annotated as billing.outstanding.with_status annotates them (adjusted, net, paid,
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
        owed = net - paid
        charge.adjusted = net - charge.amount  # type: ignore[attr-defined]  # as outstanding.annotate
        charge.net = net  # type: ignore[attr-defined]
        charge.paid = paid  # type: ignore[attr-defined]
        charge.outstanding = owed  # type: ignore[attr-defined]
        charge.status = outstanding.charge_status(  # type: ignore[attr-defined]
            outstanding=owed, paid=paid, due_date=charge.due_date, as_of=as_of
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
        if (
            charge.kind not in (ChargeKind.REGULAR, ChargeKind.SERVICE)
            or charge.due_date >= as_of
            or not charge.fee_item.late_fee
        ):
            continue
        net, paid = charge.net, charge.paid  # type: ignore[attr-defined]  # annotated (owner_lines)
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


# What the owner sees of a payment's refunds (PaymentRefunds.state; '' when none).
PAYMENT_REFUND_STATES = ("refunding", "partially_refunded", "refunded")


@dataclass(frozen=True)
class PaymentRefunds:
    """What the owner sees of a payment's refunds: the money back with them, and on its way."""

    refunded: Decimal
    refunding: Decimal

    def state(self, paid: Decimal) -> str:
        """refunding (some on its way) · refunded (all of it back) · partially_refunded · "" (none)."""
        if self.refunding > 0:
            return "refunding"
        if self.refunded >= paid and self.refunded > 0:
            return "refunded"
        return "partially_refunded" if self.refunded > 0 else ""


def _refund_stage(status: str, payout_status: str) -> str:
    """Where an approved refund's money is (billing.models.PayoutStatus): back with the payer (an
    offline refund once approved, a channel refund once the channel says so) or on its way. Requests
    pending or rejected, and channel refunds that failed (staff retry or pay out in cash), show nothing
    until money moves."""
    if status != "approved":
        return ""
    if payout_status == "refunded":
        return "refunded"
    if payout_status == "refunding":
        return "refunding"
    return ""


def payment_refunds(payment_ids: Sequence[int]) -> dict[int, PaymentRefunds]:
    """Each payment's refunds as the owner sees them (one query); payments without any are absent."""
    totals: dict[int, dict[str, Decimal]] = {}
    rows = Refund.objects.filter(payment_id__in=list(payment_ids), source=Refund.Source.PAYMENT)
    for payment_id, amount, status, payout_status in rows.values_list(
        "payment_id", "amount", "status", "payout_status"
    ):
        stage = _refund_stage(status, payout_status)
        if stage:
            entry = totals.setdefault(payment_id, {"refunded": Decimal("0.00"), "refunding": Decimal("0.00")})
            entry[stage] += amount
    return {pid: PaymentRefunds(refunded=t["refunded"], refunding=t["refunding"]) for pid, t in totals.items()}


def owner_receipt(user: Any, receipt_id: int) -> Receipt | None:
    """A receipt of one of the owner's houses, or None (the caller answers 404 either way)."""
    return (
        Receipt.objects.select_related("payment")
        .filter(pk=receipt_id, payment__house_id__in=_current_occupancies_of(user).values("house_id"))
        .first()
    )


def adjustments_of(principal_ids: Sequence[int]) -> dict[int, list[tuple[Decimal, str]]]:
    """Each line's adjustments (discounts, reductions) as (amount, reason), oldest first: one query."""
    found: dict[int, list[tuple[Decimal, str]]] = {}
    adjustments = Charge.objects.filter(principal_id__in=principal_ids, kind=ChargeKind.ADJUSTMENT).order_by("id")
    for principal_id, amount, reason in adjustments.values_list("principal_id", "amount", "reason"):
        found.setdefault(principal_id, []).append((amount, reason))
    return found
