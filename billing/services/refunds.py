"""Refunds (退款): money paid back from a payment, the prepaid balance or a deposit — requested with a
reason, carried out only once someone else approves it.

Approval is not payment. A refund's money has gone back (`payout_status` refunded, `refunded_at`)
when it has left: at approval for an offline refund (cash, transfer, ...) and for a balance or a
deposit; for a refund to the original online channel (method "original") only when the channel
confirms it. Until then it is refunding (退款中), or refund_failed (退款失败) when the channel
refused or closed it — then it may be asked for again (`retry_channel_refund`, a new refund number)
or paid out in cash at the desk instead (`pay_out_in_cash`: a cash refund of that day, by whoever
paid it, the channel's refund number kept).

The ledger follows the money, so every report stays the sum of its ledger lines: a payment's refund
reverses its allocations (latest charges first; the charges are due again) in the same transaction
that pays it back — at approval for an offline refund, at the channel's confirmation or the cash
pay-out for an online one. A channel refund in flight leaves the charges paid (the owner's money has
not come back) and writes no ledger line; what it will take is held out of what the payment may
still refund, so no two refunds can take the same money, and the reversal lines are written once
(`reversed_at`; refunds approved before this design were reversed at approval). Income counts a
refund on the day of `refunded_at`, and shows the amounts still refunding or failed apart
(billing.selectors.income).

Payments reports the channel's outcome back (billing.payments_bridge.refund_settled →
`channel_refund_settled`) inside its own transaction, holding the order's lock; the payer's lock is
taken after it, in the order online payments are credited (order, then payer).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from billing.models import (
    Allocation,
    BalanceEntry,
    BalanceEntryKind,
    ChannelStatus,
    Deposit,
    DepositSettlement,
    Payment,
    PayoutStatus,
    Refund,
    RequestStatus,
)
from billing.models.ledger import OFFLINE_METHODS
from billing.selectors.ledger import reversible_allocations
from billing.services import payment_notices, service_charges
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
        left = sum((row.left for row in reversible_allocations(payment.pk)), Decimal("0.00"))
        return left - in_flight(payment)
    return Decimal("0.00")


def in_flight(payment: Payment) -> Decimal:
    """What approved refunds of the payment will still take back (refunding or failed, not yet reversed)."""
    held = Refund.objects.filter(
        payment=payment,
        status=RequestStatus.APPROVED,
        payout_status__in=[PayoutStatus.REFUNDING, PayoutStatus.REFUND_FAILED],
        reversed_at__isnull=True,
    ).aggregate(total=Sum("amount"))["total"]
    return held or Decimal("0.00")


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
    if refund.method == ORIGINAL:
        _to_channel(refund, actor)
        refund.payout_status = PayoutStatus.REFUNDING
    else:
        _paid_back(refund, actor)
    return {"amount": str(refund.amount), "source": refund.source, "method": refund.method}


def _reverse(refund: Refund, actor: Any) -> None:
    """Take a payment's refund back from its allocations (latest charges first), once; a cancelled
    service's charge among them is reversed for it too (never owed again)."""
    assert refund.payment is not None and refund.reversed_at is None
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
    if left > 0:  # held out of every later refund and void: only a bug gets here
        raise DomainError(_("可退金额不足，退款未完成。"), code="refund_exceeds", status_code=409)
    Allocation.objects.bulk_create(reversals)
    service_charges.reverse_taken_back([row.charge_id for row in reversals], after=f"refund:{refund.pk}", actor=actor)
    refund.reversed_at = timezone.now()  # at or after its lines' own time (income matches them by it)


def _paid_back(refund: Refund, actor: Any) -> None:
    """The money has gone back: the ledger follows (a payment's reversal lines), dated now; `actor` is
    who carried it out (None: the channel's confirmation)."""
    if refund.source == Refund.Source.PAYMENT and refund.reversed_at is None:
        _reverse(refund, actor)
    refund.payout_status = PayoutStatus.REFUNDED
    refund.refunded_at = timezone.now()
    payment_notices.tell_refund_completed(refund)


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
    if locked.status != RequestStatus.APPROVED or locked.payout_status != PayoutStatus.REFUND_FAILED:
        raise DomainError(_("只有原路退款失败的退款可以重试。"), code="not_failed", status_code=409)
    _to_channel(locked, actor)
    locked.payout_status = PayoutStatus.REFUNDING
    locked.save(update_fields=["channel_status", "payout_status"])
    audit(actor, "refund.retry_channel", locked, after={"amount": str(locked.amount)})
    return locked


def _failed_refund_no(refund: Refund) -> str:
    order = online_order(refund.payment)
    if order is None:
        return ""
    numbers = [
        r.out_refund_no
        for r in payment_selectors.refunds_of(order.pk)
        if r.purpose_reference == channel_reference(refund) and r.status in ("failed", "closed")
    ]
    return numbers[-1] if numbers else ""


@action
def pay_out_in_cash(*, refund: Refund, actor: Any) -> Refund:
    """改为现金退款: a refund the channel failed to pay is paid out in cash at the desk — a cash refund of
    today, paid by `actor`, the channel's refund number kept. Asking again returns the same refund."""
    lock_payer(refund.house_id)
    locked = Refund.objects.select_for_update().get(pk=refund.pk)
    if locked.payout_status == PayoutStatus.REFUNDED and locked.paid_out_by_id is not None:
        return locked  # paid out already (a double click, a retried request)
    if locked.status != RequestStatus.APPROVED or locked.payout_status != PayoutStatus.REFUND_FAILED:
        raise DomainError(_("只有原路退款失败的退款可以改为现金退款。"), code="not_failed", status_code=409)
    locked.replaced_refund_no = _failed_refund_no(locked)
    locked.method, locked.paid_out_by = "cash", actor
    _paid_back(locked, actor)
    locked.save()
    audit(
        actor,
        "refund.pay_cash",
        locked,
        before={"method": ORIGINAL, "payout_status": PayoutStatus.REFUND_FAILED},
        after={"amount": str(locked.amount), "method": "cash", "replaced_refund_no": locked.replaced_refund_no},
    )
    return locked


_CHANNEL = {
    "processing": ChannelStatus.PROCESSING,
    "refunded": ChannelStatus.REFUNDED,
    "failed": ChannelStatus.FAILED,
    "closed": ChannelStatus.FAILED,  # closed by the channel: as good as failed, staff act on it
}


def channel_refund_settled(*, refund_id: int, status: str) -> Refund:
    """The channel's word on a refund (inside payments' transaction, which holds the order's lock):
    refunded — the money has gone back, the ledger follows; failed or closed — refund_failed."""
    channel = _CHANNEL[status]  # an unknown status is a programming error, never skipped
    house_id = Refund.objects.values_list("house_id", flat=True).get(pk=refund_id)
    lock_payer(house_id)
    refund = Refund.objects.select_for_update().get(pk=refund_id)
    refund.channel_status = channel
    if refund.payout_status == PayoutStatus.REFUNDING:
        if channel == ChannelStatus.REFUNDED:
            _paid_back(refund, None)
        elif channel == ChannelStatus.FAILED:
            refund.payout_status = PayoutStatus.REFUND_FAILED
    refund.save()
    audit(None, "refund.channel", refund, after={"channel_status": channel, "payout_status": refund.payout_status})
    return refund
