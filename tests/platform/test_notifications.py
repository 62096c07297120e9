"""The notification service: notify() inside the caller's action, delivery exactly once through the
SMS stand-in (redelivered tasks, a provider outage), dead letters and staff retry, preferences (mute,
quiet hours), the inbox APIs, and isolation between companies and between owners."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tenants.utils import schema_context, tenant_context

from accounts.models import User
from core.actions import OutsideAction
from core.outbox import services as outbox
from core.outbox.models import OutboxMessage, OutboxStatus
from notifications import tasks
from notifications.models import Delivery, DeliveryStatus, Notification, Preference
from notifications.services import batches, deliveries, lanes, notify
from notifications.services.quiet_hours import SHANGHAI, quiet_until
from standins import sms as sms_standin
from tests.platform.notifications_helpers import (
    drain,
    forget_rate_limits,
    make_deliveries_due,
    message,
    notify_in_action,
    owner,
)

pytestmark = pytest.mark.django_db

PHONE = "13677770001"
OTHER_PHONE = "13677770002"
BILL = {"house": "1栋1单元101", "house_id": 1, "fee_item": "物业费", "amount": "268.50", "due_date": "2026-12-31"}
ALERT = {"place": "1栋", "kind": "火警"}


@pytest.fixture(autouse=True)
def _clean_sms():
    for phone in (PHONE, OTHER_PHONE):
        sms_standin.reset(phone)
    yield
    for phone in (PHONE, OTHER_PHONE):
        sms_standin.reset(phone)


def _sms_delivery(company, user) -> Delivery:
    with tenant_context(company):
        return Delivery.objects.get(recipient=user, channel="sms")


def _status(company, delivery: Delivery) -> Delivery:
    with tenant_context(company):
        return Delivery.objects.get(pk=delivery.pk)


# --- notify ----------------------------------------------------------------------------------------


def test_notify_writes_the_message_its_deliveries_and_one_outbox_message(company_a, client_for, outbox_sent):
    _client, resident = owner(company_a, client_for, "n-owner", phone=PHONE)
    with tenant_context(company_a):
        cashier = User.objects.get(username="cashier")  # no phone: the inbox only
        notification = notify_in_action([resident, cashier, resident], "security.alert", ALERT, key="alert-1")
        rows = {(d.recipient_id, d.channel, d.status) for d in Delivery.objects.filter(notification=notification)}
        assert rows == {
            (resident.pk, "inbox", "delivered"),
            (resident.pk, "sms", "queued"),
            (cashier.pk, "inbox", "delivered"),
        }
        # The same key again: nothing new, the first notification back.
        assert notify_in_action([resident], "security.alert", ALERT, key="alert-1") == notification
        assert Notification.objects.filter(key="alert-1").count() == 1
        # The idempotency key of a delivery is the database's: message × channel × recipient.
        with pytest.raises(IntegrityError), transaction.atomic():
            Delivery.objects.create(notification=notification, recipient=resident, channel="sms")
    with schema_context("public"):
        sent = list(OutboxMessage.objects.filter(pk__in=outbox_sent).values_list("topic", flat=True))
    assert sent == ["notifications.dispatch"]
    assert sms_standin.outbox(PHONE) == []  # nothing leaves before a worker runs it
    drain(outbox_sent)
    texted = sms_standin.outbox(PHONE)
    assert len(texted) == 1 and texted[0]["params"] == ["1栋", "火警"]
    assert _sms_delivery(company_a, resident).status == DeliveryStatus.SENT


def test_an_inbox_only_message_names_its_recipient_nowhere_else(company_a, client_for, outbox_sent):
    """The filer of an anonymous suggestion is told in their inbox only: no SMS (or WeChat, e-mail)
    delivery that the staff's delivery log would show against the reply — the event's own channels
    and the company's templates notwithstanding."""
    _client, resident = owner(company_a, client_for, "n-private", phone=PHONE)
    with tenant_context(company_a):
        private = notify_in_action([resident], "security.alert", ALERT, key="private-1", inbox_only=True)
        assert set(Delivery.objects.filter(notification=private).values_list("channel", flat=True)) == {"inbox"}
        usual = notify_in_action([resident], "security.alert", ALERT, key="usual-1")
        assert set(Delivery.objects.filter(notification=usual).values_list("channel", flat=True)) == {"inbox", "sms"}


