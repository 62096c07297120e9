"""WeChat mini-program subscribe messages through the WeChat stand-in (served on a loopback port, as
the real API would be): a message spends one of the owner's one-time subscriptions exactly once
(redelivered, retried, raced by two workers), falls back to SMS or the inbox when none is left or
WeChat refuses it, WeChat's error codes mapped to what the delivery does next, the access token
refreshed when WeChat says it expired, the admin API for templates, and isolation between companies."""

from __future__ import annotations

import threading

import pytest
from django.db import connections
from django_tenants.utils import tenant_context

from accounts.models import AuditEvent, User
from notifications import wechat, wechat_fields
from notifications.models import Delivery, DeliveryStatus, TemplateOverride, WechatCreditUse, WechatSubscription
from notifications.services import deliveries, lanes
from notifications.services import wechat as wechat_services
from standins import sms as sms_standin
from standins import wechat_messages
from tests.billing.concurrency import drop, in_threads, on_own_connection
from tests.conftest import _provision
from tests.platform.notifications_helpers import drain, make_deliveries_due, notify_in_action, owner

pytestmark = pytest.mark.django_db

PHONE = "13677771001"
BILL = {"house": "1栋1单元101", "house_id": 7, "fee_item": "物业费", "amount": "268.50", "due_date": "2026-12-31"}
FIELDS = {"thing1": "house", "amount2": "amount", "date3": "due_date", "thing4": "_title"}
KEYWORDS = list(FIELDS)
APPS = {"alpha": "wxalphanotify0001", "beta": "wxbetanotify00001", "wxrace": "wxracenotify00001"}
TEMPLATES = {"alpha": "TPL-BILL-ALPHA", "beta": "TPL-BILL-BETA", "wxrace": "TPL-BILL-RACE"}


def _clean(appid: str) -> None:
    from core import redis_client

    wechat_messages.reset_app(appid)
    redis_client.client().delete(f"{wechat.TOKEN_PREFIX}:{appid}_access_token")


@pytest.fixture(autouse=True)
def _quiet_standins(wechat_standin):
    wechat_messages.set_busy_rate(0)  # no random "system busy" unless a test asks for it
    sms_standin.reset(PHONE)
    for appid in APPS.values():
        _clean(appid)
    yield
    wechat_messages.set_busy_rate(None)
    sms_standin.reset(PHONE)


def configure(company, standin, *, register_template: bool = True) -> tuple[str, str]:
    """The company's mini-program (in the stand-in too) and its template for bill.issued."""
    appid, template_id = APPS[company.slug], TEMPLATES[company.slug]
    company.wechat_appid, company.wechat_secret = appid, f"secret-{appid}"
    company.save(update_fields=["wechat_appid", "wechat_secret"])
    standin.register_app(appid, f"secret-{appid}")
    if register_template:
        standin.add_template(appid, template_id, KEYWORDS)
    with tenant_context(company):
        wechat_services.save_template(
            actor=User.objects.get(username="admin"), event="bill.issued", template_id=template_id, fields=FIELDS
        )
    return appid, template_id


def wechat_owner(company, client_for, standin, name: str, *, phone: str = "", known_to_wechat: bool = True):
    """An owner who logged in with WeChat (their openid in this mini-program) and a client as them."""
    client, user = owner(company, client_for, name, phone=phone)
    appid = APPS[company.slug]
    if known_to_wechat:
        standin.device_login(appid, name)  # opened the mini-program: WeChat knows the openid
    with tenant_context(company):
        user.wechat_openid = standin.openid_for(appid, name)
        user.save(update_fields=["wechat_openid"])
    return client, user


def subscribe(client, standin, company, name: str, template_ids: list[str], *, at_wechat: bool = True):
    """The owner taps 允许 in wx.requestSubscribeMessage, and the app reports it."""
    if at_wechat:
        assert standin.device_subscribe(APPS[company.slug], name, template_ids) == dict.fromkeys(template_ids, "accept")
    return client.post("/api/v1/owner/wechat-subscriptions/", {"template_ids": template_ids}, format="json")


def deliveries_of(company, user) -> dict[str, Delivery]:
    with tenant_context(company):
        return {d.channel: d for d in Delivery.objects.filter(recipient=user)}


def credits(company, user, template_id: str) -> int:
    with tenant_context(company):
        row = WechatSubscription.objects.filter(user=user, template_id=template_id).first()
        return row.credits if row else 0


