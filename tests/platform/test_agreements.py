"""用户协议 / 隐私政策: a company's own text or the default template, on its own host only."""

from __future__ import annotations

import pytest
from django_tenants.utils import tenant_context

from accounts.models import AuditEvent, User
from companies import agreements, services
from companies.models import Company

pytestmark = pytest.mark.django_db

KINDS = ("user_agreement", "privacy_policy")


def _site(client, kind: str, language: str = "zh-hans"):
    return client.get(f"/api/v1/site/agreements/{kind}/", HTTP_ACCEPT_LANGUAGE=language)


@pytest.mark.parametrize("kind", KINDS)
def test_default_template_with_the_company_name_in_the_readers_language(client_for, company_a, kind):
    anonymous = client_for(company_a)
    zh = _site(anonymous, kind).json()
    assert zh["is_default"] is True
    assert zh["kind"] == kind
    assert zh["company_name"] == company_a.brand_name
    assert zh["title"] == ("用户协议" if kind == "user_agreement" else "隐私政策")
    assert zh["text"].startswith(f"# {company_a.brand_name} ")
    assert "{company}" not in zh["text"] and "物业服务中心" in zh["text"]
    en = _site(anonymous, kind, "en").json()
    assert en["title"] == ("User Agreement" if kind == "user_agreement" else "Privacy Policy")
    assert en["text"].startswith(f"# {company_a.brand_name} ")
    assert "property service centre" in en["text"] and "物业服务中心" not in en["text"]


def test_a_company_publishes_its_own_text_and_restores_the_default(client_for, company_a):
    admin = client_for(company_a, "admin")
    own = "# 本公司用户协议\r\n\r\n第一条  业主应按时缴费。\r\n- 缴费方式：微信支付\t或柜台。  "
    response = admin.patch("/api/v1/settings/agreements/", {"user_agreement": own}, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["user_agreement"] == "# 本公司用户协议\n\n第一条  业主应按时缴费。\n- 缴费方式：微信支付\t或柜台。"
    assert body["privacy_policy"] == ""
    assert body["default_privacy_policy"].startswith(f"# {company_a.brand_name} 隐私政策")

    shown = _site(client_for(company_a), "user_agreement", "en").json()
    assert shown == {
        "kind": "user_agreement",
        "title": "User Agreement",
        "company_name": company_a.brand_name,
        "is_default": False,
        "text": body["user_agreement"],  # the company's own text, whatever the reader's language
    }
    assert _site(client_for(company_a), "privacy_policy").json()["is_default"] is True
    with tenant_context(company_a):
        event = AuditEvent.objects.filter(action="company.agreements").latest("pk")
        assert event.after == {"user_agreement": len(body["user_agreement"])}

    restored = admin.patch("/api/v1/settings/agreements/", {"user_agreement": ""}, format="json")
    assert restored.status_code == 200 and restored.json()["user_agreement"] == ""
    assert _site(client_for(company_a), "user_agreement").json()["is_default"] is True


def test_one_companys_text_is_never_shown_on_anothers_host(client_for, company_a, company_b):
    assert (
        client_for(company_a, "admin")
        .patch("/api/v1/settings/agreements/", {"privacy_policy": "阿尔法公司的隐私政策"}, format="json")
        .status_code
        == 200
    )
    assert _site(client_for(company_a), "privacy_policy").json()["text"] == "阿尔法公司的隐私政策"
    on_b = _site(client_for(company_b), "privacy_policy").json()
    assert on_b["is_default"] is True and "阿尔法" not in on_b["text"]
    assert on_b["company_name"] == company_b.brand_name and company_a.brand_name not in on_b["text"]
    assert client_for(company_b, "admin").get("/api/v1/settings/agreements/").json()["privacy_policy"] == ""
    # A's admin session on B's host is refused.
    cross = client_for(company_a, "admin")
    cross.defaults["HTTP_HOST"] = f"{company_b.slug}.localhost"
    assert cross.patch("/api/v1/settings/agreements/", {"privacy_policy": "x"}, format="json").status_code in (401, 403)
    company_b.refresh_from_db()
    assert company_b.privacy_policy == ""


def test_the_public_host_and_unknown_kinds_are_404(client_for, company_a):
    assert _site(client_for(None), "user_agreement").status_code == 404
    assert client_for(None).get("/api/v1/settings/agreements/").status_code == 404
    assert _site(client_for(company_a), "cookies").status_code == 404


@pytest.mark.parametrize(
    "text",
    ["第一条\x00业主", "bell\x07", "escape \x1b[31m red", "右到左\u202e覆盖", "x" * (agreements.MAX_LENGTH + 1)],
)
def test_bad_text_is_a_400_and_nothing_is_written(client_for, company_a, text):
    admin = client_for(company_a, "admin")
    response = admin.patch(
        "/api/v1/settings/agreements/", {"user_agreement": text, "privacy_policy": "好的文本"}, format="json"
    )
    assert response.status_code == 400, response.content
    assert "user_agreement" in response.json()["fields"]
    company_a.refresh_from_db()
    assert company_a.user_agreement == "" and company_a.privacy_policy == ""


def test_a_huge_body_is_refused(client_for, company_a):
    response = client_for(company_a, "admin").patch(
        "/api/v1/settings/agreements/", {"privacy_policy": "长" * 200_000}, format="json"
    )
    assert response.status_code in (400, 413)
    company_a.refresh_from_db()
    assert company_a.privacy_policy == ""


def test_the_longest_allowed_text_is_kept(company_a):
    with tenant_context(company_a):
        admin = User.objects.get(username="admin")
    services.update_agreements(company=company_a, actor=admin, user_agreement="条" * agreements.MAX_LENGTH)
    assert len(Company.objects.get(pk=company_a.pk).user_agreement) == agreements.MAX_LENGTH


@pytest.mark.parametrize("username", ["cashier", "guard", "dispatcher"])
def test_only_settings_managers_read_or_change_them(client_for, company_a, username):
    staff = client_for(company_a, username)
    assert staff.get("/api/v1/settings/agreements/").status_code == 403
    assert staff.patch("/api/v1/settings/agreements/", {"user_agreement": "x"}, format="json").status_code == 403
    assert client_for(company_a).get("/api/v1/settings/agreements/").status_code == 401
    company_a.refresh_from_db()
    assert company_a.user_agreement == ""
