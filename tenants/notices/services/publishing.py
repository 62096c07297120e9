"""Publishing (now or at a time), the beat task's due publications, and withdrawing.

Publishing tells the targeted houses' app users through the notification service once per notice
(the key `notice.published:<id>`): outage and safety notices as an essential, urgent event."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import services as account_services
from core.actions import action
from core.errors import DomainError
from notifications.services import notify
from tenants.notices import selectors
from tenants.notices.models import ESSENTIAL_KINDS, Announcement, Kind, Status
from tenants.notices.services.editing import check_target, view


def event_of(notice: Announcement) -> str:
    return "notice.published_urgent" if notice.kind in ESSENTIAL_KINDS else "notice.published"


def _tell(notice: Announcement) -> None:
    people = selectors.recipients(notice)
    if people:
        notify(
            people,
            event_of(notice),
            {"title": notice.title, "kind": str(Kind(notice.kind).label), "notice_id": notice.pk},
            key=f"notice.published:{notice.pk}",
        )


def _go_live(notice: Announcement, now: datetime) -> None:
    notice.status = Status.PUBLISHED
    notice.published_at = now
    notice.save(update_fields=["status", "published_at", "updated_at"])
    _tell(notice)


@action
def publish_notice(
    *, notice: Announcement, actor: Any, publish_at: datetime | None = None, now: datetime | None = None
) -> Announcement:
    """Publish now (no `publish_at`, or one already past) or schedule for `publish_at`."""
    now = now or timezone.now()
    notice = Announcement.objects.select_for_update().get(pk=notice.pk)
    if notice.status not in (Status.DRAFT, Status.SCHEDULED):
        raise DomainError(_("只有草稿或待发布的公告可以发布。"), code="bad_status", status_code=409)
    check_target(notice, None, None)
    before = view(notice)
    if notice.expires_at is not None and notice.expires_at <= (publish_at or now):
        message = _("过期时间须晚于发布时间。")
        raise DomainError(message, fields={"expires_at": [message]})
    if publish_at is not None and publish_at > now:
        notice.status = Status.SCHEDULED
        notice.publish_at = publish_at
        notice.save(update_fields=["status", "publish_at", "updated_at"])
        verb = "notice.schedule"
    else:
        _go_live(notice, now)
        verb = "notice.publish"
    account_services.record_audit(
        actor=actor, action=verb, object_type="notice", object_id=notice.pk, before=before, after=view(notice)
    )
    return notice


@action
def _publish_one(*, notice_id: int, now: datetime) -> bool:
    notice = Announcement.objects.select_for_update(skip_locked=True).filter(pk=notice_id).first()
    if notice is None or notice.status != Status.SCHEDULED or notice.publish_at is None or notice.publish_at > now:
        return False  # another run took it, or it was withdrawn or rescheduled meanwhile
    before = view(notice)
    _go_live(notice, now)
    account_services.record_audit(
        actor=None,
        action="notice.publish",
        object_type="notice",
        object_id=notice.pk,
        before=before,
        after=view(notice),
    )
    return True


def publish_due(*, now: datetime | None = None) -> int:
    """The scheduled notices whose time has come, published each in its own action; running it
    twice publishes (and tells) nobody twice."""
    now = now or timezone.now()
    due = Announcement.objects.filter(status=Status.SCHEDULED, publish_at__lte=now).values_list("pk", flat=True)
    return sum(_publish_one(notice_id=pk, now=now) for pk in list(due))


@action
def withdraw_notice(*, notice: Announcement, actor: Any) -> Announcement:
    notice = Announcement.objects.select_for_update().get(pk=notice.pk)
    if notice.status not in (Status.SCHEDULED, Status.PUBLISHED):
        raise DomainError(_("只有待发布或已发布的公告可以撤回。"), code="bad_status", status_code=409)
    before = view(notice)
    notice.status = Status.WITHDRAWN
    notice.withdrawn_at = timezone.now()
    notice.save(update_fields=["status", "withdrawn_at", "updated_at"])
    account_services.record_audit(
        actor=actor,
        action="notice.withdraw",
        object_type="notice",
        object_id=notice.pk,
        before=before,
        after=view(notice),
    )
    return notice
