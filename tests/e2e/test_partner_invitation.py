"""A vendor invited by text, end to end in the browser: alpha's admin opens 服务商 and sends a
短信邀请 (name, contact, phone) → the live worker texts the link through the outbox to the SMS
stand-in (an invitation is not held back at night, unlike the notices to vendors) → the vendor opens
the link from the text in a browser of its own: the join page says who invites it, 注册并申请入驻
leads to the signup page filled in with the names the company gave → once signed up, the vendor has
applied to alpha (合作物业: 待审核), may turn its 短信提醒 off under 消息, and alpha's 邀请记录 shows the
invitation 已接受 by that vendor. Every page is watched: console errors, 404/500 answers and English
words on zh-CN screens."""

from __future__ import annotations

import random
import re
import time

import pytest

from tests.conftest import PASSWORD
from tests.e2e.conftest import login, screenshot
from tests.e2e.watch import Watch

pytestmark = pytest.mark.e2e

JOIN_LINK = re.compile(r"http://\S+?/partner/join\?invite=[A-Za-z0-9_-]+")


def _texted_link(phone: str, timeout: float = 60) -> tuple[str, str]:
    """The invitation text the worker delivered to `phone` (the SMS stand-in's outbox), and its link."""
    from standins import sms as sms_standin

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for message in sms_standin.outbox(phone):
            if "邀请您入驻" in message["text"]:
                found = JOIN_LINK.search(message["text"])
                assert found, message["text"]
                return message["text"], found[0]
        time.sleep(0.25)
    raise AssertionError(f"no invitation texted to {phone} within {timeout:.0f} s")


