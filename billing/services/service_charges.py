"""Service charges (服务费): the seam through which other modules put money on a payer's ledger — a paid
repair's fee, an activity's fee — and take back what is still unpaid.

    post_service_charge(*, house, fee_item, amount, source, actor, reason, due_date=None) -> Charge
    cancel_service_charge(*, source, actor, reason) -> Charge | None
    billing.selectors.service_charges.service_charges(sources) -> {source: ServiceCharge}

`source` names what the money is for, in the posting module's words ("repairs.order:123"). The
database holds one service charge per source (a partial unique index), so a retried or redelivered
caller gets the charge it posted the first time — never a second one; the same source with another
house, item or amount is a 409 (a module that corrects a fee cancels and posts under a new source).

A service charge is owed like any other charge: outstanding, arrears, the collection rate, receipts,
the owner's bills and the cash desk read it as they read a regular one. It accrues a late fee only
when its fee item has a late-fee policy (billing.services.late_fees), as regular charges do.

Cancelling records that the service is called off (ServiceCancellation, once per charge: its key)
and reverses what is still unpaid with an adjustment line (reason kept). What was paid stays paid —
money that came in goes back only through a refund (billing.services.refunds, approved by someone
else), never as a side effect of another module's state change — but when that refund takes it
back (or a void of its receipt does), that transaction reverses it too (`reverse_taken_back`), so a
cancelled service's fee is never owed again. Late fees accrued on the charge and still unpaid are reversed with it.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from billing import outstanding
from billing.models import Charge, ChargeKind, FeeItem, ServiceCancellation
from billing.services.bill_runs import due_date_for
from billing.services.common import audit, check_amount, field_error, lock_payer, today
from billing.services.discount_rules import Line, post_lines
from billing.services.fees import person
from core.actions import action
from core.errors import DomainError
from core.i18n import records_language
from tenants.estates.models import House

SOURCE_MAX = 64


def _check_source(source: str) -> str:
    source = (source or "").strip()
    if not source or len(source) > SOURCE_MAX:
        raise field_error("source", _("费用来源须为 1 至 64 个字符。"))
    return source


def _reused(existing: Charge) -> DomainError:
    return DomainError(
        _("该来源已入账一笔不同的费用（%(amount)s 元）；请先取消后再重新入账。") % {"amount": existing.amount},
        code="service_charge_source_reused",
        status_code=409,
    )


@action
def post_service_charge(
    *,
    house: House,
    fee_item: FeeItem,
    amount: Decimal,
    source: str,
    actor: Any,
    reason: str,
    due_date: date | None = None,
) -> Charge:
    """Post a one-off charge of `amount` on `house` for `source`, or return the one posted before."""
    source = _check_source(source)
    value = check_amount("amount", amount)
    existing = Charge.objects.filter(kind=ChargeKind.SERVICE, source=source).first()
    if existing is not None:
        if (existing.house_id, existing.fee_item_id, existing.amount) != (house.pk, fee_item.pk, value):
            raise _reused(existing)
        return existing
    if fee_item.periodic:
        raise field_error("fee_item", _("服务费须使用一次性收费项目。"))
    # An inactive item is taken: deactivating stops an item being chosen anew (the pickers list active
    # ones; repair settings and activities refuse an inactive choice), not the charges of what was set
    # up under it — a sign-up promoted from the waiting list, a repair completed.
    issued = today()
    due = due_date or due_date_for(fee_item, issued)
    if due < issued:
        raise field_error("due_date", _("缴费截止日不能早于今天。"))
    lock_payer(house.pk)
    charge = Charge(
        house=house,
        estate_id=house.estate_id,
        building_id=house.building_id,
        fee_item=fee_item,
        kind=ChargeKind.SERVICE,
        source=source,
        cycle_start=issued,
        period_start=issued,
        period_end=issued + timedelta(days=1),
        amount=value,
        issued_on=issued,
        due_date=due,
        calculation={"mode": "service", "source": source, "entered": str(value)},
        reason=(reason or "").strip()[:200],
        created_by=person(actor),
    )
    try:
        with transaction.atomic():
            charge.save(force_insert=True)
    except IntegrityError as exc:
        if "service_charge_once_per_source" not in str(exc):
            raise
        # A concurrent caller posted it first (and committed): theirs is the charge.
        first = Charge.objects.get(kind=ChargeKind.SERVICE, source=source)
        if (first.house_id, first.fee_item_id, first.amount) != (house.pk, fee_item.pk, value):
            raise _reused(first) from exc
        return first
    audit(
        actor,
        "charge.service_post",
        charge,
        after={"house": house.pk, "fee_item": fee_item.pk, "amount": str(value), "source": source},
    )
    return charge


@action
def cancel_service_charge(*, source: str, actor: Any, reason: str) -> Charge | None:
    """Call off the service `source`'s charge was for: its unpaid remainder (and its unpaid late fees)
    is reversed now, and whatever was paid is reversed when it is refunded or its receipt voided
    (`reverse_taken_back`), so the owner never owes it again. The adjustment line posted now (the
    first one, when cancelled already), or None when nothing was posted for `source` or nothing is
    unpaid (paid in full: the money goes back through a refund)."""
    source = _check_source(source)
    charge = Charge.objects.filter(kind=ChargeKind.SERVICE, source=source).first()
    if charge is None:
        return None
    lock_payer(charge.house_id)
    reason = (reason or "").strip()[:200]
    _cancellation, created = ServiceCancellation.objects.get_or_create(
        charge=charge, defaults={"reason": reason, "requested_by": person(actor)}
    )
    if not created:
        return _first_cancel_line(charge)
    with records_language():
        reason = reason or _("服务取消")
    posted = _reverse_unpaid(charge, reason=reason, calculation={"cancel": source}, actor=actor)
    audit(
        actor,
        "charge.service_cancel",
        charge,
        after={"source": source, "reversed": str(-posted.amount if posted else 0), "reason": reason},
    )
    return posted


def reverse_taken_back(charge_ids: list[int], *, after: str, actor: Any) -> list[Charge]:
    """After a refund or a void took payments back from `charge_ids` (`after`: "refund:<id>" or
    "void:<receipt id>"): the service charges among them whose service was cancelled are reversed
    for what is unpaid again (the caller holds the payer's lock, inside its transaction). The
    adjustment lines posted, at most one per charge and `after` (the database's index). A late fee
    line taken back counts for its service charge (a refund takes the latest lines first: the late
    fee alone, at times)."""
    late_fees_of = Charge.objects.filter(pk__in=charge_ids, kind=ChargeKind.LATE_FEE).values("principal_id")
    cancelled = Charge.objects.filter(
        Q(pk__in=charge_ids) | Q(pk__in=late_fees_of),
        pk__in=ServiceCancellation.objects.values("charge_id"),
        kind=ChargeKind.SERVICE,
    )
    posted = []
    for charge in cancelled.order_by("pk"):
        with records_language():
            reason = _("服务已取消，退回的款项不再收取")
        line = _reverse_unpaid(
            charge, reason=reason, calculation={"cancel": charge.source, "after": after}, actor=actor
        )
        if line is not None:
            audit(
                actor,
                "charge.service_cancel",
                charge,
                after={"source": charge.source, "reversed": str(-line.amount), "after": after},
            )
            posted.append(line)
    return posted


def _reverse_unpaid(charge: Charge, *, reason: str, calculation: dict[str, Any], actor: Any) -> Charge | None:
    """Adjustment lines taking the unpaid remainder off `charge` and its late fees; the charge's own
    line, or None when nothing of it is unpaid."""
    lines_of = Charge.objects.filter(Q(pk=charge.pk) | Q(principal=charge, kind=ChargeKind.LATE_FEE))
    balances = outstanding.annotate(lines_of)
    lines = [
        Line(principal=line, amount=line.outstanding, reason=reason, calculation=calculation)  # type: ignore[attr-defined]
        for line in balances
        if line.outstanding > 0  # type: ignore[attr-defined]
    ]
    if not lines:
        return None
    posted = post_lines(lines, actor=actor)
    return next((line for line in posted if line.principal_id == charge.pk), None)


def _first_cancel_line(charge: Charge) -> Charge | None:
    return (
        Charge.objects.filter(principal=charge, kind=ChargeKind.ADJUSTMENT, calculation__has_key="cancel")
        .order_by("pk")
        .first()
    )


__all__ = ["cancel_service_charge", "post_service_charge", "reverse_taken_back"]
