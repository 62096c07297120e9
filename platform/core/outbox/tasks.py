from __future__ import annotations

from datetime import timedelta

from celery import shared_task

from core.outbox import services


# A run ends before its message's lease does (past it the sweeper hands the message to another worker,
# and two would run it at once): the soft limit raises inside the handler — a failure like any other,
# retried with backoff — and the hard limit ends the worker process should the handler not stop.
@shared_task(
    acks_late=True,
    soft_time_limit=int((services.LEASE - timedelta(minutes=2)).total_seconds()),
    time_limit=int((services.LEASE - timedelta(minutes=1)).total_seconds()),
)
def deliver_message(message_id: int) -> str:
    """Run one outbox message. Not retried by Celery: the outbox counts attempts and backs off."""
    return services.deliver(message_id=message_id)


@shared_task
def sweep_outbox() -> int:
    """Send again every message that is due and not done (lost on the way, or its worker died)."""
    return services.sweep()
