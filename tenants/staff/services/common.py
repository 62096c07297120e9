"""What the staff services share: field errors, names, the audit line, deletion of what is not in use."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import ProtectedError
from django.utils.translation import gettext as _

from accounts import services as account_services
from core import text
from core.errors import DomainError

MAX_GRACE_MINUTES = 240


def field_error(field: str, message: str, *, code: str = "invalid", status_code: int | None = None) -> DomainError:
    return DomainError(message, code=code, fields={field: [message]}, status_code=status_code)


def clean_name(value: str, *, field: str = "name", max_length: int = 50) -> str:
    value = text.clean_name(value)
    if not value:
        raise field_error(field, _("请填写名称。"))
    if len(value) > max_length:
        raise field_error(field, _("不能超过 %(n)s 个字。") % {"n": max_length})
    return value


def audit(actor: Any, action: str, obj: Any, *, before: dict | None = None, after: dict | None = None) -> None:
    account_services.record_audit(
        actor=actor, action=action, object_type=obj._meta.model_name, object_id=obj.pk, before=before, after=after
    )


def delete_unused(obj: Any, *, actor: Any, in_use: str) -> None:
    snapshot = {"name": str(obj)}
    pk = obj.pk
    try:
        with transaction.atomic():
            obj.delete()
    except ProtectedError as exc:
        raise DomainError(in_use, code="in_use", status_code=409) from exc
    obj.pk = pk
    audit(actor, f"{obj._meta.model_name}.delete", obj, before=snapshot)


def only_fields(changes: dict, allowed: set[str]) -> None:
    extra = set(changes) - allowed
    if extra:
        raise DomainError(_("不能修改这些字段。"), fields={k: [_("不可修改。")] for k in sorted(extra)})
