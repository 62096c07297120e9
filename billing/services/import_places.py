"""What billing's import kinds (fee history, arrears, meters, readings, fee settings) share: finding
a house the way HC's files name it, meters by number, fee items by name, amounts and dial readings,
and HC's notes written beside the data.

A house is named either by one reference `楼栋-单元-房屋` (HC: `1-1-1001`; a shop `1-0-101`) in the
column 房屋, or by the columns 楼栋 / 单元 / 房号. The estate is the one chosen at upload (HC's files
name none: Table.estate_id), in which every house is then found; or a 小区 column names it row by row;
or, with neither, the house must be the only one of that name in the company. A 小区 cell beside a
chosen estate must name that estate. Names are compared loosely — `1`, `1栋`,
`1号楼` and `01` are one building, `1` and `1单元` one unit — because HC numbers what we name.
All of the company's houses are read in one query, whatever the file's length.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import lru_cache
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from billing.models import FeeItem, Meter
from billing.services.common import MAX_AMOUNT
from billing.services.meters import MAX_VALUE
from tenants.estates.models import Estate, House
from tenants.imports.cells import CellError, a_date, is_blank, number_of, quantized, text
from tenants.imports.columns import Column
from tenants.imports.reading import Table

HOUSE_REFERENCE = re.compile(r"\s*([^-－—_/]+?)\s*[-－—_/]\s*([^-－—_/]+?)\s*[-－—_/]\s*([^-－—_/]+?)\s*")
_BUILDING_SUFFIX = re.compile(r"(号楼|号栋|栋|幢|座|楼|号)$")
_UNIT_SUFFIX = re.compile(r"(单元|单)$")


@lru_cache(maxsize=65536)
def _plain(value: str) -> str:
    raw = re.sub(r"\s", "", unicodedata.normalize("NFKC", value)).lower()
    return re.sub(r"^0+(?=\d)", "", raw)


@lru_cache(maxsize=65536)
def building_key(name: str) -> str:
    return _plain(_BUILDING_SUFFIX.sub("", _plain(name)) or name)


@lru_cache(maxsize=65536)
def unit_key(name: str) -> str:
    return _plain(_UNIT_SUFFIX.sub("", _plain(name)) or name)


@lru_cache(maxsize=65536)
def number_key(name: str) -> str:
    return _plain(re.sub(r"(室|号|房)$", "", _plain(name)) or name)


def place_columns(example: str = "1-1-1001", *, required: bool = True) -> list[Column]:
    """The house columns every billing kind starts with (only 房屋 is required, unless the kind
    checks that itself)."""
    return [
        Column(
            "house",
            "房屋",
            text(60),
            required,
            ("房屋编号", "房屋号", "房号", "房间号", "房屋编码"),
            gettext_noop("楼栋-单元-房屋，如 1-1-1001（商铺 楼栋-0-商铺）；已有 楼栋、单元 两列时只填房号。"),
            example,
        ),
        Column(
            "building",
            "楼栋",
            text(50),
            False,
            ("楼号", "楼栋号", "楼栋编号", "楼栋名称"),
            gettext_noop("可不填。"),
            "",
        ),
        Column("unit", "单元", text(50), False, ("单元号", "单元编号", "单元名称"), gettext_noop("可不填。"), ""),
        Column(
            "estate",
            "小区",
            text(100),
            False,
            ("小区名称", "项目", "项目名称"),
            gettext_noop(
                "上传时已选择小区的可不填（填写时须为所选小区）；未选择小区、且公司有多个小区都有同名房屋时须填写。"
            ),
            "",
        ),
    ]


@dataclass
class Place:
    house_id: int
    estate_id: int
    building_id: int


@dataclass
class Houses:
    """The company's houses — or, with an estate chosen at upload, that estate's — indexed by loose
    names: (building, unit, number) → the houses so named."""

    by_name: dict[tuple[str, str, str], list[tuple[str, Place]]] = field(default_factory=lambda: defaultdict(list))
    buildings: set[str] = field(default_factory=set)
    units: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    # A history names each house once a month: each spelling is looked up once.
    found: dict[tuple[Any, ...], tuple[Place | None, str, str]] = field(default_factory=dict)
    estates: set[str] = field(default_factory=set)  # the company's estates, loose names
    chosen: str | None = None  # the name of the estate chosen at upload
    # Estates sharing a house a row named without an estate (neither chosen nor in a 小区 cell).
    unnamed_estates: set[str] = field(default_factory=set)

    @classmethod
    def load(cls, estate_id: int | None = None) -> Houses:
        found = cls()
        names = dict(Estate.objects.values_list("id", "name"))
        found.estates = {_plain(name) for name in names.values()}
        rows = House.objects.all()
        if estate_id is not None:
            found.chosen = names.get(estate_id, "")
            rows = rows.filter(estate_id=estate_id)
        values = rows.values_list(
            "id", "estate_id", "building_id", "estate__name", "building__name", "unit__name", "number"
        )
        for pk, estate, building_id, estate_name, building, unit, number in values.iterator(chunk_size=5000):
            b, u = building_key(building), unit_key(unit)
            found.by_name[(b, u, number_key(number))].append((estate_name, Place(pk, estate, building_id)))
            found.buildings.add(b)
            found.units[b].add(u)
        return found

    def find(self, values: dict[str, Any]) -> tuple[Place | None, str, str]:
        """(the house, or None with the column to blame and why) for a row's place columns."""
        key = (values["house"], values.get("building"), values.get("unit"), values.get("estate"))
        known = self.found.get(key)
        if known is None:
            known = self.found[key] = self._find(values)
        return known

    def _estate_named(self, estate: str) -> str:
        """Why a row's 小区 cell is refused, or "" when it names the estate the houses are found in."""
        if self.chosen is not None and _plain(estate) != _plain(self.chosen):
            return _("“%(name)s”不是上传时选择的小区“%(chosen)s”；该文件只能导入所选小区的房屋。") % {
                "name": estate,
                "chosen": self.chosen,
            }
        if _plain(estate) not in self.estates:
            return _("系统中没有小区“%(name)s”。") % {"name": estate}
        return ""

    def _find(self, values: dict[str, Any]) -> tuple[Place | None, str, str]:
        reference = values["house"]
        estate = values.get("estate")
        refused = self._estate_named(estate) if estate else ""
        if refused:
            return None, "小区", refused
        if values.get("building"):
            building, unit, number = values["building"], values.get("unit") or "", reference
            blame = ("楼栋", "单元", "房屋")
        else:
            match = HOUSE_REFERENCE.fullmatch(reference)
            if match is None:
                return None, "房屋", _("房屋须写成 楼栋-单元-房屋，如 1-1-1001；或另设 楼栋、单元 两列。")
            building, unit, number = match[1], match[2], match[3]
            blame = ("房屋", "房屋", "房屋")
        b, u, n = building_key(building), unit_key(unit), number_key(number)
        if b not in self.buildings:
            if self.chosen is not None:
                message = _("小区“%(estate)s”没有楼栋“%(name)s”（请先导入房屋）。")
                return None, blame[0], message % {"estate": self.chosen, "name": building}
            return None, blame[0], _("系统中没有楼栋“%(name)s”（请先导入房屋）。") % {"name": building}
        units = self.units[b]
        if u not in units:
            if u in ("", "0") and len(units) == 1:  # HC writes 0 for a building without units
                u = next(iter(units))
            else:
                return None, blame[1], _("楼栋“%(b)s”没有单元“%(u)s”。") % {"b": building, "u": unit}
        candidates = self.by_name.get((b, u, n), [])
        if estate:
            candidates = [c for c in candidates if _plain(c[0]) == _plain(estate)]
        if not candidates:
            return (
                None,
                blame[2],
                _("楼栋“%(b)s”单元“%(u)s”没有房屋“%(n)s”。") % {"b": building, "u": unit, "n": number},
            )
        if len(candidates) > 1:
            names = sorted({c[0] for c in candidates})
            if len(names) == 1:  # two houses of one estate whose names differ only in spelling (1栋, 1号楼)
                return (
                    None,
                    blame[2],
                    _("有多套房屋都可写作“%(ref)s”，请写出完整的楼栋、单元名称。") % {"ref": reference},
                )
            self.unnamed_estates.update(names)
            return (
                None,
                "小区",
                _("多个小区（%(names)s）都有这个房屋，请选择小区或填写“小区”列。") % {"names": "、".join(names)},
            )
        return candidates[0][1], "", ""

    def file_problem(self, *, estate_column: bool) -> str:
        """One sentence for the whole file when rows named houses several estates share and the file
        has no 小区 column: the estate is to be chosen at upload (the rows say which houses)."""
        if not self.unnamed_estates or estate_column or self.chosen is not None:
            return ""
        return _(
            "文件没有“小区”列，而多个小区（%(names)s）都有文件中的房屋：请在上传时选择要导入到哪个小区，"
            "或加一列“小区”。"
        ) % {"names": "、".join(sorted(self.unnamed_estates))}


