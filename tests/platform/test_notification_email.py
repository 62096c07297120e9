"""Notification e-mail in the company's branding: a text part and an HTML part with the company's
logo (absolute from its site), name and colour; the body escaped (company-editable templates and
owner-entered values), a colour or link that is not what it should be refused, no broken image
without a logo, and never another company's branding."""

from __future__ import annotations

import pytest
from django.core import mail
from django_tenants.utils import tenant_context

from accounts.models import User
from companies.models import Company
from companies.services import company_url
from notifications import email_message
from tests.platform.notifications_helpers import drain, notify_in_action

pytestmark = pytest.mark.django_db

BINDING = {"name": "王五", "house": "1栋1单元101", "relation": "业主"}
ALPHA_COLOUR, BETA_COLOUR = "#aa3311", "#22bb44"


def _brand(company, *, colour: str, logo: str = "") -> None:
    Company.objects.filter(pk=company.pk).update(primary_color=colour, logo=logo)


def _mail_admin(company, context=BINDING):
    """binding.pending to the company's admin (who has an e-mail address), sent: the one e-mail."""
    mail.outbox.clear()
    with tenant_context(company):
        notify_in_action([User.objects.get(username="admin")], "binding.pending", context)


def _html(message) -> str:
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    return html


def test_the_email_has_an_html_part_with_the_companys_logo_absolute_and_its_colour(company_a, outbox_sent):
    _brand(company_a, colour=ALPHA_COLOUR, logo="branding/alpha.png")
    _mail_admin(company_a)
    drain(outbox_sent)
    [message] = mail.outbox
    assert message.to == ["admin@alpha.example.com"] and message.subject.startswith("[阿尔法物业] ")
    # The text part as before: the body and the link.
    assert "王五 申请绑定 1栋1单元101（业主），请审核。" in message.body
    assert "/basic-data/bindings?status=pending" in message.body
    html = _html(message)
    logo = f"{company_url('alpha').rstrip('/')}/media/{company_a.schema_name}/branding/alpha.png"
    assert logo.startswith(("http://", "https://"))
    assert f'<img src="{logo}" alt="阿尔法物业"' in html
    assert f"background-color:{ALPHA_COLOUR}" in html and "#1677ff" not in html
    assert "王五 申请绑定 1栋1单元101（业主），请审核。" in html
    # The button into the admin, absolute, and the footer saying why (in the company's language).
    assert f'href="{company_url("alpha").rstrip("/")}/basic-data/bindings?status=pending"' in html
    assert "查看详情</a>" in html
    assert "您收到这封邮件，是因为您在阿尔法物业有账户" in html
    assert 'lang="zh-hans"' in html


def test_a_script_in_the_body_is_escaped_and_line_breaks_kept(company_a, client_for, outbox_sent):
    admin = client_for(company_a, "admin")
    saved = admin.put(
        "/api/v1/notification-templates/binding.pending/email/zh-hans/",
        {"title": "<b>绑定</b>待审", "body": "<script>alert(1)</script>%(name)s 待审\n请尽快处理"},
        format="json",
    )
    assert saved.status_code == 200, saved.content
    _mail_admin(company_a, {**BINDING, "name": '<img src=x onerror="alert(2)">'})
    drain(outbox_sent)
    html = _html(mail.outbox[0])
    assert "<script" not in html and "<b>" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "&lt;b&gt;绑定&lt;/b&gt;待审" in html
    assert "&lt;img src=x onerror=&quot;alert(2)&quot;&gt; 待审<br>请尽快处理" in html


def test_a_colour_or_link_that_is_not_what_it_should_be_is_refused():
    branding = email_message.Branding(
        name="<i>阿尔法</i>", colour="red;background:url(x)", logo_url="javascript:alert(1)"
    )
    text, html = email_message.render(
        title="标题", body="正文", link="javascript:alert(2)", branding=branding, language="zh-hans"
    )
    assert "red;" not in html and "url(x)" not in html and "#1677ff" in html  # the default colour
    assert "javascript:" not in html and "javascript:" not in text
    assert "<img" not in html and "href=" not in html and "查看详情" not in html
    assert "&lt;i&gt;阿尔法&lt;/i&gt;" in html and "<i>" not in html
    assert email_message.safe_colour("#AbCdEf") == "#AbCdEf"
    # The button's text reads on the company's colour: white on a dark one, dark on a pale one.
    assert email_message.text_on("#1677ff") == "#ffffff" and email_message.text_on("#ffee88") == "#1f2329"
    for bad in ("#abc", "#abcdefg", " #abcdef", "#abcdef;", "rgb(1,2,3)", None):
        assert email_message.safe_colour(bad) == email_message.DEFAULT_COLOUR
    assert email_message.absolute("/media/c/branding/x.png", "https://a.example.com/") == (
        "https://a.example.com/media/c/branding/x.png"
    )
    assert email_message.absolute("//evil.example.com/x.png", "https://a.example.com/") == ""
    assert email_message.absolute("data:image/png;base64,AAAA", "https://a.example.com/") == ""


def test_english_company_mail_is_in_english(company_a, outbox_sent, settings):
    settings.LANGUAGE_CODE = "en"
    _mail_admin(company_a)
    drain(outbox_sent)
    html = _html(mail.outbox[0])
    assert 'lang="en"' in html and "View details</a>" in html and "You received this e-mail" in html


def test_a_company_without_a_logo_gets_no_image(company_b, outbox_sent):
    _brand(company_b, colour=BETA_COLOUR, logo="")
    _mail_admin(company_b)
    drain(outbox_sent)
    html = _html(mail.outbox[0])
    assert "<img" not in html and "src=" not in html
    assert "贝塔物业" in html and f"background-color:{BETA_COLOUR}" in html


def test_a_companys_mail_never_carries_another_companys_branding(company_a, company_b, outbox_sent):
    _brand(company_a, colour=ALPHA_COLOUR, logo="branding/alpha.png")
    _brand(company_b, colour=BETA_COLOUR, logo="branding/beta.png")
    _mail_admin(company_b)
    drain(outbox_sent)
    [beta] = mail.outbox
    assert beta.to == ["admin@beta.example.com"]
    html = _html(beta)
    assert BETA_COLOUR in html and f"/media/{company_b.schema_name}/branding/beta.png" in html
    assert company_url("beta").rstrip("/") in html
    for alpha in (ALPHA_COLOUR, "阿尔法", "alpha", company_a.schema_name):
        assert alpha not in html and alpha not in beta.body and alpha not in beta.subject
    # And the other way round.
    _mail_admin(company_a)
    drain(outbox_sent)
    [alpha_mail] = mail.outbox
    html = _html(alpha_mail)
    assert ALPHA_COLOUR in html and f"/media/{company_a.schema_name}/branding/alpha.png" in html
    for beta_mark in (BETA_COLOUR, "贝塔", "beta.png", company_b.schema_name):
        assert beta_mark not in html and beta_mark not in alpha_mail.body
