"""Every report's totals equal sums taken straight from the ledger's rows (issue 14).

One small ledger, written through the product's services at controlled clock times: a payment received
at 23:30 on 31 January (Asia/Shanghai) and keyed in after midnight, payments on both sides of the
month boundary, two partial refunds of one payment, a voided receipt that had put money on the prepaid balance. Each
report is then checked against sums computed here from the rows (Payment, Allocation, Refund,
Receipt, BalanceEntry, Charge) — never by calling the report's own code a second time.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.db.models import Sum
from django_tenants.utils import tenant_context

from accounts.models import User
from billing.models import Allocation, BalanceEntry, Charge, FeeItem, Payment, Receipt, Refund
from billing.models.ledger import RECEIVED_METHODS
from billing.selectors import arrears, cashier, collection, income
from billing.services import payments, receipts, refunds, shifts
from core.actions import action
from core.schemas import Schema
from tenants.estates import services as estate_services
from tenants.estates.models import House

pytestmark = pytest.mark.django_db

D = Decimal
ZERO = D("0.00")
SHANGHAI = ZoneInfo("Asia/Shanghai")
JAN, FEB, MAR = date(2025, 1, 1), date(2025, 2, 1), date(2025, 3, 1)
AGEING = ("not_yet_due", "days_0_30", "days_31_90", "days_91_180", "days_over_180")


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=SHANGHAI)


@contextmanager
def clock(moment: datetime) -> Iterator[None]:
    """The product's clock (django.utils.timezone.now: entry times, decisions, voids) set to a moment."""
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield


def end_of(day: date) -> datetime:
    return at(day + timedelta(days=1), 0)


# --- the ledger -------------------------------------------------------------------------------------


@action(schema=Schema.COMPANY, audit=False)  # test set-up: charges as a bill run would issue them
def _charge(house: House, item: FeeItem, amount: str, *, cycle: date, due: date) -> Charge:
    end = (cycle + timedelta(days=32)).replace(day=1)
    return Charge.objects.create(
        house=house,
        estate_id=house.estate_id,
        building_id=house.building_id,
        fee_item=item,
        cycle_start=cycle,
        period_start=cycle,
        period_end=end,
        amount=D(amount),
        issued_on=cycle,
        due_date=due,
    )


@action(schema=Schema.COMPANY, audit=False)
def _item(name: str) -> FeeItem:
    return FeeItem.objects.create(name=name, kind="property", mode="fixed", valid_from=date(2020, 1, 1))


def _pay(house: House, amount: str, method: str, *, received: datetime, entered: datetime, actor: Any) -> Payment:
    with clock(entered):
        return payments.record_payment(
            house=house,
            amount=D(amount),
            method=method,
            idempotency_key=uuid.uuid4().hex,
            actor=actor,
            received_at=received,
        )


