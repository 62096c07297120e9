"""The rows of a fee history or arrears file (billing.services.history_import): the columns, HC's
缴费时间, a row's period split at its fee item's cycles, and the dry run's parsed rows kept in a
compact form, so the commit re-checks the database without reading and parsing the file again.
"""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from fractions import Fraction
from functools import lru_cache
from typing import Any

from django.utils.translation import gettext_noop

from billing import money
from billing.models import FeeItem
from billing.services.import_places import day_cell, money_cell, place_columns
from tenants.imports.cells import integer, is_blank, text
from tenants.imports.columns import Column

HISTORY, ARREARS = "fee_history", "fee_arrears"


def _paid_at(value: Any) -> datetime | None:
    """缴费时间: a date or date and time (HC writes both); a date alone is taken as midnight."""
    if isinstance(value, int | float | str) and not isinstance(value, bool):
        return _paid_at_of(type(value).__name__, value)  # remembered: a history repeats its days
    return _paid_at_parsed(value)


@lru_cache(maxsize=65536)
def _paid_at_of(kind: str, value: Any) -> datetime | None:
    return _paid_at_parsed(value)


def _paid_at_parsed(value: Any) -> datetime | None:
    if is_blank(value):
        return None
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)
    day = day_cell(value)
    if day is None:
        return None
    if isinstance(value, float) and not value.is_integer():  # an Excel serial with a time of day
        seconds = round((value % 1) * 86400)
        return datetime.combine(day, time()) + timedelta(seconds=seconds)
    return datetime.combine(day, time())


_FEE = Column(
    "fee",
    "收费项目",
    text(50),
    True,
    ("费用项", "费用名称", "费用项目"),
    gettext_noop("与系统收费项目名称一致。"),
    "物业费",
)
_START = Column(
    "start",
    "开始时间",
    day_cell,
    True,
    ("计费开始", "开始日期", "计费起始时间"),
    gettext_noop("如 2025-01-01。"),
    date(2025, 1, 1),
)
_END = Column(
    "end",
    "结束时间",
    day_cell,
    True,
    ("计费结束", "结束日期", "计费结束时间"),
    gettext_noop("周期的下一天（HC 的写法，如 2026-01-01）或最后一天（2025-12-31）均可。"),
    date(2026, 1, 1),
)
_NOTE = Column("note", "备注", text(200), False, ("说明",), gettext_noop("可不填。"), "手工导入")

HISTORY_COLUMNS: list[Column] = [
    *place_columns(required=False),  # HC's 车辆缴费历史 names a plate instead: see history_plan.locate
    Column(
        "plate",
        "车牌号",
        text(20),
        False,
        ("车牌",),
        gettext_noop("HC 车辆缴费历史的车牌号；同时填了房屋的行记到房屋上。"),
        "",
    ),
    _FEE,
    Column("cycle", "缴费周期", integer(0, 120), False, ("周期",), gettext_noop("月数，仅作参考。"), 12),
    _START,
    _END,
    Column(
        "paid_at",
        "缴费时间",
        _paid_at,
        True,
        ("缴费日期", "收费时间", "交费时间"),
        gettext_noop("如 2025-01-05。"),
        date(2025, 1, 5),
    ),
    Column("due", "应缴金额", money_cell, False, ("应收金额", "应缴"), gettext_noop("元；不填时等于实缴金额。"), 1200),
    Column(
        "paid",
        "实缴金额",
        money_cell,
        True,
        ("缴费金额", "实收金额", "实缴"),
        gettext_noop("元；少于应缴的部分记为欠费。"),
        1200,
    ),
    Column("cashier", "收银员", text(50), False, ("收费员", "操作员"), gettext_noop("记入收款备注。"), "张三"),
    _NOTE,
]
ARREARS_COLUMNS: list[Column] = [
    *place_columns(),
    _FEE,
    _START,
    _END,
    Column("due", "欠费金额", money_cell, True, ("欠费", "欠缴金额", "应缴金额", "金额"), gettext_noop("元。"), 300),
    _NOTE,
]


@dataclass(slots=True, frozen=True)
class Piece:
    cycle_start: date
    period_start: date
    period_end: date
    amount: Decimal
    paid: Decimal


@lru_cache(maxsize=65536)
def _cycles(anchor: date, months: int, start: date, end: date) -> tuple[tuple[date, date], ...]:
    return tuple(money.periods_between(anchor, months, start, end))


@lru_cache(maxsize=65536)
def _boundary(anchor: date, months: int, day: date) -> bool:
    return money.period_containing(anchor, months, day)[0] == day


