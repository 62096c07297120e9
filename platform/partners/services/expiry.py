"""Qualification documents that ran out: the vendor's listings are suspended, in every company, until
a valid document of the same kind replaces it (partners.services.vendors.add_document). Run by beat
once a day in the public schema; the documents' `expired_at` and the vendor's own suspension are the
guards that make a second run (a redelivered task, two beats) change nothing and audit nothing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tenants.utils import tenant_context

from accounts import selectors as account_selectors
from accounts import services as account_services
from core.actions import action, emit
from core.schemas import Schema
from notifications.services import notify
from partners import selectors
from partners.models import AdmissionStatus, NoticeKind, QualificationDocument, Vendor
from partners.services import notices

REMIND_DAYS = 30
TOPIC_REMIND = "partners.document_expiring"


@dataclass(frozen=True)
class ExpiryRun:
    documents_expired: int
    vendors_suspended: int


def current_documents() -> QuerySet[QualificationDocument]:
    """Each vendor's latest document of each kind (a newer one replaces an older one)."""
    newer = QualificationDocument.objects.filter(
        vendor_id=OuterRef("vendor_id"), kind=OuterRef("kind"), uploaded_at__gt=OuterRef("uploaded_at")
    )
    return QualificationDocument.objects.exclude(Exists(newer))


def lapsed_documents(*, vendor: Vendor | None = None) -> QuerySet[QualificationDocument]:
    """Documents past their expiry date that no newer document of the same kind replaced."""
    lapsed = current_documents().filter(expires_on__lt=timezone.localdate())
    return lapsed.filter(vendor=vendor) if vendor is not None else lapsed


def _document_context(document: QualificationDocument) -> dict[str, str]:
    """The kind's code (named in the reader's language when read) and the dates as text."""
    return {"kind": document.kind, "number": document.number, "expires_on": str(document.expires_on)}


@action
def remind_expiring_documents() -> int:
    """Documents running out within REMIND_DAYS, each reminded once: every company that admitted the
    vendor is sent a message (in its own schema, through the outbox) for its partner managers."""
    today = timezone.localdate()
    due = list(
        current_documents()
        .select_for_update(of=("self",))
        .filter(reminded_at__isnull=True, expires_on__gte=today, expires_on__lte=today + timedelta(days=REMIND_DAYS))
    )
    for document in due:
        document.reminded_at = timezone.now()
        document.save(update_fields=["reminded_at"])
        admitted = selectors.vendor_admissions(document.vendor).filter(status=AdmissionStatus.APPROVED)
        companies = [admission.company for admission in admitted]
        account_services.record_audit(
            actor=None,
            action="partner.document_reminded",
            object_type="qualification_document",
            object_id=document.pk,
            after={"expires_on": str(document.expires_on), "companies": [c.slug for c in companies]},
        )
        notices.tell_vendor(
            vendor_id=document.vendor_id,
            kind=NoticeKind.DOCUMENT_EXPIRING,
            key=f"document:{document.pk}:expiring",
            context=_document_context(document),
        )
        for company in companies:
            with tenant_context(company):
                emit(TOPIC_REMIND, {"document_id": document.pk}, key=f"partner-document:{document.pk}:expiring")
    return len(due)


@action(schema=Schema.COMPANY, audit=False)  # a message to the company's managers: the notification is the record
def tell_partner_managers(*, document_id: int) -> bool:
    """In the company's schema: its partner managers hear of the document, if the company still admits
    the vendor; keyed by the document, so a redelivered message tells nobody twice."""
    document = QualificationDocument.objects.select_related("vendor").filter(pk=document_id).first()
    if document is None:
        return False
    admitted = selectors.company_admissions().filter(vendor_id=document.vendor_id, status=AdmissionStatus.APPROVED)
    if not admitted.exists():
        return False
    managers = [
        u for u in account_selectors.staff_users().filter(is_active=True) if u.has_permission("partners.manage")
    ]
    context = {
        "vendor": document.vendor.name,
        "kind": document.get_kind_display(),
        "number": document.number,
        "expires_on": document.expires_on,
    }
    return notify(managers, "partners.document_expiring", context, key=f"partner-document:{document.pk}") is not None


@action
def suspend_lapsed_listings() -> ExpiryRun:
    now = timezone.now()
    newly_expired = list(
        QualificationDocument.objects.select_for_update()
        .filter(expired_at__isnull=True, expires_on__lt=timezone.localdate())
        .values_list("pk", flat=True)
    )
    if newly_expired:
        QualificationDocument.objects.filter(pk__in=newly_expired).update(expired_at=now)
    to_suspend = (
        Vendor.objects.select_for_update()
        .filter(listings_suspended_at__isnull=True)
        .filter(Exists(lapsed_documents().filter(vendor_id=OuterRef("pk"))))
    )
    suspended = 0
    for vendor in to_suspend:
        lapsed = list(lapsed_documents(vendor=vendor))
        kinds = sorted({document.kind for document in lapsed})
        for document in lapsed:
            notices.tell_vendor(
                vendor_id=vendor.pk,
                kind=NoticeKind.DOCUMENT_EXPIRED,
                key=f"document:{document.pk}:expired",
                context=_document_context(document),
            )
        vendor.listings_suspended_at = now
        vendor.listings_suspended_reason = _("资质文件已过期，请上传有效的证件。")
        vendor.save(update_fields=["listings_suspended_at", "listings_suspended_reason"])
        account_services.record_audit(
            actor=None,
            action="partner.listings_suspended",
            object_type="vendor",
            object_id=vendor.pk,
            after={"expired_kinds": kinds},
        )
        suspended += 1
    if newly_expired and not suspended:
        # Documents a newer one had already replaced: bookkeeping, but still a change to account for.
        account_services.record_audit(
            actor=None,
            action="partner.documents_expired",
            object_type="qualification_document",
            after={"ids": newly_expired},
        )
    return ExpiryRun(documents_expired=len(newly_expired), vendors_suspended=suspended)
