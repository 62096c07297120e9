"""Beat work in every company's schema: scheduled announcements whose time has come."""

from __future__ import annotations

from celery import shared_task

from tenants.notices.services import publish_due


@shared_task(name="tenants.notices.tasks.publish_due_notices")
def publish_due_notices() -> int:
    return publish_due()
