"""A host that names no company: a page that helps (find the company by name, or sign up) in the
visitor's language, always 404 — never Django's bare English "Not Found", never the public site."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.conftest import clear_throttles


@pytest.fixture
def stranger(db):
    clear_throttles()
    return Client(HTTP_HOST="alpah.localhost:8000")  # alpha, mistyped


def test_a_mistyped_company_host_gets_a_chinese_page_that_helps(stranger):
    page = stranger.get("/login")
    assert page.status_code == 404
    assert page["Content-Type"].startswith("text/html")
    assert page["Cache-Control"] == "no-store"
    body = page.content.decode()
    assert "没有找到这家物业公司" in body and "alpah.localhost:8000" in body
    assert 'href="http://localhost:8000/signup"' in body  # the public site, on the port typed
    assert "Not Found" not in body


def test_the_page_speaks_english_when_asked(stranger):
    body = stranger.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "No property company found" in body and "没有找到" not in body


def test_api_paths_answer_json(stranger):
    answer = stranger.get("/api/v1/site/")
    assert answer.status_code == 404
    assert answer.json()["code"] == "unknown_company"
    assert stranger.get("/api/v1/site/", HTTP_ACCEPT_LANGUAGE="en").json()["message"].startswith("No such")


def test_the_search_finds_active_companies_by_name_and_links_to_their_login(stranger, company_a, company_b):
    body = stranger.get("/", {"q": company_a.name[:3]}).content.decode()
    assert 'href="http://alpha.localhost:8000/login"' in body
    assert "beta.localhost" not in body
    company_b.status = "suspended"
    company_b.save(update_fields=["status"])
    assert "beta.localhost" not in stranger.get("/", {"q": company_b.name[:3]}).content.decode()


def test_a_search_of_one_character_or_nothing_found_says_so(stranger):
    assert "请至少输入两个字" in stranger.get("/", {"q": "阿"}).content.decode()
    assert 'data-testid="unknown-company-none"' in stranger.get("/", {"q": "无此公司名"}).content.decode()


def test_what_was_typed_is_shown_escaped(stranger):
    body = stranger.get("/", {"q": '"><script>alert(1)</script>'}).content.decode()
    assert "<script>alert(1)</script>" not in body and "&lt;script&gt;" in body


def test_searching_is_on_a_budget_per_address(stranger):
    for _ in range(10):
        assert "查询过于频繁" not in stranger.get("/", {"q": "物业"}).content.decode()
    assert "查询过于频繁" in stranger.get("/", {"q": "物业"}).content.decode()
