"""The OpenAPI documents the faces' API types are generated from: written without a database, and
true to what the server answers where the answer is built by hand (site, tree, house page)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.management import call_command


@pytest.fixture(scope="module")
def documents(tmp_path_factory, django_db_blocker) -> dict[str, dict[str, Any]]:
    out = tmp_path_factory.mktemp("openapi")
    with django_db_blocker.block():  # any query would fail the generation
        call_command("openapi_documents", "--out", str(out))
    return {name: json.loads((out / f"{name}.json").read_text()) for name in ("company", "public")}


def _resolve(schema: dict[str, Any], document: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    if "allOf" in schema and len(schema["allOf"]) == 1:  # how a nullable or read-only $ref is written
        return _resolve(schema["allOf"][0], document)
    return schema


def assert_fits(value: Any, schema: dict[str, Any], document: dict[str, Any], where: str = "answer") -> None:
    """`value` has every documented required key and no undocumented one, all the way down."""
    if value is None:  # (a nullable $ref carries `nullable` beside it, not inside)
        nullable = schema.get("nullable") or _resolve(schema, document).get("nullable")
        assert nullable, f"{where}: null, but the document does not allow it"
        return
    schema = _resolve(schema, document)
    if "discriminator" in schema:
        discriminator = schema["discriminator"]
        chosen = discriminator["mapping"][value[discriminator["propertyName"]]]
        assert_fits(value, {"$ref": chosen}, document, where)
    elif "oneOf" in schema:  # choices (an enum, or blank)
        options = [_resolve(option, document) for option in schema["oneOf"]]
        assert any(value in option.get("enum", [value]) for option in options), f"{where}: {value!r} not allowed"
    elif "enum" in schema:
        assert value in schema["enum"], f"{where}: {value!r} not in {schema['enum']}"
    elif schema.get("type") == "array":
        for i, item in enumerate(value):
            assert_fits(item, schema["items"], document, f"{where}[{i}]")
    elif schema.get("type") == "object" and "properties" in schema:
        properties = schema["properties"]
        assert set(value) <= set(properties), f"{where}: undocumented {sorted(set(value) - set(properties))}"
        missing = set(schema.get("required", [])) - set(value)
        assert not missing, f"{where}: documented as required but missing {sorted(missing)}"
        for key, item in value.items():
            assert_fits(item, properties[key], document, f"{where}.{key}")


def answer_schema(document: dict[str, Any], path: str, method: str = "get") -> dict[str, Any]:
    responses = document["paths"][path][method]["responses"]
    return next(r for code, r in responses.items() if code.startswith("2"))["content"]["application/json"]["schema"]


def test_both_documents_are_written_without_a_database(documents):
    assert "/api/v1/houses/{id}/" in documents["company"]["paths"]
    assert "/api/v1/signups/" in documents["public"]["paths"]
    assert "/api/v1/signups/" not in documents["company"]["paths"]


def test_a_model_serializers_answer_lists_every_field_as_required(documents):
    """Fields with a model default are optional to send but always in the answer."""
    schemas = documents["company"]["components"]["schemas"]
    for name in ("Job", "Estate", "House", "Occupancy", "Department"):
        assert sorted(schemas[name]["required"]) == sorted(schemas[name]["properties"]), name
    assert "address" in schemas["Estate"]["required"]
    assert "address" not in schemas["EstateRequest"].get("required", [])


@pytest.mark.django_db
@pytest.mark.parametrize("host", ["localhost", "alpha.localhost"])
def test_the_site_answers_as_documented(client, documents, company_a, host):
    document = documents["public" if host == "localhost" else "company"]
    answer = client.get("/api/v1/site/", HTTP_HOST=host).json()
    assert_fits(answer, answer_schema(document, "/api/v1/site/"), document)


@pytest.mark.django_db
def test_the_tree_and_the_house_page_answer_as_documented(client_for, company_a, documents):
    admin = client_for(company_a, "admin")
    estate = admin.post("/api/v1/estates/", {"name": "翠湖苑", "address": "文三路 1 号"}, format="json").json()
    building = admin.post(
        "/api/v1/buildings/", {"estate": estate["id"], "name": "1栋", "floors": 2, "unit_names": ["1单元"]}
    ).json()
    generated = admin.post(
        f"/api/v1/buildings/{building['id']}/generate-houses/",
        {"per_floor": 1, "building_area": "80.00", "usable_area": "70.00", "layout": "2室1厅"},
    )
    assert generated.status_code == 201, generated.content
    house = admin.get("/api/v1/houses/").json()["results"][0]
    person = admin.post("/api/v1/residents/", {"name": "张伟", "phone": "13812345678"}, format="json").json()
    moved_in = admin.post(
        "/api/v1/occupancies/",
        {"house": house["id"], "person": person["id"], "relation": "owner", "moved_in": "2024-03-01"},
        format="json",
    )
    assert moved_in.status_code == 201, moved_in.content
    document = documents["company"]

    tree = admin.get("/api/v1/estates/tree/").json()
    assert tree[0]["buildings"][0]["units"]
    assert_fits(tree, answer_schema(document, "/api/v1/estates/tree/"), document, "tree")

    page = admin.get(f"/api/v1/houses/{house['id']}/").json()
    assert page["residents"]
    assert_fits(page, answer_schema(document, "/api/v1/houses/{id}/"), document, "house")


@pytest.mark.django_db
def test_the_owner_apps_answers_are_as_documented(client_for, company_a, documents):
    """The owner app's shapes are plain serializers and hand-built dicts: held to the document."""
    from django_tenants.utils import tenant_context

    from accounts import services as account_services

    admin = client_for(company_a, "admin")
    estate = admin.post("/api/v1/estates/", {"name": "翠湖苑"}, format="json").json()
    building = admin.post(
        "/api/v1/buildings/", {"estate": estate["id"], "name": "1栋", "floors": 1, "unit_names": ["1单元"]}
    ).json()
    admin.post(
        f"/api/v1/buildings/{building['id']}/generate-houses/",
        {"per_floor": 1, "building_area": "80.00", "usable_area": "70.00", "layout": "2室1厅"},
    )
    house = admin.get("/api/v1/houses/").json()["results"][0]
    with tenant_context(company_a):
        user = account_services.create_user(username="wx-13812345678", roles=["resident"], phone="13812345678")
        raw, _token = account_services.issue_token(user=user, kind="sms")
    owner = client_for(company_a)
    owner.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    binding = owner.post("/api/v1/owner/bindings/", {"house_id": house["id"], "name": "张伟"}, format="json")
    assert admin.post(f"/api/v1/house-bindings/{binding.json()['id']}/approve/").status_code == 200
    document = documents["company"]

    for path, url in [
        ("/api/v1/owner/houses/", "/api/v1/owner/houses/"),
        ("/api/v1/owner/profile/", "/api/v1/owner/profile/"),
        ("/api/v1/owner/bindings/", "/api/v1/owner/bindings/"),
        ("/api/v1/owner/estates/{estate_id}/houses/", f"/api/v1/owner/estates/{estate['id']}/houses/?search=1"),
        ("/api/v1/me/", "/api/v1/me/"),
    ]:
        answer = owner.get(url)
        assert answer.status_code == 200, (url, answer.content)
        assert answer.json(), url
        assert_fits(answer.json(), answer_schema(document, path), document, url)
    parameters = document["paths"]["/api/v1/owner/estates/{estate_id}/houses/"]["get"]["parameters"]
    assert "search" in [p["name"] for p in parameters]