def bill_issued(company, user, key: str):
    with tenant_context(company):
        return notify_in_action([user], "bill.issued", BILL, key=key)


# --- sending ---------------------------------------------------------------------------------------


def test_a_subscribed_owner_gets_the_bill_on_wechat_once_and_the_subscription_is_spent(
    company_a, client_for, wechat_standin, outbox_sent
):
    appid, template_id = configure(company_a, wechat_standin)
    client, user = wechat_owner(company_a, client_for, wechat_standin, "wx-li", phone=PHONE)
    response = subscribe(client, wechat_standin, company_a, "wx-li", [template_id])
    assert response.status_code == 200, response.content
    assert response.json()["credits"] == {template_id: 1}

    bill_issued(company_a, user, "bill-1")
    rows = deliveries_of(company_a, user)
    assert set(rows) == {"inbox", "wechat"}  # WeChat first: SMS only if WeChat cannot
    assert rows["wechat"].status == DeliveryStatus.QUEUED and rows["wechat"].address.endswith("***")
    drain(outbox_sent)

    rows = deliveries_of(company_a, user)
    assert rows["wechat"].status == DeliveryStatus.SENT and rows["wechat"].provider_id
    openid = wechat_standin.openid_for(appid, "wx-li")
    [sent] = wechat_messages.sent_to(appid, openid)
    assert sent["template_id"] == template_id
    assert sent["data"] == {
        "thing1": {"value": "1栋1单元101"},
        "amount2": {"value": "268.50元"},
        "date3": {"value": "2026年12月31日"},
        "thing4": {"value": "新账单：物业费"},
    }
    assert sent["page"] == "pages/bills/bills?house=7"
    assert credits(company_a, user, template_id) == 0
    assert wechat_messages.subscriptions_left(appid, openid, template_id) == 0
    assert sms_standin.outbox(PHONE) == []

    # The send redelivered (a worker lost its ack, a lease lapsed): nothing goes out, nothing is spent again.
    wechat_row = rows["wechat"]
    assert deliveries.send_delivery(delivery_id=wechat_row.pk) == "skipped"
    make_deliveries_due(company_a)
    lanes.run_until_idle()  # the lanes look again: nothing left to send
    assert len(wechat_messages.sent_to(appid, openid)) == 1
    with tenant_context(company_a):
        assert WechatCreditUse.objects.filter(delivery=wechat_row).count() == 1


def test_the_title_keyword_is_the_companys_own_wechat_wording_and_never_another_companys(
    company_a, company_b, client_for, wechat_standin, outbox_sent
):
    """The template's `_title` keyword carries the company's own WeChat wording of the event (系统设置 ›
    通知模板) when it has one — company B's wording of the same event changes nothing for A."""
    with tenant_context(company_b):
        TemplateOverride.objects.create(
            event="bill.issued", channel="wechat", language="zh-hans", title="B 的账单：%(fee_item)s", body="%(house)s"
        )
    appid, template_id = configure(company_a, wechat_standin)
    client, user = wechat_owner(company_a, client_for, wechat_standin, "wx-own", phone=PHONE)
    subscribe(client, wechat_standin, company_a, "wx-own", [template_id])
    bill_issued(company_a, user, "bill-default")
    drain(outbox_sent)
    with tenant_context(company_a):
        TemplateOverride.objects.create(
            event="bill.issued",
            channel="wechat",
            language="zh-hans",
            title="本月%(fee_item)s账单已出",
            body="%(house)s",
        )
    subscribe(client, wechat_standin, company_a, "wx-own", [template_id])
    bill_issued(company_a, user, "bill-own")
    drain(outbox_sent)
    first, second = wechat_messages.sent_to(appid, wechat_standin.openid_for(appid, "wx-own"))
    assert first["data"]["thing4"] == {"value": "新账单：物业费"}  # the code's wording, not B's
    assert second["data"]["thing4"] == {"value": "本月物业费账单已出"}


