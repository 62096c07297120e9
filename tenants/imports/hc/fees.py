"""HC's 费用设置 sheet and 房屋信息's 房屋费用 / 费用开始时间: billing's fee items and which houses each
is charged on, from when — checked in the dry run and written in the commit's one transaction.

The items go through billing's own fee_items kind (billing.services.fee_setup_import: its columns,
formula codes and checks, an item set up the same way already is unchanged), so there is one mapping
of HC's fees, not two. A fee whose 计算公式 we cannot convert is not imported and said by name with
the reason, and the houses that listed it keep everything else; a 房屋费用 naming no fee of the sheet,
a malformed 费用开始时间 or one outside its item's validity is a problem at its cell. HC's importer
reads 房屋费用 `1#2` with 费用开始时间 `2020-06-10#2020-07-10` pairwise (its charging starts there); `0`
or blank is no fee.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from billing.models import ChargingMode, FeeAssignment, FeeItem, Meter, MeterKind
from billing.services import assignments
from billing.services import fee_setup_import as fee_setup
from core import locks
from tenants.estates.models import House
from tenants.imports.columns import CellError, a_date, header_key, is_blank, text_of
from tenants.imports.hc import codes
from tenants.imports.hc.rows import Cell, FeeLink, HouseKey, Translation
from tenants.imports.hc.workbook import Sheet
from tenants.imports.reading import Table
from tenants.imports.validation import Problem

SHEET = "费用设置"
_COLUMNS = {column.key: column for column in fee_setup.COLUMNS}
COUNTS = (
    "fee_items_create",
    "fee_items_unchanged",
    "fee_items_not_imported",
    "fee_assignments_create",
    "fee_assignments_unchanged",
)


@dataclass
class FeeSetupPlan:
    items: fee_setup.FeePlan
    # item name → house → start, for the assignments the houses do not hold yet
    assign: dict[str, dict[HouseKey, date]] = field(default_factory=dict)


def take_links(result: Translation, sheet: Sheet, cells: list[Any], key: HouseKey, fees: Cell, starts: Cell) -> None:
    """A house's 房屋费用 and 费用开始时间 as links (rows.FeeLink); a 费用开始时间 that does not pair
    with 房屋费用 or is no date is a problem at it."""
    numbers = [number for number in codes.multi(sheet.value(cells, fees[2] or None)) if number != "0"]
    if not numbers:
        return
    raw = sheet.value(cells, starts[2] or None)
    if is_blank(raw):
        parts: list[Any] = [None] * len(numbers)
    elif isinstance(raw, str):
        parts = [part.strip() or None for part in raw.split("#")]
    else:  # one date, typed as a date or a serial
        parts = [raw]
    if len(parts) != len(numbers):
        result.problem(
            starts,
            _("房屋费用有 %(fees)s 项，费用开始时间有 %(dates)s 个：须一一对应，用 # 分隔。")
            % {"fees": len(numbers), "dates": len(parts)},
        )
        return
    for number, part in zip(numbers, parts, strict=True):
        try:
            start = a_date(part)
        except CellError as exc:
            result.problem(starts, exc.message)
            continue
        result.fee_links.append(FeeLink(key, number, start, fees, starts))


def _table(sheet: Sheet, index: dict[str, int], rows: list[tuple[int, list[Any]]]) -> Table:
    return Table(
        kind=fee_setup.KIND,
        header_row=sheet.header_row,
        index=index,
        header_index={_COLUMNS[key].header: position for key, position in index.items()},
        expected_rows=max(len(rows), 1),
        rest=iter(rows),
    )


def _plain(number: Decimal) -> str:
    return f"{number.normalize():f}"


def _describe(row: fee_setup.ItemRow, houses: int) -> str:
    values = row.values
    code = next(code for code, mode in fee_setup.FORMULAS.items() if mode == values["mode"])
    cycle = _("每 %(n)s 个月") % {"n": values["cycle_months"]} if values["cycle_months"] else _("一次性")
    price = _("单价 %(price)s") % {"price": _plain(row.price.unit_price or Decimal(0))}
    if row.price.fixed_extra:
        price += _("，附加 %(extra)s 元") % {"extra": _plain(row.price.fixed_extra)}
    until = _("至 %(date)s") % {"date": values["valid_until"]} if values.get("valid_until") else ""
    return _(
        "%(sheet)s：将新建收费项目“%(name)s”（计算公式 %(code)s → %(mode)s，%(price)s，%(cycle)s，"
        "自 %(start)s 起%(until)s），分配给 %(n)s 套房屋。"
    ) % {
        "sheet": SHEET,
        "name": values["name"],
        "code": code,
        "mode": ChargingMode(values["mode"]).label,
        "price": price,
        "cycle": cycle,
        "start": values["valid_from"],
        "until": until,
        "n": houses,
    }


class _Check:
    def __init__(self, translation: Translation, sheet: Sheet | None):
        self.translation = translation
        self.sheet = sheet
        self.counts: Counter[str] = Counter(dict.fromkeys(COUNTS, 0))
        self.unmapped: dict[str, tuple[int, str]] = {}  # 费用编号 → its row and name, not imported
        self.numbers: set[str] = set()  # every 费用编号 of the sheet
        self.reasons: dict[int, str] = {}  # row → why its 计算公式 cannot be converted

    def header(self, key: str) -> str | None:
        if self.sheet is None:
            return None
        column = _COLUMNS[key]
        return self.sheet.find(column.header, *column.aliases)

    def items(self) -> fee_setup.FeePlan | None:
        """The sheet through the fee_items kind's checks; its problems at their cells here."""
        sheet = self.sheet
        assert sheet is not None
        index = {key: sheet.positions[header_key(found)] for key in _COLUMNS if (found := self.header(key))}
        missing = [column.header for column in fee_setup.COLUMNS if column.required and column.key not in index]
        if missing:
            self.translation.problems.append(
                Problem(None, None, _("缺少必填列：%(columns)s。") % {"columns": _("、").join(missing)}, sheet.name)
            )
            return None
        kept = []
        for number, cells in sheet.rows:
            fee = text_of(cells[index["number"]]) if "number" in index and index["number"] < len(cells) else ""
            self.numbers.add(fee)
            try:
                _COLUMNS["formula"].parse(cells[index["formula"]] if index["formula"] < len(cells) else None)
            except CellError as exc:
                name = text_of(cells[index["name"]]) if index["name"] < len(cells) else ""
                self.unmapped[fee or f"#{number}"] = (number, name)
                self.reasons[number] = exc.message
                self.counts["fee_items_not_imported"] += 1
                continue
            kept.append((number, cells))
        if not kept:
            return fee_setup.FeePlan()
        outcome = fee_setup.validate_fee_items(_table(sheet, index, kept), lambda done, total: None)
        by_header = {column.header: column.key for column in fee_setup.COLUMNS}
        for problem in outcome.problems:
            column = self.header(by_header[problem.column]) if problem.column in by_header else problem.column
            self.translation.problem((sheet.name, problem.row or 0, column or ""), problem.message)
        self.counts["fee_items_create"] += outcome.counts.get("create", 0)
        self.counts["fee_items_unchanged"] += outcome.counts.get("unchanged", 0)
        return outcome.plan

    def known_links(self) -> list[FeeLink]:
        """The links to fees the sheet has (and we import); one to a number it has not is a problem."""
        known = []
        for link in self.translation.fee_links:
            if link.number not in self.numbers:
                self.translation.problem(
                    link.cell, _("%(sheet)s中没有费用编号 %(number)s。") % {"sheet": SHEET, "number": link.number}
                )
            elif link.number not in self.unmapped:
                known.append(link)
        return known

    def say_unmapped(self) -> None:
        """Each fee not imported, by name with the reason, and how many houses listed it."""
        listed = Counter(link.number for link in self.translation.fee_links)
        for fee, (row, name) in self.unmapped.items():
            houses = _("；房屋费用中列有它的 %(n)s 套房屋未分配此项") % {"n": listed[fee]} if listed.get(fee) else ""
            self.translation.problem(
                (SHEET, row, self.header("formula") or ""),
                _("收费项目“%(name)s”未导入：%(why)s%(houses)s。")
                % {"name": name, "why": self.reasons[row].rstrip("。."), "houses": houses},
                quote=False,
                warning=True,
            )

    def links(self, plan: fee_setup.FeePlan, estate: str) -> FeeSetupPlan:
        numbers = fee_setup.fee_numbers(plan)
        new = {row.values["name"]: row.values for row in plan.rows}
        existing = {item.name: item for item in FeeItem.objects.filter(name__in=set(numbers.values()) - set(new))}
        houses = _house_ids(estate, {link.house for link in self.translation.fee_links})
        held: dict[tuple[str, int], list[date | None]] = {}
        for held_name, held_house, end in FeeAssignment.objects.filter(
            fee_item__in=existing.values(), house_id__in=houses.values()
        ).values_list("fee_item__name", "house_id", "end"):
            held.setdefault((held_name, held_house), []).append(end)
        result = FeeSetupPlan(plan)
        assigned_cells: dict[tuple[str, HouseKey], Cell] = {}  # a new assignment → its 房屋费用 cell
        for link in self.known_links():
            name = numbers.get(link.number)
            if name is None:
                continue  # its row has a problem of its own
            item = existing.get(name)
            valid_from, valid_until = (
                (item.valid_from, item.valid_until) if item else (new[name]["valid_from"], new[name].get("valid_until"))
            )
            start = link.start or valid_from
            if start < valid_from or (valid_until is not None and start >= valid_until):
                self.translation.problem(
                    link.start_cell,
                    _("收费项目“%(name)s”的计费时间为 %(start)s 至 %(end)s，费用开始时间须在其中。")
                    % {"name": name, "start": valid_from, "end": valid_until or "—"},
                )
                continue
            house_id = houses.get(link.house)
            ends = held.get((name, house_id), []) if house_id is not None else []
            if any(end is None or end > start for end in ends):
                self.counts["fee_assignments_unchanged"] += 1
                continue
            if result.assign.setdefault(name, {}).setdefault(link.house, start) == start:
                self.counts["fee_assignments_create"] += 1
                assigned_cells.setdefault((name, link.house), link.cell)
        meter_kinds = {
            name: values["meter_kind"] for name, values in new.items() if values["mode"] == ChargingMode.METER
        }
        meter_kinds |= {name: item.meter_kind for name, item in existing.items() if item.mode == ChargingMode.METER}
        self.say_no_meter(assigned_cells, meter_kinds, houses)
        for row in plan.rows:
            self.translation.notes.append(_describe(row, len(result.assign.get(row.values["name"], {}))))
        for name in existing:
            self.translation.notes.append(
                _("%(sheet)s：收费项目“%(name)s”已有且设置相同，不变；新分配给 %(n)s 套房屋。")
                % {"sheet": SHEET, "name": name, "n": len(result.assign.get(name, {}))}
            )
        return result

    def say_no_meter(
        self, assigned: dict[tuple[str, HouseKey], Cell], meter_kinds: dict[str, str], houses: dict[HouseKey, int]
    ) -> None:
        """A metered item (HC's 5005, 抄表用量 × 单价) newly assigned to a house with no active meter of
        its kind: its bills are empty until a meter is set up and read — a warning at the house's
        房屋费用. The HC workbook has no meters, so only those already here count."""
        wanted = {(name, key) for name, key in assigned if name in meter_kinds}
        if not wanted:
            return
        metered = set(
            Meter.objects.filter(
                house_id__in={houses[key] for _name, key in wanted if key in houses},
                kind__in=set(meter_kinds.values()),
                active=True,
            ).values_list("house_id", "kind")
        )
        for name, key in sorted(wanted):
            kind = meter_kinds[name]
            if (houses.get(key), kind) in metered:
                continue
            self.translation.problem(
                assigned[name, key],
                _(
                    "房屋 %(house)s 分配了按抄表计费的收费项目“%(name)s”，但该房屋还没有%(meter)s："
                    "登记表具并抄表前，此项的账单为空。"
                )
                % {"house": "-".join(key), "name": name, "meter": MeterKind(kind).label},
                quote=False,
                warning=True,
            )


