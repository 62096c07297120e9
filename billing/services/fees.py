"""Writes for fee configuration (收费设置): fee items, their dated prices, and which houses they are charged on.

Two rules shape everything here:
- a change applies from a date and never rewrites an issued charge: a price dated inside a period
  already charged is refused, and once an item has charges its mode, kind and cycle stay as they are;
- a price that cannot be computed is refused when it is saved, with the reason (a formula that
  divides by zero, a tier table out of order), never discovered later as a silent 0 on a bill.
Every failure is a field error, all of a form's problems at once.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from billing import fee_rules
from billing.models import (
    BillingTiming,
    Charge,
    ChargingMode,
    DueRule,
    FeeItem,
    FeeKind,
    FeePrice,
    MeterKind,
    PayerKind,
    Register,
    RoundingMode,
    RoundingPlace,
    TimeUnit,
)
from billing.selectors import fees as fee_selectors
from billing.services.common import audit, field_error
from core import text
from core.actions import action
from core.db import conflict_as
from core.errors import DomainError

# Modes priced as a unit price times a figure of the house or the assignment.
UNIT_PRICE_MODES = frozenset(
    {
        ChargingMode.BUILDING_AREA,
        ChargingMode.USABLE_AREA,
        ChargingMode.FIXED,
        ChargingMode.COUNT,
        ChargingMode.TIME,
        ChargingMode.USAGE,
        ChargingMode.SHARED_METER,
    }
)
METER_MODES = frozenset({ChargingMode.METER, ChargingMode.SHARED_METER})
TIERED_MODES = frozenset({ChargingMode.METER, ChargingMode.USAGE})
# What a charge already issued was computed with: changing any of these would make old and new
# charges of one item disagree about what a period is or what is counted.
LOCKED_ONCE_CHARGED = ("kind", "mode", "meter_kind", "cycle_months", "cycle_anchor", "timing", "payer_kind")

UNIT_PRICE_PLACES = 4
AMOUNT_PLACES = 2
UNIT_PRICE_LIMIT = Decimal("100000000")  # max_digits 12, 4 places
AMOUNT_LIMIT = Decimal("10000000000")  # max_digits 12, 2 places
MAX_DAYS_AFTER_ISSUE = 365
TIME_OF_USE_REGISTERS = (Register.PEAK, Register.VALLEY)

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


@dataclass
class Problems:
    """Field errors gathered over a whole form, raised together."""

    fields: dict[str, list[str]] = field(default_factory=dict)

    def add(self, name: str, message: str) -> None:
        self.fields.setdefault(name, []).append(message)

    def under(self, prefix: str) -> Problems:
        """The same collector, naming fields under `prefix`."""
        return self if not prefix else _Prefixed(self.fields, prefix)

    def raise_any(self) -> None:
        if self.fields:
            first = next(iter(self.fields.values()))[0]
            raise DomainError(first, fields=self.fields)


class _Prefixed(Problems):
    def __init__(self, fields: dict[str, list[str]], prefix: str) -> None:
        super().__init__(fields)
        self.prefix = prefix

    def add(self, name: str, message: str) -> None:
        super().add(self.prefix + name, message)


@dataclass(frozen=True)
class PriceInput:
    """A price as entered: unit price (4 places) or tiers or a formula, plus a fixed extra (2 places)."""

    unit_price: Decimal | None = None
    fixed_extra: Decimal = Decimal("0")
    tiers: Sequence[Sequence[Any]] = ()
    register_prices: Mapping[str, Any] = field(default_factory=dict)
    formula: str = ""


def parse_decimal(value: Any) -> Decimal | None:
    if isinstance(value, Decimal):
        return value if value.is_finite() else None
    if isinstance(value, int) and not isinstance(value, bool):
        return Decimal(value)
    if isinstance(value, str):
        try:
            parsed = Decimal(value.strip())
        except InvalidOperation:
            return None
        return parsed if parsed.is_finite() else None
    return None  # floats too: money is never built from a float


def fits_places(value: Decimal, places: int) -> bool:
    return value == value.quantize(Decimal(1).scaleb(-places))


def _check_unit_price(problems: Problems, name: str, value: Any, label: str) -> Decimal | None:
    number = parse_decimal(value)
    if number is None:
        problems.add(name, _("%(label)s不是有效的数。") % {"label": label})
    elif number < 0:
        problems.add(name, _("%(label)s不能为负数。") % {"label": label})
    elif number >= UNIT_PRICE_LIMIT:
        problems.add(name, _("%(label)s过大。") % {"label": label})
    elif not fits_places(number, UNIT_PRICE_PLACES):
        problems.add(name, _("%(label)s最多 4 位小数。") % {"label": label})
    else:
        return number
    return None


def _check_amount(problems: Problems, name: str, value: Any, label: str) -> Decimal | None:
    number = parse_decimal(value)
    if number is None:
        problems.add(name, _("%(label)s不是有效的金额。") % {"label": label})
    elif number < 0:
        problems.add(name, _("%(label)s不能为负数。") % {"label": label})
    elif number >= AMOUNT_LIMIT:
        problems.add(name, _("%(label)s过大。") % {"label": label})
    elif not fits_places(number, AMOUNT_PLACES):
        # Refused, not rounded: 12.345 typed by mistake must not silently become 12.35.
        problems.add(name, _("%(label)s最多 2 位小数（到分）。") % {"label": label})
    else:
        return number
    return None


def _stored_tiers(tiers: Sequence[tuple[Decimal | None, Decimal]]) -> list[list[str | None]]:
    return [[None if bound is None else str(bound), str(price)] for bound, price in tiers]


def check_price(mode: str, price: PriceInput, problems: Problems, prefix: str = "") -> dict[str, Any]:
    """The price's stored values for an item of `mode`, its problems added to `problems` (field names
    after `prefix`: "price." where the price is part of the item form)."""
    problems = problems.under(prefix)
    values: dict[str, Any] = {"unit_price": Decimal("0"), "tiers": [], "register_prices": {}, "formula": ""}
    values["fixed_extra"] = _check_amount(problems, "fixed_extra", price.fixed_extra, _("附加费"))
    if price.unit_price is not None:
        values["unit_price"] = _check_unit_price(problems, "unit_price", price.unit_price, _("单价"))

    tiers: list[tuple[Decimal | None, Decimal]] = []
    if price.tiers:
        if mode not in TIERED_MODES:
            problems.add("tiers", _("只有按抄表用量或录入用量计费的项目可以设置阶梯价。"))
        else:
            tiers = _parse_tiers(problems, price.tiers)
            if tiers and price.unit_price is not None:
                problems.add("unit_price", _("已设置阶梯价时不再填写单价：每档的单价写在阶梯里。"))
            values["tiers"] = _stored_tiers(tiers)

    if price.register_prices:
        if mode != ChargingMode.METER:
            problems.add("register_prices", _("只有按抄表用量计费的项目可以设置峰谷单价。"))
        else:
            values["register_prices"] = _parse_register_prices(problems, price.register_prices)

    formula = (price.formula or "").strip()
    if mode == ChargingMode.FORMULA:
        if not formula:
            problems.add("formula", _("按自定义公式计费时请填写公式。"))
        else:
            why = fee_rules.formula_problem(formula)
            if why:
                problems.add("formula", why)
            elif price.unit_price is None and fee_rules.formula_needs(formula, "unit_price"):
                problems.add("unit_price", _("公式用到了单价，请填写单价。"))
        values["formula"] = formula
    elif formula:
        problems.add("formula", _("只有按自定义公式计费的项目可以填写公式。"))

    if mode in UNIT_PRICE_MODES and mode not in TIERED_MODES and price.unit_price is None:
        problems.add("unit_price", _("请填写单价。"))
    if mode in TIERED_MODES and price.unit_price is None and not price.tiers:
        problems.add("unit_price", _("请填写单价，或设置阶梯价。"))
    return values


def _parse_tiers(problems: Problems, raw: Sequence[Sequence[Any]]) -> list[tuple[Decimal | None, Decimal]]:
    parsed: list[tuple[Decimal | None, Decimal]] = []
    shaped = True
    for number, tier in enumerate(raw, start=1):
        if isinstance(tier, str | bytes) or not isinstance(tier, Sequence) or len(tier) != 2:
            problems.add("tiers", _("第 %(n)s 档应为（上限, 单价）。") % {"n": number})
            shaped = False
            continue
        bound_text, price_text = tier
        bound = None if bound_text is None else parse_decimal(bound_text)
        price = parse_decimal(price_text)
        if (bound_text is not None and bound is None) or price is None:
            problems.add("tiers", _("第 %(n)s 档的上限或单价不是有效的数。") % {"n": number})
            shaped = False
            continue
        if not fits_places(price, UNIT_PRICE_PLACES) or price >= UNIT_PRICE_LIMIT:
            problems.add("tiers", _("第 %(n)s 档的单价最多 4 位小数。") % {"n": number})
            shaped = False
            continue
        if bound is not None and (not fits_places(bound, AMOUNT_PLACES) or bound >= AMOUNT_LIMIT):
            problems.add("tiers", _("第 %(n)s 档的上限最多 2 位小数。") % {"n": number})
            shaped = False
            continue
        parsed.append((bound, price))
    if not shaped:
        return []
    for why in fee_rules.tier_problems(parsed):
        problems.add("tiers", why)
    return parsed


def _parse_register_prices(problems: Problems, raw: Mapping[str, Any]) -> dict[str, str]:
    unknown = sorted(set(raw) - set(TIME_OF_USE_REGISTERS))
    if unknown:
        problems.add("register_prices", _("峰谷单价只能设置峰（peak）和谷（valley）。"))
        return {}
    if set(raw) != set(TIME_OF_USE_REGISTERS):
        problems.add("register_prices", _("峰谷单价须同时填写峰（peak）和谷（valley）。"))
        return {}
    stored: dict[str, str] = {}
    for register in TIME_OF_USE_REGISTERS:
        value = _check_unit_price(problems, "register_prices", raw[register], _("峰谷单价"))
        if value is not None:
            stored[register] = str(value)
    return stored


def check_item(values: dict[str, Any], problems: Problems) -> None:
    """An item's own settings (not its price), normalised in place."""
    values["name"] = text.clean_name(values.get("name"))
    if not values["name"]:
        problems.add("name", _("请填写收费项目名称。"))
    elif len(values["name"]) > 50:
        problems.add("name", _("名称最多 50 个字。"))
    for name, choices, label in (
        ("kind", FeeKind.values, _("费用类型")),
        ("payer_kind", PayerKind.values, _("收费对象")),
        ("mode", ChargingMode.values, _("计费方式")),
        ("timing", BillingTiming.values, _("收费时机")),
        ("due_rule", DueRule.values, _("缴费期限")),
        ("rounding", RoundingMode.values, _("舍入方式")),
        ("rounding_place", RoundingPlace.values, _("舍入精度")),
        ("time_unit", TimeUnit.values, _("计时单位")),
    ):
        if values[name] not in choices:
            problems.add(name, _("%(label)s无效。") % {"label": label})
    if values["cycle_months"] not in (0, 1, 3, 6, 12):
        problems.add("cycle_months", _("收费周期只能是一次性、每月、每季度、每半年或每年。"))
    elif values["cycle_months"] == 0 and values["timing"] != BillingTiming.PREPAID:
        problems.add("timing", _("一次性收费只能预收：它没有“上一周期”可以后收。"))

    due_value = values["due_value"]
    if values["due_rule"] == DueRule.DAY_OF_MONTH and not 1 <= due_value <= 28:
        problems.add("due_value", _("每月缴费日须在 1 到 28 日之间（每个月都有的日子）。"))
    elif values["due_rule"] == DueRule.DAYS_AFTER_ISSUE and not 0 <= due_value <= MAX_DAYS_AFTER_ISSUE:
        problems.add("due_value", _("出账后天数须在 0 到 365 之间。"))

    meter_kind = values.get("meter_kind") or ""
    if values["mode"] in METER_MODES:
        if meter_kind not in MeterKind.values:
            problems.add("meter_kind", _("按抄表计费时请选择表具类型：水表、电表、燃气表或热量表。"))
    elif meter_kind:
        problems.add("meter_kind", _("只有按抄表计费的项目需要选择表具类型。"))
    values["meter_kind"] = meter_kind

    if values["valid_until"] is not None and values["valid_until"] <= values["valid_from"]:
        problems.add("valid_until", _("失效日期须晚于生效日期。"))

    late_fee = values.get("late_fee") or {}
    if not isinstance(late_fee, Mapping):
        problems.add("late_fee", _("滞纳金设置必须是一个对象。"))
    else:
        refused = fee_rules.late_fee_problem(late_fee)
        if refused:
            setting, why = refused
            problems.add(f"late_fee.{setting}", why)
    values["late_fee"] = dict(late_fee) if isinstance(late_fee, Mapping) else {}


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


__all__ = [
    "PriceInput",
    "Problems",
    "check_item",
    "check_price",
    "create_fee_item",
    "deactivate_fee_item",
    "delete_fee_item",
    "fits_places",
    "parse_decimal",
    "person",
    "set_price",
    "update_fee_item",
]
