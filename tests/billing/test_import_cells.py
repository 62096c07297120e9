"""The number cells billing's import kinds share (billing.services.import_places): an amount in yuan
(fee history, arrears, fee settings) and a dial reading (meters, readings) — one parser, each
refusing in its own words, in the uploader's language."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import translation

from billing.services.import_places import dial_cell, money_cell
from tenants.imports.cells import CellError

D = Decimal


@pytest.mark.parametrize(
    ("cell", "value"),
    [("1,234.5", D("1234.50")), (0, D("0.00")), (179.0, D("179.00")), (89.50000000001, D("89.50")), (" ", None)],
)
def test_amounts_and_readings_take_the_same_numbers(cell, value):
    assert money_cell(cell) == value
    assert dial_cell(cell) == value


@pytest.mark.parametrize(
    ("cell", "money", "dial"),
    [
        ("abc", "须为数字。", "须为数字。"),
        (True, "须为数字。", "须为数字。"),
        ("-1", "须为不小于 0 的金额。", "须为不小于 0 的数字。"),
        ("NaN", "须为不小于 0 的金额。", "须为不小于 0 的数字。"),
        ("1.234", "金额最多两位小数（精确到分）。", "最多保留 2 位小数。"),
        ("10000000000", "金额过大。", "10000000000.00"),  # above the ledger's columns, within a dial's
        ("1000000000000", "金额过大。", "读数过大。"),
        ("1e30", "金额过大。", "读数过大。"),  # too long to round to the fen: refused, not a crash
        (1e300, "金额过大。", "读数过大。"),
    ],
)
def test_each_kind_refuses_in_its_own_words(cell, money, dial):
    for parse, expected in ((money_cell, money), (dial_cell, dial)):
        if expected[0].isdigit():
            assert parse(cell) == D(expected)
            continue
        with pytest.raises(CellError) as caught:
            parse(cell)
        assert caught.value.message == expected


def test_the_refusals_speak_the_uploaders_language():
    with translation.override("en"):
        with pytest.raises(CellError) as money:
            money_cell("-2")
        with pytest.raises(CellError) as dial:
            dial_cell("1000000000000")
    assert money.value.message == "Must be an amount of 0 or more."
    assert dial.value.message == "The reading is too large."


@pytest.mark.parametrize(
    ("cell", "message"), [("1e30", "须小于 1000。"), ("-1e30", "须大于 0。"), (1e300, "须小于 1000。")]
)
def test_the_framework_decimal_refuses_numbers_too_long_to_round(cell, message):
    from tenants.imports.cells import decimal

    with pytest.raises(CellError) as refused:
        decimal(2, D("1000"))(cell)
    assert str(refused.value) == message
