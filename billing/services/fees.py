"""Writes for fee configuration (收费设置): fee items and their dated prices.

A change applies from a date and never rewrites an issued charge: a price dated inside a period
already charged is refused, and once an item has charges its mode, kind and cycle stay as they are.
What is entered is checked by billing.services.fee_checks (every failure a field error, all of a
form's problems at once); which houses an item is charged on is billing.services.assignments.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from billing.models import (
    BillingTiming,
    Charge,
    DueRule,
    FeeItem,
    FeePrice,
    PayerKind,
    RoundingMode,
    RoundingPlace,
    TimeUnit,
)
from billing.selectors import fees as fee_selectors
from billing.services.common import audit, field_error
from billing.services.fee_checks import PriceInput, Problems, check_item, check_price
from core.actions import action
from core.db import conflict_as
from core.errors import DomainError

# What a charge already issued was computed with: changing any of these would make old and new
# charges of one item disagree about what a period is or what is counted.
LOCKED_ONCE_CHARGED = ("kind", "mode", "meter_kind", "cycle_months", "cycle_anchor", "timing", "payer_kind")

ITEM_FIELDS = (
    "name",
    "kind",
    "payer_kind",
    "mode",
    "cycle_months",
    "cycle_anchor",
    "timing",
    "due_rule",
    "due_value",
    "rounding",
    "rounding_place",
    "time_unit",
    "meter_kind",
    "valid_from",
    "valid_until",
    "balance_may_pay",
    "payable_online",
    "late_fee",
    "active",
)


def _duplicate_name() -> DomainError:
    return field_error("name", _("已有同名的收费项目。"))


def _snapshot(item: FeeItem) -> dict[str, Any]:
    return {name: _jsonable(getattr(item, name)) for name in ITEM_FIELDS}


def _jsonable(value: Any) -> Any:
    if isinstance(value, date | Decimal):
        return str(value)
    return value


def _price_snapshot(price: FeePrice) -> dict[str, Any]:
    return {
        "effective_from": str(price.effective_from),
        "unit_price": str(price.unit_price),
        "fixed_extra": str(price.fixed_extra),
        "tiers": price.tiers,
        "register_prices": price.register_prices,
        "formula": price.formula,
    }


@action
def create_fee_item(
    *,
    name: str,
    kind: str,
    mode: str,
    valid_from: date,
    price: PriceInput,
    actor: Any,
    payer_kind: str = PayerKind.HOUSE,
    cycle_months: int = 1,
    cycle_anchor: date | None = None,
    timing: str = BillingTiming.PREPAID,
    due_rule: str = DueRule.DAYS_AFTER_ISSUE,
    due_value: int = 15,
    rounding: str = RoundingMode.HALF_UP,
    rounding_place: str = RoundingPlace.FEN,
    time_unit: str = TimeUnit.MONTH,
    meter_kind: str = "",
    valid_until: date | None = None,
    balance_may_pay: bool = True,
    payable_online: bool = True,
    late_fee: Mapping[str, Any] | None = None,
    active: bool = True,
) -> FeeItem:
    """A fee item with its first price, which applies from the item's first valid day."""
    values: dict[str, Any] = {
        "name": name,
        "kind": kind,
        "payer_kind": payer_kind,
        "mode": mode,
        "cycle_months": cycle_months,
        "timing": timing,
        "due_rule": due_rule,
        "due_value": due_value,
        "rounding": rounding,
        "rounding_place": rounding_place,
        "time_unit": time_unit,
        "meter_kind": meter_kind,
        "valid_from": valid_from,
        "valid_until": valid_until,
        "balance_may_pay": balance_may_pay,
        "payable_online": payable_online,
        "late_fee": late_fee or {},
        "active": active,
    }
    if cycle_anchor is not None:
        values["cycle_anchor"] = cycle_anchor
    problems = Problems()
    check_item(values, problems)
    price_values = check_price(mode, price, problems, prefix="price.")
    problems.raise_any()
    with conflict_as(_duplicate_name()):
        item = FeeItem.objects.create(**values)
    first = FeePrice.objects.create(fee_item=item, effective_from=valid_from, created_by=person(actor), **price_values)
    audit(actor, "fee_item.create", item, after={**_snapshot(item), "price": _price_snapshot(first)})
    return item


