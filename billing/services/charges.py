"""Charges entered by hand: one-off fees (装修管理费, 证件工本费) and usage entered per charge —
priced with the item's price in effect on the period's first day and rounded once, like a bill run's."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from billing import money
from billing.models import Charge, ChargeKind, FeeItem, FeePrice
from billing.services.bill_runs import due_date_for
from billing.services.common import audit, check_amount, field_error, today
from core.actions import action
from core.db import conflict_as
from core.errors import DomainError
from tenants.estates.models import House

MAX_QUANTITY = Decimal("99999999")


@action
def create_manual_charge(
    *,
    house: House,
    fee_item: FeeItem,
    period_start: date,
    period_end: date,
    actor: Any,
    quantity: Decimal | None = None,
    amount: Decimal | None = None,
    due_date: date | None = None,
    reason: str = "",
) -> Charge:
    if period_end <= period_start:
        raise field_error("period_end", _("结束日期须晚于开始日期。"))
    if period_end - period_start > timedelta(days=3660):
        raise field_error("period_end", _("计费期间不能超过十年。"))
    if (quantity is None) == (amount is None):
        raise field_error("amount", _("请填写金额或用量（二选一）。"))
    price = (
        FeePrice.objects.filter(fee_item=fee_item, effective_from__lte=period_start).order_by("-effective_from").first()
    )
    calculation: dict[str, Any] = {"mode": "manual", "rounding": fee_item.rounding, "place": fee_item.rounding_place}
    if quantity is not None:
        if not isinstance(quantity, Decimal) or not quantity.is_finite() or not 0 < quantity <= MAX_QUANTITY:
            raise field_error("quantity", _("用量须大于 0。"))
        if price is None:
            raise field_error("fee_item", _("该收费项目在此期间没有价格。"))
        exact = quantity * price.unit_price + price.fixed_extra
        if price.tiers:
            bands = [(None if u is None else Decimal(str(u)), Decimal(str(p))) for u, p in price.tiers]
            exact = money.tiered_amount(quantity, bands) + price.fixed_extra
        value = money.round_money(exact, fee_item.rounding, fee_item.rounding_place)
        calculation.update(usage=str(quantity), unit_price=str(price.unit_price), price_id=price.pk)
    else:
        assert amount is not None
        value = check_amount("amount", amount)
        calculation.update(entered=str(amount))
    issued = today()
    due = due_date or due_date_for(fee_item, issued)
    if due < issued:
        raise field_error("due_date", _("缴费截止日不能早于今天。"))
    with conflict_as(DomainError(_("该房屋此期间已有这项费用。"), code="charge_exists", status_code=409)):
        charge = Charge.objects.create(
            house=house,
            estate_id=house.estate_id,
            building_id=house.building_id,
            fee_item=fee_item,
            kind=ChargeKind.REGULAR,
            cycle_start=period_start,
            period_start=period_start,
            period_end=period_end,
            amount=value,
            issued_on=issued,
            due_date=due,
            calculation=calculation,
            reason=(reason or "").strip()[:200],
            created_by=actor if getattr(actor, "pk", None) else None,
        )
    audit(actor, "charge.create", charge, after={"house": house.pk, "fee_item": fee_item.pk, "amount": str(value)})
    return charge
