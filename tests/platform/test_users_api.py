"""Staff accounts API: create, validate, list with filters, audit, constant query count."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import tenant_context

from accounts import services as account_services
from accounts.models import AuditEvent, User

pytestmark = pytest.mark.django_db


def test_admin_creates_a_staff_account_and_it_is_audited(client_for, company_a):
    client = client_for(company_a, "admin")
    response = client.post(
        "/api/v1/users/",
        {
            "username": "guard2",
            "name": "钱保安",
            "roles": ["guard"],
            "phone": "13700001234",
            "password": "Guard-pass-2026",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["phone_masked"] == "137****1234"
    assert "phone" not in body and "password" not in body
    with tenant_context(company_a):
        user = User.objects.get(username="guard2")
        assert user.check_password("Guard-pass-2026")
        raw_phone = User.objects.filter(pk=user.pk).values_list("phone", flat=True)
        with connection.cursor() as cursor:
            cursor.execute("SELECT phone FROM accounts_user WHERE id = %s", [user.pk])
            stored = cursor.fetchone()[0]
        assert "13700001234" not in stored  # encrypted at rest
        assert list(raw_phone) == ["13700001234"]
        event = AuditEvent.objects.get(action="user.create", object_id=str(user.pk))
        assert event.actor_label == "admin"
        assert event.after["roles"] == ["guard"]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"username": "admin", "roles": ["guard"]}, "username"),
        ({"username": "new1", "roles": ["pilot"]}, "roles"),
        ({"username": "new2", "roles": []}, "roles"),
        ({"username": "new3", "roles": ["guard"], "phone": "12345"}, "phone"),
        ({"username": "new4", "roles": ["guard"], "password": "short1"}, "password"),
        ({"roles": ["guard"]}, "username"),
    ],
)
def test_bad_input_is_a_field_error_and_writes_nothing(client_for, company_a, payload, field):
    with tenant_context(company_a):
        before = User.objects.count()
    response = client_for(company_a, "admin").post("/api/v1/users/", payload, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()["fields"]
    with tenant_context(company_a):
        assert User.objects.count() == before


def test_admin_cannot_lock_themselves_out(client_for, company_a):
    client = client_for(company_a, "admin")
    me = client.get("/api/v1/me/").json()
    response = client.patch(f"/api/v1/users/{me['id']}/", {"roles": ["guard"]}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "self_lockout"


def test_list_filters_and_searches(client_for, company_a):
    client = client_for(company_a, "admin")
    guards = client.get("/api/v1/users/?role=guard").json()
    assert [u["username"] for u in guards["results"]] == ["guard"]
    found = client.get("/api/v1/users/?search=cash").json()
    assert [u["username"] for u in found["results"]] == ["cashier"]
    page = client.get("/api/v1/users/?page_size=2&ordering=-username").json()
    assert page["count"] >= 6 and len(page["results"]) == 2 and page["next"]


def test_list_query_count_does_not_grow_with_page_size(client_for, company_a):
    from companies.models import Plan, Subscription

    Subscription.objects.filter(company=company_a).update(plan=Plan.objects.get(code="pro"))  # room for 30 more
    with tenant_context(company_a):
        for i in range(30):
            account_services.create_user(username=f"bulk{i:02d}", name=f"批量{i}", roles=["repair_worker"])
    client = client_for(company_a, "admin")
    counts = []
    for size in (2, 30):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"/api/v1/users/?page_size={size}").status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
