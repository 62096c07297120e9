"""Money primitives (billing.money, billing.formulas, billing.late_fees): pure functions, no database."""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from billing.late_fees import (
    STRATEGIES,
    STRATEGY_REQUIRES,
    LateFeeConfigError,
    LateFeePolicy,
    late_fee_due,
    months_late,
    policy_from_config,
    register_strategy,
)
from billing.money import (
    FORMULA_VARIABLES,
    FormulaError,
    Place,
    Rounding,
    add_months,
    check_formula,
    day_fraction,
    evaluate_formula,
    fraction_of_period,
    largest_remainder,
    money,
    month_fraction,
    period_containing,
    periods_between,
    prorate,
    round_money,
    split_prorated,
    tiered_amount,
    validate_tiers,
)

D = Decimal
dates = st.dates(min_value=date(1990, 1, 1), max_value=date(2090, 12, 31))
amounts = st.decimals(min_value=D("-1000000"), max_value=D("1000000"), places=2, allow_nan=False, allow_infinity=False)
positive_amounts = st.decimals(min_value=D("0.01"), max_value=D("1000000"), places=2)


# ---------------------------------------------------------------- money()


@given(st.floats(allow_nan=True, allow_infinity=True))
def test_money_refuses_every_float(value):
    with pytest.raises(TypeError):
        money(value)


@pytest.mark.parametrize("value", ["NaN", "Infinity", "-Infinity", D("NaN"), D("Infinity"), "sNaN"])
def test_money_refuses_non_finite(value):
    with pytest.raises(ValueError):
        money(value)


@pytest.mark.parametrize("value", ["abc", "", "1,000", "1.2.3"])
def test_money_refuses_text_that_is_not_a_number(value):
    with pytest.raises(ValueError, match="不是有效的金额"):
        money(value)


@pytest.mark.parametrize("value", [True, None, [1], Fraction(1, 3)])
def test_money_refuses_other_types(value):
    with pytest.raises(TypeError):
        money(value)


def test_money_is_exact():
    assert money("0.1") + money("0.2") == D("0.3")
    assert money(" 1.50 ") == D("1.50")
    assert money(7) == D(7)
    assert str(money(D("123.4500"))) == "123.4500"  # not rounded, not normalised


# ---------------------------------------------------------------- round_money


@pytest.mark.parametrize(
    ("mode", "place", "expected"),
    [
        (Rounding.HALF_UP, Place.FEN, "444.20"),
        (Rounding.UP, Place.FEN, "444.20"),
        (Rounding.DOWN, Place.FEN, "444.19"),
        (Rounding.HALF_UP, Place.JIAO, "444.20"),
        (Rounding.UP, Place.JIAO, "444.20"),
        (Rounding.DOWN, Place.JIAO, "444.10"),
        (Rounding.HALF_UP, Place.YUAN, "444.00"),
        (Rounding.UP, Place.YUAN, "445.00"),
        (Rounding.DOWN, Place.YUAN, "444.00"),
        ("half_up", "fen", "444.20"),
        ("down", "yuan", "444.00"),
    ],
)
def test_round_money_444_195(mode, place, expected):
    result = round_money(D("444.195"), mode, place)
    assert result == D(expected)
    assert str(result) == expected  # always two places


@pytest.mark.parametrize(("mode", "expected"), [("half_up", "-444.20"), ("up", "-444.20"), ("down", "-444.19")])
def test_round_money_negative_is_symmetric(mode, expected):
    assert str(round_money(D("-444.195"), mode)) == expected


def test_round_money_rounds_once_not_twice():
    # 0.445 → 0.45 at fen, then 0.5 at jiao would be double rounding; to jiao directly it is 0.4.
    assert round_money(D("0.445"), "half_up", "jiao") == D("0.40")


@pytest.mark.parametrize(("mode", "place"), [("bankers", "fen"), ("half_up", "li"), ("", "fen")])
def test_round_money_unknown_settings(mode, place):
    with pytest.raises(ValueError, match="未知的取整"):
        round_money(D("1"), mode, place)


def test_round_money_refuses_float():
    with pytest.raises(TypeError):
        round_money(444.195)


