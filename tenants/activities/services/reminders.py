"""The reminder before an activity starts (beat: tasks.remind_upcoming).

Each published activity with `remind_hours_before` > 0 reminds its confirmed owners from that many
hours before its start until it starts; an owner confirmed later (a late sign-up, a promotion from
the waiting list) is reminded by the next run. Waiting and cancelled sign-ups are not reminded.

Each reminder is one action under the sign-up's row lock: it sets the sign-up's `reminded_at` and
sends the notification keyed by the activity and the owner (`activity.reminder:<activity>:<user>`),
so a redelivered or concurrent run reminds nobody twice, and an owner who cancelled and signed up
again is not reminded a second time for the same activity (the notification's key is unique in the
database: notify returns the first one)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import formats, timezone

from accounts import services as account_services
from core.actions import action
from notifications.services import notify
from tenants.activities.models import MAX_REMIND_HOURS, Activity, SignUp, SignUpStatus, Status

BATCH = 500


def reminder_key(activity_id: int, user_id: int, start_at: datetime) -> str:
    """One reminder per person and start time: a moved activity is reminded of again."""
    return f"activity.reminder:{activity_id}:{user_id}:{int(start_at.timestamp())}"


def _due(now: datetime) -> list[int]:
    """The sign-ups to remind now: confirmed, not reminded, of activities inside their reminder window."""
    soon = Activity.objects.filter(
        status=Status.PUBLISHED,
        remind_hours_before__gt=0,
        start_at__gt=now,
        start_at__lte=now + timedelta(hours=MAX_REMIND_HOURS),
    ).values_list("pk", "start_at", "remind_hours_before")
    open_now = [pk for pk, start, hours in soon if start - timedelta(hours=hours) <= now]
    if not open_now:
        return []
    return list(
        SignUp.objects.filter(activity_id__in=open_now, status=SignUpStatus.CONFIRMED, reminded_at__isnull=True)
        .order_by("activity_id", "pk")
        .values_list("pk", flat=True)[:BATCH]
    )


def send_reminders(*, now: datetime | None = None) -> int:
    """Remind every confirmed owner whose activity's reminder time has come; how many sign-ups were
    marked reminded (an owner reminded before under another sign-up is marked, not told again)."""
    now = now or timezone.now()
    return sum(remind_signup(signup_id=pk, now=now) for pk in _due(now))


@action
def remind_signup(*, signup_id: int, now: datetime) -> bool:
    """Remind one sign-up's owner, once; False when reminded already or no longer due (cancelled,
    the activity cancelled, started or moved)."""
    signup = (
        SignUp.objects.select_for_update(of=("self",), skip_locked=True)
        .select_related("activity", "user")
        .filter(pk=signup_id, status=SignUpStatus.CONFIRMED, reminded_at__isnull=True)
        .first()
    )
    if signup is None:
        return False
    activity = signup.activity
    hours = activity.remind_hours_before
    window_open = hours > 0 and activity.start_at - timedelta(hours=hours) <= now < activity.start_at
    if activity.status != Status.PUBLISHED or not window_open:
        return False
    signup.reminded_at = now
    signup.save(update_fields=["reminded_at"])
    start = formats.date_format(timezone.localtime(activity.start_at), "Y-m-d H:i")
    notify(
        [signup.user],
        "activity.reminder",
        {
            "title": activity.title,
            "start": start,
            "place": activity.place,
            "people": signup.people,
            "activity_id": activity.pk,
        },
        key=reminder_key(activity.pk, signup.user_id, activity.start_at),
    )
    account_services.record_audit(
        actor=None,
        action="activity.signup_remind",
        object_type="activity_signup",
        object_id=signup.pk,
        after={"reminded_at": now.isoformat(), "activity": activity.pk},
    )
    return True
