"""An activity's life: draft → published → cancelled | finished.

Publishing tells the targeted owners once (the key `activity.published:<id>`); cancelling cancels
every live sign-up and tells the owners who had one; an activity is finished by staff once it has
started, or by the beat task once it has ended (each run finishes nothing twice)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils import formats, timezone
from django.utils.translation import gettext as _

from accounts import services as account_services
from core.actions import action
from core.errors import DomainError
from notifications.services import notify
from tenants.activities import selectors
from tenants.activities.models import ACTIVE, Activity, SignUp, SignUpStatus, Status
from tenants.activities.services import fees
from tenants.activities.services.editing import check, invalid, view
from tenants.activities.services.queue import audit_signup, signup_view


def _bad_status(message: str) -> DomainError:
    return DomainError(message, code="bad_status", status_code=409)


def _audit(actor: Any, verb: str, activity: Activity, before: dict[str, Any]) -> None:
    account_services.record_audit(
        actor=actor, action=verb, object_type="activity", object_id=activity.pk, before=before, after=view(activity)
    )


@action
def publish_activity(*, activity: Activity, actor: Any, now: datetime | None = None) -> Activity:
    now = now or timezone.now()
    activity = Activity.objects.select_for_update().get(pk=activity.pk)
    if activity.status != Status.DRAFT:
        raise _bad_status(_("只有草稿可以发布。"))
    check(activity, None)
    if activity.signup_deadline <= now:
        raise invalid("signup_deadline", _("报名截止时间已过，请修改后再发布。"))
    before = view(activity)
    activity.status = Status.PUBLISHED
    activity.published_at = now
    activity.save(update_fields=["status", "published_at", "updated_at"])
    _audit(actor, "activity.publish", activity, before)
    people = selectors.recipients(activity)
    if people:
        start = formats.date_format(timezone.localtime(activity.start_at), "Y-m-d H:i")
        notify(
            people,
            "activity.published",
            {"title": activity.title, "start": start, "place": activity.place, "activity_id": activity.pk},
            key=f"activity.published:{activity.pk}",
        )
    return activity


@action
def cancel_activity(*, activity: Activity, actor: Any, now: datetime | None = None) -> Activity:
    now = now or timezone.now()
    activity = Activity.objects.select_for_update().get(pk=activity.pk)
    if activity.status != Status.PUBLISHED:
        raise _bad_status(_("只有报名中的活动可以取消。"))
    before = view(activity)
    activity.status = Status.CANCELLED
    activity.closed_at = now
    activity.save(update_fields=["status", "closed_at", "updated_at"])
    _audit(actor, "activity.cancel", activity, before)
    told = []
    for signup in (
        SignUp.objects.select_for_update().filter(activity=activity, status__in=ACTIVE).select_related("user", "house")
    ):
        signup_before = signup_view(signup)
        signup.status = SignUpStatus.CANCELLED
        signup.cancelled_at = now
        signup.save(update_fields=["status", "cancelled_at"])
        audit_signup(actor, "activity.signup_cancel", signup, signup_before)
        if signup_before["status"] == SignUpStatus.CONFIRMED:
            fees.release(activity, signup, actor, _("活动取消"))
        told.append(signup.user)
    if told:
        notify(
            told,
            "activity.cancelled",
            {"title": activity.title, "activity_id": activity.pk},
            key=f"activity.cancelled:{activity.pk}",
        )
    return activity


def _finish(activity: Activity, actor: Any, now: datetime) -> None:
    before = view(activity)
    activity.status = Status.FINISHED
    activity.closed_at = now
    activity.save(update_fields=["status", "closed_at", "updated_at"])
    _audit(actor, "activity.finish", activity, before)


@action
def finish_activity(*, activity: Activity, actor: Any, now: datetime | None = None) -> Activity:
    now = now or timezone.now()
    activity = Activity.objects.select_for_update().get(pk=activity.pk)
    if activity.status != Status.PUBLISHED:
        raise _bad_status(_("只有报名中的活动可以结束。"))
    if now < activity.start_at:
        raise _bad_status(_("活动尚未开始，不能结束；不举办请取消。"))
    _finish(activity, actor, now)
    return activity


@action
def _finish_one(*, activity_id: int, now: datetime) -> bool:
    activity = Activity.objects.select_for_update(skip_locked=True).filter(pk=activity_id).first()
    if activity is None or activity.status != Status.PUBLISHED or activity.end_at > now:
        return False  # another run took it, or it was cancelled or moved meanwhile
    _finish(activity, None, now)
    return True


def finish_ended(*, now: datetime | None = None) -> int:
    """The published activities that have ended, finished each in its own action; idempotent."""
    now = now or timezone.now()
    ended = Activity.objects.filter(status=Status.PUBLISHED, end_at__lte=now).values_list("pk", flat=True)
    return sum(_finish_one(activity_id=pk, now=now) for pk in list(ended))
