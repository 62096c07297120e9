"""Payments' background work: the sweeper (beat: every two minutes in the companies on its watch
list, hourly in every company), refunds (outbox topic payments.refund, delivered in the company's
schema; safe to run twice), the daily reconciliation (beat, in every company's schema: yesterday's
bill of every gateway that has one) and the daily forgetting of refused notifications older than
30 days."""

from __future__ import annotations

import logging

from celery import shared_task

from core.errors import DomainError
from core.outbox.registry import handles
from payments.services import merchant, orders, reconciliation, refunds, refused, sweeper, watch

logger = logging.getLogger(__name__)


@handles(orders.TOPIC_REFUND, max_attempts=10)
def send_refund(*, refund_id: int | None = None, order_id: int | None = None) -> None:
    if refund_id is not None:
        refunds.send(refund_id=refund_id)
    elif order_id is not None:  # queued before refunds had rows
        refunds.refund_lost_race(order_id=order_id)


@shared_task(name="payments.tasks.sweep_payments")
def sweep_payments() -> dict[str, int]:
    """In one company (sent by `sweep_watched`, and hourly to every company as the net): settle live
    orders no notification settled (query), close expired ones; end refunds no notification ended
    (query by refund number); then keep the company on the watch list only while anything is live."""
    counts = {**sweeper.sweep(), **{f"refunds_{k}": v for k, v in refunds.sweep().items()}}
    counts["watched"] = int(watch.rewatch())
    return counts


@shared_task(name="payments.tasks.sweep_watched")
def sweep_watched() -> int:
    """Beat (public schema, every two minutes): the sweep, sent to the companies with something live
    (payments.services.watch) — a few, not every company's schema. Returns how many were sent."""
    schemas = watch.watched_schemas()
    for schema_name in schemas:
        sweep_payments.apply_async(headers={"_schema_name": schema_name}, expires=110)
    return len(schemas)


@shared_task(name="payments.tasks.forget_refused_notifications")
def forget_refused_notifications() -> int:
    """Beat, daily: refused notifications are kept 30 days."""
    return refused.forget()


@handles(reconciliation.TOPIC_RECONCILE, on_dead=reconciliation.give_up, max_attempts=6)
def run_reconciliation(*, run_id: int, attempt: int) -> None:
    reconciliation.execute_run(run_id=run_id, attempt=attempt)


@shared_task(name="payments.tasks.reconcile_yesterday")
def reconcile_yesterday() -> list[str]:
    """Beat (10:00 Asia/Shanghai, after WeChat Pay's bills are out): yesterday, for every gateway with
    a bill, in a company that has a merchant. A day done or running already is left alone, so a
    second delivery (or a second beat) changes nothing."""
    if not merchant.account().sub_mchid:
        return []
    company = sweeper.current_company()
    day, started = reconciliation.yesterday(), []
    for name in reconciliation.bill_gateways():
        try:
            run = reconciliation.request_run(company=company, gateway_name=name, bill_date=day, force=False)
        except DomainError as exc:
            logger.info("reconciliation of %s on %s not started: %s", name, day, exc.message)
            continue
        if run is not None:
            started.append(name)
    return started
