"""Server-side permission checks for every endpoint, failing closed.

A view declares `required_permission`:
- "public": anyone (signup, login, site info);
- "authenticated": any signed-in member of this company;
- "<area>.<action>": the roles holding it (accounts.roles), or a dict {METHOD: permission}.
A view that declares nothing is refused, so a forgotten declaration is a 403, not a leak.
"""

from __future__ import annotations

from django_tenants.utils import get_public_schema_name
from rest_framework.permissions import BasePermission

PUBLIC = "public"
AUTHENTICATED = "authenticated"


def _required(view, method: str) -> str | None:
    declared = getattr(view, "required_permission", None)
    if isinstance(declared, dict):
        return declared.get(method) or declared.get("*")
    return declared


class HasRequiredPermission(BasePermission):
    def has_permission(self, request, view) -> bool:
        required = _required(view, request.method)
        if required is None:
            return False
        if required == PUBLIC:
            return True
        user = request.user
        if not (user and user.is_authenticated and user.is_active):
            return False
        # Platform operators (public schema) never act inside a company through the company API.
        if getattr(request, "tenant", None) is not None and request.tenant.schema_name == get_public_schema_name():
            return bool(user.is_superuser) and required == AUTHENTICATED
        if required == AUTHENTICATED:
            return True
        if getattr(request.auth, "owner_app_only", False) and not required.startswith("owner."):
            return False  # an owner-app token never carries staff powers
        return user.has_permission(required)
