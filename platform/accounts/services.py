"""Every write about users, logins, tokens and the audit trail."""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import login_throttle, password_codes, selectors, validators
from accounts.models import AccessToken, AuditEvent, User
from accounts.roles import STAFF_ROLES, Role
from accounts.selectors import token_hash
from core import actions, context, crypto, ratelimit, text
from core.actions import action
from core.errors import DomainError, NotFound, RateLimited
from subscriptions.services import limits


class InvalidCredentials(DomainError):
    status_code = 401

    def __init__(self) -> None:
        super().__init__(_("用户名或密码错误。"), code="invalid_credentials")


def phone_index(phone: str) -> str:
    """The phone's index to store (current key). Normalised here too, so a number stored as typed
    still meets its lookups."""
    phone = validators.normalise_phone(phone)
    return crypto.blind_index(phone, purpose="phone") if phone else ""


def phone_indexes(phone: str) -> tuple[str, ...]:
    """The phone's index under every configured key, to find rows (`phone_index__in=`): during a key
    rotation some rows still carry the old key's index."""
    phone = validators.normalise_phone(phone)
    return crypto.blind_indexes(phone, purpose="phone") if phone else ()


def spend_pii_lookup(*, actor: User, what: str) -> None:
    """Count one lookup of personal data by whole value (`what`: "phone_search", "id_number_check"):
    a search by phone number, an ID number checked against everyone's. Lists show those values
    masked; an unlimited exact lookup would let anyone unmask them by trying every candidate
    (10^4 for a masked phone). Raises RateLimited once the actor's budget is spent; the first
    refusal in a window is audited (committed before the caller is told: call this outside an action)."""
    reveal = actor.has_permission("pii.reveal")
    rates = settings.PII_LOOKUP_LIMITS_REVEAL if reveal else settings.PII_LOOKUP_LIMITS
    # "throttle_" in the key: the same family as DRF's throttle counters (tests clear it between tests).
    verdict = ratelimit.hit(f"throttle_pii_lookup:{actor.pk}", rates)
    if verdict.retry_after is None:  # allowed
        return
    if verdict.first_refusal:
        _audit_lookup_refused(actor=actor, what=what)
    minutes = max(1, -(-verdict.retry_after // 60))
    raise RateLimited(
        _("按手机号或身份证号查询过于频繁，请 %(minutes)s 分钟后再试。") % {"minutes": minutes},
        retry_after=verdict.retry_after,
    )


@action
def _audit_lookup_refused(*, actor: User, what: str) -> None:
    record_audit(actor=actor, action="pii.lookup_limited", object_type="user", object_id=actor.pk, after={"what": what})


def _checked_name(name: str) -> str:
    """A person's name as stored (core.text.clean_name); typed characters of which nothing is
    visible (zero-width spaces only) are refused rather than saved as an empty-looking name."""
    cleaned = text.clean_name(name)
    if not cleaned and (name or "").strip():
        raise DomainError(_("姓名不能只包含不可见字符。"), fields={"name": [_("姓名不能只包含不可见字符。")]})
    limit = getattr(User._meta.get_field("name"), "max_length", None)
    if limit is not None and len(cleaned) > limit:
        raise DomainError(_("姓名过长。"), fields={"name": [_("姓名过长。")]})
    return cleaned


# The actor label of an unnamed step (record_audit(anonymous=True)).
ANONYMOUS = "anonymous"


def record_audit(
    *,
    actor: User | None,
    action: str,
    object_type: str = "",
    object_id: Any = "",
    before: dict | None = None,
    after: dict | None = None,
    anonymous: bool = False,
    actor_label: str = "",
) -> AuditEvent:
    """One line of the audit trail, in the current company's schema, with the request's IP — written
    inside the running action, so it commits with what it describes or not at all.

    `anonymous`: a step someone took without being named (an anonymous suggestion's owner): the row
    keeps no actor, the neutral label "anonymous", and neither the IP nor the request id that would
    lead back to them.

    `actor_label`: who acted when it is no user of this schema (a vendor's account in the partner
    portal, "partner:<id>"); the row then keeps no actor."""
    actions.note_audit()
    if anonymous:
        actor = None
    return AuditEvent.objects.create(
        actor=actor if actor is not None and actor.pk else None,
        actor_label=ANONYMOUS
        if anonymous
        else (actor_label or (actor.username if actor is not None else "system"))[:100],
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        before=before,
        after=after,
        ip=None if anonymous else context.client_ip.get(),
        request_id="" if anonymous or context.request_id.get() == "-" else context.request_id.get(),
    )


def _user_snapshot(user: User) -> dict:
    return {
        "username": user.username,
        "name": user.name,
        "roles": list(user.roles),
        "is_active": user.is_active,
        "phone": user.phone_masked,
        "email": user.email,
    }


@action
def create_user(
    *,
    username: str,
    name: str = "",
    roles: list[str],
    password: str | None = None,
    password_hash: str | None = None,
    phone: str = "",
    email: str = "",
    actor: User | None = None,
) -> User:
    unknown = set(roles) - set(Role.values)
    if unknown:
        raise DomainError(_("未知角色。"), fields={"roles": [_("未知角色：%s") % ", ".join(sorted(unknown))]})
    username = validators.normalise_username(username)
    if problem := validators.username_problem(username):
        raise DomainError(problem, fields={"username": [problem]})
    if User.objects.filter(username__iexact=username).exists():
        raise DomainError(_("用户名已存在。"), fields={"username": [_("用户名已存在。")]})
    name = _checked_name(name)
    phone = validators.normalise_phone(phone)
    if _counts_as_staff(roles=roles, is_active=True):
        limits.hold(limits.STAFF, adding=1)
    user = User(username=username, name=name, roles=sorted(set(roles)), phone=phone, email=email)
    user.phone_index = phone_index(phone)
    if password_hash:
        user.password = password_hash
    elif password:
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise DomainError(_("密码不符合要求。"), fields={"password": list(exc.messages)}) from exc
        user.set_password(password)
    else:
        user.set_unusable_password()
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError as exc:  # a concurrent create of the same username
        raise DomainError(_("用户名已存在。"), fields={"username": [_("用户名已存在。")]}) from exc
    after = _user_snapshot(user)
    # Staff created without a password are invited to set one (a link to their own phone or email):
    # otherwise nobody could ever sign in to the account.
    if not (password or password_hash) and _counts_as_staff(roles=user.roles, is_active=True):
        channel = password_codes.channel_for(user)
        if channel is not None:
            password_codes.issue_invitation(user=user, channel=channel)
        after["invited"] = channel or ""
    record_audit(actor=actor, action="user.create", object_type="user", object_id=user.pk, after=after)
    return user


@action
def update_user(*, user: User, actor: User | None, **changes: Any) -> User:
    allowed = {"name", "roles", "is_active", "email", "phone"}
    if set(changes) - allowed:
        raise DomainError(_("不能修改这些字段。"), fields={k: [_("不可修改。")] for k in set(changes) - allowed})
    if "roles" in changes:
        unknown = set(changes["roles"]) - set(Role.values)
        if unknown:
            raise DomainError(_("未知角色。"), fields={"roles": [_("未知角色：%s") % ", ".join(sorted(unknown))]})
        changes["roles"] = sorted(set(changes["roles"]))
    if (
        actor is not None
        and user.pk == actor.pk
        and (changes.get("is_active") is False or ("roles" in changes and Role.ADMIN not in changes["roles"]))
    ):
        raise DomainError(_("不能停用自己或撤销自己的管理员角色。"), code="self_lockout")
    if "name" in changes:
        changes["name"] = _checked_name(changes["name"])
    if "phone" in changes:
        changes["phone"] = validators.normalise_phone(changes["phone"])
    before = _user_snapshot(user)
    if not _counts_as_staff(roles=user.roles, is_active=user.is_active) and _counts_as_staff(
        roles=changes.get("roles", user.roles), is_active=changes.get("is_active", user.is_active)
    ):
        limits.hold(limits.STAFF, adding=1)  # re-enabled, or given a staff role: takes a staff slot
    for field, value in changes.items():
        setattr(user, field, value)
    if "phone" in changes:
        user.phone_index = phone_index(changes["phone"])
    if changes.get("is_active") is False:
        _end_sign_ins(user)
    user.save()
    record_audit(
        actor=actor,
        action="user.update",
        object_type="user",
        object_id=user.pk,
        before=before,
        after=_user_snapshot(user),
    )
    return user


def _counts_as_staff(*, roles: list[str], is_active: bool) -> bool:
    """A staff account, as the plan's staff limit counts them (subscriptions.services.limits)."""
    return is_active and bool(set(roles) & {r.value for r in STAFF_ROLES})


def _owner_snapshot(user: User) -> dict:
    return {"is_active": user.is_active, "phone": user.phone_masked, "name": user.name}


@action
def disable_owner_account(*, user: User, actor: User) -> User:
    """Shut an owner out of the app: no WeChat or SMS login, and every token they hold dies now."""
    user = _locked_owner_account(user)
    before = _owner_snapshot(user)
    user.is_active = False
    _end_sign_ins(user)
    user.save(update_fields=["is_active", "session_version"])
    record_audit(
        actor=actor,
        action="owner_account.disable",
        object_type="user",
        object_id=user.pk,
        before=before,
        after=_owner_snapshot(user),
    )
    return user


@action
def enable_owner_account(*, user: User, actor: User) -> User:
    """Let a disabled owner log in again (with a new login: the old tokens stay revoked)."""
    user = _locked_owner_account(user)
    before = _owner_snapshot(user)
    user.is_active = True
    user.save(update_fields=["is_active"])
    record_audit(
        actor=actor,
        action="owner_account.enable",
        object_type="user",
        object_id=user.pk,
        before=before,
        after=_owner_snapshot(user),
    )
    return user


def _locked_owner_account(user: User) -> User:
    found = selectors.owner_accounts().select_for_update().filter(pk=user.pk).first()
    if found is None:  # a staff account, or gone: not this permission's business
        raise NotFound()
    return found


def authenticate_password(*, username: str, password: str, ip: str | None) -> User:
    """Check a password from the client at `ip`, under the login backoff (accounts.login_throttle):
    too many attempts answer 429 before any password is checked; no account is ever locked. The
    attempt is audited (and committed) before the caller is told."""
    # Usernames are stored lower-case (validators.normalise_username): `Admin` signs in as admin,
    # and counts against admin's backoff (a case variant is no fresh set of attempts).
    username = validators.normalise_username(username)
    login_throttle.take_turn(username=username, ip=ip)
    user, accepted = _check_password(username=username, password=password)
    if not accepted or user is None:
        raise InvalidCredentials()
    login_throttle.succeeded(username=username, ip=ip)
    return user


@action
def _check_password(*, username: str, password: str) -> tuple[User | None, bool]:
    # A staff member signs in by username, or by their phone or email when no one else has it.
    user = User.objects.filter(username=username).first() or (
        selectors.find_account(username) if "@" in username or username[:1].isdigit() else None
    )
    if user is None:
        User().set_password(password)  # same work as a real check: no timing hint that the name is unknown
        # Never the typed name itself: people type their password into the wrong box. A keyed hash
        # still shows the same unknown name tried again and again.
        record_audit(
            actor=None,
            action="login.unknown_user",
            object_type="user",
            object_id=crypto.blind_index(username[:150], purpose="unknown-username")[:16],
        )
        return None, False
    password_ok = user.check_password(password)  # checked even for a disabled user: same timing
    if not (user.is_active and password_ok):
        record_audit(actor=user, action="login.failed", object_type="user", object_id=user.pk)
        return user, False
    user.last_login = timezone.now()
    user.save(update_fields=["last_login"])
    record_audit(actor=user, action="login.succeeded", object_type="user", object_id=user.pk)
    return user, True


@action
def issue_token(*, user: User, kind: str) -> tuple[str, AccessToken]:
    raw = secrets.token_urlsafe(32)
    token = AccessToken.objects.create(
        key_hash=token_hash(raw),
        user=user,
        kind=kind,
        expires_at=timezone.now() + timedelta(days=settings.ACCESS_TOKEN_DAYS),
    )
    record_audit(actor=user, action="token.issue", object_type="access_token", object_id=token.pk, after={"kind": kind})
    return raw, token


@action
def revoke_token(*, token: AccessToken) -> None:
    AccessToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    record_audit(actor=token.user, action="token.revoke", object_type="access_token", object_id=token.pk)


def revoke_all_tokens(*, user: User) -> int:
    return AccessToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())


def _end_sign_ins(user: User) -> None:
    """End every session and token of `user` (the caller saves the user, in its transaction).

    Sessions are found by no query: a new session_version changes the hash Django checks on each
    request, so every session made before is refused (and flushed) from now on — re-enabling the
    user later does not bring them back.
    """
    user.session_version += 1
    revoke_all_tokens(user=user)


def touch_token(*, token: AccessToken) -> None:
    """Record use at most once a minute: a token is read on every request, written rarely."""
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        _note_token_use(token=token, at=now)


@action(audit=False)  # bookkeeping of the last use, not a change anyone made
def _note_token_use(*, token: AccessToken, at: Any) -> None:
    AccessToken.objects.filter(pk=token.pk).update(last_used_at=at)
