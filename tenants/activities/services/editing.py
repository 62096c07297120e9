"""Creating, changing and deleting activities. A draft may change freely; once published only the
description, cover, place, times, the reminder and a larger capacity may (the owners signed up keep their seats);
a new start or place is told to everyone signed up, and the reminder goes again before a new start."""

from __future__ import annotations

import hashlib
from typing import Any

from django.utils import formats, timezone
from django.utils.translation import gettext as _

from accounts import services as account_services
from core import html
from core.actions import action
from core.errors import DomainError
from notifications.services import notify
from tenants.activities.models import ACTIVE, MAX_REMIND_HOURS, Activity, SignUp, SignUpStatus, Status, Target
from tenants.activities.services.queue import promote_waiting

_FIELDS = (
    "title",
    "description",
    "cover_url",
    "start_at",
    "end_at",
    "place",
    "target",
    "capacity",
    "signup_deadline",
    "max_people",
    "fee",
    "fee_item",
    "remind_hours_before",
)
_AFTER_PUBLISH = {
    "description",
    "cover_url",
    "place",
    "start_at",
    "end_at",
    "signup_deadline",
    "capacity",
    "remind_hours_before",
}


def view(activity: Activity) -> dict[str, Any]:
    return {
        "title": activity.title,
        "status": activity.status,
        "target": activity.target,
        "estates": sorted(e.pk for e in activity.estates.all()) if activity.pk else [],
        "place": activity.place,
        "start_at": activity.start_at.isoformat() if activity.start_at else None,
        "end_at": activity.end_at.isoformat() if activity.end_at else None,
        "signup_deadline": activity.signup_deadline.isoformat() if activity.signup_deadline else None,
        "capacity": activity.capacity,
        "max_people": activity.max_people,
        "fee": str(activity.fee),
        "fee_item": activity.fee_item_id,
        "remind_hours_before": activity.remind_hours_before,
    }


def invalid(field: str, message: str) -> DomainError:
    return DomainError(message, fields={field: [message]})


def check(activity: Activity, estates: list[Any] | None, *, item_chosen: bool = True) -> None:
    """The rules a saved or published activity keeps. `item_chosen`: the fee item is being chosen now
    (created, changed, published), so it must be an active one; an item deactivated later keeps the
    activity it was chosen for (its sign-ups are still charged under it)."""
    if activity.target == Target.ESTATES and not (estates if estates is not None else activity.estates.exists()):
        raise invalid("estates", _("请选择至少一个小区。"))
    if activity.end_at <= activity.start_at:
        raise invalid("end_at", _("结束时间须晚于开始时间。"))
    if activity.signup_deadline > activity.start_at:
        raise invalid("signup_deadline", _("报名截止时间不能晚于活动开始时间。"))
    if activity.capacity < 1:
        raise invalid("capacity", _("名额至少为 1 人。"))
    if activity.max_people < 1 or activity.max_people > activity.capacity:
        raise invalid("max_people", _("每次报名人数须在 1 到名额之间。"))
    if not 0 <= activity.remind_hours_before <= MAX_REMIND_HOURS:
        raise invalid(
            "remind_hours_before", _("提前提醒须在 0 到 %(max)s 小时之间（0 为不提醒）。") % {"max": MAX_REMIND_HOURS}
        )
    if activity.fee < 0:
        raise invalid("fee", _("费用不能为负数。"))
    if activity.fee > 0 and activity.fee_item is None:
        raise invalid("fee_item", _("收费活动请选择收费项目（一次性）。"))
    item = activity.fee_item
    if item is not None and (item.periodic or (item_chosen and not item.active)):
        raise invalid("fee_item", _("请选择启用中的一次性收费项目。"))


def _apply(activity: Activity, fields: dict[str, Any]) -> None:
    for key in _FIELDS:
        if key in fields:
            setattr(activity, key, fields[key])
    activity.title = (activity.title or "").strip()
    if not activity.title:
        raise invalid("title", _("请填写活动标题。"))
    activity.place = (activity.place or "").strip()
    if not activity.place:
        raise invalid("place", _("请填写活动地点。"))
    activity.description = html.clean(activity.description)


def _set_estates(activity: Activity, estates: list[Any] | None) -> None:
    if activity.target != Target.ESTATES:
        estates = []
    if estates is not None:
        activity.estates.set(estates)


@action
def create_activity(*, actor: Any, estates: list[Any] | None = None, **fields: Any) -> Activity:
    activity = Activity(created_by=actor)
    _apply(activity, fields)
    check(activity, estates or [])
    activity.save()
    _set_estates(activity, estates or [])
    account_services.record_audit(
        actor=actor, action="activity.create", object_type="activity", object_id=activity.pk, after=view(activity)
    )
    return activity


@action
def update_activity(*, activity: Activity, actor: Any, estates: list[Any] | None = None, **fields: Any) -> Activity:
    activity = Activity.objects.select_for_update().get(pk=activity.pk)
    before = view(activity)
    if activity.status in (Status.CANCELLED, Status.FINISHED):
        raise DomainError(_("已取消或已结束的活动不能修改。"), code="bad_status", status_code=409)
    if activity.status == Status.PUBLISHED:
        locked = (set(fields) - _AFTER_PUBLISH) | ({"estates"} if estates is not None else set())
        if locked:
            raise invalid(sorted(locked)[0], _("已发布的活动只能修改介绍、封面、时间、地点、提醒和增加名额。"))
        if "capacity" in fields and fields["capacity"] < activity.capacity:
            raise invalid("capacity", _("已发布的活动只能增加名额。"))
    _apply(activity, fields)
    check(activity, estates, item_chosen="fee_item" in fields)
    activity.save()
    _set_estates(activity, estates)
    account_services.record_audit(
        actor=actor,
        action="activity.update",
        object_type="activity",
        object_id=activity.pk,
        before=before,
        after=view(activity),
    )
    if activity.status == Status.PUBLISHED and activity.capacity > before["capacity"]:
        promote_waiting(activity)
    if activity.status == Status.PUBLISHED:
        _tell_of_a_move(activity, before)
    return activity


def _tell_of_a_move(activity: Activity, before: dict[str, Any]) -> None:
    """A published activity's start or place changed: everyone signed up (and waiting) is told, and
    a reminder already sent for the old time is sent again before the new one."""
    moved = before["start_at"] != activity.start_at.isoformat()
    if not moved and before["place"] == activity.place:
        return
    if moved:
        SignUp.objects.filter(activity=activity, status=SignUpStatus.CONFIRMED).update(reminded_at=None)
    signed = SignUp.objects.filter(activity=activity, status__in=ACTIVE)
    people = [signup.user for signup in signed.select_related("user").order_by("pk")]
    if not people:
        return
    start = formats.date_format(timezone.localtime(activity.start_at), "Y-m-d H:i")
    notify(
        people,
        "activity.changed",
        {"title": activity.title, "start": start, "place": activity.place, "activity_id": activity.pk},
        key=f"activity.changed:{activity.pk}:{hashlib.sha256(f'{start}|{activity.place}'.encode()).hexdigest()[:16]}",
    )


@action
def delete_activity(*, activity: Activity, actor: Any) -> None:
    activity = Activity.objects.select_for_update().get(pk=activity.pk)
    if activity.status != Status.DRAFT:
        raise DomainError(_("只能删除草稿；已发布的活动请取消。"), code="not_draft", status_code=409)
    before = view(activity)
    pk = activity.pk
    activity.delete()
    account_services.record_audit(
        actor=actor, action="activity.delete", object_type="activity", object_id=pk, before=before
    )
