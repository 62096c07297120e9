"""Beat work in every company's schema: published activities that have ended are finished; owners
confirmed for an activity about to start are reminded (each once: services.reminders)."""

from __future__ import annotations

from celery import shared_task

from tenants.activities.services import finish_ended, send_reminders


@shared_task(name="tenants.activities.tasks.finish_ended_activities")
def finish_ended_activities() -> int:
    return finish_ended()


@shared_task(name="tenants.activities.tasks.remind_upcoming")
def remind_upcoming() -> int:
    return send_reminders()
