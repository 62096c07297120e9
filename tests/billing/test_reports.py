"""Billing reports add up to the ledger: arrears and ageing, collection rate, income, the cashier's day.

Each test builds a small ledger with the ORM inside an action (ledger rows are immutable, so
nothing is ever updated) and checks every report's totals against the sum of its lines, and the
lines against the rows written.
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from decimal import Decimal
from io import BytesIO

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tenants.utils import tenant_context
from openpyxl import load_workbook

from accounts.models import User
from billing import outstanding
from billing.models import Allocation, BalanceEntry, Charge, Deposit, FeeItem, Payment
from billing.selectors import arrears, collection, income
from billing.selectors import cashier as cashier_day
from billing.services import refunds
from core.actions import action
from core.schemas import Schema
from tenants.estates import services as estate_services
from tenants.estates.models import House
from tenants.residents import services as resident_services

pytestmark = pytest.mark.django_db

D = Decimal
ZERO = D("0.00")
AGEING = ("not_yet_due", "days_0_30", "days_31_90", "days_91_180", "days_over_180")


def today() -> date:
    return timezone.localdate()


# --- building a ledger ------------------------------------------------------------------------------


def _estate(name: str = "翠湖苑", buildings: int = 1, per_floor: int = 2) -> tuple[object, list[House]]:
    estate = estate_services.create_estate(name=name)
    for number in range(1, buildings + 1):
        building = estate_services.create_building(estate=estate, name=f"{number}栋", floors=2, units=["1单元"])
        estate_services.generate_houses(
            building=building, per_floor=per_floor, building_area=D("89.50"), usable_area=D("72.30")
        )
    return estate, list(House.objects.filter(estate=estate).select_related("building", "unit").order_by("pk"))


@action(schema=Schema.COMPANY, audit=False)  # test set-up: the ledger's own services are audited
def _item(name: str = "物业费") -> FeeItem:
    item, _created = FeeItem.objects.get_or_create(
        name=name, defaults={"kind": "property", "mode": "fixed", "valid_from": date(2020, 1, 1)}
    )
    return item


def _month(day: date) -> tuple[date, date]:
    start = day.replace(day=1)
    return start, (start + timedelta(days=32)).replace(day=1)


@action(schema=Schema.COMPANY, audit=False)
def _charge(house, item, amount, *, due, cycle=None, kind="regular", principal=None, issued=None) -> Charge:
    cycle = cycle or due
    start, end = _month(cycle)
    if kind != "regular":  # a late fee or adjustment dates from its own posting, not a cycle
        start, end = cycle, cycle + timedelta(days=1)
    return Charge.objects.create(
        house=house,
        estate_id=house.estate_id,
        building_id=house.building_id,
        fee_item=item,
        kind=kind,
        cycle_start=start,
        period_start=start,
        period_end=end,
        amount=D(amount),
        issued_on=issued or min(due, today()),
        due_date=due,
        principal=principal,
    )


def _adjust(charge: Charge, amount: str) -> Charge:
    return _charge(charge.house, charge.fee_item, amount, due=today(), kind="adjustment", principal=charge)


@action(schema=Schema.COMPANY, audit=False)
def _pay(house, method, amount, *, lines=(), prepaid="0", deposit="0", day=None, cashier=None) -> Payment:
    """A payment spent exactly: on the charges (charge, amount), the prepaid balance and a deposit."""
    payment = Payment.objects.create(
        house=house,
        estate_id=house.estate_id,
        method=method,
        amount=D(amount),
        received_at=timezone.now(),
        business_date=day or today(),
        idempotency_key=uuid.uuid4().hex,
        cashier=cashier,
    )
    for charge, part in lines:
        Allocation.objects.create(payment=payment, charge=charge, amount=D(part))
    if D(prepaid):
        BalanceEntry.objects.create(house=house, kind="overpayment", amount=D(prepaid), payment=payment)
    if D(deposit):
        Deposit.objects.create(house=house, purpose="装修押金", amount=D(deposit), payment=payment)
    _check_deferred_rules()
    return payment


def _check_deferred_rules() -> None:
    """Run the deferred rule (a payment is spent exactly) now, in this company's schema: the test's
    transaction never commits, and Django's teardown would run it on the public schema, where the
    trigger's unqualified table names do not resolve."""
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


@action(schema=Schema.COMPANY, audit=False)
def _reverse(payment: Payment, charge: Charge) -> Allocation:
    """A reversal: the allocation undone by a negative row, the money back on the prepaid balance."""
    original = Allocation.objects.get(payment=payment, charge=charge, reverses__isnull=True)
    BalanceEntry.objects.create(house=charge.house, kind="reversal", amount=original.amount, payment=payment)
    return Allocation.objects.create(payment=payment, charge=charge, amount=-original.amount, reverses=original)


