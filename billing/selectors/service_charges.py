"""What other modules read of the charges they posted (billing.services.service_charges): by source,
whether it is paid, what is still owed, whether it was cancelled — one query for any number of sources;
and the same facts as expressions (`payment_status_of`, `paid_of_source`) a module puts in its own
query, so its list can be filtered and paginated by them in the database."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Case, CharField, Exists, OuterRef, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from billing import outstanding
from billing.models import Allocation, Charge, ChargeKind

CANCELLED = "cancelled"


class PaymentStatus:
    """Where the money of a service charge stands, as its module's staff ask it: owed (unpaid, partial),
    paid, given back (refunded: an approved refund reversed what was paid), or taken back unpaid
    (cancelled). An overdue charge is unpaid here; its due date says the rest."""

    UNPAID = "unpaid"
    PARTIAL = "partial"
    PAID = "paid"
    REFUNDED = "refunded"
    CANCELLED = CANCELLED
    CHOICES = [
        (UNPAID, _("未缴")),
        (PARTIAL, _("部分缴纳")),
        (PAID, _("已缴")),
        (REFUNDED, _("已退款")),
        (CANCELLED, _("已取消")),
    ]


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


def _by_source(source: Any) -> Any:
    return Charge.objects.filter(kind=ChargeKind.SERVICE, source=source)


def payment_status_of(source: Any) -> Subquery:
    """The PaymentStatus of the service charge posted for `source` (an expression of the caller's query,
    e.g. built from OuterRef("pk")), as a scalar subquery over the charge, its adjustments and its
    allocations; NULL when nothing was posted for it."""
    cancel = Charge.objects.filter(principal=OuterRef("pk"), kind=ChargeKind.ADJUSTMENT, calculation__has_key="cancel")
    refund = Allocation.objects.filter(
        charge=OuterRef("pk"), reverses__isnull=False, payment__refunds__reversed_at__isnull=False
    )
    rows = (
        outstanding.annotate(_by_source(source))
        .annotate(cancelled=Exists(cancel), refunded=Exists(refund))
        .annotate(
            payment_status=Case(
                When(refunded=True, paid__lte=0, then=Value(PaymentStatus.REFUNDED)),
                When(outstanding__lte=0, paid__gt=0, then=Value(PaymentStatus.PAID)),
                When(cancelled=True, then=Value(PaymentStatus.CANCELLED)),
                When(outstanding__lte=0, then=Value(PaymentStatus.CANCELLED)),  # waived in full
                When(paid__gt=0, then=Value(PaymentStatus.PARTIAL)),
                default=Value(PaymentStatus.UNPAID),
                output_field=CharField(),
            )
        )
    )
    return Subquery(rows.values("payment_status")[:1], output_field=CharField())


def paid_of_source(source: Any) -> Coalesce:
    """What was paid on `source`'s service charge, net of reversals (refunds, voids); 0 when none."""
    rows = outstanding.annotate(_by_source(source)).values("paid")[:1]  # type: ignore[misc]  # annotated
    return Coalesce(
        Subquery(rows, output_field=outstanding.MONEY), Value(outstanding.ZERO), output_field=outstanding.MONEY
    )


def charged_of_source(source: Any) -> Subquery:
    """What `source`'s service charge asks for after its adjustments (a cancellation, a waiver); NULL when none."""
    rows = outstanding.annotate(_by_source(source)).values("net")[:1]  # type: ignore[misc]  # annotated
    return Subquery(rows, output_field=outstanding.MONEY)
