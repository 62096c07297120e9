"""Hands committed messages to Celery. A message the broker never gets is not lost: it stays
pending in the outbox and the sweeper sends it again."""

from __future__ import annotations

import logging
from collections.abc import Iterable

logger = logging.getLogger(__name__)


def send(message_ids: Iterable[int]) -> None:
    for message_id in message_ids:
        try:
            publish(message_id)
        except Exception:
            logger.warning("outbox message %s not handed to the broker; the sweeper will send it", message_id)


def publish(message_id: int, *, countdown: float | None = None) -> None:
    from core.outbox.tasks import deliver_message

    # countdown 0 is "no delay" to Celery, as None is (celery-types accept only a number)
    deliver_message.apply_async(args=(message_id,), countdown=countdown or 0)
