"""上门报价: a quoted service is booked without money, the vendor completes it with the amount agreed
at the door, the owner is told and pays exactly that once, and only then does it count in the
settlement; a fixed price is never changed at completion."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone
from django_tenants.utils import tenant_context

from tests.tenants.vendor_orders.test_booking import _pay
from tests.tenants.vendor_orders.test_company_moves import _inbox_events, _portal_id
from tests.tenants.vendor_orders.world import add_offering, admitted_vendor, book

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(payer, vendor, client_for):
    return admitted_vendor(vendor, payer.company, client_for(payer.company, "admin"), [payer.house.estate_id])


def _started_quoted(payer, world):
    quoted = add_offering(world.vendor, name="上门维修水管", price_mode="quoted", price="50.00")
    order = book(payer.client, payer.house.pk, world, offering=quoted).json()
    assert (order["status"], order["amount"], order["awaits_payment"]) == ("booked", "0.00", False)
    portal_id = _portal_id(world, order["number"])
    for move in ("confirm", "start"):
        assert (
            world.vendor.client.post(f"/api/v1/partner/orders/{portal_id}/{move}/", {}, format="json").status_code
            == 200
        )
    return order, f"/api/v1/partner/orders/{portal_id}/"


def _settled(world, month):
    return [
        (r["orders"], r["amount"]) for r in world.vendor.client.get(f"/api/v1/partner/settlement/?month={month}").json()
    ]


def test_a_quoted_order_is_priced_at_completion_then_paid_once_and_settled(payer, world, client_for):
    order, portal = _started_quoted(payer, world)
    assert world.vendor.client.get("/api/v1/partner/orders/").json()["results"][0]["price_mode"] == "quoted"

    for bad in ({}, {"amount": "0"}, {"amount": "-5"}, {"amount": "50000.01"}, {"amount": "12.345"}, {"amount": "x"}):
        refused = world.vendor.client.post(portal + "complete/", bad, format="json")
        assert refused.status_code == 400 and "amount" in refused.json()["fields"], (bad, refused.content)
    assert payer.client.get(f"/api/v1/owner/vendor-orders/{order['id']}/").json()["status"] == "in_service"

    done = world.vendor.client.post(portal + "complete/", {"amount": "180.50"}, format="json")
    assert done.status_code == 200, done.content
    assert (done.json()["status"], done.json()["amount"], done.json()["paid_at"]) == ("done", "180.50", None)
    mine = payer.client.get(f"/api/v1/owner/vendor-orders/{order['id']}/").json()
    assert (mine["status"], mine["amount"], mine["awaits_payment"]) == ("done", "180.50", True)
    assert "vendor_order.priced" in _inbox_events(payer)
    assert "vendor_order.done" not in _inbox_events(payer)  # one message: done, and what to pay
    staff = client_for(payer.company, "admin").get(f"/api/v1/vendor-orders/{order['id']}/").json()
    assert staff["awaits_payment"] is True

    month = timezone.localdate().strftime("%Y-%m")
    assert _settled(world, month) == []  # not paid: nothing to settle yet

    # A complaint before paying is heard (the price may be what the owner disputes).
    complained = payer.client.post(
        f"/api/v1/owner/vendor-orders/{order['id']}/complain/", {"description": "报价比说好的高"}, format="json"
    )
    assert complained.status_code == 200, complained.content

    _pay(payer, client_for, order["id"], key="pay-quoted")
    paid = payer.client.get(f"/api/v1/owner/vendor-orders/{order['id']}/").json()
    assert (paid["status"], paid["awaits_payment"]) == ("done", False) and paid["paid_at"]
    assert world.vendor.client.get("/api/v1/partner/orders/").json()["results"][0]["paid_at"]
    assert _settled(world, month) == [(1, "180.50")]

    again = {"house": payer.house.pk, "charge_ids": [order["id"]], "purpose": "vendor_orders", "idempotency_key": "2"}
    assert payer.client.post("/api/v1/owner/payments/", again, format="json").status_code == 409
    rated = payer.client.post(f"/api/v1/owner/vendor-orders/{order['id']}/rate/", {"rating": 4}, format="json")
    assert rated.status_code == 200 and rated.json()["status"] == "rated"

    from payments.models import PaymentOrder

    with tenant_context(payer.company):
        assert list(PaymentOrder.objects.filter(status="paid").values_list("amount", flat=True)) == [Decimal("180.50")]


def test_a_fixed_price_is_not_changed_at_completion_nor_an_amount_given_elsewhere(payer, world, client_for):
    order = book(payer.client, payer.house.pk, world).json()
    _pay(payer, client_for, order["id"])
    portal = f"/api/v1/partner/orders/{_portal_id(world, order['number'])}/"
    early = world.vendor.client.post(portal + "confirm/", {"amount": "1.00"}, format="json")
    assert early.status_code == 400 and "amount" in early.json()["fields"]
    for move in ("confirm", "start"):
        assert world.vendor.client.post(portal + f"{move}/", {}, format="json").status_code == 200
    cheaper = world.vendor.client.post(portal + "complete/", {"amount": "1.00"}, format="json")
    assert cheaper.status_code == 400 and "amount" in cheaper.json()["fields"]
    done = world.vendor.client.post(portal + "complete/", {}, format="json")
    assert (done.json()["status"], done.json()["amount"]) == ("done", "120.00")
    assert payer.client.get(f"/api/v1/owner/vendor-orders/{order['id']}/").json()["awaits_payment"] is False


def test_work_done_is_paid_for_even_after_the_vendor_was_suspended(payer, world, client_for):
    order, portal = _started_quoted(payer, world)
    assert world.vendor.client.post(portal + "complete/", {"amount": "88.00"}, format="json").status_code == 200
    admin = client_for(payer.company, "admin")
    assert (
        admin.post(f"/api/v1/partner-admissions/{world.admission_id}/suspend/", {"reason": "停业"}).status_code == 200
    )
    _pay(payer, client_for, order["id"], key="pay-after-suspension")
    assert payer.client.get(f"/api/v1/owner/vendor-orders/{order['id']}/").json()["paid_at"]


def test_a_quoted_order_the_company_completes_is_priced_too(payer, world, client_for):
    order, _portal = _started_quoted(payer, world)
    admin = client_for(payer.company, "admin")
    assert (
        admin.post(f"/api/v1/partner-admissions/{world.admission_id}/suspend/", {"reason": "失联"}).status_code == 200
    )
    url = f"/api/v1/vendor-orders/{order['id']}/complete/"
    unpriced = admin.post(url, {}, format="json")
    assert unpriced.status_code == 400 and "amount" in unpriced.json()["fields"]
    done = admin.post(url, {"amount": "66.00"}, format="json")
    assert done.status_code == 200, done.content
    assert (done.json()["status"], done.json()["amount"], done.json()["awaits_payment"]) == ("done", "66.00", True)
    assert "vendor_order.priced" in _inbox_events(payer)
    _pay(payer, client_for, order["id"], key="pay-company-priced")
    assert payer.client.get(f"/api/v1/owner/vendor-orders/{order['id']}/").json()["paid_at"]


def test_a_quoted_order_paid_next_month_settles_in_that_month(payer, world):
    """A month already read never changes: the order counts when the later of completion and payment happened."""
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo

    from partners.models import PortalOrder
    from tests.tenants.vendor_orders.world import _vendor_id

    shanghai = ZoneInfo("Asia/Shanghai")
    completed = datetime(2026, 11, 30, 20, 0, tzinfo=shanghai)
    PortalOrder.objects.create(
        company=payer.company,
        vendor_id=_vendor_id(world),
        admission_id=world.admission_id,
        order_id=501,
        number="FW501",
        status="done",
        price_mode="quoted",
        offering_name="上门维修",
        amount=Decimal("300.00"),
        commission_rate=Decimal("0.0500"),
        estate_name="e",
        address="a",
        contact_name="c",
        contact_phone="138****8000",
        created_at=completed - timedelta(days=1),
        updated_at=completed,
        completed_at=completed,
        paid_at=completed + timedelta(days=2),  # 2 December
        version=5,
    )
    assert _settled(world, "2026-11") == []
    assert _settled(world, "2026-12") == [(1, "300.00")]
