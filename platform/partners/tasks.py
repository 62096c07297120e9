"""Partners' periodic work, in the public schema (beat: config.celery)."""

from __future__ import annotations

from celery import shared_task

from core.outbox.registry import handles
from partners.services import expiry


@shared_task
def suspend_lapsed_listings() -> dict[str, int]:
    """Idempotent: documents already marked and vendors already suspended are left alone."""
    run = expiry.suspend_lapsed_listings()
    reminded = expiry.remind_expiring_documents()
    return {
        "documents_expired": run.documents_expired,
        "vendors_suspended": run.vendors_suspended,
        "reminded": reminded,
    }


@handles(expiry.TOPIC_REMIND)
def tell_partner_managers(*, document_id: int) -> None:
    expiry.tell_partner_managers(document_id=document_id)
