"""A company invites a vendor that is not on the platform yet (or whose code it does not know) by
text message: a link to the portal's 加入 page, good for INVITE_TTL. Whoever opens it signs up (or
signs in) and so applies to that company; the company still reviews the documents and decides.

The link's token is kept only as its SHA-256; it travels sealed in the outbox message that texts it,
from the platform's own SMS account (notifications.sms: vendor_invite). A company learns nothing of
who owns a phone: an invitation to a number already signed up goes out the same way."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tenants.utils import get_public_schema_name

from accounts import services as account_services
from accounts.models import AuditEvent
from accounts.validators import normalise_phone
from companies.models import Company
from core import crypto
from core.actions import action, emit
from core.errors import DomainError, NotFound
from core.schemas import Schema
from notifications import sms
from notifications.services.quiet_hours import quiet_until
from partners.models import Admission, VendorAccount, VendorInvitation
from partners.services import admissions
from partners.services.notices import NIGHT
from partners.services.vendors import clean_text, phone_index, trail

TOPIC_SMS = "partners.invitation_sms"
INVITE_TTL = timedelta(days=7)
DAILY_LIMIT = 50  # texts a company sends (first or again) in 24 hours
RESEND_AFTER = timedelta(minutes=10)  # one phone is not texted again sooner
SENDS = ("partner_invitation.invite", "partner_invitation.resend")


class InvitationState:
    PENDING = "pending"
    ACCEPTED = "accepted"
    EXPIRED = "expired"
    REVOKED = "revoked"


def state(invitation: VendorInvitation) -> str:
    if invitation.accepted_at is not None:
        return InvitationState.ACCEPTED
    if invitation.revoked_at is not None:
        return InvitationState.REVOKED
    if invitation.expires_at <= timezone.now():
        return InvitationState.EXPIRED
    return InvitationState.PENDING


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def join_link(token: str) -> str:
    scheme, port = settings.PUBLIC_SCHEME, settings.PUBLIC_PORT
    suffix = f":{port}" if port and port != {"http": "80", "https": "443"}[scheme] else ""
    return f"{scheme}://{settings.BASE_DOMAIN}{suffix}/partner/join?invite={token}"


def company_invitations() -> QuerySet[VendorInvitation]:
    """The current company's invitations (another company's are none of its business)."""
    return VendorInvitation.objects.filter(company=admissions.own_company()).select_related("vendor")


def _audit(invitation: VendorInvitation, verb: str, actor: Any) -> None:
    account_services.record_audit(
        actor=actor,
        action=f"partner_invitation.{verb}",
        object_type="partner_invitation",
        object_id=invitation.pk,
        after={"name": invitation.name, "phone": invitation.phone_masked, "expires_at": str(invitation.expires_at)},
    )


def _send(invitation: VendorInvitation) -> None:
    """A fresh token (the last one stops working) and its text, in the caller's transaction."""
    token = secrets.token_urlsafe(24)
    invitation.token_hash = _hash(token)
    invitation.expires_at = timezone.now() + INVITE_TTL
    invitation.sent_at, invitation.sms_error = None, ""
    invitation.save()
    emit(
        TOPIC_SMS,
        {"invitation_id": invitation.pk, "secret": crypto.encrypt(token, schema=get_public_schema_name())},
        key=f"vendor-invitation:{invitation.pk}:{invitation.token_hash[:16]}",
        available_at=quiet_until(start=NIGHT[0], end=NIGHT[1], now=timezone.now()),  # a stranger's phone
    )


@action(schema=Schema.COMPANY)
def invite(*, name: str, contact_name: str, phone: str, actor: Any) -> VendorInvitation:
    company = admissions.own_company()
    name = clean_text(name, field="name", limit=100)
    contact_name = clean_text(contact_name, field="contact_name", limit=50) if (contact_name or "").strip() else ""
    phone = normalise_phone(phone)
    index = phone_index(phone)
    _within_daily_limit(company)  # and, under the company's lock, no second invitation at once
    earlier = VendorInvitation.objects.select_for_update().filter(company=company, phone_index=index)
    if any(state(one) == InvitationState.PENDING for one in earlier):
        message = _("已向该手机号发出邀请，可在邀请列表中重新发送。")
        raise DomainError(message, code="already_invited", fields={"phone": [message]})
    invitation = VendorInvitation(
        company=company,
        name=name,
        contact_name=contact_name,
        phone=phone,
        phone_index=index,
        token_hash="",
        invited_by=(getattr(actor, "name", "") or getattr(actor, "username", "") or "")[:100],  # as staff know them
        expires_at=timezone.now() + INVITE_TTL,
    )
    invitation.token_hash = _hash(secrets.token_urlsafe(24))  # replaced by _send: unique from the start
    invitation.save()
    _send(invitation)
    _audit(invitation, "invite", actor)
    return invitation


def _within_daily_limit(company: Company) -> None:
    """Texts cost money and can pester: at most DAILY_LIMIT sent (first or again) in 24 hours, counted
    from the company's own audit trail — every send is a row there. The company's row is locked
    first, so two staff sending at once are counted one after the other."""
    Company.objects.select_for_update().filter(pk=company.pk).first()
    since = timezone.now() - timedelta(days=1)
    sent = AuditEvent.objects.filter(action__in=SENDS, at__gte=since).count()
    if sent >= DAILY_LIMIT:
        raise DomainError(_("24 小时内发出的邀请已达上限，请稍后再试。"), code="throttled", status_code=429)


