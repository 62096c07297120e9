"""The partner portal's permission check, failing closed like accounts.permissions.

A partner view declares `required_permission`: "public" (signup, sign-in), or a vendor permission
("partner.view", "partner.manage"; partners.models.VENDOR_PERMISSIONS), or a dict {METHOD: ...}.
Nothing declared: refused. Only a vendor's account passes (never a company's user, never the
platform's operators), and only on the public host.
"""

from __future__ import annotations

from django_tenants.utils import get_public_schema_name
from rest_framework.permissions import BasePermission

from accounts.permissions import PUBLIC
from core.db import current_schema
from partners.models import VendorAccount


def _required(view, method: str) -> str | None:
    declared = getattr(view, "required_permission", None)
    if isinstance(declared, dict):
        declared = declared.get(method) or declared.get("*")
    return declared if isinstance(declared, str) else None


class HasPartnerPermission(BasePermission):
    def has_permission(self, request, view) -> bool:
        if current_schema() != get_public_schema_name():
            return False
        required = _required(view, request.method)
        if required is None:
            return False
        if required == PUBLIC:
            return True
        account = request.user
        if not isinstance(account, VendorAccount):
            return False
        return required in account.permissions
