"""Demo billing (idempotent): fee items in every charging mode, a year of monthly bill runs with the
meters read before each, back-dated payments, and what the approval screens wait on.

Everything goes through the billing services a company's staff would use — fee configuration,
assignments, meter readings, the scheduled bill run delivered through the outbox, the cashier's
payment — so the ledger is exactly what the product would have produced over the year:

- most payers settle their bills every one, two, three or six months (oldest first, late fees on
  the property fee posted as of the day they paid); about one in ten has stopped paying for one to
  twelve months, so every ageing bucket has someone in it, and a few paid only part of their last bill;
- a few have a prepaid balance, a few decorating houses a deposit held, one pending waiver and one
  pending refund for the approvals screen.

Deterministic (`random.Random(seed)`), and a second run adds nothing: it stops when fee items exist.
Runs inside the demo company's schema, in the demo seed's action. The year's parts are in
tenants.demo.billing_year: fee items and assignments, meters, payers and their payments, the counter.
"""

from __future__ import annotations

import random
from collections import Counter
from datetime import date, timedelta

from django.utils import timezone

from accounts import selectors as account_selectors
from accounts.roles import Role
from billing import late_fees as late_fee_rules
from billing.models import BillRun, Charge, ChargeKind, FeeItem, MeterReading, Payment, Receipt
from billing.money import add_months
from billing.services import schedule
from core.actions import action
from core.db import current_schema
from core.outbox import services as outbox
from tenants.demo.billing_discounts_seed import seed_discounts
from tenants.demo.billing_year.counter import counter_work
from tenants.demo.billing_year.fee_items import PROPERTY_LATE_FEE, assign_fee_items, create_fee_items
from tenants.demo.billing_year.meters import MeterPlan
from tenants.demo.billing_year.payers import MONTHS, pay, payers_for, send_bills
from tenants.estates.models import Building, Estate, House, HouseStatus, Unit
from tenants.residents import selectors as resident_selectors

SETTLE_FROM_DAY = 8  # before this day of the month, payers settled up last month
PARKING_SHARE = 0.12


def _months(today: date) -> list[date]:
    """The bill days of the last twelve months (the 1st), oldest first; the last is this month's."""
    this_month = today.replace(day=1)
    return [add_months(this_month, step - (MONTHS - 1)) for step in range(MONTHS)]


def _bill(as_of: date) -> BillRun:
    """The bill day's scheduled run, delivered here and now as a worker would (the outbox message is
    marked done, so a worker started later does not run it again)."""
    run = schedule.start_scheduled_run(today=as_of)
    assert run is not None, "the demo company bills on the 1st"
    outcome = outbox.deliver_now(schema_name=current_schema(), key=f"bill_run:{run.pk}")
    if outcome != "done":
        raise RuntimeError(f"demo bill run {as_of} did not finish: {outcome}")
    return run


BILLING_TOPIC = "demo.seed_billing"


@action(audit=False)  # the seed's own frame: every fee item, reading, run and payment is its own audited action
def seed_billing(*, today: date | None = None, seed: int = 2026) -> dict[str, int]:
    """Seed the demo's billing unless fee items exist; returns what it made (empty when it made nothing)."""
    if FeeItem.objects.exists():
        return {}
    today = today or timezone.localdate()
    rng = random.Random(seed)  # noqa: S311 — demo data must be repeatable, not secret
    staff = account_selectors.staff_users()
    admin = staff.filter(roles__contains=[Role.ADMIN.value]).first()
    if admin is None:
        return {}
    cashiers = list(staff.filter(roles__contains=[Role.CASHIER.value])) or [admin]
    months = _months(today)
    start = months[0]

    estates = list(Estate.objects.order_by("pk"))
    if not estates:
        return {}
    first_building = Building.objects.filter(estate=estates[0]).order_by("pk").first()
    metered = Unit.objects.filter(building=first_building).order_by("pk").first()
    if first_building is None or metered is None:
        return {}
    houses = list(House.objects.select_related("building", "unit").order_by("pk"))
    # Payers settle up this month, or last month while this month's bills are days old.
    settle = MONTHS - 1 if today.day >= SETTLE_FROM_DAY else MONTHS - 2
    payers = payers_for(houses, rng, settle)
    lived_in = [p.house for p in payers if p.house.status in (HouseStatus.OCCUPIED, HouseStatus.RENTING)]
    parked = sorted(rng.sample(lived_in, int(len(lived_in) * PARKING_SHARE)), key=lambda h: h.pk)

    items = create_fee_items(admin, start)
    meter_plan = MeterPlan(first_building, metered)
    assign_fee_items(items, admin, start, meter_plan, parked)
    meter_plan.install(admin, rng)
    names = resident_selectors.primary_payer_names(h.pk for h in houses)
    by_house = {p.house.pk: p for p in payers}
    late_items = {item.pk for item in items.values() if item.late_fee}
    policy = late_fee_rules.policy_from_config(PROPERTY_LATE_FEE)

    for month, as_of in enumerate(months):
        meter_plan.read(as_of - timedelta(days=rng.randint(3, 6)))
        run = _bill(as_of)
        send_bills(run, by_house, late_items)
        for payer in payers:
            if month in payer.pay_months:
                pay(
                    payer,
                    last=month == settle,
                    as_of=as_of,
                    today=today,
                    rng=rng,
                    cashiers=cashiers,
                    names=names,
                    policy=policy,
                )
    if today.day > 1:  # this month's round so far, one flat's reading held for review
        meter_plan.read(today - timedelta(days=min(today.day - 1, 3)), spike=True)
    made = counter_work(items, payers, admin, cashiers[0], rng, today)
    made.update(seed_discounts(items=items, admin=admin, cashier=cashiers[0], start=start, today=today))

    kinds = Counter(Charge.objects.values_list("kind", flat=True))
    return {
        "fee_items": FeeItem.objects.count(),
        "bill_runs": BillRun.objects.count(),
        "charges": kinds[ChargeKind.REGULAR],
        "late_fees": kinds[ChargeKind.LATE_FEE],
        "adjustments": kinds[ChargeKind.ADJUSTMENT],
        "readings": MeterReading.objects.count(),
        "payments": Payment.objects.count(),
        "receipts": Receipt.objects.count(),
        "arrears_houses": sum(1 for p in payers if p.unpaid),
        **made,
    }
