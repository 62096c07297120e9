"""Writes for meters (表具) and their readings (抄表).

A reading is never edited: a wrong one is rejected (which frees its date) and read again. Each
register of a meter is a chain: a reading's `previous` is the last non-rejected reading's
`current` (or the meter's initial reading), so readings are taken under the meter's row lock —
two readers at once never both start from the same `previous`.
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils.translation import gettext as _

from billing.models import Meter, MeterKind, MeterReading, ReadingSource, ReadingStatus, Register, SplitBy
from billing.services.common import audit, field_error, today
from core import text
from core.actions import action
from core.db import conflict_as
from core.errors import DomainError
from tenants.estates.models import Building, Estate, House

# A usage over SPIKE_FACTOR × the average of the last TRAILING billable readings (when there are at
# least TRAILING_MIN of them) is held for review.
SPIKE_FACTOR = Decimal("5")
TRAILING = 6
TRAILING_MIN = 3
USAGE_PLACE = Decimal("0.01")
BILLABLE = (ReadingStatus.OK, ReadingStatus.APPROVED)
MAX_VALUE = Decimal("999999999999.99")  # max_digits=14, decimal_places=2

_METER_FIELDS = ("number", "multiplier", "rollover_at", "initial_reading", "time_of_use", "split_by")


def _meter_view(meter: Meter) -> dict[str, Any]:
    return {
        "kind": meter.kind,
        "number": meter.number,
        "house": meter.house_id,
        "building": meter.building_id,
        "estate": meter.estate_id,
        "split_by": meter.split_by,
        "time_of_use": meter.time_of_use,
        "multiplier": str(meter.multiplier),
        "rollover_at": None if meter.rollover_at is None else str(meter.rollover_at),
        "initial_reading": str(meter.initial_reading),
        "active": meter.active,
    }


def _number_taken() -> DomainError:
    return field_error("number", _("该类型下已有相同表号的表具。"))


def _check_meter(meter: Meter) -> None:
    """Every rule of a meter's own fields, as field errors (all of them at once)."""
    problems: dict[str, list[str]] = {}
    if meter.kind not in MeterKind.values:
        problems["kind"] = [_("表具类型无效。")]
    if not meter.number or len(meter.number) > 40:
        problems["number"] = [_("请填写表号（最多 40 个字符）。")]
    if meter.multiplier is None or meter.multiplier <= 0:
        problems["multiplier"] = [_("倍率须大于 0。")]
    if meter.rollover_at is not None and meter.rollover_at <= 0:
        problems["rollover_at"] = [_("满量程须大于 0。")]
    if meter.initial_reading is None or meter.initial_reading < 0:
        problems["initial_reading"] = [_("初始读数不能为负数。")]
    elif meter.rollover_at is not None and meter.rollover_at > 0 and meter.initial_reading > meter.rollover_at:
        problems["initial_reading"] = [_("初始读数不能大于满量程。")]
    if meter.house_id is None:
        if meter.split_by not in SplitBy.values:
            problems["split_by"] = [_("公摊表须选择分摊方式：按户数或按建筑面积。")]
        if meter.time_of_use:
            problems["time_of_use"] = [_("公摊表不支持峰谷计量。")]
    elif meter.split_by:
        problems["split_by"] = [_("分户表没有分摊方式。")]
    if problems:
        raise DomainError(_("请检查填写的内容。"), fields=problems)


@action
def create_meter(
    *,
    kind: str,
    number: str,
    actor: Any,
    house: House | None = None,
    building: Building | None = None,
    estate: Estate | None = None,
    split_by: str = "",
    time_of_use: bool = False,
    multiplier: Decimal = Decimal("1"),
    rollover_at: Decimal | None = None,
    initial_reading: Decimal = Decimal("0"),
) -> Meter:
    """A house's meter (give `house`), or a shared meter (公摊) of a building or a whole estate
    (give `building` or `estate`, and `split_by`)."""
    if house is not None:
        if building is not None or estate is not None:
            raise field_error("house", _("分户表只需选择房屋，不要同时选择楼栋或小区。"))
        building_id: int | None = house.building_id
        estate_id = house.estate_id
    elif building is not None:
        if estate is not None and estate.pk != building.estate_id:
            raise field_error("building", _("楼栋不属于所选小区。"))
        building_id, estate_id = building.pk, building.estate_id
    elif estate is not None:
        building_id, estate_id = None, estate.pk
    else:
        raise field_error("house", _("请选择房屋（分户表），或楼栋/小区（公摊表）。"))
    meter = Meter(
        kind=kind,
        number=text.normalise(number),
        house=house,
        building_id=building_id,
        estate_id=estate_id,
        split_by=split_by or "",
        time_of_use=time_of_use,
        multiplier=multiplier,
        rollover_at=rollover_at,
        initial_reading=initial_reading,
    )
    _check_meter(meter)
    with conflict_as(_number_taken()):
        meter.save()
    audit(actor, "meter.create", meter, after=_meter_view(meter))
    return meter


