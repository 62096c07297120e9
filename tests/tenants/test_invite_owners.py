"""Issue 16: inviting owners — the houses export carries each house's 房屋码 and whether an owner is
bound (for printing notices per estate or building), read by the same roles that see the code on the
house page; the binding page's overview counts bound houses honestly; neither crosses companies."""

from __future__ import annotations

from decimal import Decimal
from io import BytesIO

import pytest
from django_tenants.utils import tenant_context
from openpyxl import load_workbook

from accounts import services as account_services
from tenants.estates import services as estate_services
from tenants.estates.models import House

pytestmark = pytest.mark.django_db

OWNER_PHONE = "13812345678"


def _houses(company):
    with tenant_context(company):
        estate = estate_services.create_estate(name="翠湖苑")
        building = estate_services.create_building(estate=estate, name="1栋", floors=2, units=["1单元"])
        estate_services.generate_houses(
            building=building, per_floor=2, building_area=Decimal("89.5"), usable_area=Decimal("72.3")
        )
        other = estate_services.create_building(estate=estate, name="2栋", floors=1, units=["1单元"])
        estate_services.generate_houses(
            building=other, per_floor=1, building_area=Decimal("60"), usable_area=Decimal("50")
        )
        return building.pk, list(House.objects.order_by("building__name", "floor", "number"))


def _bind(client_for, company, house_pk):
    """An owner on record (phone + name) binds and is verified at once."""
    admin = client_for(company, "admin")
    person = admin.post("/api/v1/residents/", {"name": "张伟", "phone": OWNER_PHONE}, format="json")
    assert person.status_code == 201, person.content
    placed = admin.post(
        "/api/v1/occupancies/", {"house": house_pk, "person": person.json()["id"], "relation": "owner"}, format="json"
    )
    assert placed.status_code == 201, placed.content
    with tenant_context(company):
        user = account_services.create_user(username=f"wx-{OWNER_PHONE}", roles=["resident"], phone=OWNER_PHONE)
        raw, _token = account_services.issue_token(user=user, kind="sms")
    owner = client_for(company)
    owner.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    bound = owner.post("/api/v1/owner/bindings/", {"house_id": house_pk, "name": "张伟"}, format="json")
    assert bound.status_code == 201 and bound.json()["status"] == "approved", bound.content


def _sheet(response):
    assert response.status_code == 200, response.content
    return list(load_workbook(BytesIO(response.content)).active.iter_rows(values_only=True))


def test_export_of_one_building_carries_codes_and_bound(client_for, company_a):
    building, houses = _houses(company_a)
    _bind(client_for, company_a, houses[0].pk)
    admin = client_for(company_a, "admin")
    rows = _sheet(admin.get(f"/api/v1/houses/?format=xlsx&building={building}"))
    header = rows[0]
    code, bound, number = header.index("房屋码"), header.index("业主已绑定"), header.index("房号")
    assert len(rows) == 1 + 4  # only the building asked for
    by_number = {row[number]: (row[code], row[bound]) for row in rows[1:]}
    assert by_number == {
        h.number: (h.binding_code, "是" if h.pk == houses[0].pk else "否") for h in houses if h.building_id == building
    }
    # The unbound ones alone, for the letters still to send.
    unbound = _sheet(admin.get(f"/api/v1/houses/?format=xlsx&building={building}&bound=false"))
    assert len(unbound) == 1 + 3
    listed = admin.get("/api/v1/houses/?bound=true").json()
    assert [(r["id"], r["bound"]) for r in listed["results"]] == [(houses[0].pk, True)]


def test_the_export_is_read_as_the_house_page_is(client_for, company_a):
    _houses(company_a)
    # The house page (GET /houses/{id}/ with its binding_code) and the export share basic_data.view.
    cashier = client_for(company_a, "cashier")
    house = cashier.get("/api/v1/houses/").json()["results"][0]
    assert cashier.get(f"/api/v1/houses/{house['id']}/").json()["binding_code"] == house["binding_code"]
    assert "房屋码" in _sheet(cashier.get("/api/v1/houses/?format=xlsx"))[0]
    guard = client_for(company_a, "guard")
    assert guard.get(f"/api/v1/houses/{house['id']}/").status_code == 403
    assert guard.get("/api/v1/houses/?format=xlsx").status_code == 403
    assert guard.get("/api/v1/house-bindings/overview/").status_code == 403


def test_overview_counts_bound_houses(client_for, company_a):
    admin = client_for(company_a, "admin")
    empty = admin.get("/api/v1/house-bindings/overview/")
    assert empty.status_code == 200
    assert empty.json() == {"house_count": 0, "bound_house_count": 0, "unbound_house_count": 0, "pending_count": 0}
    _building, houses = _houses(company_a)
    _bind(client_for, company_a, houses[0].pk)
    assert admin.get("/api/v1/house-bindings/overview/").json() == {
        "house_count": 5,
        "bound_house_count": 1,
        "unbound_house_count": 4,
        "pending_count": 0,
    }


def test_neither_crosses_companies(client_for, company_a, company_b):
    building, houses = _houses(company_a)
    _bind(client_for, company_a, houses[0].pk)
    admin_b = client_for(company_b, "admin")
    assert admin_b.get("/api/v1/house-bindings/overview/").json()["house_count"] == 0
    rows = _sheet(admin_b.get("/api/v1/houses/?format=xlsx"))
    assert len(rows) == 1
    codes = {h.binding_code for h in houses}
    assert not any(code in str(row) for row in rows for code in codes)
    # A session of company A is refused on B's host.
    admin_a = client_for(company_a, "admin")
    admin_a.defaults["HTTP_HOST"] = f"{company_b.slug}.localhost"
    assert admin_a.get("/api/v1/house-bindings/overview/").status_code in (401, 403)
    assert admin_a.get(f"/api/v1/houses/?format=xlsx&building={building}").status_code in (401, 403)
