"""Signup in the browser on the public host: the form, live validation, provisioning, first login."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import screenshot

pytestmark = pytest.mark.e2e

NEW_PASSWORD = "E2e-signup-2026"


def form_item(page, testid: str):
    """The el-form-item that holds the input with this test id (where its error message shows)."""
    return page.locator(".el-form-item", has=page.get_by_test_id(testid))


def fill_signup(page, *, slug: str, phone: str = "13912345678", password: str = NEW_PASSWORD) -> None:
    page.get_by_test_id("signup-company-name").fill("端到端物业")
    page.get_by_test_id("signup-slug").fill(slug)
    page.get_by_test_id("signup-admin-name").fill("端到端管理员")
    page.get_by_test_id("signup-admin-phone").fill(phone)
    page.get_by_test_id("signup-admin-email").fill(f"admin@{slug}.example.com")
    page.get_by_test_id("signup-admin-username").fill("founder")
    page.get_by_test_id("signup-password").fill(password)


def test_signup_provisions_a_company_and_its_admin_signs_in(desktop, live_stack, in_company_db):
    slug = f"e2e{uuid.uuid4().hex[:8]}"
    page = desktop
    page.goto(live_stack.url(path="/signup"))
    fill_signup(page, slug=slug)
    expect(page.get_by_test_id("signup-slug-preview")).to_contain_text(f"{slug}.localhost:{live_stack.port}")
    page.get_by_test_id("signup-submit").click()

    expect(page.get_by_test_id("signup-progress")).to_be_visible()
    status = page.get_by_test_id("signup-status")
    expect(status).to_have_attribute("data-status", re.compile(r"pending|provisioning|ready"))
    # The worker provisions the company: a schema cloned from the template, domain, admin user.
    expect(status).to_have_attribute("data-status", "ready", timeout=60_000)
    screenshot(page, "signup-ready")

    link = page.get_by_test_id("signup-admin-link")
    expect(link).to_have_attribute("href", live_stack.url(slug, "/"))
    link.click()
    # Not signed in on the new host yet: the admin's router sends us to its login page.
    page.wait_for_url(re.compile(rf"^http://{slug}\.localhost:{live_stack.port}/login"))
    expect(page.get_by_test_id("login-company-name")).to_have_text("端到端物业")

    page.get_by_test_id("login-username").fill("founder")
    page.get_by_test_id("login-password").fill(NEW_PASSWORD)
    page.get_by_test_id("login-submit").click()
    expect(page.get_by_test_id("dashboard")).to_be_visible()
    assert page.url == live_stack.url(slug, "/")
    expect(page.get_by_test_id("header-company-name")).to_have_text("端到端物业")
    expect(page.get_by_test_id("user-name")).to_have_text("端到端管理员")
    expect(page.get_by_test_id("nav-settings")).to_be_visible()
    screenshot(page, "signup-dashboard")

    with in_company_db(slug) as company:
        from accounts.models import User

        assert company.schema_name == f"c_{slug}"
        admin = User.objects.get(username="founder")
        assert admin.roles == ["admin"] and admin.last_login is not None


def test_signup_form_validates_live_and_shows_the_servers_field_errors(desktop, live_stack):
    page = desktop
    posted = []
    page.on("request", lambda r: posted.append(r.url) if r.method == "POST" else None)
    page.goto(live_stack.url(path="/signup"))

    # Client-side rules, on blur, before anything is sent.
    page.get_by_test_id("signup-slug").fill("9-bad-")
    page.get_by_test_id("signup-admin-phone").click()
    slug_error = form_item(page, "signup-slug").locator(".el-form-item__error")
    expect(slug_error).to_have_text(re.compile("小写字母开头"))
    page.get_by_test_id("signup-admin-phone").fill("12345")
    page.get_by_test_id("signup-admin-email").click()
    phone_error = form_item(page, "signup-admin-phone").locator(".el-form-item__error")
    expect(phone_error).to_have_text(re.compile("手机号"))

    # Submitting an invalid form sends nothing either.
    page.get_by_test_id("signup-submit").click()
    expect(form_item(page, "signup-company-name").locator(".el-form-item__error")).to_be_visible()
    screenshot(page, "signup-live-validation")
    assert not [url for url in posted if "/api/v1/signups/" in url]

    # A slug only the server knows is taken: its message lands under the slug field.
    fill_signup(page, slug="alpha")
    expect(slug_error).to_have_count(0)
    expect(phone_error).to_have_count(0)
    with page.expect_response(lambda r: r.url.endswith("/api/v1/signups/") and r.request.method == "POST") as info:
        page.get_by_test_id("signup-submit").click()
    response = info.value
    assert response.status == 400
    assert "slug" in response.json()["fields"]
    expect(slug_error).to_have_text("该子域名已被使用。")
    expect(form_item(page, "signup-slug")).to_have_class(re.compile("is-error"))
    expect(page.get_by_test_id("signup-progress")).to_have_count(0)
    screenshot(page, "signup-slug-taken")
