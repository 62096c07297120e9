"""Residents: encrypted PII with blind-index search, masking and audited reveal; relations to houses
with shares, primary payer and history; binding approval; owners' own data and corrections."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import tenant_context

from accounts import services as account_services
from accounts.models import AuditEvent, User
from core.identity import check_character
from tenants.estates import services as estate_services
from tenants.estates.models import House
from tenants.residents.models import Occupancy, Person

pytestmark = pytest.mark.django_db


def id_number(body17: str = "11010519491231002") -> str:
    return body17 + check_character(body17)


ID_A = id_number("11010519491231002")
ID_B = id_number("33010619880512123")


@pytest.fixture
def houses(company_a):
    with tenant_context(company_a):
        estate = estate_services.create_estate(name="翠湖苑")
        building = estate_services.create_building(estate=estate, name="1栋", floors=3, units=["1单元"])
        estate_services.generate_houses(
            building=building, per_floor=2, building_area=Decimal("89.5"), usable_area=Decimal("72.3")
        )
        return list(House.objects.order_by("floor", "number").values_list("pk", flat=True))


@pytest.fixture
def admin_a(client_for, company_a):
    return client_for(company_a, "admin")


def _person(client, **fields):
    body = {"name": "张伟", "phone": "13812345678", "id_number": ID_A, "gender": "male", **fields}
    response = client.post("/api/v1/residents/", body, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def test_pii_is_encrypted_masked_and_found_by_exact_phone(admin_a, company_a, houses):
    created = _person(admin_a)
    assert created["phone_masked"] == "138****5678"
    assert created["id_number_masked"] == ID_A[:6] + "********" + ID_A[-4:]
    assert "phone" not in created and "id_number" not in created
    with connection.cursor() as cursor:
        cursor.execute(
            f'SELECT phone, id_number FROM "{company_a.schema_name}".residents_person WHERE id = %s', [created["id"]]
        )
        raw_phone, raw_id = cursor.fetchone()
    assert "13812345678" not in raw_phone and ID_A not in raw_id
    _person(admin_a, name="李娜", phone="139 0000 1111", id_number="")
    found = admin_a.get("/api/v1/residents/?phone=13812345678").json()
    assert [p["name"] for p in found["results"]] == ["张伟"]
    assert admin_a.get("/api/v1/residents/?phone=%2B8613900001111").json()["results"][0]["name"] == "李娜"
    assert admin_a.get("/api/v1/residents/?phone=1381234567").json()["count"] == 0  # exact only
    assert admin_a.get("/api/v1/residents/?search=李").json()["count"] == 1
    exported = admin_a.get("/api/v1/residents/?format=xlsx")
    assert exported.status_code == 200 and b"13812345678" not in exported.content


def test_reveal_needs_the_permission_and_is_audited(client_for, admin_a, company_a, houses):
    person = _person(admin_a)
    revealed = admin_a.post(f"/api/v1/residents/{person['id']}/reveal/", {"field": "id_number"}, format="json")
    assert revealed.status_code == 200 and revealed.json() == {"value": ID_A}
    assert revealed["Cache-Control"] == "no-store"
    with tenant_context(company_a):
        event = AuditEvent.objects.filter(action="pii.reveal").get()
        assert event.object_id == str(person["id"]) and event.after == {"field": "id_number"}
    # Staff who may see residents may not see whole numbers; guards may not see residents at all.
    for username in ("service", "cashier", "guard"):
        client = client_for(company_a, username)
        response = client.post(f"/api/v1/residents/{person['id']}/reveal/", {"field": "id_number"}, format="json")
        assert response.status_code == 403, username
    guard = client_for(company_a, "guard")
    assert guard.get("/api/v1/residents/").status_code == 403
    assert guard.get(f"/api/v1/residents/{person['id']}/").status_code == 403
    bad_field = admin_a.post(f"/api/v1/residents/{person['id']}/reveal/", {"field": "name"}, format="json")
    assert bad_field.status_code == 400


CONTACT = "王芳 13900001111"


def test_emergency_contact_is_encrypted_masked_revealed_only_by_audited_reveal(client_for, admin_a, company_a):
    person = _person(admin_a, emergency_contact=CONTACT)
    assert person["emergency_contact_masked"] == "王* 139****1111" and "emergency_contact" not in person
    with connection.cursor() as cursor:
        cursor.execute(
            f'SELECT emergency_contact FROM "{company_a.schema_name}".residents_person WHERE id = %s', [person["id"]]
        )
        assert "13900001111" not in cursor.fetchone()[0]
    edited = admin_a.patch(
        f"/api/v1/residents/{person['id']}/", {"emergency_contact": "李娜 13700002222"}, format="json"
    ).json()
    assert edited["emergency_contact_masked"] == "李* 137****2222"
    for username in ("service", "cashier"):
        client = client_for(company_a, username)
        listed = client.get("/api/v1/residents/").content.decode()
        assert "13700002222" not in listed and "李娜" not in listed, username
        assert "13700002222" not in client.get(f"/api/v1/residents/{person['id']}/").content.decode()
        refused = client.post(f"/api/v1/residents/{person['id']}/reveal/", {"field": "emergency_contact"})
        assert refused.status_code == 403, username
    exported = admin_a.get("/api/v1/residents/?format=xlsx")
    assert exported.status_code == 200 and b"13700002222" not in exported.content
    revealed = admin_a.post(f"/api/v1/residents/{person['id']}/reveal/", {"field": "emergency_contact"}, format="json")
    assert revealed.json() == {"value": "李娜 13700002222"}
    with tenant_context(company_a):
        trail = list(AuditEvent.objects.filter(object_type="person", object_id=str(person["id"])))
        assert [e.after for e in trail if e.action == "pii.reveal"] == [{"field": "emergency_contact"}]
        assert "13900001111" not in str([(e.before, e.after) for e in trail])
        assert "13700002222" not in str([(e.before, e.after) for e in trail])
        update = next(e for e in trail if e.action == "person.update")
        assert (update.before["emergency_contact"], update.after["emergency_contact"]) == (
            "王* 139****1111",
            "李* 137****2222",
        )


def test_the_owner_sees_and_edits_their_own_emergency_contact_whole(client_for, admin_a, company_a, houses):
    owner, _user = _owner_client(client_for, company_a)
    binding = owner.post("/api/v1/owner/bindings/", {"house_id": houses[0], "name": "张伟"}, format="json").json()
    admin_a.post(f"/api/v1/house-bindings/{binding['id']}/approve/")
    assert owner.patch("/api/v1/owner/profile/", {"emergency_contact": CONTACT}, format="json").status_code == 200
    assert owner.get("/api/v1/owner/profile/").json()["emergency_contact"] == CONTACT
    with tenant_context(company_a):
        person = Person.objects.get(user=_user)
        assert person.emergency_contact_masked == "王* 139****1111"
        event = AuditEvent.objects.filter(action="person.update", object_id=str(person.pk)).latest("id")
        assert "13900001111" not in str(event.after)


def test_existing_emergency_contacts_are_encrypted_in_place_by_the_migration(company_a, company_b):
    import importlib

    migration = importlib.import_module("tenants.residents.migrations.0004_emergency_contact_encrypted")
    ids = {}
    for company in (company_a, company_b):
        with tenant_context(company), connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO residents_person (name, gender, phone, phone_index, id_number, id_number_index,"
                " phone_masked, id_number_masked, emergency_contact, emergency_contact_masked, note,"
                " created_at, updated_at) VALUES ('旧', '', '', '', '', '', '', '', %s, '', '', now(), now())"
                " RETURNING id",
                [CONTACT],
            )
            ids[company.pk] = cursor.fetchone()[0]

    class Editor:
        pass

    for company in (company_a, company_b):  # what migrate_schemas does: the same step in each schema
        with tenant_context(company):
            editor = Editor()
            editor.connection = connection
            migration._encrypt_in_place(None, editor)
            migration._encrypt_in_place(None, editor)  # a second pass leaves ciphertext alone
            person = Person.objects.get(pk=ids[company.pk])
            assert (person.emergency_contact, person.emergency_contact_masked) == (CONTACT, "王* 139****1111")
            with connection.cursor() as cursor:
                cursor.execute("SELECT emergency_contact FROM residents_person WHERE id = %s", [person.pk])
                assert CONTACT not in cursor.fetchone()[0]


@pytest.fixture
def tight_lookup_limits(settings):
    settings.PII_LOOKUP_LIMITS = ["3/h"]
    settings.PII_LOOKUP_LIMITS_REVEAL = ["5/h"]


def _registered(company, **fields):
    from tenants.residents import services

    with tenant_context(company):
        return services.create_person(actor=None, **{"name": "张伟", "phone": "13812345678", **fields})


def test_phone_search_is_limited_per_user_and_company_and_audited(
    client_for, company_a, company_b, tight_lookup_limits
):
    person = _registered(company_a)
    cashier = client_for(company_a, "cashier")
    assert cashier.get("/api/v1/residents/?phone=13812345678").json()["count"] == 1
    assert cashier.get("/api/v1/residents/?phone=13812345679").json()["count"] == 0
    assert cashier.get(f"/api/v1/residents/{person.pk}/?phone=13812345670").status_code == 404  # a guess too
    refused = cashier.get("/api/v1/residents/?phone=13812345671")
    assert refused.status_code == 429 and refused.json()["code"] == "throttled"
    assert 0 < int(refused["Retry-After"]) <= 3600 and refused.json()["retry_after"] == int(refused["Retry-After"])
    assert cashier.get("/api/v1/residents/?phone=13812345672").status_code == 429
    assert cashier.get("/api/v1/residents/").status_code == 200  # browsing without ?phone= is not a guess
    with tenant_context(company_a):
        searches = list(AuditEvent.objects.filter(action="pii.search", actor__username="cashier").order_by("id"))
        assert [e.after for e in searches] == [
            {"phone": "138****5678", "hits": 1},
            {"phone": "138****5679", "hits": 0},
            {"phone": "138****5670", "hits": 0},
        ]
        assert AuditEvent.objects.filter(action="pii.lookup_limited", actor__username="cashier").count() == 1
        assert "1381234567" not in str(list(AuditEvent.objects.values_list("before", "after")))
    # The budget is the caller's, in this company; a holder of pii.reveal has a larger one.
    assert client_for(company_a, "service").get("/api/v1/residents/?phone=13812345678").status_code == 200
    assert client_for(company_b, "cashier").get("/api/v1/residents/?phone=13812345678").status_code == 200
    admin = client_for(company_a, "admin")
    assert [admin.get("/api/v1/residents/?phone=13812345678").status_code for _ in range(6)] == [200] * 5 + [429]


def test_an_id_number_clash_confirms_nothing_to_roles_without_reveal(client_for, company_a, tight_lookup_limits):
    _registered(company_a, id_number=ID_A)
    other = _registered(company_a, name="李娜", phone="13900001111")
    service = client_for(company_a, "service")  # may register residents, may not reveal numbers
    created = service.post("/api/v1/residents/", {"name": "王五", "id_number": ID_A}, format="json")
    assert created.status_code == 400
    message = created.json()["fields"]["id_number"][0]
    assert "住户" not in message and "已" not in message  # no "a resident already uses it"
    updated = service.patch(f"/api/v1/residents/{other.pk}/", {"id_number": ID_A}, format="json")
    assert updated.status_code == 400 and updated.json()["fields"]["id_number"] == [message]
    with tenant_context(company_a):
        clashes = AuditEvent.objects.filter(action="pii.id_number_conflict", actor__username="service")
        assert [(e.object_id, e.after) for e in clashes.order_by("id")] == [
            ("", {"id_number": ID_A[:6] + "********" + ID_A[-4:]}),
            (str(other.pk), {"id_number": ID_A[:6] + "********" + ID_A[-4:]}),
        ]
        assert Person.objects.count() == 2
    # Every ID number checked counts, found or not: a fresh one goes through, then the budget is spent.
    assert service.post("/api/v1/residents/", {"name": "赵六", "id_number": ID_B}, format="json").status_code == 201
    third = id_number("44030519900101123")
    refused = service.post("/api/v1/residents/", {"name": "孙七", "id_number": third}, format="json")
    assert refused.status_code == 429
    with tenant_context(company_a):
        assert not Person.objects.filter(name="孙七").exists()
    # A role that may reveal numbers is told plainly.
    admin = client_for(company_a, "admin")
    plain = admin.post("/api/v1/residents/", {"name": "王五", "id_number": ID_A}, format="json")
    assert plain.json()["fields"]["id_number"] == ["已有住户使用该身份证号。"]


@pytest.mark.parametrize(
    ("fields", "bad"),
    [
        ({"phone": "12345"}, "phone"),
        ({"phone": "23812345678"}, "phone"),
        ({"id_number": ID_A[:-1] + ("0" if ID_A[-1] != "0" else "1")}, "id_number"),
        ({"id_number": "11010519491331002X"}, "id_number"),
        ({"name": ""}, "name"),
        ({"gender": "other"}, "gender"),
    ],
)
def test_bad_people_are_refused_and_nothing_is_written(admin_a, company_a, fields, bad):
    response = admin_a.post(
        "/api/v1/residents/", {"name": "王芳", "phone": "13812345678", "id_number": ID_B, **fields}, format="json"
    )
    assert response.status_code == 400, response.content
    assert bad in response.json()["fields"]
    with tenant_context(company_a):
        assert Person.objects.count() == 0


def test_one_person_per_id_number(admin_a):
    _person(admin_a)
    again = admin_a.post("/api/v1/residents/", {"name": "张伟2", "id_number": ID_A.lower()}, format="json")
    assert again.status_code == 400 and "id_number" in again.json()["fields"]


def test_relations_shares_primary_payer_and_history(admin_a, company_a, houses):
    zhang = _person(admin_a)
    li = _person(admin_a, name="李娜", phone="13900001111", id_number=ID_B)
    kid = _person(admin_a, name="张小宝", phone="", id_number="")
    house = houses[0]

    def add(person, relation, **more):
        return admin_a.post(
            "/api/v1/occupancies/",
            {"house": house, "person": person["id"], "relation": relation, "moved_in": "2024-03-01", **more},
            format="json",
        )

    first = add(zhang, "owner", share="60", is_primary_payer=True)
    assert first.status_code == 201, first.content
    too_much = add(li, "owner", share="50")
    assert too_much.status_code == 400 and "share" in too_much.json()["fields"]
    second = add(li, "owner", share="40", is_primary_payer=True)
    assert second.status_code == 201
    assert add(kid, "family", share="10").status_code == 400  # only owners hold shares
    assert add(kid, "family").status_code == 201
    assert add(kid, "family").status_code == 400  # already there

    listed = admin_a.get(f"/api/v1/occupancies/?house={house}").json()["results"]
    payers = [o["person_name"] for o in listed if o["is_primary_payer"]]
    assert payers == ["李娜"]  # setting a new primary payer cleared the old one

    moved = admin_a.post(
        f"/api/v1/occupancies/{second.json()['id']}/move-out/", {"moved_out": "2026-01-31"}, format="json"
    )
    assert moved.status_code == 200 and moved.json()["moved_out"] == "2026-01-31"
    assert moved.json()["is_primary_payer"] is False
    assert admin_a.post(f"/api/v1/occupancies/{second.json()['id']}/move-out/", {}, format="json").status_code == 409
    early = admin_a.post(
        f"/api/v1/occupancies/{first.json()['id']}/move-out/", {"moved_out": "2020-01-01"}, format="json"
    )
    assert early.status_code == 400

    history = admin_a.get(f"/api/v1/occupancies/?house={house}").json()["results"]
    assert [o["person_name"] for o in history][-1] == "李娜"  # history kept, after the current ones
    assert admin_a.get(f"/api/v1/occupancies/?house={house}&current=true").json()["count"] == 2
    # Her share is free again once she moved out.
    assert (
        admin_a.patch(f"/api/v1/occupancies/{first.json()['id']}/", {"share": "100"}, format="json").status_code == 200
    )
    page = admin_a.get(f"/api/v1/houses/{house}/").json()
    assert page["resident_count"] == 2
    assert [(r["person_name"], r["moved_out"]) for r in page["residents"]] == [
        ("张伟", None),
        ("张小宝", None),
        ("李娜", "2026-01-31"),
    ]
    assert [h["label"] for h in admin_a.get(f"/api/v1/residents/{zhang['id']}/").json()["houses"]] == ["1栋1单元101"]
    with tenant_context(company_a):
        assert Occupancy.objects.filter(house_id=house).count() == 3


def test_staff_query_by_house_building_and_relation(admin_a, company_a, houses):
    zhang = _person(admin_a)
    li = _person(admin_a, name="李娜", phone="13900001111", id_number=ID_B)
    admin_a.post(
        "/api/v1/occupancies/", {"house": houses[0], "person": zhang["id"], "relation": "owner"}, format="json"
    )
    admin_a.post("/api/v1/occupancies/", {"house": houses[1], "person": li["id"], "relation": "renter"}, format="json")
    with tenant_context(company_a):
        building = House.objects.get(pk=houses[0]).building_id
    assert admin_a.get(f"/api/v1/residents/?house={houses[1]}").json()["results"][0]["name"] == "李娜"
    assert admin_a.get(f"/api/v1/residents/?building={building}").json()["count"] == 2
    assert [p["name"] for p in admin_a.get("/api/v1/residents/?relation=owner").json()["results"]] == ["张伟"]


def _owner_client(client_for, company, phone="13812345678"):
    with tenant_context(company):
        user = account_services.create_user(username=f"wx-{phone}", roles=["resident"], phone=phone)
        raw, _token = account_services.issue_token(user=user, kind="sms")
    client = client_for(company)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client, user


def test_approving_a_binding_links_the_registered_person_and_adds_the_relation(client_for, admin_a, company_a, houses):
    registered = _person(admin_a)  # staff imported 张伟 with this phone earlier
    owner, user = _owner_client(client_for, company_a)
    assert owner.get("/api/v1/owner/profile/").status_code == 404
    assert owner.get("/api/v1/owner/houses/").json() == []
    binding = owner.post("/api/v1/owner/bindings/", {"house_id": houses[2], "name": "张伟"}, format="json").json()
    assert admin_a.post(f"/api/v1/house-bindings/{binding['id']}/approve/").status_code == 200
    mine = owner.get("/api/v1/owner/houses/").json()
    assert [(h["label"], h["relation"], h["is_primary_payer"]) for h in mine] == [("1栋1单元201", "owner", True)]
    with tenant_context(company_a):
        assert Person.objects.get(user=user).pk == registered["id"]
        assert Person.objects.count() == 1


def test_owner_with_no_record_gets_a_new_one_and_sees_only_their_own(client_for, admin_a, company_a, houses):
    owner, _user = _owner_client(client_for, company_a, phone="13700000001")
    other, _ = _owner_client(client_for, company_a, phone="13700000002")
    for client, house in ((owner, houses[0]), (other, houses[1])):
        binding = client.post("/api/v1/owner/bindings/", {"house_id": house, "name": "业主"}, format="json").json()
        admin_a.post(f"/api/v1/house-bindings/{binding['id']}/approve/")
    assert [h["house"] for h in owner.get("/api/v1/owner/houses/").json()] == [houses[0]]
    assert [h["house"] for h in other.get("/api/v1/owner/houses/").json()] == [houses[1]]
    profile = owner.get("/api/v1/owner/profile/").json()
    assert profile["phone_masked"] == "137****0001" and profile["pending_correction"] is None
    # Owner-app tokens never reach staff endpoints.
    assert owner.get("/api/v1/residents/").status_code == 403
    assert owner.get(f"/api/v1/occupancies/?house={houses[1]}").status_code == 403


def test_owner_corrects_contact_at_once_and_identity_through_staff(client_for, admin_a, company_a, houses):
    owner, _user = _owner_client(client_for, company_a)
    binding = owner.post("/api/v1/owner/bindings/", {"house_id": houses[0], "name": "张伟"}, format="json").json()
    admin_a.post(f"/api/v1/house-bindings/{binding['id']}/approve/")

    contact = owner.patch(
        "/api/v1/owner/profile/", {"phone": "13911112222", "emergency_contact": "李娜 13900001111"}, format="json"
    )
    assert contact.status_code == 200 and contact.json()["phone_masked"] == "139****2222"
    bad = owner.patch("/api/v1/owner/profile/", {"phone": "110"}, format="json")
    assert bad.status_code == 400 and "phone" in bad.json()["fields"]
    sneaky = owner.patch("/api/v1/owner/profile/", {"name": "王五"}, format="json")
    assert owner.get("/api/v1/owner/profile/").json()["name"] == "张伟"
    assert sneaky.status_code in (200, 400)

    bad_id = owner.post("/api/v1/owner/profile/corrections/", {"id_number": "123"}, format="json")
    assert bad_id.status_code == 400 and "id_number" in bad_id.json()["fields"]
    asked = owner.post("/api/v1/owner/profile/corrections/", {"name": "张维", "id_number": ID_A}, format="json")
    assert asked.status_code == 201, asked.content
    assert owner.post("/api/v1/owner/profile/corrections/", {"name": "张三"}, format="json").status_code == 409
    assert owner.get("/api/v1/owner/profile/").json()["pending_correction"]["name"] == "张维"
    assert owner.get("/api/v1/owner/profile/").json()["name"] == "张伟"  # not yet

    pending = admin_a.get("/api/v1/resident-corrections/?status=pending").json()["results"]
    assert [c["name"] for c in pending] == ["张维"] and ID_A not in str(pending)
    assert admin_a.post(f"/api/v1/resident-corrections/{pending[0]['id']}/approve/").status_code == 200
    profile = owner.get("/api/v1/owner/profile/").json()
    assert profile["name"] == "张维" and profile["id_number_masked"].endswith(ID_A[-4:])
    assert profile["last_correction"]["status"] == "approved"

    again = owner.post("/api/v1/owner/profile/corrections/", {"name": "张三"}, format="json").json()
    rejected = admin_a.post(
        f"/api/v1/resident-corrections/{again['id']}/reject/", {"reason": "与房产证不符"}, format="json"
    )
    assert rejected.status_code == 200
    last = owner.get("/api/v1/owner/profile/").json()["last_correction"]
    assert (last["status"], last["reason"]) == ("rejected", "与房产证不符")


def test_other_company_cannot_reach_residents(client_for, admin_a, company_a, company_b, houses):
    person = _person(admin_a)
    occupancy = admin_a.post(
        "/api/v1/occupancies/", {"house": houses[0], "person": person["id"], "relation": "owner"}, format="json"
    ).json()
    admin_b = client_for(company_b, "admin")
    assert admin_b.get("/api/v1/residents/?phone=13812345678").json()["count"] == 0
    assert admin_b.get(f"/api/v1/residents/{person['id']}/").status_code == 404
    assert admin_b.patch(f"/api/v1/residents/{person['id']}/", {"name": "x"}, format="json").status_code == 404
    assert (
        admin_b.post(f"/api/v1/residents/{person['id']}/reveal/", {"field": "phone"}, format="json").status_code == 404
    )
    assert admin_b.get(f"/api/v1/occupancies/{occupancy['id']}/").status_code == 404
    assert admin_b.post(f"/api/v1/occupancies/{occupancy['id']}/move-out/", {}, format="json").status_code == 404
    # B's houses/people ids do not resolve to A's rows when B writes.
    b_person = admin_b.post("/api/v1/residents/", {"name": "贝塔业主"}, format="json").json()
    cross = admin_b.post(
        "/api/v1/occupancies/", {"house": houses[0], "person": b_person["id"], "relation": "owner"}, format="json"
    )
    assert cross.status_code == 400 and "house" in cross.json()["fields"]
    # The same phone in B has a different blind index (per-company keys).
    admin_b.post("/api/v1/residents/", {"name": "同号", "phone": "13812345678"}, format="json")
    with tenant_context(company_a):
        index_a = Person.objects.get(pk=person["id"]).phone_index
    with tenant_context(company_b):
        assert Person.objects.get(name="同号").phone_index != index_a
    owner_b, _ = _owner_client(client_for, company_b, phone="13600000000")
    assert owner_b.get("/api/v1/owner/houses/").json() == []
    # An owner's correction request in A is neither listed nor decidable from B.
    with tenant_context(company_a):
        from tenants.residents import services as resident_services

        correction = resident_services.request_correction(
            person=Person.objects.get(pk=person["id"]), actor=None, name="张维"
        )
    assert admin_b.get("/api/v1/resident-corrections/").json()["count"] == 0
    assert admin_b.post(f"/api/v1/resident-corrections/{correction.pk}/approve/").status_code == 404
    assert (
        admin_b.post(
            f"/api/v1/resident-corrections/{correction.pk}/reject/", {"reason": "x"}, format="json"
        ).status_code
        == 404
    )
    with tenant_context(company_a):
        correction.refresh_from_db()
        assert correction.status == "pending"


@pytest.mark.parametrize("path", ["/api/v1/residents/", "/api/v1/occupancies/", "/api/v1/resident-corrections/"])
def test_resident_lists_have_constant_queries(admin_a, company_a, houses, path):
    from tenants.residents.models import CorrectionRequest

    with tenant_context(company_a):
        for index, house in enumerate(houses):
            person = Person.objects.create(name=f"住户{index}")
            Occupancy.objects.create(house_id=house, person=person, relation="owner", moved_in="2024-01-01")
            CorrectionRequest.objects.create(person=person, name=f"新名{index}")
            User.objects.create(username=f"u{index}", roles=["resident"])
    counts = []
    for size in (1, 6):
        with CaptureQueriesContext(connection) as queries:
            assert admin_a.get(f"{path}?page_size={size}").status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


def test_a_recycled_phone_number_does_not_hand_over_someone_elses_record(client_for, admin_a, company_a, houses):
    """Carriers reassign numbers: the new holder, with another name, gets a record of their own."""
    previous = _person(admin_a)  # 张伟, 13812345678, owner of house 101
    admin_a.post(
        "/api/v1/occupancies/", {"house": houses[0], "person": previous["id"], "relation": "owner"}, format="json"
    )
    newcomer, _user = _owner_client(client_for, company_a)  # the same number, now someone else's
    binding = newcomer.post(
        "/api/v1/owner/bindings/", {"house_id": houses[3], "relation": "renter", "name": "李四"}, format="json"
    ).json()
    admin_a.post(f"/api/v1/house-bindings/{binding['id']}/approve/")
    assert [h["house"] for h in newcomer.get("/api/v1/owner/houses/").json()] == [houses[3]]
    assert newcomer.get("/api/v1/owner/profile/").json()["name"] == "李四"
    with tenant_context(company_a):
        assert Person.objects.get(pk=previous["id"]).user_id is None


def test_a_correction_cannot_probe_whose_id_number_it_is(client_for, admin_a, company_a, houses):
    _person(admin_a)  # 张伟 holds ID_A
    owner, _user = _owner_client(client_for, company_a, phone="13700000009")
    binding = owner.post("/api/v1/owner/bindings/", {"house_id": houses[1], "name": "王五"}, format="json").json()
    admin_a.post(f"/api/v1/house-bindings/{binding['id']}/approve/")
    asked = owner.post("/api/v1/owner/profile/corrections/", {"id_number": ID_A}, format="json")
    assert asked.status_code == 201  # the same answer as for any valid number
    decided = admin_a.post(f"/api/v1/resident-corrections/{asked.json()['id']}/approve/")
    assert decided.status_code == 400 and "id_number" in decided.json()["fields"]  # staff see the clash
    assert owner.get("/api/v1/owner/profile/").json()["pending_correction"] is not None  # nothing half-done


def test_relation_writes_wait_for_an_import_in_progress(admin_a, company_a, houses):
    """add_occupancy holds the company's basic-data lock shared (an import holds it exclusively)."""
    from unittest import mock

    from tenants.residents.services import occupancies

    held = []
    real_check = occupancies._check_owner_shares

    def check_and_look(**kwargs):  # runs inside add_occupancy's transaction, after the house lock
        with connection.cursor() as cursor:
            cursor.execute("SELECT mode FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()")
            held.extend(cursor.fetchall())
        return real_check(**kwargs)

    with tenant_context(company_a), mock.patch.object(occupancies, "_check_owner_shares", check_and_look):
        person = Person.objects.create(name="锁测试")
        occupancies.add_occupancy(actor=None, house=House.objects.get(pk=houses[0]), person=person, relation="owner")
    assert ("ShareLock",) in held


