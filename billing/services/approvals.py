"""Requests someone else decides (审批): a waiver, a refund — asked for at the desk, approved or rejected
by another user holding `fees.approve`.

`decide` is the one way such a request is decided: the payer lock (on approval), the pending check,
no approving one's own request, the decision fields and the audit line. What approving a kind of
request *does* (an adjustment line, a balance entry, …) is its `on_approve`, run under those locks.
A request model needs `status` (RequestStatus), `requested_by`, `decided_by`, `decided_at` and
`decision_note`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal, TypeVar

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _

from billing.models import RequestStatus
from billing.services.common import audit, field_error, lock_payer
from core.errors import DomainError

Decision = Literal["approve", "reject"]
R = TypeVar("R", bound=models.Model)

_OUTCOME = {"approve": RequestStatus.APPROVED, "reject": RequestStatus.REJECTED}


def decide(
    request_obj: R,
    *,
    decision: Decision,
    actor: Any,
    note: str,
    on_approve: Callable[[R, Any], dict[str, Any]],
    payer_id: int | None = None,
    own_allowed: bool = False,
) -> R:
    """Approve or reject a pending request; call inside an action (one transaction).

    `on_approve(request, actor)` gets the locked, re-read request and returns the audit line's `after`;
    `payer_id` is the house whose money the approval moves (its lock is taken first, as every
    money movement does). A rejection needs a note; the requester may reject (withdraw) their own,
    and approve it only where no approval is required (`own_allowed`, e.g. a direct reduction).
    """
    note = (note or "").strip()
    if decision == "reject" and not note:
        raise field_error("note", _("请填写驳回原因。"))
    if decision == "approve" and payer_id is not None:
        lock_payer(payer_id)
    locked = type(request_obj)._default_manager.select_for_update().get(pk=request_obj.pk)
    fields: Any = locked  # the request fields named in the module docstring
    if fields.status != RequestStatus.PENDING:
        raise DomainError(_("该申请已审批。"), code="already_decided", status_code=409)
    if decision == "approve":
        if not own_allowed and fields.requested_by_id == getattr(actor, "pk", None):
            raise DomainError(_("不能审批自己提交的申请。"), code="self_approval", status_code=403)
        after = on_approve(locked, actor)
    else:
        after = {"note": note[:200]}
    fields.status, fields.decided_by, fields.decided_at = _OUTCOME[decision], actor, timezone.now()
    fields.decision_note = note[:200]
    locked.save()
    audit(actor, f"{locked._meta.model_name}.{decision}", locked, after=after)
    return locked
