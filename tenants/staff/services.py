"""Every write about staff: departments, posts, shifts, profiles, duty, roster, clocking, performance.

Clock times are always the server's (`now` is a parameter only so tests and the demo seed can
place a clock in the past); a phone's clock is never asked.
"""

from __future__ import annotations

import math
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import F, ProtectedError
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import services as account_services
from accounts.roles import STAFF_ROLES
from core import context, text
from core.actions import action
from core.db import conflict_as
from core.errors import DomainError
from tenants.staff.models import (
    WEEKDAYS,
    AttendanceRecord,
    Department,
    PerformanceRecord,
    Post,
    RosterEntry,
    Shift,
    StaffProfile,
)

MAX_GRACE_MINUTES = 240


def _field_error(field: str, message: str, *, code: str = "invalid", status_code: int | None = None) -> DomainError:
    return DomainError(message, code=code, fields={field: [message]}, status_code=status_code)


def _clean_name(value: str, *, field: str = "name", max_length: int = 50) -> str:
    value = text.clean_name(value)
    if not value:
        raise _field_error(field, _("请填写名称。"))
    if len(value) > max_length:
        raise _field_error(field, _("不能超过 %(n)s 个字。") % {"n": max_length})
    return value


def _audit(actor: Any, action: str, obj: Any, *, before: dict | None = None, after: dict | None = None) -> None:
    account_services.record_audit(
        actor=actor, action=action, object_type=obj._meta.model_name, object_id=obj.pk, before=before, after=after
    )


def _delete(obj: Any, *, actor: Any, in_use: str) -> None:
    snapshot = {"name": str(obj)}
    pk = obj.pk
    try:
        with transaction.atomic():
            obj.delete()
    except ProtectedError as exc:
        raise DomainError(in_use, code="in_use", status_code=409) from exc
    obj.pk = pk
    _audit(actor, f"{obj._meta.model_name}.delete", obj, before=snapshot)


# --- departments ------------------------------------------------------------------------------


def _check_department(*, name: str, parent: Department | None, department: Department | None = None) -> None:
    same = Department.objects.filter(name=name, parent=parent)
    if department is not None:
        same = same.exclude(pk=department.pk)
    if same.exists():
        raise _field_error("name", _("同一上级部门下已有同名部门。"))
    if department is not None and parent is not None:
        seen = set()
        node: Department | None = parent
        while node is not None and node.pk not in seen:
            if node.pk == department.pk:
                raise _field_error("parent", _("上级部门不能是本部门或其下级部门。"))
            seen.add(node.pk)
            node = node.parent


@action
def create_department(*, name: str, parent: Department | None = None, sort_order: int = 0, actor: Any) -> Department:
    name = _clean_name(name)
    _check_department(name=name, parent=parent)
    with conflict_as(_field_error("name", _("同一上级部门下已有同名部门。"))):  # a concurrent create of the same name
        department = Department.objects.create(name=name, parent=parent, sort_order=sort_order)
    _audit(actor, "department.create", department, after={"name": name, "parent": parent.pk if parent else None})
    return department


@action
def update_department(*, department: Department, actor: Any, **changes: Any) -> Department:
    _only(changes, {"name", "parent", "sort_order"})
    department = Department.objects.select_for_update().get(pk=department.pk)
    before = {"name": department.name, "parent": department.parent_id}
    name = _clean_name(changes["name"]) if "name" in changes else department.name
    parent = changes.get("parent", department.parent)
    _check_department(name=name, parent=parent, department=department)
    department.name, department.parent = name, parent
    if "sort_order" in changes:
        department.sort_order = changes["sort_order"]
    with conflict_as(_field_error("name", _("同一上级部门下已有同名部门。"))):
        department.save()
    _audit(actor, "department.update", department, before=before, after={"name": name, "parent": department.parent_id})
    return department


@action
def delete_department(*, department: Department, actor: Any) -> None:
    _delete(department, actor=actor, in_use=_("该部门下还有下级部门或员工，不能删除。"))


# --- posts ------------------------------------------------------------------------------------


