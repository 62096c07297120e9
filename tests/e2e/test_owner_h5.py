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
    # The request lit the reviewer's bell (the notification service's inbox); its message opens the list.
    desktop.goto(live_stack.url("alpha", "/"))
    expect(desktop.locator("[data-testid=notification-unread] .el-badge__content")).to_be_visible()
    desktop.get_by_test_id("notification-bell-button").click()
    message = desktop.get_by_test_id("notification-item").filter(has_text="林业主 申请绑定 3栋2单元1101")
    expect(message).to_have_count(1)
    screenshot(desktop, "admin-bell-binding-waiting")
    message.click()
    expect(desktop).to_have_url(live_stack.url("alpha", "/basic-data/bindings?status=pending"))
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


def test_the_companys_logo_shows_in_the_h5_app(browser, live_stack, in_company_db):
    """An uploaded logo is a root-relative /media/… URL, and uni-app's H5 <image> put its own base
    before one (/h5/media/…: 404 on every page): the app asks the page's origin for it."""
    import io

    from django.core.files.base import ContentFile
    from PIL import Image
    from playwright.sync_api import expect

    from companies import services

    png = io.BytesIO()
    Image.new("RGB", (48, 48), "#0a7d5a").save(png, "PNG")
    with in_company_db("beta") as company:
        services.update_branding(company=company, actor=None, logo=ContentFile(png.getvalue(), name="logo.png"))
        served = live_stack.media_root / company.schema_name / company.logo.name  # where the server looks
        served.parent.mkdir(parents=True, exist_ok=True)
        served.write_bytes(Path(company.logo.path).read_bytes())
    context = browser.new_context(viewport={"width": 375, "height": 812}, is_mobile=True, has_touch=True)
    media: list[tuple[str, int]] = []
    try:
        page = context.new_page()
        page.on("response", lambda r: media.append((r.url, r.status)) if "/media/" in r.url else None)
        with page.expect_response(lambda r: "/media/" in r.url and "logo" in r.url, timeout=30_000) as logo:
            page.goto(live_stack.url("beta", "/h5/"))
        assert logo.value.status == 200, logo.value.url
        expect(page.locator(".login__logo")).to_be_visible()
        assert media and all(status == 200 and "/h5/media/" not in url for url, status in media), media
    finally:
        context.close()
        with in_company_db("beta") as company:
            services.update_branding(company=company, actor=None, logo=None)


def _owner_logs_in(page, live_stack, phone: str) -> None:
    """The H5 login with a texted code (the stand-in's outbox has it)."""
    from playwright.sync_api import expect

    from standins import sms as sms_standin

    sms_standin.reset(phone)
    page.goto(live_stack.url("alpha", "/h5/"))
    expect(page.get_by_test_id("login-company-name")).to_contain_text("阿尔法")
    page.locator("[data-testid=login-phone] input").fill(phone)
    page.get_by_test_id("login-send-code").click()
    expect(page.get_by_test_id("login-debug-code")).to_be_visible()
    code = sms_standin.outbox(phone)[0]["params"][0]
    page.locator("[data-testid=login-code] input").fill(code)
    page.get_by_test_id("login-submit").click()
    expect(page.get_by_test_id("bind-page").or_(page.get_by_test_id("home-page"))).to_be_visible()


def _server_to_pay(in_company_db, house_id: int) -> str:
    """What is to pay today — the open lines and the late fees accruing on them, as the owner endpoint
    adds them up (tests/billing/test_ledger_api.py holds the two equal) — as the app shows it."""
    from decimal import Decimal

    from django.utils import timezone

    from billing.services import late_fees, payments

    with in_company_db("alpha"):
        owing = sum((left for _charge, left in payments.open_lines(house_id)), Decimal("0"))
        accruing = late_fees.accrued_unposted(house_id=house_id, as_of=timezone.localdate())
        to_pay = owing + sum((amount for _charge, amount in accruing), Decimal("0"))
    return f"¥{to_pay:,.2f}"


