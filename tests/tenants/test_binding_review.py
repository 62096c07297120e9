"""Issue 16: the approver of a binding sees the house's residents on record, whether the claimant's
phone and name match the company's record of THAT house, and a conflict when the house already has
an owner who is not the claimant; an owner on record (phone + name) is verified without a staff step."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import tenant_context

from accounts import services as account_services
from accounts.models import AuditEvent
from tenants.estates import services as estate_services
from tenants.estates.models import House
from tenants.residents.models import HouseBinding, Occupancy, Person

pytestmark = pytest.mark.django_db

OWNER_PHONE = "13812345678"


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
def staff(client_for, company_a):
    return client_for(company_a, "service")  # basic_data.manage, no pii.reveal


def _resident(admin, house, *, name="张伟", phone=OWNER_PHONE, relation="owner"):
    person = admin.post("/api/v1/residents/", {"name": name, "phone": phone}, format="json")
    assert person.status_code == 201, person.content
    placed = admin.post(
        "/api/v1/occupancies/", {"house": house, "person": person.json()["id"], "relation": relation}, format="json"
    )
    assert placed.status_code == 201, placed.content
    return person.json()["id"]


def _owner(client_for, company, phone):
    with tenant_context(company):
        user = account_services.create_user(username=f"wx-{phone}", roles=["resident"], phone=phone)
        raw, _token = account_services.issue_token(user=user, kind="sms")
    client = client_for(company)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client, user


def _claim(client, house, name, relation="owner"):
    response = client.post(
        "/api/v1/owner/bindings/", {"house_id": house, "name": name, "relation": relation}, format="json"
    )
    assert response.status_code == 201, response.content
    return response.json()


def _review(staff, binding_id):
    response = staff.get(f"/api/v1/house-bindings/{binding_id}/")
    assert response.status_code == 200, response.content
    return response.json()


def test_an_owner_on_record_with_phone_and_name_is_verified_at_once_and_audited(client_for, company_a, houses):
    admin = client_for(company_a, "admin")
    zhang = _resident(admin, houses[0])
    owner, user = _owner(client_for, company_a, OWNER_PHONE)
    bound = _claim(owner, houses[0], " 张 伟", relation="family")  # spaces as typed; the record says owner
    assert bound["status"] == "approved"
    assert [(h["house"], h["relation"]) for h in owner.get("/api/v1/owner/houses/").json()] == [(houses[0], "owner")]
    with tenant_context(company_a):
        assert Person.objects.get(pk=zhang).user_id == user.pk
        assert Occupancy.objects.filter(house_id=houses[0], moved_out__isnull=True).count() == 1
        audit = AuditEvent.objects.get(action="binding.auto_verify", object_id=str(bound["id"]))
        assert audit.actor_id == user.pk
        assert audit.after["matched"] == ["phone", "name"] and audit.after["resident"] == zhang
        assert AuditEvent.objects.filter(action="binding.approved", object_id=str(bound["id"])).exists()


@pytest.mark.parametrize(
    ("record", "claim_name"),
    [
        ({"relation": "owner"}, "李四"),  # the phone is on record, the name is not: a recycled number
        ({"relation": "renter"}, "张伟"),  # phone and name match a renter's record, not an owner's
        ({"relation": "owner", "phone": "13900000000"}, "张伟"),  # the name alone
    ],
)
def test_a_partial_match_waits_for_staff(client_for, company_a, houses, record, claim_name):
    admin = client_for(company_a, "admin")
    _resident(admin, houses[0], **record)
    owner, _user = _owner(client_for, company_a, OWNER_PHONE)
    assert _claim(owner, houses[0], claim_name)["status"] == "pending"
    with tenant_context(company_a):
        assert not AuditEvent.objects.filter(action="binding.auto_verify").exists()


def test_a_record_already_bound_to_another_account_does_not_verify(client_for, company_a, houses):
    admin = client_for(company_a, "admin")
    zhang = _resident(admin, houses[0])
    with tenant_context(company_a):
        other = account_services.create_user(username="wx-other", roles=["resident"], phone="13700000000")
        Person.objects.filter(pk=zhang).update(user=other)
    owner, _user = _owner(client_for, company_a, OWNER_PHONE)
    assert _claim(owner, houses[0], "张伟")["status"] == "pending"


def test_the_house_code_path_still_verifies_and_now_says_what_matched(client_for, company_a, houses):
    admin = client_for(company_a, "admin")
    _resident(admin, houses[0], relation="family")
    with tenant_context(company_a):
        code = House.objects.get(pk=houses[0]).binding_code
    owner, _user = _owner(client_for, company_a, OWNER_PHONE)
    bound = owner.post("/api/v1/owner/bindings/", {"house_code": code, "name": "小张"}, format="json").json()
    assert bound["status"] == "approved" and bound["relation"] == "family"
    with tenant_context(company_a):
        assert AuditEvent.objects.get(action="binding.auto_verify").after["matched"] == ["phone", "house_code"]


def test_the_house_code_path_needs_no_name_from_a_registered_resident(client_for, company_a, houses):
    """The owner app's code form sends the code alone: the resident on record is bound under the
    record's name (the walk of tests/e2e/test_first_hour.py met a 400 "请填写姓名" here); a phone not
    on record still has to say who is asking, for the staff who review it."""
    admin = client_for(company_a, "admin")
    _resident(admin, houses[0])
    with tenant_context(company_a):
        code = House.objects.get(pk=houses[0]).binding_code
    owner, _user = _owner(client_for, company_a, OWNER_PHONE)
    bound = owner.post("/api/v1/owner/bindings/", {"house_code": code}, format="json")
    assert bound.status_code == 201, bound.content
    assert (bound.json()["status"], bound.json()["name"], bound.json()["relation"]) == ("approved", "张伟", "owner")

    stranger, _s = _owner(client_for, company_a, "13700001111")
    refused = stranger.post("/api/v1/owner/bindings/", {"house_code": code}, format="json")
    assert refused.status_code == 400 and "name" in refused.json()["fields"]
    with tenant_context(company_a):
        assert not HouseBinding.objects.filter(user=_s).exists()


def test_review_shows_residents_matches_and_conflict(client_for, company_a, houses, staff):
    admin = client_for(company_a, "admin")
    zhang = _resident(admin, houses[0])  # owner 张伟, 13812345678
    li = _resident(admin, houses[0], name="李娜", phone="13911112222", relation="renter")

    # A stranger claims the house as its owner.
    stranger, _s = _owner(client_for, company_a, "13700001111")
    stranger_claim = _claim(stranger, houses[0], "王五")
    review = _review(staff, stranger_claim["id"])
    assert review["conflict"] is True
    assert review["record_match"] == {"phone": False, "name": False, "resident_id": None}
    assert [(o["name"], o["relation"], o["phone"]) for o in review["house_owners"]] == [
        ("张伟", "owner", "138****5678"),
        ("李娜", "renter", "139****2222"),
    ]
    assert review["house_owners"][0]["resident_id"] == zhang

    # The renter on record, from her own phone, claiming with a slip in her name: phone yes, name no.
    renter, _r = _owner(client_for, company_a, "13911112222")
    renter_claim = _claim(renter, houses[0], "李那", relation="renter")
    review = _review(staff, renter_claim["id"])
    assert review["record_match"] == {"phone": True, "name": False, "resident_id": li}
    assert review["conflict"] is True  # she is not the house's owner

    # Someone with the owner's name but another phone: the name matches a record, the phone does not.
    namesake, _n = _owner(client_for, company_a, "13600000000")
    namesake_claim = _claim(namesake, houses[0], "张伟")
    review = _review(staff, namesake_claim["id"])
    assert review["record_match"] == {"phone": False, "name": True, "resident_id": zhang}
    assert review["conflict"] is True

    # A house nobody is on record for: nothing to match, no conflict.
    newcomer, _c = _owner(client_for, company_a, "13500000000")
    review = _review(staff, _claim(newcomer, houses[1], "赵六")["id"])
    assert review["house_owners"] == [] and review["conflict"] is False
    assert review["record_match"] == {"phone": False, "name": False, "resident_id": None}

    listed = {b["id"]: b for b in staff.get("/api/v1/house-bindings/?status=pending").json()["results"]}
    assert listed[stranger_claim["id"]]["conflict"] is True
    assert listed[renter_claim["id"]]["record_match"]["phone"] is True


def test_the_owners_own_claim_is_no_conflict(client_for, company_a, houses, staff):
    admin = client_for(company_a, "admin")
    zhang = _resident(admin, houses[0])
    owner, _user = _owner(client_for, company_a, OWNER_PHONE)
    # The owner's phone, but a nickname: waits for staff, who see that the phone is the owner's.
    claim = _claim(owner, houses[0], "小张")
    review = _review(staff, claim["id"])
    assert claim["status"] == "pending"
    assert review["conflict"] is False
    assert review["record_match"] == {"phone": True, "name": False, "resident_id": zhang}
    decided = staff.post(f"/api/v1/house-bindings/{claim['id']}/approve/").json()
    assert decided["record_match"] is None and decided["conflict"] is False  # only pending ones are weighed


def test_no_whole_phone_reaches_a_reviewer(client_for, company_a, houses, staff):
    admin = client_for(company_a, "admin")
    _resident(admin, houses[0])
    stranger, _s = _owner(client_for, company_a, "13700001111")
    claim = _claim(stranger, houses[0], "王五")
    for client in (staff, client_for(company_a, "cashier"), admin):  # without pii.reveal, and even with it
        body = (
            client.get("/api/v1/house-bindings/").content.decode()
            + client.get(f"/api/v1/house-bindings/{claim['id']}/").content.decode()
        )
        assert OWNER_PHONE not in body and "13700001111" not in body
        assert "138****5678" in body


def test_review_roles_and_companies(client_for, company_a, company_b, houses):
    admin = client_for(company_a, "admin")
    _resident(admin, houses[0])
    stranger, _s = _owner(client_for, company_a, "13700001111")
    claim = _claim(stranger, houses[0], "王五")
    assert client_for(company_a, "guard").get(f"/api/v1/house-bindings/{claim['id']}/").status_code == 403
    assert stranger.get(f"/api/v1/house-bindings/{claim['id']}/").status_code == 403
    staff_b = client_for(company_b, "admin")
    assert staff_b.get(f"/api/v1/house-bindings/{claim['id']}/").status_code == 404
    assert staff_b.get("/api/v1/house-bindings/").json()["results"] == []


def test_the_review_list_runs_a_fixed_number_of_queries(client_for, company_a, houses, staff):
    admin = client_for(company_a, "admin")
    for i, house in enumerate(houses):
        _resident(admin, house, name=f"业主{i}", phone=f"1381234{i:04d}")
    counts = []
    for round_, claimants in enumerate((1, 6)):
        for i in range(claimants):
            client, _u = _owner(client_for, company_a, f"1370{round_}{i:06d}")
            _claim(client, houses[i], f"申请人{round_}{i}")
        with tenant_context(company_a):
            total = HouseBinding.objects.count()
        with CaptureQueriesContext(connection) as queries:
            listed = staff.get("/api/v1/house-bindings/?page_size=50")
        assert listed.status_code == 200 and listed.json()["count"] == total
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