@given(
    st.decimals(min_value=D("-1e9"), max_value=D("1e9"), places=6), st.sampled_from(Rounding), st.sampled_from(Place)
)
def test_round_money_properties(value, mode, place):
    unit = {Place.FEN: D("0.01"), Place.JIAO: D("0.1"), Place.YUAN: D("1")}[place]
    result = round_money(value, mode, place)
    assert result.as_tuple().exponent == -2
    assert result % unit == 0
    assert abs(result - value) < unit
    assert round_money(result, mode, place) == result
    if mode == Rounding.UP:
        assert abs(result) >= abs(value)
    if mode == Rounding.DOWN:
        assert abs(result) <= abs(value)


# ---------------------------------------------------------------- months and periods


@pytest.mark.parametrize(
    ("anchor", "months", "expected"),
    [
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2024, 1, 31), 2, date(2024, 3, 31)),
        (date(2023, 1, 31), 1, date(2023, 2, 28)),
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
        (date(2024, 2, 29), 48, date(2028, 2, 29)),
        (date(2024, 3, 31), -1, date(2024, 2, 29)),
        (date(2024, 1, 15), -13, date(2022, 12, 15)),
        (date(2024, 12, 31), 0, date(2024, 12, 31)),
        (date(2024, 8, 31), 1, date(2024, 9, 30)),
    ],
)
def test_add_months(anchor, months, expected):
    assert add_months(anchor, months) == expected


@given(dates, st.integers(-240, 240))
def test_add_months_keeps_the_anchor_day_or_the_month_end(anchor, months):
    result = add_months(anchor, months)
    assert (result.year * 12 + result.month) - (anchor.year * 12 + anchor.month) == months
    assert result.day == anchor.day or (result.day < anchor.day and (result + timedelta(days=1)).day == 1)


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2024, 1, 31), (date(2024, 1, 31), date(2024, 4, 30))),
        (date(2024, 4, 29), (date(2024, 1, 31), date(2024, 4, 30))),
        (date(2024, 4, 30), (date(2024, 4, 30), date(2024, 7, 31))),
        (date(2024, 5, 15), (date(2024, 4, 30), date(2024, 7, 31))),
        # stepped from the anchor: Oct 31, not Oct 30 after Jul 31 → Oct 30 drift
        (date(2024, 10, 30), (date(2024, 7, 31), date(2024, 10, 31))),
        (date(2023, 12, 1), (date(2023, 10, 31), date(2024, 1, 31))),
        (date(2023, 10, 30), (date(2023, 7, 31), date(2023, 10, 31))),
    ],
)
def test_quarterly_periods_from_a_month_end_anchor(day, expected):
    assert period_containing(date(2024, 1, 31), 3, day) == expected


@given(dates, st.sampled_from([1, 2, 3, 6, 12]), dates)
def test_period_containing_contains_the_day_and_is_a_cycle(anchor, cycle, day):
    start, end = period_containing(anchor, cycle, day)
    assert start <= day < end
    k = ((start.year - anchor.year) * 12 + start.month - anchor.month) // cycle
    assert start == add_months(anchor, k * cycle)
    assert end == add_months(anchor, (k + 1) * cycle)


def test_periods_between():
    anchor = date(2024, 1, 1)
    assert periods_between(anchor, 3, date(2024, 2, 15), date(2024, 8, 1)) == [
        (date(2024, 1, 1), date(2024, 4, 1)),
        (date(2024, 4, 1), date(2024, 7, 1)),
        (date(2024, 7, 1), date(2024, 10, 1)),
    ]
    assert periods_between(anchor, 3, date(2024, 4, 1), date(2024, 7, 1)) == [(date(2024, 4, 1), date(2024, 7, 1))]
    assert periods_between(anchor, 1, date(2024, 3, 3), date(2024, 3, 3)) == []
    with pytest.raises(ValueError):
        periods_between(anchor, 1, date(2024, 3, 3), date(2024, 3, 2))
    with pytest.raises(ValueError):
        periods_between(anchor, 0, date(2024, 3, 3), date(2024, 3, 4))


@given(dates, st.sampled_from([1, 3, 12]), dates, st.integers(1, 800))
def test_periods_between_tile_the_range(anchor, cycle, start, length):
    end = start + timedelta(days=length)
    periods = periods_between(anchor, cycle, start, end)
    assert periods[0][0] <= start < periods[0][1]
    assert periods[-1][0] < end <= periods[-1][1]
    for (_, previous_end), (next_start, _) in itertools.pairwise(periods):
        assert previous_end == next_start


