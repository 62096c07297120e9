"""Server-side permission checks for every endpoint, failing closed.

A view declares `required_permission`:
- "public": anyone (signup, login, site info);
- "authenticated": any signed-in member of this company;
- "<area>.<action>": the roles holding it (accounts.roles), or a dict {METHOD: permission};
- a tuple of permissions: any one of them (an empty tuple: nobody).
A signed-in user whose password an admin reset (must_change_password) is refused everything
(403 password_change_required) but views marked `allowed_while_password_change_required`.
A view that declares nothing is refused, so a forgotten declaration is a 403, not a leak. A view
whose need depends on the request (the imports, per kind) declares it as a property.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django_tenants.utils import get_public_schema_name
from rest_framework.permissions import BasePermission

from core.errors import DomainError

PUBLIC = "public"
AUTHENTICATED = "authenticated"


def _required(view, method: str) -> str | tuple[str, ...] | None:
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
        if getattr(user, "must_change_password", False) and not getattr(
            view, "allowed_while_password_change_required", False
        ):
            # An admin's temporary password: nothing but choosing one's own (and me, logout) until then.
            raise DomainError(_("请先修改密码。"), code="password_change_required", status_code=403)
        if required == AUTHENTICATED:
            return True
        needed = required if isinstance(required, tuple) else (required,)
        if getattr(request.auth, "owner_app_only", False):
            needed = tuple(p for p in needed if p.startswith("owner."))  # never staff powers
        return any(user.has_permission(permission) for permission in needed)
