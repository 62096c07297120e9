"""A company's notification templates and sending settings: its overrides used by the inbox, e-mail
and SMS, the language fallback, placeholders checked (and the sandbox: no format tricks), the
preview, the permission, isolation between companies, essential channels that stay on, and SMS
failing closed without the company's approved template under the real provider."""

from __future__ import annotations

import pytest
from django.core import mail
from django_tenants.utils import tenant_context

from accounts.models import AuditEvent, User
from notifications import wording
from notifications.events import get as event
from notifications.models import Delivery, DeliveryStatus, EventSetting, TemplateOverride
from standins import sms as sms_standin
from tests.platform.notifications_helpers import drain, forget_rate_limits, notify_in_action, owner

pytestmark = pytest.mark.django_db

PHONE = "13677770011"
ALERT = {"place": "1栋", "kind": "火警"}
BILL = {"house": "1栋1单元101", "house_id": 1, "fee_item": "物业费", "amount": "268.50", "due_date": "2026-12-31"}
BINDING = {"name": "王五", "house": "1栋1单元101", "relation": "业主"}
URL = "/api/v1/notification-templates/"
SECRET_KEY = "test-only-secret-key-templates-01"
ACCOUNT = sms_standin.Account(  # a company's own Tencent account: its signature, its approved template
    secret_id="AKIDtestTemplates000000000000000000001",
    secret_key=SECRET_KEY,
    sdk_app_id="1400654321",
    sign_names=frozenset({"测试物业", "贝塔物业"}),
    templates={"3000006": "{1}发生{2}，请注意安全。"},
)


@pytest.fixture(autouse=True)
def _clean_sms():
    sms_standin.reset(PHONE)
    yield
    sms_standin.reset(PHONE)


def _put(client, name: str, channel: str, language: str, **text):
    return client.put(f"{URL}{name}/{channel}/{language}/", text, format="json")


def _entry(answer, name: str, channel: str, language: str) -> dict:
    rows = next(row for row in answer if row["name"] == name)["templates"]
    return next(row for row in rows if row["channel"] == channel and row["language"] == language)


# --- overrides in use -------------------------------------------------------------------------


def test_the_companys_inbox_text_is_what_readers_see_in_its_language_with_fallback(company_a, client_for):
    admin = client_for(company_a, "admin")
    saved = _put(admin, "security.alert", "inbox", "zh-hans", title="紧急：%(kind)s", body="请立即离开%(place)s！")
    assert saved.status_code == 200, saved.content
    assert saved.json()["templates"][0] == {
        "channel": "inbox",
        "language": "zh-hans",
        "title": "紧急：%(kind)s",
        "body": "请立即离开%(place)s！",
        "overridden": True,
        "default_title": "安全警报：%(kind)s",
        "default_body": "%(place)s 发生%(kind)s，请注意安全并听从物业安排。",
    }
    with tenant_context(company_a):
        service = User.objects.get(username="service")
        notify_in_action([service], "security.alert", ALERT)
        audit = AuditEvent.objects.get(action="notification.template")
        assert audit.object_id == "security.alert/inbox/zh-hans" and audit.before is None
    bell = client_for(company_a, "service")
    item = bell.get("/api/v1/notifications/").json()["results"][0]
    assert (item["title"], item["body"]) == ("紧急：火警", "请立即离开1栋！")
    # No English override: the English reader gets the code's English default.
    english = bell.get("/api/v1/notifications/", HTTP_ACCEPT_LANGUAGE="en").json()["results"][0]
    assert english["title"].startswith("Security alert") and "1栋" in english["body"]
    # Reset: back to the default, audited.
    reset = admin.delete(f"{URL}security.alert/inbox/zh-hans/")
    assert (
        reset.status_code == 200 and _entry([reset.json()], "security.alert", "inbox", "zh-hans")["overridden"] is False
    )
    assert bell.get("/api/v1/notifications/").json()["results"][0]["title"] == "安全警报：火警"
    with tenant_context(company_a):
        assert AuditEvent.objects.filter(action="notification.template_reset").count() == 1