@action
def update_meter(*, meter: Meter, actor: Any, **changes: Any) -> Meter:
    """Number, multiplier, full scale, time-of-use and the split of a shared meter. A meter does not
    move to another house; its initial reading is fixed once it has been read."""
    unknown = set(changes) - set(_METER_FIELDS)
    if unknown:
        raise DomainError(_("不能修改这些字段。"), fields={k: [_("不可修改。")] for k in sorted(unknown)})
    meter = Meter.objects.select_for_update().get(pk=meter.pk)
    before = _meter_view(meter)
    read = meter.readings.exclude(status=ReadingStatus.REJECTED).exists()
    if read and "initial_reading" in changes and changes["initial_reading"] != meter.initial_reading:
        raise field_error("initial_reading", _("表具已有读数，初始读数不能修改。"))
    if read and "time_of_use" in changes and changes["time_of_use"] != meter.time_of_use:
        raise field_error("time_of_use", _("表具已有读数，不能更改峰谷计量。"))
    for field, value in changes.items():
        if field == "number":
            value = text.normalise(value)
        if field == "split_by":
            value = value or ""
        setattr(meter, field, value)
    _check_meter(meter)
    with conflict_as(_number_taken()):
        meter.save(update_fields=list(changes))
    audit(actor, "meter.update", meter, before=before, after=_meter_view(meter))
    return meter


@action
def deactivate_meter(*, meter: Meter, actor: Any) -> Meter:
    """停用 — the meter is read no more (removed, replaced); its readings stay, and those already
    taken still count for billing."""
    meter = Meter.objects.select_for_update().get(pk=meter.pk)
    if not meter.active:
        return meter
    meter.active = False
    meter.save(update_fields=["active"])
    audit(actor, "meter.deactivate", meter, before={"active": True}, after={"active": False})
    return meter


def _quantize(value: Decimal) -> Decimal:
    return value.quantize(USAGE_PLACE, rounding=ROUND_HALF_UP)


def dial_modulus(rollover_at: Decimal) -> Decimal:
    """How far the dial goes before it shows zero again: the full scale plus one step of its last
    place — 99999 → 100000, 9999.9 → 10000.0 (after 99999 comes 00000, one unit later)."""
    exponent = rollover_at.normalize().as_tuple().exponent
    place = min(exponent, 0) if isinstance(exponent, int) else 0
    return rollover_at + Decimal(1).scaleb(place)


def _last_reading(meter: Meter, register: str) -> MeterReading | None:
    return (
        MeterReading.objects.filter(meter=meter, register=register)
        .exclude(status=ReadingStatus.REJECTED)
        .order_by("-read_on", "-id")
        .first()
    )


def _trailing_average(meter: Meter, register: str) -> Decimal | None:
    recent = (
        MeterReading.objects.filter(meter=meter, register=register, status__in=BILLABLE)
        .order_by("-read_on", "-id")
        .values_list("usage", flat=True)[:TRAILING]
    )
    usages = list(recent)
    if len(usages) < TRAILING_MIN:
        return None
    return sum(usages, Decimal("0")) / len(usages)


def _check_reading_input(meter: Meter, read_on: date, current: Decimal, register: str, source: str) -> None:
    problems: dict[str, list[str]] = {}
    if not meter.active:
        problems["meter"] = [_("表具已停用，不能录入读数。")]
    if register not in Register.values:
        problems["register"] = [_("计度器无效。")]
    elif register != Register.TOTAL and not meter.time_of_use:
        problems["register"] = [_("该表不是峰谷表，只能录入总读数。")]
    if source not in ReadingSource.values:
        problems["source"] = [_("读数来源无效。")]
    if current is None or current < 0 or current > MAX_VALUE:
        problems["current"] = [_("本期读数须为非负数。")]
    elif meter.rollover_at is not None and current > meter.rollover_at:
        problems["current"] = [_("本期读数不能大于满量程 %(max)s。") % {"max": meter.rollover_at}]
    if read_on > today():
        problems["read_on"] = [_("抄表日期不能晚于今天。")]
    if problems:
        raise DomainError(_("请检查填写的内容。"), fields=problems)


