"""Vendor × company isolation: a vendor admitted by A and not by B sees nothing of B and B's owners
see nothing of it; a suspension by A hides A's orders from the portal at once; a vendor's token is
useless on a company's host; a company's staff and owners read only their own orders."""

from __future__ import annotations

import pytest

from tests.payments.conftest import make_payer
from tests.platform.partners.conftest import portal_client
from tests.tenants.vendor_orders.world import add_offering, admitted_vendor, book

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_worlds(payer, vendor, client_for, company_b):
    admin_a = client_for(payer.company, "admin")
    world = admitted_vendor(vendor, payer.company, admin_a, [payer.house.estate_id])
    owner_b = make_payer(company_b, client_for, username="payer-b")
    return world, owner_b, admin_a, client_for(company_b, "admin")


def test_b_and_its_owners_see_nothing_of_a_vendor_admitted_only_by_a(payer, two_worlds):
    world, owner_b, _admin_a, admin_b = two_worlds
    assert len(payer.client.get("/api/v1/owner/vendors/").json()["results"]) == 1
    assert owner_b.client.get("/api/v1/owner/vendors/").json()["results"] == []
    vendor_id = payer.client.get("/api/v1/owner/vendors/").json()["results"][0]["id"]
    assert owner_b.client.get(f"/api/v1/owner/vendors/{vendor_id}/").status_code == 404
    refused = book(owner_b.client, owner_b.house.pk, world, key="b-1")
    assert refused.status_code == 400 and "vendor" in refused.json()["fields"]

    order = book(payer.client, payer.house.pk, world).json()
    assert admin_b.get("/api/v1/vendor-orders/").json()["results"] == []
    assert admin_b.get(f"/api/v1/vendor-orders/{order['id']}/").status_code == 404
    assert owner_b.client.get(f"/api/v1/owner/vendor-orders/{order['id']}/").status_code == 404
    assert owner_b.client.post(f"/api/v1/owner/vendor-orders/{order['id']}/cancel/", {}).status_code == 404
    assert [row["company"] for row in world.vendor.client.get("/api/v1/partner/orders/").json()["results"]] == [
        payer.company.slug
    ]
    # Only for a company that admitted it may the vendor keep a company's own item.
    only_b = world.vendor.client.post(
        "/api/v1/partner/offerings/",
        {"company": owner_b.company.slug, "kind": "service", "name": "B 专享", "price_mode": "fixed", "price": "1"},
        format="json",
    )
    assert only_b.status_code == 400 and "company" in only_b.json()["fields"]


def test_a_suspension_hides_a_s_orders_from_the_portal_at_once(payer, two_worlds):
    world, _owner_b, admin_a, _admin_b = two_worlds
    book(payer.client, payer.house.pk, world)
    portal_id = world.vendor.client.get("/api/v1/partner/orders/").json()["results"][0]["id"]
    suspended = admin_a.post(
        f"/api/v1/partner-admissions/{world.admission_id}/suspend/", {"reason": "投诉"}, format="json"
    )
    assert suspended.status_code == 200
    assert world.vendor.client.get("/api/v1/partner/orders/").json()["results"] == []
    assert (
        world.vendor.client.post(f"/api/v1/partner/orders/{portal_id}/confirm/", {}, format="json").status_code == 404
    )
    assert payer.client.get("/api/v1/owner/vendors/").json()["results"] == []  # and owners no longer see it
    admin_a.post(f"/api/v1/partner-admissions/{world.admission_id}/reinstate/")
    assert len(world.vendor.client.get("/api/v1/partner/orders/").json()["results"]) == 1


def test_another_vendor_cannot_touch_the_order(payer, two_worlds, sign_up_vendor):
    world, *_ = two_worlds
    book(payer.client, payer.house.pk, world)
    portal_id = world.vendor.client.get("/api/v1/partner/orders/").json()["results"][0]["id"]
    other = sign_up_vendor(phone="13900002222", name="邻家超市", kind="merchant")
    assert other.client.get("/api/v1/partner/orders/").json()["results"] == []
    assert other.client.post(f"/api/v1/partner/orders/{portal_id}/confirm/", {}, format="json").status_code == 404
    offering = world.offering_id
    assert (
        other.client.patch(f"/api/v1/partner/offerings/{offering}/", {"price": "1"}, format="json").status_code == 404
    )
    assert (
        other.client.patch(f"/api/v1/partner/slots/{world.slot_id}/", {"capacity": 5}, format="json").status_code == 404
    )


