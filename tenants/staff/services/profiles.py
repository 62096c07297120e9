"""Staff writes: staff profiles and their duty."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.utils.translation import gettext as _

from accounts import services as account_services
from accounts.roles import STAFF_ROLES
from core import text
from core.actions import action
from core.db import conflict_as
from core.errors import DomainError
from tenants.staff.models import (
    Department,
    Post,
    Shift,
    StaffProfile,
)
from tenants.staff.services.common import audit, field_error, only_fields


def _clean_employee_no(value: str, *, profile: StaffProfile | None = None) -> str:
    value = (value or "").strip()
    if not value:
        raise field_error("employee_no", _("请填写工号。"))
    if len(value) > 20:
        raise field_error("employee_no", _("工号不能超过 20 个字符。"))
    same = StaffProfile.objects.filter(employee_no=value)
    if profile is not None:
        same = same.exclude(pk=profile.pk)
    if same.exists():
        raise field_error("employee_no", _("工号已被使用。"))
    return value


def _profile_snapshot(profile: StaffProfile) -> dict:
    return {
        "employee_no": profile.employee_no,
        "department": profile.department_id,
        "post": profile.post_id,
        "shift": profile.shift_id,
        "hire_date": profile.hire_date.isoformat() if profile.hire_date else None,
        "active": profile.active,
        "on_duty": profile.on_duty,
    }


@action
def create_profile(
    *,
    user: Any,
    employee_no: str,
    department: Department | None = None,
    post: Post | None = None,
    shift: Shift | None = None,
    hire_date: date | None = None,
    actor: Any,
) -> StaffProfile:
    """The staff profile of an existing staff account."""
    if not set(user.roles) & set(STAFF_ROLES):
        raise field_error("user_id", _("只能为员工账号建立档案。"))
    if StaffProfile.objects.filter(user=user).exists():
        raise field_error("user_id", _("该账号已有员工档案。"))
    employee_no = _clean_employee_no(employee_no)
    with conflict_as(
        field_error("employee_no", _("工号已被使用，或该账号已有员工档案。"))
    ):  # a concurrent create: same number or same user
        profile = StaffProfile.objects.create(
            user=user, employee_no=employee_no, department=department, post=post, shift=shift, hire_date=hire_date
        )
    audit(actor, "staff_profile.create", profile, after={"user": user.pk, **_profile_snapshot(profile)})
    return profile


@action
def create_staff_member(
    *,
    username: str,
    name: str,
    roles: list[str],
    password: str | None = None,
    phone: str = "",
    email: str = "",
    employee_no: str,
    department: Department | None = None,
    post: Post | None = None,
    shift: Shift | None = None,
    hire_date: date | None = None,
    actor: Any,
) -> StaffProfile:
    """A new staff account and its profile together: both or neither."""
    if not roles or not set(roles) <= {r.value for r in STAFF_ROLES}:
        raise field_error("roles", _("请选择员工角色。"))
    name = text.clean_name(name)
    if not name:
        raise field_error("name", _("请填写姓名。"))
    _clean_employee_no(employee_no)  # before the account, so a taken number costs nothing
    user = account_services.create_user(
        username=username, name=name, roles=roles, password=password, phone=phone, email=email, actor=actor
    )
    return create_profile(
        user=user,
        employee_no=employee_no,
        department=department,
        post=post,
        shift=shift,
        hire_date=hire_date,
        actor=actor,
    )


@action
def update_profile(*, profile: StaffProfile, actor: Any, **changes: Any) -> StaffProfile:
    """HR fields of the profile; `name` and `phone` are the account's and are changed there."""
    only_fields(changes, {"employee_no", "department", "post", "shift", "hire_date", "active", "name", "phone"})
    profile = StaffProfile.objects.select_for_update().select_related("user").get(pk=profile.pk)
    before = _profile_snapshot(profile)
    account_changes = {k: changes.pop(k) for k in ("name", "phone") if k in changes}
    if "name" in account_changes and not (account_changes["name"] or "").strip():
        raise field_error("name", _("请填写姓名。"))
    if "employee_no" in changes:
        changes["employee_no"] = _clean_employee_no(changes["employee_no"], profile=profile)
    for field, value in changes.items():
        setattr(profile, field, value)
    if not profile.active:
        profile.on_duty = False  # someone who left is never on duty
    with conflict_as(field_error("employee_no", _("工号已被使用。"))):
        profile.save()
    if account_changes:
        account_services.update_user(user=profile.user, actor=actor, **account_changes)
    audit(actor, "staff_profile.update", profile, before=before, after=_profile_snapshot(profile))
    return profile


def set_on_duty(*, profile: StaffProfile, on_duty: bool, actor: Any) -> StaffProfile:
    """在岗/离岗 of a staff member. Asking for the state they are already in changes nothing and
    records nothing (an action must audit what it writes, so the no-op stays outside one)."""
    profile = StaffProfile.objects.get(pk=profile.pk)
    if on_duty and not profile.active:
        raise DomainError(_("离职员工不能设为在岗。"), code="inactive", status_code=409)
    if profile.on_duty == on_duty:
        return profile
    return _change_duty(profile=profile, on_duty=on_duty, actor=actor)


@action
def _change_duty(*, profile: StaffProfile, on_duty: bool, actor: Any) -> StaffProfile:
    profile = StaffProfile.objects.select_for_update().get(pk=profile.pk)
    if on_duty and not profile.active:  # again under the lock: they may have left meanwhile
        raise DomainError(_("离职员工不能设为在岗。"), code="inactive", status_code=409)
    before = profile.on_duty
    profile.on_duty = on_duty
    profile.save(update_fields=["on_duty", "updated_at"])
    audit(actor, "staff_profile.duty", profile, before={"on_duty": before}, after={"on_duty": on_duty})
    return profile


def set_own_duty(*, user: Any, on_duty: bool) -> StaffProfile:
    """在岗/离岗 set by staff members themselves (a short absence during a shift)."""
    profile = StaffProfile.objects.filter(user=user).first()
    if profile is None:
        raise DomainError(_("您还没有员工档案，请联系管理员。"), code="no_staff_profile", status_code=409)
    return set_on_duty(profile=profile, on_duty=on_duty, actor=user)
