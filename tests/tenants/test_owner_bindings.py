"""Owners bind houses from the owner app; staff approve or reject. Estates' bulk house creation."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django_tenants.utils import tenant_context

from accounts import services as account_services
from accounts.models import User
from core.errors import DomainError
from tenants.estates import services as estate_services
from tenants.estates.models import Estate, House

pytestmark = pytest.mark.django_db


def _estate(company, name="翠湖苑", floors=3, per_floor=2):
    with tenant_context(company):
        estate = estate_services.create_estate(name=name)
        building = estate_services.create_building(estate=estate, name="1栋", floors=floors, units=["1单元", "2单元"])
        estate_services.generate_houses(
            building=building,
            per_floor=per_floor,
            building_area=Decimal("89.50"),
            usable_area=Decimal("72.30"),
            layout="3室2厅",
        )
        return estate


def _owner(client_for, company, name="业主甲"):
    with tenant_context(company):
        user = User.objects.create(username=f"owner-{name}", roles=["resident"])
        raw, _token = account_services.issue_token(user=user, kind="sms")
    client = client_for(company)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client, user


def test_generated_houses_and_their_numbers(company_a):
    estate = _estate(company_a, floors=3, per_floor=2)
    with tenant_context(company_a):
        numbers = sorted(House.objects.filter(estate=estate, unit__name="1单元").values_list("number", flat=True))
        assert numbers == ["101", "102", "201", "202", "301", "302"]
        assert House.objects.filter(estate=estate).count() == 12
        assert len(set(House.objects.values_list("binding_code", flat=True))) == House.objects.count()


def test_generating_twice_writes_nothing_the_second_time(company_a):
    estate = _estate(company_a)
    with tenant_context(company_a):
        building = estate.buildings.get()
        with pytest.raises(DomainError):
            estate_services.generate_houses(
                building=building, per_floor=3, building_area=Decimal("80"), usable_area=Decimal("70")
            )
        assert House.objects.filter(building=building).count() == 12  # not 12 + the 6 new numbers


@pytest.mark.parametrize(("built", "usable"), [("0", "0"), ("-5", "10"), ("80", "90")])
def test_bad_areas_are_refused(company_a, built, usable):
    estate = _estate(company_a)
    with tenant_context(company_a), pytest.raises(DomainError):
        estate_services.generate_houses(
            building=estate.buildings.get(), per_floor=1, building_area=Decimal(built), usable_area=Decimal(usable)
        )


def test_owner_picks_a_house_and_waits_for_approval(client_for, company_a):
    estate = _estate(company_a)
    owner, _user = _owner(client_for, company_a)
    estates = owner.get("/api/v1/owner/estates/").json()
    assert [e["name"] for e in estates] == ["翠湖苑"]
    houses = owner.get(f"/api/v1/owner/estates/{estate.pk}/houses/?search=201").json()
    assert [h["label"] for h in houses] == ["1栋1单元201", "1栋2单元201"]
    created = owner.post(
        "/api/v1/owner/bindings/", {"house_id": houses[0]["id"], "relation": "owner", "name": "业主甲"}, format="json"
    )
    assert created.status_code == 201, created.content
    assert created.json()["status"] == "pending"
    assert created.json()["house"] == {"id": houses[0]["id"], "label": "1栋1单元201", "estate_name": "翠湖苑"}
    again = owner.post(
        "/api/v1/owner/bindings/", {"house_id": houses[0]["id"], "relation": "owner", "name": "x"}, format="json"
    )
    assert again.status_code == 400 and again.json()["code"] == "already_bound"

    staff = client_for(company_a, "service")
    pending = staff.get("/api/v1/house-bindings/?status=pending").json()["results"]
    assert [b["name"] for b in pending] == ["业主甲"]
    approved = staff.post(f"/api/v1/house-bindings/{pending[0]['id']}/approve/")
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    assert staff.post(f"/api/v1/house-bindings/{pending[0]['id']}/approve/").status_code == 409
    assert owner.get("/api/v1/owner/bindings/").json()[0]["status"] == "approved"
    assert owner.get("/api/v1/me/").json()["name"] == "业主甲"  # the accepted name, for a phone-only login


def test_owner_binds_by_house_code_and_staff_reject_with_a_reason(client_for, company_a):
    _estate(company_a)
    with tenant_context(company_a):
        house = House.objects.select_related("unit", "building").first()
    owner, _user = _owner(client_for, company_a)
    created = owner.post(
        "/api/v1/owner/bindings/",
        {"house_code": house.binding_code.lower(), "relation": "renter", "name": "租客乙"},
        format="json",
    )
    assert created.status_code == 201, created.content
    staff = client_for(company_a, "admin")
    binding_id = created.json()["id"]
    no_reason = staff.post(f"/api/v1/house-bindings/{binding_id}/reject/", {"reason": ""}, format="json")
    assert no_reason.status_code == 400 and "reason" in no_reason.json()["fields"]
    rejected = staff.post(f"/api/v1/house-bindings/{binding_id}/reject/", {"reason": "身份信息不符"}, format="json")
    assert rejected.json()["status"] == "rejected"
    assert owner.get("/api/v1/owner/bindings/").json()[0]["reason"] == "身份信息不符"
    # Rejected: the owner may ask again.
    assert (
        owner.post(
            "/api/v1/owner/bindings/", {"house_code": house.binding_code, "name": "租客乙"}, format="json"
        ).status_code
        == 201
    )


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({}, "house_id"),
        ({"house_id": 1, "house_code": "ABCDEFGH"}, "house_id"),
        ({"house_id": 99999999}, "house_id"),
        ({"house_code": "NOPE1234"}, "house_code"),
        ({"house_id": "__first__", "relation": "cousin"}, "relation"),
    ],
)
def test_bad_binding_requests_are_field_errors(client_for, company_a, payload, field):
    _estate(company_a)
    with tenant_context(company_a):
        first = House.objects.first().pk
    payload = {k: (first if v == "__first__" else v) for k, v in payload.items()}
    owner, _user = _owner(client_for, company_a)
    response = owner.post("/api/v1/owner/bindings/", {"name": "某人", **payload}, format="json")
    assert response.status_code == 400
    assert field in response.json()["fields"]


def test_roles_on_bindings(client_for, company_a):
    _estate(company_a)
    owner, _user = _owner(client_for, company_a)
    assert owner.get("/api/v1/house-bindings/").status_code == 403  # owners don't see others' requests
    assert client_for(company_a, "guard").get("/api/v1/house-bindings/").status_code == 403
    assert client_for(company_a, "cashier").get("/api/v1/house-bindings/").status_code == 200
    with tenant_context(company_a):
        house = House.objects.first()
    binding_id = owner.post("/api/v1/owner/bindings/", {"house_id": house.pk, "name": "甲"}, format="json").json()["id"]
    assert client_for(company_a, "cashier").post(f"/api/v1/house-bindings/{binding_id}/approve/").status_code == 403
    # Staff logins do not use the owner endpoints.
    assert client_for(company_a, "admin").get("/api/v1/owner/estates/").status_code == 403


def test_bindings_and_estates_do_not_cross_companies(client_for, company_a, company_b):
    estate_a = _estate(company_a, name="阿尔法小区")
    with tenant_context(company_b):
        assert not Estate.objects.filter(pk=estate_a.pk).exists()
    owner_a, _user = _owner(client_for, company_a)
    with tenant_context(company_a):
        house = House.objects.first()
    binding_id = owner_a.post("/api/v1/owner/bindings/", {"house_id": house.pk, "name": "甲"}, format="json").json()[
        "id"
    ]
    owner_b, _user_b = _owner(client_for, company_b, name="业主乙")
    assert owner_b.get(f"/api/v1/owner/estates/{estate_a.pk}/houses/").status_code == 404
    assert owner_b.get("/api/v1/owner/bindings/").json() == []
    assert (
        owner_b.post(
            "/api/v1/owner/bindings/", {"house_code": house.binding_code, "name": "乙"}, format="json"
        ).status_code
        == 400
    )
    staff_b = client_for(company_b, "admin")
    assert staff_b.get(f"/api/v1/house-bindings/{binding_id}/").status_code == 404
    assert staff_b.post(f"/api/v1/house-bindings/{binding_id}/approve/").status_code == 404
    # A's token is useless on B's owner API.
    owner_a.defaults["HTTP_HOST"] = f"{company_b.slug}.localhost"
    assert owner_a.get("/api/v1/owner/bindings/").status_code == 401