def _sum(lines, name):
    return sum((D(str(getattr(line, name) if not isinstance(line, dict) else line[name])) for line in lines), ZERO)


# --- one charge -------------------------------------------------------------------------------------


def test_charge_balances_net_paid_and_outstanding_count_adjustments_and_reversals(company_a):
    with tenant_context(company_a):
        _estate_row, (house, *_) = _estate()
        item = _item()
        charge = _charge(house, item, "100.00", due=today())
        _adjust(charge, "-10.00")
        payment = _pay(house, "cash", "50.00", lines=[(charge, "50.00")])
        _reverse(payment, charge)
        _pay(house, "wechat", "20.00", lines=[(charge, "20.00")])
        with CaptureQueriesContext(connection) as queries:
            rows = list(outstanding.charge_balances().filter(house=house))
        assert len(queries) == 1
        assert [(r.pk, r.net, r.paid, r.outstanding) for r in rows] == [(charge.pk, D("90"), D("20"), D("70"))]


# --- arrears ----------------------------------------------------------------------------------------


def test_ageing_buckets_are_bounded_at_30_31_90_91_180_181_days(company_a):
    """The due day itself is 0 days past due; each boundary day falls in the bucket it names."""
    t = today()
    with tenant_context(company_a):
        _estate_row, (house, *_) = _estate()
        item = _item()
        days_and_amounts = [
            (-1, "128"),
            (0, "1"),
            (30, "2"),
            (31, "4"),
            (90, "8"),
            (91, "16"),
            (180, "32"),
            (181, "64"),
        ]
        for year, (days, amount) in enumerate(days_and_amounts, start=2000):  # a cycle each
            _charge(house, item, amount, due=t - timedelta(days=days), cycle=date(year, 1, 1))
        (line,) = list(arrears.arrears(t))
    assert (line.not_yet_due, line.days_0_30, line.days_31_90, line.days_91_180, line.days_over_180) == (
        D("128"),
        D("3"),
        D("12"),
        D("48"),
        D("64"),
    )
    assert line.total == D("255") and line.overdue == D("127")


def _three_payers(company):
    """House 1 owes 300 (one charge adjusted, one part-paid, one paid and reversed), house 2 owes a
    late fee, house 3 has paid everything; house 4 nothing billed. Returns (estate, houses, expected)."""
    t = today()
    estate, houses = _estate()
    h1, h2, h3, _h4 = houses
    item, water = _item(), _item("水费")
    a = _charge(h1, item, "200.00", due=t - timedelta(days=100), cycle=date(2026, 1, 1))
    _adjust(a, "-50.00")  # 150 left, aged by a's due date (100 days)
    b = _charge(h1, water, "80.00", due=t - timedelta(days=10), cycle=date(2026, 2, 1))
    _pay(h1, "cash", "30.00", lines=[(b, "30.00")])  # 50 left, 10 days
    c = _charge(h1, item, "100.00", due=t + timedelta(days=5), cycle=date(2026, 3, 1))
    paid_back = _pay(h1, "pos", "100.00", lines=[(c, "100.00")])
    _reverse(paid_back, c)  # 100 owed again, not yet due
    d = _charge(h2, item, "60.00", due=t - timedelta(days=40), cycle=date(2026, 1, 1))
    _pay(h2, "wechat", "60.00", lines=[(d, "60.00")])
    _charge(h2, item, "6.50", due=t - timedelta(days=200), kind="late_fee", principal=d, cycle=t - timedelta(days=1))
    e = _charge(h3, item, "70.00", due=t - timedelta(days=3), cycle=date(2026, 1, 1))
    _pay(h3, "cash", "100.00", lines=[(e, "70.00")], prepaid="30.00")
    expected = {
        h1.pk: {"not_yet_due": D("100"), "days_0_30": D("50"), "days_91_180": D("150"), "total": D("300")},
        h2.pk: {"days_over_180": D("6.50"), "total": D("6.50")},
    }
    return estate, houses, expected