def test_notify_outside_an_action_and_unknown_events_are_refused(company_a):
    with tenant_context(company_a):
        admin = User.objects.get(username="admin")
        with pytest.raises(OutsideAction):
            notify([admin], "security.alert", ALERT)
        with pytest.raises(LookupError):
            notify_in_action([admin], "no.such.event", {})
        assert not Notification.objects.exists()


def test_a_rolled_back_action_leaves_no_message(company_a, client_for, outbox_sent):
    _client, resident = owner(company_a, client_for, "n-rollback", phone=PHONE)
    with tenant_context(company_a), pytest.raises(RuntimeError):
        _notify_then_fail(resident)
    with tenant_context(company_a):
        assert not Notification.objects.exists() and not Delivery.objects.exists()
    drain(outbox_sent)
    assert sms_standin.outbox(PHONE) == []


def _notify_then_fail(user):
    from core.actions import action
    from core.schemas import Schema

    @action(audit=False, schema=Schema.COMPANY)
    def failing() -> None:
        notify([user], "security.alert", ALERT)
        raise RuntimeError("the business write failed after notifying")

    failing()


# --- exactly once ----------------------------------------------------------------------------------


def test_a_redelivered_send_texts_once(company_a, client_for, outbox_sent):
    _client, resident = owner(company_a, client_for, "n-twice", phone=PHONE)
    with tenant_context(company_a):
        notify_in_action([resident], "security.alert", ALERT)
    drain(outbox_sent)
    delivery = _sms_delivery(company_a, resident)
    assert delivery.status == DeliveryStatus.SENT and len(sms_standin.outbox(PHONE)) == 1
    # A worker sends the same group again (its lease lapsed while it ran), and a single send queued
    # before the lanes is handed over twice (a lost ack): the status under the row lock says sent.
    with tenant_context(company_a):
        assert batches.send_group(ids=[delivery.pk], channel="sms").sent == 0
        tasks.send_delivery(delivery_id=delivery.pk)
        tasks.send_delivery(delivery_id=delivery.pk)
    # And the outbox runs the dispatch again (its done mark was lost with its worker): one text.
    sent = message(f"notification:{delivery.notification_id}", company_a)
    with schema_context("public"):
        OutboxMessage.objects.filter(pk=sent.pk).update(status=OutboxStatus.PENDING, finished_at=None)
    assert outbox.deliver(message_id=sent.pk) == "done"
    make_deliveries_due(company_a)
    drain(outbox_sent)
    assert len(sms_standin.outbox(PHONE)) == 1
    assert _status(company_a, delivery).attempts == 1


def test_provider_down_then_up_the_message_waits_and_goes_out_once(company_a, client_for, outbox_sent):
    _client, resident = owner(company_a, client_for, "n-outage", phone=PHONE)
    with tenant_context(company_a):
        notify_in_action([resident], "security.alert", ALERT)
    sms_standin.fail_next("InternalError", times=3)  # the adapter's own three tries all meet the outage
    drain(outbox_sent)
    delivery = _sms_delivery(company_a, resident)
    assert delivery.status == DeliveryStatus.RETRYING and "InternalError" in delivery.reason
    assert sms_standin.outbox(PHONE) == []
    assert delivery.not_before > timezone.now() and delivery.leased_until is None  # backing off
    assert lanes.run_until_idle() == 0  # not before its time
    make_deliveries_due(company_a)
    drain(outbox_sent)  # the provider is back
    assert len(sms_standin.outbox(PHONE)) == 1
    delivery = _status(company_a, delivery)
    assert delivery.status == DeliveryStatus.SENT and delivery.attempts == 2 and delivery.reason == ""


