"""Reads about staff. The monthly sheet and the performance summary take a page of profiles and
answer with a fixed number of queries, however many profiles the page holds."""

from __future__ import annotations

import calendar
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from accounts import selectors as account_selectors
from tenants.repairs import selectors_stats as repair_stats
from tenants.staff.models import (
    AttendanceRecord,
    Department,
    Post,
    RosterEntry,
    Shift,
    StaffProfile,
)


def departments() -> QuerySet[Department]:
    return Department.objects.select_related("parent")


def departments_with_counts() -> QuerySet[Department]:
    # An aggregate drops Meta.ordering: spelled out again for stable pages.
    return (
        departments()
        .annotate(staff_count=Count("profiles", filter=Q(profiles__active=True)))
        .order_by(*(Department._meta.ordering or ()))
    )


def department_and_descendants(department_id: int) -> list[int]:
    """The department and every department below it (one query over the whole, small, tree)."""
    children: dict[int | None, list[int]] = defaultdict(list)
    for pk, parent_id in Department.objects.values_list("id", "parent_id"):
        children[parent_id].append(pk)
    found, stack = [], [department_id]
    while stack:
        pk = stack.pop()
        if pk in found:
            continue
        found.append(pk)
        stack.extend(children[pk])
    return found


def posts() -> QuerySet[Post]:
    return Post.objects.all()


def posts_with_counts() -> QuerySet[Post]:
    return (
        posts()
        .annotate(staff_count=Count("profiles", filter=Q(profiles__active=True)))
        .order_by(*(Post._meta.ordering or ()))
    )


def shifts() -> QuerySet[Shift]:
    return Shift.objects.all()


def profiles() -> QuerySet[StaffProfile]:
    return StaffProfile.objects.select_related("user", "department", "post", "shift")


def profile_of(user: Any) -> StaffProfile | None:
    if user is None or not user.is_authenticated:
        return None
    return profiles().filter(user=user).first()


def staff_without_profile() -> QuerySet:
    """Staff accounts that have no profile yet (to pick from when creating one)."""
    return account_selectors.staff_users().filter(staff_profile__isnull=True, is_active=True)


def attendance_records() -> QuerySet[AttendanceRecord]:
    return AttendanceRecord.objects.select_related("staff__user", "staff__department", "shift")


def attendance_of(user: Any) -> QuerySet[AttendanceRecord]:
    return attendance_records().filter(staff__user=user)


def roster_entries() -> QuerySet[RosterEntry]:
    return RosterEntry.objects.select_related("staff__user", "shift")


@dataclass
class TodayStatus:
    profile: StaffProfile | None
    record: AttendanceRecord | None
    shift: Shift | None
    day: date


def today_status(*, user: Any, today: date | None = None, now: datetime | None = None) -> TodayStatus:
    """What the phone clock page shows: the staff member's profile, the work day's record and shift.

    In the small hours, inside last night's shift, the work day is last night's (as clocking
    judges it). A night shift's record of yesterday that still waits for its clock-out after the
    shift's end counts as today's too. `today` alone (not the current date) skips the clock-time
    rule: without a time of day the work day is that date."""
    profile = profile_of(user)
    if now is None:
        now = timezone.now()
        if today is not None and today != timezone.localdate(now):
            now = None
    # (now is only None when `today` was given)
    calendar_day = today if now is None and today is not None else timezone.localdate(now)
    if profile is None:
        return TodayStatus(profile=None, record=None, shift=None, day=calendar_day)
    day, shift = profile.work_day(now) if now is not None else (calendar_day, profile.shift_on(calendar_day))
    records = {
        r.work_date: r
        for r in AttendanceRecord.objects.select_related("shift").filter(
            staff=profile, work_date__in=[day, day - timedelta(days=1)]
        )
    }
    record = records.get(day)
    last_night = records.get(day - timedelta(days=1))
    if (
        record is None
        and day == calendar_day
        and last_night is not None
        and last_night.clock_out_at is None
        and last_night.shift is not None
        and last_night.shift.crosses_midnight
    ):
        return TodayStatus(profile=profile, record=last_night, shift=last_night.shift, day=last_night.work_date)
    if record is not None and record.shift is not None:
        shift = record.shift
    return TodayStatus(profile=profile, record=record, shift=shift, day=day)


