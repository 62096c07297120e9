from __future__ import annotations

import hashlib

from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import AccessToken, AuditEvent, User
from accounts.roles import STAFF_ROLES, Role


def token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def active_token(raw: str) -> AccessToken | None:
    """The live token for `raw` in the current company's schema (tokens never cross schemas)."""
    return (
        AccessToken.objects.select_related("user")
        .filter(key_hash=token_hash(raw), revoked_at__isnull=True, expires_at__gt=timezone.now())
        .first()
    )


def staff_users() -> QuerySet[User]:
    return User.objects.filter(roles__overlap=[r.value for r in STAFF_ROLES]).order_by("username")


def owner_accounts() -> QuerySet[User]:
    """Owner-app accounts: residents holding no staff role (a staff member's own resident identity
    is a separate account; their staff account is users.manage's business, never owners.manage's)."""
    return (
        User.objects.filter(roles__contains=[Role.RESIDENT.value])
        .exclude(roles__overlap=[r.value for r in STAFF_ROLES])
        .order_by("-date_joined", "-pk")
    )


def audit_events() -> QuerySet[AuditEvent]:
    return AuditEvent.objects.select_related("actor").all()