def test_a_send_that_keeps_failing_is_dead_lettered_and_staff_retry_it(company_a, client_for, outbox_sent):
    _client, resident = owner(company_a, client_for, "n-dead", phone=PHONE)
    with tenant_context(company_a):
        notify_in_action([resident], "security.alert", ALERT)
    # A refusal the adapter does not retry itself: each of the lanes' tries meets it once.
    sms_standin.fail_next("FailedOperation.InsufficientBalanceInSmsPackage", times=deliveries.MAX_ATTEMPTS)
    drain(outbox_sent)
    delivery = _sms_delivery(company_a, resident)
    for _try in range(deliveries.MAX_ATTEMPTS - 1):
        assert _status(company_a, delivery).status == DeliveryStatus.RETRYING
        make_deliveries_due(company_a)
        drain(outbox_sent)
    delivery = _status(company_a, delivery)
    assert delivery.status == DeliveryStatus.DEAD and "InsufficientBalance" in delivery.reason
    assert delivery.attempts == deliveries.MAX_ATTEMPTS and sms_standin.outbox(PHONE) == []

    assert client_for(company_a, "cashier").get("/api/v1/notification-deliveries/failures/").status_code == 403
    admin = client_for(company_a, "admin")
    failures = admin.get("/api/v1/notification-deliveries/failures/").json()["results"]
    assert [(row["id"], row["status"], row["channel"]) for row in failures] == [(delivery.pk, "dead", "sms")]
    assert failures[0]["address"] == "136****0001"
    retried = admin.post(f"/api/v1/notification-deliveries/{delivery.pk}/retry/")
    assert retried.status_code == 200 and retried.json()["status"] == "queued" and retried.json()["round"] == 1
    assert admin.post(f"/api/v1/notification-deliveries/{delivery.pk}/retry/").status_code == 409
    drain(outbox_sent)
    assert len(sms_standin.outbox(PHONE)) == 1
    assert _status(company_a, delivery).status == DeliveryStatus.SENT
    assert admin.get("/api/v1/notification-deliveries/failures/").json()["results"] == []


@pytest.mark.parametrize(
    "code", ["InvalidParameterValue.IncorrectPhoneNumber", "InvalidParameterValue.TemplateParameterLengthLimit"]
)
def test_a_refusal_of_the_message_itself_fails_at_once_with_its_reason(company_a, client_for, outbox_sent, code):
    _client, resident = owner(company_a, client_for, "n-invalid", phone=PHONE)
    with tenant_context(company_a):
        notify_in_action([resident], "security.alert", ALERT)
    sms_standin.fail_next(code)
    drain(outbox_sent)
    delivery = _sms_delivery(company_a, resident)
    assert delivery.status == DeliveryStatus.FAILED and code in delivery.reason and delivery.attempts == 1
    make_deliveries_due(company_a)
    drain(outbox_sent)
    assert _status(company_a, delivery).attempts == 1  # not retried


# --- preferences -----------------------------------------------------------------------------------


def test_owners_mute_non_essential_events_but_never_essential_ones(company_a, client_for, outbox_sent):
    client, resident = owner(company_a, client_for, "n-mute", phone=PHONE)
    refused = client.put(
        "/api/v1/owner/notification-preferences/",
        {"muted_events": ["security.alert"], "quiet_start": None, "quiet_end": None},
        format="json",
    )
    assert refused.status_code == 400 and "muted_events" in refused.json()["fields"]
    saved = client.put(
        "/api/v1/owner/notification-preferences/",
        {"muted_events": ["bill.issued"], "quiet_start": None, "quiet_end": None},
        format="json",
    )
    assert saved.status_code == 200, saved.content
    listed = {row["name"]: row for row in client.get("/api/v1/owner/notification-preferences/").json()["events"]}
    assert listed["bill.issued"]["muted"] is True and listed["security.alert"]["essential"] is True
    with tenant_context(company_a):
        # A mute of an essential event that got in some other way is ignored all the same.
        Preference.objects.filter(user=resident).update(muted_events=["bill.issued", "security.alert"])
        bill = notify_in_action([resident], "bill.issued", BILL)
        alert = notify_in_action([resident], "security.alert", ALERT)
        statuses = {
            (d.notification_id, d.channel): (d.status, d.reason) for d in Delivery.objects.filter(recipient=resident)
        }
    assert statuses[(bill.pk, "sms")] == (DeliveryStatus.SKIPPED, "muted by the recipient")
    assert statuses[(bill.pk, "inbox")][0] == DeliveryStatus.DELIVERED  # still in the inbox
    assert statuses[(alert.pk, "sms")][0] == DeliveryStatus.QUEUED
    drain(outbox_sent)
    assert [text["params"] for text in sms_standin.outbox(PHONE)] == [["1栋", "火警"]]