@action
def create_post(*, name: str, description: str = "", actor: Any) -> Post:
    name = _clean_name(name)
    if Post.objects.filter(name=name).exists():
        raise _field_error("name", _("岗位名称已存在。"))
    with conflict_as(_field_error("name", _("岗位名称已存在。"))):
        post = Post.objects.create(name=name, description=(description or "").strip()[:200])
    _audit(actor, "post.create", post, after={"name": name})
    return post


@action
def update_post(*, post: Post, actor: Any, **changes: Any) -> Post:
    _only(changes, {"name", "description"})
    before = {"name": post.name, "description": post.description}
    if "name" in changes:
        post.name = _clean_name(changes["name"])
        if Post.objects.filter(name=post.name).exclude(pk=post.pk).exists():
            raise _field_error("name", _("岗位名称已存在。"))
    if "description" in changes:
        post.description = (changes["description"] or "").strip()[:200]
    with conflict_as(_field_error("name", _("岗位名称已存在。"))):
        post.save()
    _audit(actor, "post.update", post, before=before, after={"name": post.name, "description": post.description})
    return post


@action
def delete_post(*, post: Post, actor: Any) -> None:
    _delete(post, actor=actor, in_use=_("还有员工在该岗位，不能删除。"))


# --- shifts -----------------------------------------------------------------------------------


def _clean_shift(
    *, start_time: time, end_time: time, late_grace_minutes: int, early_leave_grace_minutes: int, workdays: list[int]
) -> list[int]:
    if start_time == end_time:
        raise _field_error("end_time", _("下班时间不能与上班时间相同。"))
    for field, value in (
        ("late_grace_minutes", late_grace_minutes),
        ("early_leave_grace_minutes", early_leave_grace_minutes),
    ):
        if not 0 <= value <= MAX_GRACE_MINUTES:
            raise _field_error(field, _("宽限须在 0 到 %(n)s 分钟之间。") % {"n": MAX_GRACE_MINUTES})
    days = sorted(set(workdays))
    if not days or not set(days) <= set(WEEKDAYS):
        raise _field_error("workdays", _("请选择工作日（周一到周日）。"))
    return days


def _shift_snapshot(shift: Shift) -> dict:
    return {
        "name": shift.name,
        "start_time": shift.start_time.strftime("%H:%M"),
        "end_time": shift.end_time.strftime("%H:%M"),
        "late_grace_minutes": shift.late_grace_minutes,
        "early_leave_grace_minutes": shift.early_leave_grace_minutes,
        "workdays": list(shift.workdays),
    }


@action
def create_shift(
    *,
    name: str,
    start_time: time,
    end_time: time,
    late_grace_minutes: int = 0,
    early_leave_grace_minutes: int = 0,
    workdays: list[int] | None = None,
    actor: Any,
) -> Shift:
    name = _clean_name(name)
    days = _clean_shift(
        start_time=start_time,
        end_time=end_time,
        late_grace_minutes=late_grace_minutes,
        early_leave_grace_minutes=early_leave_grace_minutes,
        workdays=[1, 2, 3, 4, 5] if workdays is None else workdays,
    )
    if Shift.objects.filter(name=name).exists():
        raise _field_error("name", _("班次名称已存在。"))
    with conflict_as(_field_error("name", _("班次名称已存在。"))):
        shift = Shift.objects.create(
            name=name,
            start_time=start_time,
            end_time=end_time,
            late_grace_minutes=late_grace_minutes,
            early_leave_grace_minutes=early_leave_grace_minutes,
            workdays=days,
        )
    _audit(actor, "shift.create", shift, after=_shift_snapshot(shift))
    return shift