def test_the_companys_email_text_is_mailed(company_a, client_for, outbox_sent):
    admin = client_for(company_a, "admin")
    assert (
        _put(
            admin,
            "binding.pending",
            "email",
            "zh-hans",
            title="绑定待审：%(house)s",
            body="%(name)s（%(relation)s）待审",
        ).status_code
        == 200
    )
    with tenant_context(company_a):
        notify_in_action([User.objects.get(username="admin")], "binding.pending", BINDING)
    drain(outbox_sent)
    assert [m.subject for m in mail.outbox] == ["[阿尔法物业] 绑定待审：1栋1单元101"]
    assert "王五（业主）待审" in mail.outbox[0].body
    # The inbox keeps its own (default) text: templates are per channel.
    item = client_for(company_a, "admin").get("/api/v1/notifications/").json()["results"][0]
    assert item["title"] == "房屋绑定申请待审核"


def test_the_companys_sms_text_orders_the_templates_parameters(company_a, client_for, outbox_sent):
    admin = client_for(company_a, "admin")
    assert _put(admin, "security.alert", "sms", "zh-hans", body="%(kind)s：%(place)s，请撤离").status_code == 200
    _client, resident = owner(company_a, client_for, "t-sms", phone=PHONE)
    with tenant_context(company_a):
        notify_in_action([resident], "security.alert", ALERT)
    drain(outbox_sent)
    texted = sms_standin.outbox(PHONE)
    assert len(texted) == 1 and texted[0]["params"] == ["火警", "1栋"]
    # An SMS text whose parameters do not match the approved template: the provider refuses, for good.
    assert _put(admin, "security.alert", "sms", "zh-hans", body="%(kind)s").status_code == 200
    sms_standin.reset(PHONE)
    forget_rate_limits()  # not the per-number wait (1 text per 30 s): the template's refusal is tested
    with tenant_context(company_a):
        notify_in_action([resident], "security.alert", ALERT)
        drain(outbox_sent)
        failed = Delivery.objects.filter(recipient=resident, channel="sms").order_by("-pk").first()
    assert failed.status == DeliveryStatus.FAILED and "TemplateParameter" in failed.reason


# --- checked and sandboxed --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ("%(owner)s 你好", "owner"),  # not one of the event's placeholders
        ("%(place).__class__", "不是可用的写法"),  # attribute access
        ("%(place)r", "不是可用的写法"),  # another conversion
        ("%(place)10s", "不是可用的写法"),  # a format spec
        ("%(place)s 100%", "不是可用的写法"),  # a stray percent
        ("%s 发生", "不是可用的写法"),
        ("{place.__class__.__mro__}", None),  # braces are plain text, not a format field
        ("{{ settings.SECRET_KEY }}", None),  # nor a template tag
    ],
)
def test_only_the_events_placeholders_are_accepted(company_a, client_for, body, problem):
    admin = client_for(company_a, "admin")
    answer = _put(admin, "security.alert", "inbox", "zh-hans", title="警报", body=body)
    if problem is None:  # accepted, and rendered as the literal text it is
        assert answer.status_code == 200
        with tenant_context(company_a):
            notify_in_action([User.objects.get(username="admin")], "security.alert", ALERT)
        assert admin.get("/api/v1/notifications/").json()["results"][0]["body"] == body
        return
    assert answer.status_code == 400 and problem in " ".join(answer.json()["fields"]["body"])
    with tenant_context(company_a):
        assert not TemplateOverride.objects.exists()


def test_bad_input_is_400_with_field_errors(company_a, client_for):
    admin = client_for(company_a, "admin")
    empty = _put(admin, "security.alert", "inbox", "zh-hans", title="", body="")
    assert empty.status_code == 400 and set(empty.json()["fields"]) == {"title", "body"}
    assert _put(admin, "security.alert", "inbox", "zh-hans", title="x" * 201, body="x").status_code == 400
    assert _put(admin, "security.alert", "email", "zh-hans", title="x", body="x").status_code == 404  # not its channel
    assert _put(admin, "security.alert", "inbox", "fr", title="x", body="x").status_code == 404
    assert _put(admin, "no.such", "inbox", "zh-hans", title="x", body="x").status_code == 404


def test_fill_only_substitutes_values_as_text():
    values = {"place": "%(kind)s", "kind": "火警"}
    assert wording.fill("%(place)s / %(kind)s / 100%%", values) == "%(kind)s / 火警 / 100%"
    assert wording.check(event("security.alert"), "%(place)s%(kind)s") == []


# --- preview ----------------------------------------------------------------------------------


