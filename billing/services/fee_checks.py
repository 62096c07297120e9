"""Checks of fee configuration as entered (收费设置): an item's settings and a price for its mode.

A price that cannot be computed is refused when it is saved, with the reason (a formula that divides
by zero, a tier table out of order), never discovered later as a silent 0 on a bill. Every failure is
a field error, all of a form's problems gathered at once (`Problems`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from billing import fee_rules
from billing.models import (
    BillingTiming,
    ChargingMode,
    DueRule,
    FeeKind,
    MeterKind,
    PayerKind,
    Register,
    RoundingMode,
    RoundingPlace,
    TimeUnit,
)
from core import text
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

UNIT_PRICE_PLACES = 4
AMOUNT_PLACES = 2
UNIT_PRICE_LIMIT = Decimal("100000000")  # max_digits 12, 4 places
AMOUNT_LIMIT = Decimal("10000000000")  # max_digits 12, 2 places
MAX_DAYS_AFTER_ISSUE = 365
TIME_OF_USE_REGISTERS = (Register.PEAK, Register.VALLEY)


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


def _check_number(problems: Problems, name: str, value: Any, label: str, *, money: bool) -> Decimal | None:
    """A unit price (4 places) or, with `money`, an amount (2 places): a number ≥ 0 within its column."""
    number = parse_decimal(value)
    what = {"label": label}
    if number is None:
        problems.add(name, (_("%(label)s不是有效的金额。") if money else _("%(label)s不是有效的数。")) % what)
    elif number < 0:
        problems.add(name, _("%(label)s不能为负数。") % what)
    elif number >= (AMOUNT_LIMIT if money else UNIT_PRICE_LIMIT):
        problems.add(name, _("%(label)s过大。") % what)
    elif not fits_places(number, AMOUNT_PLACES if money else UNIT_PRICE_PLACES):
        # Refused, not rounded: 12.345 typed by mistake must not silently become 12.35.
        problems.add(name, (_("%(label)s最多 2 位小数（到分）。") if money else _("%(label)s最多 4 位小数。")) % what)
    else:
        return number
    return None


def _check_unit_price(problems: Problems, name: str, value: Any, label: str) -> Decimal | None:
    return _check_number(problems, name, value, label, money=False)


def _check_amount(problems: Problems, name: str, value: Any, label: str) -> Decimal | None:
    return _check_number(problems, name, value, label, money=True)


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
