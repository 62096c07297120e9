from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

WEEKDAYS = (1, 2, 3, 4, 5, 6, 7)  # ISO: Monday is 1


class Department(models.Model):
    """部门 — a department of the company; departments may nest (parent)."""

    name = models.CharField(_("名称"), max_length=50)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children", verbose_name=_("上级部门")
    )
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["sort_order", "name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["parent", "name"], name="department_name_unique_in_parent"),
            models.UniqueConstraint(
                fields=["name"], condition=Q(parent__isnull=True), name="department_name_unique_at_top"
            ),
            models.CheckConstraint(condition=~Q(parent=F("id")), name="department_not_own_parent"),
        ]

    def __str__(self) -> str:
        return self.name


class Post(models.Model):
    """岗位 — a job post (客服专员, 维修工, 秩序维护员…)."""

    name = models.CharField(_("名称"), max_length=50, unique=True)
    description = models.CharField(_("说明"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class Shift(models.Model):
    """班次 — working hours on working weekdays; an end before the start crosses midnight (night shift)."""

    name = models.CharField(_("名称"), max_length=50, unique=True)
    start_time = models.TimeField(_("上班时间"))
    end_time = models.TimeField(_("下班时间"))
    late_grace_minutes = models.PositiveSmallIntegerField(_("迟到宽限（分钟）"), default=0)
    early_leave_grace_minutes = models.PositiveSmallIntegerField(_("早退宽限（分钟）"), default=0)
    workdays = ArrayField(models.PositiveSmallIntegerField(), verbose_name=_("工作日"), default=list)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["start_time", "name", "id"]
        constraints = [
            models.CheckConstraint(condition=~Q(start_time=F("end_time")), name="shift_end_differs_from_start"),
            models.CheckConstraint(condition=Q(late_grace_minutes__lte=240), name="shift_late_grace_range"),
            models.CheckConstraint(condition=Q(early_leave_grace_minutes__lte=240), name="shift_early_grace_range"),
            models.CheckConstraint(
                condition=Q(workdays__contained_by=list(WEEKDAYS)) & Q(workdays__len__gte=1),
                name="shift_workdays_known",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.start_time:%H:%M}-{self.end_time:%H:%M}"

    @property
    def crosses_midnight(self) -> bool:
        return self.end_time < self.start_time

    def starts_at(self, day: date) -> datetime:
        return _local(day, self.start_time)

    def ends_at(self, day: date) -> datetime:
        return _local(day + timedelta(days=1) if self.crosses_midnight else day, self.end_time)


def _local(day: date, at: time) -> datetime:
    return timezone.make_aware(datetime.combine(day, at), timezone.get_default_timezone())


class StaffProfile(models.Model):
    """员工档案 — the HR side of a staff member's user account: number, department, post, shift, duty.

    Name and phone stay on the user account (one copy of personal data)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="staff_profile")
    employee_no = models.CharField(_("工号"), max_length=20, unique=True)
    department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.PROTECT, related_name="profiles", verbose_name=_("部门")
    )
    post = models.ForeignKey(
        Post, null=True, blank=True, on_delete=models.PROTECT, related_name="profiles", verbose_name=_("岗位")
    )
    shift = models.ForeignKey(
        Shift, null=True, blank=True, on_delete=models.PROTECT, related_name="profiles", verbose_name=_("默认班次")
    )
    hire_date = models.DateField(_("入职日期"), null=True, blank=True)
    # 在岗 — on duty now; alerts (security) go to staff on duty. Clocking in and out sets it too.
    on_duty = models.BooleanField(_("在岗"), default=False)
    active = models.BooleanField(_("在职"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["employee_no"]
        constraints = [
            models.CheckConstraint(condition=Q(active=True) | Q(on_duty=False), name="staff_on_duty_only_if_active"),
        ]

    def __str__(self) -> str:
        return f"{self.employee_no} {self.user}"

    def shift_on(self, day: date) -> Shift | None:
        """The shift in force on `day`: that date's roster entry if any (None: a day off), else the
        default shift on its weekdays (None on the others: work then is judged neither late nor early)."""
        entry = RosterEntry.objects.select_related("shift").filter(staff=self, date=day).first()
        if entry is not None:
            return entry.shift
        return self.shift if self.is_working_day(day) else None

    def work_day(self, now: datetime) -> tuple[date, Shift | None]:
        """The work date and shift a clock at `now` belongs to.

        Until last night's shift (one crossing midnight) ends, a clock in the small hours is part of
        that shift — the worker is late for it, not early for tonight's — unless a shift of today
        has already started. Otherwise it is the calendar day's."""
        day = timezone.localdate(now)
        yesterday = day - timedelta(days=1)
        last_night = self.shift_on(yesterday)
        today = self.shift_on(day)
        if (
            last_night is not None
            and last_night.crosses_midnight
            and now <= last_night.ends_at(yesterday)
            and (today is None or now < today.starts_at(day))
        ):
            return yesterday, last_night
        return day, today

    def is_working_day(self, day: date, roster: dict[date, int | None] | None = None) -> bool:
        """Whether `day` is a working day by the roster overrides given (date -> shift id or None)
        and otherwise the default shift's weekdays. Staff with no shift have no working days."""
        if roster is not None and day in roster:
            return roster[day] is not None
        return self.shift is not None and day.isoweekday() in self.shift.workdays


class RosterEntry(models.Model):
    """排班 — one date's override of a staff member's default shift; no shift means a day off."""

    staff = models.ForeignKey(StaffProfile, on_delete=models.CASCADE, related_name="roster")
    date = models.DateField(_("日期"))
    shift = models.ForeignKey(
        Shift, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("班次")
    )

    class Meta:
        ordering = ["date", "staff_id"]
        constraints = [models.UniqueConstraint(fields=["staff", "date"], name="roster_once_per_staff_date")]

    def __str__(self) -> str:
        return f"{self.staff_id} {self.date} {self.shift_id or 'off'}"


class AttendanceRecord(models.Model):
    """考勤记录 — one staff member's clock-in and clock-out of one working day, in server time.

    A clock-out with no clock-in is kept (flagged: clock_in_at is empty). Late and early-leave
    minutes are judged against the shift in force when clocking, and kept as they were judged."""

    staff = models.ForeignKey(StaffProfile, on_delete=models.PROTECT, related_name="attendance")
    work_date = models.DateField(_("日期"))
    shift = models.ForeignKey(
        Shift, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("班次")
    )
    clock_in_at = models.DateTimeField(_("上班打卡"), null=True, blank=True)
    clock_in_latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    clock_in_longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    clock_in_accuracy = models.DecimalField(max_digits=8, decimal_places=1, null=True, blank=True)
    clock_in_ip = models.GenericIPAddressField(null=True, blank=True)
    clock_out_at = models.DateTimeField(_("下班打卡"), null=True, blank=True)
    clock_out_latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    clock_out_longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    clock_out_accuracy = models.DecimalField(max_digits=8, decimal_places=1, null=True, blank=True)
    clock_out_ip = models.GenericIPAddressField(null=True, blank=True)
    late_minutes = models.PositiveIntegerField(_("迟到（分钟）"), default=0)
    early_leave_minutes = models.PositiveIntegerField(_("早退（分钟）"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-work_date", "staff_id"]
        indexes = [models.Index(fields=["work_date", "staff"])]
        constraints = [
            models.UniqueConstraint(fields=["staff", "work_date"], name="attendance_once_per_staff_day"),
            models.CheckConstraint(
                condition=Q(clock_in_at__isnull=False) | Q(clock_out_at__isnull=False), name="attendance_has_a_punch"
            ),
            models.CheckConstraint(
                condition=Q(clock_in_at__isnull=True)
                | Q(clock_out_at__isnull=True)
                | Q(clock_out_at__gte=F("clock_in_at")),
                name="attendance_out_after_in",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.staff_id} {self.work_date}"

    @property
    def missing_clock_in(self) -> bool:
        return self.clock_in_at is None
