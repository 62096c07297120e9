"""A resident's personal cells (tenants.imports.person_cells): before a phone or ID number is
parsed, a cell may stand for nothing (blank), for the number on file (masked, as our exports write
it) or for a missing number (a placeholder) — said in the uploader's language."""

from __future__ import annotations

import pytest
from django.utils import translation

from tenants.imports.person_cells import MASKED, Placeholder, id_number, phone


@pytest.mark.parametrize("parse", [phone, id_number])
def test_blank_and_masked_cells_are_not_numbers(parse):
    assert parse("  ") is None
    assert parse(None) is None
    assert parse("138****5678") is MASKED


@pytest.mark.parametrize(
    ("parse", "cell", "what_zh", "what_en"),
    [
        (phone, "11111111111", "手机号", "Mobile number"),
        (id_number, "111111111111111111", "证件号码", "Document number"),
    ],
)
def test_a_placeholder_is_named_for_its_column_in_the_uploaders_language(parse, cell, what_zh, what_en):
    found = parse(cell)
    assert found == Placeholder(cell, what_zh)
    with translation.override("en"):
        assert parse(cell) == Placeholder(cell, what_en)


def test_a_real_number_is_still_parsed():
    assert phone("+86 138 1234 5678") == "13812345678"
    assert id_number(" 11010519491231002x ") == "11010519491231002X"
