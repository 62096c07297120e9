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

Cancelling reverses what is still unpaid with one adjustment line (reason kept, once per charge: a
unique index). What was paid stays paid: a fully paid charge is refused (409 `service_charge_paid`) —
money that came in goes back only through a refund (billing.services.refunds, approved by someone
else), never as a side effect of another module's state change. Late fees accrued on the charge and
still unpaid are reversed with it.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from billing import outstanding
from billing.models import Charge, ChargeKind, FeeItem
from billing.services.bill_runs import due_date_for
from billing.services.common import audit, check_amount, field_error, lock_payer, today
from billing.services.discount_rules import Line, post_lines
from billing.services.fees import person
from core.actions import action
from core.errors import DomainError
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
    if not fee_item.active:
        raise field_error("fee_item", _("该收费项目已停用。"))
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
    """Reverse the unpaid remainder of `source`'s charge (and of its unpaid late fees): the adjustment
    line against the charge (the one posted before, when cancelled already), or None when nothing was
    posted for `source`. A partly paid charge keeps what was paid; a fully paid one: 409 — refund it."""
    source = _check_source(source)
    charge = Charge.objects.filter(kind=ChargeKind.SERVICE, source=source).first()
    if charge is None:
        return None
    lock_payer(charge.house_id)
    done = Charge.objects.filter(principal=charge, kind=ChargeKind.ADJUSTMENT, calculation__has_key="cancel").first()
    if done is not None:
        return done
    lines_of = Charge.objects.filter(Q(pk=charge.pk) | Q(principal=charge, kind=ChargeKind.LATE_FEE))
    balances = {line.pk: line for line in outstanding.annotate(lines_of)}
    owed = balances[charge.pk].outstanding  # type: ignore[attr-defined]  # annotated
    paid = balances[charge.pk].paid  # type: ignore[attr-defined]
    if owed <= 0:
        raise DomainError(
            _("该费用已缴清，不能取消；如需退还请走退款流程。"), code="service_charge_paid", status_code=409
        )
    reason = (reason or "").strip()[:200] or _("服务取消")
    lines = [
        Line(principal=line, amount=line.outstanding, reason=reason, calculation={"cancel": source})  # type: ignore[attr-defined]
        for line in balances.values()
        if line.outstanding > 0  # type: ignore[attr-defined]
    ]
    posted = post_lines(lines, actor=actor)
    adjustment = next(line for line in posted if line.principal_id == charge.pk)
    audit(
        actor,
        "charge.service_cancel",
        charge,
        after={"source": source, "reversed": str(owed), "paid": str(paid), "reason": reason},
    )
    return adjustment


__all__ = ["cancel_service_charge", "post_service_charge"]
