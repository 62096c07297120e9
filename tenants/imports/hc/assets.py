"""HC's 资产导入 workbook, and the one its 资产导出 produces: sheets 楼栋单元, 业主信息, 房屋信息 (plus
费用设置 and 车位信息), linked by 楼栋编号 + 单元编号 and 业主编号.

What each column means follows HC's template notes: 业主编号 is unique among owners (类型 1001); a
family member, renter or temporary person (1002–1004) carries the number of the owner they belong
to, and so lives in every house of that owner; a house whose 业主编号 is blank is unsold.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tenants.imports.columns import text_of
from tenants.imports.hc import codes, fees
from tenants.imports.hc.rows import HouseKey, HouseRow, PersonRow, Source, Translation
from tenants.imports.hc.workbook import Sheet

BUILDINGS, OWNERS, HOUSES, PARKING = "楼栋单元", "业主信息", "房屋信息", "车位信息"
FEES = fees.SHEET

# our key → HC's headers (the template's first; then what its export and clerks write)
BUILDING_COLUMNS = {
    "building": ("楼栋号", "楼栋编号", "楼号"),
    "unit": ("单元编号", "单元号", "单元"),
    "floors": ("总层数", "楼层数"),
    "elevator": ("是否有电梯", "电梯"),
}
OWNER_COLUMNS = {
    "sequence": ("编号", "序号"),
    "name": ("业主名称", "业主姓名", "姓名"),
    "gender": ("性别",),
    "age": ("年龄",),
    "phone": ("手机号", "联系电话", "手机号码"),
    "id_number": ("身份证号", "身份证号码", "证件号码"),
    "type": ("业主类型", "人员类型"),
    "owner": ("业主编号",),
}
HOUSE_COLUMNS = {
    "number": ("房屋编号", "房屋号", "房间号", "房号"),
    "building": ("楼栋编号", "楼栋号", "楼号"),
    "unit": ("单元编号", "单元号", "单元"),
    "floor": ("房屋楼层", "楼层"),
    "layout": ("房屋户型", "户型"),
    "building_area": ("建筑面积",),
    "owner": ("业主编号",),
    "fees": ("房屋费用",),
    "fee_starts": ("费用开始时间",),
    "type": ("房屋类型",),
    "usable_area": ("室内面积", "套内面积"),
    "rent": ("租金",),
    "state": ("房屋状态",),
}
# Columns read but with no home of ours: listed in the report with why.
NOT_KEPT = {
    "sequence": gettext_lazy("只是序号"),
    "age": gettext_lazy("系统不保存年龄"),
    "rent": gettext_lazy("系统暂无房屋租金"),
}


def headers_of(sheet: Sheet, columns: dict[str, tuple[str, ...]]) -> dict[str, str | None]:
    return {key: sheet.find(*names) for key, names in columns.items()}


def unmapped(result: Translation, sheet: Sheet, headers: dict[str, str | None]) -> None:
    """The sheet's columns we read but do not keep, and those we do not know, both said by name."""
    known = {header for header in headers.values() if header}
    not_kept = [
        _("%(column)s（%(why)s）") % {"column": headers[key], "why": why}
        for key, why in NOT_KEPT.items()
        if headers.get(key)
    ]
    unknown = [header for header in sheet.headers if header not in known]
    if not_kept:
        result.notes.append(
            _("%(sheet)s：以下列未导入：%(columns)s。") % {"sheet": sheet.name, "columns": _("、").join(not_kept)}
        )
    if unknown:
        result.notes.append(
            _("%(sheet)s：以下列无法识别，未导入：%(columns)s。")
            % {"sheet": sheet.name, "columns": _("、").join(unknown)}
        )


def _required(result: Translation, sheet: Sheet, cells: list[Any], number: int, header: str | None) -> str:
    value = text_of(sheet.value(cells, header))
    if header is not None and not value:
        result.problem((sheet.name, number, header), _("必填，不能为空。"))
    return value