# ---------------------------------------------------------------- fractions of months


def test_month_fraction_hc_move_in_example():
    f = month_fraction(date(2024, 1, 15), date(2024, 3, 1))
    assert f == Fraction(17, 31) + 1 == Fraction(48, 31)
    monthly = D("2.50") * D("89.50")
    assert monthly == D("223.75")
    exact = prorate(monthly, f)
    assert round_money(exact) == D("346.45")
    # HC rounds the months to 4 places first (1.5484): same fen here, but not the same amount.
    hc = monthly * D("1.5484")
    assert hc == D("346.454500")
    assert exact != hc
    assert str(exact)[:12] == "346.45161290"


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (date(2024, 1, 1), date(2024, 2, 1), Fraction(1)),
        (date(2024, 2, 1), date(2024, 3, 1), Fraction(1)),
        (date(2024, 1, 1), date(2025, 1, 1), Fraction(12)),
        (date(2024, 1, 15), date(2024, 2, 15), Fraction(17, 31) + Fraction(14, 29)),
        (date(2024, 2, 10), date(2024, 2, 20), Fraction(10, 29)),
        (date(2024, 3, 3), date(2024, 3, 3), Fraction(0)),
        (date(2023, 12, 31), date(2024, 1, 1), Fraction(1, 31)),
    ],
)
def test_month_fraction_table(start, end, expected):
    assert month_fraction(start, end) == expected


def test_month_fraction_refuses_a_reversed_range():
    with pytest.raises(ValueError, match="早于"):
        month_fraction(date(2024, 2, 1), date(2024, 1, 1))


@given(dates, dates, dates)
def test_month_fraction_is_additive(a, b, c):
    a, b, c = sorted([a, b, c])
    assert month_fraction(a, b) + month_fraction(b, c) == month_fraction(a, c)


@given(dates, st.sampled_from([1, 3, 12]), dates, dates, dates)
def test_fraction_of_period_whole_is_one_and_parts_add_up(anchor, cycle, day, x, y):
    period = period_containing(anchor, cycle, day)
    assert fraction_of_period(period, *period) == 1
    low, high = sorted([x, y])
    low, high = max(low, period[0]), min(high, period[1])
    assume(low <= high)
    parts = fraction_of_period(period, period[0], low) + fraction_of_period(period, low, high)
    parts += fraction_of_period(period, high, period[1])
    assert parts == 1


def test_day_fraction():
    assert day_fraction(date(2024, 2, 1), date(2024, 3, 1)) == 29
    assert day_fraction(date(2024, 2, 1), date(2024, 2, 1)) == 0
    with pytest.raises(ValueError):
        day_fraction(date(2024, 2, 2), date(2024, 2, 1))


# ---------------------------------------------------------------- proration and splitting


def test_prorate_is_exact_until_rounded():
    assert prorate(D("300"), Fraction(1, 3)) == D(100)
    assert prorate(D("100.00"), Fraction(1, 3)).as_tuple().digits[:10] == (3,) * 10
    with pytest.raises(TypeError):
        prorate(D("1"), 0.5)


def test_largest_remainder_table():
    assert largest_remainder(D("100.00"), [D(1), D(1), D(1)]) == [D("33.34"), D("33.33"), D("33.33")]
    assert largest_remainder(D("-100.00"), [D(1), D(1), D(1)]) == [D("-33.34"), D("-33.33"), D("-33.33")]
    assert largest_remainder(D("0.05"), [D(1), D(2), D(2)]) == [D("0.01"), D("0.02"), D("0.02")]
    assert largest_remainder(D("10"), [D(1), D(1), D(1)], D("1")) == [D(4), D(3), D(3)]
    assert largest_remainder(D("1.00"), [D(0), D(3)]) == [D("0.00"), D("1.00")]
    # the largest remainder wins over the earlier index
    assert largest_remainder(D("0.10"), [D(1), D(2)]) == [D("0.03"), D("0.07")]


