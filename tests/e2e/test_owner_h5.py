"""The owner app's H5 build on a phone: log in with a texted code, ask to bind a house, wait for
staff, and see the approval — against the real server, worker and database."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from tests.e2e.conftest import ROOT, screenshot

pytestmark = pytest.mark.e2e

H5_INDEX = ROOT / "miniprogram" / "dist" / "build" / "h5" / "index.html"
PHONE = "13822223333"


@pytest.fixture
def estate_in_alpha(in_company_db):
    from tenants.estates import services as estate_services
    from tenants.estates.models import Estate

    with in_company_db("alpha"):
        estate = Estate.objects.filter(name="浏览器小区").first()
        if estate is None:
            estate = estate_services.create_estate(name="浏览器小区")
            building = estate_services.create_building(estate=estate, name="3栋", floors=12, units=["2单元"])
            estate_services.generate_houses(
                building=building,
                per_floor=2,
                building_area=Decimal("95.00"),
                usable_area=Decimal("80.00"),
                layout="3室2厅",
            )
        return estate.pk


def test_owner_logs_in_binds_a_house_and_sees_it_approved(phone, live_stack, estate_in_alpha, in_company_db):
    from playwright.sync_api import expect

    if not Path(H5_INDEX).exists():
        pytest.fail("the owner app's H5 build is missing: cd miniprogram && npm run build:h5")
    from standins import sms as sms_standin

    sms_standin.reset(PHONE)
    page = phone
    page.goto(live_stack.url("alpha", "/h5/"))

    # Log in: phone, texted code (the stand-in's code is shown as a hint and is in its outbox).
    expect(page.get_by_test_id("login-company-name")).to_contain_text("阿尔法")
    page.locator("[data-testid=login-phone] input").fill(PHONE)
    page.get_by_test_id("login-send-code").click()
    expect(page.get_by_test_id("login-debug-code")).to_be_visible()
    code = sms_standin.outbox(PHONE)[0]["params"]["code"]
    page.locator("[data-testid=login-code] input").fill(code)
    page.get_by_test_id("login-submit").click()
    screenshot(page, "owner-h5-after-login")

    # Not bound yet: the app leads to binding.
    expect(page.get_by_test_id("bind-page").or_(page.get_by_test_id("home-bind-banner"))).to_be_visible()
    if page.get_by_test_id("home-bind-banner").is_visible():
        page.get_by_test_id("home-bind-banner").click()
    page.locator(f"[data-testid=bind-estate-option][data-estate-id='{estate_in_alpha}']").click()
    page.locator("[data-testid=bind-house-search] input").fill("1101")
    page.get_by_test_id("bind-house-search-submit").click()
    option = page.get_by_test_id("bind-house-option").filter(has_text="3栋2单元1101")
    option.click()
    page.get_by_test_id("bind-relation-owner").click()
    page.locator("[data-testid=bind-name] input").fill("林业主")
    page.get_by_test_id("bind-submit").click()

    status = page.get_by_test_id("bind-status")
    expect(status).to_have_attribute("data-status", "pending")
    expect(status).to_contain_text("待物业审核")
    screenshot(page, "owner-h5-binding-pending")

    # Staff approve (the admin page for this comes with basic data); the owner sees it.
    from tenants.residents import services as resident_services
    from tenants.residents.models import HouseBinding

    with in_company_db("alpha"):
        binding = HouseBinding.objects.get(name="林业主", house__number="1101", house__building__name="3栋")
        assert binding.status == "pending"
        resident_services.approve_binding(binding_id=binding.pk, actor=None)

    page.goto(live_stack.url("alpha", "/h5/#/pages/profile/profile"))
    house = page.get_by_test_id("profile-house").first
    expect(house).to_have_attribute("data-status", "approved")
    page.reload()
    expect(page.get_by_test_id("profile-name")).to_contain_text("林业主")  # the name staff accepted
    screenshot(page, "owner-h5-profile-approved")


def test_the_owner_app_of_one_company_is_not_another_company(browser, live_stack):
    """The same H5 build on beta's host is beta's app: its branding, and alpha's token means nothing."""
    from playwright.sync_api import expect

    context = browser.new_context(viewport={"width": 375, "height": 812}, is_mobile=True, has_touch=True)
    try:
        page = context.new_page()
        page.goto(live_stack.url("beta", "/h5/"))
        expect(page.get_by_test_id("login-company-name")).to_contain_text("贝塔")
    finally:
        context.close()