def _ledger() -> dict[str, Any]:
    """Four houses in two buildings, two fee items, January's and February's charges, and:
    - h1 pays January's 100 in cash at 23:30 on 31 Jan, keyed in at 00:10 on 1 Feb;
    - h2 pays 80 by POS on 10 Jan and 150 by WeChat at 00:30 on 1 Feb (the rest of January, water,
      February), 40 of which is refunded in cash on 5 Feb and 10 more on 6 Feb (both taken back from
      February's charge, one allocation reversed in two parts);
    - h3 pays 250 in cash on 3 Feb (January, February, 50 onto the prepaid balance), voided on 6 Feb;
    - h4 pays nothing; an old charge of its, due in September, sits past 90 days."""
    estate = estate_services.create_estate(name="时区苑")
    for name in ("1栋", "2栋"):
        building = estate_services.create_building(estate=estate, name=name, floors=1, units=["1单元"])
        estate_services.generate_houses(
            building=building, per_floor=2, building_area=D("80.00"), usable_area=D("70.00")
        )
    h1, h2, h3, h4 = House.objects.filter(estate=estate).order_by("building__name", "number")
    fee, water = _item("物业费"), _item("水费")
    cashier_user, admin = User.objects.get(username="cashier"), User.objects.get(username="admin")
    for house in (h1, h2, h3, h4):
        _charge(house, fee, "100.00", cycle=JAN, due=date(2025, 1, 15))
        _charge(house, fee, "100.00", cycle=FEB, due=date(2025, 2, 15))
    _charge(h2, water, "30.00", cycle=JAN, due=date(2025, 1, 20))
    _charge(h4, water, "64.00", cycle=date(2024, 9, 1), due=date(2024, 9, 30))
    with clock(at(JAN, 9)):
        shift = shifts.open_shift(actor=cashier_user)
    paid = {
        "h1_late_night": _pay(
            h1, "100.00", "cash", received=at(date(2025, 1, 31), 23, 30), entered=at(FEB, 0, 10), actor=cashier_user
        ),
        "h2_january": _pay(
            h2,
            "80.00",
            "pos",
            received=at(date(2025, 1, 10), 11),
            entered=at(date(2025, 1, 10), 11),
            actor=cashier_user,
        ),
        "h2_february": _pay(h2, "150.00", "wechat", received=at(FEB, 0, 30), entered=at(FEB, 0, 31), actor=None),
        "h3_voided": _pay(
            h3, "250.00", "cash", received=at(date(2025, 2, 3), 10), entered=at(date(2025, 2, 3), 10), actor=admin
        ),
    }
    with clock(at(date(2025, 2, 5), 15)):
        refund = refunds.request_refund(
            house=h2,
            source="payment",
            amount=D("40.00"),
            method="cash",
            reason="多收",
            actor=cashier_user,
            payment=paid["h2_february"],
        )
        refunds.approve_refund(refund=refund, actor=admin)
    with clock(at(date(2025, 2, 6), 9)):
        receipts.void_receipt(receipt=paid["h3_voided"].receipt, reason="收错房屋", actor=admin)
    with clock(at(date(2025, 2, 6), 14)):
        again = refunds.request_refund(
            house=h2,
            source="payment",
            amount=D("10.00"),
            method="cash",
            reason="多收",
            actor=cashier_user,
            payment=paid["h2_february"],
        )
        refunds.approve_refund(refund=again, actor=admin)
    return {"estate": estate, "houses": (h1, h2, h3, h4), "items": (fee, water), "shift": shift, "paid": paid}


# --- the same figures, straight from the rows -------------------------------------------------------


def _business_day(moment: datetime) -> date:
    return moment.astimezone(SHANGHAI).date()


def _allocation_day(allocation: Allocation) -> date:
    """An allocation counts from its payment's business day; a reversal from when it was entered."""
    if allocation.reverses_id is None:
        return allocation.payment.business_date
    return _business_day(allocation.created_at)


def _received(first: date, last: date) -> Decimal:
    rows = Payment.objects.filter(business_date__range=(first, last), method__in=RECEIVED_METHODS)
    return rows.aggregate(total=Sum("amount"))["total"] or ZERO


def _refunded(first: date, last: date) -> Decimal:
    rows = [r for r in Refund.objects.filter(status="approved") if first <= _business_day(r.decided_at) <= last]
    return sum((r.amount for r in rows), ZERO)


def _reversed(first: date, last: date) -> Decimal:
    rows = Receipt.objects.filter(voided_at__isnull=False, payment__method__in=RECEIVED_METHODS)
    return sum(
        (r.payment.amount for r in rows.select_related("payment") if first <= _business_day(r.voided_at) <= last), ZERO
    )


def _bucket(as_of: date, due: date) -> str:
    days = (as_of - due).days
    if days < 0:
        return "not_yet_due"
    if days <= 30:
        return "days_0_30"
    if days <= 90:
        return "days_31_90"
    if days <= 180:
        return "days_91_180"
    return "days_over_180"