def fee_items_named(names: Iterable[str]) -> dict[str, FeeItem]:
    return {item.name: item for item in FeeItem.objects.filter(name__in=set(names))}


@lru_cache(maxsize=65536)
def _date_of(kind: str, value: Any) -> date | None:
    return a_date(value)


def day_cell(value: Any) -> date | None:
    """a_date, remembered: a history repeats the same few dates (as serials or text) on every row."""
    if isinstance(value, int | float | str) and not isinstance(value, bool):
        return _date_of(type(value).__name__, value)  # 45352 and 45352.0 are one serial, not "45352"
    return a_date(value)


def money_cell(value: Any) -> Decimal | None:
    """An amount in yuan, 0 or more, to the fen (float noise rounded), within the ledger's columns;
    remembered, as dates are: a history repeats the same few amounts on every row."""
    if isinstance(value, int | float | str) and not isinstance(value, bool):
        return _money_of(type(value).__name__, value)  # 179 and 179.0 are one amount, parsed apart
    return _money(value)


@lru_cache(maxsize=65536)
def _money_of(kind: str, value: Any) -> Decimal | None:
    return _money(value)


def _money(value: Any) -> Decimal | None:
    return _two_places(value, MAX_AMOUNT, _MONEY)


def dial_cell(value: Any) -> Decimal | None:
    """A reading as the dial shows it: 0 or more, at most two decimals (the framework's `decimal`
    column wants a positive amount; a new meter reads 0)."""
    return _two_places(value, MAX_VALUE, _DIAL)


