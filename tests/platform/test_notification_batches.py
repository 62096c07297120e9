"""Sending in batches through the lanes (notifications.services.lanes, .batches): a worker killed
mid-batch, a provider down for a while, fairness across companies and the urgent lane, and the
rate limits per company and per recipient — small numbers, the real stand-in and Redis."""

from __future__ import annotations

import time

import pytest
from django.utils import timezone
from django_tenants.utils import tenant_context

from core import redis_client
from core.outbox import services as outbox
from notifications.models import Delivery, DeliveryStatus
from notifications.services import batches, lanes
from standins import sms as sms_standin
from tests.platform.notifications_helpers import forget_rate_limits, notify_in_action, owner

pytestmark = pytest.mark.django_db

BILL = {"house": "1栋1单元101", "house_id": 1, "amount": "268.50", "due_date": "2026-12-31"}
ALERT = {"place": "1栋", "kind": "火警"}


def _phone(n: int) -> str:
    return f"1357777{n:04d}"


@pytest.fixture(autouse=True)
def _clean(settings):
    settings.NOTIFY_BATCH, settings.NOTIFY_SMS_GROUP = 3, 2
    store = redis_client.client()

    def forget() -> None:
        for key in store.scan_iter(match=f"{lanes.PREFIX}*"):
            store.delete(key)
        for n in range(20):
            sms_standin.reset(_phone(n))

    forget()
    yield
    forget()


def _owners(company, client_for, prefix: str, count: int, first: int = 0) -> list:
    return [owner(company, client_for, f"{prefix}{n}", phone=_phone(first + n))[1] for n in range(count)]


def _dispatch(outbox_sent: list[int]) -> None:
    """Run the outbox's messages (the dispatch tells the lanes) without taking any turn."""
    for message_id in list(outbox_sent):
        outbox.deliver(message_id=message_id)
    outbox_sent.clear()


def _sms(company, notification) -> list[Delivery]:
    with tenant_context(company):
        return list(Delivery.objects.filter(notification=notification, channel="sms").order_by("pk"))


def _texts(first: int, count: int) -> list[int]:
    return [len(sms_standin.outbox(_phone(n))) for n in range(first, first + count)]


class Killed(BaseException):
    """The worker process dies (not an error the turn could catch and report)."""


def test_a_worker_killed_mid_batch_leaves_the_rest_leased_and_another_completes_it_once(
    company_a, client_for, outbox_sent, settings, monkeypatch
):
    settings.NOTIFY_LEASE_SECONDS = 3.0
    people = _owners(company_a, client_for, "kill", 5)
    with tenant_context(company_a):
        notification = notify_in_action(people, "bill.due_soon", BILL)
    _dispatch(outbox_sent)

    real, calls = batches.send_group, []

    def dies_on_the_second_group(**kwargs):
        calls.append(kwargs["ids"])
        if len(calls) == 2:
            raise Killed
        return real(**kwargs)

    monkeypatch.setattr(batches, "send_group", dies_on_the_second_group)
    with pytest.raises(Killed):
        lanes.drain_once(lanes.BULK)  # claims 3, sends a group of 2, dies before the third
    monkeypatch.setattr(batches, "send_group", real)
    rows = _sms(company_a, notification)
    assert [row.status for row in rows] == ["sent", "sent", "queued", "queued", "queued"]
    assert rows[2].leased_until > timezone.now() and rows[3].leased_until is None

    # Another worker: what nobody holds goes now; the dead worker's row waits for its lease to lapse.
    lanes.run_until_idle()
    rows = _sms(company_a, notification)
    assert [row.status for row in rows] == ["sent", "sent", "queued", "sent", "sent"]
    assert _texts(0, 5) == [1, 1, 0, 1, 1]
    time.sleep(3.1)
    lanes.run_until_idle()
    rows = _sms(company_a, notification)
    assert {row.status for row in rows} == {DeliveryStatus.SENT}
    assert [row.attempts for row in rows] == [1] * 5 and all(row.leased_until is None for row in rows)
    assert _texts(0, 5) == [1] * 5  # every owner texted once: none lost, none twice
    # A late redelivery of the dead worker's group sends nothing more.
    with tenant_context(company_a):
        assert batches.send_group(ids=calls[1], channel="sms").sent == 0
    assert _texts(0, 5) == [1] * 5


