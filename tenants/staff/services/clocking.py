"""Staff writes: clocking in and out, at the server's time (`now` is a parameter only so tests and
the demo seed can place a clock in the past; a phone's clock is never asked)."""

from __future__ import annotations

import math
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import context
from core.actions import action
from core.db import conflict_as
from core.errors import DomainError
from tenants.staff.models import (
    AttendanceRecord,
    Shift,
    StaffProfile,
)
from tenants.staff.services.common import audit, field_error

_COORDINATE_LIMITS = {"latitude": Decimal(90), "longitude": Decimal(180)}


_MAX_ACCURACY = Decimal(100_000)


def _decimal(value: Any, field: str) -> Decimal:
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value))
    except (InvalidOperation, ValueError) as exc:
        raise field_error(field, _("请输入数字。")) from exc
    if not number.is_finite():
        raise field_error(field, _("请输入数字。"))
    return number


def clean_location(
    *, latitude: Any = None, longitude: Any = None, accuracy: Any = None
) -> tuple[Decimal | None, Decimal | None, Decimal | None]:
    """(latitude, longitude, accuracy in metres), rounded to what we store; all empty when not given."""
    if latitude is None and longitude is None:
        if accuracy is not None:
            raise field_error("accuracy", _("没有位置时不能只给精度。"))
        return None, None, None
    if latitude is None or longitude is None:
        missing = "latitude" if latitude is None else "longitude"
        raise field_error(missing, _("经度和纬度须同时提供。"))
    values = {}
    for field, raw in (("latitude", latitude), ("longitude", longitude)):
        number = _decimal(raw, field)
        if abs(number) > _COORDINATE_LIMITS[field]:
            raise field_error(field, _("超出有效范围。"))
        values[field] = number.quantize(Decimal("0.000001"), rounding=ROUND_HALF_UP)
    acc = None
    if accuracy is not None:
        acc = _decimal(accuracy, "accuracy")
        if not 0 <= acc <= _MAX_ACCURACY:
            raise field_error("accuracy", _("超出有效范围。"))
        acc = acc.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return values["latitude"], values["longitude"], acc


def _active_profile_for_update(user: Any) -> StaffProfile:
    profile = StaffProfile.objects.select_for_update().filter(user=user).first()
    if profile is None or not profile.active:
        raise DomainError(_("您还没有在职的员工档案，请联系管理员。"), code="no_staff_profile", status_code=409)
    return profile


def _minutes(delta: timedelta) -> int:
    return max(0, math.ceil(delta.total_seconds() / 60))


def _late_minutes(shift: Shift | None, day: date, at: datetime) -> int:
    if shift is None:
        return 0
    starts = shift.starts_at(day)
    if at <= starts + timedelta(minutes=shift.late_grace_minutes):
        return 0
    return _minutes(at - starts)


def _early_leave_minutes(shift: Shift | None, day: date, at: datetime) -> int:
    # Before the shift has even begun there is nothing to leave early from.
    if shift is None or at < shift.starts_at(day):
        return 0
    ends = shift.ends_at(day)
    if at >= ends - timedelta(minutes=shift.early_leave_grace_minutes):
        return 0
    return _minutes(ends - at)