def _buildings(result: Translation, sheet: Sheet) -> set[tuple[str, str]]:
    headers = headers_of(sheet, BUILDING_COLUMNS)
    unmapped(result, sheet, headers)
    units: dict[tuple[str, str], int] = {}
    for number, cells in sheet.rows:
        building = _required(result, sheet, cells, number, headers["building"])
        unit = _required(result, sheet, cells, number, headers["unit"])
        if not building or not unit:
            continue
        if (building, unit) in units:
            result.problem(
                (sheet.name, number, headers["unit"] or ""),
                _("与第 %(row)s 行重复（同一楼栋、单元）。") % {"row": units[building, unit]},
            )
            continue
        units[building, unit] = number
        if headers["floors"]:
            result.take_floors(building, sheet.value(cells, headers["floors"]), (sheet.name, number, headers["floors"]))
        if headers["elevator"]:
            raw = sheet.value(cells, headers["elevator"])
            result.take_elevator(building, raw, (sheet.name, number, headers["elevator"]))
    return set(units)


def _people(
    result: Translation, sheet: Sheet
) -> tuple[dict[str, tuple[int, dict]], dict[str, list[tuple[int, dict, str]]]]:
    """Owners by 业主编号, and the others (with their type) by the owner they belong to."""
    headers = headers_of(sheet, OWNER_COLUMNS)
    unmapped(result, sheet, headers)
    owners: dict[str, tuple[int, dict]] = {}
    members: dict[str, list[tuple[int, dict, str]]] = {}
    for number, cells in sheet.rows:
        owner = _required(result, sheet, cells, number, headers["owner"])
        _required(result, sheet, cells, number, headers["name"])
        type_header = headers["type"] or ""
        kind = result.code(
            "person_type", codes.person_type, sheet.value(cells, headers["type"]), (sheet.name, number, type_header)
        )
        if headers["type"] is None:
            kind = "1001"  # no 业主类型 column: everyone listed is an owner
        values = result.person_values(sheet, cells, number, headers)
        if not owner or kind is None:
            continue
        if kind == "1001":
            if owner in owners:
                result.problem(
                    (sheet.name, number, headers["owner"] or ""),
                    _("与第 %(row)s 行的业主编号重复；业主编号须唯一（家庭成员、租客填所属业主的编号）。")
                    % {"row": owners[owner][0]},
                )
                continue
            owners[owner] = (number, values)
        else:
            members.setdefault(owner, []).append((number, values, kind))
            if kind == codes.TEMPORARY:
                result.counts["temporary_people"] += 1
    for owner, rows in members.items():
        if owner not in owners:
            for number, _values, _kind in rows:
                result.problem(
                    (sheet.name, number, headers["owner"] or ""),
                    _("%(sheet)s中没有这个业主编号的业主（类型 1001）。") % {"sheet": OWNERS},
                )
    return owners, members


def _person(
    result: Translation, sheet: Sheet, number: int, values: dict, kind: str, house: HouseKey, house_source: Source
) -> None:
    relation, _label = codes.PERSON_TYPES[kind]
    if relation is None:
        return  # counted once, in _people
    headers = headers_of(sheet, OWNER_COLUMNS)
    cells: dict[str, Any] = {
        ours: (sheet.name, number, headers[key] or "")
        for ours, key in (
            ("姓名", "name"),
            ("性别", "gender"),
            ("手机号", "phone"),
            ("身份证号", "id_number"),
            ("关系", "type"),
        )
    }
    cells["房号"] = house_source.of("房号")
    result.people.append(PersonRow(house, {**values, "relation": relation}, Source(sheet.name, number, cells)))