@action
def update_fee_item(*, fee_item: FeeItem, actor: Any, price: PriceInput | None = None, **changes: Any) -> FeeItem:
    """Change an item's settings. What its issued charges were computed with stays fixed once it has
    any. Until then its prices were never used, so `price` may replace them (a mode change needs a
    price that fits the new mode); after, a new price is a dated one (set_price)."""
    unknown = sorted(set(changes) - set(ITEM_FIELDS))
    if unknown:
        raise TypeError(f"update_fee_item: unknown fields {unknown}")
    item = FeeItem.objects.select_for_update().get(pk=fee_item.pk)
    before = _snapshot(item)
    values = {name: getattr(item, name) for name in ITEM_FIELDS} | changes
    problems = Problems()
    check_item(values, problems)
    changed = {name for name in ITEM_FIELDS if values[name] != getattr(item, name)}

    price_values: dict[str, Any] | None = None
    charged_through = fee_selectors.charged_through(item)
    if charged_through is not None:
        for name in LOCKED_ONCE_CHARGED:
            if name in changed:
                problems.add(
                    name,
                    _(
                        "该项目已出过账单，不能再修改此项：已出的账单按原设置计算。如需改变，请新建收费项目并停用本项目。"
                    ),
                )
        if "valid_from" in changed:
            problems.add("valid_from", _("该项目已出过账单，不能修改生效日期。"))
        if values["valid_until"] is not None and values["valid_until"] < charged_through:
            problems.add(
                "valid_until",
                _("该项目已出账至 %(date)s，失效日期不能早于此日。") % {"date": charged_through},
            )
        if price is not None:
            problems.add("price", _("该项目已出过账单：新价格请用“调整价格”从某日起生效，已出的账单不会被改写。"))
    elif price is not None:
        price_values = check_price(values["mode"], price, problems, prefix="price.")
    elif "mode" in changed or "meter_kind" in changed:
        for existing in item.prices.all():
            trial = Problems()
            check_price(values["mode"], _price_input(existing), trial)
            if trial.fields:
                problems.add(
                    "mode",
                    _("%(date)s 起的价格不适用于新的计费方式：请同时填写适用于新计费方式的价格。")
                    % {"date": existing.effective_from},
                )
                break
    problems.raise_any()
    if not changed and price_values is None:
        return item
    for name in changed:
        setattr(item, name, values[name])
    with conflict_as(_duplicate_name()):
        item.save()
    after = _changed(item, changed)
    earliest = item.prices.order_by("effective_from").first()
    if price_values is None and earliest is not None and earliest.effective_from > item.valid_from:
        # Moved earlier before any charge: the first price starts with the item, so no day lacks one.
        earliest.effective_from = item.valid_from
        earliest.save(update_fields=["effective_from"])
    if price_values is not None:
        item.prices.all().delete()  # never charged: nothing was computed from them
        replaced = FeePrice.objects.create(
            fee_item=item, effective_from=item.valid_from, created_by=person(actor), **price_values
        )
        after["price"] = _price_snapshot(replaced)
    audit(actor, "fee_item.update", item, before={k: before[k] for k in changed}, after=after)
    return item


def _changed(item: FeeItem, names: set[str]) -> dict[str, Any]:
    snapshot = _snapshot(item)
    return {name: snapshot[name] for name in sorted(names)}


def _price_input(price: FeePrice) -> PriceInput:
    return PriceInput(
        unit_price=None if price.tiers else price.unit_price,
        fixed_extra=price.fixed_extra,
        tiers=price.tiers,
        register_prices=price.register_prices,
        formula=price.formula,
    )


@action
def set_price(*, fee_item: FeeItem, effective_from: date, price: PriceInput, actor: Any) -> FeePrice:
    """A new price from a date on. A period already charged keeps the price it was charged at, so
    the date may not fall inside or before one."""
    item = FeeItem.objects.select_for_update().get(pk=fee_item.pk)
    problems = Problems()
    price_values = check_price(item.mode, price, problems)
    if effective_from < item.valid_from:
        problems.add("effective_from", _("价格生效日期不能早于项目生效日期 %(date)s。") % {"date": item.valid_from})
    elif item.valid_until is not None and effective_from >= item.valid_until:
        problems.add("effective_from", _("价格生效日期须早于项目失效日期 %(date)s。") % {"date": item.valid_until})
    charged_through = fee_selectors.charged_through(item)
    if charged_through is not None and effective_from < charged_through:
        problems.add(
            "effective_from",
            _("该项目已出账至 %(date)s：新价格最早从 %(date)s 起生效，已出的账单不会被改写。")
            % {"date": charged_through},
        )
    problems.raise_any()
    taken = field_error("effective_from", _("该日期已有一条价格，请选择其他日期。"))
    with conflict_as(taken):
        row = FeePrice.objects.create(
            fee_item=item, effective_from=effective_from, created_by=person(actor), **price_values
        )
    audit(actor, "fee_item.set_price", item, after=_price_snapshot(row))
    return row


@action
def deactivate_fee_item(*, fee_item: FeeItem, actor: Any) -> FeeItem:
    """Stop using an item: no new assignments, and bill runs pass it by. Its charges stay as issued."""
    item = FeeItem.objects.select_for_update().get(pk=fee_item.pk)
    if not item.active:
        return item
    item.active = False
    item.save(update_fields=["active", "updated_at"])
    audit(actor, "fee_item.deactivate", item, before={"active": True}, after={"active": False})
    return item


@action
def delete_fee_item(*, fee_item: FeeItem, actor: Any) -> None:
    """Remove an item set up by mistake: only while it was never assigned nor charged."""
    item = FeeItem.objects.select_for_update().get(pk=fee_item.pk)
    if item.assignments.exists() or Charge.objects.filter(fee_item=item).exists():
        raise DomainError(_("该项目已分配给房屋或已出账，不能删除；请停用它。"), code="in_use", status_code=409)
    audit(actor, "fee_item.delete", item, before=_snapshot(item))
    item.prices.all().delete()
    item.delete()


def person(actor: Any) -> Any:
    """The user to record as creator: none for system actors."""
    return actor if getattr(actor, "is_authenticated", False) else None


# PriceInput and Problems are the forms' currency of these writes: callers may take them from here.
__all__ = [
    "PriceInput",
    "Problems",
    "create_fee_item",
    "deactivate_fee_item",
    "delete_fee_item",
    "person",
    "set_price",
    "update_fee_item",
]
