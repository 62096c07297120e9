"""Who may call which activity endpoint: roles on the staff side, owners only on theirs, and nothing
of company A reachable from company B."""

from __future__ import annotations

import pytest

from tests.tenants.activities.helpers import activity, estate_with_houses
from tests.tenants.test_repairs import _owner

pytestmark = pytest.mark.django_db

STAFF = [
    ("get", "/api/v1/activities/"),
    ("post", "/api/v1/activities/"),
    ("get", "/api/v1/activities/monthly-stats/"),
    ("get", "/api/v1/activities/{id}/"),
    ("patch", "/api/v1/activities/{id}/"),
    ("delete", "/api/v1/activities/{id}/"),
    ("post", "/api/v1/activities/{id}/publish/"),
    ("post", "/api/v1/activities/{id}/cancel/"),
    ("post", "/api/v1/activities/{id}/finish/"),
    ("get", "/api/v1/activities/{id}/signups/"),
    ("post", "/api/v1/activities/{id}/check-in/"),
    ("get", "/api/v1/activities/{id}/stats/"),
]
OWNER = [
    ("get", "/api/v1/owner/activities/"),
    ("get", "/api/v1/owner/activities/{id}/"),
    ("post", "/api/v1/owner/activities/{id}/sign-up/"),
    ("post", "/api/v1/owner/activities/{id}/cancel-signup/"),
    ("get", "/api/v1/owner/activity-signups/"),
]


def _call(client, method, path, pk):
    return getattr(client, method)(path.format(id=pk), {}, format="json")


@pytest.mark.parametrize("username", ["guard", "cashier", "dispatcher", "repair"])
@pytest.mark.parametrize(("method", "path"), STAFF)
def test_staff_without_activities_manage_are_refused(client_for, company_a, username, method, path):
    made = activity(company_a, publish=False)
    assert _call(client_for(company_a, username), method, path, made.pk).status_code == 403


@pytest.mark.parametrize("username", ["admin", "service"])
def test_admins_and_customer_service_manage_activities(client_for, company_a, username):
    made = activity(company_a, publish=False)
    client = client_for(company_a, username)
    assert client.get("/api/v1/activities/").status_code == 200
    assert client.get(f"/api/v1/activities/{made.pk}/stats/").status_code == 200
    assert client.post(f"/api/v1/activities/{made.pk}/publish/").status_code == 200


@pytest.mark.parametrize(("method", "path"), STAFF)
def test_an_owner_is_refused_every_staff_endpoint(client_for, company_a, method, path):
    _estate, houses = estate_with_houses(company_a, "权限苑", 1)
    owner_client, _owner_user = _owner(company_a, client_for, houses[0])
    made = activity(company_a)
    assert _call(owner_client, method, path, made.pk).status_code == 403


@pytest.mark.parametrize(("method", "path"), OWNER)
def test_staff_are_refused_the_owner_endpoints(client_for, company_a, method, path):
    made = activity(company_a)
    assert _call(client_for(company_a, "admin"), method, path, made.pk).status_code == 403


@pytest.mark.parametrize(("method", "path"), STAFF + OWNER)
def test_company_a_sessions_get_nothing_on_company_b(client_for, company_a, company_b, method, path):
    made = activity(company_a)
    client = client_for(company_a, "admin")
    client.defaults["HTTP_HOST"] = f"{company_b.slug}.localhost"
    assert _call(client, method, path, made.pk).status_code in (401, 403)


@pytest.mark.parametrize(("method", "path"), [(m, p) for m, p in STAFF if "{id}" in p])
def test_company_bs_staff_cannot_reach_company_as_activity(client_for, company_a, company_b, method, path):
    made = activity(company_a)  # company B has no activity at all: A's id is nothing there
    assert _call(client_for(company_b, "admin"), method, path, made.pk).status_code == 404


@pytest.mark.parametrize(("method", "path"), [(m, p) for m, p in OWNER if "{id}" in p])
def test_company_bs_owner_cannot_reach_company_as_activity(client_for, company_a, company_b, method, path):
    made = activity(company_a)
    _estate, houses = estate_with_houses(company_b, "贝塔苑", 1)
    owner_b, _user = _owner(company_b, client_for, houses[0], username="owner-b")
    assert owner_b.get("/api/v1/owner/activities/").json()["results"] == []
    assert _call(owner_b, method, path, made.pk).status_code == 404
