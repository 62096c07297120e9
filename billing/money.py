"""Money primitives: exact amounts, rounding, month arithmetic, proration, tiers, splitting.

Pure functions over `Decimal`, `Fraction` and `date`: no models, no database. The billing engine
builds every charge line from these, so the rules HC got wrong live here once:

- never float (HC's `BigDecimal(double)`): `money()` refuses it;
- round once per charge line, with the fee item's mode (`round_money`), never an intermediate price;
- periods are half-open `[start, end)` dates, stepped from the anchor and clamped to the month end
  (`add_months`), never from the previous period's end;
- proration is an exact `Fraction` of months (`month_fraction`), not a 4-place approximation;
- shares of a total add up to the total exactly (`largest_remainder`).

The formula evaluator lives in `billing.formulas` and is re-exported here.
"""

from __future__ import annotations

import calendar
import decimal
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction

from django.utils.translation import gettext as _

from billing.formulas import FORMULA_VARIABLES as FORMULA_VARIABLES
from billing.formulas import FormulaError as FormulaError
from billing.formulas import check_formula as check_formula
from billing.formulas import evaluate_formula as evaluate_formula

# Wide enough that sums and products of real amounts are exact; Inexact is trapped where a result
# must be exact, so a lost digit is a loud bug instead of a wrong bill.
PRECISION = 60
_EXACT = decimal.Context(
    prec=PRECISION,
    rounding=decimal.ROUND_HALF_EVEN,
    traps=[decimal.InvalidOperation, decimal.DivisionByZero, decimal.Overflow, decimal.Inexact],
)
# Division (proration) cannot always be exact: 60 significant digits, far past any half-fen tie.
_DIVIDE = decimal.Context(
    prec=PRECISION,
    rounding=decimal.ROUND_HALF_EVEN,
    traps=[decimal.InvalidOperation, decimal.DivisionByZero, decimal.Overflow],
)
CENT = Decimal("0.01")


class Rounding(StrEnum):
    """How a charge line is rounded (四舍五入 / 向上 / 向下)."""

    HALF_UP = "half_up"
    UP = "up"  # away from zero
    DOWN = "down"  # towards zero


class Place(StrEnum):
    """Where a charge line is rounded to: 分 0.01, 角 0.1, 元 1."""

    FEN = "fen"
    JIAO = "jiao"
    YUAN = "yuan"


_DECIMAL_ROUNDING = {
    Rounding.HALF_UP: decimal.ROUND_HALF_UP,
    Rounding.UP: decimal.ROUND_UP,
    Rounding.DOWN: decimal.ROUND_DOWN,
}
_QUANTUM = {Place.FEN: Decimal("0.01"), Place.JIAO: Decimal("0.1"), Place.YUAN: Decimal("1")}


def money(value: Decimal | int | str) -> Decimal:
    """The exact Decimal for an amount given as Decimal, int or text; float is refused (TypeError)."""
    if isinstance(value, bool) or not isinstance(value, Decimal | int | str):
        raise TypeError(_("金额必须是 Decimal、整数或文本，不能是 %(type)s。") % {"type": type(value).__name__})
    if isinstance(value, str):
        try:
            result = Decimal(value.strip())
        except decimal.InvalidOperation:
            raise ValueError(_("“%(value)s”不是有效的金额。") % {"value": value}) from None
    else:
        result = Decimal(value)
    if not result.is_finite():
        raise ValueError(_("金额必须是有限的数，不能是 %(value)s。") % {"value": value})
    return result


def _rounding(mode: Rounding | str) -> Rounding:
    try:
        return Rounding(mode)
    except ValueError:
        raise ValueError(_("未知的取整方式“%(mode)s”（可选 half_up、up、down）。") % {"mode": mode}) from None


def _place(place: Place | str) -> Place:
    try:
        return Place(place)
    except ValueError:
        raise ValueError(_("未知的取整位“%(place)s”（可选 fen、jiao、yuan）。") % {"place": place}) from None


def round_money(value: Decimal, mode: Rounding | str = Rounding.HALF_UP, place: Place | str = Place.FEN) -> Decimal:
    """Round once to the place with the mode, returned with exactly two decimal places.

    `up` is away from zero and `down` towards zero, also for negative amounts (refunds, adjustments):
    round_money(Decimal("-0.001"), "up") == Decimal("-0.01").
    """
    value = money(value)
    rounded = value.quantize(_QUANTUM[_place(place)], rounding=_DECIMAL_ROUNDING[_rounding(mode)], context=_DIVIDE)
    return rounded.quantize(CENT, context=_EXACT)


# ---------------------------------------------------------------- dates and periods


