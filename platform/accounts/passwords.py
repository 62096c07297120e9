"""Passwords: forgotten (a code to the account's own phone or email), changed by their user, reset
by an admin (a temporary password that must be changed, or an invitation), and set from an
invitation. Every write is an action with its audit row; codes and tokens are accounts.password_codes'.

A request for a code answers the same whether or not the account exists: what is counted and
refused (429) depends only on what was typed and where from; limits of the real account and its
phone or email drop the message silently (audited) instead of telling the caller anything.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
import string
from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import login_throttle, password_codes, selectors, validators
from accounts.models import AccessToken, PasswordCode, PasswordCodePurpose, User
from accounts.services import _end_sign_ins, record_audit
from core import crypto, ratelimit
from core.actions import action
from core.client_ip import limit_subject
from core.db import current_schema
from core.errors import DomainError, RateLimited, wait_text

logger = logging.getLogger(__name__)


def _password_problems(password: str, user: User) -> None:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise DomainError(_("密码不符合要求。"), fields={"new_password": list(exc.messages)}) from exc


def _set_password(user: User, password: str) -> None:
    """Set it, end every sign-in, retire every pending code (the caller saves the user)."""
    user.set_password(password)
    user.must_change_password = False
    _end_sign_ins(user)
    password_codes.retire_all(user)


def _typed_key(login: str) -> str:
    typed = validators.normalise_username((login or "").strip())
    return hmac.new(settings.SECRET_KEY.encode(), f"pw-login:{typed}".encode(), hashlib.sha256).hexdigest()[:32]


def _refuse_if_spent(key: str, rates: list[str]) -> None:
    verdict = ratelimit.hit(key, rates)
    if not verdict.allowed:
        wait = verdict.retry_after or 1
        raise RateLimited(_("操作过于频繁，请 %(wait)s后再试。") % {"wait": wait_text(wait)}, retry_after=wait)


def _quietly_spent(key: str, rates: list[str], *, platform: bool = False) -> bool:
    return not ratelimit.hit(key, rates, platform=platform).allowed


# --- forgotten password ------------------------------------------------------------------------


def request_reset_code(*, login: str, channel: str | None = None, ip: str | None) -> None:
    """Send a reset code to the named account's own phone or email, if there is such an account.
    Raises RateLimited only on counts of what was typed and of the caller's address."""
    _refuse_if_spent(f"throttle_pw-reset-typed:{_typed_key(login)}", settings.PASSWORD_RESET_LIMITS)
    _refuse_if_spent(f"throttle_pw-reset-address:{limit_subject(ip)}", settings.PASSWORD_RESET_LIMITS_PER_ADDRESS)
    _issue_reset_code(login=login, channel=channel)


@action
def _issue_reset_code(*, login: str, channel: str | None) -> None:
    user = selectors.find_account(login)
    where = password_codes.channel_for(user, channel) if user is not None else None
    if user is None or where is None:
        record_audit(
            actor=None,
            action="password.reset_requested",
            object_type="user",
            object_id=crypto.blind_index(login[:150], purpose="unknown-username")[:16],
            after={"sent": False},
        )
        return
    destination = user.phone if where == password_codes.SMS else user.email.lower()
    number = hmac.new(settings.SECRET_KEY.encode(), f"pw-dest:{destination}".encode(), hashlib.sha256).hexdigest()
    if (
        _quietly_spent(f"throttle_pw-reset-account:{user.pk}", settings.PASSWORD_RESET_LIMITS)
        or _quietly_spent(f"throttle_pw-reset-dest:{number[:32]}", ["1/m", f"{settings.SMS_CODES_PER_PHONE_PER_DAY}/d"])
        or _quietly_spent(
            f"throttle_pw-reset-dest:{number[:32]}",
            [f"{settings.SMS_CODES_PER_PHONE_PER_DAY_ALL_COMPANIES}/d"],
            platform=True,
        )
    ):
        record_audit(actor=user, action="password.reset_limited", object_type="user", object_id=user.pk)
        return
    row = password_codes.issue_reset_code(user=user, channel=where)
    record_audit(
        actor=user,
        action="password.reset_requested",
        object_type="user",
        object_id=user.pk,
        after={"sent": True, "channel": where, "code": row.pk},
    )


