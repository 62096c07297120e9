"""What billing does by itself each day, in each company: the monthly bill run on the company's bill
day, and the notices owners get before and after a due date (outbox events the notifications module
turns into messages). Both are safe to run twice: the run is unique per scheduled date, each notice
keyed per house and due date."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Sum
from django.utils.translation import gettext as _

from billing import outstanding
from billing.models import BillingSettings, BillRun
from billing.services import bill_runs
from core.actions import action, emit

TOPIC_DUE_SOON = "bill.due_soon"
TOPIC_OVERDUE = "bill.overdue"
ZERO = Decimal("0.00")


def billing_settings() -> BillingSettings:
    return BillingSettings.objects.filter(pk=1).first() or BillingSettings()


def start_scheduled_run(*, today: date) -> BillRun | None:
    """The bill day's run for the whole company, once per date however often beat fires."""
    config = billing_settings()
    if not config.auto_bill_runs or today.day != config.bill_day:
        return None
    if BillRun.objects.filter(scheduled=True, as_of=today).exists():
        return None
    run = bill_runs.create_bill_run(as_of=today, actor=None, scheduled=True)
    return bill_runs.start_bill_run(run=run, actor=None)


def _unpaid_by_house(due_date: date) -> list[dict[str, object]]:
    owing = outstanding.charge_balances().filter(due_date=due_date, **{"outstanding__gt": 0})
    return list(owing.values("house_id").annotate(total=Sum("outstanding")).order_by("house_id"))


@action(audit=False)  # notices are outgoing events, no data changes: the outbox rows are the record
def emit_due_notices(*, today: date) -> int:
    """bill.due_soon for what falls due in `due_soon_days`, bill.overdue for what fell due yesterday."""
    config = billing_settings()
    sent = 0
    for topic, due in (
        (TOPIC_DUE_SOON, today + timedelta(days=config.due_soon_days)),
        (TOPIC_OVERDUE, today - timedelta(days=1)),
    ):
        for row in _unpaid_by_house(due):
            emitted = emit(
                topic,
                {
                    "house_id": row["house_id"],
                    "due_date": due.isoformat(),
                    "amount": str(row["total"]),
                    "message": _("物业账单提醒"),
                },
                key=f"{topic}:{row['house_id']}:{due.isoformat()}",
            )
            sent += emitted is not None
    return sent
