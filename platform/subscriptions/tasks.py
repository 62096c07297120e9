"""The daily check of trial and grace periods (public schema, celery beat). Safe to run twice: each
company's transition is written once, and a second pass finds nothing due."""

from __future__ import annotations

from celery import shared_task

from subscriptions.services import lifecycle


@shared_task
def check_subscriptions() -> dict[str, int]:
    return lifecycle.check_all()
