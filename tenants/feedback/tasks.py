"""Feedback's background work (beat, in every company's schema). Safe to run twice or at once: each
notice is guarded by the item's own row (services.overdue)."""

from __future__ import annotations

from celery import shared_task

from tenants.feedback import services


@shared_task(name="tenants.feedback.tasks.sweep_overdue")
def sweep_overdue() -> int:
    """Items past the company's reply time, each notified once."""
    return services.sweep_overdue()


@shared_task(name="tenants.feedback.tasks.discard_unattached_photos")
def discard_unattached_photos() -> int:
    """Daily: photos uploaded and never filed with."""
    return services.discard_unattached_photos()