# What is wrong with an amount or a reading: below 0, more than two places, too large.
_MONEY = (
    gettext_noop("须为不小于 0 的金额。"),
    gettext_noop("金额最多两位小数（精确到分）。"),
    gettext_noop("金额过大。"),
)
_DIAL = (gettext_noop("须为不小于 0 的数字。"), gettext_noop("最多保留 2 位小数。"), gettext_noop("读数过大。"))


def _two_places(value: Any, high: Decimal, problems: tuple[str, str, str]) -> Decimal | None:
    """A number 0 or more, to two places (float noise rounded), at most `high`; refused in the
    kind's own words (`problems`)."""
    number = number_of(value)
    if number is None:
        return None
    below_zero, too_precise, too_large = problems
    if not number.is_finite() or number < 0:
        raise CellError(_(below_zero))
    rounded = quantized(number, Decimal("0.01"))
    if abs(number - rounded) > Decimal("0.000001"):
        raise CellError(_(too_precise))
    if rounded > high:
        raise CellError(_(too_large))
    return rounded


def meters_numbered(numbers: Iterable[str]) -> dict[tuple[str, str], Meter]:
    """The company's meters with these numbers, by (kind, number) — a number is unique per kind
    only. One query, whatever the file's length."""
    return {(m.kind, m.number): m for m in Meter.objects.filter(number__in=set(numbers))}


def without_notes(table: Table, keys: Iterable[str]) -> Table:
    """The table with HC's notes rows left out: HC's templates write their 说明 beside the data, in
    columns of their own, so a row whose template columns are all blank is a note, not a data row."""
    positions = [table.index[key] for key in keys if key in table.index]
    rows = table.rest

    def data() -> Iterator[tuple[int, list[Any]]]:
        for number, cells in rows:
            width = len(cells)
            if any(p < width and not is_blank(cells[p]) for p in positions):
                yield number, cells
            else:
                yield number, []

    table.rest = data()
    return table
