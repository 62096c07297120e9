"""Qualification documents that ran out: the vendor's listings are suspended, in every company, until
a valid document of the same kind replaces it (partners.services.vendors.add_document). Run by beat
once a day in the public schema; the documents' `expired_at` and the vendor's own suspension are the
guards that make a second run (a redelivered task, two beats) change nothing and audit nothing."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import services as account_services
from core.actions import action
from partners.models import QualificationDocument, Vendor


@dataclass(frozen=True)
class ExpiryRun:
    documents_expired: int
    vendors_suspended: int


def lapsed_documents(*, vendor: Vendor | None = None) -> QuerySet[QualificationDocument]:
    """Documents past their expiry date that no newer document of the same kind replaced."""
    newer = QualificationDocument.objects.filter(
        vendor_id=OuterRef("vendor_id"), kind=OuterRef("kind"), uploaded_at__gt=OuterRef("uploaded_at")
    )
    lapsed = QualificationDocument.objects.filter(expires_on__lt=timezone.localdate()).exclude(Exists(newer))
    return lapsed.filter(vendor=vendor) if vendor is not None else lapsed


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
        kinds = sorted(set(lapsed_documents(vendor=vendor).values_list("kind", flat=True)))
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
