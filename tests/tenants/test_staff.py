"""Staff: departments, posts, shifts, profiles, clocking in and out, the monthly sheet, performance."""

from __future__ import annotations

import io
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tenants.utils import tenant_context
from openpyxl import load_workbook

from accounts.models import AuditEvent, User
from core.errors import DomainError
from tenants.repairs.models import Status
from tenants.staff import selectors, services
from tenants.staff.models import AttendanceRecord, Department, Shift, StaffProfile
from tests.tenants.repair_orders import local, make_order, repair_world

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(day: date, hhmm: str) -> datetime:
    hour, minute = (int(x) for x in hhmm.split(":"))
    return datetime.combine(day, time(hour, minute), tzinfo=SHANGHAI)


def _admin():
    return User.objects.get(username="admin")


def _shift(name="白班", start="09:00", end="18:00", late=5, early=5, workdays=(1, 2, 3, 4, 5)):
    return services.create_shift(
        name=name,
        start_time=time.fromisoformat(start),
        end_time=time.fromisoformat(end),
        late_grace_minutes=late,
        early_leave_grace_minutes=early,
        workdays=list(workdays),
        actor=_admin(),
    )


def _profile(username: str, employee_no: str, *, shift=None, department=None, hire_date=None):
    return services.create_profile(
        user=User.objects.get(username=username),
        employee_no=employee_no,
        shift=shift,
        department=department,
        hire_date=hire_date,
        actor=_admin(),
    )


def _xlsx_rows(response):
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


# --- departments, posts, shifts ---------------------------------------------------------------


def test_admin_builds_departments_and_the_tree_is_checked(client_for, company_a):
    admin = client_for(company_a, "admin")
    top = admin.post("/api/v1/departments/", {"name": "工程部"}, format="json")
    assert top.status_code == 201, top.content
    child = admin.post("/api/v1/departments/", {"name": "维修班", "parent": top.json()["id"]}, format="json")
    assert child.status_code == 201 and child.json()["parent_name"] == "工程部"

    duplicate = admin.post("/api/v1/departments/", {"name": "工程部"}, format="json")
    assert duplicate.status_code == 400 and "name" in duplicate.json()["fields"]
    # The same name under another parent is fine.
    assert admin.post("/api/v1/departments/", {"name": "维修班"}, format="json").status_code == 201

    cycle = admin.patch(f"/api/v1/departments/{top.json()['id']}/", {"parent": child.json()["id"]}, format="json")
    assert cycle.status_code == 400 and "parent" in cycle.json()["fields"]
    blank = admin.post("/api/v1/departments/", {"name": "  "}, format="json")
    assert blank.status_code == 400 and "name" in blank.json()["fields"]

    in_use = admin.delete(f"/api/v1/departments/{top.json()['id']}/")
    assert in_use.status_code == 409 and in_use.json()["code"] == "in_use"
    assert admin.delete(f"/api/v1/departments/{child.json()['id']}/").status_code == 204
    with tenant_context(company_a):
        assert Department.objects.filter(name="工程部").exists()
        assert AuditEvent.objects.filter(action="department.delete").count() == 1


