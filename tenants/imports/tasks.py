"""The dry run and the commit of an import, in the company's schema (tenant-schemas-celery puts the
schema in the message). Each is guarded by the import's status, so a redelivered task does nothing."""

from __future__ import annotations

from celery import shared_task
from django.db import OperationalError

from tenants.imports import services


@shared_task(autoretry_for=(OperationalError,), retry_backoff=2, retry_backoff_max=60, max_retries=3)
def validate_import_task(import_id: int) -> str | None:
    record = services.run_validation(import_id=import_id)
    return record.status if record else None


@shared_task(autoretry_for=(OperationalError,), retry_backoff=2, retry_backoff_max=60, max_retries=3)
def commit_import_task(import_id: int) -> str | None:
    record = services.run_commit(import_id=import_id)
    return record.status if record else None