def days_in_month(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


def add_months(anchor: date, months: int) -> date:
    """The anchor moved by whole months, keeping its day, clamped to the month end (Jan 31 + 1 = Feb 28/29)."""
    index = anchor.year * 12 + (anchor.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    if not 1 <= year <= 9999:
        raise ValueError(_("日期超出范围：%(anchor)s 加 %(months)s 个月。") % {"anchor": anchor, "months": months})
    return date(year, month, min(anchor.day, days_in_month(year, month)))


def _check_cycle(cycle_months: int) -> None:
    if isinstance(cycle_months, bool) or not isinstance(cycle_months, int) or cycle_months < 1:
        raise ValueError(_("计费周期必须是正整数个月，不能是 %(cycle)s。") % {"cycle": cycle_months})


def _check_range(start: date, end: date) -> None:
    if end < start:
        raise ValueError(_("结束日期 %(end)s 早于开始日期 %(start)s。") % {"start": start, "end": end})


def period_containing(anchor: date, cycle_months: int, day: date) -> tuple[date, date]:
    """The half-open cycle [add_months(anchor, k·c), add_months(anchor, (k+1)·c)) that contains the day.

    Every boundary is computed from the anchor, never from the previous end, so a Jan 31 anchor gives
    Feb 29, Mar 31, Apr 30 … and not Feb 29, Mar 29, Apr 29. Works for days before the anchor too.
    """
    _check_cycle(cycle_months)
    months_apart = (day.year - anchor.year) * 12 + (day.month - anchor.month)
    k = months_apart // cycle_months
    while add_months(anchor, k * cycle_months) > day:
        k -= 1
    while add_months(anchor, (k + 1) * cycle_months) <= day:
        k += 1
    return add_months(anchor, k * cycle_months), add_months(anchor, (k + 1) * cycle_months)


def periods_between(anchor: date, cycle_months: int, start: date, end: date) -> list[tuple[date, date]]:
    """The whole cycles (stepped from the anchor) that overlap [start, end), in order; [] when empty."""
    _check_cycle(cycle_months)
    _check_range(start, end)
    periods: list[tuple[date, date]] = []
    if start == end:
        return periods
    period = period_containing(anchor, cycle_months, start)
    while period[0] < end:
        periods.append(period)
        period = period_containing(anchor, cycle_months, period[1])
    return periods


def month_fraction(start: date, end: date) -> Fraction:
    """The exact number of months in [start, end): each calendar month overlapped counts
    days_overlapped / days_in_that_month. Additive: f(a, b) + f(b, c) == f(a, c).

    Unlike HC's `dayCompare` nothing is rounded (17/31 stays 17/31, not 0.5484), and a span from the
    15th to the 15th is not forced to whole months: Jan 15 → Feb 15 is 17/31 + 14/29. For "what part
    of one billing cycle" use `fraction_of_period`, which is 1 for a whole cycle.
    """
    _check_range(start, end)
    if (start.year, start.month) == (end.year, end.month):
        return Fraction((end - start).days, days_in_month(start.year, start.month))
    head_days = days_in_month(start.year, start.month)
    head = Fraction(head_days - start.day + 1, head_days)
    whole_months = (end.year - start.year) * 12 + (end.month - start.month) - 1
    tail = Fraction(end.day - 1, days_in_month(end.year, end.month))
    return head + whole_months + tail


def fraction_of_period(period: tuple[date, date], start: date, end: date) -> Fraction:
    """The part of a cycle [period) that [start, end) covers, weighted by month_fraction: 1 for the
    whole cycle, additive within it. Months charged for a partial cycle = cycle_months × this."""
    period_start, period_end = period
    _check_range(period_start, period_end)
    _check_range(start, end)
    if period_start == period_end:
        raise ValueError(_("计费周期不能为空。"))
    low, high = max(start, period_start), min(end, period_end)
    if high <= low:
        return Fraction(0)
    return month_fraction(low, high) / month_fraction(period_start, period_end)


def day_fraction(start: date, end: date) -> int:
    """The number of days in [start, end)."""
    _check_range(start, end)
    return (end - start).days


# ---------------------------------------------------------------- amounts


def prorate(amount_for_whole: Decimal, part: Fraction) -> Decimal:
    """amount × part, unrounded (60 significant digits); round the result once with round_money."""
    amount = money(amount_for_whole)
    if not isinstance(part, Fraction | int) or isinstance(part, bool):
        raise TypeError(_("比例必须是 Fraction，不能是 %(type)s。") % {"type": type(part).__name__})
    part = Fraction(part)
    numerator = _EXACT.multiply(amount, Decimal(part.numerator))
    return _DIVIDE.divide(numerator, Decimal(part.denominator))


def validate_tiers(tiers: Sequence[tuple[Decimal | None, Decimal]]) -> list[str]:
    """Readable problems with a tier table (阶梯), [] when it is valid.

    Each tier is (upper bound of its band, unit price); bands are cumulative — [(100, 0.5), (None, 0.8)]
    prices the first 100 units at 0.5 and the rest at 0.8. Bounds strictly ascend and are positive,
    only the last tier has no bound, prices are not negative.
    """
    errors: list[str] = []
    if not tiers:
        return [_("阶梯价至少需要一档。")]
    previous: Decimal | None = None
    for number, tier in enumerate(tiers, start=1):
        try:
            bound, price = tier
        except (TypeError, ValueError):
            errors.append(_("第 %(n)s 档应为（上限, 单价）。") % {"n": number})
            continue
        last = number == len(tiers)
        try:
            price = money(price)
        except (TypeError, ValueError):
            errors.append(_("第 %(n)s 档的单价“%(price)s”不是有效的金额。") % {"n": number, "price": price})
        else:
            if price < 0:
                errors.append(_("第 %(n)s 档的单价不能为负数。") % {"n": number})
        if bound is None:
            if not last:
                errors.append(_("只有最后一档可以不设上限（第 %(n)s 档缺少上限）。") % {"n": number})
            continue
        if last:
            errors.append(_("最后一档不能设上限（应为不封顶）。"))
        try:
            bound = money(bound)
        except (TypeError, ValueError):
            errors.append(_("第 %(n)s 档的上限“%(bound)s”不是有效的数。") % {"n": number, "bound": bound})
            continue
        if bound <= 0:
            errors.append(_("第 %(n)s 档的上限必须大于 0。") % {"n": number})
        elif previous is not None and bound <= previous:
            errors.append(
                _("第 %(n)s 档的上限 %(bound)s 必须大于上一档的 %(previous)s。")
                % {
                    "n": number,
                    "bound": bound,
                    "previous": previous,
                }
            )
        previous = bound
    return errors


def tiered_amount(usage: Decimal, tiers: Sequence[tuple[Decimal | None, Decimal]]) -> Decimal:
    """The exact, unrounded amount for a usage under cumulative tiers (see validate_tiers)."""
    errors = validate_tiers(tiers)
    if errors:
        raise ValueError(" ".join(errors))
    usage = money(usage)
    if usage < 0:
        raise ValueError(_("用量不能为负数：%(usage)s。") % {"usage": usage})
    total = Decimal(0)
    lower = Decimal(0)
    for bound, price in tiers:
        upper = usage if bound is None else min(usage, money(bound))
        if upper > lower:
            total = _EXACT.add(total, _EXACT.multiply(_EXACT.subtract(upper, lower), money(price)))
        if bound is None or usage <= money(bound):
            break
        lower = money(bound)
    return total


def _as_fraction(weight: Decimal | Fraction | int) -> Fraction:
    if isinstance(weight, bool) or not isinstance(weight, Decimal | Fraction | int):
        raise TypeError(_("权重必须是 Decimal、Fraction 或整数，不能是 %(type)s。") % {"type": type(weight).__name__})
    if isinstance(weight, Decimal) and not weight.is_finite():
        raise ValueError(_("权重必须是有限的数。"))
    return Fraction(weight)


def largest_remainder(
    total: Decimal, weights: Sequence[Decimal | Fraction | int], place: Decimal = CENT
) -> list[Decimal]:
    """Split a total in proportion to the weights, each share a multiple of place, summing exactly to it.

    Every share starts at its exact proportion rounded towards zero; the units left over go one each to
    the largest remainders (ties: the earlier index). So each share is within one place-unit of its
    exact proportion. A negative total (an adjustment) is split as its opposite, negated.
    """
    total = money(total)
    place = money(place)
    if place <= 0:
        raise ValueError(_("分摊单位必须大于 0。"))
    units_exact = Fraction(total) / Fraction(place)
    if units_exact.denominator != 1:
        raise ValueError(_("总额 %(total)s 不是 %(place)s 的整数倍。") % {"total": total, "place": place})
    exact_weights = [_as_fraction(weight) for weight in weights]
    if not exact_weights:
        raise ValueError(_("分摊至少需要一个权重。"))
    if any(weight < 0 for weight in exact_weights):
        raise ValueError(_("分摊权重不能为负数。"))
    weight_sum = sum(exact_weights, Fraction(0))
    if weight_sum == 0:
        raise ValueError(_("分摊权重不能全为 0。"))
    units = units_exact.numerator
    sign = -1 if units < 0 else 1
    units *= sign
    exact = [units * weight / weight_sum for weight in exact_weights]
    shares = [share.numerator // share.denominator for share in exact]
    leftover = units - sum(shares)
    by_remainder = sorted(range(len(exact)), key=lambda i: (-(exact[i] - shares[i]), i))
    for index in by_remainder[:leftover]:
        shares[index] += 1
    exponent = place.as_tuple().exponent
    quantum = Decimal(1).scaleb(exponent) if isinstance(exponent, int) and exponent < 0 else Decimal(1)
    return [_EXACT.multiply(Decimal(sign * share), place).quantize(quantum, context=_EXACT) for share in shares]


def split_prorated(total: Decimal, fractions: Sequence[Decimal | Fraction | int]) -> list[Decimal]:
    """Split an already rounded charge into parts proportional to fractions (e.g. the months of each
    sub-period), in fen, so the parts add up exactly to the charge: round first, then split."""
    return largest_remainder(total, fractions, CENT)


__all__ = [
    "CENT",
    "FORMULA_VARIABLES",
    "PRECISION",
    "FormulaError",
    "Place",
    "Rounding",
    "add_months",
    "check_formula",
    "day_fraction",
    "days_in_month",
    "evaluate_formula",
    "fraction_of_period",
    "largest_remainder",
    "money",
    "month_fraction",
    "period_containing",
    "periods_between",
    "prorate",
    "round_money",
    "split_prorated",
    "tiered_amount",
    "validate_tiers",
]
