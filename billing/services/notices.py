"""Telling owners about their bills through the notification service (notifications.notify): a bill
run's `bill.issued` events become one message per house to its owners and its payer who use the
owner app, and so do the daily `bill.due_soon` / `bill.overdue` reminders. Each house's message has
its own key, so a redelivered event tells nobody twice."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db.models import Q

from billing.models import BillRun
from core.actions import action
from notifications.services import notify
from tenants.estates.models import House
from tenants.residents.models import Occupancy, Relation


def app_users_of(house_ids: list[int]) -> dict[int, list[Any]]:
    """house id -> the active app accounts of its current owners and payer."""
    found: dict[int, list[Any]] = defaultdict(list)
    occupancies = (
        Occupancy.objects.filter(house_id__in=house_ids, moved_out__isnull=True, person__user__is_active=True)
        .filter(Q(relation=Relation.OWNER) | Q(is_primary_payer=True))
        .select_related("person__user")
        .order_by("house_id", "pk")
    )
    for occupancy in occupancies:
        user = occupancy.person.user
        if user is not None and user not in found[occupancy.house_id]:
            found[occupancy.house_id].append(user)
    return found


@action(audit=False)  # messages about charges the run's chunk issued and audited
def notify_bills_issued(
    *, bill_run_id: int, fee_item: str, due_date: str, houses: list[list[Any]], fee_item_id: int | None = None
) -> int:
    """One bill.issued message per house with app users; returns how many houses were told."""
    amounts = {int(house_id): str(amount) for house_id, amount in houses}
    people = app_users_of(list(amounts))
    told = 0
    labelled = House.objects.filter(pk__in=list(people)).select_related("building", "unit")
    for house in labelled:
        item_key = fee_item_id if fee_item_id is not None else fee_item
        sent = notify(
            people[house.pk],
            "bill.issued",
            {
                "house": house.label,
                "house_id": house.pk,
                "fee_item": fee_item,
                "amount": amounts[house.pk],
                "due_date": due_date,
            },
            key=f"bill.issued:{bill_run_id}:{item_key}:{house.pk}",
        )
        told += sent is not None
    return told


@action(audit=False)  # a reminder about charges already on the ledger
def notify_bill_due(*, event: str, house_id: int, due_date: str, amount: str) -> bool:
    """A due-soon or overdue reminder to the house's app users; False when nobody uses the app."""
    people = app_users_of([house_id]).get(house_id)
    house = House.objects.select_related("building", "unit").filter(pk=house_id).first()
    if not people or house is None:
        return False
    sent = notify(
        people,
        event,
        {"house": house.label, "house_id": house.pk, "amount": amount, "due_date": due_date},
        key=f"{event}:{house_id}:{due_date}",
    )
    return sent is not None


def tell_bill_run_ended(*, run: BillRun, result: dict[str, Any]) -> None:
    """bill_run.finished / bill_run.failed to the staff member who started the run (none for the
    daily automatic run), keyed by the run: a redelivered run tells them once."""
    event = "bill_run.failed" if "error" in result else "bill_run.finished"
    context = {"bill_run_id": run.pk, "charges": result.get("charges", 0), "total": result.get("total", "0.00")}
    notify([run.created_by], event, context, key=f"{event}:{run.pk}")
