from __future__ import annotations

import hashlib
import re

from django.db.models import QuerySet
from django.utils import timezone

from accounts import validators
from accounts.models import AccessToken, AuditEvent, User
from accounts.roles import STAFF_ROLES, Role
from core import crypto


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


def find_account(login: str) -> User | None:
    """The active staff account `login` names: its username, phone or email; None when none, or
    more than one (a phone or email two staff share names nobody in particular)."""
    login = (login or "").strip()
    staff = staff_users().filter(is_active=True)
    if "@" in login:
        found = list(staff.filter(email__iexact=login)[:2])
    elif re.fullmatch(r"1[3-9][0-9]{9}", phone := validators.normalise_phone(login)):
        found = list(staff.filter(phone_index__in=crypto.blind_indexes(phone, purpose="phone"))[:2])
    else:
        found = list(staff.filter(username=validators.normalise_username(login))[:2])
    return found[0] if len(found) == 1 else None
