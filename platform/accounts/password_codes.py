"""One-time secrets that let a user set a password: reset codes and invitation tokens.

Kept apart from the flows (accounts.passwords) so that creating an account (accounts.services) can
invite its user in the same action. Only a keyed hash of a secret is stored; the secret itself
travels to the worker in the outbox message encrypted under the company's data key, and the
message is delivered in the company's own schema.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from accounts.models import PasswordCode, PasswordCodePurpose, User
from core import crypto
from core.actions import emit
from core.db import current_schema

TOPIC_SEND = "accounts.password_code"
SMS = "sms"
EMAIL = "email"
RESET_MODES = [("temporary", "temporary"), ("invite", "invite")]  # an admin's reset (the API's enum)
CHANNELS = [(SMS, SMS), (EMAIL, EMAIL)]  # where a code or invitation can go (the API's enum)


def digest(*parts: object) -> str:
    """A keyed hash of a secret, bound to this company's schema: the same secret hashes differently
    in another company, so no code or token of one company matches anything in another."""
    text = ":".join([current_schema(), *map(str, parts)])
    return hmac.new(settings.SECRET_KEY.encode(), text.encode(), hashlib.sha256).hexdigest()


def channel_for(user: User, preferred: str | None = None) -> str | None:
    """Where a secret for `user` can go: their own phone or email (the preferred one if they have it)."""
    have = [c for c, value in ((SMS, user.phone), (EMAIL, user.email)) if value]
    if preferred in have:
        return preferred
    return have[0] if have else None


def _retire(user: User, purpose: str) -> None:
    """A new secret replaces the earlier ones of its kind: only the last one sent works."""
    PasswordCode.objects.filter(user=user, purpose=purpose, used_at__isnull=True).update(used_at=timezone.now())


def issue_reset_code(*, user: User, channel: str) -> PasswordCode:
    """A 6-digit reset code for `user`, sent to `channel` through the outbox (inside an action)."""
    _retire(user, PasswordCodePurpose.RESET)
    code = f"{secrets.randbelow(10**6):06d}"
    row = PasswordCode.objects.create(
        user=user,
        purpose=PasswordCodePurpose.RESET,
        channel=channel,
        digest=digest(user.pk, PasswordCodePurpose.RESET, code),
        created_at=(now := timezone.now()),
        expires_at=now + timedelta(seconds=settings.PASSWORD_CODE_TTL_SECONDS),
    )
    emit(TOPIC_SEND, {"code_id": row.pk, "secret": crypto.encrypt(code)}, key=f"password-code:{row.pk}")
    return row


def issue_invitation(*, user: User, channel: str) -> PasswordCode:
    """An invitation link's single-use token for `user`, sent to `channel` (inside an action)."""
    _retire(user, PasswordCodePurpose.INVITE)
    token = secrets.token_urlsafe(32)
    row = PasswordCode.objects.create(
        user=user,
        purpose=PasswordCodePurpose.INVITE,
        channel=channel,
        digest=digest(PasswordCodePurpose.INVITE, token),
        created_at=(now := timezone.now()),
        expires_at=now + timedelta(hours=settings.PASSWORD_INVITE_TTL_HOURS),
    )
    emit(TOPIC_SEND, {"code_id": row.pk, "secret": crypto.encrypt(token)}, key=f"password-code:{row.pk}")
    return row


def retire_all(user: User) -> None:
    """Every pending code and invitation of `user` stops working (their password was just set)."""
    PasswordCode.objects.filter(user=user, used_at__isnull=True).update(used_at=timezone.now())