def _owed(as_of: date) -> dict[int, dict[str, Decimal]]:
    """Per house and ageing bucket: charges issued by `as_of`, their adjustments, less what was allocated
    to them by that day's end — read row by row."""
    owed: dict[int, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    charges = {c.pk: c for c in Charge.objects.all()}
    for charge in charges.values():
        principal = charges[charge.principal_id] if charge.kind == "adjustment" else charge
        if charge.issued_on <= as_of:
            owed[charge.house_id][_bucket(as_of, principal.due_date)] += charge.amount
    for allocation in Allocation.objects.select_related("payment"):
        charge = charges[allocation.charge_id]
        if charge.issued_on <= as_of and _allocation_day(allocation) <= as_of:
            owed[charge.house_id][_bucket(as_of, charge.due_date)] -= allocation.amount
    return {house: dict(buckets) for house, buckets in owed.items() if sum(buckets.values()) != 0}


def _total(buckets: dict[str, Decimal]) -> Decimal:
    return sum(buckets.values(), ZERO)


# --- arrears ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("as_of", [date(2025, 1, 31), FEB, date(2025, 2, 5), date(2025, 2, 28)])
def test_arrears_per_payer_building_and_estate_equal_the_ledger_rows(company_a, as_of):
    with tenant_context(company_a):
        world = _ledger()
        expected = _owed(as_of)
        estate = world["estate"].pk
        lines = list(arrears.arrears(as_of, estate=estate))
        totals = arrears.arrears_totals(as_of, estate=estate)
        by_building = list(arrears.arrears(as_of, estate=estate, group_by="building"))
        (by_estate,) = arrears.arrears(as_of, estate=estate, group_by="estate")
        building_of = {h.pk: h.building_id for h in world["houses"]}
    assert {line.house_id: line.total for line in lines} == {h: _total(b) for h, b in expected.items()}
    for line in lines:
        for name in AGEING:
            assert getattr(line, name) == expected[line.house_id].get(name, ZERO), (line.label, name)
    per_building: dict[int, Decimal] = defaultdict(Decimal)
    for house, buckets in expected.items():
        per_building[building_of[house]] += _total(buckets)
    assert {line.id: line.total for line in by_building} == {b: t for b, t in per_building.items() if t}
    everything = sum((_total(b) for b in expected.values()), ZERO)
    assert totals.total == by_estate.total == everything
    for name in AGEING:
        assert (
            getattr(totals, name)
            == getattr(by_estate, name)
            == sum((b.get(name, ZERO) for b in expected.values()), ZERO)
        )


def test_a_payment_received_at_2330_on_31_january_is_januarys_though_keyed_in_on_1_february(company_a):
    with tenant_context(company_a):
        world = _ledger()
        h1 = world["houses"][0]
        late_night = world["paid"]["h1_late_night"]
        january = {line.house_id: line for line in arrears.arrears(date(2025, 1, 31), estate=world["estate"].pk)}
        jan_income = income.income(date(2025, 1, 31), date(2025, 1, 31))
        feb_first = income.income(FEB, FEB)
        day = cashier.cashier_daily(date(2025, 1, 31))
    assert late_night.business_date == date(2025, 1, 31) and _business_day(late_night.created_at) == FEB
    # As of 31 January h1 owes only February's charge, not yet issued then: nothing at all.
    assert h1.pk not in january
    assert (jan_income.received, feb_first.received) == (D("100.00"), D("150.00"))
    assert day.amount == D("100.00") and [line.key for line in day.by_method] == ["cash"]


def test_ageing_boundaries_30_31_90_91_180_181_days_with_part_payments(company_a):
    """The due day is 0 days past due; each boundary day falls in the bucket it names, and what was
    paid on a charge leaves its own bucket."""
    as_of = date(2025, 6, 30)
    with tenant_context(company_a):
        estate = estate_services.create_estate(name="账龄苑")
        building = estate_services.create_building(estate=estate, name="1栋", floors=1, units=["1单元"])
        estate_services.generate_houses(building=building, per_floor=1, building_area=D("80"), usable_area=D("70"))
        house = House.objects.get(estate=estate)
        item = _item("物业费")
        for year, (days, amount) in enumerate(
            [(-1, "1"), (0, "2"), (30, "4"), (31, "8"), (90, "16"), (91, "32"), (180, "64"), (181, "128")], start=2000
        ):
            due = as_of - timedelta(days=days)
            _charge(house, item, amount, cycle=date(year, 1, 1), due=due)
        paid = _pay(house, "9.00", "cash", received=at(as_of, 12), entered=at(as_of, 12), actor=None)  # oldest first
        (line,) = arrears.arrears(as_of, estate=estate.pk)
        expected = _owed(as_of)[house.pk]
        allocated = Allocation.objects.filter(payment=paid).count()
    assert allocated == 1  # oldest first: 9 of the 128 due 181 days ago
    assert {name: getattr(line, name) for name in AGEING} == {name: expected.get(name, ZERO) for name in AGEING}
    assert (line.not_yet_due, line.days_0_30, line.days_31_90, line.days_91_180, line.days_over_180) == (
        D("1"),
        D("6"),
        D("24"),
        D("96"),
        D("119"),
    )


# --- collection rate --------------------------------------------------------------------------------


@pytest.mark.parametrize("as_of", [date(2025, 1, 31), date(2025, 2, 28)])
def test_collection_rate_of_each_month_equals_the_ledger_rows(company_a, as_of):
    with tenant_context(company_a):
        _ledger()
        series = collection.collection_by_month(2, as_of=as_of)
        whole = collection.collection_rate(JAN, as_of.replace(day=1) + timedelta(days=31), as_of=as_of)
        expected = {}
        for month in (JAN, FEB):
            charges = Charge.objects.filter(
                cycle_start__gte=month, cycle_start__lt=(month + timedelta(days=32)).replace(day=1)
            )
            owed = charges.exclude(kind="adjustment")
            due = sum((c.amount for c in owed), ZERO)
            paid = sum(
                (
                    a.amount
                    for a in Allocation.objects.filter(charge__in=owed).select_related("payment")
                    if _allocation_day(a) <= as_of
                ),
                ZERO,
            )
            expected[month] = (due, paid, owed.count())
    months = [m for m in (JAN, FEB) if m <= as_of]
    assert [(m.period_start, (m.due, m.paid, m.charges)) for m in series[-len(months) :]] == [
        (m, expected[m]) for m in months
    ]
    assert whole.due == sum((expected[m][0] for m in months), ZERO)
    assert whole.paid == sum((expected[m][1] for m in months), ZERO)
    if as_of.month == 1:
        assert expected[JAN][1] == D("180.00")  # the 23:30 payment counts for January
    else:  # the refund and the void took money back in February
        assert expected[FEB][1] == D("50.00")  # h2's 100 less 40 and 10, h3's 100 less 100


# --- income -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("by", income.INCOME_BY)
@pytest.mark.parametrize(
    ("first", "last"), [(JAN, date(2025, 1, 31)), (FEB, date(2025, 2, 28)), (JAN, date(2025, 2, 28))]
)
def test_income_is_received_less_refunded_less_reversed_each_by_its_own_day(company_a, by, first, last):
    with tenant_context(company_a):
        _ledger()
        report = income.income(first, last, by=by)
        expected = (_received(first, last), _refunded(first, last), _reversed(first, last))
        payments_in = Payment.objects.filter(business_date__range=(first, last), method__in=RECEIVED_METHODS).count()
    assert (report.received, report.refunded, report.reversed) == expected
    assert report.total == expected[0] - expected[1] - expected[2]
    assert report.count == payments_in
    for part in ("received", "refunded", "reversed", "amount"):
        assert sum((getattr(line, part) for line in report.lines), ZERO) == getattr(
            report, "total" if part == "amount" else part
        ), part
    for line in report.lines:
        assert line.amount == line.received - line.refunded - line.reversed


def test_income_of_february_comes_out_net_of_the_refund_and_the_void(company_a):
    with tenant_context(company_a):
        world = _ledger()
        fee, _water = world["items"]
        report = income.income(FEB, date(2025, 2, 28))
        by_method = {line.key: line for line in income.income(FEB, date(2025, 2, 28), by="method").lines}
        by_day = {line.key: line for line in income.income(FEB, date(2025, 2, 28), by="day").lines}
    # 150 (WeChat) + 250 (cash: two charges and 50 prepaid) in; 40 and 10 refunded; 250 voided.
    assert (report.received, report.refunded, report.reversed, report.total) == (
        D("400.00"),
        D("50.00"),
        D("250.00"),
        D("100.00"),
    )
    lines = {line.key: line for line in report.lines}
    assert (lines[str(fee.pk)].received, lines[str(fee.pk)].refunded, lines[str(fee.pk)].reversed) == (
        D("320.00"),
        D("50.00"),
        D("200.00"),
    )
    assert (lines["prepaid"].received, lines["prepaid"].reversed) == (D("50.00"), D("50.00"))
    assert by_method["cash"].amount == D("250.00") - D("50.00") - D("250.00")
    assert by_method["wechat"].amount == D("150.00")
    assert by_day["2025-02-05"].refunded == D("40.00") and by_day["2025-02-06"].reversed == D("250.00")
    assert by_day["2025-02-06"].refunded == D("10.00")


# --- the cashier's day and the shift ----------------------------------------------------------------


@pytest.mark.parametrize("day", [date(2025, 1, 31), FEB, date(2025, 2, 5), date(2025, 2, 6)])
@pytest.mark.parametrize("mine", [False, True])
def test_cashier_daily_by_method_and_fee_item_equals_the_ledger_rows(company_a, day, mine):
    with tenant_context(company_a):
        _ledger()
        user = User.objects.get(username="cashier")
        who = user.pk if mine else None
        report = cashier.cashier_daily(day, who)
        rows = Payment.objects.filter(business_date=day)
        refunds_of_day = [r for r in Refund.objects.filter(status="approved") if _business_day(r.decided_at) == day]
        voids = Receipt.objects.filter(voided_at__isnull=False, payment__method__in=RECEIVED_METHODS).select_related(
            "payment"
        )
        voids_of_day = [r for r in voids if _business_day(r.voided_at) == day]
        if mine:
            rows = rows.filter(cashier=user)
            refunds_of_day = [r for r in refunds_of_day if r.requested_by_id == user.pk]
            voids_of_day = [r for r in voids_of_day if r.voided_by_id == user.pk]
        by_method = {row["method"]: row["total"] for row in rows.values("method").annotate(total=Sum("amount"))}
        allocated = Allocation.objects.filter(payment__in=rows, reverses__isnull=True).aggregate(t=Sum("amount"))["t"]
        credited = BalanceEntry.objects.filter(payment__in=rows, kind__in=["top_up", "overpayment"]).aggregate(
            t=Sum("amount")
        )["t"]
    assert {line.key: line.amount for line in report.by_method} == by_method
    assert report.amount == sum(by_method.values(), ZERO)
    assert report.amount == sum((line.amount for line in report.by_fee_item), ZERO)
    assert report.amount == (allocated or ZERO) + (credited or ZERO)
    assert report.received == sum((v for k, v in by_method.items() if k in RECEIVED_METHODS), ZERO)
    assert report.refunded == sum((r.amount for r in refunds_of_day), ZERO)
    assert report.reversed == sum((r.payment.amount for r in voids_of_day), ZERO)
    assert report.net_received == report.received - report.refunded - report.reversed


def test_shift_summary_is_the_shifts_payments_by_method(company_a):
    with tenant_context(company_a):
        world = _ledger()
        shift = world["shift"]
        summary = shifts.shift_summary(shift)
        rows = Payment.objects.filter(shift=shift)
        by_method = {row["method"]: row["total"] for row in rows.values("method").annotate(total=Sum("amount"))}
        # Out of the drawer while the shift is open: the cashier's approved cash refunds, and the cash
        # payments whose receipts the cashier voided.
        refunded = sum(
            (
                r.amount
                for r in Refund.objects.filter(status="approved", method="cash")
                if r.requested_by_id == shift.cashier_id and r.decided_at >= shift.opened_at
            ),
            ZERO,
        )
        voided = sum(
            (
                r.payment.amount
                for r in Receipt.objects.filter(voided_at__isnull=False).select_related("payment")
                if r.voided_by_id == shift.cashier_id and r.payment.method == "cash" and r.voided_at >= shift.opened_at
            ),
            ZERO,
        )
    assert {line["method"]: D(line["total"]) for line in summary["by_method"]} == by_method
    assert by_method == {"cash": D("100.00"), "pos": D("80.00")}  # the cashier's two; the admin's not
    assert (D(summary["cash_refunded"]), D(summary["cash_voided"])) == (refunded, voided)
    assert refunded + voided > 0  # the world has some of each kind to take out
    assert D(summary["expected_cash"]) == shift.opening_float + by_method["cash"] - refunded - voided


# --- what a void may take back ----------------------------------------------------------------------


def test_a_refunded_payment_cannot_be_voided_so_no_money_is_taken_back_twice(company_a):
    with tenant_context(company_a):
        world = _ledger()
        refunded = world["paid"]["h2_february"]
        with pytest.raises(Exception, match="退款") as refused:
            receipts.void_receipt(receipt=refunded.receipt, reason="重复", actor=User.objects.get(username="admin"))
    assert getattr(refused.value, "code", "") == "payment_refunded"
