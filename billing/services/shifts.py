"""Cashier shifts (收银班次): opened with a float, closed with the counted cash against what the
ledger says came in during the shift and went out of the drawer in it (cash refunds paid out during the
shift — those the cashier asked for, or a failed channel refund the cashier paid out in cash — and the
cash payments whose receipts the cashier voided in it)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from billing.models import CashierShift, Payment, PayoutStatus, Receipt, Refund
from billing.services.common import audit, check_amount
from core.actions import action
from core.db import conflict_as
from core.errors import DomainError


def shift_summary(shift: CashierShift) -> dict[str, Any]:
    by_method = list(
        Payment.objects.filter(shift=shift)
        .values("method")
        .annotate(count=Count("id"), total=Sum("amount"))
        .order_by("method")
    )
    cash = sum((row["total"] for row in by_method if row["method"] == "cash"), Decimal("0.00"))
    window = {"gte": shift.opened_at, "lt": shift.closed_at or timezone.now()}
    refunded = Refund.objects.filter(
        Q(paid_out_by_id=shift.cashier_id) | Q(paid_out_by__isnull=True, requested_by_id=shift.cashier_id),
        payout_status=PayoutStatus.REFUNDED,
        method="cash",
        refunded_at__gte=window["gte"],
        refunded_at__lt=window["lt"],
    ).aggregate(total=Sum("amount"))["total"] or Decimal("0.00")
    voided = Receipt.objects.filter(
        voided_by_id=shift.cashier_id,
        payment__method="cash",
        voided_at__gte=window["gte"],
        voided_at__lt=window["lt"],
    ).aggregate(total=Sum("payment__amount"))["total"] or Decimal("0.00")
    return {
        "by_method": [{"method": r["method"], "count": r["count"], "total": str(r["total"])} for r in by_method],
        "cash_refunded": str(refunded),
        "cash_voided": str(voided),
        "expected_cash": str(shift.opening_float + cash - refunded - voided),
    }


@action
def open_shift(*, actor: Any, opening_float: Decimal = Decimal("0.00")) -> CashierShift:
    opening_float = check_amount("opening_float", opening_float, zero_allowed=True)
    with conflict_as(DomainError(_("您已有未交班的班次。"), code="shift_open", status_code=409)):
        shift = CashierShift.objects.create(cashier=actor, opened_at=timezone.now(), opening_float=opening_float)
    audit(actor, "shift.open", shift, after={"opening_float": str(opening_float)})
    return shift


@action
def close_shift(*, shift: CashierShift, counted_cash: Decimal, actor: Any, note: str = "") -> CashierShift:
    counted_cash = check_amount("counted_cash", counted_cash, zero_allowed=True)
    shift = CashierShift.objects.select_for_update().get(pk=shift.pk)
    if shift.closed_at is not None:
        raise DomainError(_("该班次已交班。"), code="shift_closed", status_code=409)
    if shift.cashier_id != getattr(actor, "pk", None):
        raise DomainError(_("只能由本人交班。"), code="not_your_shift", status_code=403)
    summary = shift_summary(shift)
    summary["counted_cash"] = str(counted_cash)
    summary["difference"] = str(counted_cash - Decimal(summary["expected_cash"]))
    shift.closed_at, shift.counted_cash, shift.summary = timezone.now(), counted_cash, summary
    shift.note = (note or "").strip()[:200]
    shift.save(update_fields=["closed_at", "counted_cash", "summary", "note"])
    audit(actor, "shift.close", shift, after=summary)
    return shift
