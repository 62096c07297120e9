"""An attacker's tour of vendor orders: another company's or vendor's items, someone else's order,
money after the end (a cancelled order paid, cancelled twice, a quoted order refunded), moves out of
order, the owner's phone left in the public schema, settlement rounding, and bad input that must be a
400 or 404 — never a 500."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from django_tenants.utils import tenant_context

from tests.payments.conftest import SUB_MCHIDS, make_payer, post_notification
from tests.tenants.vendor_orders.world import _vendor_id, add_offering, add_slot, admit, admitted_vendor, book

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


def _portal_id(world) -> int:
    return world.vendor.client.get("/api/v1/partner/orders/").json()["results"][0]["id"]


def test_another_companys_own_offering_and_slot_cannot_be_booked(payer, world, client_for, company_b):
    owner_b = make_payer(company_b, client_for, username="payer-b")
    admit(world.vendor, company_b, client_for(company_b, "admin"), [owner_b.house.estate_id])
    only_a = add_offering(world.vendor, company=payer.company.slug, name="阿尔法专享", price="300.00")
    slot_a = add_slot(world.vendor, days=3, company=payer.company.slug)
    offering = book(owner_b.client, owner_b.house.pk, world, key="b-offering", offering=only_a)
    assert offering.status_code == 400 and "offering" in offering.json()["fields"]
    slot = book(owner_b.client, owner_b.house.pk, world, key="b-slot", slot=slot_a)
    assert slot.status_code == 409 and "slot" in slot.json()["fields"]
    ours = book(payer.client, payer.house.pk, world, key="a-both", offering=only_a, slot=slot_a)
    assert ours.status_code == 201, ours.content


def test_an_offering_of_one_vendor_in_a_slot_of_another(payer, world, client_for, sign_up_vendor):
    other = sign_up_vendor(phone="13900003333", name="邻家保洁")
    admin = client_for(payer.company, "admin")
    theirs = admitted_vendor(other, payer.company, admin, [payer.house.estate_id])
    mixed = book(payer.client, payer.house.pk, world, key="mixed", slot=theirs.slot_id)
    assert mixed.status_code == 409 and "slot" in mixed.json()["fields"]
    swapped = book(payer.client, payer.house.pk, world, key="swapped", offering=theirs.offering_id)
    assert swapped.status_code == 400 and "offering" in swapped.json()["fields"]


def test_another_owner_cannot_pay_cancel_rate_or_complain(payer, world, client_for):
    order = book(payer.client, payer.house.pk, world).json()
    other = make_payer(payer.company, client_for, username="payer-2")
    base = f"/api/v1/owner/vendor-orders/{order['id']}/"
    for path, body in (
        ("cancel/", {}),
        ("rate/", {"rating": 1}),
        ("complain/", {"description": "x"}),
    ):
        assert other.client.post(base + path, body, format="json").status_code == 404, path
    for house in (other.house.pk, payer.house.pk):
        body = {"house": house, "charge_ids": [order["id"]], "purpose": "vendor_orders", "idempotency_key": "steal"}
        assert other.client.post("/api/v1/owner/payments/", body, format="json").status_code in (400, 404)
        quote = other.client.get(
            f"/api/v1/owner/payments/quote/?house={house}&charge_ids={order['id']}&purpose=vendor_orders"
        )
        assert quote.status_code in (400, 404)


def test_a_cancelled_order_is_not_paid_and_cancelling_twice_refunds_once(payer, world, client_for):
    from payments.models import PaymentRefund

    unpaid = book(payer.client, payer.house.pk, world).json()
    base = f"/api/v1/owner/vendor-orders/{unpaid['id']}/"
    assert payer.client.post(base + "cancel/", {}, format="json").status_code == 200
    body = {"house": payer.house.pk, "charge_ids": [unpaid["id"]], "purpose": "vendor_orders", "idempotency_key": "p1"}
    assert payer.client.post("/api/v1/owner/payments/", body, format="json").status_code == 409
    assert payer.client.post(base + "rate/", {"rating": 5}, format="json").status_code == 409

    slot = add_slot(world.vendor, days=4)
    paid = book(payer.client, payer.house.pk, world, key="paid", slot=slot).json()
    _pay(payer, client_for, paid["id"], key="p2")
    base = f"/api/v1/owner/vendor-orders/{paid['id']}/"
    assert payer.client.post(base + "cancel/", {}, format="json").status_code == 200
    assert payer.client.post(base + "cancel/", {}, format="json").status_code == 409
    assert (
        world.vendor.client.post(
            f"/api/v1/partner/orders/{_portal_id(world)}/cancel/", {"reason": "再取消"}
        ).status_code
        == 409
    )
    with tenant_context(payer.company):
        refunds = list(PaymentRefund.objects.values_list("amount", flat=True))
    assert refunds == [Decimal("120.00")]


def test_a_quoted_order_is_booked_without_money_and_cancelled_without_a_refund(payer, world, client_for):
    from payments.models import PaymentRefund

    quoted = add_offering(world.vendor, name="上门维修", price_mode="quoted", price="0")
    order = book(payer.client, payer.house.pk, world, offering=quoted).json()
    assert (order["status"], order["amount"]) == ("booked", "0.00")
    body = {"house": payer.house.pk, "charge_ids": [order["id"]], "purpose": "vendor_orders", "idempotency_key": "q"}
    assert payer.client.post("/api/v1/owner/payments/", body, format="json").status_code == 409
    cancelled = payer.client.post(f"/api/v1/owner/vendor-orders/{order['id']}/cancel/", {}, format="json")
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    with tenant_context(payer.company):
        assert not PaymentRefund.objects.exists()


def test_moves_out_of_order_and_ratings_are_refused(payer, world, client_for):
    order = book(payer.client, payer.house.pk, world).json()
    portal = f"/api/v1/partner/orders/{_portal_id(world)}/"
    for move in ("confirm", "start", "complete", "teleport"):
        assert world.vendor.client.post(portal + f"{move}/", {}, format="json").status_code in (400, 409), move
    _pay(payer, client_for, order["id"])
    assert world.vendor.client.post(portal + "complete/", {}, format="json").status_code == 409
    assert payer.client.post(f"/api/v1/owner/vendor-orders/{order['id']}/rate/", {"rating": 5}).status_code == 409
    for move in ("confirm", "start", "complete"):
        assert world.vendor.client.post(portal + f"{move}/", {}, format="json").status_code == 200
    assert world.vendor.client.post(portal + "cancel/", {"reason": "晚了"}, format="json").status_code == 409
    rate = f"/api/v1/owner/vendor-orders/{order['id']}/rate/"
    assert payer.client.post(rate, {"rating": 0}, format="json").status_code == 400
    assert payer.client.post(rate, {"rating": 4}, format="json").status_code == 200
    assert payer.client.post(rate, {"rating": 1}, format="json").status_code == 409


def test_the_owners_phone_is_masked_in_the_public_schema_once_the_order_ended(payer, world, client_for):
    from partners.models import PortalOrder

    order = book(payer.client, payer.house.pk, world).json()
    assert PortalOrder.objects.get().contact_phone == "138****8000"  # unpaid: not yet the vendor's to call
    _pay(payer, client_for, order["id"])
    assert PortalOrder.objects.get().contact_phone == "13800138000"
    world.vendor.client.post(f"/api/v1/partner/orders/{_portal_id(world)}/cancel/", {"reason": "下雨"}, format="json")
    kept = PortalOrder.objects.get()
    assert (kept.status, kept.contact_phone) == ("cancelled", "138****8000")
    with tenant_context(payer.company):
        from tenants.vendor_orders.models import VendorOrder

        mine = VendorOrder.objects.get()
        assert (kept.version, kept.status, kept.refunded) == (mine.version, mine.status, mine.refunded)


def test_capacity_closed_and_lowered_below_held(payer, world, client_for):
    slot = add_slot(world.vendor, days=5, capacity=2)
    assert book(payer.client, payer.house.pk, world, key="c1", slot=slot).status_code == 201
    assert book(payer.client, payer.house.pk, world, key="c2", slot=slot).status_code == 201
    lowered = world.vendor.client.patch(f"/api/v1/partner/slots/{slot}/", {"capacity": 1}, format="json")
    assert lowered.status_code == 400 and "capacity" in lowered.json()["fields"]
    assert world.vendor.client.patch(f"/api/v1/partner/slots/{slot}/", {"capacity": 3}).status_code == 200
    closed = world.vendor.client.patch(f"/api/v1/partner/slots/{slot}/", {"is_open": False}, format="json")
    assert closed.status_code == 200 and closed.json()["held"] == 2
    shut = book(payer.client, payer.house.pk, world, key="c3", slot=slot)
    assert shut.status_code == 409 and "slot" in shut.json()["fields"]


def test_settlement_rounds_each_orders_commission_and_counts_only_completed(payer, world):
    from partners.models import PortalOrder

    now = timezone.now()
    common = {
        "company": payer.company,
        "vendor_id": _vendor_id(world),
        "admission_id": world.admission_id,
        "offering_name": "x",
        "commission_rate": Decimal("0.0500"),
        "estate_name": "e",
        "address": "a",
        "contact_name": "c",
        "contact_phone": "138****8000",
        "created_at": now,
        "updated_at": now,
        "version": 3,
    }
    # A quoted order priced at completion but not paid yet counts once paid, not before.
    PortalOrder.objects.create(
        order_id=99,
        number="FW99",
        status="done",
        amount=Decimal("500.00"),
        completed_at=now,
        price_mode="quoted",
        **common,
    )
    common["paid_at"] = now
    for index, (status, amount, refunded, completed) in enumerate(
        [
            ("done", "0.10", "0", now),  # 0.005 → 0.01 each, not 0.015 → 0.02 on the sum
            ("rated", "0.10", "0", now),
            ("done", "0.10", "0", now),
            ("done", "10.30", "0.20", now),  # kept 10.10 × 5 % = 0.505 → 0.51
            ("cancelled", "99.00", "99.00", None),
            ("booked", "50.00", "0", None),
        ],
        start=1,
    ):
        PortalOrder.objects.create(
            order_id=index,
            number=f"FW{index}",
            status=status,
            amount=Decimal(amount),
            refunded=Decimal(refunded),
            completed_at=completed,
            **common,
        )
    month = timezone.localdate().strftime("%Y-%m")
    rows = world.vendor.client.get(f"/api/v1/partner/settlement/?month={month}").json()
    assert [(r["orders"], r["amount"], r["refunded"], r["commission"], r["payable"]) for r in rows] == [
        (4, "10.60", "0.20", "0.54", "9.86")
    ]


@pytest.mark.parametrize("month", ["9999-12", "0001-01", "2026-13", "²⁰²⁶-01", "2026-1٢", "-", "99999-01", ""])
def test_a_settlement_month_of_junk_is_400_or_empty(payer, world, client_for, month):
    admin = client_for(payer.company, "admin")
    for client, path in ((world.vendor.client, "/api/v1/partner/settlement/"), (admin, "/api/v1/partner-settlement/")):
        answer = client.get(path, {"month": month})
        assert answer.status_code in (200, 400), (path, month, answer.status_code)
        if answer.status_code == 200:
            assert answer.json() == []


def test_slot_and_offering_junk_is_400(payer, world):
    client = world.vendor.client
    start = (timezone.localtime() + timedelta(days=3)).replace(hour=9, minute=0, second=0, microsecond=0)
    good = {"starts_at": start.isoformat(), "ends_at": (start + timedelta(hours=2)).isoformat(), "capacity": 1}
    for change in (
        {"capacity": 0},
        {"capacity": -1},
        {"capacity": 201},
        {"ends_at": (start - timedelta(hours=1)).isoformat()},
        {"ends_at": start.isoformat()},
        {"ends_at": (start + timedelta(hours=25)).isoformat()},
        {
            "starts_at": (start - timedelta(days=10)).isoformat(),
            "ends_at": (start - timedelta(days=10, hours=-1)).isoformat(),
        },
        {"repeat_days": 0},
        {"repeat_days": 61},
        {"company": "不是公司"},
        {"company": "beta"},
        {"starts_at": "9999-12-30T10:00:00+08:00", "ends_at": "9999-12-30T12:00:00+08:00", "repeat_days": 5},
        {"starts_at": "9999-12-31T20:00:00+08:00", "ends_at": "9999-12-31T23:00:00+08:00"},
    ):
        answer = client.post("/api/v1/partner/slots/", {**good, **change}, format="json")
        assert answer.status_code == 400, (change, answer.status_code)
    offering = {"kind": "service", "name": "x", "price_mode": "fixed", "price": "1.00"}
    for change in (
        {"price": "NaN"},
        {"price": "Infinity"},
        {"price": "-1"},
        {"price": "0"},
        {"price": "1e20"},
        {"company": "../beta"},
        {"kind": "weapon"},
    ):
        answer = client.post("/api/v1/partner/offerings/", {**offering, **change}, format="json")
        assert answer.status_code == 400, (change, answer.status_code)
    to_quoted = client.patch(f"/api/v1/partner/offerings/{world.offering_id}/", {"price": "0"}, format="json")
    assert to_quoted.status_code == 400 and "price" in to_quoted.json()["fields"]


def test_huge_and_foreign_ids_are_404_not_500(payer, world, client_for):
    huge = "9" * 25
    vendor = world.vendor.client
    assert vendor.post(f"/api/v1/partner/orders/{huge}/confirm/", {}, format="json").status_code == 404
    assert vendor.patch(f"/api/v1/partner/slots/{huge}/", {"capacity": 2}, format="json").status_code == 404
    assert vendor.patch(f"/api/v1/partner/offerings/{huge}/", {"price": "2"}, format="json").status_code == 404
    assert vendor.get(f"/api/v1/partner/orders/?company={huge}&status=%00").status_code in (200, 400)
    assert payer.client.get(f"/api/v1/owner/vendor-orders/{huge}/").status_code == 404
    assert payer.client.get(f"/api/v1/owner/vendors/{huge}/").status_code == 404
    assert payer.client.get("/api/v1/owner/vendors/²/").status_code == 404
    admin = client_for(payer.company, "admin")
    assert admin.get(f"/api/v1/vendor-orders/?vendor_id={huge}").status_code in (200, 400)
    assert admin.get("/api/v1/vendor-orders/?vendor_id=²").status_code in (200, 400)
    for change in (
        {"slot": int(huge[:19])},
        {"offering": int(huge[:19])},
        {"vendor": int(huge[:19])},
        {"quantity": 100},
    ):
        answer = book(payer.client, payer.house.pk, world, key=f"huge-{next(iter(change))}", **change)
        assert answer.status_code in (400, 409), (change, answer.status_code)
