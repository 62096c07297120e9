"""Repairs' background work: the SLA and auto-close sweep (beat, every minute in every company's
schema). Safe to run twice or at once: each warning, escalation and closing is guarded by the
order's own row (services.sla)."""

from __future__ import annotations

from celery import shared_task

from tenants.repairs import services


@shared_task(name="tenants.repairs.tasks.sweep_repairs")
def sweep_repairs() -> dict[str, int]:
    """Warnings due, breaches and completed orders left unconfirmed too long, in this company."""
    return services.sweep_timers()


@shared_task(name="tenants.repairs.tasks.discard_unattached_photos")
def discard_unattached_photos() -> int:
    """Daily: photos uploaded and never attached to an order (the owner gave up filing), rows and files."""
    return services.discard_unattached_photos()