@action
def update_shift(*, shift: Shift, actor: Any, **changes: Any) -> Shift:
    """Changing a shift judges clocks from now on; records already judged keep their minutes."""
    _only(changes, {"name", "start_time", "end_time", "late_grace_minutes", "early_leave_grace_minutes", "workdays"})
    before = _shift_snapshot(shift)
    for field, value in changes.items():
        setattr(shift, field, value)
    shift.name = _clean_name(shift.name)
    shift.workdays = _clean_shift(
        start_time=shift.start_time,
        end_time=shift.end_time,
        late_grace_minutes=shift.late_grace_minutes,
        early_leave_grace_minutes=shift.early_leave_grace_minutes,
        workdays=list(shift.workdays),
    )
    if Shift.objects.filter(name=shift.name).exclude(pk=shift.pk).exists():
        raise _field_error("name", _("班次名称已存在。"))
    with conflict_as(_field_error("name", _("班次名称已存在。"))):
        shift.save()
    _audit(actor, "shift.update", shift, before=before, after=_shift_snapshot(shift))
    return shift


@action
def delete_shift(*, shift: Shift, actor: Any) -> None:
    _delete(shift, actor=actor, in_use=_("还有员工或排班使用该班次，不能删除。"))


# --- profiles ---------------------------------------------------------------------------------


def _only(changes: dict, allowed: set[str]) -> None:
    extra = set(changes) - allowed
    if extra:
        raise DomainError(_("不能修改这些字段。"), fields={k: [_("不可修改。")] for k in sorted(extra)})


def _clean_employee_no(value: str, *, profile: StaffProfile | None = None) -> str:
    value = (value or "").strip()
    if not value:
        raise _field_error("employee_no", _("请填写工号。"))
    if len(value) > 20:
        raise _field_error("employee_no", _("工号不能超过 20 个字符。"))
    same = StaffProfile.objects.filter(employee_no=value)
    if profile is not None:
        same = same.exclude(pk=profile.pk)
    if same.exists():
        raise _field_error("employee_no", _("工号已被使用。"))
    return value


def _profile_snapshot(profile: StaffProfile) -> dict:
    return {
        "employee_no": profile.employee_no,
        "department": profile.department_id,
        "post": profile.post_id,
        "shift": profile.shift_id,
        "hire_date": profile.hire_date.isoformat() if profile.hire_date else None,
        "active": profile.active,
        "on_duty": profile.on_duty,
    }


@action
def create_profile(
    *,
    user: Any,
    employee_no: str,
    department: Department | None = None,
    post: Post | None = None,
    shift: Shift | None = None,
    hire_date: date | None = None,
    actor: Any,
) -> StaffProfile:
    """The staff profile of an existing staff account."""
    if not set(user.roles) & set(STAFF_ROLES):
        raise _field_error("user_id", _("只能为员工账号建立档案。"))
    if StaffProfile.objects.filter(user=user).exists():
        raise _field_error("user_id", _("该账号已有员工档案。"))
    employee_no = _clean_employee_no(employee_no)
    with conflict_as(
        _field_error("employee_no", _("工号已被使用，或该账号已有员工档案。"))
    ):  # a concurrent create: same number or same user
        profile = StaffProfile.objects.create(
            user=user, employee_no=employee_no, department=department, post=post, shift=shift, hire_date=hire_date
        )
    _audit(actor, "staff_profile.create", profile, after={"user": user.pk, **_profile_snapshot(profile)})
    return profile


@action
def create_staff_member(
    *,
    username: str,
    name: str,
    roles: list[str],
    password: str | None = None,
    phone: str = "",
    email: str = "",
    employee_no: str,
    department: Department | None = None,
    post: Post | None = None,
    shift: Shift | None = None,
    hire_date: date | None = None,
    actor: Any,
) -> StaffProfile:
    """A new staff account and its profile together: both or neither."""
    if not roles or not set(roles) <= {r.value for r in STAFF_ROLES}:
        raise _field_error("roles", _("请选择员工角色。"))
    name = text.clean_name(name)
    if not name:
        raise _field_error("name", _("请填写姓名。"))
    _clean_employee_no(employee_no)  # before the account, so a taken number costs nothing
    user = account_services.create_user(
        username=username, name=name, roles=roles, password=password, phone=phone, email=email, actor=actor
    )
    return create_profile(
        user=user,
        employee_no=employee_no,
        department=department,
        post=post,
        shift=shift,
        hire_date=hire_date,
        actor=actor,
    )


