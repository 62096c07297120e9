"""Telling owners about their money (notifications.notify, in the caller's action): a payment taken
(online or at the cash desk), a refund paid back, an invoice issued. Each message's key is the
record's own, so a redelivered webhook or task, or a replayed request, tells nobody twice."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from accounts.roles import Role
from billing.models import Invoice, Payment, PaymentMethod, Receipt, Refund
from billing.services.notices import app_users_of
from notifications.services import notify
from tenants.estates.models import House


def _house(house_id: int) -> House:
    return House.objects.select_related("building", "unit").get(pk=house_id)


def _method_label(method: str) -> str:
    return str(PaymentMethod(method).label) if method in PaymentMethod.values else method


def tell_payment_received(payment: Payment, receipt: Receipt) -> None:
    """payment.received to the house's app users (its owners and payer)."""
    people = app_users_of([payment.house_id]).get(payment.house_id)
    if not people:
        return
    house = _house(payment.house_id)
    notify(
        people,
        "payment.received",
        {
            "house": house.label,
            "house_id": house.pk,
            "amount": str(payment.amount),
            "method": _method_label(payment.method),
            "receipt": receipt.number,
            "payment_id": payment.pk,
        },
        key=f"payment.received:{payment.pk}",
    )


def tell_refund_completed(refund: Refund) -> None:
    """refund.completed to the house's app users, once the money has gone back."""
    people = app_users_of([refund.house_id]).get(refund.house_id)
    if not people:
        return
    house = _house(refund.house_id)
    notify(
        people,
        "refund.completed",
        {
            "house": house.label,
            "house_id": house.pk,
            "amount": str(refund.amount),
            "method": _method_label(refund.method) if refund.method != "original" else _("原路退回"),
            "refund_id": refund.pk,
        },
        key=f"refund.completed:{refund.pk}",
    )


def tell_invoice_issued(invoice: Invoice) -> None:
    """invoice.issued to the owner who asked for it in the app, else to the house's app users."""
    requester: Any = invoice.requested_by
    if requester is not None and Role.RESIDENT.value in (requester.roles or []):
        people = [requester]
    else:
        people = app_users_of([invoice.house_id]).get(invoice.house_id) or []
    if not people:
        return
    house = _house(invoice.house_id)
    notify(
        people,
        "invoice.issued",
        {
            "house": house.label,
            "house_id": house.pk,
            "amount": str(invoice.amount),
            "title": invoice.title,
            "number": invoice.invoice_number,
            "invoice_id": invoice.pk,
        },
        key=f"invoice.issued:{invoice.pk}",
    )
