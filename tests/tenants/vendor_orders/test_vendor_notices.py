"""What the vendor is told, in the portal's 消息 and by text to its contact phone: a new order to
confirm, a cancellation that was not its own, a payment and a rating; a company's decisions; its
documents running out. Written in the transaction of what happened, once; texts leave through the
outbox from the platform's own account, wait out the night, and stop when the vendor turns them off."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.utils import timezone

from core.outbox import services as outbox
from core.outbox.models import OutboxMessage
from standins import sms as sms_standin
from tests.tenants.vendor_orders.test_booking import _pay
from tests.tenants.vendor_orders.world import add_slot, admitted_vendor, book

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def world(payer, vendor, client_for):
    sms_standin.reset(vendor.phone)
    admitted = admitted_vendor(vendor, payer.company, client_for(payer.company, "admin"), [payer.house.estate_id])
    assert _deliver_texts(payer.company.schema_name) == ["done"]  # 入驻通过
    sms_standin.reset(vendor.phone)  # its message and Tencent's per-number limits
    return admitted


def _notices(world, **params):
    response = world.vendor.client.get("/api/v1/partner/notices/", params)
    assert response.status_code == 200, response.content
    return response.json()


def _kinds(world):
    return [row["kind"] for row in _notices(world)["results"]]


def _deliver_texts(schema_name: str) -> list[str]:
    """Run the vendor-notice texts queued in `schema_name`, as a worker would once they are due (a
    text queued at night waits for the morning: here it is morning); their outcomes."""
    queued = OutboxMessage.objects.filter(schema_name=schema_name, topic="partners.notice_sms", status="pending")
    queued.update(available_at=timezone.now())
    keys = queued.values_list("key", flat=True)
    return [outbox.deliver_now(schema_name=schema_name, key=key) for key in list(keys)]


def _texts(world):
    return [message["params"] for message in sms_standin.outbox(world.vendor.phone)]


def _paid_order(payer, world, client_for, key="n1"):
    order = book(payer.client, payer.house.pk, world, key=key).json()
    _pay(payer, client_for, order["id"], key=f"pay-{key}")
    return order


def test_a_paid_booking_tells_the_vendor_once_in_the_portal_and_by_text(payer, world, client_for):
    company = payer.company
    assert _kinds(world) == ["admission_approved"]  # the company's decision came first
    order = _paid_order(payer, world, client_for)
    body = _notices(world)
    booked = body["results"][0]
    assert booked["kind"] == "order_booked"
    assert booked["company_label"] == company.brand_name
    assert "日常保洁 3 小时" in booked["title"] and "请及时确认" in booked["text"]
    assert booked["read"] is False and booked["sms"] == "queued"
    assert booked["portal_order"] is not None

    _deliver_texts(company.schema_name)
    _deliver_texts(company.schema_name)  # a redelivery sends nothing more
    texts = _texts(world)
    number = payer.client.get(f"/api/v1/owner/vendor-orders/{order['id']}/").json()["number"]
    assert [company.brand_name[:20], number] in texts
    assert len([t for t in texts if number in t]) == 1
    assert _notices(world)["results"][0]["sms"] == "sent"

    # English for an English reader, from the same stored facts.
    english = world.vendor.client.get("/api/v1/partner/notices/", HTTP_ACCEPT_LANGUAGE="en")
    assert english.json()["results"][0]["title"].startswith("New order")


def test_an_unpaid_order_says_nothing_until_it_is_paid(payer, world, client_for):
    order = book(payer.client, payer.house.pk, world, key="u1").json()
    assert "order_booked" not in _kinds(world)  # nothing to confirm before the owner pays
    _pay(payer, client_for, order["id"], key="pay-u1")
    assert _kinds(world).count("order_booked") == 1


def test_the_owners_cancellation_reaches_the_vendor_its_own_does_not(payer, world, client_for):
    first = _paid_order(payer, world, client_for, key="c1")
    cancelled = payer.client.post(f"/api/v1/owner/vendor-orders/{first['id']}/cancel/", {}, format="json")
    assert cancelled.status_code == 200, cancelled.content
    notice = _notices(world)["results"][0]
    assert notice["kind"] == "order_cancelled" and "业主" in notice["text"]

    world.slot_id = add_slot(world.vendor, days=3)
    second = _paid_order(payer, world, client_for, key="c2")
    number = payer.client.get(f"/api/v1/owner/vendor-orders/{second['id']}/").json()["number"]
    rows = world.vendor.client.get("/api/v1/partner/orders/").json()["results"]
    portal_id = next(row["id"] for row in rows if row["number"] == number)
    refused = world.vendor.client.post(
        f"/api/v1/partner/orders/{portal_id}/cancel/", {"reason": "人手不足"}, format="json"
    )
    assert refused.status_code == 200, refused.content
    assert _kinds(world).count("order_cancelled") == 1  # its own cancellation is no news to it


def test_a_suspension_texts_once_not_once_per_cancelled_order(payer, world, client_for):
    company = payer.company
    _paid_order(payer, world, client_for, key="s1")
    world.slot_id = add_slot(world.vendor, days=3)
    _paid_order(payer, world, client_for, key="s2")
    for _minute in range(2):  # the two new orders' texts, half a minute apart
        _deliver_texts(company.schema_name)
        sms_standin.reset(world.vendor.phone)
    admin = client_for(company, "admin")
    suspended = admin.post(f"/api/v1/partner-admissions/{world.admission_id}/suspend/", {"reason": "多次投诉"})
    assert suspended.status_code == 200, suspended.content

    kinds = _kinds(world)
    assert kinds.count("order_cancelled") == 2 and kinds.count("admission_suspended") == 1
    by_kind = {row["kind"]: row for row in _notices(world)["results"]}
    assert by_kind["order_cancelled"]["sms"] == ""  # in the portal, not by text
    assert "多次投诉" in by_kind["admission_suspended"]["text"]
    _deliver_texts(company.schema_name)
    assert _texts(world) == [[company.brand_name[:20]]]


def test_texts_wait_out_the_night_and_stop_when_turned_off(payer, world, client_for, monkeypatch):
    # tonight, not a fixed date: the outbox never dates a message before the database's clock
    night = timezone.localtime(timezone=SHANGHAI).replace(hour=23, minute=30, second=0, microsecond=0)
    morning = (night + timedelta(days=1)).replace(hour=7, minute=0)
    monkeypatch.setattr(timezone, "now", lambda: night)
    _paid_order(payer, world, client_for, key="t1")
    message = OutboxMessage.objects.filter(topic="partners.notice_sms").order_by("-id").first()
    assert message is not None
    assert message.available_at.astimezone(SHANGHAI) == morning
    monkeypatch.undo()

    staff = world.vendor.client  # the manager
    turned = staff.patch("/api/v1/partner/notices/settings/", {"sms_alerts": False}, format="json")
    assert turned.status_code == 200 and turned.json() == {"sms_alerts": False}
    _deliver_texts(payer.company.schema_name)
    assert _texts(world) == []
    booked = next(row for row in _notices(world)["results"] if row["kind"] == "order_booked")
    assert booked["sms"] == "skipped"


def test_an_outage_or_the_providers_limit_is_retried_and_a_bad_number_is_final(payer, world, client_for):
    from partners.models import Vendor

    company = payer.company
    _paid_order(payer, world, client_for, key="o1")
    sms_standin.fail_next("InternalError.Timeout", times=3)  # the adapter's own three tries
    assert _deliver_texts(company.schema_name) == ["retry"]
    assert _notices(world)["results"][0]["sms"] == "queued"
    assert _deliver_texts(company.schema_name) == ["done"]
    assert _notices(world)["results"][0]["sms"] == "sent"

    world.slot_id = add_slot(world.vendor, days=3)
    _paid_order(payer, world, client_for, key="o2")  # within Tencent's limits of the last text
    queued = OutboxMessage.objects.filter(topic="partners.notice_sms", status="pending")
    assert _deliver_texts(company.schema_name) == ["done"]  # not retried at once: a new message, later
    later = queued.get()
    assert later.available_at >= timezone.now() + timedelta(minutes=59)
    assert _notices(world)["results"][0]["sms"] == "queued"
    sms_standin.reset(world.vendor.phone)  # an hour later
    assert _deliver_texts("public") == ["done"]
    assert len(_texts(world)) == 1
    assert _notices(world)["results"][0]["sms"] == "sent"

    Vendor.objects.filter(code=world.vendor.code).update(phone="12345")  # cannot receive texts
    world.slot_id = add_slot(world.vendor, days=4)
    _paid_order(payer, world, client_for, key="o3")
    assert _deliver_texts(company.schema_name) == ["done"]
    refused = _notices(world)["results"][0]
    assert refused["sms"] == "failed"


def test_reading_marks_only_ones_own_notices(payer, world, client_for, sign_up_vendor):
    _paid_order(payer, world, client_for, key="r1")
    other = sign_up_vendor(phone="13900002222", name="另一家")
    rows = _notices(world)["results"]
    assert _notices(world, unread=1)["count"] == len(rows) == 2
    ids = [row["id"] for row in rows]
    stolen = other.client.post("/api/v1/partner/notices/read/", {"ids": ids}, format="json")
    assert stolen.json() == {"marked": 0}
    assert other.client.get("/api/v1/partner/notices/").json()["count"] == 0
    one = world.vendor.client.post("/api/v1/partner/notices/read/", {"ids": ids[:1]}, format="json")
    assert one.json() == {"marked": 1}
    assert _notices(world, unread=1)["count"] == 1
    assert world.vendor.client.post("/api/v1/partner/notices/read/", {}, format="json").json() == {"marked": 1}
    assert _notices(world, unread=1)["count"] == 0
    bad = world.vendor.client.post("/api/v1/partner/notices/read/", {"ids": ["x"]}, format="json")
    assert bad.status_code == 400 and "ids" in bad.json()["fields"]


def test_staff_of_the_vendor_read_but_do_not_switch_texts(world, payer):
    from partners.models import Vendor

    added = world.vendor.client.post(
        "/api/v1/partner/accounts/",
        {"name": "小李", "phone": "13900003333", "password": "Staff-pass-2026"},
        format="json",
    )
    assert added.status_code == 201, added.content
    from tests.platform.partners.conftest import portal_client

    login = portal_client().post(
        "/api/v1/partner/auth/login/", {"phone": "13900003333", "password": "Staff-pass-2026"}, format="json"
    )
    staff = portal_client(login.json()["token"])
    assert staff.get("/api/v1/partner/notices/").status_code == 200
    assert staff.patch("/api/v1/partner/notices/settings/", {"sms_alerts": False}, format="json").status_code == 403
    connection.set_schema_to_public()
    assert Vendor.objects.get(code=world.vendor.code).sms_alerts is True


def test_a_documents_expiry_tells_the_vendor(payer, world):
    from partners.models import QualificationDocument
    from partners.services import expiry

    document = QualificationDocument.objects.get(vendor__code=world.vendor.code)
    QualificationDocument.objects.filter(pk=document.pk).update(expires_on=timezone.localdate() + timedelta(days=10))
    expiry.remind_expiring_documents()
    expiry.remind_expiring_documents()
    assert _kinds(world).count("document_expiring") == 1
    QualificationDocument.objects.filter(pk=document.pk).update(expires_on=timezone.localdate() - timedelta(days=1))
    expiry.suspend_lapsed_listings()
    expiry.suspend_lapsed_listings()
    assert _kinds(world).count("document_expired") == 1
    expired = next(row for row in _notices(world)["results"] if row["kind"] == "document_expired")
    assert "营业执照" in expired["title"]
    assert _deliver_texts("public") == ["done", "done"]  # the second within Tencent's 30 s: an hour on
    sms_standin.reset(world.vendor.phone)
    assert _deliver_texts("public") == ["done"]
    assert len(_texts(world)) == 1


def test_a_text_the_outbox_gives_up_says_so_on_the_notice(payer, world, client_for):
    company = payer.company
    _paid_order(payer, world, client_for, key="g1")
    OutboxMessage.objects.filter(topic="partners.notice_sms", status="pending").update(max_attempts=1)
    sms_standin.fail_next("InternalError.Timeout", times=3)
    assert _deliver_texts(company.schema_name) == ["dead"]
    booked = _notices(world)["results"][0]
    assert booked["sms"] == "failed"
