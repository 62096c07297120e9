"""Refunds (退款): money paid back from a payment, the prepaid balance or a deposit — requested with a
reason, carried out only once someone else approves it.

A refund of a payment reverses its allocations (latest charges first), so those charges are due
again; when the charge itself was wrong, waive it as well. A payment may be refunded in parts, each
refund taking what the earlier ones left. Refunds to the original online channel are carried out by
the payments module from the approved row.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Sum
from django.utils.translation import gettext as _

from billing.models import (
    Allocation,
    BalanceEntry,
    BalanceEntryKind,
    Deposit,
    DepositSettlement,
    Payment,
    Refund,
)
from billing.models.ledger import OFFLINE_METHODS
from billing.selectors.ledger import reversible_allocations
from billing.services.approvals import decide
from billing.services.common import audit, check_amount, field_error, lock_payer
from billing.services.invoices import refuse_if_invoiced
from billing.services.payments import balance_of
from core.actions import action
from core.errors import DomainError
from tenants.estates.models import House

REFUND_METHODS = OFFLINE_METHODS | {"original"}


def deposit_remaining(deposit: Deposit) -> Decimal:
    settled = DepositSettlement.objects.filter(deposit=deposit).aggregate(total=Sum("amount"))["total"]
    return deposit.amount - (settled or Decimal("0"))


def refundable(*, source: str, house: House, payment: Payment | None, deposit: Deposit | None) -> Decimal:
    if source == Refund.Source.BALANCE:
        return balance_of(house.pk)
    if source == Refund.Source.DEPOSIT and deposit is not None:
        return deposit_remaining(deposit)
    if source == Refund.Source.PAYMENT and payment is not None:
        return sum((row.left for row in reversible_allocations(payment.pk)), Decimal("0.00"))
    return Decimal("0.00")


@action
def request_refund(
    *,
    house: House,
    source: str,
    amount: Decimal,
    method: str,
    reason: str,
    actor: Any,
    payment: Payment | None = None,
    deposit: Deposit | None = None,
) -> Refund:
    if source not in Refund.Source.values:
        raise field_error("source", _("不支持的退款来源。"))
    if method not in REFUND_METHODS:
        raise field_error("method", _("不支持的退款方式。"))
    if (source == Refund.Source.PAYMENT) != (payment is not None) or (source == Refund.Source.DEPOSIT) != (
        deposit is not None
    ):
        raise field_error("source", _("退款来源与所选缴费或押金不符。"))
    if (payment is not None and payment.house_id != house.pk) or (deposit is not None and deposit.house_id != house.pk):
        raise field_error("house", _("所选缴费或押金不属于该房屋。"))
    amount = check_amount("amount", amount)
    reason = (reason or "").strip()
    if not reason:
        raise field_error("reason", _("请填写退款原因。"))
    lock_payer(house.pk)
    if payment is not None:
        refuse_if_invoiced(payment.pk)
    available = refundable(source=source, house=house, payment=payment, deposit=deposit)
    if amount > available:
        raise field_error("amount", _("退款金额不能超过可退金额 %(available)s 元。") % {"available": available})
    refund = Refund.objects.create(
        house=house,
        source=source,
        payment=payment,
        deposit=deposit,
        amount=amount,
        method=method,
        reason=reason[:200],
        requested_by=actor,
    )
    audit(actor, "refund.request", refund, after={"source": source, "amount": str(amount), "method": method})
    return refund


@action
def approve_refund(*, refund: Refund, actor: Any, note: str = "") -> Refund:
    return decide(refund, decision="approve", actor=actor, note=note, on_approve=_carry_out, payer_id=refund.house_id)


@action
def reject_refund(*, refund: Refund, actor: Any, note: str) -> Refund:
    return decide(refund, decision="reject", actor=actor, note=note, on_approve=_carry_out)


def _carry_out(refund: Refund, actor: Any) -> dict[str, Any]:
    """Take the approved amount out of its source: the balance, the deposit or the payment's allocations."""
    house = refund.house
    available = refundable(source=refund.source, house=house, payment=refund.payment, deposit=refund.deposit)
    if refund.amount > available:
        raise DomainError(
            _("可退金额已变化（现为 %(a)s 元），请驳回后重新申请。") % {"a": available},
            code="refund_exceeds",
            status_code=409,
        )
    if refund.source == Refund.Source.BALANCE:
        BalanceEntry.objects.create(
            house=house, kind=BalanceEntryKind.REFUND, amount=-refund.amount, refund=refund, note=_("预存款退款")
        )
    elif refund.source == Refund.Source.DEPOSIT:
        assert refund.deposit is not None
        DepositSettlement.objects.create(
            deposit=refund.deposit, kind=DepositSettlement.Kind.RETURNED, amount=refund.amount, refund=refund
        )
    else:
        assert refund.payment is not None
        refuse_if_invoiced(refund.payment.pk)
        left = refund.amount
        reversals = []
        for row in reversible_allocations(refund.payment.pk):
            if left <= 0:
                break
            take = min(row.left, left)
            reversals.append(
                Allocation(payment=refund.payment, charge_id=row.charge_id, amount=-take, reverses_id=row.allocation_id)
            )
            left -= take
        Allocation.objects.bulk_create(reversals)
    return {"amount": str(refund.amount), "source": refund.source}
