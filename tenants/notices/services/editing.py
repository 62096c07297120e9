"""Creating, changing and deleting announcements (drafts and scheduled ones; a published one may
still be pinned, unpinned or given an expiry)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from accounts import services as account_services
from core import html
from core.actions import action
from core.errors import DomainError
from tenants.notices.models import Announcement, Status, Target

_FIELDS = ("title", "body", "kind", "target", "expires_at", "pinned")
_AFTER_PUBLISH = {"pinned", "expires_at"}


def view(notice: Announcement) -> dict[str, Any]:
    return {
        "title": notice.title,
        "kind": notice.kind,
        "target": notice.target,
        "status": notice.status,
        "estates": sorted(e.pk for e in notice.estates.all()) if notice.pk else [],
        "buildings": sorted(b.pk for b in notice.buildings.all()) if notice.pk else [],
        "pinned": notice.pinned,
        "publish_at": notice.publish_at.isoformat() if notice.publish_at else None,
        "expires_at": notice.expires_at.isoformat() if notice.expires_at else None,
    }


def _invalid(field: str, message: str) -> DomainError:
    return DomainError(message, fields={field: [message]})


def check_target(notice: Announcement, estates: list[Any] | None, buildings: list[Any] | None) -> None:
    if notice.target == Target.ESTATES and not (estates if estates is not None else notice.estates.exists()):
        raise _invalid("estates", _("请选择至少一个小区。"))
    if notice.target == Target.BUILDINGS and not (buildings if buildings is not None else notice.buildings.exists()):
        raise _invalid("buildings", _("请选择至少一个楼栋。"))


def _apply(notice: Announcement, fields: dict[str, Any]) -> None:
    for key in _FIELDS:
        if key in fields:
            setattr(notice, key, fields[key])
    notice.title = (notice.title or "").strip()
    if not notice.title:
        raise _invalid("title", _("请填写公告标题。"))
    notice.body = html.clean(notice.body)


def _set_targets(notice: Announcement, estates: list[Any] | None, buildings: list[Any] | None) -> None:
    if notice.target != Target.ESTATES:
        estates = []
    if notice.target != Target.BUILDINGS:
        buildings = []
    if estates is not None:
        notice.estates.set(estates)
    if buildings is not None:
        notice.buildings.set(buildings)


@action
def create_notice(
    *, actor: Any, estates: list[Any] | None = None, buildings: list[Any] | None = None, **fields: Any
) -> Announcement:
    notice = Announcement(created_by=actor)
    _apply(notice, fields)
    check_target(notice, estates or [], buildings or [])
    notice.save()
    _set_targets(notice, estates or [], buildings or [])
    account_services.record_audit(
        actor=actor, action="notice.create", object_type="notice", object_id=notice.pk, after=view(notice)
    )
    return notice


@action
def update_notice(
    *,
    notice: Announcement,
    actor: Any,
    estates: list[Any] | None = None,
    buildings: list[Any] | None = None,
    **fields: Any,
) -> Announcement:
    notice = Announcement.objects.select_for_update().get(pk=notice.pk)
    before = view(notice)
    if notice.status in (Status.PUBLISHED, Status.WITHDRAWN):
        locked = (set(fields) - _AFTER_PUBLISH) | ({"estates"} if estates is not None else set())
        locked |= {"buildings"} if buildings is not None else set()
        if locked:
            field = sorted(locked)[0]
            raise _invalid(field, _("已发布或已撤回的公告只能修改置顶和过期时间。"))
    _apply(notice, fields)
    check_target(notice, estates, buildings)
    notice.save()
    _set_targets(notice, estates, buildings)
    account_services.record_audit(
        actor=actor,
        action="notice.update",
        object_type="notice",
        object_id=notice.pk,
        before=before,
        after=view(notice),
    )
    return notice


@action
def delete_notice(*, notice: Announcement, actor: Any) -> None:
    notice = Announcement.objects.select_for_update().get(pk=notice.pk)
    if notice.status != Status.DRAFT:
        raise DomainError(_("只能删除草稿；已发布的公告请撤回。"), code="not_draft", status_code=409)
    before = view(notice)
    pk = notice.pk
    notice.delete()
    account_services.record_audit(
        actor=actor, action="notice.delete", object_type="notice", object_id=pk, before=before
    )
