"""Arrears reminders (催缴提醒) a cashier sends in bulk from the arrears list: the selected houses, or
every house the list's filter shows, each told what it owes as of today by the ledger (one query
over its lines, billing.selectors.arrears) — one arrears.reminder per house with app users.

A job with progress (core.services jobs, polled by the page): started in the cashier's action, run
by the outbox's worker in chunks, each chunk one action. A house is reminded at most once a day
(the message's key is the house and the day), whoever sends and however often the worker runs: a
redelivered job counts what it sent before as sent, another job's reminders of the day as already.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from billing.selectors.arrears import owed_by_house
from billing.services.common import audit
from billing.services.notices import app_users_of
from core import services as core_services
from core.actions import action, emit
from core.models import Job, JobStatus
from notifications import selectors as notification_selectors
from notifications.services import notify
from tenants.estates.models import House

TOPIC_REMINDERS = "billing.arrears_reminders"
JOB_KIND = "arrears.reminders"
EVENT = "arrears.reminder"
CHUNK = 200
MAX_SELECTED = 1000
OUTCOMES = ("sent", "already", "no_app_users", "nothing_owed")


def reminder_key(house_id: int, day: date) -> str:
    return f"{EVENT}:{house_id}:{day.isoformat()}"


@action
def start_reminders(
    *, actor: Any, houses: list[int] | None = None, estate: int | None = None, building: int | None = None
) -> Job:
    """Queue the reminders of the selected houses (`houses`), else of the filter's (estate, building)."""
    params: dict[str, Any] = {
        "as_of": timezone.localdate().isoformat(),
        "houses": sorted(set(houses)) if houses else None,
        "estate": estate,
        "building": building,
    }
    job = core_services.create_job(kind=JOB_KIND, created_by=actor, total=0, params=params)
    emit(TOPIC_REMINDERS, {"job_id": str(job.pk)}, key=f"arrears-reminders:{job.pk}")
    audit(actor, "arrears.remind", job, after={k: v for k, v in params.items() if v is not None})
    return job


def _chunks(ids: list[int]) -> Iterable[list[int]]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


def run_reminders(*, job_id: str) -> dict[str, int] | None:
    """The worker's part (safe to run again): remind each house that owes, chunk by chunk."""
    job = Job.objects.filter(pk=uuid.UUID(job_id), kind=JOB_KIND).first()
    if job is None or job.status in (JobStatus.SUCCEEDED, JobStatus.FAILED):
        return None
    params = job.params
    as_of = date.fromisoformat(params["as_of"])
    selected: list[int] | None = params.get("houses")
    owed = owed_by_house(as_of, houses=selected, estate=params.get("estate"), building=params.get("building"))
    house_ids = sorted(owed)
    core_services.start_job(job_id=job.pk, total=len(house_ids))
    counts: Counter[str] = Counter({outcome: 0 for outcome in OUTCOMES})
    counts["nothing_owed"] = len(set(selected) - set(owed)) if selected is not None else 0
    done = 0
    for chunk in _chunks(house_ids):
        counts.update(_remind_chunk(job_id=str(job.pk), as_of=as_of, owed={h: owed[h] for h in chunk}))
        done += len(chunk)
        core_services.report_progress(
            job_id=job.pk,
            progress=done,
            message=_("已处理 %(done)s / %(total)s 户") % {"done": done, "total": len(house_ids)},
        )
    result = {outcome: counts[outcome] for outcome in OUTCOMES} | {"houses": len(house_ids)}
    core_services.finish_job(job_id=job.pk, result=result)
    return result


@action(audit=False)  # messages about arrears on the ledger; the cashier's request was audited
def _remind_chunk(*, job_id: str, as_of: date, owed: dict[int, Decimal]) -> Counter[str]:
    counts: Counter[str] = Counter()
    keys = {house_id: reminder_key(house_id, as_of) for house_id in owed}
    earlier = notification_selectors.contexts_by_key(list(keys.values()))
    people = app_users_of(list(owed))
    for house in House.objects.filter(pk__in=list(owed)).select_related("building", "unit").order_by("pk"):
        key = keys[house.pk]
        if key in earlier:
            counts["sent" if earlier[key].get("job") == job_id else "already"] += 1
            continue
        if not people.get(house.pk):
            counts["no_app_users"] += 1
            continue
        notify(
            people[house.pk],
            EVENT,
            {
                "house": house.label,
                "house_id": house.pk,
                "amount": str(owed[house.pk]),
                "as_of": as_of.isoformat(),
                "job": job_id,
            },
            key=key,
        )
        counts["sent"] += 1
    return counts


@action(audit=False)  # the job's failure, for the cashier watching it
def fail_reminders(*, job_id: str, error: str) -> None:
    core_services.fail_job(job_id=job_id, message=_("催缴提醒发送中断，可重新发送；已发送的今天不会重复。"))
