"""Reads for invoices: what a payment can still be invoiced for, the payments of a house not yet on a
live invoice, invoices for staff and for an owner (only the houses they are bound to now)."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db.models import Exists, OuterRef, Prefetch, QuerySet, Sum, Value
from django.db.models.functions import Coalesce

from billing.models import Allocation, Invoice, InvoiceLine, Payment
from billing.selectors.owner import owner_house_ids

ZERO = Decimal("0.00")


def _net_allocated() -> Any:
    """A payment's allocations to charges net of what refunds and voids took back: what it paid."""
    return Coalesce(
        Sum("allocations__amount"),
        Value(ZERO),
    )


def net_allocated(payment_ids: Iterable[int]) -> dict[int, Decimal]:
    rows = (
        Allocation.objects.filter(payment_id__in=list(payment_ids))
        .values("payment_id")
        .annotate(total=Sum("amount"))
        .values_list("payment_id", "total")
    )
    return {payment_id: total for payment_id, total in rows}


def invoiceable_payments(house_ids: Iterable[int]) -> QuerySet[Payment]:
    """The houses' payments that paid charges and are on no live invoice, newest first, each with `invoiceable`."""
    on_live = InvoiceLine.objects.filter(payment=OuterRef("pk"), live=True)
    return (
        Payment.objects.filter(house_id__in=list(house_ids))
        .annotate(invoiceable=_net_allocated())
        .filter(invoiceable__gt=0)
        .exclude(Exists(on_live))
        .select_related("house__building", "house__unit")
        .order_by("-received_at", "-id")
    )


def invoices() -> QuerySet[Invoice]:
    lines = InvoiceLine.objects.select_related("payment").order_by("id")
    return Invoice.objects.select_related(
        "house__building", "house__unit", "house__estate", "requested_by", "decided_by"
    ).prefetch_related(Prefetch("lines", queryset=lines))


def owner_invoices(user: Any, house_ids: list[int] | None = None) -> QuerySet[Invoice]:
    mine = owner_house_ids(user)
    wanted = mine if house_ids is None else [h for h in house_ids if h in mine]
    return invoices().filter(house_id__in=wanted)


def owner_invoice(user: Any, invoice_id: int) -> Invoice | None:
    return owner_invoices(user).filter(pk=invoice_id).first()
