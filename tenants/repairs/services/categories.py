"""Repair categories (two levels) and the company's repair settings."""

from __future__ import annotations

from typing import Any

from django.db.models.deletion import ProtectedError
from django.utils.translation import gettext as _

from accounts import services as account_services
from core.actions import action
from core.db import conflict_as
from core.errors import DomainError
from tenants.repairs import selectors
from tenants.repairs.models import RepairCategory, RepairSettings, Urgency

_FIELDS = (
    "name",
    "parent",
    "default_urgency",
    "sla_hours",
    "is_paid",
    "dispatch_mode",
    "scope",
    "is_active",
    "sort_order",
)
MAX_SLA_HOURS = 24 * 90


def _view(category: RepairCategory) -> dict[str, Any]:
    return {
        "name": category.name,
        "parent": category.parent_id,
        "default_urgency": category.default_urgency,
        "sla_hours": category.sla_hours,
        "is_paid": category.is_paid,
        "dispatch_mode": category.dispatch_mode,
        "scope": category.scope,
        "is_active": category.is_active,
    }


def _check(category: RepairCategory) -> None:
    problems: dict[str, list[str]] = {}
    category.name = (category.name or "").strip()
    if not category.name:
        problems["name"] = [_("请填写类别名称。")]
    parent = category.parent
    if parent is not None and (parent.parent_id is not None or (category.pk and parent.pk == category.pk)):
        problems["parent"] = [_("类别最多两级：上级类别必须是一级类别。")]
    elif parent is not None and category.pk and category.children.exists():
        problems["parent"] = [_("该类别下还有子类别，不能再设上级类别。")]
    sla = category.sla_hours
    if not isinstance(sla, dict) or any(
        key not in Urgency.values
        or isinstance(hours, bool)
        or not isinstance(hours, int)
        or not 1 <= hours <= MAX_SLA_HOURS
        for key, hours in sla.items()
    ):
        problems["sla_hours"] = [
            _("时限按紧急程度（normal、urgent、emergency）填写 1 到 %(max)s 之间的整数小时。") % {"max": MAX_SLA_HOURS}
        ]
    if problems:
        raise DomainError(next(iter(problems.values()))[0], fields=problems)


def _taken() -> DomainError:
    message = _("同一上级下已有同名类别。")
    return DomainError(message, code="duplicate", fields={"name": [message]})


@action
def create_category(*, actor: Any, **fields: Any) -> RepairCategory:
    category = RepairCategory(**{k: v for k, v in fields.items() if k in _FIELDS})
    _check(category)
    with conflict_as(_taken()):
        category.save()
    account_services.record_audit(
        actor=actor,
        action="repair_category.create",
        object_type="repair_category",
        object_id=category.pk,
        after=_view(category),
    )
    return category


@action
def update_category(*, category: RepairCategory, actor: Any, **changes: Any) -> RepairCategory:
    category = RepairCategory.objects.select_for_update().get(pk=category.pk)
    before = _view(category)
    for key, value in changes.items():
        if key in _FIELDS:
            setattr(category, key, value)
    _check(category)
    with conflict_as(_taken()):
        category.save()
    account_services.record_audit(
        actor=actor,
        action="repair_category.update",
        object_type="repair_category",
        object_id=category.pk,
        before=before,
        after=_view(category),
    )
    return category


@action
def delete_category(*, category: RepairCategory, actor: Any) -> None:
    before = _view(category)
    pk = category.pk
    try:
        category.delete()
    except ProtectedError:
        raise DomainError(_("该类别已有报修单或子类别，不能删除；可以停用。"), code="in_use", status_code=409) from None
    account_services.record_audit(
        actor=actor, action="repair_category.delete", object_type="repair_category", object_id=pk, before=before
    )


SETTINGS_RANGES = {  # field -> (lowest, highest)
    "reopen_days": (0, 90),
    "sla_warning_percent": (1, 99),
    "auto_close_days": (1, 90),
}


@action
def update_settings(*, actor: Any, **changes: Any) -> RepairSettings:
    """Change some of the settings; `fee_item` (a one-off, active billing fee item, or None) is the
    item paid repairs' fees are charged under."""
    messages = {
        "reopen_days": _("可重开天数应在 0 到 90 之间。"),
        "sla_warning_percent": _("超时预警应在时限的 1% 到 99% 之间。"),
        "auto_close_days": _("自动关闭天数应在 1 到 90 之间。"),
    }
    problems = {
        name: [str(messages[name])]
        for name, value in changes.items()
        if name in SETTINGS_RANGES and not SETTINGS_RANGES[name][0] <= value <= SETTINGS_RANGES[name][1]
    }
    item = changes.get("fee_item")
    if item is not None and (item.periodic or not item.active):
        problems["fee_item"] = [_("维修费须使用启用中的一次性收费项目。")]
    if problems:
        raise DomainError(next(iter(problems.values()))[0], fields=problems)
    current = selectors.repair_settings()
    before = {name: getattr(current, name) for name in SETTINGS_RANGES}
    before["fee_item"] = current.fee_item_id
    for name, value in changes.items():
        if name in SETTINGS_RANGES or name == "fee_item":
            setattr(current, name, value)
    current.save()
    account_services.record_audit(
        actor=actor,
        action="repair_settings.update",
        object_type="repair_settings",
        object_id=1,
        before=before,
        after={**{name: getattr(current, name) for name in SETTINGS_RANGES}, "fee_item": current.fee_item_id},
    )
    return current
