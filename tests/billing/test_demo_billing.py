"""The demo's year of billing is what the product would have produced: every charging mode billed,
arrears in every ageing bucket, approvals waiting, reports adding up to the ledger, and a second run
adds nothing."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db.models import Count, Sum
from django.utils import timezone
from django_tenants.utils import tenant_context

from billing import outstanding
from billing.models import (
    BalanceEntry,
    BillRun,
    Charge,
    Deposit,
    FeeItem,
    MeterReading,
    Payment,
    Receipt,
    Refund,
    Waiver,
)
from billing.models.ledger import RECEIVED_METHODS
from billing.money import add_months
from billing.selectors import arrears, collection, income
from billing.services.refunds import deposit_remaining
from tenants.demo.billing_seed import seed_billing
from tenants.demo.residents_seed import seed_residents
from tenants.estates import services as estate_services

pytestmark = pytest.mark.django_db

ZERO = Decimal("0.00")


def _demo_estates() -> None:
    for name, floors, units, per_floor in (("翠湖苑", 10, ["1单元", "2单元"], 2), ("锦绣花园", 6, ["1单元"], 3)):
        estate = estate_services.create_estate(name=name)
        building = estate_services.create_building(estate=estate, name="1栋", floors=floors, units=units)
        estate_services.generate_houses(
            building=building,
            per_floor=per_floor,
            building_area=Decimal("89.50"),
            usable_area=Decimal("72.30"),
            status="occupied",
        )
    seed_residents()


@pytest.fixture
def seeded(company_a):
    today = timezone.localdate()
    with tenant_context(company_a):
        _demo_estates()
        made = seed_billing(today=today)
    return company_a, today, made


def test_every_charging_mode_is_billed_over_a_year(seeded):
    company, today, made = seeded
    with tenant_context(company):
        assert made["bill_runs"] == BillRun.objects.filter(status="succeeded", scheduled=True).count() == 12
        billed = set(Charge.objects.filter(kind="regular").values_list("fee_item__mode", flat=True).distinct())
        assert billed >= {"building_area", "fixed", "formula", "count", "meter", "shared_meter", "usage"}
        assert set(FeeItem.objects.values_list("kind", flat=True)) >= {"deposit", "one_off"}
        first_month = add_months(today.replace(day=1), -11)
        assert Charge.objects.filter(fee_item__name="物业费", cycle_start=first_month).exists()
        water = Charge.objects.filter(fee_item__name="水费").first()
        power = Charge.objects.filter(fee_item__name="电费").first()
        assert water is not None and water.calculation["tiers"]
        assert power is not None and set(power.calculation["usage"]) == {"peak", "valley"}
        assert Charge.objects.filter(fee_item__name="装修管理费", bill_run__isnull=True).exists()
        assert Charge.objects.filter(kind="late_fee").exists()
        assert MeterReading.objects.filter(status="held").count() == (1 if today.day > 1 else 0)
        assert made["readings"] == MeterReading.objects.count() and made["charges"] > 0
        assert Payment.objects.count() == Receipt.objects.count() == made["payments"]
        # Money came in at the counter only; a prepaid balance may have paid a bill issued after it.
        methods = set(Payment.objects.values_list("method", flat=True))
        assert methods - {"balance"} <= {"cash", "pos", "transfer", "cheque"}


def test_arrears_fill_every_ageing_bucket_and_approvals_wait(seeded):
    company, today, _made = seeded
    with tenant_context(company):
        totals = arrears.arrears_totals(today)
        assert totals.days_0_30 > 0 and totals.days_31_90 > 0 and totals.days_91_180 > 0
        assert totals.days_over_180 > 0
        assert Waiver.objects.filter(status="pending").count() == 1
        assert Refund.objects.filter(status="pending").count() == 1
        assert any(deposit_remaining(d) > 0 for d in Deposit.objects.all())
        balances = BalanceEntry.objects.values("house").annotate(total=Sum("amount"))
        assert all(row["total"] >= 0 for row in balances)
        assert any(row["total"] > 0 for row in balances)


def test_reports_add_up_to_the_ledger(seeded):
    company, today, _made = seeded
    with tenant_context(company):
        owed = sum((c.outstanding for c in outstanding.charge_balances()), ZERO)
        assert arrears.arrears_totals(today).total == owed
        year_start = add_months(today.replace(day=1), -11)
        report = income.income(year_start, today, by="month")
        received = Payment.objects.filter(method__in=sorted(RECEIVED_METHODS)).aggregate(total=Sum("amount"))
        assert report.received == received["total"]
        assert report.total == report.received - report.refunded - report.reversed
        assert sum((line.amount for line in report.lines), ZERO) == report.total
        assert sum(1 for line in report.lines if line.amount > 0) >= 6  # payments spread over the year
        series = collection.collection_by_month(12, as_of=today)
        assert all(month.rate is not None and month.rate <= 1 for month in series)
        assert series[-1].rate < 1  # this month's bills are not all paid


def test_a_second_run_adds_nothing(seeded):
    company, today, _made = seeded
    with tenant_context(company):
        before = (Charge.objects.count(), Payment.objects.count(), MeterReading.objects.count())
        assert seed_billing(today=today) == {}
        assert (Charge.objects.count(), Payment.objects.count(), MeterReading.objects.count()) == before
        assert not Payment.objects.values("idempotency_key").annotate(n=Count("id")).filter(n__gt=1).exists()
