"""Bad input never breaks anything: it is refused with a 400 in the API's shape (or normalised
where two spellings mean the same thing), and errors are JSON everywhere under /api/."""

from __future__ import annotations

import io
import struct
import zlib
from decimal import Decimal

import pytest
from django.test import Client
from django_tenants.utils import tenant_context

from accounts import services as account_services
from accounts.models import User
from core.identity import check_character
from tenants.estates import services as estate_services
from tenants.residents.models import Person

pytestmark = pytest.mark.django_db

ID_NUMBER = "11010519491231002" + check_character("11010519491231002")
FULL_WIDTH = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")


@pytest.fixture
def admin_a(client_for, company_a):
    return client_for(company_a, "admin")


@pytest.fixture
def estate(company_a):
    with tenant_context(company_a):
        estate = estate_services.create_estate(name="翠湖苑")
        building = estate_services.create_building(estate=estate, name="1栋", floors=1, units=["1单元"])
        estate_services.generate_houses(
            building=building, per_floor=1, building_area=Decimal("89.5"), usable_area=Decimal("72.3")
        )
        return estate


def _owner(client_for, company):
    with tenant_context(company):
        user = User.objects.create(username="m_owner", roles=["resident"])
        raw, _token = account_services.issue_token(user=user, kind="sms")
    client = client_for(company)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


def _error(response, status: int, field: str | None = None) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) >= {"code", "message", "fields"}
    if field:
        assert field in body["fields"], body
    return body


# --- characters ---------------------------------------------------------------------------------


def test_an_id_number_with_a_superscript_digit_is_a_field_error(admin_a):
    # '²'.isdigit() is True and int('²') raises: this was a 500.
    response = admin_a.post("/api/v1/residents/", {"name": "张伟", "id_number": "1101051949123100²X"}, format="json")
    _error(response, 400, "id_number")


def test_full_width_digits_are_the_same_phone_and_id_number(admin_a, company_a):
    created = admin_a.post(
        "/api/v1/residents/",
        {"name": "张伟", "phone": "１３８１２３４５６７８", "id_number": ID_NUMBER.translate(FULL_WIDTH)},
        format="json",
    )
    assert created.status_code == 201, created.content
    with tenant_context(company_a):
        person = Person.objects.get(pk=created.json()["id"])
        assert (person.phone, person.id_number) == ("13812345678", ID_NUMBER)
    found = admin_a.get("/api/v1/residents/?phone=13812345678").json()["results"]
    assert [row["id"] for row in found] == [created.json()["id"]]
    again = admin_a.post("/api/v1/residents/", {"name": "李四", "id_number": ID_NUMBER}, format="json")
    _error(again, 400, "id_number")  # the duplicate check sees the same number


def test_full_width_phone_of_a_staff_account_is_stored_in_ascii(admin_a, company_a):
    response = admin_a.post(
        "/api/v1/users/",
        {"username": "cashier9", "name": "收银员", "roles": ["cashier"], "phone": "１３９ ０００１ ２３４５"},
        format="json",
    )
    assert response.status_code == 201, response.content
    with tenant_context(company_a):
        user = User.objects.get(username="cashier9")
        assert user.phone == "13900012345"
        assert user.phone_index == account_services.phone_index("13900012345")


def test_a_nul_byte_in_the_owner_house_search_is_a_400(client_for, company_a, estate):
    owner = _owner(client_for, company_a)
    assert owner.get(f"/api/v1/owner/estates/{estate.pk}/houses/?search=101").status_code == 200
    response = owner.get(f"/api/v1/owner/estates/{estate.pk}/houses/?search=1%0001")
    _error(response, 400, "search")


@pytest.mark.parametrize("bad", ["a\x00b", "\x1b[31m", "x\x7f"])
def test_control_characters_in_a_json_body_are_field_errors(admin_a, bad):
    response = admin_a.post("/api/v1/estates/", {"name": bad, "address": "ok\n第二行\t"}, format="json")
    _error(response, 400, "name")


def test_control_characters_in_a_form_field_are_field_errors(admin_a):
    response = admin_a.post("/api/v1/imports/", {"kind": "houses\x00"}, format="multipart")
    _error(response, 400, "kind")


