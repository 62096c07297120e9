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
Runs inside the demo company's schema, in the demo seed's action.
"""

from __future__ import annotations

import random
from collections import Counter
from datetime import date, datetime, time, timedelta
from decimal import ROUND_DOWN, ROUND_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.utils import timezone

from accounts import selectors as account_selectors
from accounts.roles import Role
from billing import late_fees as late_fee_rules
from billing.models import (
    BillRun,
    Charge,
    ChargeKind,
    FeeItem,
    Meter,
    MeterReading,
    Payment,
    Receipt,
)
from billing.money import add_months
from billing.services import (
    assignments,
    charges,
    deposits,
    fees,
    meters,
    payments,
    refunds,
    schedule,
    waivers,
)
from billing.services.fees import PriceInput
from core.actions import action
from core.db import current_schema
from core.outbox import services as outbox
from tenants.demo.billing_discounts_seed import seed_discounts
from tenants.estates.models import Building, Estate, House, HouseStatus, Unit
from tenants.residents import selectors as resident_selectors

SHANGHAI = ZoneInfo("Asia/Shanghai")
MONTHS = 12
DEVELOPER = "杭州翠湖置业有限公司"

PROPERTY_LATE_FEE = {"strategy": "daily_rate", "rate": "0.0005", "grace_days": 15, "cap_rate": "1"}
WATER_TIERS: list[list[str | None]] = [["18", "2.9000"], ["25", "3.8500"], [None, "6.7000"]]  # 杭州居民阶梯水价（月）
TIME_OF_USE = {"peak": "0.5680", "valley": "0.2880"}
# More water and power in high summer and in winter.
SEASONS = {12: "1.1", 1: "1.2", 2: "1.15", 6: "1.15", 7: "1.35", 8: "1.4", 9: "1.1"}
ELEVATOR_FORMULA = "building_area * unit_price * months * (0.5 if floor <= 2 else 1)"

# Who stopped paying (months of bills left unpaid as of today), and how often the others come to the
# counter: everyone settles up once (this month, or the month they stopped), some also once earlier.
TWICE_A_YEAR = 0.45
SETTLE_FROM_DAY = 8  # before this day of the month, payers settled up last month
ARREARS_SHORT = 0.05  # one month unpaid (the latest overdue bill)
ARREARS_MEDIUM = 0.04  # two to six months
ARREARS_LONG = 0.012  # seven to twelve: the over-180-days bucket
PARTIAL = 0.02  # paid their last bill in part
PREPAID_HOUSES = 10
PARKING_SHARE = 0.12
WATER_FLOORS = 9  # of the metered unit
DEPOSIT_HOUSES = 5


def _months(today: date) -> list[date]:
    """The bill days of the last twelve months (the 1st), oldest first; the last is this month's."""
    this_month = today.replace(day=1)
    return [add_months(this_month, step - (MONTHS - 1)) for step in range(MONTHS)]


def _at(day: date, rng: random.Random) -> datetime:
    """A time in office hours on `day` (Asia/Shanghai), never later than now."""
    moment = datetime.combine(day, time(rng.randint(8, 17), rng.randint(0, 59), rng.randint(0, 59)), SHANGHAI)
    return min(moment, timezone.now() - timedelta(minutes=1))


