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


def _tell_house(
    house_id: int, event: str, context: dict[str, Any], *, key: str, people: list[Any] | None = None
) -> None:
    """`event` to the house's app users (its owners and payer), or to `people` when given."""
    people = people if people is not None else app_users_of([house_id]).get(house_id)
    if not people:
        return
    house = _house(house_id)
    notify(people, event, {"house": house.label, "house_id": house.pk, **context}, key=key)


def tell_payment_received(payment: Payment, receipt: Receipt) -> None:
    context = {
        "amount": str(payment.amount),
        "method": _method_label(payment.method),
        "receipt": receipt.number,
        "payment_id": payment.pk,
    }
    _tell_house(payment.house_id, "payment.received", context, key=f"payment.received:{payment.pk}")


def tell_refund_completed(refund: Refund) -> None:
    """Once the money has gone back."""
    method = _method_label(refund.method) if refund.method != "original" else _("原路退回")
    context = {"amount": str(refund.amount), "method": method, "refund_id": refund.pk}
    _tell_house(refund.house_id, "refund.completed", context, key=f"refund.completed:{refund.pk}")


def tell_invoice_issued(invoice: Invoice) -> None:
    """To the owner who asked for it in the app, else to the house's app users."""
    requester: Any = invoice.requested_by
    asked = requester is not None and Role.RESIDENT.value in (requester.roles or [])
    context = {
        "amount": str(invoice.amount),
        "title": invoice.title,
        "number": invoice.invoice_number,
        "invoice_id": invoice.pk,
    }
    _tell_house(
        invoice.house_id,
        "invoice.issued",
        context,
        key=f"invoice.issued:{invoice.pk}",
        people=[requester] if asked else None,
    )
