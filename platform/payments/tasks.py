"""Payments' background work: the sweeper (beat, in every company's schema) and lost-race refunds
(outbox topic payments.refund, delivered in the company's schema; safe to run twice)."""

from __future__ import annotations

from celery import shared_task

from core.outbox.registry import handles
from payments.services import orders, sweeper


@handles(orders.TOPIC_REFUND, max_attempts=10)
def refund_lost_race(*, order_id: int) -> None:
    sweeper.refund_lost_race(order_id=order_id)


@shared_task(name="payments.tasks.sweep_payments")
def sweep_payments() -> dict[str, int]:
    """Beat: settle live orders no notification settled (query), close expired ones."""
    return sweeper.sweep()