@action
def record_reading(
    *,
    meter: Meter,
    read_on: date,
    current: Decimal,
    actor: Any,
    register: str = Register.TOTAL,
    source: str = ReadingSource.STAFF,
    reader: Any = None,
) -> MeterReading:
    """抄表 — record `current` on `read_on`; previous, usage and review status follow from the chain.

    - previous: the register's last non-rejected reading (its `current`), else the meter's initial
      reading (the peak and valley registers start at 0);
    - the date must be after that reading's;
    - current < previous on a meter with a full scale (`rollover_at`) is a turn of the dial when
      that is plausible (under half a turn): usage = modulus − previous + current (see dial_modulus);
      otherwise the usage is negative and the reading is held;
    - usage × multiplier; a usage over 5× the trailing average (of the last 6 billable readings,
      when there are 3 or more) is held too. A held reading is not billed until approved.
    """
    meter = Meter.objects.select_for_update().get(pk=meter.pk)
    _check_reading_input(meter, read_on, current, register, source)
    last = _last_reading(meter, register)
    if last is not None and read_on <= last.read_on:
        raise field_error("read_on", _("抄表日期须晚于上次抄表日期 %(date)s。") % {"date": last.read_on.isoformat()})
    reasons: list[str] = []
    if last is not None:
        previous = last.current
    elif register == Register.TOTAL:
        previous = meter.initial_reading
    else:
        previous = Decimal("0.00")
        if meter.initial_reading:
            reasons.append(_("峰/谷计度器首次读数，没有起始读数，请核对。"))
    dial = current - previous
    rolled_over = False
    if dial < 0 and meter.rollover_at is not None:
        modulus = dial_modulus(meter.rollover_at)
        turned = modulus - previous + current
        if turned * 2 < modulus:  # under half a turn: the dial went round, not backwards
            dial, rolled_over = turned, True
    usage = _quantize(dial * meter.multiplier)
    if usage < 0:
        reasons.append(
            _("本期读数 %(current)s 小于上期读数 %(previous)s（用量为负），请核对是否读错或换表。")
            % {"current": current, "previous": previous}
        )
    else:
        average = _trailing_average(meter, register)
        if average is not None and average > 0 and usage > SPIKE_FACTOR * average:
            # An average of zero (an empty house) gives no yardstick: any use would look abnormal.
            reasons.append(
                _("用量 %(usage)s 超过近期平均用量 %(average)s 的 5 倍，请核对。")
                % {"usage": usage, "average": _quantize(average)}
            )
    reading = MeterReading(
        meter=meter,
        register=register,
        read_on=read_on,
        previous=previous,
        current=current,
        usage=usage,
        rolled_over=rolled_over,
        status=ReadingStatus.HELD if reasons else ReadingStatus.OK,
        hold_reason="；".join(reasons)[:200],
        source=source,
        reader=reader,
    )
    with conflict_as(field_error("read_on", _("该表当天已有读数。"))):
        reading.save()
    audit(actor, "meter_reading.record", reading, after=_reading_view(reading))
    return reading


def _reading_view(reading: MeterReading) -> dict[str, Any]:
    return {
        "meter": reading.meter_id,
        "register": reading.register,
        "read_on": reading.read_on.isoformat(),
        "previous": str(reading.previous),
        "current": str(reading.current),
        "usage": str(reading.usage),
        "rolled_over": reading.rolled_over,
        "status": reading.status,
        "hold_reason": reading.hold_reason,
        "source": reading.source,
    }


def _locked_reading(reading: MeterReading) -> MeterReading:
    # The meter first, as record_reading takes it: one lock order, no deadlock between them.
    Meter.objects.select_for_update().filter(pk=reading.meter_id).first()
    return MeterReading.objects.select_for_update().get(pk=reading.pk)


@action
def approve_reading(*, reading: MeterReading, actor: Any) -> MeterReading:
    """复核通过 — a held reading becomes billable. A negative usage is not approved: it is a misread
    or a replaced meter, corrected by rejecting it and reading again (or registering the new meter)."""
    reading = _locked_reading(reading)
    if reading.status != ReadingStatus.HELD:
        raise DomainError(
            _("只有待复核的读数可以复核通过；当前状态：%(status)s。") % {"status": reading.get_status_display()},
            code="not_held",
            status_code=409,
        )
    if reading.usage < 0:
        raise DomainError(_("用量为负的读数不能通过复核，请作废后重新录入。"), code="negative_usage", status_code=409)
    reading.status = ReadingStatus.APPROVED
    reading.save(update_fields=["status"])
    audit(actor, "meter_reading.approve", reading, before={"status": ReadingStatus.HELD}, after={"status": "approved"})
    return reading


@action
def reject_reading(*, reading: MeterReading, reason: str, actor: Any) -> MeterReading:
    """作废 — the reading leaves the chain and frees its date; the next reading starts from the one
    before it. Only the register's latest reading can go: a later one was read from it."""
    reading = _locked_reading(reading)
    reason = (reason or "").strip()
    if not reason:
        raise field_error("reason", _("请填写作废原因。"))
    if reading.status == ReadingStatus.REJECTED:
        raise DomainError(_("该读数已作废。"), code="already_rejected", status_code=409)
    last = _last_reading(reading.meter, reading.register)
    if last is not None and last.pk != reading.pk:
        raise DomainError(
            _("只能作废该表最近一次读数（%(date)s）；请先作废之后的读数。") % {"date": last.read_on.isoformat()},
            code="not_latest",
            status_code=409,
        )
    before = {"status": reading.status, "hold_reason": reading.hold_reason}
    reading.status = ReadingStatus.REJECTED
    reading.hold_reason = reason[:200]
    reading.save(update_fields=["status", "hold_reason"])
    audit(actor, "meter_reading.reject", reading, before=before, after={"status": "rejected", "reason": reason})
    return reading
