from __future__ import annotations

from celery import shared_task

from core.outbox import services


@shared_task(acks_late=True)
def deliver_message(message_id: int) -> str:
    """Run one outbox message. Not retried by Celery: the outbox counts attempts and backs off."""
    return services.deliver(message_id=message_id)


@shared_task
def sweep_outbox() -> int:
    """Send again every message that is due and not done (lost on the way, or its worker died)."""
    return services.sweep()
