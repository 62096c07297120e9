"""忘记密码 in a browser: the code goes out through the outbox and the real worker to the SMS
stand-in (read from its outbox, as the owner-app tests read login codes); the new password signs in."""

from __future__ import annotations

import secrets
import time

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD
from tests.e2e.conftest import login, screenshot

pytestmark = pytest.mark.e2e

NEW_PASSWORD = "Brand-new-2027"


def _texted_code(phone: str, timeout: float = 30) -> str:
    """The code the worker texted to `phone` (the stand-in's outbox), once it arrives."""
    from standins import sms as sms_standin

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for message in sms_standin.outbox(phone):
            if "找回密码" in message["text"]:
                return message["params"][0]
        time.sleep(0.25)
    raise AssertionError(f"no password code texted to {phone} within {timeout} s")


def test_forgotten_password_by_texted_code_then_sign_in(desktop, live_stack, in_company_db):
    from accounts import services as account_services
    from standins import sms as sms_standin

    page = desktop
    username = f"keeper-{secrets.token_hex(3)}"
    phone = f"1357{secrets.randbelow(10**7):07d}"
    sms_standin.reset(phone)
    with in_company_db("alpha"):
        account_services.create_user(
            username=username, name="管家", roles=["customer_service"], phone=phone, password=PASSWORD
        )

    page.goto(live_stack.url("alpha", "/login"))
    page.get_by_test_id("login-forgot").click()
    expect(page.get_by_test_id("forgot-page")).to_be_visible()
    page.get_by_test_id("forgot-login").fill(phone)  # by phone: the account's own number
    page.get_by_test_id("forgot-send").click()
    expect(page.get_by_test_id("forgot-sent")).to_be_visible()

    code = _texted_code(phone)
    page.get_by_test_id("forgot-code").fill(code)
    page.get_by_test_id("forgot-new-password").fill(NEW_PASSWORD)
    page.get_by_test_id("forgot-confirm").fill(NEW_PASSWORD)
    page.get_by_test_id("forgot-submit").click()
    expect(page.get_by_test_id("forgot-done")).to_be_visible()
    screenshot(page, "password-reset-done")

    page.get_by_test_id("forgot-back").click()
    login(page, live_stack, "alpha", username, PASSWORD, expect_success=False)
    expect(page.get_by_test_id("login-error")).to_be_visible()
    login(page, live_stack, "alpha", username, NEW_PASSWORD)
    expect(page.get_by_test_id("user-name")).to_have_text("管家")
    sms_standin.reset(phone)