@action
def update_profile(*, profile: StaffProfile, actor: Any, **changes: Any) -> StaffProfile:
    """HR fields of the profile; `name` and `phone` are the account's and are changed there."""
    _only(changes, {"employee_no", "department", "post", "shift", "hire_date", "active", "name", "phone"})
    profile = StaffProfile.objects.select_for_update().select_related("user").get(pk=profile.pk)
    before = _profile_snapshot(profile)
    account_changes = {k: changes.pop(k) for k in ("name", "phone") if k in changes}
    if "name" in account_changes and not (account_changes["name"] or "").strip():
        raise _field_error("name", _("请填写姓名。"))
    if "employee_no" in changes:
        changes["employee_no"] = _clean_employee_no(changes["employee_no"], profile=profile)
    for field, value in changes.items():
        setattr(profile, field, value)
    if not profile.active:
        profile.on_duty = False  # someone who left is never on duty
    with conflict_as(_field_error("employee_no", _("工号已被使用。"))):
        profile.save()
    if account_changes:
        account_services.update_user(user=profile.user, actor=actor, **account_changes)
    _audit(actor, "staff_profile.update", profile, before=before, after=_profile_snapshot(profile))
    return profile


def set_on_duty(*, profile: StaffProfile, on_duty: bool, actor: Any) -> StaffProfile:
    """在岗/离岗 of a staff member. Asking for the state they are already in changes nothing and
    records nothing (an action must audit what it writes, so the no-op stays outside one)."""
    profile = StaffProfile.objects.get(pk=profile.pk)
    if on_duty and not profile.active:
        raise DomainError(_("离职员工不能设为在岗。"), code="inactive", status_code=409)
    if profile.on_duty == on_duty:
        return profile
    return _change_duty(profile=profile, on_duty=on_duty, actor=actor)


@action
def _change_duty(*, profile: StaffProfile, on_duty: bool, actor: Any) -> StaffProfile:
    profile = StaffProfile.objects.select_for_update().get(pk=profile.pk)
    if on_duty and not profile.active:  # again under the lock: they may have left meanwhile
        raise DomainError(_("离职员工不能设为在岗。"), code="inactive", status_code=409)
    before = profile.on_duty
    profile.on_duty = on_duty
    profile.save(update_fields=["on_duty", "updated_at"])
    _audit(actor, "staff_profile.duty", profile, before={"on_duty": before}, after={"on_duty": on_duty})
    return profile


def set_own_duty(*, user: Any, on_duty: bool) -> StaffProfile:
    """在岗/离岗 set by staff members themselves (a short absence during a shift)."""
    profile = StaffProfile.objects.filter(user=user).first()
    if profile is None:
        raise DomainError(_("您还没有员工档案，请联系管理员。"), code="no_staff_profile", status_code=409)
    return set_on_duty(profile=profile, on_duty=on_duty, actor=user)


# --- roster -----------------------------------------------------------------------------------


@action
def set_roster_day(*, staff: StaffProfile, day: date, shift: Shift | None, actor: Any) -> RosterEntry:
    """That date's shift for one staff member, replacing any earlier override; no shift: a day off."""
    entry, _created = RosterEntry.objects.update_or_create(staff=staff, date=day, defaults={"shift": shift})
    _audit(actor, "roster.set", entry, after={"staff": staff.pk, "date": day.isoformat(), "shift": entry.shift_id})
    return entry


@action
def clear_roster_day(*, entry: RosterEntry, actor: Any) -> None:
    snapshot = {"staff": entry.staff_id, "date": entry.date.isoformat(), "shift": entry.shift_id}
    pk = entry.pk
    entry.delete()
    entry.pk = pk
    _audit(actor, "roster.clear", entry, before=snapshot)


# --- clocking ---------------------------------------------------------------------------------

_COORDINATE_LIMITS = {"latitude": Decimal(90), "longitude": Decimal(180)}
_MAX_ACCURACY = Decimal(100_000)