def test_phone_plus_house_code_binds_at_once_when_staff_registered_that_phone(client_for, admin_a, company_a, houses):
    """SCOPE: a binding is verified by staff, or by phone + house code."""
    zhang = _person(admin_a)  # 13812345678
    admin_a.post(
        "/api/v1/occupancies/", {"house": houses[0], "person": zhang["id"], "relation": "owner"}, format="json"
    )
    with tenant_context(company_a):
        code, other_code = (House.objects.get(pk=pk).binding_code for pk in (houses[0], houses[1]))
    owner, user = _owner_client(client_for, company_a)  # signed in with 13812345678
    bound = owner.post("/api/v1/owner/bindings/", {"house_code": code, "name": "小张"}, format="json")
    assert bound.status_code == 201 and bound.json()["status"] == "approved"
    assert [(h["house"], h["relation"]) for h in owner.get("/api/v1/owner/houses/").json()] == [(houses[0], "owner")]
    assert owner.get("/api/v1/owner/profile/").json()["name"] == "张伟"  # staff's record, not the typed name
    with tenant_context(company_a):
        assert Person.objects.get(pk=zhang["id"]).user_id == user.pk
        assert Occupancy.objects.filter(house_id=houses[0]).count() == 1
        assert AuditEvent.objects.filter(action="binding.approved", actor_label="system").exists()
    # A code for a house where that phone is not registered still waits for staff.
    waiting = owner.post("/api/v1/owner/bindings/", {"house_code": other_code, "name": "张伟"}, format="json")
    assert waiting.json()["status"] == "pending"


def test_picking_the_house_without_its_code_waits_for_staff_unless_the_name_is_the_owners_too(
    client_for, admin_a, company_a, houses
):
    """A phone alone is not enough (carriers hand numbers on); phone + the owner's name on record is."""
    zhang = _person(admin_a)
    admin_a.post(
        "/api/v1/occupancies/", {"house": houses[0], "person": zhang["id"], "relation": "owner"}, format="json"
    )
    owner, _user = _owner_client(client_for, company_a)
    picked = owner.post("/api/v1/owner/bindings/", {"house_id": houses[0], "name": "小张"}, format="json")
    assert picked.json()["status"] == "pending"
    admin_a.post(f"/api/v1/house-bindings/{picked.json()['id']}/reject/", {"reason": "姓名不符"}, format="json")
    again = owner.post("/api/v1/owner/bindings/", {"house_id": houses[0], "name": "张伟"}, format="json")
    assert again.json()["status"] == "approved"
