"""A vendor's own writes, on the public host: signing up, signing in, tokens, qualification documents.
Audited on the public schema's trail, the acting vendor account named as "partner:<id>"."""

from __future__ import annotations

import secrets
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import login_throttle
from accounts import services as account_services
from accounts.validators import normalise_phone
from core import crypto, text
from core.actions import action
from core.errors import DomainError
from partners import selectors
from partners.models import (
    DocumentKind,
    PartnerToken,
    QualificationDocument,
    Vendor,
    VendorAccount,
    VendorKind,
    VendorRole,
)

# No 0/O, 1/I/L: a code read out over the phone to a company's staff.
_CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
# What a document's first bytes must be (the declared content type is the client's word, not the file's).
DOCUMENT_SIGNATURES = (b"%PDF-", b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n")


class InvalidPartnerCredentials(DomainError):
    status_code = 401

    def __init__(self) -> None:
        super().__init__(_("手机号或密码错误。"), code="invalid_credentials")


class VendorStopped(DomainError):
    """The right password of a vendor the platform stopped: told why (only to whoever knows the
    password), instead of a wrong-password answer that would send it resetting its password."""

    status_code = 403

    def __init__(self, reason: str) -> None:
        super().__init__(
            _("您的服务商已被平台停用（%(reason)s），请联系平台客服。") % {"reason": reason}, code="vendor_deactivated"
        )


def label(account: VendorAccount | None) -> str:
    """How the audit trail names a vendor's account (it is no user of any schema)."""
    return f"partner:{account.pk}" if account is not None else "system"


def phone_index(phone: str) -> str:
    return crypto.blind_index(phone, purpose="partner_phone", schema="public") if phone else ""


def clean_text(value: str, *, field: str, limit: int) -> str:
    cleaned = text.clean_name(value)
    if not cleaned:
        raise DomainError(_("请填写此项。"), fields={field: [_("请填写此项。")]})
    if len(cleaned) > limit:
        raise DomainError(_("内容过长。"), fields={field: [_("内容过长。")]})
    return cleaned


def _looks_like_a_document(file: UploadedFile) -> bool:
    file.seek(0)
    head = file.read(8)
    file.seek(0)
    return any(head.startswith(signature) for signature in DOCUMENT_SIGNATURES)


def _new_code() -> str:
    return "".join(secrets.choice(_CODE_ALPHABET) for _ in range(8))


@action
def sign_up_vendor(
    *, name: str, kind: str, contact_name: str, phone: str, password: str, invitation: str = ""
) -> tuple[Vendor, VendorAccount]:
    """A vendor signs up on the public site: the vendor and its first account, the manager. With a
    company's invitation it applies to that company at once (a stale link: nothing is written)."""
    if kind not in VendorKind.values:
        raise DomainError(_("未知的服务商类型。"), fields={"kind": [_("未知的服务商类型。")]})
    name = clean_text(name, field="name", limit=100)
    contact_name = clean_text(contact_name, field="contact_name", limit=50)
    phone = normalise_phone(phone)
    if selectors.account_by_phone(phone) is not None:
        raise DomainError(_("该手机号已注册。"), fields={"phone": [_("该手机号已注册。")]})
    try:
        validate_password(password)
    except ValidationError as exc:
        raise DomainError(_("密码不符合要求。"), fields={"password": list(exc.messages)}) from exc
    vendor = Vendor(name=name, kind=kind, contact_name=contact_name, phone=phone, code=_new_code())
    account = VendorAccount(name=contact_name, phone=phone, phone_index=phone_index(phone), role=VendorRole.MANAGER)
    account.set_password(password)
    try:
        with transaction.atomic():
            while Vendor.objects.filter(code=vendor.code).exists():
                vendor.code = _new_code()
            vendor.save()
            account.vendor = vendor
            account.save()
    except IntegrityError as exc:  # the same phone signing up twice at once
        raise DomainError(_("该手机号已注册。"), fields={"phone": [_("该手机号已注册。")]}) from exc
    shown = {"name": vendor.name, "kind": vendor.kind, "phone": vendor.phone_masked}
    trail(account, "partner.signup", "vendor", vendor.pk, after=shown)
    if invitation:
        from partners.services import invitations  # it builds on this module's helpers

        try:
            invitations.accept(account=account, token=invitation)
        except DomainError as exc:  # the link: stale or unknown — a field of this form, nothing written
            message = exc.message if exc.status_code != 404 else _("邀请链接无效，请联系物业重新发送。")
            raise DomainError(message, code=exc.code, fields={"invitation": [message]}) from exc
    return vendor, account


def authenticate(*, phone: str, password: str, ip: str | None) -> VendorAccount:
    """Check a vendor's password under the same login backoff as every password login
    (accounts.login_throttle, its counters in the public schema under a name of their own)."""
    phone = normalise_phone(phone)
    throttle_name = f"partner:{phone}"
    login_throttle.take_turn(username=throttle_name, ip=ip)
    account, outcome = _check_password(phone=phone, password=password)
    if outcome == STOPPED and account is not None:
        raise VendorStopped(account.vendor.deactivated_reason)
    if outcome != SIGNED_IN or account is None:
        raise InvalidPartnerCredentials()
    login_throttle.succeeded(username=throttle_name, ip=ip)
    return account


SIGNED_IN, REFUSED, STOPPED = "signed_in", "refused", "stopped"


@action
def _check_password(*, phone: str, password: str) -> tuple[VendorAccount | None, str]:
    account = selectors.account_by_phone(phone)
    if account is None:
        VendorAccount().set_password(password)  # the same work as a real check: no timing hint
        account_services.record_audit(
            actor=None,
            action="partner.login_unknown",
            object_type="vendor_account",
            object_id=crypto.blind_index(phone[:20], purpose="unknown-username", schema="public")[:16],
        )
        return None, REFUSED
    ok = account.check_password(password)
    if not (ok and account.is_active):
        trail(account, "partner.login_failed", "vendor_account", account.pk)
        return account, REFUSED
    if not account.vendor.is_active:
        trail(account, "partner.login_refused_stopped", "vendor_account", account.pk)
        return account, STOPPED
    account.last_login = timezone.now()
    account.save(update_fields=["last_login"])
    trail(account, "partner.login", "vendor_account", account.pk)
    return account, SIGNED_IN


@action
def issue_token(*, account: VendorAccount) -> tuple[str, PartnerToken]:
    raw = secrets.token_urlsafe(32)
    token = PartnerToken.objects.create(
        key_hash=selectors.token_hash(raw),
        account=account,
        expires_at=timezone.now() + timedelta(days=settings.ACCESS_TOKEN_DAYS),
    )
    trail(account, "partner.token_issue", "partner_token", token.pk)
    return raw, token


@action
def revoke_token(*, token: PartnerToken) -> None:
    PartnerToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    trail(token.account, "partner.token_revoke", "partner_token", token.pk)


@action
def add_document(
    *, account: VendorAccount, kind: str, number: str, file: UploadedFile, expires_on: date | None
) -> QualificationDocument:
    """A licence or certificate uploaded: it replaces the vendor's older one of its kind. A valid one
    lifts the suspension an expired document put on the vendor's listings, when no other current
    document is out of date."""
    from partners.services import expiry

    if kind not in DocumentKind.values:
        raise DomainError(_("未知的资质类型。"), fields={"kind": [_("未知的资质类型。")]})
    number = clean_text(number, field="number", limit=64)
    if file.size is None or file.size > MAX_DOCUMENT_BYTES:
        raise DomainError(_("文件不能超过 10 MB。"), fields={"file": [_("文件不能超过 10 MB。")]})
    if not _looks_like_a_document(file):
        raise DomainError(_("请上传 PDF、JPG 或 PNG 文件。"), fields={"file": [_("请上传 PDF、JPG 或 PNG 文件。")]})
    today = timezone.localdate()
    if expires_on is not None and expires_on < today:
        raise DomainError(_("该证件已过期。"), fields={"expires_on": [_("该证件已过期。")]})
    vendor = Vendor.objects.select_for_update().get(pk=account.vendor_id)
    document = QualificationDocument(vendor=vendor, kind=kind, number=number, expires_on=expires_on)
    document.file.save(f"{vendor.pk}-{secrets.token_hex(8)}", file, save=False)
    try:  # the file is written before the row: a failure from here on takes it away again
        document.save()
        after: dict[str, Any] = {"kind": kind, "number": number, "expires_on": str(expires_on or "")}
        if vendor.listings_suspended_at is not None and not expiry.lapsed_documents(vendor=vendor).exists():
            vendor.listings_suspended_at = None
            vendor.listings_suspended_reason = ""
            vendor.save(update_fields=["listings_suspended_at", "listings_suspended_reason"])
            after["listings_restored"] = True
        trail(account, "partner.document_add", "qualification_document", document.pk, after=after)
    except BaseException:
        document.file.delete(save=False)
        raise
    return document


def trail(account: VendorAccount, verb: str, object_type: str, object_id: Any, **changes: Any) -> None:
    """The vendor's own step on the public audit trail (no company user acts: the label names the account)."""
    account_services.record_audit(
        actor=None, actor_label=label(account), action=verb, object_type=object_type, object_id=object_id, **changes
    )