def test_a_vendor_token_is_useless_on_a_company_host(payer, two_worlds, client_for):
    world, *_ = two_worlds
    on_company = client_for(payer.company)
    on_company.credentials(HTTP_AUTHORIZATION=f"Bearer {world.vendor.token}")
    for path in ("/api/v1/owner/vendors/", "/api/v1/vendor-orders/", "/api/v1/owner/vendor-orders/"):
        assert on_company.get(path).status_code in (401, 403), path
    assert portal_client().get("/api/v1/partner/orders/").status_code in (401, 403)  # and no token, no orders


def test_staff_without_the_permission_are_refused(payer, two_worlds, client_for):
    _world, *_ = two_worlds
    for path in ("/api/v1/vendor-orders/", "/api/v1/partner-settlement/?month=2026-12"):
        assert payer.client.get(path).status_code == 403, path  # an owner is no staff


def test_company_specific_items_stay_in_their_company(payer, two_worlds, client_for):
    world, owner_b, _admin_a, admin_b = two_worlds
    from tests.tenants.vendor_orders.world import admit

    admit(world.vendor, owner_b.company, admin_b, [owner_b.house.estate_id])
    add_offering(world.vendor, company=payer.company.slug, name="阿尔法专享深度保洁", price="300.00")
    vendor_id = payer.client.get("/api/v1/owner/vendors/").json()["results"][0]["id"]
    a_names = {o["name"] for o in payer.client.get(f"/api/v1/owner/vendors/{vendor_id}/").json()["offerings"]}
    b_names = {o["name"] for o in owner_b.client.get(f"/api/v1/owner/vendors/{vendor_id}/").json()["offerings"]}
    assert "阿尔法专享深度保洁" in a_names and "阿尔法专享深度保洁" not in b_names
    assert "日常保洁 3 小时" in a_names & b_names


def test_an_order_of_a_vendor_whose_licence_lapsed_cannot_be_paid_nor_a_never_paid_one_complained_of(payer, two_worlds):
    from django.utils import timezone

    from partners.models import Vendor

    world, _owner_b, _admin_a, _admin_b = two_worlds
    order = book(payer.client, payer.house.pk, world).json()
    Vendor.objects.filter(code=world.vendor.code).update(listings_suspended_at=timezone.now())  # the licence lapsed
    body = {"house": payer.house.pk, "charge_ids": [order["id"]], "purpose": "vendor_orders", "idempotency_key": "p"}
    refused = payer.client.post("/api/v1/owner/payments/", body, format="json")
    assert refused.status_code == 409 and refused.json()["code"] == "vendor_unavailable"
    cancelled = payer.client.post(f"/api/v1/owner/vendor-orders/{order['id']}/cancel/", {}, format="json")
    assert cancelled.status_code == 200
    complaint = payer.client.post(
        f"/api/v1/owner/vendor-orders/{order['id']}/complain/", {"description": "x"}, format="json"
    )
    assert complaint.status_code == 409


def test_a_company_suspension_cancels_the_unpaid_order_so_it_cannot_be_paid(payer, two_worlds):
    world, _owner_b, admin_a, _admin_b = two_worlds
    order = book(payer.client, payer.house.pk, world).json()
    admin_a.post(f"/api/v1/partner-admissions/{world.admission_id}/suspend/", {"reason": "投诉"}, format="json")
    body = {"house": payer.house.pk, "charge_ids": [order["id"]], "purpose": "vendor_orders", "idempotency_key": "p"}
    refused = payer.client.post("/api/v1/owner/payments/", body, format="json")
    assert refused.status_code == 409 and refused.json()["code"] == "order_not_payable"