def test_no_subscription_left_falls_back_to_sms_and_the_log_says_why(
    company_a, client_for, wechat_standin, outbox_sent
):
    configure(company_a, wechat_standin)
    _client, user = wechat_owner(company_a, client_for, wechat_standin, "wx-wang", phone=PHONE)
    bill_issued(company_a, user, "bill-2")
    drain(outbox_sent)

    rows = deliveries_of(company_a, user)
    assert rows["wechat"].status == DeliveryStatus.SKIPPED
    assert "没有剩余的订阅次数" in rows["wechat"].reason and "改由短信发送" in rows["wechat"].reason
    assert rows["sms"].status == DeliveryStatus.SENT
    [texted] = sms_standin.outbox(PHONE)
    assert texted["params"] == ["1栋1单元101", "物业费", "268.50", "2026-12-31"]
    assert wechat_messages.sent_to(APPS["alpha"], wechat_standin.openid_for(APPS["alpha"], "wx-wang")) == []


def test_no_subscription_and_no_phone_leaves_the_inbox(company_a, client_for, wechat_standin, outbox_sent):
    configure(company_a, wechat_standin)
    _client, user = wechat_owner(company_a, client_for, wechat_standin, "wx-zhao")
    bill_issued(company_a, user, "bill-3")
    drain(outbox_sent)
    rows = deliveries_of(company_a, user)
    assert set(rows) == {"inbox", "wechat"}
    assert rows["wechat"].status == DeliveryStatus.SKIPPED and "仅站内消息" in rows["wechat"].reason
    assert rows["inbox"].status == DeliveryStatus.DELIVERED


def test_no_subscription_falls_back_to_the_inbox_when_the_company_sends_no_sms_for_the_event(
    company_a, client_for, wechat_standin, outbox_sent
):
    from notifications.models import EventSetting

    configure(company_a, wechat_standin)
    _client, user = wechat_owner(company_a, client_for, wechat_standin, "wx-qian", phone=PHONE)
    with tenant_context(company_a):
        EventSetting.objects.create(event="bill.issued", disabled_channels=["sms"])
    bill_issued(company_a, user, "bill-no-sms")
    drain(outbox_sent)
    rows = deliveries_of(company_a, user)
    assert set(rows) == {"inbox", "wechat"}
    assert "仅站内消息" in rows["wechat"].reason
    assert sms_standin.outbox(PHONE) == []


def test_wechat_saying_none_left_falls_back_and_forgets_ours(company_a, client_for, wechat_standin, outbox_sent):
    _appid, template_id = configure(company_a, wechat_standin)
    client, user = wechat_owner(company_a, client_for, wechat_standin, "wx-sun", phone=PHONE)
    # The app reported an acceptance WeChat never saw (or the owner used it up elsewhere): 43101.
    assert subscribe(client, wechat_standin, company_a, "wx-sun", [template_id], at_wechat=False).status_code == 200
    subscribe(client, wechat_standin, company_a, "wx-sun", [template_id], at_wechat=False)
    assert credits(company_a, user, template_id) == 2
    bill_issued(company_a, user, "bill-4")
    drain(outbox_sent)
    rows = deliveries_of(company_a, user)
    assert rows["wechat"].status == DeliveryStatus.SKIPPED and "43101" in rows["wechat"].reason
    assert rows["sms"].status == DeliveryStatus.SENT
    assert credits(company_a, user, template_id) == 0  # the next message falls back without asking WeChat
    with tenant_context(company_a):
        assert not WechatCreditUse.objects.exists()


