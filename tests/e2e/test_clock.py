"""A guard clocks in and out on a phone, with the browser's location, against the real server."""

from __future__ import annotations

import datetime

import pytest

from tests.conftest import PASSWORD
from tests.e2e.conftest import PHONE, login, screenshot

pytestmark = pytest.mark.e2e

WEST_LAKE = {"latitude": 30.259244, "longitude": 120.148903, "accuracy": 25}


@pytest.fixture
def guard_profile(in_company_db):
    from accounts.models import User
    from tenants.staff import services as staff_services
    from tenants.staff.models import AttendanceRecord, Shift, StaffProfile

    with in_company_db("alpha"):
        guard = User.objects.get(username="guard")
        shift = Shift.objects.filter(name="全天班").first() or staff_services.create_shift(
            name="全天班",
            start_time=datetime.time(0, 0),
            end_time=datetime.time(23, 59),
            workdays=[1, 2, 3, 4, 5, 6, 7],
            actor=None,
        )
        profile = StaffProfile.objects.filter(user=guard).first() or staff_services.create_profile(
            user=guard, employee_no="E2E-G01", shift=shift, actor=None
        )
        AttendanceRecord.objects.filter(staff=profile).delete()  # a clean day for this run
        return profile.pk


def test_guard_clocks_in_and_out_with_location(new_context, live_stack, guard_profile, in_company_db):
    from playwright.sync_api import expect

    context = new_context(**PHONE, geolocation=WEST_LAKE, permissions=["geolocation"])
    page = context.new_page()
    login(page, live_stack, "alpha", "guard", PASSWORD)
    page.goto(live_stack.url("alpha", "/clock"))
    expect(page.get_by_test_id("clock-page")).to_be_visible()
    expect(page.get_by_test_id("clock-in-time")).not_to_contain_text(":")

    page.get_by_test_id("clock-in").click()
    expect(page.get_by_test_id("clock-in-time")).to_contain_text(":")
    expect(page.get_by_test_id("clock-in")).to_be_disabled()
    screenshot(page, "clock-phone-in")
    page.get_by_test_id("clock-out").click()
    expect(page.get_by_test_id("clock-out-time")).to_contain_text(":")

    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"the clock page scrolls sideways on a phone ({width}px)"

    from tenants.staff.models import AttendanceRecord

    with in_company_db("alpha"):
        record = AttendanceRecord.objects.get(staff_id=guard_profile)
        assert record.clock_in_at is not None and record.clock_out_at >= record.clock_in_at
        assert float(record.clock_in_latitude) == pytest.approx(WEST_LAKE["latitude"], abs=1e-5)
        assert float(record.clock_in_longitude) == pytest.approx(WEST_LAKE["longitude"], abs=1e-5)


def test_admin_gives_the_guard_a_day_off_in_the_roster(desktop, live_stack, guard_profile, in_company_db):
    from playwright.sync_api import expect

    from tenants.staff.models import RosterEntry

    with in_company_db("alpha"):
        RosterEntry.objects.filter(staff_id=guard_profile).delete()
    page = desktop
    login(page, live_stack, "alpha", "admin", PASSWORD)
    page.goto(live_stack.url("alpha", "/basic-data/attendance?view=roster"))
    expect(page.get_by_test_id("roster-week")).to_be_visible()
    page.get_by_test_id("roster-next").click()  # next week: every day is a 全天班 working day
    cell = page.locator(f"[data-testid^=roster-cell-{guard_profile}-]").first
    expect(cell).to_contain_text("全天班")
    expect(cell).to_have_attribute("data-override", "false")
    day = cell.get_attribute("data-testid").removeprefix(f"roster-cell-{guard_profile}-")
    cell.click()
    page.get_by_test_id("roster-pick-off").click()
    page.get_by_test_id("roster-save").click()
    expect(cell).to_have_attribute("data-override", "true")
    expect(cell).to_contain_text("休息")
    screenshot(page, "roster-day-off")
    with in_company_db("alpha"):
        entry = RosterEntry.objects.get(staff_id=guard_profile)
        assert (entry.date.isoformat(), entry.shift_id) == (day, None)
