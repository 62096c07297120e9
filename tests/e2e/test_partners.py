"""Partners, end to end in the browser: a cleaning company signs up in the partner portal (public
host), uploads its business licence and applies to company alpha → alpha's admin reviews the licence
(downloads it) and admits the vendor for one estate at 5 % → an owner of that estate finds the vendor
under 家政服务 in the H5 app, books a slot and pays through WeChat Pay H5 (the stand-in's cashier) →
the vendor's 消息 counts and lists the new order (and the admission), 全部标为已读 clears it →
the vendor confirms, starts and completes the order in the portal (the owner's phone in full while
the order runs, masked after) → the owner rates it, and both sides' settlement for the month read
alike. Every page is watched: console errors, 404/500 answers and English words on zh-CN screens."""

from __future__ import annotations

import random
from datetime import timedelta
from pathlib import Path

import pytest

from tests.conftest import PASSWORD
from tests.e2e.conftest import PHONE, login, screenshot
from tests.e2e.owner_world import bound_owner, require_h5_build, small_estate
from tests.e2e.watch import Watch

pytestmark = pytest.mark.e2e

LICENCE = b"%PDF-1.4\n% a business licence\n"


def test_vendor_signs_up_company_admits_owner_books_and_pays_vendor_serves_owner_rates(
    new_context, live_stack, in_company_db, patient_expect, tmp_path
):
    from django.utils import timezone
    from playwright.sync_api import expect

    from partners.models import Vendor
    from partners.services import catalogue
    from tenants.vendor_orders.models import VendorOrder
    from tests.payments.conftest import make_merchant

    require_h5_build()
    tag = f"{random.randrange(10_000):04d}"
    vendor_name = f"洁净家政{tag}"
    vendor_phone = f"1370001{tag}"
    estate, (house,) = small_estate(in_company_db, f"家政小区{tag}", building="3栋", floors=1)
    with in_company_db("alpha") as company:
        make_merchant(company)

    # The apply form's hint names an example address (abc.example.com) and the vendor types the
    # company's prefix, alpha: addresses, not English text.
    watch = Watch(allowed_words={tag, "alpha", "abc", "example", "com"})
    watch.allow_status(401, r"/api/v1/me/$", "the admin's first look before signing in")
    watch.allow_status(401, r"/api/v1/partner/me/$", "the portal's first look before signing up")

    # --- the vendor signs up, uploads its licence and applies to alpha -------------------------------
    vendor = new_context().new_page()
    watch.attach(vendor, "vendor")
    vendor.goto(live_stack.url(None, "/partner/signup"))
    vendor.get_by_test_id("partner-signup-name").fill(vendor_name)
    vendor.get_by_test_id("partner-signup-kind").get_by_text("家政服务").click()
    vendor.get_by_test_id("partner-signup-contact").fill("王经理")
    vendor.get_by_test_id("partner-signup-phone").fill(vendor_phone)
    vendor.get_by_test_id("partner-signup-password").fill("Vendor-pass-2026")
    vendor.get_by_test_id("partner-signup-submit").click()
    expect(vendor.get_by_test_id("partner-overview-page")).to_be_visible()
    code = vendor.get_by_test_id("partner-vendor-code").inner_text().strip()
    watch.allowed_words.add(code)
    watch.screen(vendor, "partner-overview")

    licence = tmp_path / "licence.pdf"
    licence.write_bytes(LICENCE)
    vendor.get_by_test_id("partner-nav-partner-documents").click()
    expect(vendor.get_by_test_id("partner-documents-page")).to_be_visible()
    vendor.get_by_test_id("partner-document-upload").click()
    vendor.get_by_test_id("partner-document-number").fill("91310000MA1FL0001")
    vendor.get_by_test_id("partner-document-file").set_input_files(str(licence))
    vendor.get_by_test_id("partner-document-form-submit").click()
    expect(vendor.get_by_test_id("partner-documents")).to_contain_text("91310000MA1FL0001")

    vendor.get_by_test_id("partner-nav-partner-admissions").click()
    vendor.get_by_test_id("partner-apply").click()
    vendor.get_by_test_id("partner-apply-company").fill("alpha")
    vendor.get_by_test_id("partner-apply-form-submit").click()
    expect(vendor.get_by_test_id("partner-admissions")).to_contain_text("待审核")
    watch.screen(vendor, "partner-applied")

    # --- alpha's admin reviews the licence and admits the vendor for the estate at 5 % ----------------
    with in_company_db("alpha") as company:
        vendor_row = Vendor.objects.get(code=code)
        admission_id = vendor_row.admissions.get().pk
        # Vendors other tests brought to alpha are listed too: their codes are data, not English.
        watch.allowed_words.update(Vendor.objects.filter(admissions__company=company).values_list("code", flat=True))
    staff = new_context().new_page()
    watch.attach(staff, "staff")
    login(staff, live_stack, "alpha", "admin", PASSWORD)
    staff.goto(live_stack.url("alpha", "/community/partners"))
    expect(staff.get_by_test_id(f"admission-status-{admission_id}")).to_have_text("待审核")
    staff.get_by_test_id(f"admission-{admission_id}").click()
    documents = staff.get_by_test_id("admission-documents")
    expect(documents).to_contain_text("91310000MA1FL0001")
    with staff.expect_download() as downloaded:
        documents.locator("[data-testid^=document-download-]").first.click()
    assert Path(downloaded.value.path()).read_bytes() == LICENCE  # the licence the vendor uploaded
    staff.get_by_test_id("admission-approve").click()
    staff.get_by_test_id("admission-terms-estates").click()
    option = staff.locator(".el-select-dropdown__item").filter(has_text=estate.name)
    option.click()
    staff.keyboard.press("Escape")
    # The list of estates is closed before the screen is read: other tests' estates (named in
    # English by their makers) are data, not the page's text.
    expect(option).to_be_hidden()
    staff.get_by_test_id("admission-terms-commission").fill("5")
    staff.get_by_test_id("admission-terms-form-submit").click()
    expect(staff.get_by_test_id(f"admission-status-{admission_id}")).to_have_text("已准入")
    watch.screen(staff, "admin-partner-admitted")
    screenshot(staff, "partners-admin-admitted")

    # The vendor's catalogue: one cleaning service and tomorrow morning's slot (the portal's own
    # pages for these have their own tests; here the order is the story).
    with in_company_db("alpha"):
        account = vendor_row.accounts.get()
    start = (timezone.localtime() + timedelta(days=1)).replace(hour=9, minute=0, second=0, microsecond=0)
    from django_tenants.utils import schema_context

    with in_company_db("alpha"), schema_context("public"):
        catalogue.add_offering(
            account=account, kind="service", name=f"日常保洁{tag}", price_mode="fixed", price="88.00", unit="次"
        )
        (slot,) = catalogue.add_slots(account=account, starts_at=start, ends_at=start + timedelta(hours=3), capacity=2)

    # --- the owner books the slot and pays ------------------------------------------------------------
    owner = new_context(**PHONE).new_page()
    watch.attach(owner, "owner")
    owner_phone = f"1390003{tag}"
    user = bound_owner(owner, live_stack, in_company_db, phone=owner_phone, house=house, name="家政业主")
    owner.goto(live_stack.url("alpha", "/h5/#/pages/index/index"))
    owner.get_by_test_id("home-entry-housekeeping").click()
    expect(owner.get_by_test_id("vendors-page")).to_be_visible()
    owner.get_by_test_id("vendor").filter(has_text=vendor_name).click()
    expect(owner.get_by_test_id("vendor-detail-name")).to_have_text(vendor_name)
    owner.get_by_test_id("offering").filter(has_text=f"日常保洁{tag}").click()
    owner.locator(f"[data-testid=slot][data-slot-id='{slot.pk}']").click()
    owner.locator("[data-testid=booking-contact-phone] input").fill(owner_phone)
    watch.screen(owner, "owner-booking")
    screenshot(owner, "partners-owner-booking")
    owner.get_by_test_id("booking-submit").click()
    expect(owner.get_by_test_id("standin-pay-confirm")).to_be_visible()
    assert "/_standins/wechatpay/pay/" in owner.url
    owner.get_by_test_id("standin-pay-confirm").click()
    detail = owner.get_by_test_id("vendor-order-detail-page")
    expect(detail).to_have_attribute("data-status", "booked", timeout=20_000)
    with in_company_db("alpha"):
        order = VendorOrder.objects.get(owner=user)
        assert (order.status, str(order.amount), order.slot_id) == ("booked", "88.00", slot.pk)
    watch.allowed_words.add(order.number)

    # --- the vendor hears of it under 消息: alpha's admission and the new order, both unread ----------
    # (Not the text to the vendor's phone: texts to vendors are held back at night, Shanghai time.)
    vendor.reload()  # the badge is counted on every page (and each minute)
    unread = vendor.get_by_test_id("partner-nav-notices-unread")
    expect(unread).to_have_text("2")
    vendor.get_by_test_id("partner-nav-partner-notices").click()
    expect(vendor.get_by_test_id("partner-notices-page")).to_be_visible()
    notices = vendor.get_by_test_id("partner-notices")
    expect(notices.locator("[data-testid^=partner-notice-unread-]")).to_have_count(2)
    expect(notices.locator(".notice").first).to_contain_text(f"新订单待确认：日常保洁{tag}")  # newest first
    expect(notices).to_contain_text(order.number)
    expect(notices).to_contain_text("阿尔法物业 已通过您的入驻申请")
    watch.screen(vendor, "partner-notices")
    screenshot(vendor, "partners-portal-notices")
    vendor.get_by_test_id("partner-notices-read-all").click()
    expect(unread).to_be_hidden()
    expect(notices.locator("[data-testid^=partner-notice-unread-]")).to_have_count(0)
    expect(vendor.get_by_test_id("partner-notices-read-all")).to_be_disabled()

    # --- the vendor confirms, starts and completes it in the portal -----------------------------------
    vendor.get_by_test_id("partner-nav-partner-orders").click()
    row = vendor.locator("tr").filter(has_text=order.number)
    expect(row).to_contain_text(owner_phone)  # in full while the order runs
    for button, status in (("确认", "已确认"), ("开始服务", "服务中"), ("完成", "已完成")):
        row.get_by_role("button", name=button).click()
        if button == "完成":  # finishing asks once more
            vendor.locator(".el-popconfirm:visible").get_by_role("button", name="确定").click()
        expect(row).to_contain_text(status)
    expect(row).not_to_contain_text(owner_phone)  # masked once it ended
    watch.screen(vendor, "partner-orders-done")
    screenshot(vendor, "partners-portal-orders")

    # --- the owner rates it -----------------------------------------------------------------------
    owner.reload()
    expect(detail).to_have_attribute("data-status", "done")
    owner.get_by_test_id("vendor-order-star-5").click()
    owner.locator("[data-testid=vendor-order-rating-comment] textarea").fill("打扫得很干净")
    owner.get_by_test_id("vendor-order-rate-submit").click()
    expect(detail).to_have_attribute("data-status", "rated")
    watch.screen(owner, "owner-order-rated")

    # --- the month's settlement: the same figures on both sides ----------------------------------------
    vendor.get_by_test_id("partner-nav-partner-settlement").click()
    expect(vendor.locator("body")).to_contain_text("83.60")  # 88.00 less 5 % (4.40)
    staff.goto(live_stack.url("alpha", "/community/vendor-orders"))
    expect(staff.locator("body")).to_contain_text(order.number)
    with in_company_db("alpha"):
        assert VendorOrder.objects.get(pk=order.pk).rating == 5
    watch.assert_clean()
