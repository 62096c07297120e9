"""Receipts (收据): numbered without gaps per company and year, frozen when issued, voidable with a reason.

The number is taken from the year's sequence row under a row lock inside the payment's transaction:
a payment that rolls back gives its number back, so numbers never skip. The snapshot holds everything
printed; the PDF is rendered from it, so a reprint is byte-identical to the original.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from billing.models import (
    Allocation,
    BalanceEntry,
    BalanceEntryKind,
    Deposit,
    Payment,
    PaymentMethod,
    Receipt,
    ReceiptSequence,
    Refund,
    RequestStatus,
)
from billing.selectors.ledger import reversible_allocations
from billing.services import service_charges
from billing.services.common import audit, field_error, lock_payer
from billing.services.invoices import refuse_if_invoiced
from companies import selectors as company_selectors
from core.actions import action
from core.errors import DomainError
from core.i18n import records_language


def _next_number(year: int) -> tuple[int, str]:
    """The year's next number, in one statement that also locks the year's row until commit."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"""INSERT INTO {ReceiptSequence._meta.db_table} (year, last) VALUES (%s, 1)
                ON CONFLICT (year) DO UPDATE SET last = {ReceiptSequence._meta.db_table}.last + 1
                RETURNING last""",  # noqa: S608 (the model's own table)
            [year],
        )
        (number,) = cursor.fetchone()
    return number, f"{year}-{number:06d}"


def _detail(calculation: dict[str, Any]) -> str:
    mode = calculation.get("mode", "")
    if mode in ("building_area", "usable_area"):
        return f"{calculation.get('base')}㎡ × {calculation.get('unit_price')}"
    if "usage" in calculation and isinstance(calculation["usage"], str):
        return _("用量 %(usage)s") % {"usage": calculation["usage"]}
    if "late_fee" in calculation:
        return _("滞纳金")
    return ""


def snapshot_for(payment: Payment, number: str) -> dict[str, Any]:
    house = payment.house
    allocations = (
        Allocation.objects.filter(payment=payment, amount__gt=0)
        .select_related("charge__fee_item")
        .order_by("charge__due_date", "charge_id")
    )
    lines = [
        {
            "fee_item": a.charge.fee_item.name,
            "period": f"{a.charge.period_start:%Y-%m-%d} ~ {a.charge.period_end - timedelta(days=1):%Y-%m-%d}",
            "detail": _detail(a.charge.calculation),
            "amount": str(a.amount),
        }
        for a in allocations
    ]
    # What this payment put on the prepaid balance, and the balance after it: one aggregate.
    balance = BalanceEntry.objects.filter(house=house).aggregate(
        after=Sum("amount"),
        credited=Sum(
            "amount", filter=Q(payment=payment, kind__in=[BalanceEntryKind.OVERPAYMENT, BalanceEntryKind.TOP_UP])
        ),
    )
    to_balance = balance["credited"] or Decimal("0")
    if to_balance:
        lines.append({"fee_item": _("预存款"), "period": "", "detail": "", "amount": str(to_balance)})
    balance_after = balance["after"] or Decimal("0")
    payer = payment.payer_name
    cashier = payment.cashier
    return {
        "number": number,
        "issued_at": timezone.localtime(payment.received_at).isoformat(),
        "company": company_selectors.current_branding(),
        "house": house.label,
        "estate": house.estate.name,
        "payer": payer,
        "cashier": (getattr(cashier, "name", "") or getattr(cashier, "username", "")) if cashier else "",
        "method": payment.method,
        "method_label": str(PaymentMethod(payment.method).label),
        "lines": lines,
        "total": str(payment.amount),
        "tendered": str(payment.tendered) if payment.tendered is not None else "",
        "change": str(payment.change) if payment.change is not None else "",
        "balance_after": str(balance_after),
        "note": payment.note,
        "voided": False,
        "void_reason": "",
        "language": "zh-hans",
    }


def issue_receipt(*, payment: Payment) -> Receipt:
    """Number and freeze the receipt of a payment (inside the payment's action)."""
    now = timezone.now()
    year = timezone.localdate(payment.received_at).year  # a receipt is numbered in its payment's year
    sequence, number = _next_number(year)
    return Receipt.objects.create(
        number=number,
        year=year,
        sequence=sequence,
        payment=payment,
        snapshot=snapshot_for(payment, number),
        issued_at=now,
    )


@action
def void_receipt(*, receipt: Receipt, reason: str, actor: Any) -> Receipt:
    """作废: the payment is reversed — its allocations get negative twins, what it put on the prepaid
    balance is taken back (refused if already spent) — and the receipt is marked void, number kept."""
    reason = (reason or "").strip()
    if not reason:
        raise field_error("reason", _("请填写作废原因。"))
    receipt = Receipt.objects.select_related("payment").get(pk=receipt.pk)
    payment = receipt.payment
    lock_payer(payment.house_id)
    receipt = Receipt.objects.select_for_update().get(pk=receipt.pk)
    if receipt.voided_at is not None:
        raise DomainError(_("该收据已作废。"), code="receipt_voided", status_code=409)
    refuse_if_invoiced(payment.pk)
    # A void takes the whole payment back. After a refund only the rest could be, and a deposit is
    # returned by its own refund: either way the money would be counted back twice (income, the day).
    if Refund.objects.filter(payment=payment, status=RequestStatus.APPROVED).exists():
        raise DomainError(_("该收款已有退款，不能作废；请继续走退款流程。"), code="payment_refunded", status_code=409)
    if Deposit.objects.filter(payment=payment).exists():
        raise DomainError(_("押金收据不能作废，请办理押金退还。"), code="deposit_receipt", status_code=409)
    originals = reversible_allocations(payment.pk)
    Allocation.objects.bulk_create(
        [
            Allocation(payment=payment, charge_id=row.charge_id, amount=-row.left, reverses_id=row.allocation_id)
            for row in originals
        ]
    )
    # A cancelled service's fee the payment had paid is not owed again once the payment is void.
    service_charges.reverse_taken_back([row.charge_id for row in originals], after=f"void:{receipt.pk}", actor=actor)
    credited = sum((e.amount for e in BalanceEntry.objects.filter(payment=payment)), Decimal("0"))
    if credited:
        with records_language():
            note = _("收据 %(n)s 作废冲正") % {"n": receipt.number}
        # Taking back a credit, or giving back a balance this payment drew; the balance trigger refuses
        # to take back money the payer has already spent.
        BalanceEntry.objects.create(
            house_id=payment.house_id,
            kind=BalanceEntryKind.REVERSAL,
            amount=-credited,
            payment=None,
            note=note,
        )
    receipt.voided_at = timezone.now()
    receipt.void_reason = reason[:200]
    receipt.voided_by = actor if getattr(actor, "pk", None) else None
    receipt.save(update_fields=["voided_at", "void_reason", "voided_by"])
    audit(
        actor,
        "receipt.void",
        receipt,
        after={"reason": reason, "payment": payment.pk, "reversed": [row.allocation_id for row in originals]},
    )
    return receipt


def pdf_snapshot(receipt: Receipt) -> dict[str, Any]:
    """What to print: the frozen snapshot, marked void if it since was."""
    snapshot = dict(receipt.snapshot)
    if receipt.voided_at is not None:
        snapshot.update(voided=True, void_reason=receipt.void_reason)
    return snapshot