@action
def clock_in(
    *,
    user: Any,
    latitude: Any = None,
    longitude: Any = None,
    accuracy: Any = None,
    ip: str | None = None,
    now: datetime | None = None,
) -> AttendanceRecord:
    """上班打卡: the work day's record with the server's time; a second clock-in the same work day is
    refused. After midnight, still inside last night's shift, the work day is last night's."""
    lat, lng, acc = clean_location(latitude=latitude, longitude=longitude, accuracy=accuracy)
    now = now or timezone.now()
    ip = ip if ip is not None else context.client_ip.get()
    with transaction.atomic():
        profile = _active_profile_for_update(user)  # the row lock serialises one person's clocks
        day, shift = profile.work_day(now)
        record = AttendanceRecord.objects.filter(staff=profile, work_date=day).first()
        if record is not None and record.clock_in_at is not None:
            raise DomainError(_("本班已经打过上班卡了。"), code="already_clocked_in", status_code=409)
        if record is not None:
            raise DomainError(_("本班已经打过下班卡，不能再打上班卡。"), code="already_clocked_out", status_code=409)
        with conflict_as(DomainError(_("本班已经打过上班卡了。"), code="already_clocked_in", status_code=409)):
            record = AttendanceRecord.objects.create(
                staff=profile,
                work_date=day,
                shift=shift,
                clock_in_at=now,
                clock_in_latitude=lat,
                clock_in_longitude=lng,
                clock_in_accuracy=acc,
                clock_in_ip=ip,
                late_minutes=_late_minutes(shift, day, now),
            )
        if not profile.on_duty:
            profile.on_duty = True
            profile.save(update_fields=["on_duty", "updated_at"])
        audit(user, "attendance.clock_in", record, after={"work_date": str(day), "late_minutes": record.late_minutes})
    return record


# How long after a night shift's end a clock-out without a clock-in still counts as that night's.
LATE_CLOCK_OUT = timedelta(hours=4)


@action
def clock_out(
    *,
    user: Any,
    latitude: Any = None,
    longitude: Any = None,
    accuracy: Any = None,
    ip: str | None = None,
    now: datetime | None = None,
) -> AttendanceRecord:
    """下班打卡: closes today's record — or last night's, for a shift that ends after midnight. With
    no clock-in at all, the clock-out is still recorded and the day shows a missing clock-in."""
    lat, lng, acc = clean_location(latitude=latitude, longitude=longitude, accuracy=accuracy)
    now = now or timezone.now()
    ip = ip if ip is not None else context.client_ip.get()
    with transaction.atomic():
        profile = _active_profile_for_update(user)
        day, shift = profile.work_day(now)
        records = {
            r.work_date: r
            for r in AttendanceRecord.objects.select_related("shift").filter(
                staff=profile, work_date__in=[day, day - timedelta(days=1)]
            )
        }
        today, yesterday = records.get(day), records.get(day - timedelta(days=1))
        if today is not None and today.clock_out_at is not None:
            raise DomainError(_("本班已经打过下班卡了。"), code="already_clocked_out", status_code=409)
        record = today
        # A night shift still open after its end (overtime, a late clock-out) closes here; not
        # when `day` is already last night's, whose previous night is long over.
        if (
            record is None
            and day == timezone.localdate(now)
            and yesterday is not None
            and yesterday.clock_out_at is None
            and yesterday.shift is not None
            and yesterday.shift.crosses_midnight
        ):
            record = yesterday
        if record is None and day == timezone.localdate(now) and yesterday is None:
            # No clock-in at all after a night shift: a clock-out soon after it ended is that
            # night's (with a missing clock-in), not one for tonight's shift hours ahead.
            last_night = profile.shift_on(day - timedelta(days=1))
            if (
                last_night is not None
                and last_night.crosses_midnight
                and (shift is None or now < shift.starts_at(day))
                and now - last_night.ends_at(day - timedelta(days=1)) <= LATE_CLOCK_OUT
            ):
                day, shift = day - timedelta(days=1), last_night
        if record is None:
            with conflict_as(DomainError(_("本班已经打过下班卡了。"), code="already_clocked_out", status_code=409)):
                record = AttendanceRecord.objects.create(staff=profile, work_date=day, shift=shift, clock_out_at=now)
        record.clock_out_at = now
        record.clock_out_latitude, record.clock_out_longitude, record.clock_out_accuracy = lat, lng, acc
        record.clock_out_ip = ip
        record.early_leave_minutes = _early_leave_minutes(record.shift, record.work_date, now)
        record.save()
        if profile.on_duty:
            profile.on_duty = False
            profile.save(update_fields=["on_duty", "updated_at"])
        audit(
            user,
            "attendance.clock_out",
            record,
            after={"work_date": str(record.work_date), "early_leave_minutes": record.early_leave_minutes},
        )
    return record