def reset_with_code(*, login: str, code: str, new_password: str, ip: str | None) -> User:
    """Set a new password with the code sent to the account. A wrong code, an unknown account and
    an expired or used-up code give one and the same answer."""
    _refuse_if_spent(f"throttle_pw-verify-typed:{_typed_key(login)}", settings.PASSWORD_VERIFY_LIMITS)
    _refuse_if_spent(f"throttle_pw-verify-address:{limit_subject(ip)}", settings.PASSWORD_VERIFY_LIMITS)
    user = _reset_with_code(login=login, code=code, new_password=new_password)
    if user is None:
        raise DomainError(_("验证码错误或已过期。"), code="invalid_code", fields={"code": [_("验证码错误或已过期。")]})
    return user


@action
def _reset_with_code(*, login: str, code: str, new_password: str) -> User | None:
    user = selectors.find_account(login)
    row = None
    if user is not None:
        row = (
            PasswordCode.objects.select_for_update()
            .filter(user=user, purpose=PasswordCodePurpose.RESET, used_at__isnull=True, expires_at__gt=timezone.now())
            .order_by("-created_at")
            .first()
        )
    expected = row.digest if row is not None else "0" * 64
    matches = hmac.compare_digest(expected, password_codes.digest(getattr(user, "pk", 0), "reset", code))
    if user is None or row is None or not matches:
        if row is not None:
            row.attempts += 1
            if row.attempts >= settings.PASSWORD_CODE_MAX_ATTEMPTS:
                row.used_at = timezone.now()  # too many guesses: this code is dead
            row.save(update_fields=["attempts", "used_at"])
        record_audit(
            actor=user, action="password.reset_code_wrong", object_type="user", object_id=getattr(user, "pk", "")
        )
        return None
    _password_problems(new_password, user)  # raises: nothing written, the code still works
    _set_password(user, new_password)
    user.save()
    record_audit(actor=user, action="password.reset", object_type="user", object_id=user.pk, after={"via": row.channel})
    return user


# --- invitations --------------------------------------------------------------------------------


def accept_invitation(*, token: str, new_password: str) -> User:
    user = _accept_invitation(token=token, new_password=new_password)
    if user is None:
        raise DomainError(
            _("邀请链接无效、已使用或已过期，请联系管理员重新发送。"),
            code="invalid_token",
            fields={"token": [_("邀请链接无效、已使用或已过期。")]},
        )
    return user


@action
def _accept_invitation(*, token: str, new_password: str) -> User | None:
    row = (
        PasswordCode.objects.select_for_update()
        .select_related("user")
        .filter(
            purpose=PasswordCodePurpose.INVITE,
            digest=password_codes.digest(PasswordCodePurpose.INVITE, token),
            used_at__isnull=True,
            expires_at__gt=timezone.now(),
            user__is_active=True,
        )
        .first()
    )
    if row is None:
        record_audit(actor=None, action="password.invitation_invalid", object_type="user")
        return None
    user = row.user
    _password_problems(new_password, user)
    _set_password(user, new_password)
    user.save()
    record_audit(actor=user, action="password.invitation_accepted", object_type="user", object_id=user.pk)
    return user


@action
def invite(*, user: User, actor: User, channel: str | None = None) -> PasswordCode:
    """(Re)send `user` an invitation to set their password; their current password stays until then."""
    where = password_codes.channel_for(user, channel)
    if where is None:
        raise DomainError(_("该员工没有手机号或邮箱，无法发送邀请。"), code="no_contact")
    row = password_codes.issue_invitation(user=user, channel=where)
    record_audit(actor=actor, action="password.invite", object_type="user", object_id=user.pk, after={"channel": where})
    return row


# --- changed by its user, reset by an admin ----------------------------------------------------


def change_password(
    *, user: User, current_password: str, new_password: str, ip: str | None, keep_token: AccessToken | None = None
) -> User:
    """The signed-in user changes their password: the current one first (under the login backoff,
    so this is no way around it), then Django's validators; every other sign-in ends."""
    login_throttle.take_turn(username=user.username, ip=ip)
    changed = _change_password(user=user, current=current_password, new=new_password, keep_token=keep_token)
    if changed is None:
        raise DomainError(
            _("当前密码错误。"), code="wrong_password", fields={"current_password": [_("当前密码错误。")]}
        )
    login_throttle.succeeded(username=user.username, ip=ip)
    return changed


@action
def _change_password(*, user: User, current: str, new: str, keep_token: AccessToken | None) -> User | None:
    user = User.objects.select_for_update().get(pk=user.pk)
    if not user.check_password(current):
        record_audit(actor=user, action="password.change_failed", object_type="user", object_id=user.pk)
        return None
    if current == new:
        raise DomainError(_("新密码不能与当前密码相同。"), fields={"new_password": [_("新密码不能与当前密码相同。")]})
    _password_problems(new, user)
    _set_password(user, new)
    user.save()
    if keep_token is not None:  # the caller's own token lives on; every other one was revoked
        AccessToken.objects.filter(pk=keep_token.pk).update(revoked_at=None)
    record_audit(actor=user, action="password.change", object_type="user", object_id=user.pk)
    return user