def test_owner_sees_bills_explained_then_the_cashier_payment_and_its_receipt(phone, live_stack, in_company_db):
    """缴费: issued charges show with the server's totals and explanations; after a cashier takes the
    money, the line is paid and the history lists the receipt, which opens as a PDF."""
    import uuid
    from datetime import date

    from django.utils import timezone
    from playwright.sync_api import expect

    from accounts.models import User
    from accounts.services import phone_indexes
    from billing.models import Receipt
    from billing.services import payments
    from tenants.estates import services as estate_services
    from tenants.estates.models import House
    from tenants.residents.services import bindings as binding_services
    from tests.billing.test_bill_runs import _fee, _run

    if not Path(H5_INDEX).exists():
        pytest.fail("the owner app's H5 build is missing: cd miniprogram && npm run build:h5")
    run_id = uuid.uuid4().hex[:6]
    owner_phone = f"1382233{int(run_id, 16) % 10_000:04d}"
    page = phone

    # A house with two months of property fee: last month's, issued on its first day, is overdue (due
    # on the 16th) and accrues a late fee of 0.05% a day; this month's, issued today, is due in 15 days
    # (issued on the 1st it would be overdue too from the 17th).
    today = timezone.localdate()
    last_month = date(today.year - 1, 12, 1) if today.month == 1 else date(today.year, today.month - 1, 1)
    with in_company_db("alpha"):
        estate = estate_services.create_estate(name=f"缴费小区{run_id}")
        building = estate_services.create_building(estate=estate, name="8栋", floors=1, units=["1单元"])
        estate_services.generate_houses(
            building=building, per_floor=1, building_area=Decimal("89.50"), usable_area=Decimal("72.30")
        )
        house = House.objects.get(estate=estate)
        late_fee = {"strategy": "daily_rate", "rate": "0.0005", "grace_days": 0}
        _fee(name="物业费", houses=[house], start=last_month, late_fee=late_fee)
        _run(estate, last_month)
        _run(estate, today)
    days_late = (today - last_month.replace(day=16)).days

    # The owner signs in, asks for the house, staff approve (services: the admin flow is tested above).
    _owner_logs_in(page, live_stack, owner_phone)
    with in_company_db("alpha"):
        user = User.objects.get(phone_index__in=phone_indexes(owner_phone), roles__contains=["resident"])
        binding = binding_services.request_binding(user=user, house=house, relation="owner", name="缴费业主")
        binding_services.approve_binding(binding_id=binding.pk, actor=None)

    page.goto(live_stack.url("alpha", "/h5/#/pages/index/index"))
    page.get_by_test_id("home-entry-bills").click()
    expect(page.get_by_test_id("bills-page")).to_have_attribute("data-status", "ready")
    expect(page.get_by_test_id("bills-house")).to_contain_text(f"缴费小区{run_id} 8栋1单元101")
    expect(page.get_by_test_id("bills-to-pay")).to_have_text(_server_to_pay(in_company_db, house.pk))
    expect(page.get_by_test_id("bills-overdue")).to_have_text("¥223.75")
    expect(page.get_by_test_id("bills-balance")).to_have_text("¥0.00")
    # No WeChat Pay merchant here; the demo's card (the Stripe stand-in's page) is the one way online.
    expect(page.get_by_test_id("bills-pay-method")).to_have_text(["银行卡支付"])
    expect(page.get_by_test_id("bills-pay-note")).to_have_count(0)
    overdue = page.locator("[data-testid=bill-line][data-group=overdue][data-status=overdue]")
    expect(overdue).to_have_count(1)
    expect(overdue.get_by_test_id("bill-line-status")).to_have_text("已逾期")
    expect(overdue.get_by_test_id("bill-line-period")).to_contain_text(last_month.strftime("%Y-%m"))
    expect(overdue.get_by_test_id("bill-line-amount")).to_have_text("¥223.75")
    expect(page.locator("[data-testid=bill-line][data-group=due]")).to_have_count(1)
    expect(overdue.get_by_test_id("bill-line-explanation")).to_have_count(0)
    overdue.click()
    expect(overdue.get_by_test_id("bill-line-explanation")).to_contain_text("89.50㎡ × 2.5000 元 × 1 月")
    overdue_charge = overdue.get_attribute("data-charge-id")
    if days_late > 0:  # the late fee building up on it says how many days late
        accruing = page.locator("[data-testid=bill-line][data-status=accruing]")
        expect(accruing.get_by_test_id("bill-line-name")).to_have_text("物业费滞纳金")
        accruing.click()
        expect(accruing.get_by_test_id("bill-line-explanation")).to_contain_text(f"逾期 {days_late} 天")
    screenshot(page, "owner-h5-bills")

    # The cashier takes last month's fee in cash.
    with in_company_db("alpha"):
        payment = payments.record_payment(
            house=house,
            amount=Decimal("223.75"),
            method="cash",
            idempotency_key=f"e2e-bills-{run_id}",
            actor=None,
            charge_ids=[int(overdue_charge or 0)],
        )
        receipt_number = Receipt.objects.get(payment=payment).number

    page.reload()
    paid = page.locator(f"[data-testid=bill-line][data-charge-id='{overdue_charge}']")
    expect(paid).to_have_attribute("data-group", "paid")
    expect(paid.get_by_test_id("bill-line-status")).to_have_text("已缴")
    expect(page.get_by_test_id("bills-to-pay")).to_have_text(_server_to_pay(in_company_db, house.pk))
    if days_late > 0:  # the payment posted the late fee: now a line of its own, explained
        posted = page.get_by_test_id("bill-line").filter(has_text="物业费滞纳金")
        posted.click()
        expect(posted.get_by_test_id("bill-line-explanation")).to_contain_text(f"逾期 {days_late} 天")
    screenshot(page, "owner-h5-bills-paid")

    page.get_by_test_id("bills-history-link").click()
    row = page.get_by_test_id("bill-payment")
    expect(row).to_have_count(1)
    expect(row.get_by_test_id("bill-payment-amount")).to_have_text("¥223.75")
    expect(row.get_by_test_id("bill-payment-receipt")).to_have_text(f"收据 {receipt_number}")
    expect(row.get_by_test_id("bill-payment-date")).to_contain_text("现金")
    screenshot(page, "owner-h5-bill-history")

    # The receipt: fetched with the owner's token (a plain link could not carry it), shown in a new window.
    with (
        page.expect_response(lambda r: "/api/v1/owner/receipts/" in r.url) as answer,
        page.context.expect_page() as opened,
    ):
        row.click()
    assert answer.value.status == 200
    assert answer.value.headers["content-type"].startswith("application/pdf")
    assert answer.value.request.headers.get("authorization", "").startswith("Bearer ")
    receipt_window = opened.value
    # Matched by a predicate: a glob's "*" stops at "/". A PDF viewer never fires "load" headless.
    receipt_window.wait_for_url(lambda url: url.startswith("blob:"), wait_until="commit")
    head = page.evaluate(
        "async (url) => new TextDecoder().decode((await (await fetch(url)).arrayBuffer()).slice(0, 5))",
        receipt_window.url,
    )
    assert head == "%PDF-"


