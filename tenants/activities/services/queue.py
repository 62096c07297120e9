"""The waiting list's promotion, shared by cancellations, larger capacities and sign-ups' audit rows."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils import timezone

from accounts import services as account_services
from notifications.services import notify
from tenants.activities import selectors
from tenants.activities.models import Activity, SignUp, SignUpStatus, Status
from tenants.activities.services import fees


def signup_view(signup: SignUp) -> dict[str, Any]:
    return {"status": signup.status, "people": signup.people, "house": signup.house_id}


def audit_signup(actor: Any, verb: str, signup: SignUp, before: dict[str, Any] | None = None) -> None:
    account_services.record_audit(
        actor=actor,
        action=verb,
        object_type="activity_signup",
        object_id=signup.pk,
        before=before,
        after=signup_view(signup),
    )


def promote_waiting(activity: Activity, *, now: datetime | None = None) -> list[SignUp]:
    """Inside an action holding the activity's lock: confirm the first waiting sign-ups while they fit."""
    now = now or timezone.now()
    promoted: list[SignUp] = []
    if activity.status != Status.PUBLISHED or now >= activity.start_at:
        return promoted
    free = activity.capacity - selectors.confirmed_people(activity)
    for signup in selectors.waiting_queue(activity).select_related("user"):
        if signup.people > free:
            break  # the queue keeps its order: nobody behind the first skips ahead
        before = signup_view(signup)
        signup.status = SignUpStatus.CONFIRMED
        signup.confirmed_at = now
        signup.save(update_fields=["status", "confirmed_at"])
        audit_signup(None, "activity.signup_promote", signup, before)
        fees.charge(activity, signup, None)
        notify(
            [signup.user],
            "activity.promoted",
            {"title": activity.title, "people": signup.people, "activity_id": activity.pk},
            key=f"activity.promoted:{signup.pk}",
        )
        free -= signup.people
        promoted.append(signup)
    return promoted
