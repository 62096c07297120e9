from __future__ import annotations

from datetime import timedelta

from celery import shared_task
from django.db import OperationalError
from django.utils import timezone

from companies import selectors, services
from core.errors import DomainError


@shared_task(
    bind=True,
    autoretry_for=(OperationalError,),
    retry_backoff=2,
    retry_backoff_max=60,
    max_retries=5,
)
def provision_company_task(self, signup_id: str) -> str | None:
    """Provision a signed-up company. Idempotent: the signup's status is the guard."""
    try:
        company = services.provision_company(signup_id=signup_id)
    except DomainError:
        return None  # recorded on the signup as failed; retrying would fail the same way
    return company.schema_name if company else None


@shared_task
def requeue_stale_signups() -> int:
    """Queue again a signup whose task was lost (broker down at enqueue time) or whose worker died
    mid-way (its transaction rolled back, so provisioning simply starts over)."""
    stale = selectors.stale_signups(older_than=timezone.now() - timedelta(minutes=5))
    for signup_id in stale:
        provision_company_task.delay(str(signup_id))
    return len(stale)