def test_arrears_per_payer_and_its_totals_add_up_to_the_ledger(company_a):
    with tenant_context(company_a):
        estate, houses, expected = _three_payers(company_a)
        admin = User.objects.get(username="admin")
        person = resident_services.create_person(actor=admin, name="张三", phone="13900001234")
        resident_services.add_occupancy(
            actor=admin, house=houses[0], person=person, relation="owner", is_primary_payer=True
        )
        lines = list(arrears.arrears(today(), estate=estate.pk))
        totals = arrears.arrears_totals(today(), estate=estate.pk)
    assert [line.house_id for line in lines] == list(expected)  # most owed first; paid-up payers absent
    for line in lines:
        for name in (*AGEING, "total"):
            assert getattr(line, name) == expected[line.house_id].get(name, ZERO), (line, name)
    assert lines[0].payer_name == "张三" and lines[1].payer_name == ""
    assert lines[0].label == f"{houses[0].building.name}{houses[0].unit.name}{houses[0].number}"
    assert totals.lines == len(lines) == 2
    for name in (*AGEING, "total", "overdue"):
        assert getattr(totals, name) == _sum(lines, name)
    assert totals.total == D("306.50")
    # The same money, grouped by building and by estate.
    with tenant_context(company_a):
        (by_building,) = list(arrears.arrears(today(), estate=estate.pk, group_by="building"))
        (by_estate,) = list(arrears.arrears(today(), estate=estate.pk, group_by="estate"))
    assert by_building.total == by_estate.total == totals.total
    assert (by_building.label, by_estate.label, by_estate.payer_name) == ("1栋", "翠湖苑", "")


def test_arrears_as_of_an_earlier_day_leave_out_what_came_later(company_a):
    t = today()
    with tenant_context(company_a):
        _estate_row, (house, *_) = _estate()
        item = _item()
        _charge(house, item, "10.00", due=t - timedelta(days=5), issued=t - timedelta(days=5))
        _charge(house, item, "20.00", due=t, issued=t, cycle=date(2026, 1, 1))
        # Paid today: as of yesterday still owed.
        charge = Charge.objects.get(amount=D("10.00"))
        _pay(house, "cash", "10.00", lines=[(charge, "10.00")])
        (yesterday,) = list(arrears.arrears(t - timedelta(days=1)))
        (now,) = list(arrears.arrears(t))
    assert (yesterday.total, yesterday.days_0_30) == (D("10"), D("10"))  # the 20 was not issued yet
    assert (now.total, now.days_0_30) == (D("20"), D("20"))


def test_arrears_api_pages_and_sums_and_exports_for_dunning(company_a, client_for):
    with tenant_context(company_a):
        estate, _houses, _expected = _three_payers(company_a)
    cashier = client_for(company_a, "cashier")
    page = cashier.get(f"/api/v1/billing/arrears/?estate={estate.pk}&page_size=1")
    assert page.status_code == 200, page.content
    body = page.json()
    assert body["count"] == 2 and len(body["results"]) == 1 and body["next"]
    assert D(body["results"][0]["total"]) == D("300")
    summary = cashier.get(f"/api/v1/billing/arrears/summary/?estate={estate.pk}").json()
    every = cashier.get(f"/api/v1/billing/arrears/?estate={estate.pk}").json()["results"]
    for name in (*AGEING, "total", "overdue"):
        assert D(summary[name]) == _sum(every, name)
    assert summary["lines"] == 2 and summary["as_of"] == today().isoformat()
    sheet = cashier.get(f"/api/v1/billing/arrears/?estate={estate.pk}&format=xlsx")
    assert sheet.status_code == 200
    rows = list(load_workbook(BytesIO(sheet.content)).active.iter_rows(values_only=True))
    assert rows[0][-1] == "欠费合计" and len(rows) == 3
    assert [D(str(row[-1])) for row in rows[1:]] == [D("300"), D("6.5")]


def test_arrears_queries_do_not_grow_with_the_page_size(company_a, client_for):
    with tenant_context(company_a):
        _estate_row, houses = _estate(per_floor=5)
        item = _item()
        for house in houses:
            _charge(house, item, "10.00", due=today())
    client = client_for(company_a, "admin")
    counts = []
    for size in (1, 50):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"/api/v1/billing/arrears/?page_size={size}")
        assert response.status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


# --- collection rate --------------------------------------------------------------------------------


def test_collection_rate_is_none_when_nothing_is_due(company_a, client_for):
    with tenant_context(company_a):
        empty = collection.collection_rate(date(2026, 1, 1), date(2026, 2, 1))
        series = collection.collection_by_month(12)
    assert (empty.due, empty.paid, empty.rate) == (ZERO, ZERO, None)
    assert len(series) == 12 and all(month.rate is None for month in series)
    body = client_for(company_a, "cashier").get("/api/v1/billing/collection-rate/?months=12").json()
    assert len(body["series"]) == 12 and body["total"]["rate"] is None
    assert body["series"][-1]["period_start"] == today().replace(day=1).isoformat()


