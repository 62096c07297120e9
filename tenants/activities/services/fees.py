"""A paid activity's fee, through billing's service-charge seam: a confirmed seat (at sign-up or when
promoted from the waiting list) posts fee × people on the owner's house, once per sign-up (the source
`activities.signup:<id>`); a cancelled seat takes back what is still unpaid. What was already paid
stays paid — money goes back only through billing's refunds, approved there."""

from __future__ import annotations

from typing import Any

from billing.services import service_charges
from tenants.activities.models import Activity, SignUp


def is_paid(activity: Activity) -> bool:
    return activity.fee > 0 and activity.fee_item_id is not None


def charge(activity: Activity, signup: SignUp, actor: Any) -> None:
    if not is_paid(activity):
        return
    assert activity.fee_item is not None
    service_charges.post_service_charge(
        house=signup.house,
        fee_item=activity.fee_item,
        amount=activity.fee * signup.people,
        source=signup.charge_source,
        actor=actor,
        reason=activity.title[:200],
    )


def release(activity: Activity, signup: SignUp, actor: Any, reason: str) -> None:
    if not is_paid(activity):
        return
    # Paid in full or in part: what was paid is refunded, if at all, through billing — and a refund
    # of a cancelled sign-up's fee is not owed again (billing.services.service_charges).
    service_charges.cancel_service_charge(source=signup.charge_source, actor=actor, reason=reason)