def test_agreements_tab_icons_and_the_language_switch(browser, live_stack, in_company_db):
    """Login links open the company's own 隐私政策 (or the default 用户协议 with its name); the tab bar
    has its icons; 我的 switches the app to English, and the choice survives a reload."""
    from playwright.sync_api import expect

    from companies import services

    with in_company_db("beta") as company:
        services.update_agreements(
            company=company, actor=None, privacy_policy="# 贝塔隐私政策\n\n- 我们只为物业服务使用您的信息"
        )
    context = browser.new_context(viewport={"width": 375, "height": 812}, is_mobile=True, has_touch=True)
    try:
        page = context.new_page()
        page.goto(live_stack.url("beta", "/h5/"))
        page.get_by_test_id("login-privacy-policy").click()
        text = page.get_by_test_id("agreement-text")
        expect(text).to_contain_text("我们只为物业服务使用您的信息")
        assert "<" not in text.inner_text()
        page.go_back()
        page.get_by_test_id("login-user-agreement").click()
        expect(page.get_by_test_id("agreement-text")).to_contain_text("贝塔")
        expect(page.get_by_test_id("agreement-text")).to_contain_text("用户协议")
        screenshot(page, "owner-h5-user-agreement")

        _owner_logs_in(page, live_stack, "13822226666")
        page.goto(live_stack.url("alpha", "/h5/#/pages/profile/profile"))
        expect(page.get_by_test_id("profile-page")).to_be_visible()
        icons = page.locator(".uni-tabbar__icon img")
        expect(icons).to_have_count(2)
        for i in range(2):
            assert icons.nth(i).evaluate("img => img.complete && img.naturalWidth") == 81
        page.get_by_test_id("profile-language-en").click()
        expect(page.get_by_test_id("profile-entry-houses")).to_contain_text("My homes")
        expect(page.locator(".uni-tabbar")).to_contain_text("Me")
        page.reload()
        expect(page.get_by_test_id("profile-logout")).to_have_text("Sign out")
        expect(page.get_by_test_id("profile-language-en")).to_have_attribute("data-active", "true")
        screenshot(page, "owner-h5-profile-english")
        page.get_by_test_id("profile-entry-privacy-policy").click()
        expect(page.get_by_test_id("agreement-text")).to_contain_text("Privacy Policy")
        expect(page.get_by_test_id("agreement-text")).to_contain_text("阿尔法")
    finally:
        context.close()
        with in_company_db("beta") as company:
            services.update_agreements(company=company, actor=None, privacy_policy="")


def test_the_admin_publishes_a_privacy_policy_and_owners_see_it(desktop, phone, live_stack, in_company_db):
    """系统设置 › 协议与隐私: the admin starts from the template, writes the company's own text, saves;
    the owner app shows it; 恢复默认模板 and save brings the template back."""
    from playwright.sync_api import expect

    login(desktop, live_stack, "alpha", "admin", PASSWORD)
    try:
        desktop.goto(live_stack.url("alpha", "/settings/agreements"))
        policy = desktop.get_by_test_id("agreements-privacy_policy")
        expect(desktop.get_by_test_id("agreements-privacy_policy-default")).to_be_visible()
        expect(policy).not_to_have_value("")
        assert "阿尔法" in policy.input_value() and "隐私政策" in policy.input_value()
        policy.fill("# 阿尔法的隐私承诺\n\n- 不出售任何业主信息")
        desktop.get_by_test_id("agreements-save").click()
        expect(desktop.get_by_test_id("agreements-privacy_policy-default")).to_have_count(0)
        screenshot(desktop, "admin-agreements")

        phone.goto(live_stack.url("alpha", "/h5/#/pages/agreement/agreement?kind=privacy_policy"))
        expect(phone.get_by_test_id("agreement-text")).to_contain_text("不出售任何业主信息")

        desktop.get_by_test_id("agreements-privacy_policy-restore").click()
        desktop.get_by_test_id("agreements-save").click()
        expect(desktop.get_by_test_id("agreements-privacy_policy-default")).to_be_visible()
        with in_company_db("alpha") as company:
            assert company.privacy_policy == ""
    finally:
        from companies import services

        with in_company_db("alpha") as company:
            services.update_agreements(company=company, actor=None, privacy_policy="")