def test_deeply_nested_json_is_a_400(admin_a):
    deep = "[" * 100_000 + "]" * 100_000
    response = admin_a.post("/api/v1/estates/", deep, content_type="application/json")
    _error(response, 400)
    nested = '{"name": ' + '{"a": ' * 40 + "1" + "}" * 40 + "}"
    _error(admin_a.post("/api/v1/estates/", nested, content_type="application/json"), 400)


@pytest.mark.parametrize("username", ["Admin", "ADMIN", "аdmin", "ad min", "wx_admin", "ａｄｍｉｎ"])
def test_usernames_are_ascii_lower_case_and_unique_whatever_the_case(admin_a, username):
    response = admin_a.post(
        "/api/v1/users/", {"username": username, "name": "冒名", "roles": ["cashier"]}, format="json"
    )
    _error(response, 400, "username")


def test_a_username_is_stored_lower_case_and_signs_in_either_way(admin_a, client_for, company_a):
    created = admin_a.post(
        "/api/v1/users/",
        {"username": "Wang.Li", "name": "王丽", "roles": ["cashier"], "password": "Another-pass-2026"},
        format="json",
    )
    assert created.status_code == 201, created.content
    assert created.json()["username"] == "wang.li"
    login = client_for(company_a).post(
        "/api/v1/auth/login/", {"username": "WANG.LI", "password": "Another-pass-2026"}, format="json"
    )
    assert login.status_code == 200, login.content


@pytest.mark.parametrize("name", ["\u200b", "\u200b\u200d\ufeff", " \u2060 "])
def test_names_of_invisible_characters_only_are_refused(admin_a, client_for, company_a, estate, name):
    _error(admin_a.post("/api/v1/residents/", {"name": name}, format="json"), 400, "name")
    _error(admin_a.post("/api/v1/users/", {"username": "zw", "name": name, "roles": ["cashier"]}, format="json"), 400)
    _error(admin_a.patch("/api/v1/settings/branding/", {"display_name": name}, format="json"), 400, "display_name")
    _error(admin_a.post("/api/v1/departments/", {"name": name}, format="json"), 400, "name")
    owner = _owner(client_for, company_a)
    house = owner.get(f"/api/v1/owner/estates/{estate.pk}/houses/").json()[0]
    binding = owner.post("/api/v1/owner/bindings/", {"house_id": house["id"], "name": name}, format="json")
    _error(binding, 400, "name")


def test_invisible_characters_inside_a_name_are_dropped(admin_a, company_a):
    created = admin_a.post("/api/v1/residents/", {"name": "张\u200b伟"}, format="json")
    assert created.status_code == 201, created.content
    assert created.json()["name"] == "张伟"


# --- dates and images --------------------------------------------------------------------------


def test_a_move_out_in_the_year_9999_is_a_field_error(admin_a, company_a, estate):
    person = admin_a.post("/api/v1/residents/", {"name": "张伟"}, format="json").json()
    with tenant_context(company_a):
        house = estate.houses.get()
    occupancy = admin_a.post(
        "/api/v1/occupancies/", {"house": house.pk, "person": person["id"], "relation": "owner"}, format="json"
    ).json()
    response = admin_a.post(
        f"/api/v1/occupancies/{occupancy['id']}/move-out/", {"moved_out": "9999-12-31"}, format="json"
    )
    _error(response, 400, "moved_out")
    early = admin_a.post(
        "/api/v1/occupancies/",
        {"house": house.pk, "person": person["id"], "relation": "family", "moved_in": "1066-10-14"},
        format="json",
    )
    _error(early, 400, "moved_in")


