"""The reply rule's notice, swept by beat (tasks.sweep_overdue): an item still waiting for a reply
past its reply time (fixed at filing) is flagged by a query (selectors.overdue_q), and its assignee
— or, with nobody assigned, the handlers — and the managers are told once. The item's
`overdue_notified_at` is set in the same action as the notification, under the item's row lock, and
the notification is keyed by the item, so a redelivered or concurrent sweep tells nobody again."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from accounts import services as account_services
from core.actions import action
from notifications.services import notify
from tenants.feedback import selectors
from tenants.feedback.models import AWAITING_REPLY, Feedback
from tenants.feedback.services.items import context

BATCH = 500


def sweep(*, now: datetime | None = None) -> int:
    """Notify the overdue items not yet notified; how many were."""
    now = now or timezone.now()
    due = (
        Feedback.objects.filter(selectors.overdue_q(now), overdue_notified_at__isnull=True)
        .order_by("reply_due_at")
        .values_list("pk", flat=True)[:BATCH]
    )
    return sum(notify_overdue(feedback_id=pk, now=now) for pk in due)


@action
def notify_overdue(*, feedback_id: int, now: datetime) -> bool:
    """Tell of one overdue item, once; False when told already, replied meanwhile or not yet late."""
    waiting = Feedback.objects.filter(
        pk=feedback_id, status__in=AWAITING_REPLY, overdue_notified_at__isnull=True, reply_due_at__lt=now
    )
    if waiting.select_for_update(of=("self",)).values_list("pk").first() is None:
        return False
    waiting.update(overdue_notified_at=now)
    item = selectors.staff_items().get(pk=feedback_id)
    first = [item.assignee] if item.assignee is not None else list(selectors.handlers())
    people = {user.pk: user for user in [*first, *selectors.managers()]}
    notify([people[pk] for pk in sorted(people)], "feedback.overdue", context(item), key=f"feedback.overdue:{item.pk}")
    account_services.record_audit(
        actor=None,
        action="feedback.overdue",
        object_type="feedback",
        object_id=item.pk,
        after={"reply_due_at": item.reply_due_at.isoformat(), "assignee": item.assignee_id},
    )
    return True
