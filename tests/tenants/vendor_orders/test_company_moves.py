"""The company's moves of its service orders: suspending a vendor cancels and refunds the orders it
had not started (orders under way stay for staff), staff cancel or complete what the vendor no longer
can, ask again for a refund the channel failed, and none of it reaches another company."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django_tenants.utils import tenant_context

from tests.payments.conftest import SUB_MCHIDS, make_payer, post_notification
from tests.tenants.vendor_orders.test_booking import _pay
from tests.tenants.vendor_orders.world import add_slot, admitted_vendor, book

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(payer, vendor, client_for):
    return admitted_vendor(vendor, payer.company, client_for(payer.company, "admin"), [payer.house.estate_id])


def _portal_id(world, number):
    rows = world.vendor.client.get("/api/v1/partner/orders/").json()["results"]
    return next(row["id"] for row in rows if row["number"] == number)


def _in_service(payer, world, client_for, *, key="book-1"):
    order = book(payer.client, payer.house.pk, world, key=key).json()
    _pay(payer, client_for, order["id"], key=f"pay-{key}")
    number = payer.client.get(f"/api/v1/owner/vendor-orders/{order['id']}/").json()["number"]
    portal_id = _portal_id(world, number)
    for move in ("confirm", "start"):
        moved = world.vendor.client.post(f"/api/v1/partner/orders/{portal_id}/{move}/", {}, format="json")
        assert moved.status_code == 200, moved.content
    return order


def _refunds(payer, order_id):
    from payments.models import PaymentRefund

    with tenant_context(payer.company):
        return list(PaymentRefund.objects.filter(purpose_reference=f"vendor_order:{order_id}").order_by("id"))


def _inbox_events(payer):
    from notifications.models import Notification

    with tenant_context(payer.company):
        mine = Notification.objects.filter(deliveries__recipient=payer.user).distinct()
        return [event for event, _key in mine.values_list("event", "key")]


def test_a_suspension_cancels_and_refunds_what_had_not_started_and_leaves_what_is_under_way(payer, world, client_for):
    admin = client_for(payer.company, "admin")
    under_way = _in_service(payer, world, client_for, key="a")
    world.slot_id = add_slot(world.vendor, days=3)
    paid = book(payer.client, payer.house.pk, world, key="b").json()
    _pay(payer, client_for, paid["id"], key="pay-b")
    world.slot_id = add_slot(world.vendor, days=4)
    unpaid = book(payer.client, payer.house.pk, world, key="c").json()

    suspended = admin.post(f"/api/v1/partner-admissions/{world.admission_id}/suspend/", {"reason": "多次投诉"})
    assert suspended.status_code == 200, suspended.content

    def shown(order):
        return payer.client.get(f"/api/v1/owner/vendor-orders/{order['id']}/").json()

    assert (shown(paid)["status"], shown(paid)["cancelled_by"]) == ("cancelled", "company")
    assert (shown(unpaid)["status"], shown(unpaid)["cancelled_by"]) == ("cancelled", "company")
    assert shown(under_way)["status"] == "in_service"  # the worker may be at the door: staff decide
    assert [r.amount for r in _refunds(payer, paid["id"])] == [Decimal("120.00")]
    assert _refunds(payer, unpaid["id"]) == []  # nothing was paid
    assert _inbox_events(payer).count("vendor_order.cancelled_by_company") == 2

    # Reinstated and suspended again: nothing more is cancelled nor refunded twice.
    assert admin.post(f"/api/v1/partner-admissions/{world.admission_id}/reinstate/").status_code == 200
    assert admin.post(f"/api/v1/partner-admissions/{world.admission_id}/suspend/", {"reason": "x"}).status_code == 200
    assert len(_refunds(payer, paid["id"])) == 1
    assert _inbox_events(payer).count("vendor_order.cancelled_by_company") == 2


def test_staff_complete_an_order_under_way_only_once_its_vendor_cannot(payer, world, client_for):
    admin = client_for(payer.company, "admin")
    order = _in_service(payer, world, client_for)
    staff_id = order["id"]
    refused = admin.post(f"/api/v1/vendor-orders/{staff_id}/complete/")
    assert refused.status_code == 409 and refused.json()["code"] == "vendor_can_complete"
    admin.post(f"/api/v1/partner-admissions/{world.admission_id}/suspend/", {"reason": "停业"})
    done = admin.post(f"/api/v1/vendor-orders/{staff_id}/complete/")
    assert done.status_code == 200, done.content
    assert done.json()["status"] == "done"
    assert admin.post(f"/api/v1/vendor-orders/{staff_id}/complete/").status_code == 409  # once
    rated = payer.client.post(f"/api/v1/owner/vendor-orders/{staff_id}/rate/", {"rating": 4}, format="json")
    assert rated.status_code == 200 and rated.json()["status"] == "rated"

    from accounts.models import AuditEvent

    with tenant_context(payer.company):
        assert AuditEvent.objects.filter(action="vendor_order.company_complete", object_id=str(staff_id)).exists()


def test_staff_cancel_an_order_under_way_which_owner_and_vendor_cannot(payer, world, client_for):
    admin = client_for(payer.company, "admin")
    order = _in_service(payer, world, client_for)
    by_owner = payer.client.post(f"/api/v1/owner/vendor-orders/{order['id']}/cancel/", {}, format="json")
    assert by_owner.status_code == 409
    number = payer.client.get(f"/api/v1/owner/vendor-orders/{order['id']}/").json()["number"]
    by_vendor = world.vendor.client.post(
        f"/api/v1/partner/orders/{_portal_id(world, number)}/cancel/", {"reason": "人手不够"}, format="json"
    )
    assert by_vendor.status_code == 409

    no_reason = admin.post(f"/api/v1/vendor-orders/{order['id']}/cancel/", {"reason": "  "}, format="json")
    assert no_reason.status_code == 400 and "reason" in no_reason.json()["fields"]
    viewer = client_for(payer.company, "service")  # customer service: reads the orders, changes nothing
    assert viewer.get(f"/api/v1/vendor-orders/{order['id']}/").status_code == 200
    assert viewer.post(f"/api/v1/vendor-orders/{order['id']}/cancel/", {"reason": "x"}).status_code == 403

    cancelled = admin.post(f"/api/v1/vendor-orders/{order['id']}/cancel/", {"reason": "服务商失联"}, format="json")
    assert cancelled.status_code == 200, cancelled.content
    assert (cancelled.json()["status"], cancelled.json()["cancelled_by"]) == ("cancelled", "company")
    assert cancelled.json()["refund_state"] == "refunding"
    assert [r.amount for r in _refunds(payer, order["id"])] == [Decimal("120.00")]
    assert "vendor_order.cancelled_by_company" in _inbox_events(payer)
    on_portal = world.vendor.client.get("/api/v1/partner/orders/").json()["results"][0]
    assert (on_portal["status"], on_portal["cancelled_by"], on_portal["cancel_reason"]) == (
        "cancelled",
        "company",
        "服务商失联",
    )


def test_a_failed_refund_is_shown_and_asked_again_once(payer, world, client_for):
    from payments.services import refunds
    from standins import wechatpay_notify

    admin = client_for(payer.company, "admin")
    order = book(payer.client, payer.house.pk, world).json()
    paying = _pay(payer, client_for, order["id"])
    payer.client.post(f"/api/v1/owner/vendor-orders/{order['id']}/cancel/", {"reason": "不需要了"}, format="json")
    (first,) = _refunds(payer, order["id"])
    with tenant_context(payer.company):
        refunds.send(refund_id=first.pk)
    closed = wechatpay_notify.finish_refund(  # the channel closes it: the money is back with the merchant
        sub_mchid=SUB_MCHIDS["alpha"],
        out_trade_no=paying["out_trade_no"],
        out_refund_no=first.out_refund_no,
        status="CLOSED",
    )
    assert post_notification(client_for(payer.company), closed).status_code == 204
    listed = admin.get("/api/v1/vendor-orders/?status=cancelled").json()["results"]
    assert [(row["id"], row["refund_state"]) for row in listed] == [(order["id"], "failed")]

    retried = admin.post(f"/api/v1/vendor-orders/{order['id']}/refund/")
    assert retried.status_code == 200, retried.content
    assert retried.json()["refund_state"] == "refunding"
    assert admin.post(f"/api/v1/vendor-orders/{order['id']}/refund/").status_code == 409  # not failed now
    first, again = _refunds(payer, order["id"])
    assert first.status == "closed"
    assert again.out_refund_no != first.out_refund_no and again.amount == Decimal("120.00")
    with tenant_context(payer.company):
        refunds.send(refund_id=again.pk)
    done = wechatpay_notify.finish_refund(
        sub_mchid=SUB_MCHIDS["alpha"], out_trade_no=paying["out_trade_no"], out_refund_no=again.out_refund_no
    )
    assert post_notification(client_for(payer.company), done).status_code == 204
    assert admin.get(f"/api/v1/vendor-orders/{order['id']}/").json()["refund_state"] == "refunded"
    assert admin.post(f"/api/v1/vendor-orders/{order['id']}/refund/").status_code == 409
    assert payer.client.get(f"/api/v1/owner/vendor-orders/{order['id']}/").json()["refunded"] == "120.00"


def test_another_company_cannot_move_nor_refund_the_order(payer, world, client_for, company_b):
    order = _in_service(payer, world, client_for)
    make_payer(company_b, client_for, username="payer-b")
    admin_b = client_for(company_b, "admin")
    for move, body in (("cancel", {"reason": "x"}), ("complete", {}), ("refund", {})):
        answer = admin_b.post(f"/api/v1/vendor-orders/{order['id']}/{move}/", body, format="json")
        assert answer.status_code == 404, (move, answer.status_code)
    assert payer.client.get(f"/api/v1/owner/vendor-orders/{order['id']}/").json()["status"] == "in_service"
