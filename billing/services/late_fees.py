"""Posting late fees (滞纳金) to the ledger: each a charge of its own, linked to its principal.

What a principal has accrued by a day comes from its fee item's policy (billing.late_fees); what is
posted is that minus what was posted before, as one line per principal and day — so posting twice
the same day adds nothing, and accrual stops once the principal is paid.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from billing import late_fees as policies
from billing import outstanding
from billing.models import Charge, ChargeKind

ZERO = Decimal("0.00")
# What a late fee accrues on: regular and service charges whose fee item has a late-fee policy.
LATE_FEE_KINDS = (ChargeKind.REGULAR, ChargeKind.SERVICE)


def accrued_unposted(*, house_id: int, as_of: date) -> list[tuple[Charge, Decimal]]:
    """(principal, late fee to post) of the payer's overdue, unpaid regular and service charges whose
    item has a policy."""
    overdue = outstanding.annotate(
        Charge.objects.filter(house_id=house_id, kind__in=LATE_FEE_KINDS, due_date__lt=as_of)
        .exclude(fee_item__late_fee={})
        .select_related("fee_item"),
        late_posted=True,
    ).filter(**{"outstanding__gt": 0})  # paid (or waived): accrual stopped
    result = []
    for charge in overdue:
        net, posted = charge.net, charge.late_posted  # type: ignore[attr-defined]  # annotated
        policy = policies.policy_from_config(charge.fee_item.late_fee)
        due = policies.late_fee_due(policy, principal=net, due=charge.due_date, as_of=as_of)
        extra = due - posted
        if extra > 0:
            result.append((charge, extra))
    return result


def post_late_fees(*, house_id: int, as_of: date) -> list[Charge]:
    """Post what has accrued and is not yet on the ledger (called inside the payer's locked action)."""
    lines = accrued_unposted(house_id=house_id, as_of=as_of)
    rows = [
        Charge(
            house_id=charge.house_id,
            estate_id=charge.estate_id,
            building_id=charge.building_id,
            fee_item_id=charge.fee_item_id,
            kind=ChargeKind.LATE_FEE,
            cycle_start=charge.cycle_start,
            period_start=charge.due_date + timedelta(days=1),
            period_end=as_of + timedelta(days=1),
            amount=amount,
            issued_on=as_of,
            due_date=as_of,
            principal=charge,
            calculation={
                "late_fee": charge.fee_item.late_fee,
                "principal": str(charge.amount),
                "due_date": charge.due_date.isoformat(),
                "as_of": as_of.isoformat(),
            },
        )
        for charge, amount in lines
    ]
    return Charge.objects.bulk_create(rows, ignore_conflicts=True) if rows else []
