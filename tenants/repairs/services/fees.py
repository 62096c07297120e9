"""A paid repair's fee on the billing ledger (billing.services.service_charges).

- The worker records the materials and the fee when completing. An in-house order of a paid category
  with a fee > 0 charges it to the order's house in the completion's transaction, under the fee item
  the company chose (报修设置); the source "repairs.order:<id>" makes a retried completion post once.
- A public-area order has no house to charge: its fee is recorded, and nothing is posted.
- A free category takes no fee. Completing with a fee before the company chose a fee item is refused,
  so a fee is never recorded and silently left unbilled.
- A reopened order keeps its charge (the work was done); completed again for the same fee, it is the
  same charge. Cancelling a reopened order keeps it too.
- The dispatcher corrects a fee before it is paid: the old charge's unpaid amount is reversed and the
  new fee posted under a new source ("repairs.order:<id>:<timeline entry>"). Once any of it is paid the
  fee cannot change here: money goes back through billing's refund path.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from accounts import services as account_services
from billing.selectors.service_charges import service_charge
from billing.services.common import check_amount
from billing.services.service_charges import cancel_service_charge, post_service_charge
from core.actions import action
from core.errors import DomainError
from core.i18n import records_language
from tenants.repairs import selectors
from tenants.repairs.models import RepairOrder, Status, TimelineEntry

# The states a completed order's fee can be corrected in.
FEE_STATUSES = (Status.COMPLETED, Status.CONFIRMED, Status.CLOSED)


def _invalid(field: str, message: str) -> DomainError:
    return DomainError(message, fields={field: [message]})


def first_source(order: RepairOrder) -> str:
    return f"repairs.order:{order.pk}"


def check_fee(order: RepairOrder, fee: Decimal | None) -> Decimal | None:
    """The fee to record for `order` (None when none is given), or a field error."""
    if fee is None:
        return None
    value = check_amount("fee", fee, zero_allowed=True)
    if value > 0 and not order.category.is_paid:
        raise _invalid("fee", _("该报修类别为免费维修，不能收费。"))
    if value > 0 and order.house_id is not None and selectors.repair_settings().fee_item_id is None:
        raise _invalid("fee", _("请先在报修设置中选择维修费收费项目。"))
    return value


def _reason(order: RepairOrder) -> str:
    with records_language():  # kept on the ledger, read by everyone
        return _("报修单 %(number)s：%(category)s") % {"number": order.number, "category": order.category.path}


def _billable(order: RepairOrder) -> bool:
    return bool(order.fee and order.fee > 0 and order.category.is_paid and order.house_id is not None)


def _post(order: RepairOrder, source: str, *, actor: Any) -> str:
    fee_item = selectors.repair_settings().fee_item
    if fee_item is None or order.house is None or order.fee is None:  # checked by check_fee
        raise _invalid("fee", _("请先在报修设置中选择维修费收费项目。"))
    post_service_charge(
        house=order.house, fee_item=fee_item, amount=order.fee, source=source, actor=actor, reason=_reason(order)
    )
    return source


def _replace(order: RepairOrder, *, new_source: str, actor: Any, reason: str) -> None:
    """Reverse the order's current charge (refused once any of it is paid) and post its fee anew."""
    if order.charge_source:
        current = service_charge(order.charge_source)
        if current is not None and current.paid > 0:
            raise DomainError(
                _("维修费已缴 %(paid)s 元，不能再修改；如需退还请走退款流程。") % {"paid": current.paid},
                code="repair_fee_paid",
                status_code=409,
            )
        cancel_service_charge(source=order.charge_source, actor=actor, reason=reason)
        order.charge_source = ""
    if _billable(order):
        order.charge_source = _post(order, new_source, actor=actor)


def charge_completed(order: RepairOrder, *, actor: Any) -> dict[str, Any]:
    """After the completion of `order` (its fee recorded, its row locked, in the same action): charge
    the fee once. What happened, for the audit row."""
    if not _billable(order):
        return {"charge": None, "why": "public_area" if order.house_id is None and order.fee else "no_fee"}
    if order.charge_source:  # completed before, then reopened
        current = service_charge(order.charge_source)
        if current is not None and not current.cancelled and current.amount == order.fee:
            return {"charge": order.charge_source, "kept": True}
        with records_language():
            reason = _("重新完工，维修费变更")
        _replace(order, new_source=_next_source(order), actor=actor, reason=reason)
    else:  # the first charge, or one after a fee corrected to nothing (its first source is taken)
        source = first_source(order) if service_charge(first_source(order)) is None else _next_source(order)
        order.charge_source = _post(order, source, actor=actor)
    order.save(update_fields=["charge_source"])
    return {"charge": order.charge_source}


def _next_source(order: RepairOrder) -> str:
    last = TimelineEntry.objects.filter(order=order).order_by("-id").values_list("id", flat=True).first()
    return f"{first_source(order)}:{last}"


@action
def correct_fee(*, order_id: int, fee: Decimal, actor: Any, note: str = "") -> RepairOrder:
    """The dispatcher corrects a completed order's fee (before any of it is paid): one timeline entry,
    the old charge reversed and the new one posted, one audit row."""
    order = (
        RepairOrder.objects.select_for_update(of=("self",))
        .select_related("category__parent", "house")
        .filter(pk=order_id)
        .first()
    )
    if order is None:
        raise DomainError(_("报修单不存在。"), code="not_found", status_code=404)
    if order.status not in FEE_STATUSES:
        raise DomainError(_("报修单完工后才能修改维修费。"), code="transition_not_allowed", status_code=409)
    before = {"fee": str(order.fee) if order.fee is not None else None, "charge": order.charge_source}
    value = check_fee(order, fee)
    if value == order.fee:
        return order
    with records_language():
        note = note.strip()[:500] or _("维修费 %(old)s → %(new)s 元") % {"old": order.fee or 0, "new": value}
    entry = TimelineEntry.objects.create(
        order=order, transition="fee", from_status=order.status, to_status=order.status, actor=actor, note=note
    )
    order.fee = value
    _replace(order, new_source=f"{first_source(order)}:{entry.pk}", actor=actor, reason=note)
    order.save(update_fields=["fee", "charge_source", "updated_at"])
    account_services.record_audit(
        actor=actor,
        action="repair.fee",
        object_type="repair_order",
        object_id=order.pk,
        before=before,
        after={"fee": str(value), "charge": order.charge_source},
    )
    return order
