"""The partner portal's orders: the vendor's copy of each company's order (PortalOrder), written by
the company's order actions in their own transaction, and the vendor's moves of an order — which
check the admission on every call before touching the company's schema, one company per call."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from django_tenants.utils import tenant_context

from companies.models import Company
from core.actions import action, in_action
from core.errors import DomainError, NotFound
from partners import bridge, selectors
from partners.models import Admission, AdmissionStatus, PortalOrder, VendorAccount
from partners.services import notices
from partners.services.vendors import label

MOVES = ("confirm", "start", "complete", "cancel")


@dataclass(frozen=True)
class OrderCopy:
    """What the vendor may know of a company's order."""

    order_id: int
    number: str
    version: int
    status: str
    offering_name: str
    price_mode: str
    fulfilment: str
    quantity: int
    amount: Decimal
    refunded: Decimal
    commission_rate: Decimal
    scheduled_start: datetime | None
    scheduled_end: datetime | None
    estate_name: str
    address: str
    contact_name: str
    contact_phone: str
    note: str
    rating: int | None
    rating_comment: str
    created_at: datetime
    paid_at: datetime | None
    completed_at: datetime | None
    cancelled_at: datetime | None
    cancelled_by: str
    cancel_reason: str
    updated_at: datetime


def admission_for(*, company: Company, vendor_id: int) -> Admission | None:
    return Admission.objects.filter(company=company, vendor_id=vendor_id).first()


def record_copy(*, company: Company, vendor_id: int, copy: OrderCopy) -> None:
    """Write the vendor's copy of an order, inside the order's own action. A copy older than the one
    kept (a lower version) changes nothing."""
    if not in_action():
        raise RuntimeError("the portal's copy is written inside the order's action")
    admission = admission_for(company=company, vendor_id=vendor_id)
    if admission is None:
        raise DomainError(_("该服务商未被本公司准入。"), code="not_admitted", status_code=409)
    fields: dict[str, Any] = asdict(copy)
    order_id = fields.pop("order_id")
    kept = PortalOrder.objects.select_for_update().filter(company=company, order_id=order_id).first()
    if kept is None:
        created = PortalOrder.objects.create(
            company=company, vendor_id=vendor_id, admission=admission, order_id=order_id, **fields
        )
        notices.tell_of_order(None, created, admitted=admission.status == AdmissionStatus.APPROVED)
        return
    if kept.version >= copy.version:
        return
    before = copy_of(kept)
    for name, value in fields.items():
        setattr(kept, name, value)
    kept.company = company
    kept.save()
    notices.tell_of_order(before, kept, admitted=admission.status == AdmissionStatus.APPROVED)


def copy_of(order: PortalOrder) -> PortalOrder:
    """The copy as it was, to compare with after a move (a model instance is changed in place)."""
    return PortalOrder(**{field.attname: getattr(order, field.attname) for field in PortalOrder._meta.concrete_fields})


@action
def move_order(
    *, account: VendorAccount, portal_order_id: Any, move: str, reason: str = "", amount: Decimal | None = None
) -> PortalOrder:
    """The vendor confirms, starts, completes or cancels one order: only one of its own, of a company
    whose admission of it is approved now; the company's app makes the move in the company's schema."""
    if move not in MOVES:
        raise DomainError(_("不支持的操作。"), code="bad_move")
    found = selectors.vendor_orders(account.vendor).filter(pk=portal_order_id).first()
    if found is None:
        raise NotFound()
    admission = Admission.objects.select_for_update().get(pk=found.admission_id)
    if admission.status != AdmissionStatus.APPROVED:  # suspended meanwhile: none of its business now
        raise NotFound()
    with tenant_context(found.company):
        bridge.orders().vendor_move(
            order_id=found.order_id,
            vendor_id=account.vendor_id,
            move=move,
            actor_label=label(account),
            reason=reason,
            amount=amount,
        )
    return selectors.vendor_orders(account.vendor).get(pk=found.pk)