def translate(result: Translation, estate: str) -> None:
    sheets = result.sheets
    units = _buildings(result, sheets[BUILDINGS]) if BUILDINGS in sheets else set()
    owners: dict[str, tuple[int, dict]] = {}
    members: dict[str, list[tuple[int, dict, str]]] = {}
    if OWNERS in sheets:
        owners, members = _people(result, sheets[OWNERS])
    sheet = sheets[HOUSES]
    headers = headers_of(sheet, HOUSE_COLUMNS)
    unmapped(result, sheet, headers)
    seen: dict[HouseKey, int] = {}
    housed: set[str] = set()
    without_state = {"owned": 0, "unsold": 0}
    for number, cells in sheet.rows:
        place = {key: _required(result, sheet, cells, number, headers[key]) for key in ("building", "unit", "number")}
        cell = {key: (sheet.name, number, header or "") for key, header in headers.items()}
        if not all(place.values()):
            continue
        key = (place["building"], place["unit"], place["number"])
        if place["building"] not in {building for building, _unit in units}:
            result.problem(cell["building"], _("%(sheet)s中没有这个楼栋编号。") % {"sheet": BUILDINGS})
            continue
        if (place["building"], place["unit"]) not in units:
            result.problem(
                cell["unit"],
                _("%(sheet)s中楼栋 %(building)s 没有这个单元编号。")
                % {"sheet": BUILDINGS, "building": place["building"]},
            )
            continue
        if key in seen:
            result.problem(cell["number"], _("与第 %(row)s 行重复（同一楼栋、单元、房屋编号）。") % {"row": seen[key]})
            continue
        seen[key] = number
        owner = text_of(sheet.value(cells, headers["owner"]))
        if owner and owner not in owners:
            result.problem(cell["owner"], _("%(sheet)s中没有这个业主编号的业主（类型 1001）。") % {"sheet": OWNERS})
            continue
        values: dict[str, Any] = {"estate": estate, "building": key[0], "unit": key[1], "number": key[2]}
        for ours, theirs in (
            ("floor", "floor"),
            ("building_area", "building_area"),
            ("usable_area", "usable_area"),
            ("layout", "layout"),
        ):
            values[ours] = sheet.value(cells, headers[theirs])
        kind = result.code("house_type", codes.house_type, sheet.value(cells, headers["type"]), cell["type"])
        if kind is not None:
            values["use"] = codes.HOUSE_TYPES[kind][0]
        state = result.code("house_state", codes.house_state, sheet.value(cells, headers["state"]), cell["state"])
        if state is not None:
            values["status"] = codes.HOUSE_STATES[state][0]
        elif headers["state"] is None:  # the import template has no 房屋状态: HC takes an owned house as lived in
            values["status"] = codes.HOUSE_STATES["2001" if owner else "2002"][0]
            without_state["owned" if owner else "unsold"] += 1
        linked = len(result.fee_links)
        fees.take_links(result, sheet, cells, key, cell["fees"], cell["fee_starts"])
        result.counts["house_fee_links"] += len(result.fee_links) - linked
        source = Source(
            sheet.name,
            number,
            {
                "楼栋": cell["building"],
                "单元": cell["unit"],
                "房号": cell["number"],
                "楼层": cell["floor"],
                "建筑面积": cell["building_area"],
                "套内面积": cell["usable_area"],
                "户型": cell["layout"],
                "用途": cell["type"],
                "状态": cell["state"],
            },
        )
        house = HouseRow(key, values, source, result.floor_of(values["floor"]))
        result.houses.append(house)
        if owner:
            housed.add(owner)
            owner_row, owner_values = owners[owner]
            if state == codes.UNSOLD:
                name = text_of(owner_values.get("name"))
                result.unsold_but_lived_in(
                    cell["state"],
                    _("%(name)s（业主编号 %(owner)s）") % {"name": name, "owner": owner},
                    codes.PERSON_TYPES["1001"][1],
                )
            _person(result, sheets[OWNERS], owner_row, owner_values, "1001", key, source)
            for member_row, member_values, member_kind in members.get(owner, []):
                _person(result, sheets[OWNERS], member_row, member_values, member_kind, key, source)
    if headers["state"] is None and sheet.rows:
        result.notes.append(
            _(
                "%(sheet)s没有房屋状态列：有业主的 %(owned)s 套按“已入住”、"
                "无业主的 %(unsold)s 套按“未售”导入（与 HC 导入时相同）。"
            )
            % {"sheet": HOUSES, "owned": without_state["owned"], "unsold": without_state["unsold"]}
        )
    homeless = [owner for owner in owners if owner not in housed]
    if homeless:
        with_them = sum(len(members.get(owner, [])) for owner in homeless)
        result.counts["people_without_house"] = len(homeless) + with_them
        numbers = _("、").join(homeless[:10]) + (_("等") if len(homeless) > 10 else "")
        others = _("及其 %(n)s 位家庭成员、租客") % {"n": with_them} if with_them else ""
        result.notes.append(
            _(
                "%(sheet)s：%(n)s 位业主（业主编号 %(numbers)s）%(others)s"
                "在%(houses)s中没有房屋，未导入（系统中的住户须属于某套房屋）。"
            )
            % {"sheet": OWNERS, "n": len(homeless), "numbers": numbers, "others": others, "houses": HOUSES}
        )
