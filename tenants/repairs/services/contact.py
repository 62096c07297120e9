"""The owner's phone number for the worker on the job: revealed only to the worker an open order is
assigned to, and every reveal is audited (the lists never carry it)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from accounts import services as account_services
from core.actions import action
from core.errors import DomainError
from tenants.repairs.models import RepairOrder, Status

ON_THE_JOB = (Status.DISPATCHED, Status.ACCEPTED, Status.IN_PROGRESS)


@action
def reveal_contact(*, order_id: int, worker: Any) -> dict[str, str]:
    order = RepairOrder.objects.select_related("owner").filter(pk=order_id, worker=worker).first()
    if order is None:
        raise DomainError(_("报修单不存在。"), code="not_found", status_code=404)
    if order.status not in ON_THE_JOB:
        raise DomainError(_("只有进行中的报修单可以查看联系电话。"), code="not_on_the_job", status_code=409)
    phone = order.owner.phone if order.owner is not None else ""
    account_services.record_audit(
        actor=worker, action="repair.contact_reveal", object_type="repair_order", object_id=order.pk
    )
    return {"name": order.contact_name, "phone": phone or ""}
