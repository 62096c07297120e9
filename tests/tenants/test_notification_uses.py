"""The first uses of the notification service: a house-binding request waiting for review lights the
reviewers' bell; a bill run's issued bills reach each house's owners (inbox and SMS), once."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone
from django_tenants.utils import schema_context, tenant_context

from accounts.models import User
from billing import tasks as billing_tasks
from billing.models import Charge
from billing.services import bill_runs
from core.outbox.models import OutboxMessage
from notifications.models import Delivery, Notification
from standins import sms as sms_standin
from tenants.estates import services as estate_services
from tenants.estates.models import House
from tenants.residents import services as resident_services
from tests.billing.test_ledger_api import _fee
from tests.platform.notifications_helpers import drain, owner

pytestmark = pytest.mark.django_db

PHONE = "13677770011"


@pytest.fixture(autouse=True)
def _clean_sms():
    sms_standin.reset(PHONE)
    yield
    sms_standin.reset(PHONE)


def _houses(company, name="通知苑"):
    with tenant_context(company):
        estate = estate_services.create_estate(name=name)
        building = estate_services.create_building(estate=estate, name="1栋", floors=1, units=["1单元"])
        estate_services.generate_houses(
            building=building, per_floor=2, building_area=Decimal("100.00"), usable_area=Decimal("80.00")
        )
        return estate, list(House.objects.filter(estate=estate).select_related("building", "unit").order_by("pk"))


def test_a_binding_waiting_for_review_lights_the_reviewers_bell(company_a, client_for, outbox_sent):
    _estate, houses = _houses(company_a)
    client, _user = owner(company_a, client_for, "n-binder")
    created = client.post(
        "/api/v1/owner/bindings/", {"house_id": houses[0].pk, "relation": "owner", "name": "王五"}, format="json"
    )
    assert created.status_code == 201 and created.json()["status"] == "pending"
    for reviewer in ("service", "admin"):  # basic_data.manage
        bell = client_for(company_a, reviewer)
        assert bell.get("/api/v1/notifications/unread-count/").json() == {"unread": 1}, reviewer
        item = bell.get("/api/v1/notifications/").json()["results"][0]
        assert item["event"] == "binding.pending" and item["title"] == "房屋绑定申请待审核"
        assert item["body"] == "王五 申请绑定 1栋1单元101（业主），请审核。"
    for bystander in ("cashier", "guard"):  # may not review: nothing in their bell
        assert client_for(company_a, bystander).get("/api/v1/notifications/unread-count/").json() == {"unread": 0}
    assert client.get("/api/v1/owner/notifications/").json()["results"] == []
    # By e-mail too, to the reviewers who have an address (the admin: the signup's).
    drain(outbox_sent)
    assert [(m.to, m.subject) for m in mail.outbox] == [
        (["admin@alpha.example.com"], "[阿尔法物业] 房屋绑定申请待审核")
    ]
    assert "王五 申请绑定 1栋1单元101（业主），请审核。" in mail.outbox[0].body
    assert "/basic-data/bindings?status=pending" in mail.outbox[0].body


def test_a_binding_approved_at_once_asks_nobody(company_a, client_for):
    _estate, houses = _houses(company_a)
    client, _user = owner(company_a, client_for, "n-known", phone=PHONE)
    with tenant_context(company_a):
        admin = User.objects.get(username="admin")
        person = resident_services.create_person(actor=admin, name="赵六", phone=PHONE)
        resident_services.add_occupancy(actor=admin, house=houses[0], person=person, relation="owner")
    created = client.post(
        "/api/v1/owner/bindings/", {"house_id": houses[0].pk, "relation": "owner", "name": "赵六"}, format="json"
    )
    assert created.json()["status"] == "approved"
    with tenant_context(company_a):
        assert not Notification.objects.filter(event="binding.pending").exists()


def test_an_issued_bill_reaches_its_owners_inbox_and_phone_once(company_a, client_for, outbox_sent):
    estate, houses = _houses(company_a)
    client, user = owner(company_a, client_for, "n-payer", phone=PHONE)
    with tenant_context(company_a):
        admin = User.objects.get(username="admin")
        person = resident_services.create_person(actor=admin, name="钱七", phone=PHONE)
        resident_services.add_occupancy(
            actor=admin, house=houses[0], person=person, relation="owner", is_primary_payer=True
        )
        person.user = user
        person.save(update_fields=["user"])
        as_of = timezone.localdate().replace(day=1)
        _fee(name="物业费通知苑", houses=houses, start=as_of)
        run = bill_runs.start_bill_run(
            run=bill_runs.create_bill_run(as_of=as_of, estate=estate, actor=None), actor=None
        )
    drain(outbox_sent)  # the run, its bill.issued events, their notifications, their texts
    with tenant_context(company_a):
        amount = Charge.objects.get(house=houses[0], bill_run=run).amount
        assert Notification.objects.filter(event="bill.issued").count() == 1  # house 1 has no app user
    items = client.get("/api/v1/owner/notifications/").json()["results"]
    assert [item["title"] for item in items] == ["新账单：物业费通知苑"]
    assert f"金额 {amount} 元" in items[0]["body"] and items[0]["link"] == f"/pages/bills/bills?house={houses[0].pk}"
    texted = sms_standin.outbox(PHONE)
    assert len(texted) == 1 and texted[0]["params"][:3] == ["1栋1单元101", "物业费通知苑", str(amount)]
    # The event delivered again (the handler's done mark lost): nobody is told twice.
    with schema_context("public"):
        issued = OutboxMessage.objects.get(schema_name=company_a.schema_name, topic="bill.issued")
    with tenant_context(company_a):
        billing_tasks.bill_issued(**issued.payload)
        assert Notification.objects.filter(event="bill.issued").count() == 1
        assert Delivery.objects.filter(recipient=user).count() == 2  # inbox + SMS
    drain(outbox_sent)
    assert len(sms_standin.outbox(PHONE)) == 1


def test_due_soon_and_overdue_reminders_reach_the_owner_once_each(company_a, client_for, outbox_sent):
    _estate, houses = _houses(company_a, name="提醒苑")
    client, user = owner(company_a, client_for, "n-reminded")
    with tenant_context(company_a):
        admin = User.objects.get(username="admin")
        person = resident_services.create_person(actor=admin, name="孙八")
        resident_services.add_occupancy(actor=admin, house=houses[1], person=person, relation="owner")
        person.user = user
        person.save(update_fields=["user"])
        reminder = {"house_id": houses[1].pk, "due_date": "2026-12-11", "amount": "223.75", "message": "物业账单提醒"}
        for _twice in range(2):  # a redelivered reminder tells nobody twice
            billing_tasks.bill_due_soon(**reminder)
            billing_tasks.bill_overdue(**{**reminder, "due_date": "2026-12-01"})
        billing_tasks.bill_due_soon(**{**reminder, "house_id": houses[0].pk})  # nobody there uses the app
        assert Notification.objects.filter(event__in=["bill.due_soon", "bill.overdue"]).count() == 2
    titles = [item["title"] for item in client.get("/api/v1/owner/notifications/").json()["results"]]
    assert sorted(titles) == ["账单即将到期", "账单已逾期"]
    english = client.get("/api/v1/owner/notifications/", HTTP_ACCEPT_LANGUAGE="en").json()["results"]
    assert {item["title"] for item in english} == {"Bill due soon", "Bill overdue"}
