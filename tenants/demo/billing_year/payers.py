"""How the demo's payers pay over the year: who settles when, who stopped paying, and the payment
each brings to the counter."""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from decimal import ROUND_DOWN, ROUND_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.utils import timezone

from billing import late_fees as late_fee_rules
from billing.models import BillRun, Charge, ChargeKind, Payment
from billing.money import add_months
from billing.services import payments
from tenants.estates.models import House, HouseStatus

SHANGHAI = ZoneInfo("Asia/Shanghai")
MONTHS = 12
DEVELOPER = "杭州翠湖置业有限公司"

# Who stopped paying (months of bills left unpaid as of today), and how often the others come to the
# counter: everyone settles up once (this month, or the month they stopped), some also once earlier.
TWICE_A_YEAR = 0.45
ARREARS_SHORT = 0.05  # one month unpaid (the latest overdue bill)
ARREARS_MEDIUM = 0.04  # two to six months
ARREARS_LONG = 0.012  # seven to twelve: the over-180-days bucket
PARTIAL = 0.02  # paid their last bill in part
PREPAID_HOUSES = 10


def office_time(day: date, rng: random.Random) -> datetime:
    """A time in office hours on `day` (Asia/Shanghai), never later than now."""
    moment = datetime.combine(day, time(rng.randint(8, 17), rng.randint(0, 59), rng.randint(0, 59)), SHANGHAI)
    return min(moment, timezone.now() - timedelta(minutes=1))


def cent(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"))


def hundreds(value: Decimal, rounding: str) -> Decimal:
    return (value / 100).quantize(Decimal(1), rounding=rounding) * 100


class Payer:
    """How one house pays over the year: in `pay_months`, none in the `unpaid` months before today.

    It keeps the bills it was sent and has not paid (amount, due date, whether late fees accrue), as
    an owner keeps the paper bills: what it hands the cashier is their total plus the late fees
    accrued by that day — so each payment settles everything, as the cashier's screen would show it.
    """

    def __init__(self, house: House, rng: random.Random, settle: int) -> None:
        self.house = house
        self.settle = settle
        self.developer = house.status == HouseStatus.UNSOLD  # unsold flats: the developer pays
        roll = rng.random()
        if self.developer:
            self.unpaid = 0
        elif roll < ARREARS_LONG:
            self.unpaid = rng.randint(7, settle + 1)
        elif roll < ARREARS_LONG + ARREARS_MEDIUM:
            self.unpaid = rng.randint(2, 6)
        elif roll < ARREARS_LONG + ARREARS_MEDIUM + ARREARS_SHORT:
            self.unpaid = 1
        else:
            self.unpaid = 0
        self.twice = house.status != HouseStatus.VACANT and rng.random() < TWICE_A_YEAR
        self.early = rng.random()
        self.partial = not self.unpaid and not self.developer and rng.random() < PARTIAL
        self.prepays = False
        self.method_weights = (0, 0, 7, 3) if self.developer else (30, 45, 25, 0)
        self.bills: list[tuple[Decimal, date, bool]] = []

    @property
    def pay_months(self) -> set[int]:
        """Settling up in the last month they paid in (the settling month unless they stopped), the developer
        also half a year before, some owners once earlier too (owners living elsewhere once a year)."""
        last = self.settle - self.unpaid
        if last < 0:
            return set()
        if self.developer:
            return {last, max(last - MONTHS // 2, 0)}
        if self.twice and last >= 4:
            return {last, 1 + int(self.early * (last - 2))}
        return {last}

    def owed_on(self, day: date, policy: late_fee_rules.LateFeePolicy) -> Decimal:
        """The bills' total and the late fees a payment on `day` posts first (billing.late_fees)."""
        total = Decimal("0.00")
        for amount, due, late in self.bills:
            total += amount
            if late and due < day:
                total += late_fee_rules.late_fee_due(policy, principal=amount, due=due, as_of=day)
        return total


def payers_for(houses: list[House], rng: random.Random, settle: int) -> list[Payer]:
    payers = [Payer(h, rng, settle) for h in houses]
    # However few the houses, each ageing bucket (0–30, 31–90, 91–180, over 180 days) has a payer in it.
    owners = [p for p in payers if not p.developer]
    for months in (1, 2, 5, settle + 1):
        if owners and not any(p.unpaid == months for p in owners):
            spare = [p for p in owners if not p.unpaid]
            if spare:
                rng.choice(spare).unpaid = months
    for payer in payers:
        payer.partial = payer.partial and not payer.unpaid
    up_to_date = [p for p in payers if not p.unpaid and not p.partial and not p.developer]
    for payer in rng.sample(up_to_date, min(PREPAID_HOUSES, len(up_to_date))):
        payer.prepays = True
    return payers


def send_bills(run: BillRun, by_house: dict[int, Payer], late_items: set[int]) -> None:
    """Each payer gets the bills the run issued (one query)."""
    issued = Charge.objects.filter(bill_run=run, kind=ChargeKind.REGULAR).order_by("pk")
    for house_id, item_id, amount, due in issued.values_list("house_id", "fee_item_id", "amount", "due_date"):
        by_house[house_id].bills.append((amount, due, item_id in late_items))


def pay(
    payer: Payer,
    *,
    last: bool,
    as_of: date,
    today: date,
    rng: random.Random,
    cashiers: list[Any],
    names: dict[int, str],
    policy: late_fee_rules.LateFeePolicy,
) -> Payment | None:
    """At the counter within the month after the bill: cash, POS, transfer or cheque."""
    last_day = min(add_months(as_of, 1) - timedelta(days=1), today)
    day = min(as_of + timedelta(days=rng.randint(1, 26)), last_day)
    received = office_time(day, rng)
    owed = payer.owed_on(timezone.localdate(received), policy)
    amount = owed
    if last and payer.partial:
        amount = min(hundreds(owed * Decimal("0.6"), ROUND_DOWN), owed)
    if last and payer.prepays:
        monthly = payer.house.building_area * Decimal("2.50")
        amount = hundreds(owed + monthly * rng.choice([3, 6, 12]), ROUND_UP)
    amount = cent(amount)
    if amount <= 0:
        return None
    method = rng.choices(["cash", "pos", "transfer", "cheque"], payer.method_weights)[0]
    tendered = cent(hundreds(amount, ROUND_UP)) if method == "cash" and rng.random() < 0.6 else None
    reference = f"{received:%Y%m%d}{rng.randrange(10**8):08d}" if method != "cash" else ""
    payment = payments.record_payment(
        house=payer.house,
        amount=amount,
        method=method,
        idempotency_key=f"demo:{payer.house.pk}:{as_of:%Y%m}",
        actor=rng.choice(cashiers),
        tendered=tendered,
        payer_name=DEVELOPER if payer.developer else names.get(payer.house.pk, ""),
        reference=reference,
        received_at=received,
    )
    payer.bills = []
    return payment