def _png_header_only(width: int, height: int) -> io.BytesIO:
    """A valid-looking PNG declaring width x height pixels, a few hundred bytes long."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    raw = b"\x89PNG\r\n\x1a\n"
    raw += chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
    raw += chunk(b"IDAT", zlib.compress(b"\x00" * 64))
    raw += chunk(b"IEND", b"")
    buffer = io.BytesIO(raw)
    buffer.name = "logo.png"
    return buffer


def test_a_144_megapixel_logo_is_refused_before_it_is_decoded(admin_a, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    response = admin_a.post(
        "/api/v1/settings/branding/logo/", {"file": _png_header_only(12_000, 12_000)}, format="multipart"
    )
    _error(response, 400, "file")


# --- errors are JSON everywhere under /api/ ------------------------------------------------------


def test_unknown_api_routes_answer_json_on_both_hosts(admin_a):
    _error(admin_a.get("/api/v1/no-such-thing/"), 404)
    _error(Client().get("/api/v1/no-such-thing/", HTTP_HOST="localhost"), 404)
    _error(Client().get("/api/v1/users/", HTTP_HOST="nobody.localhost"), 404)  # no such company


def test_method_media_type_and_size_errors_are_json(admin_a, settings):
    _error(admin_a.delete("/api/v1/users/"), 405)
    _error(admin_a.post("/api/v1/estates/", "name=x", content_type="text/plain"), 415)
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    _error(admin_a.post("/api/v1/estates/", {"name": "x" * 2000}, format="json"), 413)


def test_a_crash_under_api_is_a_json_500(admin_a, monkeypatch):
    from accounts import api as accounts_api

    def crash(self, request, *args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(accounts_api.MeView, "get", crash)
    admin_a.raise_request_exception = False
    body = _error(admin_a.get("/api/v1/me/"), 500)
    assert body["code"] == "server_error" and "boom" not in body["message"]


def test_a_refused_host_under_api_is_a_json_400():
    _error(Client().get("/api/v1/site/", HTTP_HOST="evil.example.com"), 400)


@pytest.mark.parametrize("host", ["alpha.localhost", "localhost"])
def test_every_operation_documents_its_error_answers(host):
    document = Client().get("/api/schema/?format=json", HTTP_HOST=host).json()
    error = document["components"]["schemas"]["ErrorResponse"]
    assert set(error["required"]) == {"code", "message", "fields"}
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            responses = operation["responses"]
            where = f"{method.upper()} {path}"
            assert responses["400"]["content"]["application/json"]["schema"] == {
                "$ref": "#/components/schemas/ErrorResponse"
            }, where
            if operation.get("security"):
                assert {"401", "403"} <= set(responses), where
            if "{" in path:
                assert "404" in responses, where
            if "requestBody" in operation:
                assert {"413", "415"} <= set(responses), where
    if host == "alpha.localhost":
        assert "409" in document["paths"]["/api/v1/house-bindings/{id}/approve/"]["post"]["responses"]
        assert "402" in document["paths"]["/api/v1/users/"]["get"]["responses"]
        assert "402" not in document["paths"]["/api/v1/me/"]["get"]["responses"]
    else:
        assert "429" in document["paths"]["/api/v1/signups/"]["post"]["responses"]


# --- found by the fuzz run (tests/fuzz) ---------------------------------------------------------


def test_asking_for_the_duty_a_member_already_has_changes_and_records_nothing(client_for, company_a):
    from accounts.models import AuditEvent
    from tenants.staff import services as staff_services

    with tenant_context(company_a):
        admin = User.objects.get(username="admin")
        profile = staff_services.create_profile(user=User.objects.get(username="guard"), employee_no="G1", actor=admin)
        assert profile.on_duty is False
    client, guard = client_for(company_a, "admin"), client_for(company_a, "guard")  # (signing in is audited)
    with tenant_context(company_a):
        audited = AuditEvent.objects.count()
    again = client.post(f"/api/v1/staff-profiles/{profile.pk}/duty/", {"on_duty": False}, format="json")
    assert again.status_code == 200, again.content  # was a 500: an action that audited nothing
    own = guard.post("/api/v1/attendance/duty/", {"on_duty": False}, format="json")
    assert own.status_code == 200, own.content
    with tenant_context(company_a):
        assert AuditEvent.objects.count() == audited


def test_names_fold_wide_letters_and_digits_but_keep_chinese_punctuation():
    """'１栋' and '1栋' are one building; a registered name's '（杭州）' prints as typed (invoices)."""
    from core.text import clean_name

    assert clean_name("１栋") == clean_name("1栋") == "1栋"
    assert clean_name("ＡＢＣ物业") == "ABC物业"
    assert clean_name("阿尔法物业（杭州）有限公司") == "阿尔法物业（杭州）有限公司"
    assert clean_name("张\u200b三\u3000 ") == "张三"
    assert clean_name("\u200b\u200d") == ""