def month_bounds(month: date) -> tuple[date, date]:
    first = month.replace(day=1)
    return first, first.replace(day=calendar.monthrange(first.year, first.month)[1])


@dataclass
class SheetRow:
    profile: StaffProfile
    working_days: int = 0
    days_worked: int = 0
    late_count: int = 0
    late_minutes: int = 0
    early_leave_count: int = 0
    absent_count: int = 0
    missing_clock_in_count: int = 0
    missing_clock_out_count: int = 0


def monthly_sheet(*, profiles: list[StaffProfile], month: date, today: date) -> dict[int, SheetRow]:
    """考勤月报 of these profiles (loaded with their shift) for `month`, by profile id, in two queries.

    Working days: the roster's override of a date, else the default shift's weekdays, from the
    hire date on (no hire date: from the day the profile was created). Absent: a working day
    before today with no record at all (today is not over).
    Missing clock-out: a day with a clock-in but none out, before today."""
    first, last = month_bounds(month)
    ids = [p.pk for p in profiles]
    rows = {p.pk: SheetRow(profile=p) for p in profiles}
    if not ids:
        return rows
    roster: dict[int, dict[date, int | None]] = defaultdict(dict)
    for staff_id, day, shift_id in RosterEntry.objects.filter(staff_id__in=ids, date__range=(first, last)).values_list(
        "staff_id", "date", "shift_id"
    ):
        roster[staff_id][day] = shift_id
    worked: dict[int, set[date]] = defaultdict(set)
    for rec in AttendanceRecord.objects.filter(staff_id__in=ids, work_date__range=(first, last)).values(
        "staff_id", "work_date", "clock_in_at", "clock_out_at", "late_minutes", "early_leave_minutes"
    ):
        row = rows[rec["staff_id"]]
        worked[rec["staff_id"]].add(rec["work_date"])
        row.days_worked += 1
        if rec["late_minutes"]:
            row.late_count += 1
            row.late_minutes += rec["late_minutes"]
        if rec["early_leave_minutes"]:
            row.early_leave_count += 1
        if rec["clock_in_at"] is None:
            row.missing_clock_in_count += 1
        elif rec["clock_out_at"] is None and rec["work_date"] < today:
            row.missing_clock_out_count += 1
    for profile in profiles:
        row = rows[profile.pk]
        # No hire date: the profile's creation (a local date) is the earliest the person can be absent.
        joined = profile.hire_date or timezone.localtime(profile.created_at, timezone.get_default_timezone()).date()
        start = max(first, joined)
        day = start
        while day <= last:
            if profile.is_working_day(day, roster.get(profile.pk, {})):
                row.working_days += 1
                if day < today and day not in worked[profile.pk]:
                    row.absent_count += 1
            day += timedelta(days=1)
    return rows


@dataclass
class PerformanceFigures:
    work_orders_done: int = 0
    rating_sum: int = 0
    rating_count: int = 0
    sla_met: int = 0
    sla_total: int = 0

    @property
    def average_rating(self) -> Decimal | None:
        if not self.rating_count:
            return None
        return (Decimal(self.rating_sum) / self.rating_count).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)

    @property
    def sla_met_percent(self) -> Decimal | None:
        if not self.sla_total:
            return None
        return (Decimal(self.sla_met) * 100 / self.sla_total).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def performance_summary(*, profiles: list[StaffProfile], month: date) -> dict[int, PerformanceFigures]:
    """Each profile's figures for `month` (zeros when nothing was finished): computed by one query over
    the repairs its account finished that month (tenants.repairs.selectors_stats.performance), not
    kept as counters, so a redelivered task or a retried request cannot double them."""
    first = month.replace(day=1)
    last = first.replace(day=calendar.monthrange(first.year, first.month)[1])
    by_user = {p.user_id: p.pk for p in profiles}
    out = {p.pk: PerformanceFigures() for p in profiles}
    for user_id, figures in repair_stats.performance(user_ids=by_user, date_from=first, date_to=last).items():
        out[by_user[user_id]] = PerformanceFigures(
            work_orders_done=figures.work_orders_done,
            rating_sum=figures.rating_sum,
            rating_count=figures.rating_count,
            sla_met=figures.sla_met,
            sla_total=figures.sla_total,
        )
    return out