def test_collection_rate_counts_charges_of_the_period_net_of_adjustments_with_reversals(company_a, client_for):
    this_month = today().replace(day=1)
    last_month = (this_month - timedelta(days=1)).replace(day=1)
    with tenant_context(company_a):
        estate, (h1, h2, *_) = _estate()
        item = _item()
        a = _charge(h1, item, "100.00", due=last_month + timedelta(days=14), cycle=last_month)
        _adjust(a, "-20.00")  # due 80
        b = _charge(h2, item, "100.00", due=last_month + timedelta(days=14), cycle=last_month)
        late = _charge(
            h2,
            item,
            "5.00",
            due=last_month + timedelta(days=20),
            kind="late_fee",
            principal=b,
            cycle=last_month + timedelta(days=15),
        )
        _pay(h1, "cash", "80.00", lines=[(a, "80.00")])
        undone = _pay(h2, "cash", "105.00", lines=[(b, "100.00"), (late, "5.00")])
        _reverse(undone, b)  # only the late fee stays paid
        _charge(h1, item, "999.00", due=this_month + timedelta(days=14), cycle=this_month)  # the next period
        period = collection.collection_rate(last_month, this_month, estate.pk)
        series = collection.collection_by_month(3)
    assert (period.due, period.paid, period.charges) == (D("185"), D("85"), 3)
    assert period.rate == (D("85") / D("185")).quantize(D("0.0001"))
    assert [m.period_start for m in series[1:]] == [last_month, this_month]
    assert series[0].rate is None and series[1].due == D("185") and series[2].rate == D("0")
    client = client_for(company_a, "admin")
    body = client.get(
        f"/api/v1/billing/collection-rate/?period_start={last_month}&period_end={this_month}&estate={estate.pk}"
    ).json()
    assert D(body["total"]["rate"]) == period.rate and body["series"] == [body["total"]]
    monthly = client.get("/api/v1/billing/collection-rate/?months=3").json()
    assert D(monthly["total"]["due"]) == _sum(monthly["series"], "due") == D("1184")
    assert D(monthly["total"]["paid"]) == _sum(monthly["series"], "paid") == D("85")


# --- income and the cashier's day -------------------------------------------------------------------


def _takings(company):
    """A day's takings: cash for two items with an overpayment, WeChat with a deposit, a late fee paid
    by card, and a draw on the prepaid balance (not income). Returns (houses, cashier)."""
    t = today()
    _estate_row, houses = _estate("金桂园")
    h1, h2, *_ = houses
    cashier = User.objects.get(username="cashier")
    item, water = _item(), _item("水费")
    a = _charge(h1, item, "100.00", due=t)
    b = _charge(h1, water, "40.00", due=t)
    _pay(h1, "cash", "150.00", lines=[(a, "100.00"), (b, "40.00")], prepaid="10.00", cashier=cashier)
    c = _charge(h2, item, "60.00", due=t - timedelta(days=30), cycle=date(2026, 1, 1))
    late = _charge(h2, item, "3.00", due=t, kind="late_fee", principal=c, cycle=t)
    _pay(h2, "wechat", "560.00", lines=[(c, "60.00")], deposit="500.00")
    _pay(h2, "card", "3.00", lines=[(late, "3.00")], cashier=cashier)
    d = _charge(h1, water, "10.00", due=t, cycle=date(2026, 1, 1))
    _pay(h1, "balance", "10.00", lines=[(d, "10.00")], cashier=cashier)
    _pay(h1, "cash", "99.00", prepaid="99.00", day=t - timedelta(days=40))
    return houses, cashier, (item, water)


def test_income_by_fee_item_method_day_and_month_adds_up(company_a, client_for):
    t = today()
    with tenant_context(company_a):
        _houses, _cashier, (item, water) = _takings(company_a)
        by_item = income.income(t, t)
        by_method = income.income(t, t, by="method")
        by_day = income.income(t - timedelta(days=40), t, by="day")
        by_month = income.income(t - timedelta(days=40), t, by="month")
    assert by_item.total == D("713") and by_item.count == 3  # the balance draw is not income
    assert {line.key: line.amount for line in by_item.lines} == {
        str(item.pk): D("160"),
        str(water.pk): D("40"),
        f"{item.pk}:late_fee": D("3"),
        "prepaid": D("10"),
        "deposit": D("500"),
    }
    assert {line.key: line.amount for line in by_method.lines} == {"cash": D("150"), "wechat": D("560"), "card": D("3")}
    assert len(by_day.lines) == 41 and by_day.lines[0].amount == D("99") and by_day.lines[-1].amount == D("713")
    assert len(by_month.lines) in (2, 3)
    for report in (by_item, by_method, by_day, by_month):
        assert _sum(report.lines, "amount") == report.total
    assert by_day.total == by_month.total == D("812")
    body = client_for(company_a, "cashier").get("/api/v1/billing/income/?by=fee_item").json()
    assert D(body["total"]) == _sum(body["lines"], "amount") == D("713")


