"""Notification work: the fan-out delivered by the outbox in the company's schema (it tells the
lanes), the lanes' chains and their sweep (notifications.services.lanes), and the sends of single
deliveries queued before the lanes (the outbox's `notifications.send` messages still in flight)."""

from __future__ import annotations

from celery import shared_task

from core.outbox.registry import handles
from notifications.services import deliveries, lanes
from notifications.services.notify import TOPIC_DISPATCH


@handles(TOPIC_DISPATCH)
def dispatch_notification(*, notification_id: int) -> None:
    deliveries.dispatch(notification_id=notification_id)


def _send_given_up(*, delivery_id: int, error: str) -> None:
    deliveries.give_up(delivery_id=delivery_id, error=error)


@handles(deliveries.TOPIC_SEND, on_dead=_send_given_up, max_attempts=deliveries.MAX_ATTEMPTS)
def send_delivery(*, delivery_id: int) -> None:
    outcome = deliveries.send_delivery(delivery_id=delivery_id)
    if outcome == "retry":
        raise deliveries.TryAgain(f"delivery {delivery_id}: the provider refused for now")


# A turn is one batch (seconds at most); a chain whose worker died is replaced once its slot lapses.
@shared_task(name="notifications.tasks.drain_lane", acks_late=True, soft_time_limit=120, time_limit=150)
def drain_lane(lane: str, slot: int, token: str) -> bool:
    return lanes.run_chain(lane, slot, token)


@shared_task(name="notifications.tasks.sweep_lanes")
def sweep_lanes() -> int:
    """Beat (public): chains for lanes with a company due and no chain running."""
    return lanes.sweep()


@shared_task(name="notifications.tasks.requeue_deliveries")
def requeue_deliveries() -> None:
    """Beat (every company, hourly): the lanes learn again of messages Redis forgot."""
    lanes.requeue()
