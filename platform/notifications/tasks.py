"""Notification work delivered by the outbox in the company's schema: fan-out and one send each."""

from __future__ import annotations

from core.outbox.registry import handles
from notifications.services import deliveries
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
