"""Billing work delivered by the outbox in the company's schema: bill runs, e-invoices, and the notices owners get.

`bill.issued`, `bill.due_soon` and `bill.overdue` become messages to each house's owners
(billing.services.notices, through the notification service), once per house and event.
"""

from __future__ import annotations

import logging
from typing import Any

from celery import shared_task
from django.utils import timezone

from billing.services import bill_runs, invoices, notices, reminders, schedule
from core.outbox.registry import handles

logger = logging.getLogger(__name__)


def _run_given_up(*, bill_run_id: int, error: str) -> None:
    bill_runs.fail_bill_run(bill_run_id=bill_run_id, error=error)


@handles(bill_runs.TOPIC_RUN, on_dead=_run_given_up, max_attempts=5)
def run_bill_run(*, bill_run_id: int) -> None:
    bill_runs.execute_bill_run(bill_run_id=bill_run_id)


# Issuing takes the provider minutes at worst: the outbox's backoff over these attempts covers that;
# past them the invoice stays "issuing" and staff ask again (refresh), never a second submission.
@handles(invoices.TOPIC_ISSUE, max_attempts=12)
def submit_invoice(*, invoice_id: int) -> None:
    invoices.submit_invoice(invoice_id=invoice_id)


@handles(invoices.TOPIC_VOID, max_attempts=12)
def submit_invoice_void(*, invoice_id: int) -> None:
    invoices.submit_void(invoice_id=invoice_id)


@handles(bill_runs.TOPIC_ISSUED)
def bill_issued(
    *, bill_run_id: int, fee_item: str, due_date: str, houses: list[list[Any]], fee_item_id: int | None = None
) -> None:
    told = notices.notify_bills_issued(
        bill_run_id=bill_run_id, fee_item=fee_item, fee_item_id=fee_item_id, due_date=due_date, houses=houses
    )
    logger.info("bill.issued for %s houses (run %s): %s told", len(houses), bill_run_id, told)


@handles(schedule.TOPIC_DUE_SOON)
def bill_due_soon(*, house_id: int, due_date: str, amount: str, message: str = "") -> None:
    notices.notify_bill_due(event=schedule.TOPIC_DUE_SOON, house_id=house_id, due_date=due_date, amount=amount)


@handles(schedule.TOPIC_OVERDUE)
def bill_overdue(*, house_id: int, due_date: str, amount: str, message: str = "") -> None:
    notices.notify_bill_due(event=schedule.TOPIC_OVERDUE, house_id=house_id, due_date=due_date, amount=amount)


@shared_task(name="billing.tasks.daily_billing")
def daily_billing() -> dict[str, Any]:
    """Beat, once a day in every company's schema: the bill day's run, then the due-date notices."""
    today = timezone.localdate()
    run = schedule.start_scheduled_run(today=today)
    notices = schedule.emit_due_notices(today=today)
    return {"bill_run": run.pk if run else None, "notices": notices}


def _reminders_given_up(*, job_id: str, error: str) -> None:
    reminders.fail_reminders(job_id=job_id, error=error)


@handles(reminders.TOPIC_REMINDERS, on_dead=_reminders_given_up, max_attempts=5)
def send_arrears_reminders(*, job_id: str) -> None:
    result = reminders.run_reminders(job_id=job_id)
    logger.info("arrears reminders of job %s: %s", job_id, result)
