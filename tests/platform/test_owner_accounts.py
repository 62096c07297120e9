"""Staff shut an owner out of the app (and let them back in): /api/v1/owner-accounts/."""

from __future__ import annotations

import pytest
from django_tenants.utils import tenant_context
from rest_framework.test import APIClient

from accounts import services as account_services
from accounts.models import AccessToken, AuditEvent, User
from standins import sms as sms_standin
from tests.conftest import clear_throttles, host_of

pytestmark = pytest.mark.django_db

PHONE = "13522223333"


@pytest.fixture(autouse=True)
def _clean_outbox():
    sms_standin.reset(PHONE)
    yield
    sms_standin.reset(PHONE)


def _sms_login(client):
    code = client.post("/api/v1/auth/sms/send/", {"phone": PHONE}, format="json").json()["debug_code"]
    return client.post("/api/v1/auth/sms/login/", {"phone": PHONE, "code": code}, format="json")


def _owner_with_token(company):
    """An owner signed in to the app: (user id, an API client carrying their token)."""
    client = APIClient(HTTP_HOST=host_of(company))
    body = _sms_login(client).json()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {body['token']}")
    assert client.get("/api/v1/me/").status_code == 200
    return body["user"]["id"], client


def test_customer_service_disables_an_owner_who_is_shut_out_at_once(client_for, company_a):
    owner_id, app = _owner_with_token(company_a)
    service = client_for(company_a, "service")
    listed = service.get("/api/v1/owner-accounts/").json()["results"]
    assert [row["id"] for row in listed] == [owner_id]
    assert listed[0]["login_via"] == "sms" and listed[0]["phone_masked"] == "135****3333"

    response = service.post(f"/api/v1/owner-accounts/{owner_id}/disable/")
    assert response.status_code == 200 and response.json()["is_active"] is False
    assert app.get("/api/v1/me/").status_code == 401  # the token died with the change
    sms_standin.reset(PHONE)
    clear_throttles()
    refused = _sms_login(client_for(company_a))
    assert refused.status_code == 403 and refused.json()["code"] == "account_disabled"
    with tenant_context(company_a):
        assert not AccessToken.objects.filter(user_id=owner_id, revoked_at__isnull=True).exists()
        event = AuditEvent.objects.get(action="owner_account.disable")
        assert event.actor_label == "service" and event.object_id == str(owner_id)
        assert event.before["is_active"] is True and event.after["is_active"] is False

    assert service.post(f"/api/v1/owner-accounts/{owner_id}/enable/").json()["is_active"] is True
    assert app.get("/api/v1/me/").status_code == 401  # old tokens stay revoked
    sms_standin.reset(PHONE)
    clear_throttles()
    assert _sms_login(client_for(company_a)).status_code == 200
    with tenant_context(company_a):
        assert AuditEvent.objects.filter(action="owner_account.enable", object_id=str(owner_id)).exists()


@pytest.mark.parametrize("username", ["cashier", "guard", "dispatcher", "repair"])
def test_other_staff_cannot_touch_owner_accounts(client_for, company_a, username):
    owner_id, app = _owner_with_token(company_a)
    client = client_for(company_a, username)
    assert client.get("/api/v1/owner-accounts/").status_code == 403
    assert client.post(f"/api/v1/owner-accounts/{owner_id}/disable/").status_code == 403
    assert app.get("/api/v1/me/").status_code == 200
    # Nor can an owner, with their own token.
    assert app.post(f"/api/v1/owner-accounts/{owner_id}/disable/").status_code == 403


def test_staff_accounts_are_not_owner_accounts(client_for, company_a):
    with tenant_context(company_a):
        admin = User.objects.get(username="admin")
        account_services.update_user(user=admin, actor=None, roles=["admin", "resident"])
    service = client_for(company_a, "service")
    assert service.post(f"/api/v1/owner-accounts/{admin.pk}/disable/").status_code == 404
    assert service.get(f"/api/v1/owner-accounts/{admin.pk}/").status_code == 404
    with tenant_context(company_a):
        assert User.objects.get(pk=admin.pk).is_active


def test_an_owner_of_a_is_out_of_reach_on_b(client_for, company_a, company_b):
    with tenant_context(company_b):
        taken = set(User.objects.values_list("pk", flat=True))
    owner_id, app = _owner_with_token(company_a)
    while owner_id in taken:  # ids are per schema: make sure B has no row of that id
        with tenant_context(company_a):
            User.objects.filter(pk=owner_id).delete()
        sms_standin.reset(PHONE)
        clear_throttles()
        owner_id, app = _owner_with_token(company_a)
    on_b = client_for(company_b, "admin")
    assert on_b.get(f"/api/v1/owner-accounts/{owner_id}/").status_code == 404
    assert on_b.post(f"/api/v1/owner-accounts/{owner_id}/disable/").status_code == 404
    assert app.get("/api/v1/me/").status_code == 200


def test_bad_input(client_for, company_a):
    owner_id, _app = _owner_with_token(company_a)
    admin = client_for(company_a, "admin")
    assert admin.post("/api/v1/owner-accounts/not-a-number/disable/").status_code == 404
    assert admin.post("/api/v1/owner-accounts/999999999/disable/").status_code == 404
    assert admin.post("/api/v1/owner-accounts/99999999999999999999999/disable/").status_code == 404
    assert admin.post("/api/v1/owner-accounts/-1/enable/").status_code == 404
    # A body is ignored; disabling twice is harmless.
    assert (
        admin.post(f"/api/v1/owner-accounts/{owner_id}/disable/", {"is_active": True}, format="json").json()[
            "is_active"
        ]
        is False
    )
    assert admin.post(f"/api/v1/owner-accounts/{owner_id}/disable/").status_code == 200
    assert admin.get("/api/v1/owner-accounts/?is_active=false").json()["count"] == 1


def test_the_residents_page_shows_the_account_and_its_state(client_for, company_a):
    from tenants.residents.models import Person

    owner_id, _app = _owner_with_token(company_a)
    with tenant_context(company_a):
        person = Person.objects.create(name="李业主", user_id=owner_id)
        alone = Person.objects.create(name="无账号")
    admin = client_for(company_a, "admin")
    assert admin.get(f"/api/v1/residents/{person.pk}/").json()["account"] == {"id": owner_id, "is_active": True}
    assert admin.get(f"/api/v1/residents/{alone.pk}/").json()["account"] is None
    admin.post(f"/api/v1/owner-accounts/{owner_id}/disable/")
    rows = {row["id"]: row for row in admin.get("/api/v1/residents/?page_size=200").json()["results"]}
    assert rows[person.pk]["account"] == {"id": owner_id, "is_active": False}
