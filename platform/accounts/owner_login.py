"""Owners signing in to the mini-program and the H5 app: by WeChat (wx.login's code exchanged for the
openid) or by a code texted to their phone. A first sign-in makes the resident account; every
sign-in ends in a token for the owner app (never a staff member's powers)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import wechat
from accounts.models import AccessToken, User
from accounts.roles import Role
from accounts.services import issue_token, phone_index, phone_indexes, record_audit
from core import ratelimit
from core.actions import action
from core.db import current_schema
from core.errors import DomainError, RateLimited, wait_text
from notifications import sms


def _owner_app_token(*, user: User, kind: str) -> tuple[str, AccessToken]:
    """The end of every owner-app login: refuse a disabled account, note the login, issue a token."""
    if not user.is_active:
        raise DomainError(_("账号已停用。"), code="account_disabled", status_code=403)
    user.last_login = timezone.now()
    user.save(update_fields=["last_login"])
    return issue_token(user=user, kind=kind)


def login_with_wechat(*, appid: str, secret: str, code: str) -> tuple[str, AccessToken]:
    """Mini-program login: exchange wx.login()'s code for the openid, then a token for its resident.

    A first-time openid becomes a resident account with no houses; binding a house comes later.
    """
    if not appid or not secret:
        raise DomainError(_("本公司尚未配置微信小程序。"), code="wechat_not_configured", status_code=503)
    try:
        session = wechat.code_to_session(appid=appid, secret=secret, code=code)
    except wechat.WeChatLoginError as exc:
        if exc.errcode in (40029, 40163):  # invalid code / code already used
            raise DomainError(
                _("微信登录凭证无效或已使用，请重试。"),
                code="wechat_invalid_code",
                fields={"code": [_("登录凭证无效。")]},
            ) from exc
        if exc.errcode == 45011:
            raise DomainError(_("登录过于频繁，请稍后再试。"), code="throttled", status_code=429) from exc
        raise DomainError(_("微信服务暂时不可用，请稍后再试。"), code="wechat_unavailable", status_code=503) from exc
    return _wechat_account_token(openid=session.openid)


@action
def _wechat_account_token(*, openid: str) -> tuple[str, AccessToken]:
    user = User.objects.select_for_update().filter(wechat_openid=openid).first()
    if user is None:
        user = User(
            username=f"wx_{openid}"[:60],
            wechat_openid=openid,
            roles=[Role.RESIDENT.value],
        )
        user.set_unusable_password()
        user.save()
        record_audit(
            actor=user,
            action="user.create",
            object_type="user",
            object_id=user.pk,
            after={"via": "wechat", "schema": current_schema()},
        )
    return _owner_app_token(user=user, kind="wechat")


def _code_key(phone: str) -> str:
    return f"sms-login:{phone_index(phone)}"


def _code_digest(phone: str, code: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), f"{phone}:{code}".encode(), hashlib.sha256).hexdigest()


def _count_code_to(phone: str) -> None:
    """Limits per destination number, whoever asks and from wherever: one code a minute and
    SMS_CODES_PER_PHONE_PER_DAY a day from this company, SMS_CODES_PER_PHONE_PER_DAY_ALL_COMPANIES
    from the whole platform (signups are free: a phone must not be flooded through many companies)."""
    number = hmac.new(settings.SECRET_KEY.encode(), f"sms-limit:{phone}".encode(), hashlib.sha256).hexdigest()[:32]
    key = f"throttle_sms-phone:{number}"
    verdict = ratelimit.hit(key, ["1/m", f"{settings.SMS_CODES_PER_PHONE_PER_DAY}/d"])
    if verdict.allowed:
        verdict = ratelimit.hit(key, [f"{settings.SMS_CODES_PER_PHONE_PER_DAY_ALL_COMPANIES}/d"], platform=True)
    if not verdict.allowed:
        wait = verdict.retry_after or 1
        raise RateLimited(_("验证码发送过于频繁，请 %(wait)s后再试。") % {"wait": wait_text(wait)}, retry_after=wait)


def send_login_code(*, phone: str) -> str:
    """Text a 6-digit login code to `phone` (H5 owner login). Returns the code (the API shows it
    only under the demo switch). Refuses (429) before spending a message when the number has had
    its share of codes (_count_code_to), and when the provider says it was sent too often."""
    from django.core.cache import cache

    from notifications.services import deliveries

    _count_code_to(phone)
    code = f"{secrets.randbelow(10**6):06d}"
    # Through the notification service (one SMS path; the code sealed in its log), sent now: the
    # provider's refusal is this request's answer.
    notification = _login_code_notification(phone=phone, code=code)
    sent = deliveries.send_at_once(notification_id=notification.pk)
    failure = next((one.failure for one in sent if one.outcome != "sent"), None) if sent else ""
    if failure is not None:
        if failure == sms.SmsFailure.THROTTLED:
            raise DomainError(_("验证码发送过于频繁，请稍后再试。"), code="throttled", status_code=429)
        if failure == sms.SmsFailure.INVALID_NUMBER:
            raise DomainError(_("手机号无效。"), fields={"phone": [_("手机号无效。")]})
        raise DomainError(_("短信服务暂时不可用，请稍后再试。"), code="sms_unavailable", status_code=503)
    cache.set(_code_key(phone), {"digest": _code_digest(phone, code), "attempts": 0}, settings.SMS_CODE_TTL_SECONDS)
    return code


@action(audit=False)  # a login code asked for: its delivery row (masked number, sealed code) is the record
def _login_code_notification(*, phone: str, code: str) -> Any:
    from notifications.models import Channel
    from notifications.services import Address, notify

    notification = notify([Address(Channel.SMS, phone)], "account.login_code", {"code": code})
    assert notification is not None  # an address is always someone
    return notification


def login_with_sms(*, phone: str, code: str) -> tuple[str, AccessToken]:
    """Check the texted code (one use, at most SMS_CODE_MAX_ATTEMPTS tries), then a token for the
    resident with that phone in this company — created on first login."""
    from django.core.cache import cache

    key = _code_key(phone)
    entry = cache.get(key)
    wrong = DomainError(_("验证码错误或已过期。"), code="invalid_code", fields={"code": [_("验证码错误或已过期。")]})
    if entry is None:
        raise wrong
    if not hmac.compare_digest(entry["digest"], _code_digest(phone, code)):
        entry["attempts"] += 1
        if entry["attempts"] >= settings.SMS_CODE_MAX_ATTEMPTS:
            cache.delete(key)  # too many guesses: this code is dead, ask for a new one
        else:
            cache.set(key, entry, settings.SMS_CODE_TTL_SECONDS)
        raise wrong
    cache.delete(key)
    return _sms_account_token(phone=phone)


@action
def _sms_account_token(*, phone: str) -> tuple[str, AccessToken]:
    index = phone_index(phone)
    # Owner-app logins reach resident accounts only: a staff member with the same phone gets a
    # separate resident identity, never their staff powers through a phone code.
    user = (
        User.objects.select_for_update()
        .filter(phone_index__in=phone_indexes(phone), roles__contains=[Role.RESIDENT.value])
        .order_by("pk")
        .first()
    )
    if user is None:
        user = User(
            username=f"m_{index[:20]}_{secrets.token_hex(3)}",
            phone=phone,
            phone_index=index,
            roles=[Role.RESIDENT.value],
        )
        user.set_unusable_password()
        user.save()
        record_audit(actor=user, action="user.create", object_type="user", object_id=user.pk, after={"via": "sms"})
    return _owner_app_token(user=user, kind="sms")