def test_posts_have_unique_names(client_for, company_a):
    admin = client_for(company_a, "admin")
    assert admin.post("/api/v1/posts/", {"name": "客服专员"}, format="json").status_code == 201
    again = admin.post("/api/v1/posts/", {"name": "客服专员"}, format="json")
    assert again.status_code == 400 and "name" in again.json()["fields"]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"start_time": "09:00", "end_time": "09:00"}, "end_time"),
        ({"start_time": "09:00", "end_time": "25:00"}, "end_time"),
        ({"start_time": "09:00", "end_time": "18:00", "workdays": []}, "workdays"),
        ({"start_time": "09:00", "end_time": "18:00", "workdays": [0, 8]}, "workdays"),
        ({"start_time": "09:00", "end_time": "18:00", "late_grace_minutes": 600}, "late_grace_minutes"),
        ({"start_time": "09:00", "end_time": "18:00", "early_leave_grace_minutes": -1}, "early_leave_grace_minutes"),
        ({"end_time": "18:00"}, "start_time"),
    ],
)
def test_bad_shifts_are_field_errors_and_write_nothing(client_for, company_a, payload, field):
    response = client_for(company_a, "admin").post("/api/v1/shifts/", {"name": "早班", **payload}, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()["fields"]
    with tenant_context(company_a):
        assert not Shift.objects.exists()


def test_a_night_shift_crosses_midnight(client_for, company_a):
    admin = client_for(company_a, "admin")
    created = admin.post(
        "/api/v1/shifts/",
        {"name": "夜班", "start_time": "22:00", "end_time": "06:00", "workdays": [1, 2, 3, 4, 5, 6, 7]},
        format="json",
    )
    assert created.status_code == 201, created.content
    assert created.json()["crosses_midnight"] is True
    assert created.json()["start_time"] == "22:00"
    changed = admin.patch(f"/api/v1/shifts/{created.json()['id']}/", {"end_time": "22:00"}, format="json")
    assert changed.status_code == 400 and "end_time" in changed.json()["fields"]


# --- profiles ---------------------------------------------------------------------------------


def test_profile_for_an_existing_account(client_for, company_a):
    admin = client_for(company_a, "admin")
    department = admin.post("/api/v1/departments/", {"name": "秩序部"}, format="json").json()
    candidates = admin.get("/api/v1/staff-profiles/candidates/").json()
    guard = next(c for c in candidates if c["username"] == "guard")
    created = admin.post(
        "/api/v1/staff-profiles/",
        {"user_id": guard["id"], "employee_no": "A001", "department": department["id"], "hire_date": "2025-03-01"},
        format="json",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["name"] == "guard" and body["department_name"] == "秩序部" and body["roles"] == ["guard"]
    assert body["on_duty"] is False and body["active"] is True
    assert "guard" not in {c["username"] for c in admin.get("/api/v1/staff-profiles/candidates/").json()}

    again = admin.post("/api/v1/staff-profiles/", {"user_id": guard["id"], "employee_no": "A002"}, format="json")
    assert again.status_code == 400 and "user_id" in again.json()["fields"]
    with tenant_context(company_a):
        owner = User.objects.create(username="owner-x", roles=["resident"])
    resident = admin.post("/api/v1/staff-profiles/", {"user_id": owner.pk, "employee_no": "A003"}, format="json")
    assert resident.status_code == 400 and "user_id" in resident.json()["fields"]


def test_profile_and_new_account_are_created_together_or_not_at_all(client_for, company_a):
    admin = client_for(company_a, "admin")
    new = {
        "username": "guard9",
        "name": "钱保安",
        "roles": ["guard"],
        "password": "Guard-pass-2026",
        "phone": "13700001234",
        "employee_no": "B001",
    }
    created = admin.post("/api/v1/staff-profiles/", new, format="json")
    assert created.status_code == 201, created.content
    assert created.json()["phone_masked"] == "137****1234" and created.json()["username"] == "guard9"

    with tenant_context(company_a):
        users, profiles = User.objects.count(), StaffProfile.objects.count()
    cases = [
        ({**new, "username": "guard10"}, "employee_no"),  # number taken: the account is not created either
        ({**new, "username": "guard10", "employee_no": "B002", "password": "short"}, "password"),
        ({**new, "username": "guard9", "employee_no": "B002"}, "username"),
        ({**new, "username": "guard10", "employee_no": "B002", "phone": "123"}, "phone"),
        ({**new, "username": "guard10", "employee_no": "B002", "roles": ["resident"]}, "roles"),
        ({"employee_no": "B003"}, "username"),
        ({"user_id": 1, "username": "x", "employee_no": "B004"}, "username"),
    ]
    for payload, field in cases:
        response = admin.post("/api/v1/staff-profiles/", payload, format="json")
        assert response.status_code == 400, (payload, response.content)
        assert field in response.json()["fields"], (payload, response.json())
    with tenant_context(company_a):
        assert (User.objects.count(), StaffProfile.objects.count()) == (users, profiles)


def test_profile_updates_leaving_and_duty(client_for, company_a):
    with tenant_context(company_a):
        _profile("guard", "A001")
        other = _profile("repair", "A002")
    admin = client_for(company_a, "admin")
    profile_id = admin.get("/api/v1/staff-profiles/?search=A001").json()["results"][0]["id"]

    taken = admin.patch(f"/api/v1/staff-profiles/{profile_id}/", {"employee_no": "A002"}, format="json")
    assert taken.status_code == 400 and "employee_no" in taken.json()["fields"]
    renamed = admin.patch(f"/api/v1/staff-profiles/{profile_id}/", {"name": "孙保安"}, format="json")
    assert renamed.status_code == 200 and renamed.json()["name"] == "孙保安"

    on = admin.post(f"/api/v1/staff-profiles/{profile_id}/duty/", {"on_duty": True}, format="json")
    assert on.status_code == 200 and on.json()["on_duty"] is True
    assert [p["employee_no"] for p in admin.get("/api/v1/staff-profiles/?on_duty=true").json()["results"]] == ["A001"]

    left = admin.patch(f"/api/v1/staff-profiles/{profile_id}/", {"active": False}, format="json")
    assert left.json()["active"] is False and left.json()["on_duty"] is False
    refused = admin.post(f"/api/v1/staff-profiles/{profile_id}/duty/", {"on_duty": True}, format="json")
    assert refused.status_code == 409
    assert admin.delete(f"/api/v1/staff-profiles/{other.pk}/").status_code == 405


def test_profile_filters_include_sub_departments(client_for, company_a):
    with tenant_context(company_a):
        top = services.create_department(name="工程部", actor=_admin())
        sub = services.create_department(name="维修班", parent=top, actor=_admin())
        post = services.create_post(name="维修工", actor=_admin())
        _profile("repair", "E001", department=sub)
        _profile("guard", "S001")
        services.update_profile(profile=StaffProfile.objects.get(employee_no="E001"), actor=_admin(), post=post)
    admin = client_for(company_a, "admin")
    found = admin.get(f"/api/v1/staff-profiles/?department={top.pk}").json()["results"]
    assert [p["employee_no"] for p in found] == ["E001"]
    assert [p["employee_no"] for p in admin.get(f"/api/v1/staff-profiles/?post={post.pk}").json()["results"]] == [
        "E001"
    ]
    assert [p["employee_no"] for p in admin.get("/api/v1/staff-profiles/?search=guard").json()["results"]] == ["S001"]
    rows = _xlsx_rows(admin.get("/api/v1/staff-profiles/?format=xlsx&ordering=employee_no"))
    assert rows[0][:3] == ["工号", "姓名", "用户名"]
    assert [r[0] for r in rows[1:]] == ["E001", "S001"]


# --- clocking ---------------------------------------------------------------------------------


def test_staff_clock_in_and_out_from_the_phone_at_server_time(client_for, company_a):
    with tenant_context(company_a):
        _profile("guard", "S001")
    guard = client_for(company_a, "guard")
    before = guard.get("/api/v1/attendance/today/").json()
    assert before["can_clock_in"] is True and before["record"] is None and before["profile"]["employee_no"] == "S001"

    started = timezone.now()
    response = guard.post(
        "/api/v1/attendance/clock-in/",
        {
            "latitude": 30.274084123456,
            "longitude": 120.15507,
            "accuracy": 12.34,
            "clock_in_at": "2020-01-01T00:00:00+08:00",  # a phone's idea of the time is ignored
        },
        format="json",
        REMOTE_ADDR="10.1.2.3",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["record"]["clock_in_at"] and body["can_clock_in"] is False and body["can_clock_out"] is True
    assert body["profile"]["on_duty"] is True
    with tenant_context(company_a):
        record = AttendanceRecord.objects.get()
        assert started - timedelta(seconds=1) <= record.clock_in_at <= timezone.now()
        assert record.clock_in_latitude == Decimal("30.274084") and record.clock_in_longitude == Decimal("120.155070")
        assert record.clock_in_accuracy == Decimal("12.3") and record.clock_in_ip == "10.1.2.3"

    twice = guard.post("/api/v1/attendance/clock-in/", {}, format="json")
    assert twice.status_code == 409 and twice.json()["code"] == "already_clocked_in"

    out = guard.post("/api/v1/attendance/clock-out/", {}, format="json")  # no geolocation: still fine
    assert out.status_code == 201, out.content
    assert out.json()["record"]["clock_out_at"] and out.json()["profile"]["on_duty"] is False
    assert out.json()["can_clock_out"] is False
    out_again = guard.post("/api/v1/attendance/clock-out/", {}, format="json")
    assert out_again.status_code == 409 and out_again.json()["code"] == "already_clocked_out"
    with tenant_context(company_a):
        assert AttendanceRecord.objects.count() == 1
    mine = guard.get("/api/v1/attendance/mine/").json()
    assert len(mine) == 1 and mine[0]["employee_no"] == "S001"


def test_clock_out_without_clock_in_is_kept_and_flagged(client_for, company_a):
    with tenant_context(company_a):
        _profile("guard", "S001")
    guard = client_for(company_a, "guard")
    out = guard.post("/api/v1/attendance/clock-out/", {}, format="json")
    assert out.status_code == 201
    assert out.json()["record"]["missing_clock_in"] is True
    late_in = guard.post("/api/v1/attendance/clock-in/", {}, format="json")
    assert late_in.status_code == 409 and late_in.json()["code"] == "already_clocked_out"
    rows = client_for(company_a, "admin").get("/api/v1/attendance-records/?missing_clock_in=true").json()["results"]
    assert [r["employee_no"] for r in rows] == ["S001"]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"latitude": 30.1}, "longitude"),
        ({"longitude": 120.1}, "latitude"),
        ({"latitude": 91, "longitude": 120}, "latitude"),
        ({"latitude": 30, "longitude": -181}, "longitude"),
        ({"accuracy": 10}, "accuracy"),
        ({"latitude": 30, "longitude": 120, "accuracy": -1}, "accuracy"),
        ({"latitude": "north", "longitude": 120}, "latitude"),
    ],
)
def test_bad_locations_are_field_errors_and_write_nothing(client_for, company_a, payload, field):
    with tenant_context(company_a):
        _profile("guard", "S001")
    response = client_for(company_a, "guard").post("/api/v1/attendance/clock-in/", payload, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()["fields"]
    with tenant_context(company_a):
        assert not AttendanceRecord.objects.exists()
        assert StaffProfile.objects.get().on_duty is False


def test_clocking_needs_an_active_profile(client_for, company_a):
    guard = client_for(company_a, "guard")
    today = guard.get("/api/v1/attendance/today/").json()
    assert today["profile"] is None and today["can_clock_in"] is False
    response = guard.post("/api/v1/attendance/clock-in/", {}, format="json")
    assert response.status_code == 409 and response.json()["code"] == "no_staff_profile"
    assert guard.post("/api/v1/attendance/duty/", {"on_duty": True}, format="json").status_code == 409


def test_staff_go_on_and_off_duty_themselves(client_for, company_a):
    with tenant_context(company_a):
        _profile("guard", "S001")
    guard = client_for(company_a, "guard")
    assert guard.post("/api/v1/attendance/duty/", {"on_duty": True}, format="json").json()["profile"]["on_duty"]
    assert not guard.post("/api/v1/attendance/duty/", {"on_duty": False}, format="json").json()["profile"]["on_duty"]


def test_late_and_early_leave_are_judged_against_the_shift_with_grace(company_a):
    monday = date(2026, 11, 2)
    with tenant_context(company_a):
        shift = _shift(late=5, early=10)
        guard = _profile("guard", "S001", shift=shift).user
        on_time = services.clock_in(user=guard, now=at(monday, "09:05"))
        assert on_time.late_minutes == 0
        left_in_grace = services.clock_out(user=guard, now=at(monday, "17:50"))
        assert left_in_grace.early_leave_minutes == 0

        late = services.clock_in(user=guard, now=at(monday + timedelta(days=1), "09:06"))
        assert late.late_minutes == 6 and late.shift == shift
        early = services.clock_out(user=guard, now=at(monday + timedelta(days=1), "17:49"))
        assert early.early_leave_minutes == 11

        with pytest.raises(DomainError) as twice:
            services.clock_in(user=guard, now=at(monday + timedelta(days=1), "10:00"))
        assert twice.value.status_code == 409


def test_a_night_shift_clocks_out_the_next_morning_on_the_same_record(company_a):
    monday = date(2026, 11, 2)
    with tenant_context(company_a):
        night = _shift(name="夜班", start="22:00", end="06:00", workdays=range(1, 8))
        guard = _profile("guard", "S001", shift=night).user
        record = services.clock_in(user=guard, now=at(monday, "21:55"))
        closed = services.clock_out(user=guard, now=at(monday + timedelta(days=1), "05:40"))
        assert closed.pk == record.pk and closed.work_date == monday
        assert closed.early_leave_minutes == 20
        assert AttendanceRecord.objects.count() == 1


def test_a_night_worker_who_forgot_to_clock_in_clocks_out_on_last_nights_record(company_a):
    """No clock-in, clock-out at 06:10 after a 22:00–06:00 shift: that night's record with a missing
    clock-in, not a record for tonight with 950 minutes of early leave."""
    monday = date(2026, 11, 2)
    tuesday = monday + timedelta(days=1)
    with tenant_context(company_a):
        night = _shift(name="夜班", start="22:00", end="06:00", workdays=range(1, 8))
        guard = _profile("guard", "S001", shift=night, hire_date=monday).user
        record = services.clock_out(user=guard, now=at(tuesday, "06:10"))
        assert (record.work_date, record.clock_in_at, record.early_leave_minutes) == (monday, None, 0)
        # Tonight is still open for a normal clock-in.
        tonight = services.clock_in(user=guard, now=at(tuesday, "21:58"))
        assert tonight.work_date == tuesday and tonight.late_minutes == 0
        # Hours later than that, a lone clock-out is the day's own (and not early for a shift not begun).
        wednesday = tuesday + timedelta(days=1)
        services.clock_out(user=guard, now=at(wednesday, "05:59"))  # closes Tuesday night's
        thursday = wednesday + timedelta(days=1)
        late_lone = services.clock_out(user=guard, now=at(thursday, "13:00"))
        assert (late_lone.work_date, late_lone.early_leave_minutes) == (thursday, 0)


def test_a_night_shift_clock_in_after_midnight_is_last_nights_and_late(company_a):
    """22:00–06:00: clocking in at 00:30 is 150 minutes late for Monday's shift, not Tuesday's."""
    monday = date(2026, 11, 2)
    tuesday = monday + timedelta(days=1)
    with tenant_context(company_a):
        night = _shift(name="夜班", start="22:00", end="06:00", workdays=range(1, 8))
        guard = _profile("guard", "S001", shift=night, hire_date=monday).user

        waiting = selectors.today_status(user=guard, now=at(tuesday, "00:20"))  # the phone page, before
        assert (waiting.day, waiting.shift, waiting.record) == (monday, night, None)

        record = services.clock_in(user=guard, now=at(tuesday, "00:30"))
        assert (record.work_date, record.shift, record.late_minutes) == (monday, night, 150)
        with pytest.raises(DomainError) as twice:
            services.clock_in(user=guard, now=at(tuesday, "01:00"))
        assert twice.value.code == "already_clocked_in"
        status = selectors.today_status(user=guard, now=at(tuesday, "03:00"))
        assert (status.day, status.record, status.shift) == (monday, record, night)

        closed = services.clock_out(user=guard, now=at(tuesday, "06:00"))
        assert closed.pk == record.pk and closed.early_leave_minutes == 0
        assert AttendanceRecord.objects.count() == 1
        after = selectors.today_status(user=guard, now=at(tuesday, "08:00"))
        assert (after.day, after.shift, after.record) == (tuesday, night, None)

        profile = selectors.profiles().get(user=guard)
        row = selectors.monthly_sheet(profiles=[profile], month=monday, today=tuesday)[profile.pk]
        assert (row.days_worked, row.absent_count, row.late_count, row.late_minutes) == (1, 0, 1, 150)
        assert row.early_leave_count == 0


def test_a_clock_after_midnight_is_todays_when_last_night_had_no_night_shift(company_a):
    monday = date(2026, 11, 2)
    tuesday = monday + timedelta(days=1)
    with tenant_context(company_a):
        night = _shift(name="夜班", start="22:00", end="06:00", workdays=range(1, 8))
        day_shift = _shift()
        guard = _profile("guard", "S001", shift=night)
        services.set_roster_day(staff=guard, day=monday, shift=None, actor=_admin())  # Monday night off
        early = services.clock_in(user=guard.user, now=at(tuesday, "00:30"))
        assert (early.work_date, early.shift, early.late_minutes) == (tuesday, night, 0)

        # Day shifts are as before: a clock after midnight is that calendar day's.
        worker = _profile("repair", "R001", shift=day_shift).user
        services.clock_in(user=worker, now=at(monday, "09:00"))
        services.clock_out(user=worker, now=at(monday, "18:00"))
        small_hours = services.clock_in(user=worker, now=at(tuesday, "00:30"))
        assert (small_hours.work_date, small_hours.late_minutes) == (tuesday, 0)
        status = selectors.today_status(user=worker, now=at(tuesday, "00:40"))
        assert (status.day, status.record) == (tuesday, small_hours)


def test_a_roster_entry_overrides_the_default_shift(client_for, company_a):
    monday = date(2026, 11, 2)
    with tenant_context(company_a):
        day_shift = _shift()
        night = _shift(name="夜班", start="22:00", end="06:00", workdays=range(1, 8))
        profile = _profile("guard", "S001", shift=day_shift)
    admin = client_for(company_a, "admin")
    entry = admin.post(
        "/api/v1/roster/", {"staff": profile.pk, "date": monday.isoformat(), "shift": night.pk}, format="json"
    )
    assert entry.status_code == 201, entry.content
    replaced = admin.post("/api/v1/roster/", {"staff": profile.pk, "date": monday.isoformat(), "shift": None})
    assert replaced.status_code == 201 and replaced.json()["shift"] is None
    assert len(admin.get(f"/api/v1/roster/?staff={profile.pk}").json()["results"]) == 1
    with tenant_context(company_a):
        profile.refresh_from_db()
        assert profile.shift_on(monday) is None  # a day off
        assert profile.shift_on(monday + timedelta(days=1)) == day_shift


# --- monthly sheet ----------------------------------------------------------------------------


def test_monthly_sheet_counts_worked_late_early_absent_and_missing(company_a):
    """November 2026 starts on a Sunday; the shift works Monday to Friday."""
    month = date(2026, 11, 1)
    today = date(2026, 11, 14)  # a Saturday: working days before it are Nov 2-6 and 9-13
    with tenant_context(company_a):
        shift = _shift(late=5, early=5)
        guard = _profile("guard", "S001", shift=shift, hire_date=date(2026, 1, 5))
        newcomer = _profile("repair", "R001", shift=shift, hire_date=date(2026, 11, 10))
        no_shift = _profile("cashier", "C001")
        user = guard.user
        services.clock_in(user=user, now=at(date(2026, 11, 2), "08:55"))
        services.clock_out(user=user, now=at(date(2026, 11, 2), "18:01"))
        services.clock_in(user=user, now=at(date(2026, 11, 3), "09:20"))  # late, never clocks out
        services.clock_in(user=user, now=at(date(2026, 11, 4), "09:00"))
        services.clock_out(user=user, now=at(date(2026, 11, 4), "16:00"))  # early
        services.clock_out(user=user, now=at(date(2026, 11, 5), "18:00"))  # no clock-in
        services.clock_in(user=user, now=at(date(2026, 11, 7), "09:00"))  # a Saturday: worked, not scheduled
        services.clock_out(user=user, now=at(date(2026, 11, 7), "12:00"))
        services.clock_in(user=user, now=at(today, "09:00"))  # today: not missing a clock-out yet
        services.set_roster_day(staff=guard, day=date(2026, 11, 13), shift=None, actor=_admin())  # a day off
        services.clock_in(user=newcomer.user, now=at(date(2026, 11, 12), "09:00"))
        services.clock_out(user=newcomer.user, now=at(date(2026, 11, 12), "18:00"))

        profiles = list(selectors.profiles().filter(pk__in=[guard.pk, newcomer.pk, no_shift.pk]))
        sheet = selectors.monthly_sheet(profiles=profiles, month=month, today=today)

    row = sheet[guard.pk]
    assert row.working_days == 20  # 21 weekdays in November, less the rostered day off
    assert row.days_worked == 6
    assert (row.late_count, row.late_minutes) == (1, 20)
    assert row.early_leave_count == 1
    assert row.missing_clock_in_count == 1
    assert row.missing_clock_out_count == 1
    # Working days before today: Nov 2-6, 9-12 (13th is off) = 9; records on 2, 3, 4, 5 → 5 absent.
    assert row.absent_count == 5

    new = sheet[newcomer.pk]
    assert new.working_days == 15  # from the hire date, Nov 10, on
    assert (new.days_worked, new.absent_count) == (1, 3)  # Nov 10, 11 and 13; nothing before the hire date
    assert sheet[no_shift.pk].working_days == 0 and sheet[no_shift.pk].absent_count == 0


def test_monthly_sheet_without_a_hire_date_starts_on_the_day_the_profile_was_created(company_a):
    """No hire date: nothing is absent before the profile existed (its creation's local date)."""
    month = date(2026, 11, 1)
    today = date(2026, 11, 14)  # a Saturday
    with tenant_context(company_a):
        shift = _shift()
        profile = _profile("guard", "S001", shift=shift)
        # 00:30 in Shanghai on Tuesday the 10th is still Monday the 9th in UTC.
        StaffProfile.objects.filter(pk=profile.pk).update(created_at=at(date(2026, 11, 10), "00:30"))
        profiles = list(selectors.profiles().filter(pk=profile.pk))
        row = selectors.monthly_sheet(profiles=profiles, month=month, today=today)[profile.pk]
        assert row.working_days == 15  # Nov 10-13, 16-20, 23-27, 30
        assert row.absent_count == 4  # Nov 10-13

        later = selectors.monthly_sheet(profiles=profiles, month=date(2026, 12, 1), today=date(2026, 12, 5))
        assert later[profile.pk].working_days == 23 and later[profile.pk].absent_count == 4  # Dec 1-4
        earlier = selectors.monthly_sheet(profiles=profiles, month=date(2026, 10, 1), today=today)
        assert earlier[profile.pk].working_days == 0 and earlier[profile.pk].absent_count == 0


def test_monthly_sheet_api_and_export(client_for, company_a):
    """March 2025 is long past: every working day of it is before today."""
    with tenant_context(company_a):
        shift = _shift(workdays=range(1, 8))
        guard = _profile("guard", "S001", shift=shift, hire_date=date(2024, 6, 1))
        _profile("repair", "R001", shift=shift, hire_date=date(2024, 6, 1))
        services.clock_in(user=guard.user, now=at(date(2025, 3, 3), "09:30"))
        services.clock_out(user=guard.user, now=at(date(2025, 3, 3), "18:00"))
    admin = client_for(company_a, "admin")
    rows = admin.get("/api/v1/attendance-sheet/?month=2025-03&ordering=employee_no").json()["results"]
    assert [r["employee_no"] for r in rows] == ["R001", "S001"]
    assert rows[1] | {"staff": 0} == {
        "staff": 0,
        "employee_no": "S001",
        "name": "guard",
        "department_name": None,
        "post_name": None,
        "shift_name": "白班",
        "working_days": 31,
        "days_worked": 1,
        "late_count": 1,
        "late_minutes": 30,
        "early_leave_count": 0,
        "absent_count": 30,
        "missing_clock_in_count": 0,
        "missing_clock_out_count": 0,
    }
    table = _xlsx_rows(admin.get("/api/v1/attendance-sheet/?month=2025-03&ordering=employee_no&format=xlsx"))
    assert table[0][:2] == ["工号", "姓名"] and "缺勤（天）" in table[0]
    assert table[2][0] == "S001" and table[2][table[0].index("缺勤（天）")] == 30

    bad = admin.get("/api/v1/attendance-sheet/?month=2025-13")
    assert bad.status_code == 400 and "month" in bad.json()["fields"]
    assert admin.get("/api/v1/attendance-sheet/?month=March").status_code == 400


# --- performance ------------------------------------------------------------------------------


def test_performance_is_read_from_the_repairs_each_worker_finished(client_for, company_a):
    """Counted in the month (Beijing time) the repair was finished by the worker now holding it:
    cancelled, unfinished and reopened orders count nothing; SLA only where there was a due time."""
    from accounts import services as account_services

    with tenant_context(company_a):
        world = repair_world()
        _profile("repair", "R001")
        _profile("guard", "S001")
        other = account_services.create_user(username="repair2", name="钱师傅", roles=["repair_worker"])
        _profile("repair2", "R002")
        october = local("2026-10-15", "10:00")
        make_order(world, filed=october, completed=october, due=local("2026-10-16"), rating=5)  # met
        make_order(world, filed=october, completed=october, due=local("2026-10-15", "09:00"), rating=4)  # missed
        make_order(world, filed=october, completed=october, status=Status.CONFIRMED)  # no due, no rating
        make_order(world, filed=october, completed=october, status=Status.CLOSED, rating=2, due=local("2026-11-01"))
        # 2026-10-31 23:30 here is October; 2026-11-01 00:30 here is October in UTC but November here
        make_order(world, filed=october, completed=local("2026-10-31", "23:30"))
        make_order(world, filed=october, completed=local("2026-11-01", "00:30"), rating=1)
        make_order(world, filed=october, completed=local("2026-09-30", "23:59"))  # September
        make_order(world, filed=october, status=Status.CANCELLED)
        make_order(world, filed=october, status=Status.IN_PROGRESS)
        make_order(world, filed=october, status=Status.DISPATCHED, completed=october)  # reopened: not finished
        make_order(world, filed=october, completed=october, worker=other, rating=3)
    admin = client_for(company_a, "admin")
    rows = admin.get("/api/v1/staff-performance/?month=2026-10&ordering=employee_no").json()["results"]
    assert [r["employee_no"] for r in rows] == ["R001", "R002", "S001"]
    figures = ("work_orders_done", "rating_count", "average_rating", "sla_met", "sla_total", "sla_met_percent")
    assert {k: rows[0][k] for k in figures} == {
        "work_orders_done": 5,
        "rating_count": 3,
        "average_rating": "3.67",
        "sla_met": 2,
        "sla_total": 3,
        "sla_met_percent": "66.7",
    }
    assert {k: rows[1][k] for k in figures} == {
        "work_orders_done": 1,
        "rating_count": 1,
        "average_rating": "3.00",
        "sla_met": 0,
        "sla_total": 0,
        "sla_met_percent": None,
    }
    assert rows[2]["work_orders_done"] == 0 and rows[2]["average_rating"] is None
    november = admin.get("/api/v1/staff-performance/?month=2026-11&ordering=employee_no").json()["results"]
    assert (november[0]["work_orders_done"], november[0]["average_rating"]) == (1, "1.00")
    september = admin.get("/api/v1/staff-performance/?month=2026-09&ordering=employee_no").json()["results"]
    assert september[0]["work_orders_done"] == 1
    # read twice, the same: nothing is counted by reading
    assert admin.get("/api/v1/staff-performance/?month=2026-10&ordering=employee_no").json()["results"] == rows
    table = _xlsx_rows(admin.get("/api/v1/staff-performance/?month=2026-10&ordering=employee_no&format=xlsx"))
    assert table[0][0] == "工号" and table[1][table[0].index("完成工单")] == 5
    assert table[1][table[0].index("按时率（%）")] == 66.7


def test_another_companys_repairs_are_not_its_staffs_performance(client_for, company_a, company_b):
    with tenant_context(company_a):
        world = repair_world()
        make_order(world, filed=local("2026-10-15"), completed=local("2026-10-15"), rating=5)
    with tenant_context(company_b):
        _profile("repair", "R001")
    rows = client_for(company_b, "admin").get("/api/v1/staff-performance/?month=2026-10").json()["results"]
    assert [(r["employee_no"], r["work_orders_done"]) for r in rows] == [("R001", 0)]


# --- roles and isolation ----------------------------------------------------------------------


def test_a_guard_clocks_in_but_manages_nothing_and_sees_no_one_elses_attendance(client_for, company_a):
    with tenant_context(company_a):
        _profile("guard", "S001")
        repair = _profile("repair", "R001")
        services.clock_in(user=repair.user)
    guard = client_for(company_a, "guard")
    assert guard.post("/api/v1/attendance/clock-in/", {}, format="json").status_code == 201
    for path in (
        "/api/v1/attendance-records/",
        "/api/v1/attendance-sheet/",
        "/api/v1/staff-performance/",
        "/api/v1/staff-profiles/",
        "/api/v1/departments/",
        "/api/v1/shifts/",
        "/api/v1/roster/",
    ):
        assert guard.get(path).status_code == 403, path
    assert guard.post("/api/v1/departments/", {"name": "x"}, format="json").status_code == 403
    assert guard.post(f"/api/v1/staff-profiles/{repair.pk}/duty/", {"on_duty": False}, format="json").status_code == 403
    mine = guard.get("/api/v1/attendance/mine/").json()
    assert [r["employee_no"] for r in mine] == ["S001"]
    me = guard.get("/api/v1/me/").json()
    assert "staff.view" not in me["permissions"] and "staff.clock" in me["permissions"]


def test_owner_app_tokens_cannot_clock(client_for, company_a):
    from accounts import services as account_services

    with tenant_context(company_a):
        _profile("guard", "S001")
        raw, _token = account_services.issue_token(user=User.objects.get(username="guard"), kind="sms")
    client = client_for(company_a)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert client.post("/api/v1/attendance/clock-in/", {}, format="json").status_code == 403


def test_another_company_sees_none_of_it(client_for, company_a, company_b):
    with tenant_context(company_a):
        department = services.create_department(name="只在阿尔法", actor=_admin())
        for filler in range(3):  # ids beyond anything beta has
            services.create_department(name=f"占位{filler}", actor=_admin())
        profile = _profile("guard", "S001", department=department)
        services.clock_in(user=profile.user)
        record = AttendanceRecord.objects.get()
    on_b = client_for(company_b, "admin")
    assert on_b.get(f"/api/v1/departments/{department.pk}/").status_code == 404
    assert on_b.patch(f"/api/v1/departments/{department.pk}/", {"name": "x"}, format="json").status_code == 404
    assert on_b.get(f"/api/v1/staff-profiles/{profile.pk}/").status_code == 404
    assert on_b.post(f"/api/v1/staff-profiles/{profile.pk}/duty/", {"on_duty": False}).status_code == 404
    assert on_b.get("/api/v1/departments/").json()["count"] == 0
    assert on_b.get("/api/v1/staff-profiles/").json()["count"] == 0
    assert on_b.get("/api/v1/attendance-records/").json()["count"] == 0
    assert on_b.get(f"/api/v1/attendance-records/?staff={profile.pk}").status_code in (200, 400)
    assert on_b.get("/api/v1/attendance-sheet/").json()["count"] == 0
    # The record's staff id does not exist in beta: a roster entry for it is refused there.
    refused = on_b.post("/api/v1/roster/", {"staff": record.staff_id, "date": "2026-11-02", "shift": None})
    assert refused.status_code == 400 and "staff" in refused.json()["fields"]

    # Alpha's session on beta's host is nobody there.
    alpha = client_for(company_a, "admin")
    alpha.defaults["HTTP_HOST"] = f"{company_b.slug}.localhost"
    for path in ("/api/v1/departments/", "/api/v1/staff-profiles/", "/api/v1/attendance/today/"):
        assert alpha.get(path).status_code in (401, 403), path
    with tenant_context(company_b):
        assert not AttendanceRecord.objects.exists() and not Department.objects.exists()


# --- query counts -----------------------------------------------------------------------------


def _staff(company, count: int):
    from accounts import services as account_services

    with tenant_context(company):
        world = repair_world()
        shift = _shift()
        department = services.create_department(name="客服部", actor=_admin())
        post = services.create_post(name="客服专员", actor=_admin())
        day = date(2025, 3, 3)
        for i in range(count):
            user = account_services.create_user(username=f"s{i:02d}", name=f"员工{i}", roles=["customer_service"])
            services.create_profile(
                user=user, employee_no=f"N{i:03d}", department=department, post=post, shift=shift, actor=_admin()
            )
            services.clock_in(user=user, now=at(day, "09:00"))
            make_order(world, filed=at(day, "09:00"), completed=at(day, "12:00"), rating=5, worker=user)
            profile = StaffProfile.objects.get(user=user)
            services.set_roster_day(staff=profile, day=day, shift=None, actor=_admin())
            services.create_post(name=f"岗位{i}", actor=_admin())
            services.create_shift(
                name=f"班次{i}", start_time=time(8, 0), end_time=time(17, i), actor=_admin(), workdays=[1]
            )


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/staff-profiles/",
        "/api/v1/attendance-records/",
        "/api/v1/attendance-sheet/?month=2025-03",
        "/api/v1/staff-performance/?month=2025-03",
        "/api/v1/departments/",
        "/api/v1/posts/",
        "/api/v1/shifts/",
        "/api/v1/roster/",
    ],
)
def test_list_query_counts_do_not_grow_with_page_size(client_for, company_a, path):
    _staff(company_a, 12)
    admin = client_for(company_a, "admin")
    joiner = "&" if "?" in path else "?"
    counts = []
    for size in (2, 12):
        with CaptureQueriesContext(connection) as queries:
            response = admin.get(f"{path}{joiner}page_size={size}")
            assert response.status_code == 200, response.content
        counts.append(len(queries))
    assert counts[0] == counts[1], path


# --- demo data --------------------------------------------------------------------------------


def test_demo_staff_seed_is_idempotent(company_a):
    from tenants.demo import staff_seed

    today = date(2026, 11, 20)
    with tenant_context(company_a):
        staff_seed.seed_staff(today=today)
        counts = (
            Department.objects.count(),
            StaffProfile.objects.count(),
            Shift.objects.count(),
            AttendanceRecord.objects.count(),
        )
        assert counts[0] == 5 and counts[1] >= 6 and counts[2] >= 1 and counts[3] > 50
        staff_seed.seed_staff(today=today + timedelta(days=3))
        assert (
            Department.objects.count(),
            StaffProfile.objects.count(),
            Shift.objects.count(),
            AttendanceRecord.objects.count(),
        ) == counts