def _cent(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"))


def _hundreds(value: Decimal, rounding: str) -> Decimal:
    return (value / 100).quantize(Decimal(1), rounding=rounding) * 100


# --- configuration ---------------------------------------------------------------------------------


def _fee_items(admin: Any, start: date) -> dict[str, FeeItem]:
    def create(name: str, kind: str, mode: str, price: PriceInput, **settings: Any) -> FeeItem:
        return fees.create_fee_item(
            name=name, kind=kind, mode=mode, valid_from=start, price=price, actor=admin, **settings
        )

    return {
        "property": create(
            "物业费",
            "property",
            "building_area",
            PriceInput(unit_price=Decimal("2.50")),
            late_fee=PROPERTY_LATE_FEE,
        ),
        "garbage": create(
            "垃圾处理费", "garbage", "fixed", PriceInput(unit_price=Decimal("60.00")), cycle_months=3, timing="postpaid"
        ),
        "elevator": create(
            "电梯费", "other", "formula", PriceInput(unit_price=Decimal("0.30"), formula=ELEVATOR_FORMULA)
        ),
        "parking": create("车位管理费", "parking", "count", PriceInput(unit_price=Decimal("80.00"))),
        "water": create("水费", "water", "meter", PriceInput(tiers=WATER_TIERS), timing="postpaid", meter_kind="water"),
        "electricity": create(
            "电费",
            "electricity",
            "meter",
            PriceInput(unit_price=Decimal("0.5380"), register_prices=TIME_OF_USE),
            timing="postpaid",
            meter_kind="electricity",
        ),
        "shared": create(
            "公摊电费",
            "shared",
            "shared_meter",
            PriceInput(unit_price=Decimal("0.5380")),
            timing="postpaid",
            meter_kind="electricity",
        ),
        "deposit": create(
            "装修押金",
            "deposit",
            "fixed",
            PriceInput(unit_price=Decimal("2000.00")),
            cycle_months=0,
            balance_may_pay=False,
            payable_online=False,
        ),
        "fit_out": create("装修管理费", "one_off", "fixed", PriceInput(unit_price=Decimal("300.00")), cycle_months=0),
        "debris": create("装修垃圾清运费", "other", "usage", PriceInput(unit_price=Decimal("150.00")), cycle_months=0),
    }


def _assign(items: dict[str, FeeItem], admin: Any, start: date, plan: MeterPlan, parked: list[House]) -> None:
    lived_in = [HouseStatus.OCCUPIED, HouseStatus.RENTING, HouseStatus.DECORATING]
    for estate in Estate.objects.order_by("pk"):
        assignments.assign_fee_item(fee_item=items["property"], start=start, actor=admin, estate=estate)
        assignments.assign_fee_item(
            fee_item=items["garbage"], start=start, actor=admin, estate=estate, statuses=lived_in
        )
    # The first building's lifts were renewed and are charged apart, by floor (电梯费).
    assignments.assign_fee_item(fee_item=items["elevator"], start=start, actor=admin, building=plan.building)
    for house in plan.water_houses:
        assignments.assign_fee_item(fee_item=items["water"], start=start, actor=admin, house=house)
    for house in plan.power_houses:
        assignments.assign_fee_item(fee_item=items["electricity"], start=start, actor=admin, house=house)
    assignments.assign_fee_item(fee_item=items["shared"], start=start, actor=admin, building=plan.building)
    for number, house in enumerate(parked):
        quantity = Decimal(2) if number % 9 == 0 else Decimal(1)
        assignments.assign_fee_item(fee_item=items["parking"], start=start, actor=admin, house=house, quantity=quantity)


# --- meters ----------------------------------------------------------------------------------------


class MeterPlan:
    """Who has meters: the lower floors of the first building's first unit have water meters the
    property company reads (二次供水), its top floor a time-of-use power meter, and the building a
    shared meter for its lifts and corridors split by area. Readings follow the seasons and stay
    near the recent average, so none is held for review (except the one that should be)."""

    def __init__(self, building: Building, unit: Unit) -> None:
        houses = list(House.objects.filter(unit=unit).order_by("floor", "number"))
        self.building = building
        self.water_houses = [h for h in houses if h.floor <= WATER_FLOORS]
        top = max((h.floor for h in houses), default=0)
        self.power_houses = [h for h in houses if h.floor == top]
        self.water: list[tuple[Meter, Decimal, Decimal]] = []  # meter, last reading, typical use
        self.power: list[tuple[Meter, dict[str, Decimal], dict[str, Decimal]]] = []
        self.shared_meter: Meter | None = None
        self.shared_last = Decimal(0)

    def install(self, admin: Any, rng: random.Random) -> None:
        self.admin = admin
        self.rng = rng
        for house in self.water_houses:
            empty = house.status in (HouseStatus.UNSOLD, HouseStatus.VACANT)
            start = Decimal(rng.randint(120, 900))
            water = meters.create_meter(
                kind="water",
                number=f"SB{house.pk:06d}",
                actor=admin,
                house=house,
                rollover_at=Decimal("99999"),
                initial_reading=start,
            )
            self.water.append((water, start, Decimal(1) if empty else Decimal(rng.randint(7, 22))))
        for house in self.power_houses:
            empty = house.status in (HouseStatus.UNSOLD, HouseStatus.VACANT)
            power = meters.create_meter(
                kind="electricity", number=f"DB{house.pk:06d}", actor=admin, house=house, time_of_use=True
            )
            typical = (
                {"peak": Decimal(3), "valley": Decimal(2)}
                if empty
                else {"peak": Decimal(rng.randint(90, 200)), "valley": Decimal(rng.randint(50, 140))}
            )
            self.power.append((power, {"peak": Decimal(0), "valley": Decimal(0)}, typical))
        self.shared_meter = meters.create_meter(
            kind="electricity",
            number=f"GT{self.building.pk:04d}",
            actor=admin,
            building=self.building,
            split_by="area",
            multiplier=Decimal(10),
            initial_reading=Decimal(rng.randint(1000, 5000)),
        )
        self.shared_last = self.shared_meter.initial_reading

    @staticmethod
    def _season(day: date) -> Decimal:
        return Decimal(SEASONS.get(day.month, "1"))

    def _use(self, typical: Decimal, day: date) -> Decimal:
        if typical <= 3:
            return typical  # an empty flat: the same trickle every month
        noise = Decimal(self.rng.randint(80, 120)) / 100
        return (typical * self._season(day) * noise).quantize(Decimal(1))

    def read(self, day: date, *, spike: bool = False) -> None:
        """Every meter read on `day` (the reader's round near the month's end)."""
        for index, (meter, last, typical) in enumerate(self.water):
            use = self._use(typical, day) * (8 if spike and index == 5 else 1)
            last += use
            meters.record_reading(meter=meter, read_on=day, current=last, actor=self.admin, reader=self.admin)
            self.water[index] = (meter, last, typical)
        for meter, registers, usual in self.power:
            for register in ("peak", "valley"):
                registers[register] += self._use(usual[register], day)
                meters.record_reading(
                    meter=meter, read_on=day, current=registers[register], register=register, actor=self.admin
                )
        self.shared_last += (Decimal(self.rng.randint(250, 340)) * self._season(day)).quantize(Decimal(1))
        assert self.shared_meter is not None
        meters.record_reading(meter=self.shared_meter, read_on=day, current=self.shared_last, actor=self.admin)


# --- payers ----------------------------------------------------------------------------------------


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


def _payers(houses: list[House], rng: random.Random, settle: int) -> list[Payer]:
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


def _send_bills(run: BillRun, by_house: dict[int, Payer], late_items: set[int]) -> None:
    """Each payer gets the bills the run issued (one query)."""
    issued = Charge.objects.filter(bill_run=run, kind=ChargeKind.REGULAR).order_by("pk")
    for house_id, item_id, amount, due in issued.values_list("house_id", "fee_item_id", "amount", "due_date"):
        by_house[house_id].bills.append((amount, due, item_id in late_items))


def _pay(
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
    received = _at(day, rng)
    owed = payer.owed_on(timezone.localdate(received), policy)
    amount = owed
    if last and payer.partial:
        amount = min(_hundreds(owed * Decimal("0.6"), ROUND_DOWN), owed)
    if last and payer.prepays:
        monthly = payer.house.building_area * Decimal("2.50")
        amount = _hundreds(owed + monthly * rng.choice([3, 6, 12]), ROUND_UP)
    amount = _cent(amount)
    if amount <= 0:
        return None
    method = rng.choices(["cash", "pos", "transfer", "cheque"], payer.method_weights)[0]
    tendered = _cent(_hundreds(amount, ROUND_UP)) if method == "cash" and rng.random() < 0.6 else None
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


# --- the year --------------------------------------------------------------------------------------


def _bill(as_of: date) -> BillRun:
    """The bill day's scheduled run, delivered here and now as a worker would (the outbox message is
    marked done, so a worker started later does not run it again)."""
    run = schedule.start_scheduled_run(today=as_of)
    assert run is not None, "the demo company bills on the 1st"
    outcome = outbox.deliver_now(schema_name=current_schema(), key=f"bill_run:{run.pk}")
    if outcome != "done":
        raise RuntimeError(f"demo bill run {as_of} did not finish: {outcome}")
    return run


def _extras(
    items: dict[str, FeeItem],
    payers: list[Payer],
    admin: Any,
    cashier: Any,
    rng: random.Random,
    today: date,
) -> dict[str, int]:
    """Today's counter work: fit-out fees and deposits for decorating houses, a waiver approved and
    one waiting, a deposit returned and a balance refund waiting."""
    settled = [p for p in payers if not p.unpaid and not p.developer and not p.prepays]
    decorating = [p.house for p in settled if p.house.status == HouseStatus.DECORATING] or [
        p.house for p in settled[:2]
    ]
    fitting = decorating[:DEPOSIT_HOUSES]
    month_end = add_months(today.replace(day=1), 1)
    held = []
    for number, house in enumerate(fitting):
        deposit = deposits.receive_deposit(
            house=house,
            amount=Decimal("2000.00"),
            method="pos" if number % 2 else "transfer",
            purpose="装修押金",
            idempotency_key=f"demo:deposit:{house.pk}",
            actor=cashier,
        )
        held.append(deposit)
        fee = charges.create_manual_charge(
            house=house,
            fee_item=items["fit_out"],
            period_start=today,
            period_end=today + timedelta(days=90),
            quantity=Decimal(1),
            actor=cashier,
            reason="装修管理费（装修期三个月）",
        )
        if number % 2 == 0:
            payments.record_payment(
                house=house,
                amount=fee.amount,
                method="cash",
                idempotency_key=f"demo:fit_out:{house.pk}",
                actor=cashier,
                charge_ids=[fee.pk],
            )
    for house, loads in zip(fitting[:2], (Decimal(2), Decimal(3)), strict=False):
        charges.create_manual_charge(
            house=house,
            fee_item=items["debris"],
            period_start=today.replace(day=1),
            period_end=month_end,
            quantity=loads,
            actor=cashier,
            reason=f"装修垃圾清运 {loads} 车",
        )

    # A deposit back after the fit-out passed inspection: requested at the counter, approved by the manager.
    if held:
        returned = refunds.request_refund(
            house=held[-1].house,
            source="deposit",
            deposit=held[-1],
            amount=held[-1].amount,
            method="transfer",
            reason="装修完工验收合格，退还装修押金",
            actor=cashier,
        )
        refunds.approve_refund(refund=returned, actor=admin, note="已核对验收单")

    # Waivers: one approved (a vacant flat's discount), one waiting for the manager.
    owing = [p for p in payers if p.unpaid and not p.developer]
    property_charges = Charge.objects.filter(fee_item=items["property"], kind=ChargeKind.REGULAR).order_by(
        "-due_date", "house_id"
    )
    vacant = next((p for p in owing if p.house.status == HouseStatus.VACANT), None)
    waiting = next((p for p in owing if p is not vacant and p.unpaid >= 2), None)
    made = 0
    if vacant is not None:
        charge = property_charges.filter(house=vacant.house).first()
        if charge is not None:
            waiver = waivers.request_waiver(
                charge=charge,
                amount=_cent(charge.amount * Decimal("0.3")),
                kind="vacancy",
                reason="空置房，按物业服务合同减收 30%",
                actor=cashier,
            )
            waivers.approve_waiver(waiver=waiver, actor=admin, note="已核实空置")
            made += 1
    if waiting is not None:
        charge = property_charges.filter(house=waiting.house).first()
        if charge is not None:
            waivers.request_waiver(
                charge=charge,
                amount=_cent(charge.amount * Decimal("0.5")),
                kind="reduction",
                reason="业主反映当月楼道渗水维修影响居住，申请减免一半物业费",
                actor=cashier,
            )
            made += 1

    # A balance refund waiting: the owner sold the flat.
    prepaid = next((p for p in payers if p.prepays), None)
    if prepaid is not None:
        balance = payments.balance_of(prepaid.house.pk)
        if balance > 0:
            refunds.request_refund(
                house=prepaid.house,
                source="balance",
                amount=balance,
                method="transfer",
                reason="业主已出售房屋，申请退还预存款",
                actor=cashier,
            )
    return {"deposits": len(held), "waivers": made}


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
    payers = _payers(houses, rng, settle)
    lived_in = [p.house for p in payers if p.house.status in (HouseStatus.OCCUPIED, HouseStatus.RENTING)]
    parked = sorted(rng.sample(lived_in, int(len(lived_in) * PARKING_SHARE)), key=lambda h: h.pk)

    items = _fee_items(admin, start)
    meter_plan = MeterPlan(first_building, metered)
    _assign(items, admin, start, meter_plan, parked)
    meter_plan.install(admin, rng)
    names = resident_selectors.primary_payer_names(h.pk for h in houses)
    by_house = {p.house.pk: p for p in payers}
    late_items = {item.pk for item in items.values() if item.late_fee}
    policy = late_fee_rules.policy_from_config(PROPERTY_LATE_FEE)

    for month, as_of in enumerate(months):
        meter_plan.read(as_of - timedelta(days=rng.randint(3, 6)))
        run = _bill(as_of)
        _send_bills(run, by_house, late_items)
        for payer in payers:
            if month in payer.pay_months:
                _pay(
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
    made = _extras(items, payers, admin, cashiers[0], rng, today)
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
