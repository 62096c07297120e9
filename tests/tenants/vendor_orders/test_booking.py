"""An owner books a housekeeping slot of a vendor the company admitted, pays through WeChat Pay (the
stand-in), the vendor confirms, starts and completes it in the portal, the owner rates it; the
settlement reads alike on both sides; capacity, double taps, cancellation with refund and the unpaid
window hold."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from django_tenants.utils import tenant_context

from tests.payments.conftest import SUB_MCHIDS, post_notification, start
from tests.tenants.vendor_orders.world import admitted_vendor, book

pytestmark = pytest.mark.django_db


def _pay(payer, client_for, order_id, key="pay-order"):
    from standins import wechatpay_notify

    body = {"house": payer.house.pk, "charge_ids": [order_id], "purpose": "vendor_orders", "idempotency_key": key}
    answer = payer.client.post("/api/v1/owner/payments/", body, format="json")
    assert answer.status_code == 201, answer.content
    paying = answer.json()
    delivery = wechatpay_notify.pay(sub_mchid=SUB_MCHIDS["alpha"], out_trade_no=paying["out_trade_no"])
    assert post_notification(client_for(payer.company), delivery).status_code == 204
    return paying


@pytest.fixture
def world(payer, vendor, client_for):
    admin = client_for(payer.company, "admin")
    return admitted_vendor(vendor, payer.company, admin, [payer.house.estate_id])


def test_book_pay_serve_rate_and_settle(payer, world, client_for):
    listed = payer.client.get("/api/v1/owner/vendors/?kind=housekeeping").json()["results"]
    assert [row["name"] for row in listed] == ["洁净家政"]
    detail = payer.client.get(f"/api/v1/owner/vendors/{listed[0]['id']}/").json()
    assert [o["name"] for o in detail["offerings"]] == ["日常保洁 3 小时"]
    assert [(s["id"], s["free"]) for s in detail["slots"]] == [(world.slot_id, 1)]

    booked = book(payer.client, payer.house.pk, world)
    assert booked.status_code == 201, booked.content
    order = booked.json()
    assert (order["status"], order["amount"]) == ("unpaid", "120.00")
    again = book(payer.client, payer.house.pk, world)  # a double tap: the same order
    assert again.status_code == 201 and again.json()["id"] == order["id"]
    full = book(payer.client, payer.house.pk, world, key="book-2")
    assert full.status_code == 409 and "slot" in full.json()["fields"]
    assert payer.client.get(f"/api/v1/owner/vendors/{listed[0]['id']}/").json()["slots"][0]["free"] == 0

    paying = _pay(payer, client_for, order["id"])
    assert Decimal(paying["amount"]) == Decimal("120.00")
    mine = payer.client.get(f"/api/v1/owner/vendor-orders/{order['id']}/").json()
    assert mine["status"] == "booked" and mine["paid_at"]

    portal = world.vendor.client.get("/api/v1/partner/orders/").json()["results"]
    assert [(row["number"], row["status"], row["contact_phone"]) for row in portal] == [
        (mine["number"], "booked", "13800138000")
    ]
    assert portal[0]["address"] and portal[0]["estate_name"]
    for move, status in (("confirm", "confirmed"), ("start", "in_service"), ("complete", "done")):
        moved = world.vendor.client.post(f"/api/v1/partner/orders/{portal[0]['id']}/{move}/", {}, format="json")
        assert moved.status_code == 200, moved.content
        assert moved.json()["status"] == status
    assert moved.json()["contact_phone"] == "138****8000"  # ended: masked
    twice = world.vendor.client.post(f"/api/v1/partner/orders/{portal[0]['id']}/complete/", {}, format="json")
    assert twice.status_code == 409

    rated = payer.client.post(
        f"/api/v1/owner/vendor-orders/{order['id']}/rate/", {"rating": 5, "comment": "很干净"}, format="json"
    )
    assert rated.status_code == 200 and rated.json()["status"] == "rated"
    assert world.vendor.client.get("/api/v1/partner/orders/").json()["results"][0]["rating"] == 5

    month = timezone.localdate().strftime("%Y-%m")
    theirs = world.vendor.client.get(f"/api/v1/partner/settlement/?month={month}").json()
    ours = client_for(payer.company, "admin").get(f"/api/v1/partner-settlement/?month={month}").json()
    assert theirs == ours
    assert [(r["orders"], r["amount"], r["commission"], r["payable"]) for r in ours] == [
        (1, "120.00", "6.00", "114.00")
    ]

    from accounts.models import AuditEvent

    with tenant_context(payer.company):
        verbs = set(AuditEvent.objects.filter(object_type="vendor_order").values_list("action", flat=True))
        labels = set(
            AuditEvent.objects.filter(action="vendor_order.vendor_confirm").values_list("actor_label", flat=True)
        )
    assert {"vendor_order.book", "vendor_order.paid", "vendor_order.vendor_complete", "vendor_order.rate"} <= verbs
    assert labels == {f"partner:{world.vendor.client.get('/api/v1/partner/me/').json()['id']}"}


def test_the_owner_cancels_a_paid_booking_and_the_money_goes_back(payer, world, client_for):
    from payments.models import PaymentRefund
    from payments.services import refunds
    from standins import wechatpay_notify

    order = book(payer.client, payer.house.pk, world).json()
    paying = _pay(payer, client_for, order["id"])
    cancelled = payer.client.post(
        f"/api/v1/owner/vendor-orders/{order['id']}/cancel/", {"reason": "临时有事"}, format="json"
    )
    assert cancelled.status_code == 200, cancelled.content
    assert cancelled.json()["status"] == "cancelled" and cancelled.json()["refunded"] == "0.00"
    with tenant_context(payer.company):
        refund = PaymentRefund.objects.get(purpose_reference=f"vendor_order:{order['id']}")
        assert refund.amount == Decimal("120.00")
        refunds.send(refund_id=refund.pk)
    done = wechatpay_notify.finish_refund(
        sub_mchid=SUB_MCHIDS["alpha"], out_trade_no=paying["out_trade_no"], out_refund_no=refund.out_refund_no
    )
    assert post_notification(client_for(payer.company), done).status_code == 204
    assert payer.client.get(f"/api/v1/owner/vendor-orders/{order['id']}/").json()["refunded"] == "120.00"
    assert world.vendor.client.get("/api/v1/partner/orders/").json()["results"][0]["refunded"] == "120.00"
    vendor_id = payer.client.get("/api/v1/owner/vendors/").json()["results"][0]["id"]
    assert payer.client.get(f"/api/v1/owner/vendors/{vendor_id}/").json()["slots"][0]["free"] == 1  # place freed


def test_an_unpaid_booking_expires_and_frees_its_place_once(payer, world):
    from tenants.vendor_orders.services import orders

    order = book(payer.client, payer.house.pk, world).json()
    later = timezone.now() + timedelta(minutes=60)
    with tenant_context(payer.company):
        assert orders.expire_unpaid(now=later) == 1
        assert orders.expire_unpaid(now=later) == 0
    shown = payer.client.get(f"/api/v1/owner/vendor-orders/{order['id']}/").json()
    assert (shown["status"], shown["cancelled_by"]) == ("cancelled", "system")
    again = book(payer.client, payer.house.pk, world, key="book-after")
    assert again.status_code == 201, again.content


def test_a_bill_and_a_service_order_with_the_same_id_are_paid_side_by_side(payer, world):
    """Items are numbered per purpose: charge 7 and service order 7 are held apart."""
    from django.db import connection

    charge = payer.charges[0].pk
    with tenant_context(payer.company), connection.cursor() as cursor:
        cursor.execute("SELECT setval(pg_get_serial_sequence('vendor_orders_vendororder', 'id'), %s, false)", [charge])
    order = book(payer.client, payer.house.pk, world).json()
    assert order["id"] == charge
    body = {"house": payer.house.pk, "charge_ids": [order["id"]], "purpose": "vendor_orders", "idempotency_key": "svc"}
    assert payer.client.post("/api/v1/owner/payments/", body, format="json").status_code == 201
    bill = start(payer, [charge], key="bill")
    assert bill.status_code == 201, bill.content


def test_bad_input_is_refused_with_field_errors(payer, world):
    bad = payer.client.post("/api/v1/owner/vendor-orders/", {"vendor": "x", "house": -1}, format="json")
    assert bad.status_code == 400 and {"vendor", "house", "offering", "contact_phone"} <= set(bad.json()["fields"])
    other_house = book(payer.client, payer.house.pk + 10_000, world, key="k2")
    assert other_house.status_code == 400 and "house" in other_house.json()["fields"]
    no_slot = book(payer.client, payer.house.pk, world, key="k3", slot=None)
    no_slot_body = no_slot.json()
    assert no_slot.status_code in (400, 409) and "slot" in no_slot_body["fields"]
    rate_early = payer.client.post("/api/v1/owner/vendor-orders/999999/rate/", {"rating": 9}, format="json")
    assert rate_early.status_code in (400, 404)


def test_the_owner_is_told_and_a_complaint_reaches_the_company_once(payer, world, client_for):
    from notifications.models import Notification

    order = book(payer.client, payer.house.pk, world).json()
    _pay(payer, client_for, order["id"])
    portal_id = world.vendor.client.get("/api/v1/partner/orders/").json()["results"][0]["id"]
    world.vendor.client.post(f"/api/v1/partner/orders/{portal_id}/confirm/", {}, format="json")
    no_reason = world.vendor.client.post(f"/api/v1/partner/orders/{portal_id}/cancel/", {}, format="json")
    assert no_reason.status_code == 400 and "reason" in no_reason.json()["fields"]
    cancelled = world.vendor.client.post(
        f"/api/v1/partner/orders/{portal_id}/cancel/", {"reason": "人手不足"}, format="json"
    )
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    with tenant_context(payer.company):
        told = list(Notification.objects.filter(key__endswith=f":{order['id']}").values_list("event", flat=True))
    assert sorted(told) == ["vendor_order.cancelled_by_vendor", "vendor_order.confirmed"]

    path = f"/api/v1/owner/vendor-orders/{order['id']}/complain/"
    filed = payer.client.post(path, {"description": "临时取消，耽误了安排"}, format="json")
    assert filed.status_code == 200 and filed.json()["complaint"]
    assert payer.client.post(path, {"description": "再投诉"}, format="json").status_code == 409
    handled = client_for(payer.company, "admin").get(f"/api/v1/feedback/{filed.json()['complaint']}/").json()
    assert handled["kind"] == "complaint" and "洁净家政" in handled["description"]
    staff_row = client_for(payer.company, "admin").get("/api/v1/vendor-orders/").json()["results"][0]
    assert staff_row["complaint"] == filed.json()["complaint"]  # 服务订单 links to it


def test_a_company_that_suspends_the_vendor_drops_out_of_its_order_list_and_count(payer, world, client_for):
    # partners.selectors.vendor_orders matches the order's admission among the vendor's approved ones.
    booked = book(payer.client, payer.house.pk, world)
    assert booked.status_code == 201, booked.content
    listed = world.vendor.client.get("/api/v1/partner/orders/").json()
    assert listed["count"] == 1 and listed["results"][0]["id"]
    portal_id = listed["results"][0]["id"]
    admin = client_for(payer.company, "admin")
    suspended = admin.post(
        f"/api/v1/partner-admissions/{world.admission_id}/suspend/", {"reason": "投诉核查中"}, format="json"
    )
    assert suspended.status_code == 200, suspended.content
    hidden = world.vendor.client.get("/api/v1/partner/orders/").json()
    assert (hidden["count"], hidden["results"]) == (0, [])
    moved = world.vendor.client.post(f"/api/v1/partner/orders/{portal_id}/cancel/", {"reason": "x"}, format="json")
    assert moved.status_code == 404
    reinstated = admin.post(f"/api/v1/partner-admissions/{world.admission_id}/reinstate/", {}, format="json")
    assert reinstated.status_code == 200, reinstated.content
    back = world.vendor.client.get("/api/v1/partner/orders/").json()
    assert back["count"] == 1 and back["results"][0]["id"] == portal_id