def test_cashier_daily_by_method_and_fee_item_with_refunds(company_a, client_for):
    t = today()
    with tenant_context(company_a):
        houses, cashier, _items = _takings(company_a)
        admin = User.objects.get(username="admin")
        payment = Payment.objects.get(method="cash", business_date=t)
        refund = refunds.request_refund(
            house=houses[0],
            source="payment",
            amount=D("10.00"),
            method="cash",
            reason="多收",
            actor=cashier,
            payment=payment,
        )
        refunds.approve_refund(refund=refund, actor=admin)
        everyone = cashier_day.cashier_daily(t)
        mine = cashier_day.cashier_daily(t, cashier.pk)
    assert everyone.amount == _sum(everyone.by_method, "amount") == _sum(everyone.by_fee_item, "amount") == D("723")
    assert everyone.received == D("713") and everyone.count == 4
    assert [line.key for line in everyone.by_method if not line.received] == ["balance"]
    assert mine.amount == _sum(mine.by_fee_item, "amount") == D("163") and mine.count == 3
    assert (mine.refunded, mine.reversed, mine.net_received) == (D("10"), ZERO, D("143"))
    body = client_for(company_a, "cashier").get(f"/api/v1/billing/cashier-daily/?cashier={cashier.pk}").json()
    assert D(body["amount"]) == _sum(body["by_method"], "amount") == D("163")
    assert D(body["refunded"]) == _sum(body["refunds"], "amount") == D("10")
    assert D(body["net_received"]) == D("143") and body["voids"] == []


# --- who sees what ----------------------------------------------------------------------------------

REPORTS = [
    "/api/v1/billing/arrears/",
    "/api/v1/billing/arrears/summary/",
    "/api/v1/billing/collection-rate/",
    "/api/v1/billing/income/",
    "/api/v1/billing/cashier-daily/",
]


@pytest.mark.parametrize("path", REPORTS)
def test_another_companys_ledger_never_shows(company_a, company_b, client_for, path):
    with tenant_context(company_b):
        _three_payers(company_b)
        _takings(company_b)
    body = client_for(company_a, "admin").get(path).json()
    assert body.get("count", 0) == 0 and body.get("results", []) == []
    for key in ("total", "amount", "lines"):
        if isinstance(body.get(key), str):
            assert D(body[key]) == 0
        if isinstance(body.get(key), list):
            assert body[key] == [] or all(D(line["amount"]) == 0 for line in body[key])
    if "series" in body:
        assert all(month["rate"] is None for month in body["series"])
    with tenant_context(company_b):
        assert arrears.arrears_totals(today()).total == D("306.50")


@pytest.mark.parametrize("path", REPORTS)
@pytest.mark.parametrize("username", ["guard", "repair", "dispatcher"])
def test_staff_without_fees_or_analytics_are_refused(company_a, client_for, path, username):
    assert client_for(company_a, username).get(path).status_code == 403


@pytest.mark.parametrize("path", REPORTS)
def test_cashiers_and_admins_may_read(company_a, client_for, path):
    for username in ("cashier", "admin"):
        assert client_for(company_a, username).get(path).status_code == 200


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("/api/v1/billing/arrears/?group_by=unit", "group_by"),
        ("/api/v1/billing/arrears/?as_of=yesterday", "as_of"),
        ("/api/v1/billing/arrears/summary/?estate=0", "estate"),
        ("/api/v1/billing/arrears/?as_of=9999-12-31", "as_of"),
        ("/api/v1/billing/collection-rate/?period_start=2026-01-01", "period_end"),
        ("/api/v1/billing/collection-rate/?period_start=2026-02-01&period_end=2026-01-01", "period_end"),
        ("/api/v1/billing/collection-rate/?months=0", "months"),
        ("/api/v1/billing/income/?by=week", "by"),
        ("/api/v1/billing/income/?date_from=2026-02-01&date_to=2026-01-01", "date_to"),
        ("/api/v1/billing/income/?by=day&date_from=2020-01-01&date_to=2026-01-01", "date_to"),
        ("/api/v1/billing/cashier-daily/?cashier=x", "cashier"),
    ],
)
def test_bad_query_strings_are_400_with_field_errors(company_a, client_for, query, field):
    response = client_for(company_a, "admin").get(query)
    assert response.status_code == 400, response.content
    assert field in response.json()["fields"]
