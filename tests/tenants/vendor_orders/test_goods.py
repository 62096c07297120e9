"""周边商家: an owner orders a merchant's goods — so many, delivered to the door or picked up at the
shop — and pays online; the merchant sees how many and which way in the portal (and in its 消息),
delivers or hands them over, and the settlement counts them like any order."""

from __future__ import annotations

import pytest
from django.utils import timezone

from tests.tenants.vendor_orders.test_booking import _pay
from tests.tenants.vendor_orders.world import add_offering, admit

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop(payer, sign_up_vendor, client_for):
    merchant = sign_up_vendor(phone="13900005555", name="好邻居超市", kind="merchant")
    admit(merchant, payer.company, client_for(payer.company, "admin"), [payer.house.estate_id])
    water = add_offering(merchant, kind="goods", name="桶装水 18.9L", price="18.50", unit="桶")
    return merchant, water


def _order(payer, merchant, offering_id, **fields):
    from partners.models import Vendor

    body = {
        "vendor": Vendor.objects.get(code=merchant.code).pk,
        "offering": offering_id,
        "house": payer.house.pk,
        "contact_name": "李业主",
        "contact_phone": "13800138000",
        "idempotency_key": fields.pop("key", "goods-1"),
        **fields,
    }
    return payer.client.post("/api/v1/owner/vendor-orders/", body, format="json")


def test_goods_delivered_to_the_door_paid_online_served_and_settled(payer, shop, client_for):
    merchant, water = shop
    listed = payer.client.get("/api/v1/owner/vendors/?kind=merchant").json()["results"]
    assert [row["name"] for row in listed] == ["好邻居超市"]

    made = _order(payer, merchant, water, quantity=3, fulfilment="delivery", note="放门口")
    assert made.status_code == 201, made.content
    order = made.json()
    assert (order["status"], order["amount"], order["fulfilment"]) == ("unpaid", "55.50", "delivery")
    _pay(payer, client_for, order["id"], key="pay-goods-1")

    row = merchant.client.get("/api/v1/partner/orders/").json()["results"][0]
    assert (row["status"], row["quantity"], row["fulfilment"], row["amount"]) == ("booked", 3, "delivery", "55.50")
    assert row["scheduled_start"] is None and row["address"] and row["note"] == "放门口"
    notice = merchant.client.get("/api/v1/partner/notices/").json()["results"][0]
    assert notice["kind"] == "order_booked" and "3 件" in notice["text"] and "送货上门" in notice["text"]

    for move in ("confirm", "start", "complete"):
        moved = merchant.client.post(f"/api/v1/partner/orders/{row['id']}/{move}/", {}, format="json")
        assert moved.status_code == 200, moved.content
    assert payer.client.get(f"/api/v1/owner/vendor-orders/{order['id']}/").json()["status"] == "done"
    month = timezone.localdate().strftime("%Y-%m")
    settled = merchant.client.get(f"/api/v1/partner/settlement/?month={month}").json()
    assert [(r["orders"], r["amount"]) for r in settled] == [(1, "55.50")]


def test_picked_up_at_the_shop(payer, shop, client_for):
    merchant, water = shop
    order = _order(payer, merchant, water, quantity=1, fulfilment="pickup").json()
    _pay(payer, client_for, order["id"], key="pay-goods-2")
    row = merchant.client.get("/api/v1/partner/orders/").json()["results"][0]
    assert (row["fulfilment"], row["quantity"]) == ("pickup", 1)
    english = merchant.client.get("/api/v1/partner/notices/", HTTP_ACCEPT_LANGUAGE="en").json()["results"][0]
    assert "pickup in store" in english["text"].lower()


def test_goods_need_a_way_and_a_sane_quantity(payer, shop):
    merchant, water = shop
    for fields, field in (
        ({"quantity": 1}, "fulfilment"),
        ({"quantity": 1, "fulfilment": "teleport"}, "fulfilment"),
        ({"quantity": 0, "fulfilment": "delivery"}, "quantity"),
        ({"quantity": 100, "fulfilment": "delivery"}, "quantity"),
    ):
        refused = _order(payer, merchant, water, key=f"bad-{field}-{fields['quantity']}", **fields)
        assert refused.status_code == 400, (fields, refused.content)
        assert field in refused.json()["fields"]
    assert merchant.client.get("/api/v1/partner/orders/").json()["count"] == 0