def _house_ids(estate: str, keys: set[HouseKey]) -> dict[HouseKey, int]:
    if not keys:
        return {}
    rows = House.objects.filter(estate__name=estate, building__name__in={key[0] for key in keys}).values_list(
        "id", "building__name", "unit__name", "number"
    )
    return {(building, unit, number): pk for pk, building, unit, number in rows}


def check(translation: Translation, estate: str) -> tuple[FeeSetupPlan | None, Counter[str]]:
    """The fee items and assignments the workbook would write (in the dry run's probe, after its
    houses are written there): the plan, and counts for the report."""
    sheet = translation.sheets.get(SHEET)
    checker = _Check(translation, sheet if sheet is not None and sheet.rows else None)
    if checker.sheet is None:
        for link in translation.fee_links:
            translation.problem(
                link.cell, _("没有%(sheet)s表，无法关联费用编号 %(number)s。") % {"sheet": SHEET, "number": link.number}
            )
        return None, checker.counts
    # A fee_items commit creating the same items meanwhile waits (the HC commit holds it already).
    locks.lock_company(fee_setup.LOCK)
    plan = checker.items()
    result = checker.links(plan, estate) if plan is not None else None
    if plan is None and checker.numbers:  # the items have problems: their links are still checked
        checker.known_links()
    checker.say_unmapped()
    return result, checker.counts


def write(plan: FeeSetupPlan, estate: str, *, committed_by: Any) -> int:
    """In the commit, after the houses: the new items, then each item's new assignments."""
    fee_setup.write_fee_items(plan.items, lambda done, total: None, committed_by=committed_by)
    houses = _house_ids(estate, {key for starts in plan.assign.values() for key in starts})
    items = {item.name: item for item in FeeItem.objects.filter(name__in=list(plan.assign))}
    assigned = 0
    for name, starts in plan.assign.items():
        by_house = {houses[key]: start for key, start in starts.items()}
        assigned += assignments.assign_fee_item_from_import(fee_item=items[name], starts=by_house, actor=committed_by)
    return assigned