@pytest.mark.parametrize(
    ("setup", "status", "reason"),
    [
        ("template_unknown_at_wechat", DeliveryStatus.FAILED, "40037"),
        ("openid_unknown_at_wechat", DeliveryStatus.FAILED, "40003"),
        ("busy", DeliveryStatus.RETRYING, "-1"),
        ("quota", DeliveryStatus.RETRYING, "45009"),
    ],
)
def test_wechat_errors_map_to_failed_with_fallback_or_retried(
    company_a, client_for, wechat_standin, outbox_sent, setup, status, reason
):
    appid, template_id = configure(company_a, wechat_standin, register_template=setup != "template_unknown_at_wechat")
    known = setup != "openid_unknown_at_wechat"
    client, user = wechat_owner(company_a, client_for, wechat_standin, "wx-err", phone=PHONE, known_to_wechat=known)
    subscribe(client, wechat_standin, company_a, "wx-err", [template_id], at_wechat=status == DeliveryStatus.RETRYING)
    if setup == "busy":
        wechat_messages.force_busy(appid)
    if setup == "quota":
        wechat_messages.set_send_limit(appid, 0)
    bill_issued(company_a, user, f"bill-{setup}")
    drain(outbox_sent)
    rows = deliveries_of(company_a, user)
    assert rows["wechat"].status == status and reason in rows["wechat"].reason
    if status == DeliveryStatus.FAILED:  # never on WeChat: the owner hears by SMS meanwhile
        assert "改由短信发送" in rows["wechat"].reason and rows["sms"].status == DeliveryStatus.SENT
        # Staff fixing the template cannot send it again on WeChat: the owner already has it by SMS.
        admin = client_for(company_a, "admin")
        retried = admin.post(f"/api/v1/notification-deliveries/{rows['wechat'].pk}/retry/")
        assert retried.status_code == 409 and retried.json()["code"] == "delivery_carried", retried.content
        drain(outbox_sent)
        assert deliveries_of(company_a, user)["wechat"].status == DeliveryStatus.FAILED
        assert len(sms_standin.outbox(PHONE)) == 1
    else:  # WeChat's trouble: tried again later, and no SMS while it may still go on WeChat
        assert "sms" not in rows
    # A refused send spends nothing (the failed ones: staff may fix the template and retry).
    assert credits(company_a, user, template_id) == 1
    if status == DeliveryStatus.RETRYING:
        wechat_messages.set_send_limit(appid, None)
        make_deliveries_due(company_a)  # its backoff passed: the lanes send it again
        lanes.run_until_idle()
        assert deliveries_of(company_a, user)["wechat"].status == DeliveryStatus.SENT
        assert credits(company_a, user, template_id) == 0


def test_an_expired_or_replaced_access_token_is_fetched_again_and_shared(
    company_a, client_for, wechat_standin, outbox_sent
):
    appid, template_id = configure(company_a, wechat_standin)
    client, user = wechat_owner(company_a, client_for, wechat_standin, "wx-tok")
    for _ in range(4):
        subscribe(client, wechat_standin, company_a, "wx-tok", [template_id])
    bill_issued(company_a, user, "tok-1")
    bill_issued(company_a, user, "tok-2")
    drain(outbox_sent)
    assert wechat_messages.token_fetches(appid) == 1  # one token for both sends (kept in Redis)

    wechat_messages.expire_tokens(appid)  # WeChat answers 42001 with the stored token
    bill_issued(company_a, user, "tok-3")
    drain(outbox_sent)
    assert wechat_messages.token_fetches(appid) == 2

    wechat_messages.revoke_tokens(appid)  # 40001: replaced (a new one fetched elsewhere, a secret reset)
    bill_issued(company_a, user, "tok-4")
    drain(outbox_sent)
    assert wechat_messages.token_fetches(appid) == 3
    with tenant_context(company_a):
        sent = Delivery.objects.filter(recipient=user, channel="wechat", status=DeliveryStatus.SENT).count()
    assert sent == 4 and len(wechat_messages.sent_to(appid, wechat_standin.openid_for(appid, "wx-tok"))) == 4


def test_wechat_down_for_good_gives_up_and_falls_back(company_a, client_for, wechat_standin, outbox_sent):
    _appid, template_id = configure(company_a, wechat_standin)
    client, user = wechat_owner(company_a, client_for, wechat_standin, "wx-dead", phone=PHONE)
    subscribe(client, wechat_standin, company_a, "wx-dead", [template_id])
    bill_issued(company_a, user, "dead-1")
    row = deliveries_of(company_a, user)["wechat"]
    with tenant_context(company_a):
        deliveries.give_up(delivery_id=row.pk, error="gave up")
    drain(outbox_sent)
    rows = deliveries_of(company_a, user)
    assert rows["wechat"].status == DeliveryStatus.DEAD and "改由短信发送" in rows["wechat"].reason
    assert rows["sms"].status == DeliveryStatus.SENT


# --- the last subscription, raced ------------------------------------------------------------------


@pytest.fixture
def scratch(django_db_blocker):
    company = on_own_connection(django_db_blocker, lambda: _provision("wxrace", "微信竞速物业"))
    try:
        yield company
    finally:
        on_own_connection(django_db_blocker, lambda: drop("wxrace"))


