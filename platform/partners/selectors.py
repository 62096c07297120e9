"""Every read of partners, already scoped: a vendor's own rows, or the current company's admissions."""

from __future__ import annotations

import hashlib

from django.db.models import QuerySet
from django.utils import timezone

from core import crypto
from core.db import current_schema
from partners.models import Admission, PartnerToken, QualificationDocument, Vendor, VendorAccount


def token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def active_token(raw: str) -> PartnerToken | None:
    return (
        PartnerToken.objects.select_related("account__vendor")
        .filter(key_hash=token_hash(raw), revoked_at__isnull=True, expires_at__gt=timezone.now())
        .first()
    )


def phone_indexes(phone: str) -> tuple[str, ...]:
    """A vendor account's phone under every configured key (public schema's, wherever asked)."""
    return crypto.blind_indexes(phone, purpose="partner_phone", schema="public") if phone else ()


def account_by_phone(phone: str) -> VendorAccount | None:
    return VendorAccount.objects.select_related("vendor").filter(phone_index__in=phone_indexes(phone)).first()


def vendor_documents(vendor: Vendor) -> QuerySet[QualificationDocument]:
    return QualificationDocument.objects.filter(vendor=vendor).order_by("-uploaded_at", "-id")


def vendor_admissions(vendor: Vendor) -> QuerySet[Admission]:
    """The vendor's admissions, with the company's public face only (its name), never its data."""
    return Admission.objects.filter(vendor=vendor).select_related("company").order_by("-updated_at", "-id")


def company_admissions() -> QuerySet[Admission]:
    """The admissions of the company whose schema is active: its own, and no other company's."""
    return (
        Admission.objects.filter(company__schema_name=current_schema())
        .select_related("vendor")
        .order_by("-updated_at", "-id")
    )


def company_admission_documents(admission: Admission) -> QuerySet[QualificationDocument]:
    """The documents a company reviews: those of a vendor it has an admission with."""
    return QualificationDocument.objects.filter(vendor_id=admission.vendor_id).order_by("-uploaded_at", "-id")


def vendor_by_code(code: str) -> Vendor | None:
    return Vendor.objects.filter(code=(code or "").strip().upper(), is_active=True).first()