def test_preview_renders_with_marked_sample_values(company_a, client_for):
    admin = client_for(company_a, "admin")
    preview = admin.post(
        f"{URL}bill.issued/preview/", {"channel": "inbox", "language": "zh-hans"}, format="json"
    ).json()
    assert preview["title"] == "新账单：〔示例：fee_item〕"
    assert "〔示例：house〕" in preview["body"] and preview["sample"]["amount"] == "〔示例：amount〕"
    typed = admin.post(
        f"{URL}bill.issued/preview/",
        {"channel": "sms", "language": "zh-hans", "body": "%(amount)s元，%(house)s"},
        format="json",
    ).json()
    assert typed["body"] == "〔示例：amount〕元，〔示例：house〕"
    assert typed["sms_params"] == ["〔示例：amount〕", "〔示例：house〕"]
    bad = admin.post(
        f"{URL}bill.issued/preview/",
        {"channel": "inbox", "language": "en", "title": "x", "body": "%(x).y"},
        format="json",
    )
    assert bad.status_code == 400 and "body" in bad.json()["fields"]
    with tenant_context(company_a):
        assert not TemplateOverride.objects.exists()  # a preview saves nothing


# --- permission and isolation ---------------------------------------------------------------


def test_without_the_permission_everything_is_refused(company_a, client_for):
    cashier = client_for(company_a, "cashier")
    assert cashier.get(URL).status_code == 403
    assert _put(cashier, "security.alert", "inbox", "zh-hans", title="x", body="x").status_code == 403
    assert cashier.delete(f"{URL}security.alert/inbox/zh-hans/").status_code == 403
    assert cashier.post(f"{URL}security.alert/preview/", {"channel": "inbox", "language": "en"}).status_code == 403
    assert cashier.get("/api/v1/notification-settings/").status_code == 403
    assert cashier.put("/api/v1/notification-settings/", {"events": []}, format="json").status_code == 403
    with tenant_context(company_a):
        assert not TemplateOverride.objects.exists()


def test_company_b_never_sees_nor_uses_company_as_templates(company_a, company_b, client_for):
    a_admin = client_for(company_a, "admin")
    assert _put(a_admin, "security.alert", "inbox", "zh-hans", title="A 的标题", body="A：%(place)s").status_code == 200
    b_admin = client_for(company_b, "admin")
    listed = b_admin.get(URL).json()
    assert _entry(listed, "security.alert", "inbox", "zh-hans")["overridden"] is False
    assert "A 的标题" not in str(listed)
    with tenant_context(company_b):
        notify_in_action([User.objects.get(username="admin")], "security.alert", ALERT)
    assert b_admin.get("/api/v1/notifications/").json()["results"][0]["title"] == "安全警报：火警"
    # B's reset and writes touch only B; A's session on B's host is refused.
    assert b_admin.delete(f"{URL}security.alert/inbox/zh-hans/").status_code == 200
    with tenant_context(company_a):
        assert TemplateOverride.objects.filter(title="A 的标题").exists()
    a_on_b = client_for(company_a, "admin")
    a_on_b.defaults["HTTP_HOST"] = f"{company_b.slug}.localhost"
    assert a_on_b.get(URL).status_code in (401, 403)
    assert _put(a_on_b, "security.alert", "inbox", "zh-hans", title="x", body="x").status_code in (401, 403)
    with tenant_context(company_b):
        assert not TemplateOverride.objects.exists()


# --- channel settings -------------------------------------------------------------------------


def _choice(name: str, channels: list[str], template_id: str = "") -> dict:
    return {"event": name, "enabled_channels": channels, "sms_template_id": template_id}


def test_sms_can_be_turned_off_for_an_ordinary_event_never_for_an_essential_one(company_a, client_for, outbox_sent):
    admin = client_for(company_a, "admin")
    off = admin.put("/api/v1/notification-settings/", {"events": [_choice("bill.issued", ["inbox"])]}, format="json")
    assert off.status_code == 200
    issued = next(row for row in off.json()["events"] if row["name"] == "bill.issued")
    assert issued["enabled_channels"] == ["inbox"]
    _client, resident = owner(company_a, client_for, "t-off", phone=PHONE)
    with tenant_context(company_a):
        notify_in_action([resident], "bill.issued", BILL)
        assert set(Delivery.objects.filter(recipient=resident).values_list("channel", flat=True)) == {"inbox"}
        assert AuditEvent.objects.filter(action="notification.settings").count() == 1
    for name, channels in (("bill.final_notice", ["inbox"]), ("security.alert", ["sms"]), ("bill.issued", ["sms"])):
        refused = admin.put("/api/v1/notification-settings/", {"events": [_choice(name, channels)]}, format="json")
        assert refused.status_code == 400 and "events[0].enabled_channels" in refused.json()["fields"], name
    with tenant_context(company_a):
        assert not EventSetting.objects.filter(event__in=["bill.final_notice", "security.alert"]).exists()
        notify_in_action([resident], "bill.final_notice", BILL)
        assert Delivery.objects.filter(recipient=resident, channel="sms").count() == 1


