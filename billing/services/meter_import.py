"""Readings from a spreadsheet (抄表数据导入): the import kind `meter_readings` — its columns, the
dry run's checks and the commit — registered with the import framework (tenants.imports.kinds:
upload, dry run, all-or-nothing commit, error reports) by BillingConfig.ready().

The dry run checks every row against the file and the data as it is now, with a fixed number of
queries (meters by number, each register's last reading); the commit records each row through
`record_reading` (the same chain, rollover and holds as a reading taken by hand), in date order,
read by whoever committed the import. A reading taken by hand between the commit's re-check and
its write makes record_reading refuse the row: the framework then writes nothing and asks for a
new dry run.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from billing.models import Meter, MeterKind, MeterReading, ReadingSource, ReadingStatus, Register
from billing.services.common import today
from billing.services.import_places import dial_cell, meters_numbered
from billing.services.meters import record_reading
from core import text as core_text
from core.actions import action
from tenants.imports import kinds
from tenants.imports.cells import a_date, choice, text
from tenants.imports.columns import Column
from tenants.imports.reading import Table
from tenants.imports.validation import Findings, Outcome, parse_rows

KIND = "meter_readings"
SHEET_TITLE = "抄表数据"
PERMISSION = "meters.read"  # whoever may take readings by hand may import them
# One readings import commits at a time per company. Readings taken by hand don't wait for it: each
# locks its meter, and a clash is caught by record_reading inside the commit (see above).
LOCK = "meter_readings"
PROGRESS_EVERY = 200

COLUMNS: list[Column] = [
    Column(
        "number",
        "表号",
        text(40),
        True,
        ("表编号", "表具编号", "仪表编号"),
        gettext_noop("系统中已登记的表号。"),
        "W-0101",
    ),
    Column(
        "kind",
        "表具类型",
        choice(MeterKind, {"水": MeterKind.WATER, "电": MeterKind.ELECTRICITY, "气": MeterKind.GAS}),
        True,
        ("表类型", "类型"),
        gettext_noop("水表、电表、燃气表、热量表之一。"),
        "水表",
    ),
    Column(
        "read_on",
        "抄表日期",
        a_date,
        True,
        ("抄表时间", "日期"),
        gettext_noop("如 2025-01-31；须晚于该表上次抄表日期，不晚于今天。"),
        date(2025, 1, 31),
    ),
    Column(
        "current",
        "本期读数",
        dial_cell,
        True,
        ("读数", "本月读数", "本次读数"),
        gettext_noop("表盘上的读数，最多两位小数；用量由系统按上期读数、倍率和翻转计算。"),
        1234.5,
    ),
    Column(
        "register",
        "计度器",
        choice(Register, {"总读数": Register.TOTAL, "峰时": Register.PEAK, "谷时": Register.VALLEY}),
        False,
        ("峰谷", "时段"),
        gettext_noop("总、峰、谷之一；不填为总。峰、谷只用于峰谷电表。"),
        "总",
    ),
]


@dataclass
class ReadingRow:
    row: int
    meter_id: int
    register: str
    read_on: date
    current: Decimal


@dataclass
class ReadingPlan:
    rows: list[ReadingRow] = field(default_factory=list)


@dataclass
class Finding:
    row: int
    column: str
    message: str


def _header(key: str) -> str:
    return next(column.header for column in COLUMNS if column.key == key)


def check_rows(rows: Iterable[tuple[int, dict[str, Any]]]) -> tuple[list[Finding], ReadingPlan]:
    """Every row against the file and the data: the meter exists and is in use, the register fits
    it, the date is after the register's last reading (and after the file's earlier rows for it),
    the reading within the dial. Three queries whatever the row count."""
    rows = [(number, values) for number, values in rows if {"number", "kind", "read_on", "current"} <= set(values)]
    for _number, values in rows:  # stored normalised (the meters import, the API): '１０１' finds W-101's '101'
        values["number"] = core_text.normalise(values["number"])
    findings: list[Finding] = []
    meters = meters_numbered(values["number"] for _number, values in rows)
    last_day = {
        (meter_id, register): read_on
        for meter_id, register, read_on in MeterReading.objects.filter(meter__in=list(meters.values()))
        .exclude(status=ReadingStatus.REJECTED)
        .order_by("meter_id", "register", "-read_on", "-id")
        .distinct("meter_id", "register")
        .values_list("meter_id", "register", "read_on")
    }
    plan = ReadingPlan()
    seen: dict[tuple[int, str], dict[date, int]] = defaultdict(dict)
    now = today()
    for number, values in rows:
        meter = meters.get((values["kind"], values["number"]))
        if meter is None:
            findings.append(Finding(number, _header("number"), _("系统中没有这个表号的该类型表具。")))
            continue
        register = values.get("register") or Register.TOTAL
        problems: list[tuple[str, str]] = []
        if not meter.active:
            problems.append(("number", _("表具已停用，不能录入读数。")))
        if register != Register.TOTAL and not meter.time_of_use:
            problems.append(("register", _("该表不是峰谷表，只能录入总读数。")))
        read_on: date = values["read_on"]
        current: Decimal = values["current"]
        last = last_day.get((meter.pk, register))
        if read_on > now:
            problems.append(("read_on", _("抄表日期不能晚于今天。")))
        elif last is not None and read_on <= last:
            problems.append(("read_on", _("抄表日期须晚于上次抄表日期 %(date)s。") % {"date": last.isoformat()}))
        earlier = seen[(meter.pk, register)].get(read_on)
        if earlier is not None:
            problems.append(("read_on", _("与第 %(row)s 行是同一表、同一天的读数。") % {"row": earlier}))
        if meter.rollover_at is not None and current > meter.rollover_at:
            problems.append(("current", _("本期读数不能大于满量程 %(max)s。") % {"max": meter.rollover_at}))
        if problems:
            findings += [Finding(number, _header(key), message) for key, message in problems]
            continue
        seen[(meter.pk, register)][read_on] = number
        plan.rows.append(ReadingRow(number, meter.pk, register, read_on, current))
    return findings, plan


@action
def write_readings(
    *, plan: ReadingPlan, actor: Any, on_progress: Callable[[int, int], None] | None = None
) -> dict[str, int]:
    """Record every planned reading, each register's in date order, as read by `actor` from the
    file (source 导入). Inside the import's commit it joins that transaction: all rows or none."""
    meters = Meter.objects.in_bulk({row.meter_id for row in plan.rows})
    counts = {"created": 0, "held": 0}
    total = len(plan.rows)
    for done, row in enumerate(sorted(plan.rows, key=lambda r: (r.meter_id, r.register, r.read_on)), 1):
        reading = record_reading(
            meter=meters[row.meter_id],
            read_on=row.read_on,
            current=row.current,
            register=row.register,
            source=ReadingSource.IMPORT,
            reader=actor,
            actor=actor,
        )
        counts["created"] += 1
        counts["held"] += reading.status == ReadingStatus.HELD
        if on_progress is not None and (done % PROGRESS_EVERY == 0 or done == total):
            on_progress(done, total)
    return counts