def _quiet_now(client) -> datetime:
    """Quiet hours from an hour ago to an hour ahead (Shanghai time); returns their end."""
    local = timezone.now().astimezone(SHANGHAI)
    start, end = (local - timedelta(hours=1)).time(), (local + timedelta(hours=1)).time()
    answer = client.put(
        "/api/v1/owner/notification-preferences/",
        {"muted_events": [], "quiet_start": start.strftime("%H:%M"), "quiet_end": end.strftime("%H:%M")},
        format="json",
    )
    assert answer.status_code == 200, answer.content
    until = quiet_until(
        start=start.replace(second=0, microsecond=0), end=end.replace(second=0, microsecond=0), now=local
    )
    assert until is not None
    return until


def test_quiet_hours_hold_non_urgent_messages_until_they_end(company_a, client_for, outbox_sent):
    client, resident = owner(company_a, client_for, "n-quiet", phone=PHONE)
    until = _quiet_now(client)
    with tenant_context(company_a):
        bill = notify_in_action([resident], "bill.issued", BILL)
        alert = notify_in_action([resident], "security.alert", ALERT)  # urgent: now
        held = Delivery.objects.get(notification=bill, channel="sms")
        now = Delivery.objects.get(notification=alert, channel="sms")
    assert held.not_before == until and now.not_before is None
    drain(outbox_sent)
    assert [text["params"] for text in sms_standin.outbox(PHONE)] == [["1栋", "火警"]]
    held = _status(company_a, held)
    assert held.status == DeliveryStatus.QUEUED and held.not_before == until  # the lane waits for it
    assert lanes.run_until_idle() == 0
    sms_standin.reset(PHONE)  # the 30-second limit per number (the provider's and ours), as after the night
    forget_rate_limits()
    make_deliveries_due(company_a)
    drain(outbox_sent)
    assert [text["params"][:2] for text in sms_standin.outbox(PHONE)] == [["1栋1单元101", "物业费"]]


@pytest.mark.parametrize(
    ("start", "end", "now", "until"),
    [
        (time(22), time(7), "2026-12-02 23:30", "2026-12-03 07:00"),
        (time(22), time(7), "2026-12-02 06:59", "2026-12-02 07:00"),
        (time(22), time(7), "2026-12-02 07:00", None),
        (time(22), time(7), "2026-12-02 12:00", None),
        (time(12), time(14), "2026-12-02 13:00", "2026-12-02 14:00"),
        (time(12), time(14), "2026-12-02 14:30", None),
        (None, None, "2026-12-02 23:30", None),
    ],
)
def test_quiet_hours_are_shanghai_wall_clock_and_may_pass_midnight(start, end, now, until):
    def at(text: str) -> datetime:
        return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)

    # Given in UTC, as the server's clock is: the window is still Shanghai's.
    moment = at(now).astimezone(UTC)
    assert quiet_until(start=start, end=end, now=moment) == (at(until) if until else None)


def test_preferences_refuse_half_or_empty_quiet_hours(company_a, client_for):
    client, _resident = owner(company_a, client_for, "n-half")
    for start, end in (("22:00", None), ("22:00", "22:00")):
        answer = client.put(
            "/api/v1/owner/notification-preferences/",
            {"muted_events": [], "quiet_start": start, "quiet_end": end},
            format="json",
        )
        assert answer.status_code == 400 and "quiet_end" in answer.json()["fields"]


# --- inboxes ---------------------------------------------------------------------------------------


def test_an_owner_sees_only_their_own_inbox(company_a, client_for):
    mine, me = owner(company_a, client_for, "n-mine")
    theirs, them = owner(company_a, client_for, "n-theirs")
    with tenant_context(company_a):
        notify_in_action([me], "bill.issued", {**BILL, "fee_item": "水费"})
        notify_in_action([them], "bill.issued", {**BILL, "fee_item": "电费"})
        their_item = Delivery.objects.get(recipient=them, channel="inbox")
    listed = mine.get("/api/v1/owner/notifications/").json()["results"]
    assert [row["title"] for row in listed] == ["新账单：水费"]
    assert "1栋1单元101" in listed[0]["body"] and listed[0]["link"] == "/pages/bills/bills?house=1"
    assert mine.get("/api/v1/owner/notifications/unread-count/").json() == {"unread": 1}
    assert mine.post(f"/api/v1/owner/notifications/{their_item.pk}/read/").status_code == 404
    assert theirs.get("/api/v1/owner/notifications/unread-count/").json() == {"unread": 1}
    read = mine.post(f"/api/v1/owner/notifications/{listed[0]['id']}/read/")
    assert read.status_code == 200 and read.json()["read_at"]
    assert mine.get("/api/v1/owner/notifications/unread-count/").json() == {"unread": 0}
    assert mine.get("/api/v1/owner/notifications/?unread=1").json()["results"] == []
    # An owner's token holds no staff powers: the staff bell and the delivery log are refused.
    assert mine.get("/api/v1/notifications/").status_code == 403
    assert mine.get("/api/v1/notification-deliveries/").status_code == 403


