"""Beat work in every company's schema: published activities that have ended are finished."""

from __future__ import annotations

from celery import shared_task

from tenants.activities.services import finish_ended


@shared_task(name="tenants.activities.tasks.finish_ended_activities")
def finish_ended_activities() -> int:
    return finish_ended()
