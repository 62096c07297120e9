"""An id in a path that is not a number is a 4xx, never a server error: on every route of a
company's host whose lookup takes any text (the router's default), as the company's admin and as
an owner signed in from the mini-program."""

from __future__ import annotations

from django_tenants.utils import tenant_context

from accounts import services as account_services
from accounts.models import User
from tests.routes import company_api_routes


def test_a_word_for_an_id_is_never_a_server_error(client_for, company_a):
    admin = client_for(company_a, "admin")
    with tenant_context(company_a):
        owner_user = User.objects.create(username="word-id-owner", roles=["resident"], phone="13900002222")
        raw, _token = account_services.issue_token(user=owner_user, kind="sms")
    owner = client_for(company_a)
    owner.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert owner.get("/api/v1/owner/notifications/").status_code == 200  # signed in
    routes = [route for route in company_api_routes(free_id="x1") if "/x1/" in route[1]]
    assert len(routes) > 100  # the sweep sees the detail routes
    failed = []
    for who, client in (("admin", admin), ("owner", owner)):
        client.raise_request_exception = False
        for method, path, _view in routes:
            response = client.generic(method, path, "{}", content_type="application/json")
            if response.status_code >= 500:
                failed.append(f"{who}: {method} {path} → {response.status_code}")
    assert failed == []