@pytest.mark.parametrize(
    ("total", "weights", "place"),
    [
        (D("1.00"), [D(0), D(0)], D("0.01")),
        (D("1.00"), [], D("0.01")),
        (D("1.00"), [D(-1), D(2)], D("0.01")),
        (D("1.005"), [D(1)], D("0.01")),
        (D("1.00"), [D(1)], D("0")),
    ],
)
def test_largest_remainder_refuses(total, weights, place):
    with pytest.raises(ValueError):
        largest_remainder(total, weights, place)


weights_lists = st.lists(st.decimals(min_value=D(0), max_value=D("10000"), places=3), min_size=1, max_size=12).filter(
    lambda ws: any(ws)
)


@given(amounts, weights_lists, st.sampled_from([D("0.01"), D("0.1"), D("1"), D("0.05")]))
def test_largest_remainder_sums_exactly_and_stays_within_one_unit(total, weights, place):
    total = (total // place) * place
    shares = largest_remainder(total, weights, place)
    assert sum(shares) == total
    weight_sum = sum(Fraction(w) for w in weights)
    for share, weight in zip(shares, weights, strict=True):
        assert share % place == 0
        assert abs(Fraction(share) - Fraction(total) * Fraction(weight) / weight_sum) < Fraction(place)


def test_rounding_each_part_would_not_add_up():
    # Why parts come from largest_remainder: 0.01 split in halves, each rounded, gives 0.02.
    whole = D("0.01")
    assert round_money(prorate(whole, Fraction(1, 2))) * 2 == D("0.02")
    assert sum(split_prorated(whole, [Fraction(1, 2), Fraction(1, 2)])) == whole


@given(
    positive_amounts,
    dates,
    st.sampled_from([1, 3, 6, 12]),
    st.integers(0, 400),
    st.integers(1, 10_000),
    st.sampled_from(Rounding),
)
def test_split_of_a_prorated_charge_adds_up(monthly, anchor, cycle, offset, split_at, mode):
    period = period_containing(anchor, cycle, anchor + timedelta(days=offset))
    split = period[0] + timedelta(days=split_at % max(1, (period[1] - period[0]).days))
    f1 = month_fraction(period[0], split)
    f2 = month_fraction(split, period[1])
    whole = round_money(prorate(monthly, f1 + f2), mode)
    assume(f1 + f2 > 0)
    parts = split_prorated(whole, [f1, f2])
    assert sum(parts) == whole
    for part, f in zip(parts, [f1, f2], strict=True):
        # within a fen of the exact split of the rounded whole, and so within 1.5 fen of the exact part
        # (the whole itself is off by < 1 fen under up/down, 0.5 fen under half-up)
        assert abs(Fraction(part) - Fraction(whole) * f / (f1 + f2)) < Fraction(1, 100)
        assert abs(Fraction(part) - Fraction(monthly) * f) < Fraction(2, 100)


# ---------------------------------------------------------------- tiers (阶梯)

WATER = [(D("100"), D("0.5")), (D("200"), D("0.8")), (None, D("1.2"))]


@pytest.mark.parametrize(
    ("usage", "expected"),
    [("0", "0"), ("50", "25"), ("100", "50"), ("150", "90"), ("200", "130"), ("250", "190"), ("100.001", "50.0008")],
)
def test_tiered_amount_table(usage, expected):
    assert tiered_amount(D(usage), WATER) == D(expected)


def test_tiered_amount_single_band_and_negative_usage():
    assert tiered_amount(D("12.5"), [(None, D("3.1"))]) == D("38.75")
    with pytest.raises(ValueError, match="用量"):
        tiered_amount(D("-1"), WATER)


@pytest.mark.parametrize(
    ("tiers", "fragment"),
    [
        ([], "至少需要一档"),
        ([(D(100), D(1))], "最后一档不能设上限"),
        ([(None, D(1)), (D(100), D(2))], "只有最后一档"),
        ([(D(200), D(1)), (D(100), D(2)), (None, D(3))], "必须大于上一档"),
        ([(D(100), D(1)), (D(100), D(2)), (None, D(3))], "必须大于上一档"),
        ([(D(0), D(1)), (None, D(3))], "必须大于 0"),
        ([(D(100), D(-1)), (None, D(3))], "不能为负数"),
        ([(D(100), 0.5), (None, D(3))], "不是有效的金额"),
    ],
)
def test_validate_tiers(tiers, fragment):
    errors = validate_tiers(tiers)
    assert any(fragment in error for error in errors), errors
    with pytest.raises(ValueError):
        tiered_amount(D(1), tiers)


def test_valid_tiers_have_no_errors():
    assert validate_tiers(WATER) == []


@st.composite
def tier_tables(draw):
    bounds = sorted(set(draw(st.lists(st.decimals(min_value=D("0.1"), max_value=D("1000"), places=1), max_size=5))))
    prices = draw(
        st.lists(
            st.decimals(min_value=D(0), max_value=D("50"), places=4), min_size=len(bounds) + 1, max_size=len(bounds) + 1
        )
    )
    return [*zip(bounds, prices, strict=False), (None, prices[-1])]


@given(
    tier_tables(),
    st.decimals(min_value=D(0), max_value=D("5000"), places=3),
    st.decimals(min_value=D(0), max_value=D("5000"), places=3),
)
def test_tiered_amount_is_monotone(tiers, a, b):
    low, high = sorted([a, b])
    assert validate_tiers(tiers) == []
    assert tiered_amount(low, tiers) <= tiered_amount(high, tiers)


# ---------------------------------------------------------------- formulas

AREA = {"building_area": D("89.50"), "unit_price": D("2.50")}


def test_formula_variables():
    assert FORMULA_VARIABLES["building_area"] == "建筑面积"
    assert set(FORMULA_VARIABLES) == {
        "building_area", "usable_area", "floor", "coefficient", "usage", "months", "unit_price", "count", "days",
    }  # fmt: skip


@pytest.mark.parametrize(
    ("formula", "variables", "expected"),
    [
        ("building_area * unit_price", AREA, "223.7500"),
        ("建筑面积 * 单价", AREA, "223.7500"),
        ("0.1+0.2", {}, "0.3"),
        (".5 * 2", {}, "1.0"),
        ("2 ** 3", {}, "8"),
        ("min(usage, 10) * 3 + max(usage - 10, 0) * 5", {"usage": D(12)}, "40"),
        ("usage * 2 if floor > 6 else usage", {"usage": D(3), "floor": 7}, "6"),
        ("usage * 2 if 1 <= floor <= 6 and not floor == 3 else usage", {"usage": D(3), "floor": 3}, "3"),
        (
            "(building_area - usable_area) * coefficient",
            {"building_area": 100, "usable_area": 80, "coefficient": D("1.5")},
            "30.0",
        ),
        ("-usage + 5", {"usage": D(5)}, "0"),
    ],
)
def test_evaluate_formula(formula, variables, expected):
    result = evaluate_formula(formula, variables)
    assert isinstance(result, Decimal)
    assert result == D(expected)
    assert str(result) == expected


def test_a_formula_is_parsed_once_however_many_charges_it_prices(monkeypatch):
    from billing import formulas

    parsed = []
    parse = formulas._parse
    monkeypatch.setattr(formulas, "_parse", lambda text: parsed.append(text) or parse(text))
    formulas._checked.cache_clear()
    formula = "building_area * unit_price * months * (0.5 if floor <= 2 else 1)"
    for floor in range(1, 6):
        evaluate_formula(formula, {"building_area": D(90), "unit_price": D("0.3"), "months": 1, "floor": floor})
    with pytest.raises(FormulaError):
        evaluate_formula(formula, {"building_area": D(90)})  # the cached check still knows what it needs
    assert parsed == [formula]
    with pytest.raises(FormulaError, match="文本"):
        evaluate_formula(["usage"], {})  # type: ignore[arg-type]  # not text: refused, not a TypeError


def test_float_like_literals_stay_exact():
    result = evaluate_formula("0.1+0.2", {})
    assert result == D("0.3") and str(result) == "0.3"
    assert evaluate_formula("0.1000000000000000055511", {}) == D("0.1000000000000000055511")


@pytest.mark.parametrize(
    ("formula", "fragment"),
    [
        ("area * 2", "未知变量"),
        ("__import__('os').system('true')", "不能"),
        ("__import__('os')", "只允许 min 和 max"),
        ("building_area.real", "属性"),
        ("(1).__class__", "属性"),
        ("open('x')", "只允许 min 和 max"),
        ("round(usage)", "只允许 min 和 max"),
        ("min(usage)", "至少需要两个"),
        ("min(usage, key=usage)", "只接受"),
        ("min", "带括号"),
        ("1/0", "除以 0"),
        ("0/0", "无意义"),
        ("usage/(floor-1)", "除以 0"),
        ("1" + "+1" * 250, "太长"),
        ("2 ** 100", "指数"),
        ("2 ** usage", "指数"),
        ("9 ** 9 ** 9", "指数"),
        ("(((2 ** 10) ** 10) ** 10) ** 10", "太大"),
        ("'abc'", "字符串"),
        ("f'{usage}'", "字符串"),
        ("[x for x in (1, 2)]", "推导式"),
        ("1e5", "写法"),
        ("0x10", "写法"),
        ("1_000", "写法"),
        ("1j", "写法"),
        ("True", "不能有"),
        ("(floor > 6) * 5", "条件"),
        ("usage if floor else 0", "条件"),
        ("usage % 3", "%"),
        ("usage // 3", "//"),
        ("(usage := 5)", "赋值"),
        ("usage = 5", "写法有误"),
        ("1 +", "写法有误"),
        ("usage; usage", "写法有误"),
        ("", "不能为空"),
        ("lambda: 1", "lambda"),
        ("usage[0]", "下标"),
        ("(" * 240 + "1" + ")" * 240, "写法有误"),  # deeper than the parser allows
        ("1" * 31, "位数太多"),
    ],
)
def test_check_formula_refuses(formula, fragment):
    with pytest.raises(FormulaError, match=fragment.replace("(", r"\(").replace("[", r"\[")):
        check_formula(formula)


def test_check_formula_accepts_and_ignores_sample_negatives():
    check_formula("building_area * unit_price * months")
    check_formula("usage - 10")  # negative with the samples, fine for real figures


def test_evaluate_formula_refuses_negative_results_instead_of_clamping():
    with pytest.raises(FormulaError, match="负数"):
        evaluate_formula("usage - 10", {"usage": D(5)})


def test_evaluate_formula_needs_its_variables_as_decimal():
    with pytest.raises(FormulaError, match="缺少变量"):
        evaluate_formula("usage * unit_price", {"usage": D(5)})
    with pytest.raises(FormulaError, match="不能是 float"):
        evaluate_formula("usage", {"usage": 5.0})
    with pytest.raises(FormulaError, match="未知变量"):
        evaluate_formula("usage", {"usage": D(5), "area": D(1)})


@given(st.text(alphabet="0123456789.+-*/()<>=! ifelsandormxusagefloor_,'\"[]:", max_size=40))
def test_any_text_is_a_value_or_a_formula_error(text):
    try:
        result = evaluate_formula(text, dict.fromkeys(FORMULA_VARIABLES, D(2)))
    except FormulaError:
        return
    assert isinstance(result, Decimal) and result >= 0


# ---------------------------------------------------------------- late fees (滞纳金)

DUE = date(2024, 3, 10)
DAILY = policy_from_config({"strategy": "daily_rate", "rate": "0.0005", "grace_days": 5})


@pytest.mark.parametrize(
    ("as_of", "expected"),
    [
        (DUE - timedelta(days=30), "0.00"),
        (DUE, "0.00"),  # the due day: still payable
        (DUE + timedelta(days=1), "0.00"),  # first grace day
        (DUE + timedelta(days=5), "0.00"),  # last grace day
        (DUE + timedelta(days=6), "0.50"),  # first late day: 1 day late
        (DUE + timedelta(days=15), "5.00"),  # 10 days late
    ],
)
def test_daily_rate_grace_boundaries(as_of, expected):
    fee = late_fee_due(DAILY, principal=D("1000.00"), due=DUE, as_of=as_of)
    assert str(fee) == expected


def test_daily_rate_without_grace_starts_the_day_after_due():
    policy = LateFeePolicy(strategy="daily_rate", rate=D("0.0005"))
    assert late_fee_due(policy, principal=D("1000"), due=DUE, as_of=DUE) == 0
    assert late_fee_due(policy, principal=D("1000"), due=DUE, as_of=DUE + timedelta(days=1)) == D("0.50")


def test_late_fee_rounds_half_up_once():
    policy = LateFeePolicy(strategy="daily_rate", rate=D("0.0005"))
    # 10.00 × 0.0005 = 0.005: half-up gives 0.01 (HC's HALF_EVEN would give 0.00)
    assert late_fee_due(policy, principal=D("10.00"), due=DUE, as_of=DUE + timedelta(days=1)) == D("0.01")
    # 333.33 × 0.0005 × 3 = 0.499995 → 0.50, not 3 × round(0.166665)
    assert late_fee_due(policy, principal=D("333.33"), due=DUE, as_of=DUE + timedelta(days=3)) == D("0.50")


def test_late_fee_caps():
    late = DUE + timedelta(days=200)  # 100.00 uncapped on 1000 at 0.0005/day
    by_rate = LateFeePolicy(strategy="daily_rate", rate=D("0.0005"), cap_rate=D("0.05"))
    by_amount = LateFeePolicy(strategy="daily_rate", rate=D("0.0005"), cap_amount=D("30"))
    both = LateFeePolicy(strategy="daily_rate", rate=D("0.0005"), cap_rate=D("0.05"), cap_amount=D("30"))
    full = LateFeePolicy(strategy="daily_rate", rate=D("0.01"), cap_rate=D("1"))
    assert late_fee_due(by_rate, principal=D("1000"), due=DUE, as_of=late) == D("50.00")
    assert late_fee_due(by_amount, principal=D("1000"), due=DUE, as_of=late) == D("30.00")
    assert late_fee_due(both, principal=D("1000"), due=DUE, as_of=late) == D("30.00")
    assert late_fee_due(full, principal=D("1000"), due=DUE, as_of=late + timedelta(days=999)) == D("1000.00")
    # a cap of 0.015 rounds down to 0.01: rounding never lifts the fee over its cap
    tiny = LateFeePolicy(strategy="daily_rate", rate=D("1"), cap_rate=D("0.5"))
    assert late_fee_due(tiny, principal=D("0.03"), due=DUE, as_of=late) == D("0.01")


@pytest.mark.parametrize(
    ("due", "as_of", "months"),
    [
        (date(2024, 1, 31), date(2024, 1, 31), 0),
        (date(2024, 1, 31), date(2024, 2, 1), 1),
        (date(2024, 1, 31), date(2024, 2, 29), 1),
        (date(2024, 1, 31), date(2024, 3, 1), 2),
        (date(2024, 1, 30), date(2024, 2, 28), 1),  # first late day Jan 31; month 2 starts Feb 29
        (date(2024, 1, 30), date(2024, 2, 29), 2),
        (date(2024, 1, 30), date(2024, 3, 30), 2),
        (date(2024, 1, 30), date(2024, 3, 31), 3),
    ],
)
def test_monthly_rate_counts_started_months(due, as_of, months):
    policy = LateFeePolicy(strategy="monthly_rate", rate=D("0.03"))
    assert months_late(policy, due=due, as_of=as_of) == months
    assert late_fee_due(policy, principal=D("1000"), due=due, as_of=as_of) == D(30 * months).quantize(D("0.01"))


def test_monthly_rate_after_grace():
    policy = LateFeePolicy(strategy="monthly_rate", rate=D("0.03"), grace_days=10)
    assert months_late(policy, due=date(2024, 1, 31), as_of=date(2024, 2, 10)) == 0
    assert months_late(policy, due=date(2024, 1, 31), as_of=date(2024, 2, 11)) == 1
    assert months_late(policy, due=date(2024, 1, 31), as_of=date(2024, 3, 11)) == 2


def test_fixed_applies_once_after_grace():
    policy = policy_from_config({"strategy": "fixed", "amount": "20", "grace_days": 3})
    assert late_fee_due(policy, principal=D("500"), due=DUE, as_of=DUE + timedelta(days=3)) == D("0.00")
    assert late_fee_due(policy, principal=D("500"), due=DUE, as_of=DUE + timedelta(days=4)) == D("20.00")
    assert late_fee_due(policy, principal=D("500"), due=DUE, as_of=DUE + timedelta(days=400)) == D("20.00")


def test_none_and_empty_config():
    assert policy_from_config({}) == LateFeePolicy(strategy="none")
    policy = policy_from_config({"strategy": "none"})
    assert late_fee_due(policy, principal=D("500"), due=DUE, as_of=DUE + timedelta(days=400)) == D("0.00")


def test_zero_principal_and_negative_principal():
    assert late_fee_due(DAILY, principal=D("0"), due=DUE, as_of=DUE + timedelta(days=40)) == D("0.00")
    with pytest.raises(ValueError):
        late_fee_due(DAILY, principal=D("-1"), due=DUE, as_of=DUE + timedelta(days=40))


def test_policy_from_config_reads_text_and_integers():
    policy = policy_from_config(
        {"strategy": "daily_rate", "rate": "0.0005", "grace_days": 15, "cap_rate": 1, "cap_amount": "200.50"}
    )
    assert policy == LateFeePolicy(
        strategy="daily_rate", rate=D("0.0005"), grace_days=15, cap_rate=D(1), cap_amount=D("200.50")
    )


@pytest.mark.parametrize(
    ("config", "field"),
    [
        ({"strategy": "daily_rate", "rate": 0.0005}, "rate"),
        ({"strategy": "daily_rate", "rate": "abc"}, "rate"),
        ({"strategy": "daily_rate"}, "rate"),
        ({"strategy": "daily_rate", "rate": "0"}, "rate"),
        ({"strategy": "daily_rate", "rate": "1.5"}, "rate"),
        ({"strategy": "monthly_rate", "rate": "-0.03"}, "rate"),
        ({"strategy": "fixed"}, "amount"),
        ({"strategy": "fixed", "amount": "1.005"}, "amount"),
        ({"strategy": "compound"}, "strategy"),
        ({"rate": "0.0005"}, "strategy"),
        ({"strategy": "daily_rate", "rate": "0.0005", "grace_day": 5}, "grace_day"),
        ({"strategy": "daily_rate", "rate": "0.0005", "grace_days": -1}, "grace_days"),
        ({"strategy": "daily_rate", "rate": "0.0005", "grace_days": True}, "grace_days"),
        ({"strategy": "daily_rate", "rate": "0.0005", "grace_days": "5"}, "grace_days"),
        ({"strategy": "daily_rate", "rate": "0.0005", "cap_rate": "-1"}, "cap_rate"),
        ({"strategy": "daily_rate", "rate": "0.0005", "cap_amount": "-1"}, "cap_amount"),
    ],
)
def test_policy_from_config_refuses(config, field):
    with pytest.raises(LateFeeConfigError) as error:
        policy_from_config(config)
    assert error.value.field == field
    assert isinstance(error.value, ValueError)
    assert error.value.message


def test_a_company_rule_is_a_new_strategy(monkeypatch):
    monkeypatch.setattr("billing.late_fees.STRATEGIES", dict(STRATEGIES))
    monkeypatch.setattr("billing.late_fees.STRATEGY_REQUIRES", dict(STRATEGY_REQUIRES))

    # e.g. a flat amount plus a daily rate (HC's 枣庄 variant is this kind of local rule)
    @register_strategy("flat_plus_daily", requires=("rate", "amount"))
    def flat_plus_daily(policy, *, principal, due, as_of, days_late):
        return policy.amount + principal * policy.rate * days_late

    policy = policy_from_config({"strategy": "flat_plus_daily", "rate": "0.001", "amount": "5"})
    assert late_fee_due(policy, principal=D("100"), due=DUE, as_of=DUE + timedelta(days=10)) == D("6.00")
    with pytest.raises(LateFeeConfigError):
        policy_from_config({"strategy": "flat_plus_daily", "rate": "0.001"})


@given(
    positive_amounts,
    st.decimals(min_value=D("0.0001"), max_value=D("0.01"), places=4),
    st.integers(0, 30),
    st.integers(-10, 1000),
    st.integers(0, 100),
)
def test_daily_late_fee_grows_with_time_and_never_passes_the_cap(principal, rate, grace, days, more):
    policy = LateFeePolicy(strategy="daily_rate", rate=rate, grace_days=grace, cap_rate=D("1"))
    earlier = late_fee_due(policy, principal=principal, due=DUE, as_of=DUE + timedelta(days=days))
    later = late_fee_due(policy, principal=principal, due=DUE, as_of=DUE + timedelta(days=days + more))
    assert D(0) <= earlier <= later <= principal
    late = max(0, days - grace)
    assert earlier == min(round_money(principal * rate * late), principal)  # on principal only: linear
