"""Writes about residents: owners' binding requests and staff decisions on them."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import services as account_services
from core.errors import DomainError
from tenants.estates.models import House
from tenants.residents.models import BindingStatus, HouseBinding, Relation


def request_binding(*, user: Any, house: House, relation: str, name: str, via_code: bool = False) -> HouseBinding:
    if relation not in Relation.values:
        raise DomainError(_("请选择与房屋的关系。"), fields={"relation": [_("请选择与房屋的关系。")]})
    name = name.strip()
    if not 1 <= len(name) <= 50:
        raise DomainError(_("请填写姓名。"), fields={"name": [_("请填写姓名（不超过 50 个字）。")]})
    try:
        with transaction.atomic():
            binding = HouseBinding.objects.create(
                user=user, house=house, relation=relation, name=name, via_code=via_code
            )
    except IntegrityError as exc:
        raise DomainError(
            _("您已申请或已绑定该房屋。"), code="already_bound", fields={"house_id": [_("您已申请或已绑定该房屋。")]}
        ) from exc
    account_services.record_audit(
        actor=user,
        action="binding.request",
        object_type="house_binding",
        object_id=binding.pk,
        after={"house": house.pk, "relation": relation},
    )
    return binding


def _decide(*, binding_id: int, actor: Any, status: str, reason: str = "") -> HouseBinding:
    with transaction.atomic():
        binding = HouseBinding.objects.select_for_update().filter(pk=binding_id).first()
        if binding is None:
            raise DomainError(_("申请不存在。"), code="not_found", status_code=404)
        if binding.status != BindingStatus.PENDING:
            raise DomainError(_("该申请已处理。"), code="already_decided", status_code=409)
        binding.status = status
        binding.reason = reason
        binding.decided_by = actor
        binding.decided_at = timezone.now()
        binding.save(update_fields=["status", "reason", "decided_by", "decided_at"])
        account_services.record_audit(
            actor=actor,
            action=f"binding.{status}",
            object_type="house_binding",
            object_id=binding.pk,
            before={"status": "pending"},
            after={"status": status, "reason": reason},
        )
    return binding


def approve_binding(*, binding_id: int, actor: Any) -> HouseBinding:
    with transaction.atomic():
        binding = _decide(binding_id=binding_id, actor=actor, status=BindingStatus.APPROVED)
        if not binding.user.name:
            # An owner who signed in by phone has no name until staff accept the one they gave.
            account_services.update_user(user=binding.user, actor=actor, name=binding.name)
    return binding


def reject_binding(*, binding_id: int, actor: Any, reason: str) -> HouseBinding:
    reason = reason.strip()
    if not reason:
        raise DomainError(_("请填写驳回原因。"), fields={"reason": [_("请填写驳回原因。")]})
    return _decide(binding_id=binding_id, actor=actor, status=BindingStatus.REJECTED, reason=reason[:200])
