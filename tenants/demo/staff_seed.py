"""Demo staff data (idempotent): departments, posts, a day shift, a profile for every staff account,
and two weeks of attendance. Runs inside the demo company's schema. (Performance figures are read
from the repairs the staff finish: there is nothing to seed for them.)

A second run adds nothing: departments, posts and the shift are found by name, profiles by account,
and attendance is written only for staff who have none yet.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.utils import timezone

from accounts import selectors as account_selectors
from accounts.roles import Role
from core.actions import action
from tenants.staff import services
from tenants.staff.models import AttendanceRecord, Department, Post, Shift, StaffProfile

DEPARTMENTS = ["客服部", "工程部", "秩序部", "财务部", "综合管理部"]
POSTS = [
    ("项目经理", "管理处负责人"),
    ("客服专员", "前台接待、业主来电与投诉"),
    ("调度员", "工单派发与跟进"),
    ("维修工", "水电、土建等报修处理"),
    ("秩序维护员", "门岗、巡逻与车辆管理"),
    ("收银员", "物业费及其他费用收取"),
]
# role -> (department, post); an account with several roles takes the first that matches
PLACES = [
    (Role.ADMIN, "综合管理部", "项目经理"),
    (Role.CASHIER, "财务部", "收银员"),
    (Role.DISPATCHER, "客服部", "调度员"),
    (Role.CUSTOMER_SERVICE, "客服部", "客服专员"),
    (Role.REPAIR_WORKER, "工程部", "维修工"),
    (Role.GUARD, "秩序部", "秩序维护员"),
]
DAY_SHIFT = ("常白班", time(9, 0), time(18, 0))
SITE = (Decimal("30.274100"), Decimal("120.155100"))  # 翠湖苑's management office, roughly
ATTENDANCE_DAYS = 14


def _local(day: date, hour: int, minute: int, second: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=ZoneInfo("Asia/Shanghai"))


def _near_site(rng: random.Random) -> dict:
    return {
        "latitude": SITE[0] + Decimal(rng.randint(-400, 400)) / 1_000_000,
        "longitude": SITE[1] + Decimal(rng.randint(-400, 400)) / 1_000_000,
        "accuracy": Decimal(rng.randint(50, 400)) / 10,
    }


def _seed_attendance(profile: StaffProfile, today: date) -> int:
    """Plausible clocks over the last two weeks: mostly on time, now and then late, early, absent
    or without a clock-out; the same every time for the same employee number."""
    rng = random.Random(f"attendance:{profile.employee_no}")  # noqa: S311 — repeatable demo data
    written = 0
    for offset in range(ATTENDANCE_DAYS, 0, -1):
        day = today - timedelta(days=offset)
        if (profile.hire_date and day < profile.hire_date) or not profile.is_working_day(day):
            continue
        roll = rng.random()
        if roll < 0.04:
            continue  # absent
        arrive = (
            _local(day, 9, rng.randint(6, 40), rng.randint(0, 59))
            if roll < 0.12
            else _local(day, 8, rng.randint(35, 59), rng.randint(0, 59))
        )
        services.clock_in(user=profile.user, now=arrive, **_near_site(rng))
        written += 1
        leave_roll = rng.random()
        if leave_roll < 0.03:
            continue  # forgot to clock out
        leave = (
            _local(day, 17, rng.randint(20, 50), rng.randint(0, 59))
            if leave_roll < 0.08
            else _local(day, 18, rng.randint(0, 45), rng.randint(0, 59))
        )
        services.clock_out(user=profile.user, now=leave, **_near_site(rng))
    return written


# Inside the demo seed's action (or its own); the profiles and shifts go through audited actions.
@action(audit=False)
def seed_staff(*, today: date | None = None) -> int:
    """Returns how many staff profiles it created."""
    today = today or timezone.localdate()
    admin = account_selectors.staff_users().filter(roles__contains=[Role.ADMIN.value]).first()
    departments = {}
    for order, name in enumerate(DEPARTMENTS):
        department = Department.objects.filter(name=name, parent=None).first()
        departments[name] = department or services.create_department(name=name, sort_order=order, actor=admin)
    posts = {}
    for name, description in POSTS:
        posts[name] = Post.objects.filter(name=name).first() or services.create_post(
            name=name, description=description, actor=admin
        )
    name, start, end = DAY_SHIFT
    shift = Shift.objects.filter(name=name).first() or services.create_shift(
        name=name,
        start_time=start,
        end_time=end,
        late_grace_minutes=5,
        early_leave_grace_minutes=5,
        workdays=[1, 2, 3, 4, 5],
        actor=admin,
    )

    taken = set(StaffProfile.objects.values_list("employee_no", flat=True))
    number = 1
    created = 0
    for user in account_selectors.staff_users().filter(staff_profile__isnull=True, is_active=True):
        place = next(((d, p) for role, d, p in PLACES if role.value in user.roles), None)
        if place is None:
            continue
        while f"WY{number:04d}" in taken:
            number += 1
        taken.add(f"WY{number:04d}")
        services.create_profile(
            user=user,
            employee_no=f"WY{number:04d}",
            department=departments[place[0]],
            post=posts[place[1]],
            shift=shift,
            hire_date=date(2024, 3, 1) + timedelta(days=37 * (number - 1)),
            actor=admin,
        )
        created += 1

    quiet = StaffProfile.objects.select_related("user", "shift").filter(active=True)
    with_records = set(AttendanceRecord.objects.values_list("staff_id", flat=True).distinct())
    for profile in quiet:
        if profile.pk not in with_records:
            _seed_attendance(profile, today)
    return created
