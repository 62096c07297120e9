"""The platform operator's moves on a vendor (the console, partners.admin): stopping one — fraud,
a licence revoked, a court order — and letting it back (the same companies' partner managers are
told it is back; what was cancelled stays cancelled).

Stopped: no sign-in or token works (partners.authentication), no owner sees it (selectors.listed_vendors),
no text goes to it; and in every company that admits it, through the outbox in that company's schema,
its orders not started are cancelled and refunded as on a company's suspension and the company's
partner managers are told — orders under way stay for the company's staff, who may now complete them."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tenants.utils import tenant_context

from accounts import selectors as account_selectors
from accounts import services as account_services
from core.actions import action, emit
from core.schemas import Schema
from notifications.services import notify
from partners import bridge, selectors
from partners.models import AdmissionStatus, Vendor

TOPIC_STOPPED = "partners.vendor_deactivated"
TOPIC_BACK = "partners.vendor_reactivated"


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"deactivated_reason": _("停用服务商须填写原因。")})
    return reason[:200]


@action(schema=Schema.PUBLIC)
def deactivate_vendor(*, vendor_id: int, reason: str, operator: Any) -> Vendor:
    reason = _reason(reason)
    vendor = Vendor.objects.select_for_update().get(pk=vendor_id)
    if not vendor.is_active:
        return vendor
    vendor.is_active, vendor.deactivated_reason = False, reason
    vendor.save(update_fields=["is_active", "deactivated_reason"])
    companies = _approved_companies(vendor)
    account_services.record_audit(
        actor=operator,
        action="partner.vendor_deactivated",
        object_type="vendor",
        object_id=vendor.pk,
        after={"reason": reason, "companies": [company.slug for company in companies]},
    )
    _tell_companies(vendor, TOPIC_STOPPED, companies)
    return vendor


def _tell_companies(vendor: Vendor, topic: str, companies: list[Any]) -> None:
    """One message per company, run in its schema; keyed by the move, so each move is told once."""
    stamp = timezone.now().isoformat()
    for company in companies:
        with tenant_context(company):
            emit(topic, {"vendor_id": vendor.pk, "stamp": stamp}, key=f"{topic}:{vendor.pk}:{stamp}")


def _approved_companies(vendor: Vendor) -> list[Any]:
    return [a.company for a in selectors.vendor_admissions(vendor).filter(status=AdmissionStatus.APPROVED)]


def _partner_managers() -> list[Any]:
    return [u for u in account_selectors.staff_users().filter(is_active=True) if u.has_permission("partners.manage")]


@action(schema=Schema.PUBLIC)
def reactivate_vendor(*, vendor_id: int, operator: Any) -> Vendor:
    """Back on the platform; what was cancelled stays cancelled."""
    vendor = Vendor.objects.select_for_update().get(pk=vendor_id)
    if vendor.is_active:
        return vendor
    before = vendor.deactivated_reason
    vendor.is_active, vendor.deactivated_reason = True, ""
    vendor.save(update_fields=["is_active", "deactivated_reason"])
    account_services.record_audit(
        actor=operator,
        action="partner.vendor_reactivated",
        object_type="vendor",
        object_id=vendor.pk,
        before={"reason": before},
    )
    _tell_companies(vendor, TOPIC_BACK, _approved_companies(vendor))
    return vendor


# The cancellations write their own audit rows; the managers' notification is the record of the rest.
@action(schema=Schema.COMPANY, audit=False)
def stop_in_company(*, vendor_id: int, stamp: str) -> int:
    """In one company's schema: cancel and refund the stopped vendor's orders not started (none the
    second time), and tell the partner managers once. Nothing if the vendor was let back meanwhile."""
    vendor = Vendor.objects.filter(pk=vendor_id).first()
    if vendor is None or vendor.is_active:
        return 0
    cancelled = bridge.orders().vendor_suspended(vendor_id=vendor_id, actor=None)
    context = {"vendor": vendor.name, "reason": vendor.deactivated_reason, "cancelled": cancelled}
    notify(_partner_managers(), "partners.vendor_deactivated", context, key=f"{TOPIC_STOPPED}:{vendor_id}:{stamp}")
    return cancelled


@action(schema=Schema.COMPANY, audit=False)
def back_in_company(*, vendor_id: int, stamp: str) -> bool:
    """In one company's schema: tell the partner managers the vendor is back (once). Nothing if it
    was stopped again meanwhile, or if this company no longer admits it."""
    vendor = Vendor.objects.filter(pk=vendor_id, is_active=True).first()
    if (
        vendor is None
        or not selectors.company_admissions().filter(vendor=vendor, status=AdmissionStatus.APPROVED).exists()
    ):
        return False
    notify(
        _partner_managers(),
        "partners.vendor_reactivated",
        {"vendor": vendor.name},
        key=f"{TOPIC_BACK}:{vendor_id}:{stamp}",
    )
    return True
