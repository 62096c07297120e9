"""A new company's first visits in a browser: the login page opens without a console error (no 401
from asking "am I signed in?"), and the dashboard's 开始使用 checklist ticks, links, hides and comes back."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD
from tests.e2e.conftest import login, screenshot
from tests.e2e.test_admin import fetch_json

pytestmark = pytest.mark.e2e

STEPS = ["estate", "houses", "residents", "fee_items", "first_bills", "owners"]


def _watch(page) -> list[str]:
    """Console errors, page errors and 4xx/5xx answers seen by the page."""
    problems: list[str] = []
    page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.on("response", lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    return problems


def test_an_anonymous_visit_to_the_login_page_logs_no_error(desktop, live_stack, patient_expect):
    page = desktop
    problems = _watch(page)
    page.goto(live_stack.url("alpha", "/login"))
    expect(page.get_by_test_id("login-form")).to_be_visible()
    # and a signed-out visit to a page that needs sign-in is sent there quietly too
    page.goto(live_stack.url("alpha", "/basic-data/estates"))
    page.wait_for_url(re.compile(r"/login\?next="))
    expect(page.get_by_test_id("login-form")).to_be_visible()
    page.wait_for_load_state("networkidle")
    assert problems == []
    # auth is not weakened: who the user is still needs a session
    assert fetch_json(page, "/api/v1/auth/session/") == {"status": 200, "body": {"authenticated": False}}
    assert fetch_json(page, "/api/v1/me/")["status"] == 401


def test_the_dashboard_checklist_ticks_from_the_data_links_hides_and_comes_back(desktop, live_stack, patient_expect):
    page = desktop
    login(page, live_stack, "alpha", "admin", PASSWORD)
    card = page.get_by_test_id("onboarding")
    expect(card).to_be_visible()
    answer = fetch_json(page, "/api/v1/onboarding/")["body"]
    assert [step["key"] for step in answer["steps"]] == STEPS
    done = sum(step["done"] for step in answer["steps"])
    expect(page.get_by_test_id("onboarding-progress")).to_contain_text(f"{done}/6")
    for step in answer["steps"]:
        expect(page.get_by_test_id(f"onboarding-step-{step['key']}")).to_have_attribute(
            "data-done", "true" if step["done"] else "false"
        )
    screenshot(page, "dashboard-onboarding")

    page.get_by_test_id("onboarding-link-fee_items").click()
    page.wait_for_url(re.compile(r"/fees/items$"))
    page.go_back()
    expect(card).to_be_visible()

    page.get_by_test_id("onboarding-hide").click()
    expect(card).to_have_count(0)
    page.reload()
    expect(page.get_by_test_id("onboarding-show")).to_be_visible()
    expect(card).to_have_count(0)  # hidden on the server, not just in this tab
    page.get_by_test_id("onboarding-show").click()
    expect(card).to_be_visible()
    assert fetch_json(page, "/api/v1/onboarding/")["body"]["hidden"] is False
