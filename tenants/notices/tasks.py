"""Beat work in every company's schema: scheduled announcements whose time has come, and body
images no announcement names."""

from __future__ import annotations

from celery import shared_task

from tenants.notices.services import discard_unused_images, publish_due


@shared_task(name="tenants.notices.tasks.publish_due_notices")
def publish_due_notices() -> int:
    return publish_due()


@shared_task(name="tenants.notices.tasks.discard_unused_images")
def discard_unused_notice_images() -> int:
    return discard_unused_images()