# --- the import kind -----------------------------------------------------------------------


def validate_file(table: Table, on_progress: kinds.Progress) -> Outcome:
    """The dry run of a readings file: each cell through its column, then every good row through
    check_rows. Every row that passes would be a new reading (`create`)."""
    findings = Findings()
    parsed = parse_rows(table, findings, on_progress, passes=1)
    found, plan = check_rows((number, values) for number, values in parsed if number not in findings.bad_rows)
    for finding in found:
        findings.add(finding.row, finding.column, finding.message)
    verdicts = {row.row: "create" for row in plan.rows}
    return findings.outcome(KIND, plan, rows=len(parsed), verdicts=verdicts, blank_rows=table.blank_rows)


def write_file(plan: ReadingPlan, on_progress: kinds.Progress, *, committed_by: Any) -> kinds.WriteResult:
    counts = write_readings(plan=plan, actor=committed_by, on_progress=on_progress)
    note = ""
    if counts["held"]:
        note = _("其中 %(n)s 条读数用量异常（为负或超过近期平均的 5 倍），已挂起，审核通过后才计费。") % {
            "n": counts["held"]
        }
    return kinds.WriteResult(counts={"held": counts["held"]}, note=note)


SPEC = kinds.ImportKindSpec(
    key=KIND,
    label=gettext_lazy("抄表数据"),
    sheet_title=SHEET_TITLE,
    columns=tuple(COLUMNS),
    validate=validate_file,
    write=write_file,
    permission=PERMISSION,
    lock=LOCK,
    notes=(
        gettext_noop("表头须在第一行（红色为必填列），列的顺序不限；示例行请删除或改为真实数据。"),
        gettext_noop("每行是一块表在一天的读数；表号须已在系统中登记。用量由系统按上期读数、倍率和翻转计算。"),
        gettext_noop(
            "上传后先校验全部数据，有问题时可下载标注了错误的表格，改好后重新上传；校验无误才能确认导入，全部写入或全部不写。"
        ),
        gettext_noop("已导入的读数不会重复记录：再次导入同一文件时，抄表日期不晚于上次的行会被指出。"),
        gettext_noop("用量为负或超过近期平均 5 倍的读数会挂起，审核通过后才计费。"),
        gettext_noop("也可上传 CSV（UTF-8 或 GBK 编码），列与本模板相同。单个文件最大 20 MB、100,000 行。"),
    ),
)
