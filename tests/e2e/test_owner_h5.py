"""The owner app's H5 build on a phone: log in with a texted code, ask to bind a house, wait for
staff, and see the approval — against the real server, worker and database."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from tests.conftest import PASSWORD
from tests.e2e.conftest import ROOT, login, screenshot

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


def test_owner_binds_in_h5_staff_approve_in_admin_and_owner_sees_the_house(
    phone, desktop, live_stack, estate_in_alpha, in_company_db
):
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
    code = sms_standin.outbox(PHONE)[0]["params"][0]
    page.locator("[data-testid=login-code] input").fill(code)
    page.get_by_test_id("login-submit").click()
    screenshot(page, "owner-h5-after-login")

    # Not bound yet: the app leads to binding; "my data" explains it comes after approval.
    expect(page.get_by_test_id("bind-page").or_(page.get_by_test_id("home-bind-banner"))).to_be_visible()
    page.goto(live_stack.url("alpha", "/h5/#/pages/my-info/my-info"))
    expect(page.get_by_test_id("my-info-no-profile")).to_be_visible()
    page.get_by_test_id("my-info-go-houses").click()
    expect(page.get_by_test_id("my-houses-empty")).to_be_visible()
    page.get_by_test_id("my-houses-bind").click()

    page.locator(f"[data-testid=bind-estate-option][data-estate-id='{estate_in_alpha}']").click()
    page.locator("[data-testid=bind-house-search] input").fill("1101")
    page.get_by_test_id("bind-house-search-submit").click()
    page.get_by_test_id("bind-house-option").filter(has_text="3栋2单元1101").click()
    page.get_by_test_id("bind-relation-owner").click()
    page.locator("[data-testid=bind-name] input").fill("林业主")
    page.get_by_test_id("bind-submit").click()
    status = page.get_by_test_id("bind-status")
    expect(status).to_have_attribute("data-status", "pending")
    expect(status).to_contain_text("待物业审核")
    screenshot(page, "owner-h5-binding-pending")

    # Customer service approves it in the web admin.
    from tenants.residents.models import HouseBinding

    with in_company_db("alpha"):
        binding_id = HouseBinding.objects.get(name="林业主", house__number="1101", house__building__name="3栋").pk
    login(desktop, live_stack, "alpha", "service", PASSWORD)
    desktop.goto(live_stack.url("alpha", "/basic-data/bindings"))
    row = desktop.get_by_test_id(f"binding-row-{binding_id}")
    expect(row).to_contain_text("林业主")
    expect(desktop.locator("tr").filter(has=row)).to_contain_text("3栋2单元1101")
    desktop.get_by_test_id(f"binding-approve-{binding_id}").click()
    desktop.get_by_test_id(f"binding-approve-{binding_id}-confirm").click()
    expect(desktop.get_by_test_id(f"binding-approve-{binding_id}")).to_have_count(0)
    screenshot(desktop, "admin-binding-approved")
    with in_company_db("alpha"):
        assert HouseBinding.objects.get(pk=binding_id).status == "approved"

    # The owner now has the house, and their own data.
    page.goto(live_stack.url("alpha", "/h5/#/pages/index/index"))
    expect(page.get_by_test_id("home-houses-current")).to_contain_text("3栋2单元1101")
    page.get_by_test_id("home-houses").click()
    house = page.get_by_test_id("my-house")
    expect(house).to_have_count(1)
    expect(house.get_by_test_id("my-house-label")).to_have_text("3栋2单元1101")
    expect(house.get_by_test_id("my-house-relation")).to_have_text("业主")
    expect(house.get_by_test_id("my-house-primary-payer")).to_be_visible()
    screenshot(page, "owner-h5-my-houses")

    page.goto(live_stack.url("alpha", "/h5/#/pages/profile/profile"))
    page.get_by_test_id("profile-entry-info").click()
    expect(page.get_by_test_id("my-info-name")).to_have_text("林业主")
    expect(page.get_by_test_id("my-info-phone")).to_have_text("138****3333")
    page.get_by_test_id("my-info-edit-contact").click()
    page.locator("[data-testid=my-info-phone-input] input").fill("139000")
    page.get_by_test_id("my-info-contact-save").click()
    expect(page.get_by_test_id("my-info-phone-error")).to_be_visible()
    page.locator("[data-testid=my-info-phone-input] input").fill("13900005555")
    expect(page.get_by_test_id("my-info-phone-error")).to_be_hidden()  # the app has taken the new number
    page.get_by_test_id("my-info-contact-save").click()
    expect(page.get_by_test_id("my-info-phone")).to_have_text("139****5555")

    # An identity change waits for staff.
    page.get_by_test_id("my-info-request-correction").click()
    page.locator("[data-testid=my-info-new-name] input").fill("林叶主")
    page.get_by_test_id("my-info-correction-submit").click()
    expect(page.get_by_test_id("my-info-correction-status")).to_have_text("审核中")
    screenshot(page, "owner-h5-correction-pending")
    desktop.goto(live_stack.url("alpha", "/basic-data/corrections"))
    from tenants.residents.models import CorrectionRequest

    with in_company_db("alpha"):
        correction_id = CorrectionRequest.objects.get(name="林叶主", status="pending").pk
    expect(desktop.get_by_test_id(f"correction-name-{correction_id}")).to_contain_text("林叶主")
    desktop.get_by_test_id(f"correction-approve-{correction_id}").click()
    desktop.get_by_test_id(f"correction-approve-{correction_id}-confirm").click()
    expect(desktop.get_by_test_id(f"correction-approve-{correction_id}")).to_have_count(0)
    page.reload()
    expect(page.get_by_test_id("my-info-name")).to_have_text("林叶主")


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
