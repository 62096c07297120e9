"""投诉建议, end to end in the browser: an owner files a complaint with a photo in the H5 app (sees
the photo on the item, fetched with the token) → customer service finds it in 投诉建议 with the
photo, assigns it, replies and marks it resolved → the owner reads the reply and rates their
satisfaction → the admin's detail shows the whole timeline and the trends tab draws the month.
Every page is watched: console errors, 404/500 answers and English words on the zh-CN screens fail
the walk."""

from __future__ import annotations

import random
import re

import pytest

from tests.conftest import PASSWORD
from tests.e2e.conftest import PHONE, login, screenshot
from tests.e2e.owner_world import bound_owner, require_h5_build, small_estate
from tests.e2e.test_admin import png_bytes
from tests.e2e.watch import Watch

pytestmark = pytest.mark.e2e

REPLY = "已联系楼上住户，晚十点后停止装修"


def test_owner_files_with_a_photo_staff_assign_and_reply_owner_rates(
    new_context, live_stack, in_company_db, patient_expect
):
    from playwright.sync_api import expect

    from accounts.models import User
    from tenants.feedback.models import Feedback

    require_h5_build()
    tag = f"{random.randrange(10_000):04d}"
    _estate, (house, _upper) = small_estate(in_company_db, f"投诉小区{tag}")
    with in_company_db("alpha"):
        service_name = User.objects.get(username="service").name

    watch = Watch(allowed_words={service_name})  # the fixture's staff name
    watch.allow_status(401, r"/api/v1/me/$", "the admin's first look before signing in")

    # --- the owner files a complaint with a photo in the H5 app ---------------------------------------
    owner = new_context(**PHONE).new_page()
    watch.attach(owner, "owner")
    user = bound_owner(owner, live_stack, in_company_db, phone=f"1390001{tag}", house=house, name="投诉业主")

    owner.goto(live_stack.url("alpha", "/h5/#/pages/index/index"))
    owner.get_by_test_id("home-entry-feedback").click()
    expect(owner.get_by_test_id("feedback-page")).to_have_attribute("data-status", "ready")
    owner.get_by_test_id("feedback-file").click()
    owner.get_by_test_id("feedback-kind-complaint").click()
    owner.get_by_test_id(f"feedback-house-{house.pk}").click()
    owner.locator("[data-testid=feedback-description] textarea").fill("楼上夜里装修，噪音很大")
    with owner.expect_file_chooser() as chooser:  # uni.chooseImage's file input in H5
        owner.get_by_test_id("feedback-photo-add").click()
    chooser.value.set_files({"name": "noise.png", "mimeType": "image/png", "buffer": png_bytes()})
    expect(owner.get_by_test_id("feedback-photo")).to_have_count(1)
    expect(owner.get_by_test_id("feedback-photo-add")).to_contain_text("1/9")
    watch.screen(owner, "owner-feedback-file")
    screenshot(owner, "feedback-owner-file")
    owner.get_by_test_id("feedback-submit").click()
    expect(owner.get_by_test_id("feedback-detail-page")).to_have_attribute("data-status", "submitted")
    # The photo, behind the owner's token, shows from the temp path uni.downloadFile gave.
    expect(owner.get_by_test_id("feedback-detail-photos").get_by_test_id("photo")).to_have_count(1)
    owner.wait_for_function(
        "() => [...document.querySelectorAll('[data-testid=feedback-detail-photos] img')]"
        ".some((i) => i.complete && i.naturalWidth > 0)"
    )
    watch.screen(owner, "owner-feedback-submitted")
    with in_company_db("alpha"):
        item = Feedback.objects.get(owner=user)
        assert (item.kind, item.house_id, item.status) == ("complaint", house.pk, "submitted")
        assert item.photos.count() == 1

    # --- customer service assigns, replies and resolves ------------------------------------------------
    staff = new_context().new_page()
    watch.attach(staff, "service")
    login(staff, live_stack, "alpha", "service", PASSWORD)
    staff.get_by_test_id("nav-feedback").click()
    staff.wait_for_url(re.compile(r"/feedback/items$"))
    row = staff.get_by_test_id(f"status-{item.pk}")
    expect(row).to_have_text("待处理")
    watch.screen(staff, "admin-feedback-list")
    row.click()
    drawer = staff.get_by_test_id("detail-drawer")
    expect(drawer.get_by_test_id("detail-status")).to_have_text("待处理")
    expect(drawer.get_by_test_id("photo-strip").locator("img")).to_have_count(1)
    staff.wait_for_function(
        "() => [...document.querySelectorAll('[data-testid=photo-strip] img')]"
        ".some((i) => i.complete && i.naturalWidth > 0)"
    )
    drawer.get_by_test_id("feedback-assignee").click()
    staff.locator(".el-select-dropdown__item:visible").filter(has_text=service_name).first.click()
    drawer.get_by_test_id("feedback-assign").click()
    expect(drawer.get_by_test_id("detail-status")).to_have_text("处理中")
    drawer.get_by_test_id("feedback-note").fill(REPLY)
    drawer.get_by_test_id("feedback-reply").click()
    expect(drawer.get_by_test_id("detail-status")).to_have_text("已回复")
    drawer.get_by_test_id("feedback-resolve").click()
    staff.get_by_test_id("feedback-resolve-confirm").click()
    expect(drawer.get_by_test_id("detail-status")).to_have_text("已解决")
    watch.screen(staff, "admin-feedback-resolved")
    screenshot(staff, "feedback-admin-resolved")

    # --- the owner reads the reply and rates -----------------------------------------------------------
    owner.reload()
    expect(owner.get_by_test_id("feedback-detail-page")).to_have_attribute("data-status", "resolved")
    expect(owner.get_by_test_id("feedback-reply")).to_contain_text(REPLY)
    expect(owner.get_by_test_id("feedback-withdraw")).to_have_count(0)
    owner.get_by_test_id("feedback-star-4").click()
    watch.screen(owner, "owner-feedback-rate")
    owner.get_by_test_id("feedback-rate-submit").click()
    expect(owner.get_by_test_id("feedback-detail-page")).to_have_attribute("data-status", "closed")
    expect(owner.get_by_test_id("feedback-rating")).to_contain_text("4 星")
    watch.screen(owner, "owner-feedback-rated")
    screenshot(owner, "feedback-owner-rated")

    # --- the admin sees the whole timeline, and the month on the trends tab ----------------------------
    staff.reload()
    staff.get_by_test_id(f"status-{item.pk}").click()
    drawer = staff.get_by_test_id("detail-drawer")
    expect(drawer.get_by_test_id("detail-status")).to_have_text("已关闭")
    expect(drawer.get_by_test_id("timeline-entry")).to_have_count(5)  # file, assign, reply, resolve, rate
    expect(drawer.get_by_test_id("detail-timeline")).to_contain_text(REPLY)
    watch.screen(staff, "admin-feedback-timeline")
    staff.keyboard.press("Escape")
    staff.get_by_test_id("tab-feedback-stats").click()
    staff.wait_for_url(re.compile(r"/feedback/stats$"))
    expect(staff.get_by_test_id("stats-chart-kinds")).to_be_visible()
    expect(staff.get_by_test_id("stats-satisfaction")).not_to_contain_text("暂无评价")
    watch.screen(staff, "admin-feedback-trends")
    screenshot(staff, "feedback-admin-trends")
    with in_company_db("alpha"):
        item.refresh_from_db()
        assert (item.status, item.rating, item.reply) == ("closed", 4, REPLY)
        assert item.assignee is not None and item.assignee.username == "service"
    watch.assert_clean()
