"""Staff API for estates, buildings and houses: the tree, generation, filters, bad input, isolation."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import tenant_context

from tenants.estates.models import Building, Estate, House

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_a(client_for, company_a):
    return client_for(company_a, "admin")


def _estate_with_building(client, name="翠湖苑", floors=6, per_floor=2, units=("1单元", "2单元")):
    estate = client.post("/api/v1/estates/", {"name": name, "address": "杭州市西湖区文三路 1 号"}, format="json")
    assert estate.status_code == 201, estate.content
    building = client.post(
        "/api/v1/buildings/",
        {"estate": estate.json()["id"], "name": "1栋", "floors": floors, "units": list(units)},
        format="json",
    )
    assert building.status_code == 201, building.content
    generated = client.post(
        f"/api/v1/buildings/{building.json()['id']}/generate-houses/",
        {"per_floor": per_floor, "building_area": "89.50", "usable_area": "72.30", "layout": "3室2厅"},
        format="json",
    )
    assert generated.status_code == 201, generated.content
    return estate.json(), building.json(), generated.json()["created"]


def test_estate_building_and_generated_houses_show_in_the_tree(admin_a):
    estate, building, created = _estate_with_building(admin_a)
    assert created == 6 * 2 * 2
    assert [u["name"] for u in building["units"]] == ["1单元", "2单元"]
    tree = admin_a.get("/api/v1/estates/tree/").json()
    assert tree == [
        {
            "id": estate["id"],
            "name": "翠湖苑",
            "house_count": 24,
            "buildings": [
                {
                    "id": building["id"],
                    "name": "1栋",
                    "floors": 6,
                    "house_count": 24,
                    "units": [
                        {"id": building["units"][0]["id"], "name": "1单元", "house_count": 12},
                        {"id": building["units"][1]["id"], "name": "2单元", "house_count": 12},
                    ],
                }
            ],
        }
    ]
    listed = admin_a.get("/api/v1/estates/").json()["results"][0]
    assert (listed["building_count"], listed["house_count"], listed["occupied_count"]) == (1, 24, 0)


def test_house_filters(admin_a):
    _estate, building, _ = _estate_with_building(admin_a)
    unit = building["units"][0]["id"]
    first = admin_a.get(f"/api/v1/houses/?unit={unit}&floor=3").json()
    assert [h["label"] for h in first["results"]] == ["1栋1单元301", "1栋1单元302"]
    house = first["results"][0]
    changed = admin_a.patch(
        f"/api/v1/houses/{house['id']}/", {"status": "occupied", "building_area": "120.00"}, format="json"
    )
    assert changed.status_code == 200, changed.content
    assert admin_a.get("/api/v1/houses/?status=occupied").json()["count"] == 1
    assert admin_a.get("/api/v1/houses/?area_min=100").json()["count"] == 1
    assert admin_a.get("/api/v1/houses/?area_max=100").json()["count"] == 23
    assert admin_a.get("/api/v1/houses/?layout=3室2厅").json()["count"] == 24
    assert admin_a.get("/api/v1/houses/?search=602").json()["count"] == 2
    assert admin_a.get("/api/v1/estates/").json()["results"][0]["occupied_count"] == 1


def test_house_list_and_export(admin_a):
    _estate_with_building(admin_a)
    response = admin_a.get("/api/v1/houses/?format=xlsx&status=unsold")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    from io import BytesIO

    from openpyxl import load_workbook

    sheet = load_workbook(BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("小区", "楼栋", "单元", "房号")
    assert len(rows) == 25 and rows[1][9] == "未售"
    assert rows[1][5:7] == (89.5, 72.3) and rows[1][3] == "101"  # areas are numbers; house numbers stay text


def test_single_house_respects_the_buildings_floors_and_numbering(admin_a):
    _estate, building, _ = _estate_with_building(admin_a, floors=6)
    unit = building["units"][0]["id"]
    base = {"unit": unit, "building_area": "50", "usable_area": "40", "use": "storage"}
    too_high = admin_a.post("/api/v1/houses/", {**base, "number": "701", "floor": 7}, format="json")
    assert too_high.status_code == 400 and set(too_high.json()["fields"]) == {"floor"}
    duplicate = admin_a.post("/api/v1/houses/", {**base, "number": "101", "floor": 1}, format="json")
    assert duplicate.status_code == 400 and "number" in duplicate.json()["fields"]
    bad_areas = admin_a.post(
        "/api/v1/houses/",
        {**base, "number": "B01", "floor": 1, "building_area": "-1", "usable_area": "40"},
        format="json",
    )
    assert bad_areas.status_code == 400 and "building_area" in bad_areas.json()["fields"]
    bigger = admin_a.post("/api/v1/houses/", {**base, "number": "B02", "floor": 1, "usable_area": "60"}, format="json")
    assert bigger.status_code == 400 and "usable_area" in bigger.json()["fields"]
    ok = admin_a.post("/api/v1/houses/", {**base, "number": "B03", "floor": 1}, format="json")
    assert ok.status_code == 201, ok.content
    assert ok.json()["label"] == "1栋1单元B03" and len(ok.json()["binding_code"]) == 8
    moved_up = admin_a.patch(f"/api/v1/houses/{ok.json()['id']}/", {"floor": 9}, format="json")
    assert moved_up.status_code == 400 and "floor" in moved_up.json()["fields"]
    # A building cannot shrink below its highest house.
    shrink = admin_a.patch(f"/api/v1/buildings/{building['id']}/", {"floors": 5}, format="json")
    assert shrink.status_code == 400 and "floors" in shrink.json()["fields"]
    grow = admin_a.patch(f"/api/v1/buildings/{building['id']}/", {"floors": 9}, format="json")
    assert grow.status_code == 200 and grow.json()["floors"] == 9


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"per_floor": 0, "building_area": "80", "usable_area": "70"}, "per_floor"),
        ({"per_floor": 2, "building_area": "80", "usable_area": "90"}, "usable_area"),
        ({"per_floor": 2, "building_area": "80", "usable_area": "70", "number_format": "{index}"}, "number_format"),
        ({"per_floor": 2, "building_area": "80", "usable_area": "70", "number_format": "{room}"}, "number_format"),
        ({"per_floor": 2, "building_area": "80", "usable_area": "70", "number_format": "{floor.x}"}, "number_format"),
        (
            {"per_floor": 2, "building_area": "80", "usable_area": "70", "number_format": "{index:>999999999}"},
            "number_format",
        ),
        ({"per_floor": 2, "building_area": "80", "usable_area": "70", "status": "sold"}, "status"),
    ],
)
def test_bad_generation_writes_nothing(admin_a, company_a, payload, field):
    estate = admin_a.post("/api/v1/estates/", {"name": "云栖"}, format="json").json()
    building = admin_a.post(
        "/api/v1/buildings/", {"estate": estate["id"], "name": "2栋", "floors": 3, "units": ["1单元"]}, format="json"
    ).json()
    response = admin_a.post(f"/api/v1/buildings/{building['id']}/generate-houses/", payload, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()["fields"]
    with tenant_context(company_a):
        assert House.objects.count() == 0


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"name": "1栋", "floors": 0, "units": ["1单元"]}, "floors"),
        ({"name": "1栋", "floors": 3, "units": ["1单元", "1单元"]}, "units"),
        ({"name": "1栋", "floors": 3, "units": [""]}, "units"),
        ({"name": "", "floors": 3, "units": ["1单元"]}, "name"),
    ],
)
def test_bad_buildings_are_refused(admin_a, company_a, payload, field):
    estate = admin_a.post("/api/v1/estates/", {"name": "云栖"}, format="json").json()
    response = admin_a.post("/api/v1/buildings/", {"estate": estate["id"], **payload}, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()["fields"] or field.rstrip("s") in str(response.json()["fields"])
    with tenant_context(company_a):
        assert Building.objects.count() == 0


def test_duplicate_estate_and_deleting_what_is_in_use(admin_a):
    estate, building, _ = _estate_with_building(admin_a)
    duplicate = admin_a.post("/api/v1/estates/", {"name": "翠湖苑"}, format="json")
    assert duplicate.status_code == 400 and "name" in duplicate.json()["fields"]
    assert admin_a.delete(f"/api/v1/estates/{estate['id']}/").status_code == 409
    assert admin_a.delete(f"/api/v1/buildings/{building['id']}/").status_code == 409
    empty = admin_a.post("/api/v1/estates/", {"name": "空小区"}, format="json").json()
    assert admin_a.delete(f"/api/v1/estates/{empty['id']}/").status_code == 204


def test_roles(client_for, company_a, admin_a):
    _estate, building, _ = _estate_with_building(admin_a)
    cashier = client_for(company_a, "cashier")
    assert cashier.get("/api/v1/houses/").status_code == 200
    assert cashier.post("/api/v1/estates/", {"name": "收银员建的"}, format="json").status_code == 403
    guard = client_for(company_a, "guard")
    assert guard.get("/api/v1/houses/").status_code == 403
    assert guard.get("/api/v1/estates/tree/").status_code == 403
    service = client_for(company_a, "service")
    assert service.patch(f"/api/v1/buildings/{building['id']}/", {"name": "一栋"}, format="json").status_code == 200


def test_other_company_cannot_see_or_change_it(client_for, company_a, company_b, admin_a):
    estate, building, _ = _estate_with_building(admin_a)
    with tenant_context(company_a):
        house = House.objects.first()
    admin_b = client_for(company_b, "admin")
    assert admin_b.get("/api/v1/estates/").json()["count"] == 0
    assert admin_b.get("/api/v1/estates/tree/").json() == []
    assert admin_b.get("/api/v1/houses/").json()["count"] == 0
    for path in (
        f"/api/v1/estates/{estate['id']}/",
        f"/api/v1/buildings/{building['id']}/",
        f"/api/v1/houses/{house.pk}/",
    ):
        assert admin_b.get(path).status_code == 404
        assert admin_b.patch(path, {"name": "改"}, format="json").status_code == 404
        assert admin_b.delete(path).status_code == 404
    assert admin_b.post(f"/api/v1/buildings/{building['id']}/generate-houses/", {}, format="json").status_code == 404
    # A's session on B's host is not a session at all.
    admin_a.defaults["HTTP_HOST"] = "beta.localhost"
    assert admin_a.get("/api/v1/houses/").status_code in (401, 403)
    with tenant_context(company_a):
        assert Estate.objects.get(pk=estate["id"]).name == "翠湖苑"


@pytest.mark.parametrize("path", ["/api/v1/houses/", "/api/v1/estates/", "/api/v1/buildings/"])
def test_list_queries_do_not_grow_with_page_size(admin_a, path):
    estate, _building, _ = _estate_with_building(admin_a, floors=10, per_floor=4)
    for number in range(2, 6):  # more estates and buildings than the small page holds
        admin_a.post("/api/v1/estates/", {"name": f"{number}期"}, format="json")
        admin_a.post(
            "/api/v1/buildings/",
            {"estate": estate["id"], "name": f"{number}栋", "floors": 5, "units": ["1单元", "2单元"]},
            format="json",
        )
    counts = []
    for size in (2, 50):
        with CaptureQueriesContext(connection) as queries:
            assert admin_a.get(f"{path}?page_size={size}").status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


def test_the_database_itself_keeps_houses_within_their_buildings_floors(admin_a, company_a):
    """Not only the services: a bulk write or raw update that breaks the bound is refused by PostgreSQL."""
    from django.db import IntegrityError, transaction

    _estate, building, _ = _estate_with_building(admin_a, floors=6)
    with tenant_context(company_a):
        house = House.objects.filter(building_id=building["id"]).first()
        with pytest.raises(IntegrityError), transaction.atomic():
            House.objects.filter(pk=house.pk).update(floor=7)
        with pytest.raises(IntegrityError), transaction.atomic():
            House.objects.filter(pk=house.pk).update(floor=0)
        with pytest.raises(IntegrityError), transaction.atomic():
            Building.objects.filter(pk=building["id"]).update(floors=5)
        Building.objects.filter(pk=building["id"]).update(floors=8, basement_floors=1)
        House.objects.filter(pk=house.pk).update(floor=-1)  # a basement, now that there is one
        assert House.objects.get(pk=house.pk).floor == -1
