"""Deposits (押金): money held for a payer — a liability, not income — received with a receipt,
returned through an approved refund, or applied to the payer's arrears."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from billing.models import Deposit, DepositSettlement, Payment, PaymentMethod
from billing.models.ledger import OFFLINE_METHODS
from billing.services import idempotency, late_fees, receipts
from billing.services.common import audit, check_amount, field_error, lock_payer, today
from billing.services.payments import allocate, open_lines, open_shift_of
from billing.services.refunds import deposit_remaining
from core.actions import action
from core.i18n import records_language
from tenants.estates.models import House


def _deposit_of(payment: Payment) -> Deposit:
    """The deposit a replayed request received; a key used for another kind of payment is a conflict."""
    deposit = Deposit.objects.filter(payment=payment).first()
    if deposit is None:
        raise idempotency.conflict()
    return deposit


@action
def receive_deposit(
    *,
    house: House,
    amount: Decimal,
    method: str,
    purpose: str,
    idempotency_key: str,
    actor: Any,
    tendered: Decimal | None = None,
    payer_name: str = "",
) -> Deposit:
    if method not in OFFLINE_METHODS:
        raise field_error("method", _("不支持的支付方式。"))
    amount = check_amount("amount", amount)
    purpose = (purpose or "").strip()
    if not purpose:
        raise field_error("purpose", _("请填写押金用途，例如装修押金。"))
    key = idempotency.request_key(idempotency_key)
    if (replay := idempotency.replayed(key, house_id=house.pk, amount=amount, method=method)) is not None:
        return _deposit_of(replay)
    change = None
    if tendered is not None:
        tendered = check_amount("tendered", tendered)
        if method != "cash" or tendered < amount:
            raise field_error("tendered", _("实收现金少于应收金额。"))
        change = tendered - amount
    house = lock_payer(house.pk)
    if (replay := idempotency.replayed(key, house_id=house.pk, amount=amount, method=method)) is not None:
        return _deposit_of(replay)  # a twin request won the lock
    now = timezone.now()
    with records_language():
        note = _("押金：%(purpose)s") % {"purpose": purpose[:80]}
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
        note=note,
    )
    deposit = Deposit.objects.create(house=house, purpose=purpose[:100], amount=amount, payment=payment)
    receipts.issue_receipt(payment=payment)
    audit(actor, "deposit.receive", deposit, after={"amount": str(amount), "purpose": purpose, "method": method})
    return deposit


@action
def apply_deposit(*, deposit: Deposit, amount: Decimal, actor: Any, idempotency_key: str = "") -> Payment:
    """Pay the payer's arrears (oldest first) from a deposit held for them. With a key, a retried
    request returns the first application instead of applying the deposit twice."""
    amount = check_amount("amount", amount)
    key = (idempotency_key or "").strip()[:64]
    if key and (replay := idempotency.replayed(key, house_id=deposit.house_id, amount=amount, method="deposit")):
        return replay
    house = lock_payer(deposit.house_id)
    if key and (replay := idempotency.replayed(key, house_id=deposit.house_id, amount=amount, method="deposit")):
        return replay  # a twin request won the lock
    remaining = deposit_remaining(deposit)
    if amount > remaining:
        raise field_error("amount", _("押金余额不足（剩余 %(r)s 元）。") % {"r": remaining})
    late_fees.post_late_fees(house_id=house.pk, as_of=today())
    lines = open_lines(house.pk)
    owing = sum((o for _c, o in lines), Decimal("0.00"))
    if amount > owing:
        raise field_error("amount", _("抵扣金额超过欠费 %(owing)s 元。") % {"owing": owing})
    now = timezone.now()
    with records_language():
        note = _("押金抵扣欠费")
    payment = Payment.objects.create(
        house=house,
        estate_id=house.estate_id,
        method=PaymentMethod.DEPOSIT,
        amount=amount,
        received_at=now,
        business_date=timezone.localdate(now),
        idempotency_key=key or f"deposit:{deposit.pk}:{now.timestamp():.6f}",
        cashier=actor if getattr(actor, "pk", None) else None,
        note=note,
    )
    allocate(payment, lines, amount)
    DepositSettlement.objects.create(
        deposit=deposit, kind=DepositSettlement.Kind.APPLIED, amount=amount, payment=payment
    )
    receipts.issue_receipt(payment=payment)
    audit(actor, "deposit.apply", deposit, after={"amount": str(amount), "payment": payment.pk})
    return payment