def end_exclusive(item: FeeItem, end: date) -> date | None:
    """HC writes a period's end as the next cycle's first day; clerks often write its last day."""
    if not item.periodic:
        return end
    for candidate in (end, end + timedelta(days=1)):
        if _boundary(item.cycle_anchor, item.cycle_months, candidate):
            return candidate
    return None


def pieces(item: FeeItem, start: date, end: date, due: Decimal, paid: Decimal) -> tuple[Piece, ...]:
    """The period split at the item's cycles; the amount due split by the part of each cycle covered
    (exact to the fen, summing to the row), and what was paid applied oldest first."""
    if not item.periodic:
        return (Piece(start, start, end, due, paid),)
    return _periodic_pieces(item.cycle_anchor, item.cycle_months, start, end, due, paid)


@lru_cache(maxsize=65536)
def _periodic_pieces(
    anchor: date, months: int, start: date, end: date, due: Decimal, paid: Decimal
) -> tuple[Piece, ...]:
    """Remembered: a history repeats the same period and amounts for every house (pieces are read only)."""
    cycles = _cycles(anchor, months, start, end)
    if len(cycles) == 1:
        amounts = [due]
    else:
        weights: list[Fraction] = [money.fraction_of_period(c, start, end) for c in cycles]
        amounts = money.split_prorated(due, weights)
    found, left = [], paid
    for (cycle_start, cycle_end), amount in zip(cycles, amounts, strict=True):
        share = min(left, amount)
        left -= share
        found.append(Piece(cycle_start, max(start, cycle_start), min(end, cycle_end), amount, share))
    return tuple(found)


# --- the dry run's rows, kept for the commit ------------------------------------------------------

_KEPT_VERSION = 2
# The parsed values a history or arrears row is planned from, in this order; dates as ordinals,
# 缴费时间 in ISO form, amounts as text (Decimal, exact), the rest as the text read.
_DAYS, _MONEY, _MOMENT = ("start", "end"), ("due", "paid"), ("paid_at",)
_KEYS = (
    "house",
    "building",
    "unit",
    "estate",
    "plate",
    "fee",
    "start",
    "end",
    "paid_at",
    "due",
    "paid",
    "cashier",
    "note",
)


@dataclass
class Parsed:
    """What a clean dry run read from the file: every row's parsed values (blank cells left out) and
    the counts of the file itself."""

    kind: str
    rows: list[tuple[int, dict[str, Any]]]
    total: int
    blank_rows: int
    estate_id: int | None = None  # chosen at upload: the houses are found in it
    estate_column: bool = False  # the file has a 小区 column


def pack(parsed: Parsed) -> bytes:
    """The parsed rows, compact (a few MB for 100,000 rows): plain JSON, gzipped — data, not code."""

    def cell(key: str, value: Any) -> Any:
        if value is None:
            return None
        if key in _DAYS:
            return value.toordinal()
        if key in _MOMENT:
            return value.isoformat()
        if key in _MONEY:
            return str(value)
        return value

    rows = [[number, *(cell(key, values.get(key)) for key in _KEYS)] for number, values in parsed.rows]
    body = {
        "v": _KEPT_VERSION,
        "kind": parsed.kind,
        "total": parsed.total,
        "blank": parsed.blank_rows,
        "estate": parsed.estate_id,
        "estate_column": parsed.estate_column,
        "rows": rows,
    }
    return gzip.compress(json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode(), compresslevel=1)


def unpack(kept: bytes) -> Parsed | None:
    """The rows `pack` kept, or None when they are of another version (the commit then reads the file)."""
    body = json.loads(gzip.decompress(kept))
    if body.get("v") != _KEPT_VERSION:
        return None
    days: dict[int, date] = {}
    amounts: dict[str, Decimal] = {}
    moments: dict[str, datetime] = {}

    def cell(key: str, value: Any) -> Any:  # remembered: a history repeats its days and amounts
        if key in _DAYS:
            return days.get(value) or days.setdefault(value, date.fromordinal(value))
        if key in _MONEY:
            return amounts.get(value) or amounts.setdefault(value, Decimal(value))
        if key in _MOMENT:
            return moments.get(value) or moments.setdefault(value, datetime.fromisoformat(value))
        return value

    rows: list[tuple[int, dict[str, Any]]] = [
        (number, {key: cell(key, value) for key, value in zip(_KEYS, cells, strict=True) if value is not None})
        for number, *cells in body["rows"]
    ]
    return Parsed(body["kind"], rows, body["total"], body["blank"], body["estate"], body["estate_column"])