def test_company_invites_vendor_by_text_vendor_signs_up_from_link_and_applies(
    new_context, live_stack, in_company_db, patient_expect
):
    from playwright.sync_api import expect

    from partners.models import Admission, Vendor, VendorInvitation
    from standins import sms as sms_standin

    tag = f"{random.randrange(10_000):04d}"
    vendor_name = f"邻家便利{tag}"
    vendor_phone = f"1370002{tag}"
    sms_standin.reset(vendor_phone)

    # The admin's username (邀请人) and alpha's slug (合作物业) are data shown back, not English text.
    watch = Watch(allowed_words={tag, "admin", "alpha"})
    watch.allow_status(401, r"/api/v1/me/$", "the admin's first look before signing in")
    watch.allow_status(401, r"/api/v1/partner/me/$", "the portal's first look before signing up")

    # Vendors other tests brought to alpha are listed in 服务商 too: their codes are data, not English.
    with in_company_db("alpha") as company:
        watch.allowed_words.update(Vendor.objects.filter(admissions__company=company).values_list("code", flat=True))

    # --- alpha's admin texts an invitation from 服务商 ---------------------------------------------------
    staff = new_context().new_page()
    watch.attach(staff, "staff")
    login(staff, live_stack, "alpha", "admin", PASSWORD)
    staff.goto(live_stack.url("alpha", "/community/partners"))
    expect(staff.get_by_test_id("partner-admissions-page")).to_be_visible()
    staff.get_by_test_id("partner-sms-invite").click()
    dialog = staff.get_by_test_id("partner-sms-invite-form")
    expect(dialog).to_be_visible()
    staff.get_by_test_id("partner-sms-invite-name").fill(vendor_name)
    staff.get_by_test_id("partner-sms-invite-contact").fill("李店长")
    staff.get_by_test_id("partner-sms-invite-phone").fill(vendor_phone)
    watch.screen(staff, "admin-sms-invite-dialog")
    staff.get_by_test_id("partner-sms-invite-form-submit").click()
    expect(dialog).to_be_hidden()
    # On to 邀请记录, the new invitation at its head, waiting to be taken up.
    invitations = staff.get_by_test_id("partner-invitations")
    expect(invitations).to_be_visible()
    with in_company_db("alpha") as company:
        invitation = VendorInvitation.objects.get(company=company, name=vendor_name)
        assert invitation.accepted_at is None and invitation.vendor_id is None
    expect(staff.get_by_test_id(f"invitation-name-{invitation.pk}")).to_have_text(vendor_name)
    expect(staff.get_by_test_id(f"invitation-state-{invitation.pk}")).to_have_text("待接受")

    # --- the worker texts the link -------------------------------------------------------------------
    # A text to a stranger's phone waits out the night (22:00–07:00 Shanghai): here it is morning.
    from django.test import override_settings
    from django.utils import timezone

    from core.outbox import services as outbox
    from core.outbox.models import OutboxMessage

    # Delivered here or by the live worker, whichever claims it first: here, the link names the live
    # stack's port as the worker's would.
    with in_company_db("alpha") as company, override_settings(PUBLIC_PORT=str(live_stack.port)):
        held = OutboxMessage.objects.filter(
            schema_name=company.schema_name, topic="partners.invitation_sms", status="pending"
        )
        for key in list(held.values_list("key", flat=True)):
            held.filter(key=key).update(available_at=timezone.now())
            outbox.deliver_now(schema_name=company.schema_name, key=key)
    text, link = _texted_link(vendor_phone)
    assert "阿尔法物业" in text, text
    assert link.startswith(live_stack.url(None, "/partner/join?invite=")), link
    # The stand-in keeps the text before the worker's transaction marks the invitation sent.
    deadline = time.monotonic() + 30
    with in_company_db("alpha"):
        while VendorInvitation.objects.get(pk=invitation.pk).sent_at is None:
            assert time.monotonic() < deadline, "the invitation was texted but never marked sent"
            time.sleep(0.2)
    staff.reload()
    staff.get_by_role("tab", name="邀请记录").click()
    expect(staff.get_by_test_id(f"invitation-sms-{invitation.pk}")).to_contain_text("已发送")
    watch.screen(staff, "admin-invitations-sent")

    # --- the vendor opens the link in its own browser and signs up from it ----------------------------
    vendor = new_context().new_page()
    watch.attach(vendor, "vendor")
    vendor.goto(link)
    expect(vendor.get_by_test_id("partner-join-page")).to_be_visible()
    expect(vendor.get_by_test_id("partner-join-invites")).to_contain_text("阿尔法物业")
    expect(vendor.get_by_test_id("partner-join-details")).to_contain_text(vendor_name)
    expect(vendor.get_by_test_id("partner-join-details")).to_contain_text("李店长")
    watch.screen(vendor, "partner-join")
    screenshot(vendor, "partners-join")
    vendor.get_by_test_id("partner-join-signup").click()
    expect(vendor.get_by_test_id("partner-signup-page")).to_be_visible()
    expect(vendor.get_by_test_id("partner-signup-invitation")).to_contain_text("阿尔法物业")
    expect(vendor.get_by_test_id("partner-signup-name")).to_have_value(vendor_name)
    expect(vendor.get_by_test_id("partner-signup-contact")).to_have_value("李店长")
    vendor.get_by_test_id("partner-signup-kind").get_by_text("周边商家").click()
    vendor.get_by_test_id("partner-signup-phone").fill(vendor_phone)
    vendor.get_by_test_id("partner-signup-password").fill("Vendor-pass-2026")
    watch.screen(vendor, "partner-signup-invited")
    vendor.get_by_test_id("partner-signup-submit").click()

    # Signed up, and so applied to alpha: 合作物业 lists it, 待审核.
    expect(vendor.get_by_test_id("partner-admissions-page")).to_be_visible()
    with in_company_db("alpha") as company:
        vendor_row = Vendor.objects.get(name=vendor_name)
        admission = Admission.objects.get(company=company, vendor=vendor_row)
        assert admission.status == "applied", admission.status
    expect(vendor.get_by_test_id(f"partner-admission-company-{admission.pk}")).to_have_text("阿尔法物业")
    expect(vendor.get_by_test_id(f"partner-admission-status-{admission.pk}")).to_have_text("待审核")
    watch.allowed_words.add(vendor_row.code)
    watch.screen(vendor, "partner-admissions-invited")
    screenshot(vendor, "partners-join-applied")

    # 消息: nothing yet; its manager may turn the texts off.
    vendor.get_by_test_id("partner-nav-partner-notices").click()
    expect(vendor.get_by_test_id("partner-notices-empty")).to_be_visible()
    switch = vendor.get_by_test_id("partner-notices-sms")
    expect(switch).to_have_class(re.compile(r"\bis-checked\b"))
    expect(switch).not_to_have_class(re.compile(r"\bis-disabled\b"))
    watch.screen(vendor, "partner-notices-empty")
    switch.click()
    expect(switch).not_to_have_class(re.compile(r"\bis-checked\b"))
    with in_company_db("alpha"):
        deadline = time.monotonic() + 10
        while Vendor.objects.get(pk=vendor_row.pk).sms_alerts and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not Vendor.objects.get(pk=vendor_row.pk).sms_alerts

    # --- alpha's 邀请记录: accepted, by that vendor; 服务商 lists its application ---------------------------
    staff.reload()
    expect(staff.get_by_test_id(f"admission-status-{admission.pk}")).to_have_text("待审核")
    staff.get_by_role("tab", name="邀请记录").click()
    expect(staff.get_by_test_id(f"invitation-state-{invitation.pk}")).to_have_text("已接受")
    expect(staff.get_by_test_id(f"invitation-vendor-{invitation.pk}")).to_contain_text(vendor_name)
    expect(staff.get_by_test_id(f"invitation-resend-{invitation.pk}")).to_have_count(0)
    watch.screen(staff, "admin-invitations-accepted")
    screenshot(staff, "partners-admin-invitation-accepted")
    with in_company_db("alpha"):
        invitation.refresh_from_db()
        assert invitation.accepted_at is not None and invitation.vendor_id == vendor_row.pk
    watch.assert_clean()
