"""Owners' own data: contact details they change themselves, and corrections of name or ID number
they ask for and staff approve or reject."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import services as account_services
from core import text
from core.actions import action
from core.db import conflict_as
from core.errors import DomainError
from core.masking import mask_id_number
from notifications import selectors as notification_selectors
from notifications.services import notify
from tenants.residents import pii
from tenants.residents.models import CorrectionRequest, CorrectionStatus, Person
from tenants.residents.services.people import checked_person_fields, update_person


@action
def update_own_contact(*, person: Person, actor: Any, **changes: Any) -> Person:
    """Contact details an owner may change at once; identity fields go through a correction request."""
    forbidden = set(changes) - {"phone", "emergency_contact"}
    if forbidden:
        raise DomainError(
            _("姓名和身份证号需提交修改申请，由物业审核。"), fields={k: [_("请提交修改申请。")] for k in forbidden}
        )
    return update_person(person=person, actor=actor, **changes)


@action
def request_correction(*, person: Person, actor: Any, name: str = "", id_number: str = "") -> CorrectionRequest:
    changes: dict[str, Any] = {}
    if text.clean_name(name) and text.clean_name(name) != person.name:
        changes["name"] = name
    if id_number.strip() and pii.clean_id_number(id_number) != person.id_number:
        changes["id_number"] = id_number
    if not changes:
        raise DomainError(_("没有需要修改的内容。"), fields={"name": [_("请填写要修改的姓名或身份证号。")]})
    # Uniqueness is checked when staff approve, not here: an owner must not be able to probe
    # whether an ID number belongs to some resident.
    clean = checked_person_fields(changes, actor=actor, exclude_pk=person.pk, unique_id=False)
    with conflict_as(DomainError(_("您已有一个待审核的修改申请。"), code="correction_pending", status_code=409)):
        correction = CorrectionRequest.objects.create(
            person=person,
            name=clean.get("name", ""),
            id_number=clean.get("id_number", ""),
            id_number_masked=mask_id_number(clean.get("id_number", "")),
        )
    account_services.record_audit(
        actor=actor,
        action="correction.request",
        object_type="person",
        object_id=person.pk,
        after={"name": correction.name, "id_number": correction.id_number_masked},
    )
    _tell_reviewers(correction)
    return correction


def _tell_reviewers(correction: CorrectionRequest) -> None:
    """The staff who decide corrections (basic_data.manage) find the request in their bell."""
    fields = [
        str(label) for value, label in ((correction.name, _("姓名")), (correction.id_number, _("身份证号"))) if value
    ]
    notify(
        notification_selectors.staff_with_permission("basic_data.manage"),
        "correction.pending",
        {"correction_id": correction.pk, "name": correction.person.name, "fields": "、".join(fields)},
        key=f"correction.pending:{correction.pk}",
    )


def _decide_correction(*, correction_id: int, actor: Any, status: str, reason: str = "") -> CorrectionRequest:
    correction = CorrectionRequest.objects.select_for_update().select_related("person").filter(pk=correction_id).first()
    if correction is None:
        raise DomainError(_("申请不存在。"), code="not_found", status_code=404)
    if correction.status != CorrectionStatus.PENDING:
        raise DomainError(_("该申请已处理。"), code="already_decided", status_code=409)
    correction.status = status
    correction.reason = reason
    correction.decided_by = actor
    correction.decided_at = timezone.now()
    correction.save(update_fields=["status", "reason", "decided_by", "decided_at"])
    return correction


@action
def approve_correction(*, correction_id: int, actor: Any) -> CorrectionRequest:
    with transaction.atomic():
        correction = _decide_correction(correction_id=correction_id, actor=actor, status=CorrectionStatus.APPROVED)
        changes = {k: v for k, v in (("name", correction.name), ("id_number", correction.id_number)) if v}
        # Checked again: another person may have taken the ID number since the request.
        update_person(person=correction.person, actor=actor, **changes)
    return correction


@action
def reject_correction(*, correction_id: int, actor: Any, reason: str) -> CorrectionRequest:
    reason = reason.strip()
    if not reason:
        raise DomainError(_("请填写驳回原因。"), fields={"reason": [_("请填写驳回原因。")]})
    with transaction.atomic():
        correction = _decide_correction(
            correction_id=correction_id, actor=actor, status=CorrectionStatus.REJECTED, reason=reason[:200]
        )
        account_services.record_audit(
            actor=actor,
            action="correction.reject",
            object_type="person",
            object_id=correction.person_id,
            after={"reason": correction.reason},
        )
    return correction
