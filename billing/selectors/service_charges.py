"""What other modules read of the charges they posted (billing.services.service_charges): by source,
whether it is paid, what is still owed, whether it was cancelled — one query for any number of sources."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Exists, OuterRef

from billing import outstanding
from billing.models import Charge, ChargeKind

CANCELLED = "cancelled"


@dataclass(frozen=True)
class ServiceCharge:
    """A service charge as its module shows it. `status` is billing.outstanding.ChargeStatus's
    (unpaid, partial, paid, overdue), or "cancelled" once its unpaid remainder was reversed and
    nothing had been paid; `paid_in_full` is true when everything still charged is paid."""

    charge_id: int
    house_id: int
    amount: Decimal  # as posted
    net: Decimal  # after adjustments (a cancellation, a waiver)
    paid: Decimal
    outstanding: Decimal
    due_date: date
    cancelled: bool
    status: str

    @property
    def paid_in_full(self) -> bool:
        return self.outstanding <= 0 and self.paid > 0


def service_charges(sources: Iterable[str], *, as_of: date | None = None) -> dict[str, ServiceCharge]:
    """The service charges posted for `sources`, by source (a source with none is absent)."""
    wanted = [source for source in set(sources) if source]
    if not wanted:
        return {}
    cancel = Charge.objects.filter(principal=OuterRef("pk"), kind=ChargeKind.ADJUSTMENT, calculation__has_key="cancel")
    rows = outstanding.with_status(
        Charge.objects.filter(kind=ChargeKind.SERVICE, source__in=wanted).annotate(cancelled=Exists(cancel)),
        as_of=as_of,
    )
    found = {}
    for charge in rows:
        cancelled: bool = charge.cancelled  # type: ignore[attr-defined]  # annotated
        paid: Decimal = charge.paid  # type: ignore[attr-defined]
        status: str = CANCELLED if cancelled and paid <= 0 else charge.status  # type: ignore[attr-defined]
        found[charge.source] = ServiceCharge(
            charge_id=charge.pk,
            house_id=charge.house_id,
            amount=charge.amount,
            net=charge.net,  # type: ignore[attr-defined]
            paid=paid,
            outstanding=charge.outstanding,  # type: ignore[attr-defined]
            due_date=charge.due_date,
            cancelled=cancelled,
            status=status,
        )
    return found


def service_charge(source: str) -> ServiceCharge | None:
    return service_charges([source]).get(source)