def test_staff_mute_their_own_non_essential_events_from_the_bell(company_a, client_for):
    service = client_for(company_a, "service")
    saved = service.put(
        "/api/v1/notification-preferences/",
        {"muted_events": ["binding.pending"], "quiet_start": "22:00", "quiet_end": "07:00"},
        format="json",
    )
    assert saved.status_code == 200 and saved.json()["muted_events"] == ["binding.pending"]
    refused = service.put(
        "/api/v1/notification-preferences/",
        {"muted_events": ["security.alert"], "quiet_start": None, "quiet_end": None},
        format="json",
    )
    assert refused.status_code == 400 and "muted_events" in refused.json()["fields"]
    assert client_for(company_a, "admin").get("/api/v1/notification-preferences/").json()["muted_events"] == []


# --- SMS: the company's signature and template IDs --------------------------------------------


def test_the_real_provider_without_the_companys_template_id_fails_closed(
    company_a, client_for, outbox_sent, settings, serve_wsgi
):
    settings.SMS_BACKEND = "tencent"
    settings.TENCENT_SMS = {
        "SECRET_ID": ACCOUNT.secret_id,
        "SECRET_KEY": SECRET_KEY,
        "SDK_APP_ID": ACCOUNT.sdk_app_id,
        "SIGN_NAME": "测试物业",
        "TEMPLATE_IDS": {"login_code": "2000001", "bill_due_soon": "2000002"},
        "REGION": "ap-guangzhou",
        "ENDPOINT": serve_wsgi(sms_standin.TencentSmsStandIn([ACCOUNT]).wsgi_app),
    }
    admin = client_for(company_a, "admin")
    listed = admin.get("/api/v1/notification-settings/").json()
    assert listed["sms_provider"] == "tencent"
    missing = {row["name"] for row in listed["events"] if row["sms_template_missing"]}
    assert {"security.alert", "bill.issued", "bill.final_notice"} <= missing
    assert "binding.pending" not in missing  # no SMS
    assert "bill.due_soon" not in missing  # the platform's own SMS account has a template for it
    _client, resident = owner(company_a, client_for, "t-closed", phone=PHONE)
    with tenant_context(company_a):
        notify_in_action([resident], "security.alert", ALERT)
    drain(outbox_sent)
    with tenant_context(company_a):
        delivery = Delivery.objects.get(recipient=resident, channel="sms")
    assert delivery.status == DeliveryStatus.FAILED and "短信模板 ID" in delivery.reason
    assert sms_standin.outbox(PHONE) == []
    # The company gives its approved template (and signature): texts go out under them.
    template_id, sign = "3000006", "贝塔物业"
    saved = admin.put(
        "/api/v1/notification-settings/",
        {"sms_sign_name": sign, "events": [_choice("security.alert", ["inbox", "sms"], template_id)]},
        format="json",
    )
    assert saved.status_code == 200, saved.content
    alert = next(row for row in saved.json()["events"] if row["name"] == "security.alert")
    assert alert["sms_template_id"] == template_id and alert["sms_template_missing"] is False
    with tenant_context(company_a):
        notify_in_action([resident], "security.alert", {"place": "2栋", "kind": "火警"})
    drain(outbox_sent)
    texted = sms_standin.outbox(PHONE)
    assert len(texted) == 1 and texted[0]["sign"] == sign and texted[0]["params"] == ["2栋", "火警"]


def test_settings_refuse_bad_signatures_and_template_ids(company_a, client_for):
    admin = client_for(company_a, "admin")
    bad = admin.put(
        "/api/v1/notification-settings/",
        {"sms_sign_name": "【物业】", "events": [_choice("security.alert", ["inbox", "sms"], "12 34")]},
        format="json",
    )
    assert bad.status_code == 400 and set(bad.json()["fields"]) == {"sms_sign_name", "events[0].sms_template_id"}
    no_sms = admin.put(
        "/api/v1/notification-settings/", {"events": [_choice("binding.pending", ["inbox"], "123")]}, format="json"
    )
    assert no_sms.status_code == 400
