"""The partner portal's signup and sign-in, on the public host; its tokens and a company's never cross."""

from __future__ import annotations

import pytest
from django.db import connection
from django_tenants.utils import tenant_context

from accounts import services as account_services
from accounts.models import AuditEvent, User
from partners.models import Vendor, VendorAccount
from tests.platform.partners.conftest import VENDOR_PASSWORD, portal_client
from tests.routes import company_api_routes, partner_api_routes

pytestmark = pytest.mark.django_db

# Open to anyone: signing up or in, and reading what an invitation link offers (404 for a made-up one).
SIGN_IN_PATHS = {"/api/v1/partner/signup/", "/api/v1/partner/auth/login/", "/api/v1/partner/invitations/houses/"}


def test_signup_signs_the_vendor_in_and_keeps_its_phone_encrypted(vendor):
    me = vendor.client.get("/api/v1/partner/me/")
    assert me.status_code == 200
    body = me.json()
    assert body["role"] == "manager" and body["permissions"] == ["partner.manage", "partner.view"]
    assert body["vendor"]["name"] == "洁净家政" and body["vendor"]["phone_masked"] == "139****1111"
    assert len(body["vendor"]["code"]) == 8
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT phone FROM public.partners_vendor UNION ALL SELECT phone FROM public.partners_vendoraccount"
        )
        stored = [row[0] for row in cursor.fetchall()]
    assert stored and all("13900001111" not in value and value.startswith("v1:") for value in stored)
    assert AuditEvent.objects.filter(action="partner.signup", actor_label__startswith="partner:").count() == 1


def test_sign_in_with_phone_and_password(vendor):
    client = portal_client()
    response = client.post(
        "/api/v1/partner/auth/login/", {"phone": "139 0000 1111", "password": VENDOR_PASSWORD}, format="json"
    )
    assert response.status_code == 200, response.content
    token = response.json()["token"]
    assert portal_client(token).get("/api/v1/partner/me/").status_code == 200
    wrong = client.post(
        "/api/v1/partner/auth/login/", {"phone": vendor.phone, "password": "Wrong-pass-1"}, format="json"
    )
    assert wrong.status_code == 401 and wrong.json()["code"] == "invalid_credentials"
    unknown = client.post("/api/v1/partner/auth/login/", {"phone": "13700000000", "password": "x1"}, format="json")
    assert unknown.status_code == 401


def test_logout_ends_the_token(vendor):
    assert vendor.client.post("/api/v1/partner/auth/logout/").status_code == 204
    assert vendor.client.get("/api/v1/partner/me/").status_code == 401


def test_bad_signup_input_is_400_with_field_errors(vendor):
    client = portal_client()
    empty = client.post("/api/v1/partner/signup/", {}, format="json")
    assert empty.status_code == 400
    assert {"name", "kind", "contact_name", "phone", "password"} <= set(empty.json()["fields"])
    body = {"name": "商家", "kind": "shop", "contact_name": "李", "phone": "12345", "password": "short"}
    bad = client.post("/api/v1/partner/signup/", body, format="json")
    assert bad.status_code == 400 and {"kind", "phone"} <= set(bad.json()["fields"])
    body = {"name": "商家", "kind": "merchant", "contact_name": "李", "phone": "13900002222", "password": "short"}
    weak = client.post("/api/v1/partner/signup/", body, format="json")
    assert weak.status_code == 400 and "password" in weak.json()["fields"]
    body = {**body, "phone": vendor.phone, "password": VENDOR_PASSWORD}
    taken = client.post("/api/v1/partner/signup/", body, format="json")
    assert taken.status_code == 400 and "phone" in taken.json()["fields"]
    body = {**body, "phone": "13900003333", "name": "\u200b"}
    invisible = client.post("/api/v1/partner/signup/", body, format="json")
    assert invisible.status_code == 400 and "name" in invisible.json()["fields"]
    assert Vendor.objects.count() == 1 and VendorAccount.objects.count() == 1


def _anyone_may_call(view, method: str) -> bool:
    view_class = getattr(view, "cls", None) or getattr(view, "view_class", None)
    required = getattr(view_class, "required_permission", None)
    if isinstance(required, dict):
        required = required.get(method) or required.get("*")
    return required == "public"


def test_a_vendor_token_is_useless_on_every_company_endpoint(vendor, client_for, company_a):
    on_alpha = client_for(company_a)
    on_alpha.credentials(HTTP_AUTHORIZATION=f"Bearer {vendor.token}")
    assert on_alpha.get("/api/v1/me/").status_code == 401
    let_through = []
    for method, path, view in company_api_routes():
        if _anyone_may_call(view, method):
            continue
        response = on_alpha.generic(method, path, "{}", content_type="application/json")
        if response.status_code not in (401, 403):
            let_through.append(f"{method} {path} → {response.status_code}")
    assert let_through == []
    # and the portal's paths do not exist on a company's host at all
    assert on_alpha.get("/api/v1/partner/me/").status_code == 404


def test_a_company_token_or_session_is_useless_on_every_partner_endpoint(vendor, client_for, company_a):
    with tenant_context(company_a):
        raw, _token = account_services.issue_token(user=User.objects.get(username="admin"), kind="api")
    connection.set_schema_to_public()
    routes = partner_api_routes()
    assert {path for _m, path, _v in routes} >= {"/api/v1/partner/me/", "/api/v1/partner/admissions/"}
    by_token = portal_client(raw)
    by_session = client_for(company_a, "admin")
    by_session.defaults["HTTP_HOST"] = "localhost"  # alpha's session cookie, sent to the public host
    let_through = []
    for method, path, _view in routes:
        if path in SIGN_IN_PATHS:
            continue
        for who, client in (("token", by_token), ("session", by_session)):
            response = client.generic(method, path, "{}", content_type="application/json")
            if response.status_code not in (401, 403):
                let_through.append(f"{who}: {method} {path} → {response.status_code}")
    assert let_through == []
    assert by_token.get("/api/v1/partner/me/").status_code == 401


def test_the_portals_ids_are_numbers_in_the_routes():
    """No portal route takes a word for an id (each is an int converter or [0-9]+), so none can
    reach a query with one; tests/platform/test_route_ids.py sweeps the company host's routes."""
    assert partner_api_routes(free_id="x1") == partner_api_routes()