def test_provider_down_for_a_while_messages_wait_and_go_out_once_afterwards(
    company_a, client_for, outbox_sent, settings
):
    settings.NOTIFY_RETRY_SECONDS = 1.0
    people = _owners(company_a, client_for, "down", 4)
    with tenant_context(company_a):
        notification = notify_in_action(people, "bill.due_soon", BILL)
    _dispatch(outbox_sent)
    sms_standin.fail_next("InternalError", times=6)  # two requests, each with the adapter's three tries

    lanes.run_until_idle()
    rows = _sms(company_a, notification)
    # The batch stopped at the outage: the group tried waits its backoff, the rest was not tried.
    assert [(row.status, row.attempts) for row in rows[:2]] == [("retrying", 1)] * 2
    assert "InternalError" in rows[0].reason and rows[0].not_before > timezone.now()
    assert [(row.status, row.attempts) for row in rows[2:]] == [("queued", 0)] * 2
    assert _texts(0, 4) == [0] * 4

    deadline = time.monotonic() + 20
    while {row.status for row in _sms(company_a, notification)} != {DeliveryStatus.SENT}:
        assert time.monotonic() < deadline, [(row.status, row.reason) for row in _sms(company_a, notification)]
        lanes.run_until_idle()
        time.sleep(0.05)
    rows = _sms(company_a, notification)
    # Two requests met the outage, two numbers each: four tries more than the four sends.
    assert sum(row.attempts for row in rows) == 8 and all(row.reason == "" for row in rows)
    assert _texts(0, 4) == [1] * 4  # none lost, none twice


def test_company_b_goes_before_company_as_backlog_is_drained(company_a, company_b, client_for, outbox_sent):
    a_people = _owners(company_a, client_for, "fairA", 8)
    b_bulk, b_urgent = _owners(company_b, client_for, "fairB", 2, first=10)
    with tenant_context(company_a):
        announcement = notify_in_action(a_people, "bill.due_soon", BILL)
    _dispatch(outbox_sent)
    assert lanes.drain_once(lanes.BULK)  # A's backlog is being sent (3 a turn)...
    with tenant_context(company_b):  # ...when B has a message in each lane
        b_notice = notify_in_action([b_bulk], "bill.due_soon", BILL)
        b_alert = notify_in_action([b_urgent], "security.alert", ALERT)
    _dispatch(outbox_sent)

    def a_waiting() -> int:
        return sum(row.status == DeliveryStatus.QUEUED for row in _sms(company_a, announcement))

    # The urgent lane is a chain of its own: B's alert goes at once, whatever A has waiting.
    assert lanes.drain_once(lanes.URGENT)
    assert [row.status for row in _sms(company_b, b_alert)] == ["sent"] and a_waiting() == 5
    # In the bulk lane B is next: after one batch of A, never after all of A's.
    assert lanes.drain_once(lanes.BULK)
    assert [row.status for row in _sms(company_b, b_notice)] == ["sent"] and a_waiting() == 5
    assert lanes.drain_once(lanes.BULK) and a_waiting() == 2
    lanes.run_until_idle()
    assert a_waiting() == 0 and _texts(0, 8) == [1] * 8 and _texts(10, 2) == [1, 1]


def test_the_company_rate_paces_an_announcement(company_a, client_for, outbox_sent, settings):
    settings.NOTIFY_BATCH, settings.NOTIFY_SMS_GROUP = 10, 10
    settings.NOTIFY_COMPANY_RATE = {"default": (20.0, 40), "sms": (5.0, 2)}  # 5 a second, 2 at once
    forget_rate_limits()
    people = _owners(company_a, client_for, "rate", 6)
    with tenant_context(company_a):
        notification = notify_in_action(people, "bill.due_soon", BILL)
    _dispatch(outbox_sent)
    started = time.monotonic()
    lanes.run_until_idle()  # the burst goes; the rest is given back untried, the company waits its turn
    rows = _sms(company_a, notification)
    assert [(row.status, row.attempts) for row in rows] == [("sent", 1)] * 2 + [("queued", 0)] * 4
    assert all(row.leased_until is None for row in rows)
    while any(row.status != DeliveryStatus.SENT for row in _sms(company_a, notification)):
        assert time.monotonic() - started < 10
        lanes.run_until_idle()
        time.sleep(0.02)
    assert time.monotonic() - started >= 4 / 5 - 0.05  # four more at five a second
    assert _texts(0, 6) == [1] * 6


