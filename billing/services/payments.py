"""Payments (收款) and their allocation (核销): the one service every way of paying goes through.

A cashier's cash, POS, transfer or cheque, and (next issue) a WeChat Pay or card notification, all
call `record_payment`: under the payer's row lock it posts the late fees due today, allocates the
money to the chosen charges or else to the oldest due first, puts any excess on the payer's prepaid
balance, and numbers the receipt — one transaction. A retried request with the same idempotency key
returns the first payment instead of taking the money twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from billing import outstanding
from billing.models import (
    Allocation,
    BalanceEntry,
    BalanceEntryKind,
    Charge,
    ChargeKind,
    Payment,
    PaymentMethod,
)
from billing.models.ledger import OFFLINE_METHODS
from billing.services import idempotency, late_fees, payment_notices, receipts
from billing.services.common import audit, check_amount, field_error, lock_payer, today
from core.actions import action
from core.errors import DomainError
from core.i18n import records_language
from tenants.estates.models import House

ZERO = Decimal("0.00")


def open_lines(house_id: int) -> list[tuple[Charge, Decimal]]:
    """(charge, outstanding) of every charge still owing, oldest due first; one query."""
    return outstanding.owing(house_id)


def balance_of(house_id: int) -> Decimal:
    total = BalanceEntry.objects.filter(house_id=house_id).aggregate(total=Sum("amount"))["total"]
    return total or ZERO


def allocate(payment: Payment, lines: Sequence[tuple[Charge, Decimal]], amount: Decimal) -> Decimal:
    """Allocate up to `amount` over the lines in order; returns what is left."""
    left = amount
    rows = []
    for charge, owing in lines:
        if left <= 0:
            break
        take = min(owing, left)
        rows.append(Allocation(payment=payment, charge=charge, amount=take))
        left -= take
    Allocation.objects.bulk_create(rows)
    return left


def _chosen_lines(house: House, charge_ids: Sequence[int] | None) -> list[tuple[Charge, Decimal]]:
    lines = open_lines(house.pk)
    if not charge_ids:
        return lines
    by_id = {charge.pk: (charge, owing) for charge, owing in lines}
    missing = [cid for cid in charge_ids if cid not in by_id]
    if missing:
        raise DomainError(
            _("所选费用已缴清或不属于该房屋，请刷新后重试。"),
            code="charge_not_due",
            status_code=409,
            fields={"charges": [_("费用 %(ids)s 已缴清或不属于该房屋。") % {"ids": ", ".join(map(str, missing))}]},
        )
    # A chosen charge brings its late fees (posted a moment ago, so no caller could name them).
    late: dict[int, list[tuple[Charge, Decimal]]] = {}
    for charge, owing in lines:
        if charge.kind == ChargeKind.LATE_FEE and charge.principal_id in by_id:
            late.setdefault(charge.principal_id, []).append((charge, owing))
    chosen: list[tuple[Charge, Decimal]] = []
    for cid in dict.fromkeys(charge_ids):
        if by_id[cid] not in chosen:
            chosen.append(by_id[cid])
        chosen.extend(line for line in late.get(cid, []) if line not in chosen)
    return chosen


@action
def record_payment(
    *,
    house: House,
    amount: Decimal,
    method: str,
    idempotency_key: str,
    actor: Any,
    charge_ids: Sequence[int] | None = None,
    tendered: Decimal | None = None,
    payer_name: str = "",
    reference: str = "",
    note: str = "",
    received_at: datetime | None = None,
    allow_prepay: bool = True,
) -> Payment:
    """Take a payment for a payer and allocate it; the excess goes to the prepaid balance.

    With `charge_ids` the money pays those charges in that order (then the balance); without, the
    oldest due first. Methods: the offline ones here; online gateways call this with theirs.
    """
    if method not in PaymentMethod.values or method in ("balance", "deposit", "imported"):
        raise field_error("method", _("不支持的支付方式。"))
    amount = check_amount("amount", amount)
    key = idempotency.request_key(idempotency_key)
    if (replay := idempotency.replayed(key, house_id=house.pk, amount=amount, method=method)) is not None:
        return replay
    change = None
    if tendered is not None:
        if method != "cash":
            raise field_error("tendered", _("只有现金收款需要填写实收金额。"))
        tendered = check_amount("tendered", tendered)
        if tendered < amount:
            raise field_error("tendered", _("实收现金少于应收金额。"))
        change = tendered - amount

    house = lock_payer(house.pk)
    if (replay := idempotency.replayed(key, house_id=house.pk, amount=amount, method=method)) is not None:
        return replay  # a twin request won the lock
    late_fees.post_late_fees(house_id=house.pk, as_of=timezone.localdate(received_at) if received_at else today())
    lines = _chosen_lines(house, charge_ids)
    owing = sum((o for _c, o in lines), ZERO)
    if not allow_prepay and amount > owing:
        raise field_error("amount", _("金额超过所选费用的欠款 %(owing)s 元。") % {"owing": owing})
    if not lines and not allow_prepay:
        raise field_error("charges", _("没有待缴费用。"))

    when = min(received_at or timezone.now(), timezone.now())  # never dated after it is recorded (a clock ahead)
    payment = Payment.objects.create(
        house=house,
        estate_id=house.estate_id,
        method=method,
        amount=amount,
        tendered=tendered,
        change=change,
        received_at=when,
        business_date=timezone.localdate(when),
        payer_name=payer_name.strip()[:50],
        reference=reference.strip()[:64],
        note=note.strip()[:200],
        idempotency_key=key,
        cashier=actor if getattr(actor, "pk", None) else None,
        shift=open_shift_of(actor),
    )
    left = allocate(payment, lines, amount)
    if left > 0:
        with records_language():
            note = _("收款余额转入预存款")
        BalanceEntry.objects.create(
            house=house,
            kind=BalanceEntryKind.OVERPAYMENT,
            amount=left,
            payment=payment,
            note=note,
        )
    payment_notices.tell_payment_received(payment, receipts.issue_receipt(payment=payment))
    audit(
        actor,
        "payment.record",
        payment,
        after={
            "house": house.pk,
            "amount": str(amount),
            "method": method,
            "allocated": str(amount - left),
            "to_balance": str(left),
        },
    )
    return payment


def open_shift_of(actor: Any) -> Any:
    from billing.models import CashierShift

    if not getattr(actor, "pk", None):
        return None
    return CashierShift.objects.filter(cashier=actor, closed_at__isnull=True).first()


@action
def apply_balance(*, house: House, actor: Any, as_of: date | None = None) -> Payment | None:
    """Pay what is due from the payer's prepaid balance, oldest first, where the fee item allows it."""
    house = lock_payer(house.pk)
    balance = balance_of(house.pk)
    if balance <= 0:
        return None
    late_fees.post_late_fees(house_id=house.pk, as_of=as_of or today())
    lines = [(c, o) for c, o in open_lines(house.pk) if c.fee_item.balance_may_pay]
    owing = sum((o for _c, o in lines), ZERO)
    spend = min(balance, owing)
    if spend <= 0:
        return None
    now = timezone.now()
    payment = Payment.objects.create(
        house=house,
        estate_id=house.estate_id,
        method=PaymentMethod.BALANCE,
        amount=spend,
        received_at=now,
        business_date=timezone.localdate(now),
        idempotency_key=f"balance:{house.pk}:{now.timestamp():.6f}",
        cashier=actor if getattr(actor, "pk", None) else None,
    )
    allocate(payment, lines, spend)
    with records_language():
        note = _("预存款自动抵扣")
    BalanceEntry.objects.create(house=house, kind=BalanceEntryKind.APPLIED, amount=-spend, payment=payment, note=note)
    receipts.issue_receipt(payment=payment)
    audit(actor, "balance.apply", payment, after={"house": house.pk, "amount": str(spend)})
    return payment


