"""Feedback items: filing by the owner, and every move of the state machine (tenants.feedback.machine),
each one timeline row and one audit row in the same action, serialised on the item's row."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts import services as account_services
from core.actions import action
from core.errors import DomainError
from notifications.services import notify
from tenants.estates.models import House
from tenants.feedback import selectors
from tenants.feedback.machine import TRANSITIONS, Party, Transition
from tenants.feedback.models import Feedback, Kind, Status, TimelineEntry
from tenants.feedback.services import photos as photo_services
from tenants.residents.models import Occupancy


def _invalid(field: str, message: str) -> DomainError:
    return DomainError(message, fields={field: [message]})


def _not_found() -> DomainError:
    return DomainError(_("投诉建议不存在。"), code="not_found", status_code=404)


def _owner_house_ids(user: Any) -> set[int]:
    return set(Occupancy.objects.filter(person__user=user, moved_out__isnull=True).values_list("house_id", flat=True))


def context(item: Feedback) -> dict[str, Any]:
    """What a notification about `item` says: an anonymous item names no house."""
    if item.house is not None and not item.anonymous:
        place = item.house.label
    else:
        place = item.estate.name if item.estate is not None else _("匿名")
    summary = item.description if len(item.description) <= 40 else item.description[:40] + "…"
    return {
        "feedback_id": item.pk,
        "kind": str(Kind(item.kind).label),
        "place": place,
        "summary": summary,
        "due": date_format(timezone.localtime(item.reply_due_at), "SHORT_DATETIME_FORMAT"),
        "reply": item.reply,
    }


@action
def file_feedback(
    *,
    actor: Any,
    kind: str,
    description: str,
    house: House | None = None,
    anonymous: bool = False,
    photos: list[int] | None = None,
) -> Feedback:
    """File an item as the owner `actor`, optionally about one of their own houses."""
    if kind not in Kind.values:
        raise _invalid("kind", _("请选择类型。"))
    description = description.strip()
    if not description:
        raise _invalid("description", _("请填写内容。"))
    if anonymous and kind != Kind.SUGGESTION:
        raise _invalid("anonymous", _("只有建议可以匿名提交。"))
    houses = _owner_house_ids(actor)
    if house is not None and house.pk not in houses:
        raise _invalid("house", _("只能选择自己的房屋。"))
    estate = house.estate if house is not None else None
    if estate is None and houses:
        estate = House.objects.select_related("estate").get(pk=min(houses)).estate
    now = timezone.now()
    item = Feedback.objects.create(
        kind=kind,
        house=house,
        estate=estate,
        description=description,
        owner=actor,
        anonymous=anonymous,
        reply_due_at=now + timedelta(hours=selectors.feedback_settings().reply_hours),
    )
    TimelineEntry.objects.create(feedback=item, transition="file", to_status=Status.SUBMITTED, actor=actor)
    attached = photo_services.attach(actor=actor, photo_ids=photos, item=item)
    # An anonymous suggestion's row names neither its owner nor their house (nor the IP they came from).
    account_services.record_audit(
        actor=actor,
        action="feedback.file",
        object_type="feedback",
        object_id=item.pk,
        after={
            "kind": kind,
            "anonymous": anonymous,
            "house": house.pk if house and not anonymous else None,
            "photos": attached,
        },
        anonymous=anonymous,
    )
    notify(selectors.handlers(), "feedback.filed", context(item), key=f"feedback.filed:{item.pk}")
    return item


_LABELS = {
    "assign": gettext_lazy("分派"),
    "reply": gettext_lazy("回复"),
    "resolve": gettext_lazy("标记解决"),
    "close": gettext_lazy("关闭"),
    "withdraw": gettext_lazy("撤回"),
    "rate": gettext_lazy("评价"),
}


def _forbidden(item: Feedback, rule: Transition) -> DomainError:
    return DomainError(
        _("投诉建议当前为「%(status)s」，不能%(action)s。")
        % {"status": Status(item.status).label, "action": _LABELS[rule.name]},
        code="transition_not_allowed",
        status_code=409,
    )


@action
def transition(
    *,
    feedback_id: int,
    name: str,
    actor: Any,
    party: Party,
    note: str = "",
    assignee: Any = None,
    rating: int | None = None,
) -> Feedback:
    """Move an item by one transition of the table, as `party`. The item's row is locked first, so
    concurrent moves of one item run one after the other and the second sees the first's state."""
    rule = TRANSITIONS.get(name)
    if rule is None:
        raise DomainError(_("未知的操作。"), code="unknown_transition", status_code=404)
    item = (
        Feedback.objects.select_for_update(of=("self",))
        .select_related("estate", "house__building", "house__unit")
        .filter(pk=feedback_id)
        .first()
    )
    if item is None or (party == Party.OWNER and item.owner_id != actor.pk):
        raise _not_found()
    if rule.party != party:
        raise DomainError(
            _("您不能对该投诉建议执行「%(action)s」。") % {"action": _LABELS[rule.name]},
            code="transition_not_allowed",
            status_code=409,
        )
    if item.status not in rule.sources:
        raise _forbidden(item, rule)
    note = note.strip()
    if rule.needs_note and not note:
        message = _("请填写回复内容。") if rule.name == "reply" else _("关闭时请填写原因。")
        raise _invalid("note", message)
    if rule.name == "assign" and not selectors.is_handler(assignee):
        raise _invalid("assignee", _("请选择处理人。"))
    if rule.name == "rate":
        if rating is None or not 1 <= rating <= 5:
            raise _invalid("rating", _("请评 1 到 5 星。"))
        item.rating = rating
    return _apply(item, rule, actor=actor, note=note, assignee=assignee)


