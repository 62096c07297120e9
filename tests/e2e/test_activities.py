"""社区活动, end to end in the browser: customer service publishes a paid activity for one estate in
the admin → an owner of that estate finds it in the H5 owner app and signs up (the seat is charged
on the house, so the admin's sign-up list shows 未缴 before the event) → at the event the staff
check the owner in by the code the owner's page shows → the admin's figures move (checked in 0 → 1,
the list's 签到人数 column) and the owner's page says checked in. Every page is watched: console
errors, 404/500 answers and English words on the zh-CN screens fail the walk."""

from __future__ import annotations

import random
import re
from datetime import date, timedelta
from decimal import Decimal

import pytest

from tests.conftest import PASSWORD
from tests.e2e.conftest import PHONE, login, screenshot
from tests.e2e.owner_world import bound_owner, require_h5_build, small_estate
from tests.e2e.watch import Watch

pytestmark = pytest.mark.e2e


def test_staff_publish_owner_signs_up_staff_check_in_figures_move(
    new_context, live_stack, in_company_db, patient_expect
):
    from django.utils import timezone
    from playwright.sync_api import expect

    from accounts.models import User
    from billing.models import FeeItem
    from tenants.activities import services as activity_services
    from tenants.activities.models import SignUp

    require_h5_build()
    tag = f"{random.randrange(10_000):04d}"
    title = f"亲子烘焙{tag}"
    estate, (house,) = small_estate(in_company_db, f"活动小区{tag}", building="2栋", floors=1)
    with in_company_db("alpha"):
        admin = User.objects.get(username="admin")
        item = FeeItem.objects.create(
            name=f"活动费{tag}", kind="one_off", mode="fixed", cycle_months=0, valid_from=date(2026, 1, 1), due_value=7
        )
        start = timezone.now() + timedelta(days=2)
        draft = activity_services.create_activity(
            actor=admin,
            title=title,
            description="<p>一起做月饼</p>",
            place="会所二楼",
            start_at=start,
            end_at=start + timedelta(hours=2),
            signup_deadline=start - timedelta(hours=6),
            capacity=10,
            max_people=2,
            target="estates",
            estates=[estate],
            fee=Decimal("30.00"),
            fee_item=item,
        )
        service_name = User.objects.get(username="service").name

    watch = Watch(allowed_words={service_name})
    watch.allow_status(401, r"/api/v1/me/$", "the admin's first look before signing in")

    # --- the owner, bound to the estate's house ------------------------------------------------------
    owner = new_context(**PHONE).new_page()
    watch.attach(owner, "owner")
    user = bound_owner(owner, live_stack, in_company_db, phone=f"1390002{tag}", house=house, name="活动业主")

    # --- customer service publishes the draft in the admin ---------------------------------------------
    staff = new_context().new_page()
    watch.attach(staff, "staff")
    login(staff, live_stack, "alpha", "service", PASSWORD)
    staff.get_by_test_id("nav-activities").click()
    staff.wait_for_url(re.compile(r"/activities$"))
    expect(staff.get_by_test_id("activities-page")).to_be_visible()
    expect(staff.get_by_test_id(f"activity-status-{draft.pk}")).to_have_text("草稿")
    staff.get_by_test_id(f"activity-publish-{draft.pk}").click()
    staff.get_by_test_id(f"activity-publish-{draft.pk}-confirm").click()
    expect(staff.get_by_test_id(f"activity-status-{draft.pk}")).to_have_text("报名中")
    watch.screen(staff, "admin-activities-published")

    # --- the owner signs up in the H5 app --------------------------------------------------------------
    owner.goto(live_stack.url("alpha", "/h5/#/pages/index/index"))
    owner.get_by_test_id("home-entry-activities").click()
    expect(owner.get_by_test_id("activities-page")).to_have_attribute("data-status", "ready")
    row = owner.locator(f"[data-testid=activity][data-activity-id='{draft.pk}']")
    expect(row).to_contain_text(title)
    watch.screen(owner, "owner-activities")
    row.click()
    expect(owner.get_by_test_id("activity-detail-page")).to_have_attribute("data-status", "published")
    owner.get_by_test_id("activity-sign-up").click()
    mine = owner.get_by_test_id("activity-my-signup")
    expect(mine).to_have_attribute("data-status", "confirmed")
    expect(owner.get_by_test_id("activity-charge")).to_contain_text("30.00")
    code_text = owner.get_by_test_id("activity-code").inner_text()
    code = code_text.split("：", 1)[1].strip()
    watch.allowed_words.add(code)  # a random token, not words
    with in_company_db("alpha"):
        signup = SignUp.objects.get(activity_id=draft.pk, user=user)
        assert signup.check_in_code == code  # the code the owner's page shows is the sign-up's
    watch.screen(owner, "owner-activity-signed-up")
    screenshot(owner, "activities-owner-signed-up")

    # --- the admin: the sign-up, unpaid before the event; figures before check-in ------------------------
    staff.reload()
    staff.get_by_test_id(f"activity-{draft.pk}").click()
    drawer = staff.get_by_test_id("activity-drawer")
    expect(drawer.get_by_test_id("activity-signups")).to_contain_text("2栋1单元")
    expect(drawer.get_by_test_id(f"signup-payment-{signup.pk}")).to_have_text("未缴")
    watch.screen(staff, "admin-activity-signups")
    screenshot(staff, "activities-admin-signups")
    staff.locator("#tab-stats").click()
    expect(drawer.get_by_test_id("stat-confirmed_people")).to_have_text("1")
    expect(drawer.get_by_test_id("stat-checked_in_people")).to_have_text("0")
    expect(drawer.get_by_test_id("stat-owing")).to_have_text("1")

    # --- at the event: checked in by the owner's code ------------------------------------------------
    staff.locator("#tab-check-in").click()
    drawer.get_by_test_id("check-in-code").fill(code)
    drawer.get_by_test_id("check-in-submit").click()
    expect(drawer.get_by_test_id("check-in-result")).to_contain_text("签到成功")
    watch.screen(staff, "admin-activity-checked-in")
    staff.locator("#tab-stats").click()
    expect(drawer.get_by_test_id("stat-checked_in_people")).to_have_text("1")
    expect(drawer.get_by_test_id("stat-checked_in")).to_have_text("1")
    screenshot(staff, "activities-admin-figures")
    staff.keyboard.press("Escape")
    columns = staff.locator("th").all_inner_texts()
    at = next(i for i, text in enumerate(columns) if text.strip() == "签到人数")
    listed = staff.locator("tr").filter(has=staff.get_by_test_id(f"activity-{draft.pk}")).first
    expect(listed.locator("td").nth(at)).to_have_text("1")

    owner.reload()
    expect(owner.get_by_test_id("activity-checked-in")).to_be_visible()
    watch.screen(owner, "owner-activity-checked-in")
    with in_company_db("alpha"):
        assert SignUp.objects.get(pk=signup.pk).checked_in_at is not None
    watch.assert_clean()
