"""催缴提醒 in bulk from the arrears list: a job with progress, one arrears.reminder per house with app
users and what it owes by the ledger, at most once a house a day — a second request, a redelivered
job or the list's filter covering the same house tell nobody twice; other companies' houses and
jobs are out of reach."""

from __future__ import annotations

import pytest
from django_tenants.utils import tenant_context

from billing.services import reminders
from core import services as core_services
from core.models import Job, JobStatus
from notifications.models import Delivery, Notification
from tests.billing.test_ledger_api import _owner_client, _world
from tests.platform.notifications_helpers import drain

pytestmark = pytest.mark.django_db
URL = "/api/v1/billing/arrears/reminders/"


def _send(client, outbox_sent, body):
    answer = client.post(URL, body, format="json")
    assert answer.status_code == 202, answer.content
    drain(outbox_sent)
    return answer.json()["job"]


def _job(client, job_id):
    answer = client.get(f"/api/v1/jobs/{job_id}/")
    assert answer.status_code == 200, answer.content
    return answer.json()


def _owed(client, house):
    lines = client.get("/api/v1/billing/arrears/?page_size=100").json()["results"]
    return next(line["total"] for line in lines if line["house_id"] == house.pk)


def test_reminders_go_once_a_day_to_the_houses_app_users_with_progress(company_a, client_for, outbox_sent, monkeypatch):
    world = _world(company_a, name="催缴苑")
    houses = world["houses"]
    owner = _owner_client(company_a, client_for, person=world["person"], username="ar-owner")
    cashier = client_for(company_a, "cashier")
    progress: list[tuple[int, str]] = []
    report = core_services.report_progress
    monkeypatch.setattr(reminders, "CHUNK", 1)
    monkeypatch.setattr(
        core_services,
        "report_progress",
        lambda **kw: (progress.append((kw["progress"], kw["message"])), report(**kw))[1],
    )

    job_id = _send(cashier, outbox_sent, {"houses": [houses[0].pk, houses[1].pk]})
    job = _job(cashier, job_id)
    assert job["status"] == "succeeded" and job["progress"] == job["total"] == 2
    assert job["result"] == {"sent": 1, "already": 0, "no_app_users": 1, "nothing_owed": 0, "houses": 2}
    assert progress == [(1, "已处理 1 / 2 户"), (2, "已处理 2 / 2 户")]
    owed = _owed(cashier, houses[0])
    items = owner.get("/api/v1/owner/notifications/").json()["results"]
    reminder = [item for item in items if item["event"] == "arrears.reminder"]
    assert len(reminder) == 1 and reminder[0]["title"] == "欠费提醒"
    assert f"尚欠物业费用 {owed} 元" in reminder[0]["body"]
    assert reminder[0]["link"] == f"/pages/bills/bills?house={houses[0].pk}"
    with tenant_context(company_a):
        told = Notification.objects.get(event="arrears.reminder")
        assert set(Delivery.objects.filter(notification=told).values_list("recipient__username", flat=True)) == {
            "ar-owner"
        }

    # Asked again the same day, by selection or by the list's filter: already reminded, nobody told twice.
    again = _job(cashier, _send(cashier, outbox_sent, {"houses": [houses[0].pk]}))
    assert again["result"] == {"sent": 0, "already": 1, "no_app_users": 0, "nothing_owed": 0, "houses": 1}
    by_filter = _job(cashier, _send(cashier, outbox_sent, {"estate": world["estate"].pk}))
    assert by_filter["result"]["already"] == 1 and by_filter["result"]["sent"] == 0
    assert by_filter["result"]["no_app_users"] == by_filter["result"]["houses"] - 1 == len(houses) - 1

    # The first job's message delivered again while it ran: what it sent counts as sent, once.
    with tenant_context(company_a):
        Job.objects.filter(pk=job_id).update(status=JobStatus.RUNNING)
        assert reminders.run_reminders(job_id=job_id)["sent"] == 1
        assert reminders.run_reminders(job_id=job_id) is None  # finished: nothing to do
        assert Notification.objects.filter(event="arrears.reminder").count() == 1
    drain(outbox_sent)
    assert (
        len(
            [i for i in owner.get("/api/v1/owner/notifications/").json()["results"] if i["event"] == "arrears.reminder"]
        )
        == 1
    )


def test_a_house_owing_nothing_is_counted_not_told(company_a, client_for, outbox_sent):
    world = _world(company_a, name="清账苑", billed=False)
    _owner_client(company_a, client_for, person=world["person"], username="ar-clear")
    job = _job(
        client_for(company_a, "cashier"),
        _send(client_for(company_a, "cashier"), outbox_sent, {"houses": [world["houses"][0].pk]}),
    )
    assert job["result"] == {"sent": 0, "already": 0, "no_app_users": 0, "nothing_owed": 1, "houses": 0}
    with tenant_context(company_a):
        assert not Notification.objects.filter(event="arrears.reminder").exists()


def test_only_collectors_send_and_only_their_own_companys_houses(company_a, company_b, client_for, outbox_sent):
    world = _world(company_a, name="越界苑")
    house = world["houses"][0].pk
    for who in ("guard", "service"):  # no fees.collect
        assert client_for(company_a, who).post(URL, {"houses": [house]}, format="json").status_code == 403
    owner = _owner_client(company_a, client_for, person=world["person"], username="ar-self")
    assert owner.post(URL, {"houses": [house]}, format="json").status_code == 403
    bad = client_for(company_a, "cashier").post(URL, {"houses": [2**31 - 1]}, format="json")
    assert bad.status_code == 400 and "houses" in bad.json()["fields"]
    empty = client_for(company_a, "cashier").post(URL, {"houses": []}, format="json")
    assert empty.status_code == 400 and "houses" in empty.json()["fields"]
    # Company B's cashier names company A's house and estate: not theirs, refused.
    theirs = client_for(company_b, "cashier")
    refused = theirs.post(URL, {"houses": [house]}, format="json")
    assert refused.status_code == 400 and "houses" in refused.json()["fields"]
    assert theirs.post(URL, {"estate": world["estate"].pk}, format="json").status_code == 400
    # Company A's job cannot be polled from company B.
    job_id = _send(client_for(company_a, "cashier"), outbox_sent, {"houses": [house]})
    assert theirs.get(f"/api/v1/jobs/{job_id}/").status_code == 404
    with tenant_context(company_b):
        assert not Notification.objects.exists()
