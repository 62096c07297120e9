"""Waivers (减免): a reduction of a charge requested with a reason and applied only once approved, as a
negative adjustment line of its own — the charge itself never changes."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from billing.models import Charge, ChargeKind, DiscountKind, DiscountRule, Waiver, WaiverKind
from billing.services.approvals import decide
from billing.services.common import audit, check_amount, field_error, lock_payer
from billing.services.discount_rules import Line, post_lines, rules_in_effect
from billing.services.payments import open_lines
from billing.services.schedule import billing_settings
from core.actions import action
from core.db import conflict_as
from core.errors import DomainError
from core.i18n import records_language


def _outstanding(charge: Charge) -> Decimal:
    for line, owing in open_lines(charge.house_id):
        if line.pk == charge.pk:
            return owing
    return Decimal("0.00")


@action
def request_waiver(
    *, charge: Charge, amount: Decimal, kind: str, reason: str, actor: Any, rule: DiscountRule | None = None
) -> Waiver:
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
        waiver = Waiver.objects.create(
            charge=charge, kind=kind, amount=amount, reason=reason[:200], requested_by=actor, rule=rule
        )
    after = {"charge": charge.pk, "amount": str(amount), "kind": kind, "rule": rule.pk if rule else None}
    audit(actor, "waiver.request", waiver, after=after)
    return waiver


@action
def approve_waiver(*, waiver: Waiver, actor: Any, note: str = "") -> Waiver:
    payer_id = waiver.charge.house_id
    return decide(waiver, decision="approve", actor=actor, note=note, on_approve=_apply, payer_id=payer_id)


@action
def reject_waiver(*, waiver: Waiver, actor: Any, note: str) -> Waiver:
    return decide(waiver, decision="reject", actor=actor, note=note, on_approve=_apply)


def _apply(waiver: Waiver, actor: Any) -> dict[str, Any]:
    """The approved waiver becomes a negative adjustment line against its charge; a charge paid
    meanwhile refuses it (409)."""
    charge = waiver.charge
    if waiver.amount > _outstanding(charge):
        raise DomainError(
            _("费用已部分缴纳，减免金额超过未缴金额；请驳回后重新申请。"), code="waiver_exceeds", status_code=409
        )
    calculation: dict[str, Any] = {"waiver": waiver.pk, "kind": waiver.kind}
    if waiver.rule_id:
        calculation["rule"] = waiver.rule_id
    (adjustment,) = post_lines(
        [Line(principal=charge, amount=waiver.amount, reason=waiver.reason, calculation=calculation)], actor=actor
    )
    waiver.adjustment = adjustment
    return {"adjustment": adjustment.pk, "amount": str(waiver.amount)}


@action
def reduce_charge(
    *,
    charge: Charge,
    actor: Any,
    reason: str = "",
    amount: Decimal | None = None,
    rule: DiscountRule | None = None,
) -> Waiver:
    """费用减免: a fixed amount off a charge with a reason (or a fixed-amount rule's amount and reason).

    Waits for approval when the company's settings say so; otherwise someone holding fees.manage
    applies it at once (a cashier gets 403). Either way it is a Waiver of kind `reduction`.
    """
    if rule is not None:
        if rule.kind != DiscountKind.FIXED or rule not in rules_in_effect(
            kind=DiscountKind.FIXED, fee_item=charge.fee_item
        ):
            raise field_error("rule", _("该优惠规则不是适用于此收费项目的有效固定减免。"))
        amount = amount if amount is not None else rule.amount
        reason = (reason or "").strip() or rule.reason
    if amount is None:
        raise field_error("amount", _("请填写减免金额。"))
    if billing_settings().reductions_need_approval:
        return request_waiver(
            charge=charge, amount=amount, kind=WaiverKind.REDUCTION, reason=reason, actor=actor, rule=rule
        )
    if not getattr(actor, "has_permission", lambda _code: False)("fees.manage"):
        raise DomainError(_("直接减免需要收费管理权限；请提交减免申请。"), code="permission_denied", status_code=403)
    waiver = request_waiver(
        charge=charge, amount=amount, kind=WaiverKind.REDUCTION, reason=reason, actor=actor, rule=rule
    )
    with records_language():
        note = _("无需审批，直接减免")
    return decide(
        waiver,
        decision="approve",
        actor=actor,
        note=note,
        on_approve=_apply,
        payer_id=charge.house_id,
        own_allowed=True,
    )
