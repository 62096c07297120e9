"""报修, end to end in the browser: an owner files a repair with a photo in the H5 app (sees it on the
order, fetched with the token) → the dispatcher sees it in 报修工单 with the photo and assigns a
worker → the worker, on a 375 px phone, accepts, starts and completes it with a note → the owner
confirms and rates it → the admin's detail shows the whole timeline. Every page
is watched: console errors, 404/500 answers and English words on the zh-CN screens fail the walk."""

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


def test_owner_files_dispatcher_assigns_worker_completes_owner_rates(
    new_context, live_stack, in_company_db, patient_expect
):
    from playwright.sync_api import expect

    from accounts.models import User
    from tenants.repairs import services as repair_services
    from tenants.repairs.models import RepairOrder

    require_h5_build()
    tag = f"{random.randrange(10_000):04d}"
    _estate, (house, _upper) = small_estate(in_company_db, f"报修小区{tag}")
    with in_company_db("alpha"):
        admin = User.objects.get(username="admin")
        water = repair_services.create_category(actor=admin, name=f"水电{tag}")
        leak = repair_services.create_category(
            actor=admin, name="管道漏水", parent=water, default_urgency="normal", sla_hours={"normal": 24, "urgent": 8}
        )
        worker_name = User.objects.get(username="repair").name
        dispatcher_name = User.objects.get(username="dispatcher").name

    watch = Watch(allowed_words={worker_name, dispatcher_name})  # the fixture's staff names
    watch.allow_status(401, r"/api/v1/me/$", "the admin's first look before signing in")

    # --- the owner files in the H5 app ---------------------------------------------------------------
    owner = new_context(**PHONE).new_page()
    watch.attach(owner, "owner")
    owner_phone = f"1390000{tag}"
    user = bound_owner(owner, live_stack, in_company_db, phone=owner_phone, house=house, name="报修业主")

    owner.goto(live_stack.url("alpha", "/h5/#/pages/index/index"))
    owner.get_by_test_id("home-entry-repairs").click()
    expect(owner.get_by_test_id("repairs-page")).to_have_attribute("data-status", "ready")
    watch.screen(owner, "owner-repairs-empty")
    owner.get_by_test_id("repairs-file").click()
    owner.get_by_test_id(f"repair-top-{water.pk}").click()
    owner.get_by_test_id(f"repair-child-{leak.pk}").click()
    owner.get_by_test_id(f"repair-house-{house.pk}").click()
    owner.get_by_test_id("repair-urgency-urgent").click()
    owner.locator("[data-testid=repair-description] textarea").fill("厨房水槽下水管漏水")
    with owner.expect_file_chooser() as chooser:  # uni.chooseImage's file input in H5
        owner.get_by_test_id("repair-photo-add").click()
    chooser.value.set_files({"name": "leak.png", "mimeType": "image/png", "buffer": png_bytes()})
    expect(owner.get_by_test_id("repair-photo")).to_have_count(1)
    watch.screen(owner, "owner-file")
    screenshot(owner, "repairs-owner-file")
    owner.get_by_test_id("repair-submit").click()
    expect(owner.get_by_test_id("repair-detail-page")).to_have_attribute("data-status", "submitted")
    expect(owner.get_by_test_id("repair-cancel")).to_be_visible()  # before work starts
    # The photo, behind the owner's token, shows from the temp path uni.downloadFile gave.
    shown = owner.get_by_test_id("repair-detail-photos").get_by_test_id("photo")
    expect(shown).to_have_count(1)
    owner.wait_for_function(
        "() => [...document.querySelectorAll('[data-testid=repair-detail-photos] img')]"
        ".some((i) => i.complete && i.naturalWidth > 0)"
    )
    watch.screen(owner, "owner-detail-submitted")
    with in_company_db("alpha"):
        order = RepairOrder.objects.get(house=house)
        assert (order.category_id, order.urgency, order.owner_id) == (leak.pk, "urgent", user.pk)
        assert [p.kind for p in order.photos.all()] == ["problem"]
        number = order.number

    # --- the dispatcher assigns it --------------------------------------------------------------------
    dispatcher = new_context().new_page()
    watch.attach(dispatcher, "dispatcher")
    login(dispatcher, live_stack, "alpha", "dispatcher", PASSWORD)
    dispatcher.get_by_test_id("nav-repairs").click()
    dispatcher.wait_for_url(re.compile(r"/repairs/orders$"))
    row = dispatcher.get_by_test_id(f"repair-{number}")
    expect(row).to_be_visible()
    watch.screen(dispatcher, "admin-repairs-list")
    row.click()
    drawer = dispatcher.get_by_test_id("repair-drawer")
    expect(drawer.get_by_test_id("detail-status")).to_have_text("待派单")
    expect(drawer.get_by_test_id("photo-strip").locator("img")).to_have_count(1)  # the order's photos
    expect(drawer.locator(".photos .photo img")).to_have_count(1)  # the same photo, on the filing step
    dispatcher.wait_for_function(
        "() => [...document.querySelectorAll('[data-testid=repair-drawer] .photo img')]"
        ".some((i) => i.complete && i.naturalWidth > 0)"
    )
    drawer.get_by_test_id("repair-worker").click()
    dispatcher.locator(".el-select-dropdown__item:visible").filter(has_text=worker_name).first.click()
    drawer.get_by_test_id("repair-note").fill("请先电话联系业主")
    drawer.get_by_test_id("repair-dispatch").click()
    expect(drawer.get_by_test_id("detail-status")).to_have_text("已派单")
    expect(drawer.get_by_test_id("detail-worker")).to_have_text(worker_name)
    watch.screen(dispatcher, "admin-repair-dispatched")
    screenshot(dispatcher, "repairs-admin-dispatched")

    # --- the worker, on a phone ----------------------------------------------------------------------
    worker = new_context(**PHONE).new_page()
    watch.attach(worker, "worker")
    login(worker, live_stack, "alpha", "repair", PASSWORD)
    worker.goto(live_stack.url("alpha", "/repairs"))
    worker.wait_for_url(re.compile(r"/repairs/work$"))
    card = worker.get_by_test_id(f"work-{number}")
    expect(card).to_be_visible()
    watch.screen(worker, "worker-to-accept")
    box = card.get_by_test_id("work-accept").bounding_box()
    assert box and box["height"] >= 44  # a thumb's target
    card.get_by_test_id("work-accept").tap()
    expect(card.get_by_test_id("work-status")).to_have_text("已接单")
    card.get_by_test_id("work-start").tap()
    worker.get_by_test_id("step-submit").tap()  # no photos on site this time
    expect(card.get_by_test_id("work-status")).to_have_text("维修中")
    card.get_by_test_id("work-call").tap()
    expect(card.get_by_test_id("work-tel")).to_have_attribute("href", f"tel:{owner_phone}")
    card.get_by_test_id("work-complete").tap()
    worker.get_by_test_id("step-note").fill("更换了下水管和密封圈")
    worker.get_by_test_id("step-submit").tap()
    expect(card.get_by_test_id("work-status")).to_have_text("已完工")
    watch.screen(worker, "worker-done")
    screenshot(worker, "repairs-worker-done")
    assert worker.evaluate("document.documentElement.scrollWidth") <= 375

    # --- the owner confirms and rates -----------------------------------------------------------------
    owner.reload()
    expect(owner.get_by_test_id("repair-detail-page")).to_have_attribute("data-status", "completed")
    expect(owner.get_by_test_id("repair-cancel")).to_have_count(0)
    owner.get_by_test_id("repair-star-4").click()
    owner.get_by_test_id("repair-tag-onTime").click()
    owner.get_by_test_id("repair-tag-skilled").click()
    watch.screen(owner, "owner-rate")
    owner.get_by_test_id("repair-confirm").click()
    expect(owner.get_by_test_id("repair-detail-page")).to_have_attribute("data-status", "confirmed")
    expect(owner.get_by_test_id("repair-my-rating")).to_contain_text("★★★★☆")
    watch.screen(owner, "owner-rated")
    screenshot(owner, "repairs-owner-rated")

    # --- the admin's detail has the whole timeline ----------------------------------------------------
    dispatcher.reload()
    dispatcher.get_by_test_id(f"repair-{number}").click()
    drawer = dispatcher.get_by_test_id("repair-drawer")
    expect(drawer.get_by_test_id("detail-status")).to_have_text("已评价")
    expect(drawer.get_by_test_id("detail-rating")).to_have_text("4 星")
    steps = drawer.get_by_test_id("repair-step")
    expect(steps).to_have_count(6)
    for transition in ("file", "dispatch", "accept", "start", "complete", "confirm"):
        expect(drawer.get_by_test_id(f"step-{transition}")).to_be_visible()
    expect(drawer.get_by_test_id("repair-timeline")).to_contain_text("请先电话联系业主")
    expect(drawer.get_by_test_id("repair-timeline")).to_contain_text("更换了下水管和密封圈")
    watch.screen(dispatcher, "admin-repair-timeline")
    screenshot(dispatcher, "repairs-admin-timeline")
    with in_company_db("alpha"):
        order.refresh_from_db()
        assert (order.status, order.rating, order.rating_tags) == ("confirmed", 4, ["准时上门", "技术专业"])
    watch.assert_clean()
