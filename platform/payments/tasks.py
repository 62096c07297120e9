"""Payments' background work: the sweeper (beat, in every company's schema), refunds (outbox topic
payments.refund, delivered in the company's schema; safe to run twice) and the daily forgetting of
refused notifications older than 30 days."""

from __future__ import annotations

from celery import shared_task

from core.outbox.registry import handles
from payments.services import orders, refunds, refused, sweeper


@handles(orders.TOPIC_REFUND, max_attempts=10)
def send_refund(*, refund_id: int | None = None, order_id: int | None = None) -> None:
    if refund_id is not None:
        refunds.send(refund_id=refund_id)
    elif order_id is not None:  # queued before refunds had rows
        refunds.refund_lost_race(order_id=order_id)


@shared_task(name="payments.tasks.sweep_payments")
def sweep_payments() -> dict[str, int]:
    """Beat: settle live orders no notification settled (query), close expired ones; end refunds
    no notification ended (query by refund number)."""
    return {**sweeper.sweep(), **{f"refunds_{k}": v for k, v in refunds.sweep().items()}}


@shared_task(name="payments.tasks.forget_refused_notifications")
def forget_refused_notifications() -> int:
    """Beat, daily: refused notifications are kept 30 days."""
    return refused.forget()