@action
def top_up_balance(
    *,
    house: House,
    amount: Decimal,
    method: str,
    idempotency_key: str,
    actor: Any,
    tendered: Decimal | None = None,
    payer_name: str = "",
) -> Payment:
    """预存: money taken only for the prepaid balance (nothing is allocated now)."""
    if method not in OFFLINE_METHODS:
        raise field_error("method", _("不支持的支付方式。"))
    amount = check_amount("amount", amount)
    key = idempotency.request_key(idempotency_key)
    if (replay := idempotency.replayed(key, house_id=house.pk, amount=amount, method=method)) is not None:
        return replay
    house = lock_payer(house.pk)
    if (replay := idempotency.replayed(key, house_id=house.pk, amount=amount, method=method)) is not None:
        return replay  # a twin request won the lock
    change = None
    if tendered is not None:
        tendered = check_amount("tendered", tendered)
        if tendered < amount:
            raise field_error("tendered", _("实收现金少于应收金额。"))
        change = tendered - amount
    now = timezone.now()
    payment = Payment.objects.create(
        house=house,
        estate_id=house.estate_id,
        method=method,
        amount=amount,
        tendered=tendered,
        change=change,
        received_at=now,
        business_date=timezone.localdate(now),
        payer_name=payer_name.strip()[:50],
        idempotency_key=key,
        cashier=actor if getattr(actor, "pk", None) else None,
        shift=open_shift_of(actor),
    )
    with records_language():
        note = _("预存款充值")
    BalanceEntry.objects.create(house=house, kind=BalanceEntryKind.TOP_UP, amount=amount, payment=payment, note=note)
    payment_notices.tell_payment_received(payment, receipts.issue_receipt(payment=payment))
    audit(actor, "balance.top_up", payment, after={"house": house.pk, "amount": str(amount), "method": method})
    return payment