def test_two_workers_racing_for_the_last_subscription_send_once(scratch, django_db_blocker, client_for, wechat_standin):
    appid = APPS["wxrace"]

    def prepare():
        _appid, template_id = configure(scratch, wechat_standin)
        client, user = wechat_owner(scratch, client_for, wechat_standin, "racer", phone=PHONE)
        assert subscribe(client, wechat_standin, scratch, "racer", [template_id]).status_code == 200
        # WeChat would take a second message (the owner accepted again, and the app never said): only
        # our count stands between the two workers and two messages.
        wechat_standin.device_subscribe(appid, "racer", [template_id])
        first = bill_issued(scratch, user, "race-1")
        second = bill_issued(scratch, user, "race-2")
        with tenant_context(scratch):
            ids = [Delivery.objects.get(notification=n, channel="wechat").pk for n in (first, second)]
        return user, template_id, ids

    user, template_id, ids = on_own_connection(django_db_blocker, prepare)
    barrier = threading.Barrier(2)

    def send(delivery_id: int):
        def work():
            try:
                with tenant_context(scratch):
                    barrier.wait()
                    return deliveries.send_delivery(delivery_id=delivery_id)
            finally:
                connections.close_all()

        return work

    outcomes = in_threads(django_db_blocker, send(ids[0]), send(ids[1]))
    assert sorted(outcomes) == ["fallback", "sent"]

    def outcome():
        with tenant_context(scratch):
            rows = {d.pk: d for d in Delivery.objects.filter(pk__in=ids)}
            return (
                sorted((d.status, d.reason) for d in rows.values()),
                WechatSubscription.objects.get(user=user, template_id=template_id).credits,
                WechatCreditUse.objects.filter(delivery_id__in=ids).count(),
                Delivery.objects.filter(recipient=user, channel="sms").count(),
            )

    (winner, loser), left, uses, sms_rows = on_own_connection(django_db_blocker, outcome)
    assert winner == (DeliveryStatus.SENT, "")
    assert loser[0] == DeliveryStatus.SKIPPED and "没有剩余的订阅次数" in loser[1] and "改由短信发送" in loser[1]
    assert left == 0 and uses == 1 and sms_rows == 1  # the loser's message goes by SMS
    openid = wechat_standin.openid_for(appid, "racer")
    assert len(wechat_messages.sent_to(appid, openid)) == 1
    assert wechat_messages.subscriptions_left(appid, openid, template_id) == 1


# --- the owner app's subscriptions, and isolation --------------------------------------------------


def test_owner_subscriptions_moments_and_isolation(company_a, company_b, client_for, wechat_standin, outbox_sent):
    _appid_a, template_a = configure(company_a, wechat_standin)
    appid_b, template_b = configure(company_b, wechat_standin)
    client_a, user_a = wechat_owner(company_a, client_for, wechat_standin, "wx-iso")
    client_b, user_b = wechat_owner(company_b, client_for, wechat_standin, "wx-iso")

    assert client_a.get("/api/v1/owner/wechat-subscriptions/?moment=payment").json()["template_ids"] == [template_a]
    assert client_b.get("/api/v1/owner/wechat-subscriptions/?moment=binding").json()["template_ids"] == [template_b]
    assert client_a.get("/api/v1/owner/wechat-subscriptions/?moment=nope").status_code == 400

    # A's template id is no subscription in B, nor a made-up one; nothing is written.
    refused = subscribe(client_b, wechat_standin, company_b, "wx-iso", [template_a], at_wechat=False)
    assert refused.status_code == 400 and "template_ids" in refused.json()["fields"]
    assert subscribe(client_a, wechat_standin, company_a, "wx-iso", ["made-up"], at_wechat=False).status_code == 400
    assert credits(company_b, user_b, template_a) == 0

    # A's token is nobody on B's host.
    with tenant_context(company_a):
        raw = client_a._credentials["HTTP_AUTHORIZATION"]
    stranger = client_for(company_b)
    stranger.credentials(HTTP_AUTHORIZATION=raw)
    assert stranger.post(
        "/api/v1/owner/wechat-subscriptions/", {"template_ids": [template_b]}, format="json"
    ).status_code in (401, 403)
    # Staff have no owner subscriptions.
    assert client_for(company_a, "admin").get("/api/v1/owner/wechat-subscriptions/").status_code == 403

    # B's message goes with B's template and mini-program, whatever A has.
    subscribe(client_b, wechat_standin, company_b, "wx-iso", [template_b])
    bill_issued(company_b, user_b, "iso-b")
    drain(outbox_sent)
    [sent] = wechat_messages.sent_to(appid_b, wechat_standin.openid_for(appid_b, "wx-iso"))
    assert sent["template_id"] == template_b
    with tenant_context(company_a):
        assert not Delivery.objects.filter(recipient=user_a).exists()
    with tenant_context(company_b):
        audit = AuditEvent.objects.filter(action="notification.wechat_subscribe", actor=user_b)
        assert audit.count() == 1


