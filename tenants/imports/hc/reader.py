"""Opening an HC workbook: its shape recognised from its sheets, every sheet read or said why not,
and its content translated into our houses and residents (rows.Translation)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from tenants.estates.models import Estate, HouseStatus, HouseUse
from tenants.imports.columns import text_of
from tenants.imports.hc import assets, codes, rooms
from tenants.imports.hc.rows import Translation
from tenants.imports.hc.workbook import Sheet, read_sheets
from tenants.imports.reading import FileProblem, Table
from tenants.residents.models import Relation

KIND = "hc_assets"
ASSETS, ROOMS = "资产导入", "房产导入"
PARKING_COLUMNS = ("车位编码", "车位编号")
FEE_COLUMNS = ("收费项目", "费用编号")


@dataclass
class HcTable(Table):
    """What the HC kind's validator reads: the translation, not rows of one sheet."""

    translation: Translation = field(default_factory=lambda: Translation({}))
    estate: str = ""
    shape: str = ""


def _shape(sheets: list[Sheet]) -> tuple[str, Sheet | None]:
    names = {sheet.name for sheet in sheets}
    if assets.HOUSES in names and assets.BUILDINGS in names:
        return ASSETS, None
    for sheet in sheets:
        if sheet.name == rooms.SHEET or rooms.is_rooms_sheet(sheet):
            return ROOMS, sheet
    raise FileProblem(
        _(
            "不是 HC 的资产表：HC 的资产导入/导出表须有“楼栋单元”和“房屋信息”工作表，房产导入表须有“资产信息”工作表"
            "（表头含 楼号、单元、房间、业主名称）。本系统自己的模板请选择“房屋”或“住户”导入。"
        )
    )


def _count(sheet: Sheet, names: tuple[str, ...]) -> int:
    header = sheet.find(*names)
    if header is None:
        return len(sheet.rows)
    return sum(1 for _n, cells in sheet.rows if text_of(sheet.value(cells, header)))


def _other_sheets(result: Translation, sheets: list[Sheet], read: set[str]) -> None:
    for sheet in sheets:
        if sheet.name in read:
            continue
        if sheet.name == assets.FEES:  # only beside 房屋信息 (the 资产导入 shape) is it read
            result.notes.append(
                _("工作表“%(sheet)s”只在 HC 资产导入表中（与房屋信息一起）读取，此处未读取。") % {"sheet": sheet.name}
            )
        elif sheet.name == assets.PARKING:
            spaces = result.counts["parking_spaces"] = _count(sheet, PARKING_COLUMNS)
            result.notes.append(
                _("%(sheet)s：%(n)s 个车位未导入（系统暂无车位数据）。") % {"sheet": sheet.name, "n": spaces}
            )
        elif sheet.headers:
            lines = len(sheet.rows) + 1
            result.notes.append(
                _("工作表“%(sheet)s”（%(n)s 行）不是 HC 资产表的工作表，未读取。") % {"sheet": sheet.name, "n": lines}
            )
        else:
            result.notes.append(_("工作表“%(sheet)s”是空的。") % {"sheet": sheet.name})


def _code_notes(result: Translation) -> None:
    # HC's column, its codes, and how many of what each code was found on
    tables: dict[str, tuple[str, dict[str, tuple[str | None, str]], str]] = {
        "house_type": ("房屋类型", codes.HOUSE_TYPES, _("%(n)s 套")),
        "house_state": ("房屋状态", codes.HOUSE_STATES, _("%(n)s 套")),
        "person_type": ("业主类型", codes.PERSON_TYPES, _("%(n)s 行")),
    }
    labels = {**dict(HouseUse.choices), **dict(HouseStatus.choices), **dict(Relation.choices)}
    for kind, (title, table, unit) in tables.items():
        used = result.codes_used.get(kind)
        if not used:
            continue
        parts = []
        for code, count in sorted(used.items()):
            ours, label = table[code]
            target = labels[ours] if ours else _("不导入")
            parts.append(
                _("%(code)s %(label)s → %(ours)s（%(count)s）")
                % {"code": code, "label": label, "ours": target, "count": unit % {"n": count}}
            )
        result.notes.append(_("HC %(column)s：%(codes)s。") % {"column": title, "codes": _("；").join(parts)})
    if result.counts["placeholder_phones"] or result.counts["placeholder_ids"]:
        result.notes.append(
            _(
                "%(phones)s 个手机号为 HC 的占位号 %(placeholder)s、"
                "%(ids)s 个身份证号为占位号（全为 1），均按未填写导入。"
            )
            % {
                "phones": result.counts["placeholder_phones"],
                "placeholder": codes.PLACEHOLDER_PHONE,
                "ids": result.counts["placeholder_ids"],
            }
        )
    if result.counts["temporary_people"]:
        result.notes.append(
            _("%(n)s 位临时人员（业主类型 1004）未导入：系统没有这类住户关系。")
            % {"n": result.counts["temporary_people"]}
        )


def read_hc(data: bytes, file_name: str, *, estate_id: int | None) -> HcTable:
    estate = Estate.objects.filter(pk=estate_id).values_list("name", flat=True).first() if estate_id else None
    if estate is None:
        raise FileProblem(_("上传时选择的小区已不存在；请重新上传并选择小区。"))
    sheets = read_sheets(data, file_name)
    shape, rooms_sheet = _shape(sheets)
    result = Translation({sheet.name: sheet for sheet in sheets})
    if shape == ASSETS:
        assets.translate(result, estate)
        read = {assets.BUILDINGS, assets.OWNERS, assets.HOUSES, assets.FEES}
        if assets.FEES in result.sheets:
            result.counts["fee_items"] = _count(result.sheets[assets.FEES], FEE_COLUMNS)
    else:
        assert rooms_sheet is not None
        rooms.translate(result, rooms_sheet, estate)
        read = {rooms_sheet.name}
    result.check_floors()
    if not result.houses and not result.problems:
        raise FileProblem(_("HC 资产表中没有房屋数据。"))
    sizes = _("、").join(
        _("%(sheet)s %(n)s 行") % {"sheet": name, "n": len(result.sheets[name].rows)}
        for name in sorted(read)
        if name in result.sheets
    )
    result.notes.insert(
        0, _("HC %(shape)s表（%(estate)s）：已读取 %(sizes)s。") % {"shape": shape, "estate": estate, "sizes": sizes}
    )
    _other_sheets(result, sheets, read)
    _code_notes(result)
    rows = sum(len(result.sheets[name].rows) for name in read if name in result.sheets)
    return HcTable(
        kind=KIND,
        header_row=0,
        index={},
        header_index={},
        expected_rows=max(rows, 1),
        rest=iter(()),
        translation=result,
        estate=estate,
        shape=shape,
    )
