"""Staff writes: departments, posts and shifts."""

from __future__ import annotations

from datetime import time
from typing import Any

from django.utils.translation import gettext as _

from core.actions import action
from core.db import conflict_as
from tenants.staff.models import (
    WEEKDAYS,
    Department,
    Post,
    Shift,
)
from tenants.staff.services.common import MAX_GRACE_MINUTES, audit, clean_name, delete_unused, field_error, only_fields


def _check_department(*, name: str, parent: Department | None, department: Department | None = None) -> None:
    same = Department.objects.filter(name=name, parent=parent)
    if department is not None:
        same = same.exclude(pk=department.pk)
    if same.exists():
        raise field_error("name", _("同一上级部门下已有同名部门。"))
    if department is not None and parent is not None:
        seen = set()
        node: Department | None = parent
        while node is not None and node.pk not in seen:
            if node.pk == department.pk:
                raise field_error("parent", _("上级部门不能是本部门或其下级部门。"))
            seen.add(node.pk)
            node = node.parent


@action
def create_department(*, name: str, parent: Department | None = None, sort_order: int = 0, actor: Any) -> Department:
    name = clean_name(name)
    _check_department(name=name, parent=parent)
    with conflict_as(field_error("name", _("同一上级部门下已有同名部门。"))):  # a concurrent create of the same name
        department = Department.objects.create(name=name, parent=parent, sort_order=sort_order)
    audit(actor, "department.create", department, after={"name": name, "parent": parent.pk if parent else None})
    return department


@action
def update_department(*, department: Department, actor: Any, **changes: Any) -> Department:
    only_fields(changes, {"name", "parent", "sort_order"})
    department = Department.objects.select_for_update().get(pk=department.pk)
    before = {"name": department.name, "parent": department.parent_id}
    name = clean_name(changes["name"]) if "name" in changes else department.name
    parent = changes.get("parent", department.parent)
    _check_department(name=name, parent=parent, department=department)
    department.name, department.parent = name, parent
    if "sort_order" in changes:
        department.sort_order = changes["sort_order"]
    with conflict_as(field_error("name", _("同一上级部门下已有同名部门。"))):
        department.save()
    audit(actor, "department.update", department, before=before, after={"name": name, "parent": department.parent_id})
    return department


@action
def delete_department(*, department: Department, actor: Any) -> None:
    delete_unused(department, actor=actor, in_use=_("该部门下还有下级部门或员工，不能删除。"))


@action
def create_post(*, name: str, description: str = "", actor: Any) -> Post:
    name = clean_name(name)
    if Post.objects.filter(name=name).exists():
        raise field_error("name", _("岗位名称已存在。"))
    with conflict_as(field_error("name", _("岗位名称已存在。"))):
        post = Post.objects.create(name=name, description=(description or "").strip()[:200])
    audit(actor, "post.create", post, after={"name": name})
    return post


@action
def update_post(*, post: Post, actor: Any, **changes: Any) -> Post:
    only_fields(changes, {"name", "description"})
    before = {"name": post.name, "description": post.description}
    if "name" in changes:
        post.name = clean_name(changes["name"])
        if Post.objects.filter(name=post.name).exclude(pk=post.pk).exists():
            raise field_error("name", _("岗位名称已存在。"))
    if "description" in changes:
        post.description = (changes["description"] or "").strip()[:200]
    with conflict_as(field_error("name", _("岗位名称已存在。"))):
        post.save()
    audit(actor, "post.update", post, before=before, after={"name": post.name, "description": post.description})
    return post


@action
def delete_post(*, post: Post, actor: Any) -> None:
    delete_unused(post, actor=actor, in_use=_("还有员工在该岗位，不能删除。"))


def _clean_shift(
    *, start_time: time, end_time: time, late_grace_minutes: int, early_leave_grace_minutes: int, workdays: list[int]
) -> list[int]:
    if start_time == end_time:
        raise field_error("end_time", _("下班时间不能与上班时间相同。"))
    for field, value in (
        ("late_grace_minutes", late_grace_minutes),
        ("early_leave_grace_minutes", early_leave_grace_minutes),
    ):
        if not 0 <= value <= MAX_GRACE_MINUTES:
            raise field_error(field, _("宽限须在 0 到 %(n)s 分钟之间。") % {"n": MAX_GRACE_MINUTES})
    days = sorted(set(workdays))
    if not days or not set(days) <= set(WEEKDAYS):
        raise field_error("workdays", _("请选择工作日（周一到周日）。"))
    return days


def _shift_snapshot(shift: Shift) -> dict:
    return {
        "name": shift.name,
        "start_time": shift.start_time.strftime("%H:%M"),
        "end_time": shift.end_time.strftime("%H:%M"),
        "late_grace_minutes": shift.late_grace_minutes,
        "early_leave_grace_minutes": shift.early_leave_grace_minutes,
        "workdays": list(shift.workdays),
    }


@action
def create_shift(
    *,
    name: str,
    start_time: time,
    end_time: time,
    late_grace_minutes: int = 0,
    early_leave_grace_minutes: int = 0,
    workdays: list[int] | None = None,
    actor: Any,
) -> Shift:
    name = clean_name(name)
    days = _clean_shift(
        start_time=start_time,
        end_time=end_time,
        late_grace_minutes=late_grace_minutes,
        early_leave_grace_minutes=early_leave_grace_minutes,
        workdays=[1, 2, 3, 4, 5] if workdays is None else workdays,
    )
    if Shift.objects.filter(name=name).exists():
        raise field_error("name", _("班次名称已存在。"))
    with conflict_as(field_error("name", _("班次名称已存在。"))):
        shift = Shift.objects.create(
            name=name,
            start_time=start_time,
            end_time=end_time,
            late_grace_minutes=late_grace_minutes,
            early_leave_grace_minutes=early_leave_grace_minutes,
            workdays=days,
        )
    audit(actor, "shift.create", shift, after=_shift_snapshot(shift))
    return shift


@action
def update_shift(*, shift: Shift, actor: Any, **changes: Any) -> Shift:
    """Changing a shift judges clocks from now on; records already judged keep their minutes."""
    only_fields(
        changes, {"name", "start_time", "end_time", "late_grace_minutes", "early_leave_grace_minutes", "workdays"}
    )
    before = _shift_snapshot(shift)
    for field, value in changes.items():
        setattr(shift, field, value)
    shift.name = clean_name(shift.name)
    shift.workdays = _clean_shift(
        start_time=shift.start_time,
        end_time=shift.end_time,
        late_grace_minutes=shift.late_grace_minutes,
        early_leave_grace_minutes=shift.early_leave_grace_minutes,
        workdays=list(shift.workdays),
    )
    if Shift.objects.filter(name=shift.name).exclude(pk=shift.pk).exists():
        raise field_error("name", _("班次名称已存在。"))
    with conflict_as(field_error("name", _("班次名称已存在。"))):
        shift.save()
    audit(actor, "shift.update", shift, before=before, after=_shift_snapshot(shift))
    return shift


@action
def delete_shift(*, shift: Shift, actor: Any) -> None:
    delete_unused(shift, actor=actor, in_use=_("还有员工或排班使用该班次，不能删除。"))