def _decimal(value: Any, field: str) -> Decimal:
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value))
    except (InvalidOperation, ValueError) as exc:
        raise _field_error(field, _("请输入数字。")) from exc
    if not number.is_finite():
        raise _field_error(field, _("请输入数字。"))
    return number


def clean_location(
    *, latitude: Any = None, longitude: Any = None, accuracy: Any = None
) -> tuple[Decimal | None, Decimal | None, Decimal | None]:
    """(latitude, longitude, accuracy in metres), rounded to what we store; all empty when not given."""
    if latitude is None and longitude is None:
        if accuracy is not None:
            raise _field_error("accuracy", _("没有位置时不能只给精度。"))
        return None, None, None
    if latitude is None or longitude is None:
        missing = "latitude" if latitude is None else "longitude"
        raise _field_error(missing, _("经度和纬度须同时提供。"))
    values = {}
    for field, raw in (("latitude", latitude), ("longitude", longitude)):
        number = _decimal(raw, field)
        if abs(number) > _COORDINATE_LIMITS[field]:
            raise _field_error(field, _("超出有效范围。"))
        values[field] = number.quantize(Decimal("0.000001"), rounding=ROUND_HALF_UP)
    acc = None
    if accuracy is not None:
        acc = _decimal(accuracy, "accuracy")
        if not 0 <= acc <= _MAX_ACCURACY:
            raise _field_error("accuracy", _("超出有效范围。"))
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
        _audit(user, "attendance.clock_in", record, after={"work_date": str(day), "late_minutes": record.late_minutes})
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
        _audit(
            user,
            "attendance.clock_out",
            record,
            after={"work_date": str(record.work_date), "early_leave_minutes": record.early_leave_minutes},
        )
    return record


# --- performance ------------------------------------------------------------------------------


def month_of(day: date | datetime) -> date:
    if isinstance(day, datetime):
        day = timezone.localdate(day) if timezone.is_aware(day) else day.date()
    return day.replace(day=1)


def _add_to_performance(*, user: Any, at: date | datetime, source: str, **increments: int) -> PerformanceRecord:
    source = (source or "").strip()
    if not source or len(source) > 30:
        raise _field_error("source", _("来源无效。"))
    with transaction.atomic():
        record, _created = PerformanceRecord.objects.get_or_create(user=user, month=month_of(at), source=source)
        PerformanceRecord.objects.filter(pk=record.pk).update(
            **{field: F(field) + amount for field, amount in increments.items() if amount}, updated_at=timezone.now()
        )
    record.refresh_from_db()
    return record


def _check_rating(rating: int | None) -> None:
    if rating is not None and (isinstance(rating, bool) or not isinstance(rating, int) or not 1 <= rating <= 5):
        raise _field_error("rating", _("评分须为 1 到 5 的整数。"))


# Part of the action that finishes (or rates) the work order; that action writes the audit row.
@action(audit=False)
def record_work_order_result(
    *,
    user: Any,
    completed_at: datetime,
    source: str = "service_desk",
    sla_met: bool | None = None,
    rating: int | None = None,
) -> PerformanceRecord:
    """A work order finished by `user` (a repair, a complaint…): counted in the month it was finished.

    Call it once per finished work order, in the same transaction that finishes it. `sla_met` None
    means the order had no SLA; a rating given later goes through `record_rating`."""
    _check_rating(rating)
    return _add_to_performance(
        user=user,
        at=completed_at,
        source=source,
        work_orders_done=1,
        sla_total=0 if sla_met is None else 1,
        sla_met=1 if sla_met else 0,
        rating_sum=rating or 0,
        rating_count=1 if rating else 0,
    )


# Part of the action that finishes (or rates) the work order; that action writes the audit row.
@action(audit=False)
def record_rating(*, user: Any, completed_at: datetime, rating: int, source: str = "service_desk") -> PerformanceRecord:
    """An owner's rating of a work order `user` finished, counted in the month it was finished."""
    _check_rating(rating)
    if rating is None:
        raise _field_error("rating", _("评分须为 1 到 5 的整数。"))
    return _add_to_performance(user=user, at=completed_at, source=source, rating_sum=rating, rating_count=1)
