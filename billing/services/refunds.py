"""Refunds (退款): money paid back from a payment, the prepaid balance or a deposit — requested with a
reason, carried out only once someone else approves it.

A refund of a payment reverses its allocations (latest charges first), so those charges are due
again; when the charge itself was wrong, waive it as well. A payment may be refunded in parts, each
refund taking what the earlier ones left. Refunds to the original online channel are carried out by
the payments module from the approved row: approving a refund of an online payment with method
"original" asks payments to refund the order that paid it, in the same transaction; payments reports
the channel's outcome back (billing.payments_bridge.refund_settled) into `channel_status`. A failed
channel refund may be retried (`retry_channel_refund`).
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
    ChannelStatus,
    Deposit,
    DepositSettlement,
    Payment,
    Refund,
    RequestStatus,
)
from billing.models.ledger import OFFLINE_METHODS
from billing.selectors.ledger import reversible_allocations
from billing.services.approvals import decide
from billing.services.common import audit, check_amount, field_error, lock_payer
from billing.services.invoices import refuse_if_invoiced
from billing.services.payments import balance_of
from core.actions import action
from core.errors import DomainError
from core.i18n import records_language
from payments import selectors as payment_selectors
from payments.services import refunds as channel_refunds
from tenants.estates.models import House

ORIGINAL = "original"
REFUND_METHODS = OFFLINE_METHODS | {ORIGINAL}
PURPOSE = "bills"  # billing's purpose in payments.bridge


def channel_reference(refund: Refund) -> str:
    """How payments knows a billing refund (its purpose reference)."""
    return f"refund:{refund.pk}"


def online_order(payment: Payment | None) -> Any:
    """The payment order that paid this payment online (None: not paid online)."""
    if payment is None:
        return None
    return payment_selectors.order_settled_as(PURPOSE, str(payment.pk))


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
    if method == ORIGINAL and online_order(payment) is None:
        raise field_error("method", _("只有在线支付的缴费可以原路退回。"))
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
        with records_language():
            note = _("预存款退款")
        BalanceEntry.objects.create(
            house=house, kind=BalanceEntryKind.REFUND, amount=-refund.amount, refund=refund, note=note
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
    if refund.method == ORIGINAL:
        _to_channel(refund, actor)
    return {"amount": str(refund.amount), "source": refund.source, "method": refund.method}


def _to_channel(refund: Refund, actor: Any) -> None:
    """Ask payments to refund the order that paid it (in this transaction); `refund` is saved by the caller."""
    order = online_order(refund.payment)
    if order is None:
        raise DomainError(_("该笔缴费不是在线支付，不能原路退回。"), code="not_online", status_code=409)
    channel_refunds.request_refund(order, refund.amount, refund.reason, channel_reference(refund), actor=actor)
    refund.channel_status = ChannelStatus.PROCESSING


@action
def retry_channel_refund(*, refund: Refund, actor: Any) -> Refund:
    """A channel refund that failed (or was closed) is asked for again — a new refund number, the same amount."""
    locked = Refund.objects.select_for_update().get(pk=refund.pk)
    if locked.status != RequestStatus.APPROVED or locked.channel_status != ChannelStatus.FAILED:
        raise DomainError(_("只有原路退款失败的退款可以重试。"), code="not_failed", status_code=409)
    _to_channel(locked, actor)
    locked.save(update_fields=["channel_status"])
    audit(actor, "refund.retry_channel", locked, after={"amount": str(locked.amount)})
    return locked