def _apply(item: Feedback, rule: Transition, *, actor: Any, note: str, assignee: Any) -> Feedback:
    source = item.status
    before = {"status": source, "assignee": item.assignee_id}
    now = timezone.now()
    if rule.name == "assign":
        item.assignee = assignee
    elif rule.name == "reply":
        item.reply, item.replied_at = note, now
        if item.assignee_id is None:
            item.assignee = actor
    elif rule.name == "resolve":
        item.resolved_at = now
    item.status = rule.target
    item.save()
    entry = TimelineEntry.objects.create(
        feedback=item,
        transition=rule.name,
        from_status=source,
        to_status=item.status,
        actor=actor,
        assignee=assignee if rule.name == "assign" else None,
        note=note[:1000],
    )
    after: dict[str, Any] = {"status": item.status, "assignee": item.assignee_id}
    if rule.name == "rate":
        after["rating"] = item.rating
    account_services.record_audit(
        actor=actor,
        action=f"feedback.{rule.name}",
        object_type="feedback",
        object_id=item.pk,
        before=before,
        after=after,
        anonymous=item.anonymous and rule.party == Party.OWNER,  # the owner's withdrawal or rating
    )
    if rule.name == "assign" and assignee.pk != actor.pk:
        notify([assignee], "feedback.assigned", context(item), key=f"feedback.assigned:{entry.pk}")
    elif rule.name in ("reply", "resolve"):  # an anonymous filer is told in their inbox only
        event = "feedback.replied" if rule.name == "reply" else "feedback.resolved"
        notify([item.owner], event, context(item), key=f"{event}:{entry.pk}", inbox_only=item.anonymous)
    return item


@action
def update_settings(*, actor: Any, reply_hours: int | None = None) -> Any:
    """Change the reply rule; items filed before keep the reply time fixed at their filing.

    A field left out keeps its value; a change to nothing writes nothing (no audit row either).
    """
    current = selectors.feedback_settings()
    if reply_hours is None or reply_hours == current.reply_hours:
        return current
    if not 1 <= reply_hours <= 720:
        raise _invalid("reply_hours", _("回复时限应在 1 到 720 小时之间。"))
    before = {"reply_hours": current.reply_hours}
    current.reply_hours = reply_hours
    current.save()
    account_services.record_audit(
        actor=actor,
        action="feedback.settings",
        object_type="feedback_settings",
        object_id=1,
        before=before,
        after={"reply_hours": reply_hours},
    )
    return current
