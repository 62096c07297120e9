"""Readings from a spreadsheet (抄表数据导入): the columns, the dry run's checks and the commit.

Written to plug into the import framework (tenants/imports: dry run, then an all-or-nothing commit)
as the kind `meter_readings` once that framework takes kinds from other apps; until then it stands
on its own, over rows already parsed by the columns below (row number, {column key: value}).

The dry run checks every row against the file and the data as it is now, with a fixed number of
queries (meters by number, each register's last reading); the commit records each row through
`record_reading` (the same chain, rollover and holds as a reading taken by hand), in date order.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _

from billing.models import Meter, MeterKind, MeterReading, ReadingSource, ReadingStatus, Register
from billing.services.common import today
from billing.services.meters import MAX_VALUE, record_reading
from core.actions import action
from tenants.imports.columns import CellError, Column, a_date, choice, is_blank, text, text_of


def _dial_value(value: Any) -> Decimal | None:
    """A reading as the dial shows it: 0 or more, at most two decimals (the framework's `decimal`
    column wants a positive amount; a new meter reads 0)."""
    if is_blank(value):
        return None
    if isinstance(value, bool):
        raise CellError(_("须为数字。"))
    try:
        number = Decimal(repr(value)) if isinstance(value, float) else Decimal(text_of(value).replace(",", ""))
    except ArithmeticError as exc:
        raise CellError(_("须为数字。")) from exc
    if not number.is_finite() or number < 0:
        raise CellError(_("须为不小于 0 的数字。"))
    rounded = number.quantize(Decimal("0.01"))
    if abs(number - rounded) > Decimal("0.000001"):
        raise CellError(_("最多保留 2 位小数。"))
    if rounded > MAX_VALUE:
        raise CellError(_("读数过大。"))
    return rounded


KIND = "meter_readings"
SHEET_TITLE = "抄表数据"

COLUMNS: list[Column] = [
    Column("number", "表号", text(40), True, ("表编号", "表具编号", "仪表编号"), "系统中已登记的表号。", "W-0101"),
    Column(
        "kind",
        "表具类型",
        choice(MeterKind, {"水": MeterKind.WATER, "电": MeterKind.ELECTRICITY, "气": MeterKind.GAS}),
        True,
        ("表类型", "类型"),
        "水表、电表、燃气表、热量表之一。",
        "水表",
    ),
    Column(
        "read_on",
        "抄表日期",
        a_date,
        True,
        ("抄表时间", "日期"),
        "如 2025-01-31；须晚于该表上次抄表日期，不晚于今天。",
        date(2025, 1, 31),
    ),
    Column(
        "current",
        "本期读数",
        _dial_value,
        True,
        ("读数", "本月读数", "本次读数"),
        "表盘上的读数，最多两位小数；用量由系统按上期读数、倍率和翻转计算。",
        1234.5,
    ),
    Column(
        "register",
        "计度器",
        choice(Register, {"总读数": Register.TOTAL, "峰时": Register.PEAK, "谷时": Register.VALLEY}),
        False,
        ("峰谷", "时段"),
        "总、峰、谷之一；不填为总。峰、谷只用于峰谷电表。",
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
    findings: list[Finding] = []
    wanted = {(values["kind"], values["number"]) for _number, values in rows}
    match = Q(pk__in=[])
    for kind in {kind for kind, _n in wanted}:
        match |= Q(kind=kind, number__in=[n for k, n in wanted if k == kind])
    meters = {(m.kind, m.number): m for m in Meter.objects.filter(match)}
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
def write_readings(*, plan: ReadingPlan, actor: Any) -> dict[str, int]:
    """Record every planned reading, each register's in date order, as read by `actor` from the
    file (source 导入). Inside the import's commit it joins that transaction: all rows or none."""
    meters = Meter.objects.in_bulk({row.meter_id for row in plan.rows})
    counts = {"created": 0, "held": 0}
    for row in sorted(plan.rows, key=lambda r: (r.meter_id, r.register, r.read_on)):
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
    return counts
