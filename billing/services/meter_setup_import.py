"""Meters and their last readings from a spreadsheet (HC's 水电表 template: 名称, 表号, 表类型, 模式,
房屋, 费用项, 厂家, 采集器ID — plus a 读数 column for the dial's value at the switch): the import kind
`meters`, registered by BillingConfig.ready().

Each row becomes a house's meter through create_meter (checked and audited as one added by hand),
with the last reading as its initial reading, so the first reading taken here counts usage from the
value HC last read. A meter already registered with the same house and reading is unchanged (a
re-import changes nothing); one registered otherwise is refused, never silently moved. HC's 模式,
厂家 and 采集器ID (smart-meter plumbing) have no home here: the dry run's counts say so.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from billing.models import MeterKind
from billing.services.import_places import Houses, Place, dial_cell, meters_numbered, place_columns, without_notes
from billing.services.meters import create_meter
from core import text as core_text
from core.actions import action
from tenants.estates.models import House
from tenants.imports import kinds
from tenants.imports.cells import CellError, decimal, text, text_of
from tenants.imports.columns import Column
from tenants.imports.reading import Table
from tenants.imports.validation import Findings, Outcome, parse_rows

KIND = "meters"
PERMISSION = "fees.manage"  # who may add a meter by hand
LOCK = "meters_setup"
_SPELLINGS = {"水": MeterKind.WATER, "电": MeterKind.ELECTRICITY, "气": MeterKind.GAS, "燃气": MeterKind.GAS}


def _meter_kind(value: Any) -> str | None:
    """水表/电表/燃气表/热量表, a spelling containing 水/电/气/热, or our code."""
    raw = text_of(value)
    if not raw:
        return None
    for code, label in MeterKind.choices:
        if raw.lower() in (code, str(label)):
            return code
    for mark, code in (
        ("热", MeterKind.HEAT),
        ("气", MeterKind.GAS),
        ("电", MeterKind.ELECTRICITY),
        ("水", MeterKind.WATER),
    ):
        if mark in raw:
            return code
    raise CellError(_("须为水表、电表、燃气表或热量表（HC 的表类型请写名称，如“水表”）。"))


COLUMNS: list[Column] = [
    *place_columns(),
    Column(
        "number",
        "表号",
        text(40),
        True,
        ("表编号", "智能表地址", "表具编号", "仪表编号"),
        gettext_noop("表具上的编号。"),
        "W-1001",
    ),
    Column(
        "kind",
        "表类型",
        _meter_kind,
        False,
        ("表具类型", "类型"),
        gettext_noop("水表、电表、燃气表、热量表；不填时按名称判断。"),
        "水表",
    ),
    Column(
        "name",
        "名称",
        text(60),
        False,
        ("表名称", "智能表名称"),
        gettext_noop("如 1-1-1001水表；仅用于判断表类型。"),
        "",
    ),
    Column(
        "reading",
        "读数",
        dial_cell,
        False,
        ("最近读数", "本期读数", "本期度数", "当前读数", "初始读数", "上次读数"),
        gettext_noop("切换时表盘上的读数（HC 最后一次抄表的本期读数）；下次抄表从这个数算用量。不填为 0。"),
        1234.5,
    ),
    Column("multiplier", "倍率", decimal(2, Decimal("100000000")), False, (), gettext_noop("不填为 1。"), ""),
    Column(
        "rollover_at",
        "满量程",
        decimal(2, Decimal("1000000000000")),
        False,
        ("最大读数",),
        gettext_noop("如 99999；可不填。"),
        "",
    ),
]


@dataclass
class MeterRow:
    row: int
    place: Place
    kind: str
    number: str
    reading: Decimal
    multiplier: Decimal
    rollover_at: Decimal | None


@dataclass
class MeterPlan:
    rows: list[MeterRow] = field(default_factory=list)


def validate_meters(table: Table, on_progress: kinds.Progress) -> Outcome:
    findings = Findings()
    without_notes(table, [c.key for c in COLUMNS])
    parsed = parse_rows(table, findings, on_progress, passes=1)
    good = [(n, v) for n, v in parsed if n not in findings.bad_rows]
    houses = Houses.load(table.estate_id) if good else Houses()
    numbers = {core_text.normalise(v["number"]) for _n, v in good}
    known = meters_numbered(numbers)
    plan, verdicts, seen = MeterPlan(), dict[int, str](), dict[tuple[str, str], int]()
    for number, values in good:
        place, column, message = houses.find(values)
        kind = values.get("kind") or (_meter_kind(values["name"]) if values.get("name") else None)
        if place is None:
            findings.add(number, column, message)
        if kind is None:
            findings.add(number, "表类型", _("请填写表类型（水表、电表、燃气表、热量表）。"))
        if place is None or kind is None:
            continue
        meter_number = core_text.normalise(values["number"])
        reading = values.get("reading") or Decimal("0.00")
        rollover = values.get("rollover_at")
        if rollover is not None and reading > rollover:
            findings.add(number, "读数", _("读数不能大于满量程 %(max)s。") % {"max": rollover})
            continue
        if (kind, meter_number) in seen:
            findings.add(number, "表号", _("与第 %(row)s 行是同一块表。") % {"row": seen[(kind, meter_number)]})
            continue
        seen[(kind, meter_number)] = number
        existing = known.get((kind, meter_number))
        if existing is not None:
            if existing.house_id == place.house_id and existing.initial_reading == reading:
                verdicts[number] = "unchanged"
            else:
                findings.add(number, "表号", _("该表号已登记在其他房屋或初始读数不同，请在表具管理中核对。"))
            continue
        verdicts[number] = "create"
        multiplier = values.get("multiplier") or Decimal("1")
        plan.rows.append(MeterRow(number, place, kind, meter_number, reading, multiplier, rollover))
    if unplaced := houses.file_problem(estate_column="estate" in table.index):
        findings.add_file(unplaced)
    return findings.outcome(KIND, plan, rows=len(parsed), verdicts=verdicts, blank_rows=table.blank_rows)


@action
def create_meters(*, plan: MeterPlan, actor: Any, on_progress: kinds.Progress | None = None) -> int:
    """Each planned meter through create_meter (its checks and audit line), inside the commit."""
    houses = House.objects.in_bulk({row.place.house_id for row in plan.rows})
    for done, row in enumerate(plan.rows, 1):
        create_meter(
            kind=row.kind,
            number=row.number,
            house=houses[row.place.house_id],
            multiplier=row.multiplier,
            rollover_at=row.rollover_at,
            initial_reading=row.reading,
            actor=actor,
        )
        if on_progress is not None and done % 200 == 0:
            on_progress(done, len(plan.rows))
    return len(plan.rows)


def write_meters(plan: MeterPlan, on_progress: kinds.Progress, *, committed_by: Any) -> kinds.WriteResult:
    created = create_meters(plan=plan, actor=committed_by, on_progress=on_progress)
    note = _("已登记 %(n)s 块表；下次抄表从导入的读数开始计算用量。HC 的模式、厂家、采集器ID 未导入。") % {"n": created}
    return kinds.WriteResult(counts={"meters": created}, note=note)


SPEC = kinds.ImportKindSpec(
    key=KIND,
    label=gettext_lazy("表具"),
    sheet_title="水电表",
    columns=tuple(COLUMNS),
    validate=validate_meters,
    write=write_meters,
    permission=PERMISSION,
    lock=LOCK,
    estate="optional",  # HC's 水电表 names no estate
    notes=(
        gettext_noop("表头须在第一行（红色为必填列），列的顺序不限；HC 水电表模板右侧的说明可以保留。"),
        gettext_noop("房屋写成 楼栋-单元-房屋（如 1-1-1001），或另设 楼栋、单元 两列。"),
        gettext_noop(
            "HC 的文件没有小区：上传时选择小区，房屋即在该小区中查找，“小区”列可不填（填写时须为所选小区）；"
            "未选择小区时，公司有多个小区都有同名房屋的，须加一列“小区”。"
        ),
        gettext_noop("读数填切换时表盘上的数（HC 最后一次抄表的本期读数），下次抄表从这个数计算用量。"),
        gettext_noop("HC 的 模式、厂家、采集器ID、费用项 不导入（本系统按收费项目的表具类型计费）。"),
        gettext_noop("上传后先校验全部数据，校验无误才能确认导入，全部写入或全部不写；同一文件再次导入不会重复登记。"),
    ),
)
