"""What an HC workbook becomes before our own checks run: houses and residents in the shape of our
houses and residents kinds, each cell remembering the HC sheet, row and column it came from, so a
problem our checks find is reported where the clerk has to fix it."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.utils.translation import gettext as _

from tenants.imports.columns import CellError, floor_number, integer, text_of
from tenants.imports.hc import codes
from tenants.imports.hc.workbook import Sheet
from tenants.imports.validation import Problem

HouseKey = tuple[str, str, str]  # building, unit, number — as HC writes them
Cell = tuple[str, int, str]  # sheet, Excel row, HC header

FLOORS = integer(1, 200, zero=False)
FLOOR = floor_number(-20, 200)


@dataclass
class Source:
    """Where a translated row's cells came from: our column header → the HC cell."""

    sheet: str
    row: int
    cells: dict[str, Cell] = field(default_factory=dict)

    def of(self, our_header: str | None) -> Cell | tuple[str, int, None]:
        found = self.cells.get(our_header or "")
        return found if found is not None else (self.sheet, self.row, None)


@dataclass
class HouseRow:
    key: HouseKey
    values: dict[str, Any]  # our houses column key → the cell value our parsers read
    source: Source
    floor: int | None = None  # parsed here for the check against 总层数


@dataclass
class PersonRow:
    house: HouseKey
    values: dict[str, Any]  # our residents column key → value
    source: Source


@dataclass
class FeeLink:
    """One fee of 房屋信息's 房屋费用 (`1#2`: HC's 费用编号) on a house, from its 费用开始时间 (the
    same position of `2020-06-10#2020-07-10`; blank: the fee item's own start)."""

    house: HouseKey
    number: str
    start: date | None
    cell: Cell  # 房屋费用
    start_cell: Cell  # 费用开始时间


@dataclass
class BuildingFacts:
    floors: int | None = None
    floors_cell: Cell | None = None
    elevator: bool | None = None


@dataclass
class Translation:
    sheets: dict[str, Sheet]
    houses: list[HouseRow] = field(default_factory=list)
    people: list[PersonRow] = field(default_factory=list)
    fee_links: list[FeeLink] = field(default_factory=list)
    buildings: dict[str, BuildingFacts] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    # What our own checks warn of at an HC cell (a placeholder imported as missing, a relation that will end)
    warnings: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    counts: Counter[str] = field(default_factory=Counter)
    # HC code → how many rows carried it, for the report's "what became of each code"
    codes_used: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))

    _by_row: dict[str, dict[int, list[Any]]] = field(default_factory=dict)

    def value_at(self, cell: Cell | tuple[str, int, None]) -> str:
        sheet_name, number, header = cell
        sheet = self.sheets.get(sheet_name)
        if sheet is None or header is None:
            return ""
        if sheet_name not in self._by_row:
            self._by_row[sheet_name] = dict(sheet.rows)
        cells = self._by_row[sheet_name].get(number)
        return text_of(sheet.value(cells, header)) if cells is not None else ""

    def problem(
        self, cell: Cell | tuple[str, int, None], message: str, *, quote: bool = True, warning: bool = False
    ) -> None:
        """A problem (or a warning) at an HC cell, quoting the value that is there (when there is one)."""
        sheet, number, header = cell
        value = self.value_at(cell) if quote else ""
        found = Problem(
            number,
            header,
            _("“%(value)s”：%(message)s") % {"value": value, "message": message} if value else message,
            sheet,
        )
        (self.warnings if warning else self.problems).append(found)

    def unsold_but_lived_in(self, state_cell: Cell, person: str, relation: str) -> None:
        """HC's 2002 未销售 on a house that has a person: both imported as the file says, and said."""
        self.problem(
            state_cell,
            _("房屋状态为未销售，但该房屋有%(relation)s %(person)s：房屋和住户照常导入，请核对房屋状态。")
            % {"relation": relation, "person": person or _("（未填姓名）")},
            warning=True,
        )
        self.counts["unsold_with_people"] += 1

    def building(self, name: str) -> BuildingFacts:
        return self.buildings.setdefault(name, BuildingFacts())

    def take_floors(self, name: str, raw: Any, cell: Cell) -> None:
        """总层数 of a building (the highest of its units' and rows')."""
        try:
            floors = FLOORS(raw)
        except CellError as exc:
            self.problem(cell, exc.message)
            return
        facts = self.building(name)
        if floors is not None and (facts.floors is None or floors > facts.floors):
            facts.floors, facts.floors_cell = floors, cell

    def take_elevator(self, name: str, raw: Any, cell: Cell) -> None:
        try:
            lift = codes.elevator(raw)
        except codes.CodeError as exc:
            self.problem(cell, exc.message)
            return
        if lift is not None:
            facts = self.building(name)
            facts.elevator = lift or bool(facts.elevator)  # a building with a lift in any unit has one

    def person_values(self, sheet: Sheet, cells: list[Any], number: int, headers: dict[str, str | None]) -> dict:
        """姓名, 性别, 手机号, 身份证号 of a person row; HC's placeholders become blank (counted)."""
        values: dict[str, Any] = {}
        for key in ("name", "gender", "phone", "id_number"):
            raw = sheet.value(cells, headers.get(key))
            if raw is None or text_of(raw) == "":
                continue
            if key == "phone" and codes.code_text(raw) == codes.PLACEHOLDER_PHONE:
                self.counts["placeholder_phones"] += 1
                continue
            if key == "id_number" and codes.PLACEHOLDER_ID.fullmatch(codes.code_text(raw)):
                self.counts["placeholder_ids"] += 1
                continue
            values[key] = raw
        return values

    def code(self, kind: str, parse: Any, raw: Any, cell: Cell) -> str | None:
        try:
            found = parse(raw)
        except codes.CodeError as exc:
            self.problem(cell, exc.message)
            return None
        if found is not None:
            self.codes_used[kind][found] += 1
        return found

    def floor_of(self, raw: Any) -> int | None:
        try:
            return FLOOR(raw)
        except CellError:
            return None  # the houses check reports it, in its column

    def check_floors(self) -> None:
        """A house above its building's 总层数: blamed on the house's floor, quoting both."""
        for house in self.houses:
            facts = self.buildings.get(house.key[0])
            if house.floor is None or facts is None or facts.floors is None:
                continue
            if house.floor > facts.floors:
                where = (
                    _("（%(sheet)s 第 %(row)s 行）") % {"sheet": facts.floors_cell[0], "row": facts.floors_cell[1]}
                    if facts.floors_cell
                    else ""
                )
                self.problem(
                    house.source.of("楼层"),
                    _("高于楼栋 %(building)s 的总层数 %(floors)s%(where)s。")
                    % {"building": house.key[0], "floors": facts.floors, "where": where},
                )
