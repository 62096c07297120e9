"""Partners' periodic work, in the public schema (beat: config.celery)."""

from __future__ import annotations

from celery import shared_task

from partners.services import expiry


@shared_task
def suspend_lapsed_listings() -> dict[str, int]:
    """Idempotent: documents already marked and vendors already suspended are left alone."""
    run = expiry.suspend_lapsed_listings()
    return {"documents_expired": run.documents_expired, "vendors_suspended": run.vendors_suspended}