def test_a_company_without_a_template_never_uses_wechat(company_a, company_b, client_for, wechat_standin):
    configure(company_a, wechat_standin)
    # Company B has its mini-program (WeChat knows it) but no template of its own.
    appid = APPS[company_b.slug]
    company_b.wechat_appid, company_b.wechat_secret = appid, f"secret-{appid}"
    company_b.save(update_fields=["wechat_appid", "wechat_secret"])
    wechat_standin.register_app(appid, f"secret-{appid}")
    _client, user_b = wechat_owner(company_b, client_for, wechat_standin, "wx-plain", phone=PHONE)
    bill_issued(company_b, user_b, "plain-b")
    assert set(deliveries_of(company_b, user_b)) == {"inbox", "sms"}


# --- the admin API ---------------------------------------------------------------------------------


def test_template_admin_api_is_validated_audited_and_closed(company_a, company_b, client_for, wechat_standin):
    admin = client_for(company_a, "admin")
    url = "/api/v1/notification-wechat-templates/"
    events_listed = admin.get(f"{url}events/").json()
    bill = next(e for e in events_listed if e["name"] == "bill.issued")
    assert {"house", "amount", "due_date", "_title"} <= set(bill["keys"])

    created = admin.post(url, {"event": "bill.issued", "template_id": "TPL-X1", "fields": FIELDS}, format="json")
    assert created.status_code == 201, created.content
    template = created.json()
    assert template["event_label"] == "新账单" and template["fields"] == FIELDS
    with tenant_context(company_a):
        assert AuditEvent.objects.filter(action="notification.wechat_template", object_id=str(template["id"])).exists()

    changed = admin.put(
        f"{url}{template['id']}/",
        {"event": "bill.issued", "template_id": "TPL-X2", "fields": {"thing1": "house"}},
        format="json",
    )
    assert changed.status_code == 200 and changed.json()["template_id"] == "TPL-X2"
    assert [t["template_id"] for t in admin.get(url).json()] == ["TPL-X2"]

    for bad, field in [
        ({"event": "no.such", "template_id": "T", "fields": FIELDS}, "event"),
        ({"event": "bill.issued", "template_id": "T 1", "fields": FIELDS}, "template_id"),
        ({"event": "bill.issued", "template_id": "T1", "fields": {"title1": "house"}}, "fields"),
        ({"event": "bill.issued", "template_id": "T1", "fields": {}}, "fields"),
    ]:
        response = admin.post(url, bad, format="json")
        assert response.status_code == 400 and field in response.json()["fields"], (bad, response.content)

    # Fail closed: a cashier has no notifications.templates; another company sees none of A's.
    assert client_for(company_a, "cashier").get(url).status_code == 403
    assert client_for(company_a, "cashier").post(url, {}, format="json").status_code == 403
    b_admin = client_for(company_b, "admin")
    assert b_admin.get(url).json() == []
    assert b_admin.put(f"{url}{template['id']}/", changed.json(), format="json").status_code == 404
    assert b_admin.delete(f"{url}{template['id']}/").status_code == 404
    assert admin.delete(f"{url}{template['id']}/").status_code == 204
    assert admin.get(url).json() == []


# --- keyword values --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "raw", "fitted"),
    [
        ("thing", "锦绣花园3栋2单元1801室（东边套）的物业服务费", "锦绣花园3栋2单元1801室（东边套）…"),
        ("thing", "1栋101", "1栋101"),
        ("thing", "", "-"),
        ("amount", "268.50", "268.50元"),
        ("amount", "¥1,268.5", "1268.5元"),
        ("date", "2026-12-31", "2026年12月31日"),
        ("time", "2026-12-31T08:05:00+08:00", "2026年12月31日 08:05"),
        ("phrase", "已完成 ok", "已完成"),
        ("character_string", "NO.2026/12 #7 收据", "NO.2026/12#7"),
        ("number", "12 个", "12"),
    ],
)
def test_values_fit_their_keyword_type(kind, raw, fitted):
    value = wechat_fields.fit(kind, raw)
    assert value == fitted and len(value) <= wechat_fields.LIMITS.get(kind, 32)
    assert wechat_messages.valid_value(f"{kind}1", value)  # the stand-in (WeChat's rules) takes it
