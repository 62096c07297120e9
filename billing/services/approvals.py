"""The shape every request awaiting approval shares (减免, 退款, 空置房优惠): pending until someone other
than the requester, holding fees.approve, approves it (with an optional note) or rejects it (with a
required one). A request is decided once: it is re-read under a row lock before the decision."""

from __future__ import annotations

from typing import Any, TypeVar

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _

from billing.models import RequestStatus
from billing.services.common import field_error
from core.errors import DomainError

R = TypeVar("R", bound=models.Model)
DECISION_FIELDS = ["status", "decided_by", "decided_at", "decision_note"]


def lock_pending(request: R, *related: str) -> R:
    """The request re-read under its row lock; 409 unless it is still pending."""
    model = type(request)
    locked = model._default_manager.select_for_update(of=("self",)).select_related(*related).get(pk=request.pk)
    if locked.status != RequestStatus.PENDING:  # type: ignore[attr-defined]  # every request has a status
        raise DomainError(_("该申请已审批。"), code="already_decided", status_code=409)
    return locked


def refuse_self_approval(request: models.Model, actor: Any) -> None:
    if request.requested_by_id == getattr(actor, "pk", None):  # type: ignore[attr-defined]
        raise DomainError(_("不能审批自己提交的申请。"), code="self_approval", status_code=403)


def rejection_note(note: str) -> str:
    note = (note or "").strip()
    if not note:
        raise field_error("note", _("请填写驳回原因。"))
    return note[:200]


def decide(request: models.Model, *, status: str, actor: Any, note: str, also: tuple[str, ...] = ()) -> None:
    """Record the decision (and any other fields the caller set, named in `also`)."""
    request.status = status  # type: ignore[attr-defined]
    request.decided_by = actor  # type: ignore[attr-defined]
    request.decided_at = timezone.now()  # type: ignore[attr-defined]
    request.decision_note = (note or "").strip()[:200]  # type: ignore[attr-defined]
    request.save(update_fields=[*DECISION_FIELDS, *also])