def _locked(invitation_id: Any) -> VendorInvitation:
    found = company_invitations().select_for_update(of=("self",)).filter(pk=invitation_id).first()
    if found is None:
        raise NotFound()
    return found


@action(schema=Schema.COMPANY)
def resend(*, invitation_id: Any, actor: Any) -> VendorInvitation:
    """A new link (the old one stops working) for seven more days; not once accepted or revoked."""
    invitation = _locked(invitation_id)
    if state(invitation) in (InvitationState.ACCEPTED, InvitationState.REVOKED):
        raise DomainError(_("该邀请已接受或已撤销，不能重新发送。"), code="invalid_state", status_code=409)
    if invitation.expires_at - INVITE_TTL > timezone.now() - RESEND_AFTER:
        raise DomainError(_("10 分钟内刚发送过，请稍后再试。"), code="throttled", status_code=429)
    _within_daily_limit(invitation.company)
    _send(invitation)
    _audit(invitation, "resend", actor)
    return invitation


@action(schema=Schema.COMPANY)
def revoke(*, invitation_id: Any, actor: Any) -> VendorInvitation:
    invitation = _locked(invitation_id)
    if state(invitation) == InvitationState.ACCEPTED:
        raise DomainError(_("该邀请已被接受，不能撤销。"), code="invalid_state", status_code=409)
    if invitation.revoked_at is None:
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
        _audit(invitation, "revoke", actor)
    return invitation


def by_token(token: str) -> VendorInvitation | None:
    """The invitation a link names, whatever its state (the join page says which)."""
    if not token or len(token) > 64:
        return None
    return VendorInvitation.objects.select_related("company").filter(token_hash=_hash(token)).first()


@action
def accept(*, account: VendorAccount, token: str) -> Admission:
    """The signed-in vendor takes up the invitation: it applies to the company (admissions.apply_to_company),
    and the invitation is spent. A spent, revoked or expired link: 404 / 409, nothing written."""
    found = by_token(token)
    if found is None:
        raise NotFound()
    invitation = VendorInvitation.objects.select_for_update().select_related("company").get(pk=found.pk)
    current = state(invitation)
    if current != InvitationState.PENDING:
        message = {
            InvitationState.ACCEPTED: _("该邀请已被接受。"),
            InvitationState.EXPIRED: _("该邀请已过期，请联系物业重新发送。"),
            InvitationState.REVOKED: _("该邀请已被物业撤销。"),
        }[current]
        raise DomainError(message, code=f"invitation_{current}", status_code=409)
    company: Company = invitation.company
    admission = admissions.apply_to_company(account=account, company_slug=company.slug)
    invitation.accepted_at = timezone.now()
    invitation.vendor = account.vendor
    invitation.save(update_fields=["accepted_at", "vendor"])
    trail(account, "partner.invitation_accepted", "partner_invitation", invitation.pk, after={"company": company.slug})
    return admission


@action(audit=False)  # the invitation's own row records whether its text went
def send_sms(*, invitation_id: int, secret: str) -> str:
    """Text the link, unless it was replaced, spent, revoked or expired meanwhile. A refusal of the
    number is final (the staff see it as not sent); an outage raises, for the outbox to retry."""
    invitation = (
        VendorInvitation.objects.select_for_update(of=("self",))
        .select_related("company")
        .filter(pk=invitation_id)
        .first()
    )
    token = crypto.decrypt(secret, schema=get_public_schema_name())  # sealed for the platform, whoever queued it
    if invitation is None or invitation.token_hash != _hash(token) or state(invitation) != InvitationState.PENDING:
        return "stale"
    if invitation.sent_at is not None:
        return "done"
    gateway = sms.gateway()
    if not gateway.has_template("vendor_invite"):
        return _not_sent(invitation, _("平台未配置该短信模板，短信未发送。"))
    params = {"company": invitation.company.brand_name[:20], "link": join_link(token)}
    try:
        gateway.send(phone=invitation.phone, template="vendor_invite", params=params)
    except sms.SmsError as exc:
        if exc.reason == sms.SmsFailure.UNAVAILABLE:
            raise InvitationNotSent(f"vendor invitation {invitation.pk}: {exc.code}") from exc
        return _not_sent(invitation, exc.message)
    invitation.sent_at = timezone.now()
    invitation.save(update_fields=["sent_at"])
    return "sent"


def _not_sent(invitation: VendorInvitation, error: str) -> str:
    invitation.sms_error = error[:200]
    invitation.save(update_fields=["sms_error"])
    return "refused"


@action(audit=False)  # the invitation's row says why its text did not go, for staff to send again
def sms_given_up(*, invitation_id: int, **_payload: Any) -> None:
    """The outbox gave up on the text: the staff see why, and may send it again."""
    VendorInvitation.objects.filter(pk=invitation_id, sent_at__isnull=True).update(
        sms_error=_("短信服务暂时不可用，多次重试后仍未发送。")
    )


class InvitationNotSent(Exception):
    """The SMS provider is unavailable for now: the outbox tries again."""