def test_the_staff_bell_counts_reads_and_reads_all_in_the_readers_language(company_a, client_for):
    with tenant_context(company_a):
        service = User.objects.get(username="service")
        for n in range(3):
            notify_in_action([service], "security.alert", {"place": f"{n + 1}栋", "kind": "火警"})
    bell = client_for(company_a, "service")
    assert bell.get("/api/v1/notifications/unread-count/").json() == {"unread": 3}
    english = bell.get("/api/v1/notifications/", HTTP_ACCEPT_LANGUAGE="en").json()["results"]
    assert english[0]["title"].startswith("Security alert")
    assert bell.post("/api/v1/notifications/read-all/").json() == {"marked": 3}
    assert bell.get("/api/v1/notifications/unread-count/").json() == {"unread": 0}
    assert client_for(company_a, "guard").get("/api/v1/notifications/").json()["results"] == []


def test_company_b_sees_nothing_of_company_as_inbox_and_log(company_a, company_b, client_for, outbox_sent):
    _client, resident = owner(company_a, client_for, "n-iso", phone=PHONE)
    with tenant_context(company_a):
        admin_a = User.objects.get(username="admin")
        notify_in_action([resident, admin_a], "security.alert", ALERT)
        item = Delivery.objects.get(recipient=admin_a, channel="inbox")
    sms_standin.fail_next("InvalidParameterValue.IncorrectPhoneNumber")
    drain(outbox_sent)
    failed = _sms_delivery(company_a, resident)
    assert client_for(company_a, "admin").get(f"/api/v1/notification-deliveries/{failed.pk}/").status_code == 200
    on_b = client_for(company_b, "admin")
    assert on_b.get("/api/v1/notifications/").json()["results"] == []
    assert on_b.get("/api/v1/notifications/unread-count/").json() == {"unread": 0}
    assert on_b.post(f"/api/v1/notifications/{item.pk}/read/").status_code == 404
    assert on_b.get("/api/v1/notification-deliveries/").json()["results"] == []
    assert on_b.get("/api/v1/notification-deliveries/failures/").json()["results"] == []
    assert on_b.get(f"/api/v1/notification-deliveries/{failed.pk}/").status_code == 404
    assert on_b.post(f"/api/v1/notification-deliveries/{failed.pk}/retry/").status_code == 404
    with tenant_context(company_b):
        assert not Notification.objects.exists()
    a_admin_on_b = client_for(company_a, "admin")
    a_admin_on_b.defaults["HTTP_HOST"] = f"{company_b.slug}.localhost"
    assert a_admin_on_b.get("/api/v1/notifications/").status_code in (401, 403)


def test_inbox_and_delivery_log_query_counts_do_not_grow_with_the_page(company_a, client_for, outbox_sent):
    _client, resident = owner(company_a, client_for, "n-count", phone=PHONE)
    with tenant_context(company_a):
        service = User.objects.get(username="service")
        for n in range(12):
            notify_in_action([service, resident], "bill.issued", {**BILL, "fee_item": f"费{n}"})
    bell, admin = client_for(company_a, "service"), client_for(company_a, "admin")
    for client, path in ((bell, "/api/v1/notifications/"), (admin, "/api/v1/notification-deliveries/")):
        counts = []
        for size in (2, 12):
            with CaptureQueriesContext(connection) as queries:
                answer = client.get(f"{path}?page_size={size}")
            assert answer.status_code == 200 and len(answer.json()["results"]) == size, path
            counts.append(len(queries))
        assert counts[0] == counts[1], path
