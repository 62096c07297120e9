"""Roles are checked on the server for every endpoint, and the menus follow from them."""

from __future__ import annotations

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from accounts.permissions import HasRequiredPermission
from accounts.roles import Role, modules_for, permissions_for

pytestmark = pytest.mark.django_db


def test_guard_sees_only_guard_modules(client_for, company_a):
    me = client_for(company_a, "guard").get("/api/v1/me/").json()
    assert me["modules"] == ["security"]
    assert "users.manage" not in me["permissions"]


def test_admin_sees_every_module(client_for, company_a):
    assert client_for(company_a, "admin").get("/api/v1/me/").json()["modules"] == [
        "basic_data",
        "fees",
        "repairs",
        "feedback",
        "security",
        "community",
        "activities",
        "analytics",
        "settings",
    ]


@pytest.mark.parametrize("username", ["guard", "cashier", "dispatcher", "repair", "service"])
def test_only_admins_manage_users_and_read_the_audit_trail(client_for, company_a, username):
    client = client_for(company_a, username)
    assert client.get("/api/v1/users/").status_code == 403
    assert client.post("/api/v1/users/", {"username": "x", "roles": ["guard"]}, format="json").status_code == 403
    assert client.get("/api/v1/audit-events/").status_code == 403
    assert client.patch("/api/v1/settings/branding/", {"display_name": "x"}, format="json").status_code == 403


def test_anonymous_is_401(client_for, company_a):
    response = client_for(company_a).get("/api/v1/users/")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_residents_hold_no_staff_permission():
    assert permissions_for([Role.RESIDENT]) == {"owner.self"}
    assert modules_for([Role.RESIDENT]) == []


def test_a_view_that_declares_nothing_is_refused(rf):
    class Undeclared:
        pass

    request = rf.get("/")
    assert HasRequiredPermission().has_permission(request, Undeclared()) is False


def _views(resolver, prefix=""):
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            yield from _views(pattern, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern.callback


@pytest.mark.parametrize("urlconf", ["config.urls_tenant", "config.urls_public"])
def test_every_api_view_declares_its_permission(urlconf):
    missing = []
    for route, callback in _views(get_resolver(urlconf)):
        view_class = getattr(callback, "cls", None) or getattr(callback, "view_class", None)
        if not route.startswith("api/v1") or view_class is None:
            continue
        if getattr(view_class, "required_permission", None) is None:
            missing.append(route)
    assert missing == []