def test_a_recipient_is_not_texted_more_often_than_the_provider_allows(company_a, client_for, outbox_sent):
    forget_rate_limits()
    (person,) = _owners(company_a, client_for, "often", 1)
    with tenant_context(company_a):
        first = notify_in_action([person], "bill.due_soon", BILL)
        second = notify_in_action([person], "bill.overdue", BILL)
    _dispatch(outbox_sent)
    lanes.run_until_idle()
    (sent,), (waiting,) = _sms(company_a, first), _sms(company_a, second)
    assert sent.status == DeliveryStatus.SENT
    # Tencent takes one text per number per 30 s: the second waits its turn here, no try spent on a refusal.
    assert waiting.status == DeliveryStatus.QUEUED and waiting.attempts == 0
    assert 25 < (waiting.not_before - timezone.now()).total_seconds() <= 30
    assert len(sms_standin.outbox(_phone(0))) == 1


def test_a_chain_waits_for_a_rate_limited_company_instead_of_ending(
    company_a, client_for, outbox_sent, settings, monkeypatch
):
    settings.NOTIFY_BATCH, settings.NOTIFY_SMS_GROUP = 10, 10
    settings.NOTIFY_COMPANY_RATE = {"default": (20.0, 40), "sms": (10.0, 2)}
    forget_rate_limits()
    queued: list[tuple[tuple, dict]] = []
    monkeypatch.setattr(lanes, "publish", lambda *args, **kwargs: queued.append((args, kwargs)))
    people = _owners(company_a, client_for, "chain", 4)
    with tenant_context(company_a):
        notification = notify_in_action(people, "bill.due_soon", BILL)
    _dispatch(outbox_sent)  # the dispatch starts the bulk lane's chains
    chains = [args for args, _kwargs in queued]
    assert len(chains) == settings.NOTIFY_SLOTS[lanes.BULK]
    queued.clear()
    for args in chains:  # the first sends the burst; for the second nothing is due for a moment
        lanes.run_chain(*args)
    assert sum(row.status == DeliveryStatus.SENT for row in _sms(company_a, notification)) == 2
    # No chain ended while the company waits for its rate: the idle one queued itself for when it may go.
    assert [args for args, _kwargs in queued] == chains
    assert 0 < queued[1][1]["countdown"] <= 0.1
    deadline = time.monotonic() + 10
    while queued:
        assert time.monotonic() < deadline
        args, kwargs = queued.pop(0)
        time.sleep(kwargs.get("countdown", 0))
        lanes.run_chain(*args)
    assert {row.status for row in _sms(company_a, notification)} == {DeliveryStatus.SENT}
    assert _texts(0, 4) == [1] * 4
    store = redis_client.client()
    assert not any(store.exists(f"{lanes.PREFIX}slot:{lanes.BULK}:{slot}") for slot in range(len(chains)))


def test_a_turn_that_found_nothing_meanwhile_does_not_push_back_the_rows_another_turn_gives_back(
    company_a, client_for, outbox_sent, settings, monkeypatch
):
    """Two chains on one company at the tail of its backlog: the second turn finds every row leased by
    the first and scores the company for when that lease lapses (a minute away). The first turn then
    gives rows back (the company's rate ran out): its score — due in a moment — must stand, or the
    chains let go and the rows wait for the sweep (the 20,000-owner bench stalled on this)."""
    settings.NOTIFY_BATCH, settings.NOTIFY_SMS_GROUP = 10, 10
    settings.NOTIFY_COMPANY_RATE = {"default": (20.0, 40), "sms": (10.0, 2)}
    forget_rate_limits()
    people = _owners(company_a, client_for, "tail", 4)
    with tenant_context(company_a):
        notification = notify_in_action(people, "bill.due_soon", BILL)
    monkeypatch.setattr(lanes, "kick", lambda lane: 0)  # no chains: this test takes the turns itself
    _dispatch(outbox_sent)
    send_batch, overlapping = batches.send_batch, []

    def first_turn_sending(ids):
        if not overlapping:  # while the first turn holds the rows, the second takes its turn
            overlapping.append(lanes.drain_once(lanes.BULK))
        return send_batch(ids)

    monkeypatch.setattr(batches, "send_batch", first_turn_sending)
    assert lanes.drain_once(lanes.BULK) and overlapping == [True]
    rows = _sms(company_a, notification)
    assert sorted(row.status for row in rows) == ["queued", "queued", "sent", "sent"]
    wait = lanes.soonest(lanes.BULK)
    assert wait is not None and wait < 1  # not the lapse of the first turn's lease, a minute away
    deadline = time.monotonic() + 5
    while any(row.status != DeliveryStatus.SENT for row in _sms(company_a, notification)):
        assert time.monotonic() < deadline
        lanes.drain_once(lanes.BULK)
        time.sleep(0.02)
    assert _texts(0, 4) == [1] * 4
