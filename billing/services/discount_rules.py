"""Discount rules (优惠规则): kept by fees.manage, each change audited; and the one way a discount
becomes money — adjustment lines posted against their principals.

A rule's fields depend on its kind (see billing.models.discounts.DiscountRule); every problem of a
form comes back at once as field errors, and the database holds the same shape with a check.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from billing.models import Charge, ChargeKind, DiscountKind, DiscountRule, FeeItem
from billing.services import common
from billing.services.common import audit
from billing.services.fees import Problems, person
from core import text
from core.actions import action
from core.db import conflict_as
from core.errors import DomainError

RULE_FIELDS = (
    "name",
    "kind",
    "percent",
    "amount",
    "min_cycles",
    "free_cycles",
    "reason",
    "valid_from",
    "valid_until",
    "active",
)
# Which optional fields each kind takes; the others must be empty.
KIND_FIELDS: dict[str, tuple[str, ...]] = {
    DiscountKind.PREPAY_PERCENT: ("percent", "min_cycles"),
    DiscountKind.PREPAY_FREE_CYCLES: ("min_cycles", "free_cycles"),
    DiscountKind.VACANCY: ("percent",),
    DiscountKind.FIXED: ("amount",),
}
MAX_CYCLES = 120


def _check(values: dict[str, Any], fee_items: Sequence[FeeItem]) -> None:
    problems = Problems()
    kind = values.get("kind")
    if kind not in KIND_FIELDS:
        problems.add("kind", _("不支持的优惠类型。"))
        problems.raise_any()
    values["name"] = text.clean_name(str(values.get("name") or ""))  # no invisible characters, one spacing
    if not values["name"]:
        problems.add("name", _("请填写名称。"))
    wanted = KIND_FIELDS[str(kind)]
    for name in ("percent", "amount", "min_cycles", "free_cycles"):
        if name in wanted and values.get(name) is None:
            problems.add(name, _("该类型的优惠必须填写此项。"))
        if name not in wanted:
            values[name] = None
    percent = values.get("percent")
    if percent is not None and not (Decimal("0") < percent <= Decimal("100")):
        problems.add("percent", _("优惠比例须大于 0 且不超过 100。"))
    amount = values.get("amount")
    if amount is not None and amount <= 0:
        problems.add("amount", _("减免金额须大于 0。"))
    for name in ("min_cycles", "free_cycles"):
        count = values.get(name)
        if count is not None and not (1 <= count <= MAX_CYCLES):
            problems.add(name, _("周期数须在 1 到 %(max)s 之间。") % {"max": MAX_CYCLES})
    values["reason"] = str(values.get("reason") or "").strip()
    if kind == DiscountKind.FIXED and not values["reason"]:
        problems.add("reason", _("固定金额减免必须填写原因。"))
    until = values.get("valid_until")
    if until is not None and values.get("valid_from") is not None and until <= values["valid_from"]:
        problems.add("valid_until", _("失效日期须晚于生效日期。"))
    if not fee_items:
        problems.add("fee_items", _("请选择适用的收费项目。"))
    elif kind != DiscountKind.FIXED and any(not item.periodic for item in fee_items):
        problems.add("fee_items", _("预缴与空置优惠只适用于周期性收费项目。"))
    problems.raise_any()


def _snapshot(rule: DiscountRule) -> dict[str, Any]:
    values = {name: getattr(rule, name) for name in RULE_FIELDS}
    values = {k: str(v) if isinstance(v, date | Decimal) else v for k, v in values.items()}
    values["fee_items"] = sorted(rule.fee_items.values_list("pk", flat=True)) if rule.pk else []
    return values


def _duplicate_name() -> DomainError:
    return DomainError(_("已有同名的优惠规则。"), fields={"name": [_("已有同名的优惠规则。")]})


@action
def create_rule(*, actor: Any, fee_items: Sequence[FeeItem], **values: Any) -> DiscountRule:
    _check(values, fee_items)
    with conflict_as(_duplicate_name()):
        rule = DiscountRule.objects.create(created_by=person(actor), **values)
    rule.fee_items.set(fee_items)
    audit(actor, "discount_rule.create", rule, after=_snapshot(rule))
    return rule


@action
def update_rule(
    *, rule: DiscountRule, actor: Any, fee_items: Sequence[FeeItem] | None = None, **changes: Any
) -> DiscountRule:
    """Change a rule. Its kind stays: lines already posted name it, and must keep meaning the same."""
    rule = DiscountRule.objects.select_for_update().get(pk=rule.pk)
    before = _snapshot(rule)
    if "kind" in changes and changes["kind"] != rule.kind:
        raise DomainError(_("优惠类型不能修改，请新建规则。"), fields={"kind": [_("优惠类型不能修改，请新建规则。")]})
    values = {name: changes.get(name, getattr(rule, name)) for name in RULE_FIELDS}
    items = list(fee_items) if fee_items is not None else list(rule.fee_items.all())
    _check(values, items)
    for name, value in values.items():
        setattr(rule, name, value)
    with conflict_as(_duplicate_name()):
        rule.save()
    rule.fee_items.set(items)
    audit(actor, "discount_rule.update", rule, before=before, after=_snapshot(rule))
    return rule


def rules_in_effect(*, kind: str | Sequence[str], fee_item: FeeItem, on: date | None = None) -> QuerySet[DiscountRule]:
    """Active rules of the kind(s) for the item on a date (today unless given), oldest first."""
    on = on or common.today()
    kinds = [kind] if isinstance(kind, str) else list(kind)
    return (
        DiscountRule.objects.filter(kind__in=kinds, active=True, fee_items=fee_item, valid_from__lte=on)
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gt=on))
        .order_by("pk")
    )


@dataclass(frozen=True)
class Line:
    """A discount of `amount` (> 0) off one principal, with the words and inputs that explain it."""

    principal: Charge
    amount: Decimal
    reason: str
    calculation: dict[str, Any]


def below_paid_error() -> DomainError:
    message = _("减免后的金额将低于该费用已缴金额；请先退款或调整减免金额。")
    return DomainError(message, code="adjustment_below_paid", fields={"amount": [message]})


def post_lines(lines: Sequence[Line], *, actor: Any, issued_on: date | None = None) -> list[Charge]:
    """Post each discount as an ADJUSTMENT line (negative, linked to its principal), in one savepoint.

    The database refuses a line that takes a charge below what is paid (a trigger) and a second line
    from one source on one charge (the unique index): the first becomes a readable 400, the second a 409.
    """
    day = issued_on or common.today()
    rows = [
        Charge(
            house_id=line.principal.house_id,
            estate_id=line.principal.estate_id,
            building_id=line.principal.building_id,
            fee_item_id=line.principal.fee_item_id,
            kind=ChargeKind.ADJUSTMENT,
            cycle_start=line.principal.cycle_start,
            period_start=line.principal.period_start,
            period_end=line.principal.period_end,
            amount=-line.amount,
            issued_on=day,
            due_date=max(day, line.principal.due_date),
            principal=line.principal,
            reason=line.reason[:200],
            calculation=line.calculation,
            created_by=person(actor),
        )
        for line in lines
        if line.amount > 0
    ]
    try:
        with transaction.atomic():
            return Charge.objects.bulk_create(rows)
    except IntegrityError as exc:
        if "below what is paid" in str(exc):
            raise below_paid_error() from exc
        if "discount_once_per_principal" in str(exc):
            raise DomainError(_("该优惠已应用于此费用。"), code="discount_applied", status_code=409) from exc
        raise
