"""社区公告, end to end in the browser: customer service writes an outage notice for one estate in the
admin and publishes it now → it reaches the owner's H5 inbox (消息) and the 社区公告 list with an
unread dot → the owner opens it (from the list; the inbox message links to the same page) → the
admin's reads drawer counts the read and the owner's house leaves the unread houses while the other
house stays. Every page is watched: console errors, 404/500 answers and English words on the zh-CN
screens fail the walk."""

from __future__ import annotations

import random
import re
import time

import pytest

from tests.conftest import PASSWORD
from tests.e2e.conftest import PHONE, login, screenshot
from tests.e2e.owner_world import bound_owner, require_h5_build, small_estate
from tests.e2e.watch import Watch

pytestmark = pytest.mark.e2e


def _until(page, locator, seconds: float = 30) -> None:
    """Reload `page` until `locator` shows (the notification is delivered by the worker)."""
    deadline = time.monotonic() + seconds
    while locator.count() == 0:
        if time.monotonic() > deadline:
            raise AssertionError(f"not shown after {seconds} s: {locator}")
        page.wait_for_timeout(1000)
        page.reload()
        page.wait_for_load_state("networkidle")


def test_an_outage_notice_reaches_the_owner_and_its_read_count_moves(
    new_context, live_stack, in_company_db, patient_expect
):
    from playwright.sync_api import expect

    from accounts.models import User
    from tenants.notices.models import Announcement

    require_h5_build()
    tag = f"{random.randrange(10_000):04d}"
    title = f"3栋明日停水{tag}"
    estate, (mine, other) = small_estate(in_company_db, f"公告小区{tag}", building="3栋")
    with in_company_db("alpha"):
        service_name = User.objects.get(username="service").name

    watch = Watch(allowed_words={service_name})
    watch.allow_status(401, r"/api/v1/me/$", "the admin's first look before signing in")

    # --- the owner, bound to one of the estate's two houses --------------------------------------------
    owner = new_context(**PHONE).new_page()
    watch.attach(owner, "owner")
    bound_owner(owner, live_stack, in_company_db, phone=f"1390001{tag}", house=mine, name="公告业主")

    # --- customer service writes and publishes it ------------------------------------------------------
    staff = new_context().new_page()
    watch.attach(staff, "staff")
    login(staff, live_stack, "alpha", "service", PASSWORD)
    staff.get_by_test_id("nav-community").click()
    staff.wait_for_url(re.compile(r"/community/notices$"))
    expect(staff.get_by_test_id("notices-page")).to_be_visible()
    staff.get_by_test_id("notice-create").click()
    form = staff.get_by_test_id("notice-form")
    form.get_by_test_id("notice-title").fill(title)
    form.get_by_test_id("notice-kind-outage").click()
    form.get_by_test_id("notice-target-estates").click()
    form.get_by_test_id("notice-estates").click()
    staff.locator(".el-select-dropdown__item:visible").filter(has_text=f"公告小区{tag}").first.click()
    form.get_by_test_id("notice-title").click()  # close the picker
    # Until it has faded out, the picker's options (other tests' estates) are on the screen's text.
    expect(staff.locator(".el-select-dropdown__item:visible")).to_have_count(0)
    form.get_by_test_id("notice-body-area").click()
    staff.keyboard.type("明天 8:00–12:00 停水检修，请提前储水。")
    form.get_by_test_id("notice-body-bold").click()
    staff.keyboard.type("不便之处敬请谅解")
    watch.screen(staff, "admin-notice-editor")
    screenshot(staff, "notices-admin-editor")
    form.get_by_test_id("notice-form-submit").click()
    publish = staff.get_by_test_id("notice-publish")
    expect(publish).to_be_visible()
    publish.get_by_test_id("notice-publish-submit").click()
    with in_company_db("alpha"):
        deadline = time.monotonic() + 15
        while not Announcement.objects.filter(title=title, status="published").exists():
            assert time.monotonic() < deadline, "the notice was not published"
            time.sleep(0.3)
        notice = Announcement.objects.get(title=title)
        assert notice.kind == "outage" and list(notice.estates.values_list("pk", flat=True)) == [estate.pk]
        assert "停水检修" in notice.body and "<b>不便之处敬请谅解</b>" in notice.body.replace("strong", "b")
    expect(staff.get_by_test_id(f"notice-status-{notice.pk}")).to_have_text("已发布")
    expect(staff.get_by_test_id(f"notice-reads-{notice.pk}")).to_have_text("0")

    staff.get_by_test_id(f"notice-stats-{notice.pk}").click()
    drawer = staff.get_by_test_id("notice-stats")
    expect(drawer.get_by_test_id(f"unread-{mine.pk}")).to_be_visible()
    expect(drawer.get_by_test_id(f"unread-{other.pk}")).to_be_visible()
    expect(drawer.get_by_test_id("stats-unread-count")).to_contain_text("2 户未读")
    watch.screen(staff, "admin-notice-stats-before")

    # --- the owner: the inbox, the list with its dot, the notice ---------------------------------------
    owner.goto(live_stack.url("alpha", "/h5/#/pages/messages/messages"))
    message = owner.get_by_test_id("message").filter(has_text=title)
    _until(owner, message)
    expect(message.first).to_have_attribute("data-read", "false")
    watch.screen(owner, "owner-inbox")

    owner.goto(live_stack.url("alpha", "/h5/#/pages/index/index"))
    owner.get_by_test_id("home-entry-notices").click()
    expect(owner.get_by_test_id("notices-page")).to_have_attribute("data-status", "ready")
    row = owner.locator(f"[data-testid=notice][data-notice-id='{notice.pk}']")
    expect(row).to_have_attribute("data-read", "false")
    expect(row.get_by_test_id("notice-unread")).to_have_count(1)
    expect(row.get_by_test_id("notice-kind")).to_have_text("停水停电")
    watch.screen(owner, "owner-notices")
    screenshot(owner, "notices-owner-list")
    row.click()
    expect(owner.get_by_test_id("notice-detail-title")).to_have_text(title)
    expect(owner.get_by_test_id("notice-detail-body")).to_contain_text("停水检修")
    watch.screen(owner, "owner-notice-detail")
    screenshot(owner, "notices-owner-detail")

    # The inbox message leads to the same page (the server's link is the detail page's URL).
    owner.goto(live_stack.url("alpha", "/h5/#/pages/messages/messages"))
    owner.get_by_test_id("message").filter(has_text=title).first.click()
    expect(owner.get_by_test_id("notice-detail-title")).to_have_text(title)
    owner.goto(live_stack.url("alpha", "/h5/#/pages/notices/list"))
    expect(owner.locator(f"[data-testid=notice][data-notice-id='{notice.pk}']")).to_have_attribute("data-read", "true")

    # --- the admin: the read counted, the owner's house no longer unread -------------------------------
    staff.reload()
    expect(staff.get_by_test_id(f"notice-reads-{notice.pk}")).to_have_text("1")
    staff.get_by_test_id(f"notice-stats-{notice.pk}").click()
    drawer = staff.get_by_test_id("notice-stats")
    expect(drawer.get_by_test_id("stats-reads")).to_contain_text("1")
    expect(drawer.get_by_test_id(f"unread-{other.pk}")).to_be_visible()
    expect(drawer.get_by_test_id(f"unread-{mine.pk}")).to_have_count(0)
    expect(drawer.get_by_test_id("stats-unread-count")).to_contain_text("1 户未读")
    watch.screen(staff, "admin-notice-stats-after")
    screenshot(staff, "notices-admin-stats")
    watch.assert_clean()
