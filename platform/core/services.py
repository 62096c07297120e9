"""Writes for jobs and task guards. Tasks call these; each is one transaction.

A job's progress is bookkeeping no person asked for: these actions write no audit row (the work the
job does is audited by its own actions)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.db import DEFAULT_DB_ALIAS, IntegrityError, connection, connections, transaction
from django.utils import timezone

from core.actions import action
from core.db import current_schema, tenant_db
from core.models import Job, JobStatus, TaskGuard


@action(audit=False)
def create_job(*, kind: str, created_by: Any = None, total: int = 0, params: dict[str, Any] | None = None) -> Job:
    return Job.objects.create(kind=kind, created_by=created_by, total=total, params=params or {})


@action(audit=False)
def start_job(*, job_id: uuid.UUID | str, total: int | None = None) -> Job:
    job = Job.objects.select_for_update().get(pk=job_id)
    job.status = JobStatus.RUNNING
    job.started_at = job.started_at or timezone.now()
    if total is not None:
        job.total = total
    job.save(update_fields=["status", "started_at", "total"])
    return job


@action(audit=False)
def report_progress(*, job_id: uuid.UUID | str, progress: int, message: str = "") -> None:
    # Its own transaction, committed at once, so pollers see it (inside a long transaction use
    # progress_outside_transaction instead).
    Job.objects.filter(pk=job_id).update(progress=progress, message=message[:500])


@contextmanager
def progress_outside_transaction(*, job_id: uuid.UUID | str) -> Iterator[Callable[[int, str], None]]:
    """report(progress, message) for work that runs inside one long transaction (an all-or-nothing
    import): written over a connection of its own to the same schema, so pollers see it at once.
    The caller must not hold a lock on the job's row meanwhile (report_progress in the transaction)."""
    side = connections.create_connection(DEFAULT_DB_ALIAS)
    tenant_db(side).set_schema(current_schema())
    table = connection.ops.quote_name(Job._meta.db_table)
    pk = uuid.UUID(str(job_id))

    def report(progress: int, message: str = "") -> None:
        with side.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} SET progress = %s, message = %s WHERE id = %s",  # noqa: S608 (model's table)
                [progress, message[:500], pk],
            )

    try:
        yield report
    finally:
        side.close()


@action(audit=False)
def finish_job(*, job_id: uuid.UUID | str, result: dict[str, Any] | None = None, message: str = "") -> None:
    job = Job.objects.get(pk=job_id)
    Job.objects.filter(pk=job_id).update(
        status=JobStatus.SUCCEEDED,
        progress=job.total,
        result=result or {},
        message=message[:500],
        finished_at=timezone.now(),
    )


@action(audit=False)
def fail_job(*, job_id: uuid.UUID | str, message: str) -> None:
    Job.objects.filter(pk=job_id).update(status=JobStatus.FAILED, message=message[:500], finished_at=timezone.now())


def claim_once(*, key: str) -> bool:
    """Record `key` inside the caller's transaction; False if it was already recorded.

    Call it at the start of the transaction that does the guarded work: a redelivered task then
    sees the key (if the first run committed) and skips, or redoes the work (if it rolled back).
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("claim_once must run inside the transaction of the work it guards")
    try:
        with transaction.atomic():
            TaskGuard.objects.create(key=key)
    except IntegrityError:
        return False
    return True
