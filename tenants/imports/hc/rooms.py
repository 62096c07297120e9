"""HC's 房产导入 sheet 资产信息: one row per house × person, the house's columns repeated on each of its
people's rows (HC's notes: the owner first, then family, renters, temporary people); a row with no
person is a house with nobody (unsold). 房间 may also be written as HC's reference 1-1-1001."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from tenants.imports.columns import text_of
from tenants.imports.hc import codes
from tenants.imports.hc.assets import headers_of, unmapped
from tenants.imports.hc.rows import HouseKey, HouseRow, PersonRow, Source, Translation
from tenants.imports.hc.workbook import Sheet

SHEET = "资产信息"
COLUMNS = {
    "building": ("楼号", "楼栋号", "楼栋编号"),
    "unit": ("单元", "单元编号", "单元号"),
    "number": ("房间", "房屋编号", "房间号", "房号"),
    "floor": ("楼层", "房屋楼层"),
    "floors": ("总层数",),
    "elevator": ("是否有电梯", "电梯"),
    "type": ("房屋类型",),
    "layout": ("房屋户型", "户型"),
    "building_area": ("建筑面积",),
    "usable_area": ("室内面积", "套内面积"),
    "rent": ("租金",),
    "state": ("房屋状态",),
    "name": ("业主名称", "业主姓名", "姓名"),
    "gender": ("性别",),
    "age": ("年龄",),
    "phone": ("手机号", "联系电话", "手机号码"),
    "id_number": ("身份证号", "身份证号码", "证件号码"),
    "person_type": ("业主类型", "人员类型"),
}
HOUSE_PART = ("floor", "floors", "elevator", "type", "layout", "building_area", "usable_area", "rent", "state")
PERSON_PART = ("name", "gender", "phone", "id_number", "person_type")
OURS = {  # our column header → this sheet's column key
    "楼栋": "building",
    "单元": "unit",
    "房号": "number",
    "楼层": "floor",
    "建筑面积": "building_area",
    "套内面积": "usable_area",
    "户型": "layout",
    "用途": "type",
    "状态": "state",
    "姓名": "name",
    "性别": "gender",
    "手机号": "phone",
    "身份证号": "id_number",
    "关系": "person_type",
}


def is_rooms_sheet(sheet: Sheet) -> bool:
    return all(sheet.find(*COLUMNS[key]) for key in ("building", "unit", "number", "name"))


def _place(result: Translation, sheet: Sheet, cells: list[Any], cell: dict[str, Any]) -> HouseKey | None:
    building, unit, number = (
        text_of(sheet.value(cells, cell[key][2] or None)) for key in ("building", "unit", "number")
    )
    reference = codes.house_reference(number) if not (building and unit) else None
    if reference is not None:
        return reference.building, reference.unit, reference.number
    found = {"building": building, "unit": unit, "number": number}
    missing = [key for key, value in found.items() if not value]
    for key in missing:
        result.problem(cell[key], _("必填，不能为空（或在房间列写 楼栋-单元-房屋，如 1-1-1001）。"), quote=False)
    return None if missing else (building, unit, number)


def translate(result: Translation, sheet: Sheet, estate: str) -> None:
    headers = headers_of(sheet, COLUMNS)
    unmapped(result, sheet, headers)
    first: dict[HouseKey, tuple[int, list[Any]]] = {}
    people: dict[HouseKey, int] = {}
    unsold_houses: set[HouseKey] = set()
    for number, cells in sheet.rows:
        cell = {key: (sheet.name, number, header or "") for key, header in headers.items()}
        key = _place(result, sheet, cells, cell)
        if key is None:
            continue
        source = Source(sheet.name, number, {ours: cell[theirs] for ours, theirs in OURS.items()})
        if key not in first:
            first[key] = (number, cells)
            if _house(result, sheet, cells, cell, key, source, estate) == codes.UNSOLD:
                unsold_houses.add(key)
        else:  # the same house again (another person): its columns must say the same
            earlier, earlier_cells = first[key]
            for part in HOUSE_PART:
                before, now = (text_of(sheet.value(row, headers[part])) for row in (earlier_cells, cells))
                if headers[part] and now and before != now:
                    result.problem(
                        cell[part],
                        _("与第 %(row)s 行（同一房屋）的%(column)s“%(before)s”不一致。")
                        % {"row": earlier, "column": headers[part], "before": before},
                    )
        if not any(text_of(sheet.value(cells, headers[part])) for part in PERSON_PART):
            continue  # a house with nobody
        if not text_of(sheet.value(cells, headers["name"])):
            result.problem(cell["name"], _("有住户信息时必填，不能为空。"), quote=False)
            continue
        kind = result.code(
            "person_type", codes.person_type, sheet.value(cells, headers["person_type"]), cell["person_type"]
        )
        if headers["person_type"] is None:
            kind = "1001"
        elif kind is None:
            if not text_of(sheet.value(cells, headers["person_type"])):
                result.problem(
                    cell["person_type"],
                    _("有住户时必填：1001 业主、1002 家庭成员、1003 房屋租客、1004 临时人员。"),
                    quote=False,
                )
            continue
        relation, _label = codes.PERSON_TYPES[kind]
        if relation is None:
            result.counts["temporary_people"] += 1
            continue
        values = result.person_values(sheet, cells, number, headers)
        result.people.append(PersonRow(key, {**values, "relation": relation}, source))
        if key in unsold_houses:
            result.unsold_but_lived_in(cell["state"], text_of(values.get("name")), _label)
        people[key] = people.get(key, 0) + 1
    unsold = len(first) - len(people)
    if unsold:
        result.counts["houses_without_people"] = unsold


def _house(
    result: Translation,
    sheet: Sheet,
    cells: list[Any],
    cell: dict[str, Any],
    key: HouseKey,
    source: Source,
    estate: str,
) -> str | None:
    headers = {part: cell[part][2] or None for part in HOUSE_PART}
    values: dict[str, Any] = {"estate": estate, "building": key[0], "unit": key[1], "number": key[2]}
    for part in ("floor", "building_area", "usable_area", "layout"):
        values[part] = sheet.value(cells, headers[part])
    kind = result.code("house_type", codes.house_type, sheet.value(cells, headers["type"]), cell["type"])
    if kind is not None:
        values["use"] = codes.HOUSE_TYPES[kind][0]
    state = result.code("house_state", codes.house_state, sheet.value(cells, headers["state"]), cell["state"])
    if state is not None:
        values["status"] = codes.HOUSE_STATES[state][0]
    if headers["floors"]:
        result.take_floors(key[0], sheet.value(cells, headers["floors"]), cell["floors"])
    if headers["elevator"]:
        result.take_elevator(key[0], sheet.value(cells, headers["elevator"]), cell["elevator"])
    result.houses.append(HouseRow(key, values, source, result.floor_of(values["floor"])))
    return state
