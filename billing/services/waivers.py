"""Waivers (减免): a reduction of a charge requested with a reason and applied only once approved, as a
negative adjustment line of its own — the charge itself never changes."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from billing.models import Charge, ChargeKind, Waiver, WaiverKind
from billing.services.approvals import decide
from billing.services.common import audit, check_amount, field_error, lock_payer, today
from billing.services.payments import open_lines
from core.actions import action
from core.db import conflict_as
from core.errors import DomainError


def _outstanding(charge: Charge) -> Decimal:
    for line, owing in open_lines(charge.house_id):
        if line.pk == charge.pk:
            return owing
    return Decimal("0.00")


@action
def request_waiver(*, charge: Charge, amount: Decimal, kind: str, reason: str, actor: Any) -> Waiver:
    if kind not in WaiverKind.values:
        raise field_error("kind", _("不支持的减免类型。"))
    if charge.kind == ChargeKind.ADJUSTMENT:
        raise field_error("charge", _("调整行不能再减免。"))
    if kind == WaiverKind.LATE_FEE and charge.kind != ChargeKind.LATE_FEE:
        raise field_error("kind", _("只有滞纳金可按滞纳金减免。"))
    amount = check_amount("amount", amount)
    reason = (reason or "").strip()
    if not reason:
        raise field_error("reason", _("请填写减免原因。"))
    lock_payer(charge.house_id)
    owing = _outstanding(charge)
    if amount > owing:
        raise field_error("amount", _("减免金额不能超过未缴金额 %(owing)s 元。") % {"owing": owing})
    with conflict_as(DomainError(_("该费用已有待审批的减免申请。"), code="waiver_pending", status_code=409)):
        waiver = Waiver.objects.create(charge=charge, kind=kind, amount=amount, reason=reason[:200], requested_by=actor)
    audit(actor, "waiver.request", waiver, after={"charge": charge.pk, "amount": str(amount), "kind": kind})
    return waiver


@action
def approve_waiver(*, waiver: Waiver, actor: Any, note: str = "") -> Waiver:
    payer_id = waiver.charge.house_id
    return decide(waiver, decision="approve", actor=actor, note=note, on_approve=_apply, payer_id=payer_id)


@action
def reject_waiver(*, waiver: Waiver, actor: Any, note: str) -> Waiver:
    return decide(waiver, decision="reject", actor=actor, note=note, on_approve=_apply)


def _apply(waiver: Waiver, actor: Any) -> dict[str, Any]:
    """The approved waiver becomes a negative adjustment line against its charge."""
    charge = waiver.charge
    if waiver.amount > _outstanding(charge):
        raise DomainError(
            _("费用已部分缴纳，减免金额超过未缴金额；请驳回后重新申请。"), code="waiver_exceeds", status_code=409
        )
    waiver.adjustment = Charge.objects.create(
        house_id=charge.house_id,
        estate_id=charge.estate_id,
        building_id=charge.building_id,
        fee_item_id=charge.fee_item_id,
        kind=ChargeKind.ADJUSTMENT,
        cycle_start=charge.cycle_start,
        period_start=charge.period_start,
        period_end=charge.period_end,
        amount=-waiver.amount,
        issued_on=today(),
        due_date=today(),
        principal=charge,
        reason=waiver.reason,
        calculation={"waiver": waiver.pk, "kind": waiver.kind},
        created_by=actor,
    )
    return {"adjustment": waiver.adjustment.pk, "amount": str(waiver.amount)}