def temporary_password() -> str:
    """12 characters, letters and digits (the validators' rule), none that read alike (0/O, 1/l)."""
    letters = "".join(c for c in string.ascii_letters if c not in "IlO")
    digits = "23456789"
    chars = [secrets.choice(letters) for _i in range(9)] + [secrets.choice(digits) for _i in range(3)]
    secrets.SystemRandom().shuffle(chars)
    return "".join(chars)


@action
def admin_reset(*, user: User, actor: User, mode: str) -> str | None:
    """An admin resets a staff member's password: `temporary` (returned once; the user must change
    it at their next sign-in) or `invite` (the old password stops working; a link to set one is
    sent). Either way every sign-in of the user ends."""
    if user.pk == actor.pk:
        raise DomainError(_("请在“修改密码”中修改自己的密码。"), code="self_reset")
    user = User.objects.select_for_update().get(pk=user.pk)
    where = password_codes.channel_for(user)
    if mode == "invite" and where is None:
        raise DomainError(_("该员工没有手机号或邮箱，无法发送邀请。"), code="no_contact")
    password = temporary_password() if mode == "temporary" else None
    if password is None:
        user.set_unusable_password()
    else:
        user.set_password(password)
    user.must_change_password = password is not None
    _end_sign_ins(user)
    password_codes.retire_all(user)
    if password is None and where is not None:
        password_codes.issue_invitation(user=user, channel=where)
    user.save()
    record_audit(
        actor=actor, action="password.admin_reset", object_type="user", object_id=user.pk, after={"mode": mode}
    )
    return password


# --- delivery (the outbox's handler) -----------------------------------------------------------


def _company() -> tuple[str, str]:
    """This company's name and web address (the handler runs in its schema, not on its host)."""
    from companies.selectors import company_by_schema
    from companies.services import company_url

    company = company_by_schema(current_schema())
    return (company.name, company_url(company.slug)) if company is not None else ("", "/")


def invitation_link(token: str) -> str:
    return f"{_company()[1]}set-password?token={token}"


def deliver(*, code_id: int, secret: str) -> None:
    """Send one code or invitation, unless it was used, replaced or expired meanwhile. A provider
    that refuses the number (or its own limit) is final; an outage raises, to be tried again."""
    row = (
        PasswordCode.objects.select_related("user")
        .filter(pk=code_id, used_at__isnull=True, expires_at__gt=timezone.now())
        .first()
    )
    if row is None:
        return
    value = crypto.decrypt(secret)
    user = row.user
    company = _company()[0]
    if row.purpose == PasswordCodePurpose.RESET:
        event, params = "account.password_code", {"code": value}
        subject = _("%(company)s 找回密码验证码") % {"company": company}
        body = _("您的验证码为 %(code)s，10 分钟内有效。如非本人操作请忽略。") % {"code": value}
    else:
        link = invitation_link(value)
        event, params = "account.staff_invite", {"company": company, "link": link}
        subject = _("%(company)s 邀请您设置员工账号密码") % {"company": company}
        body = _("%(company)s 为您开通了员工账号（用户名 %(username)s）。请在 72 小时内打开链接设置密码：%(link)s") % {
            "company": company,
            "username": user.username,
            "link": link,
        }
    if row.channel == password_codes.EMAIL:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])
        return
    # Through the notification service (one SMS path; the code sealed in its log), sent now. The
    # provider down: raised, and this message's retry sends the same delivery again (its key).
    from notifications.services import deliveries

    notification = _text(user=user, event=event, params=params, key=f"password-code:{row.pk}")
    if notification is None:
        return
    for sent in deliveries.send_at_once(notification_id=notification.pk, retry=True):
        if sent.outcome == "retry":
            raise CodeNotSent(f"password code {row.pk}: the provider refused for now ({sent.failure})")
        if sent.outcome == "failed":
            logger.warning("password code %s not texted: %s", row.pk, sent.failure)


class CodeNotSent(Exception):
    """The SMS provider is unavailable for now: the outbox tries the code's message again."""


@action(audit=False)  # the code's issue was audited; its delivery row records the text
def _text(*, user: User, event: str, params: dict[str, str], key: str) -> Any:
    from notifications.services import notify

    return notify([user], event, params, key=key)
