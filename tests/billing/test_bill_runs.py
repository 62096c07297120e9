"""Bill runs issue each charge once, with the right cycle, proration and rounding; payments allocate them."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from fractions import Fraction

import pytest
from django.db import IntegrityError, transaction
from django_tenants.utils import tenant_context

from billing import money
from billing.models import Allocation, BalanceEntry, Charge, FeeAssignment, FeeItem, FeePrice, Receipt
from billing.services import bill_runs, charge_sql, payments, receipts
from core.actions import action
from core.errors import DomainError
from core.schemas import Schema
from tenants.estates import services as estate_services
from tenants.estates.models import House

pytestmark = pytest.mark.django_db


@action(schema=Schema.COMPANY, audit=False)  # test set-up: fee configuration has its own audited services
def _fee(
    *,
    name,
    mode="building_area",
    price="2.5000",
    cycle=1,
    timing="prepaid",
    start=date(2026, 1, 1),
    anchor=date(2000, 1, 1),
    houses=(),
    rounding="half_up",
    extra="0",
    late_fee=None,
    due_value=15,
    assignment_start=None,
):
    item = FeeItem.objects.create(
        name=name,
        kind="property",
        mode=mode,
        cycle_months=cycle,
        cycle_anchor=anchor,
        timing=timing,
        valid_from=start,
        rounding=rounding,
        due_value=due_value,
        late_fee=late_fee or {},
    )
    FeePrice.objects.create(fee_item=item, effective_from=start, unit_price=Decimal(price), fixed_extra=Decimal(extra))
    FeeAssignment.objects.bulk_create(
        [FeeAssignment(fee_item=item, house=h, start=assignment_start or start) for h in houses]
    )
    return item


def _estate(company, name="翠湖苑", floors=2, per_floor=2):
    with tenant_context(company):
        estate = estate_services.create_estate(name=name)
        building = estate_services.create_building(estate=estate, name="1栋", floors=floors, units=["1单元"])
        estate_services.generate_houses(
            building=building, per_floor=per_floor, building_area=Decimal("89.50"), usable_area=Decimal("72.30")
        )
        return estate


def _run(estate, as_of, actor=None):
    run = bill_runs.create_bill_run(as_of=as_of, estate=estate, actor=actor)
    run = bill_runs.start_bill_run(run=run, actor=actor)
    bill_runs.execute_bill_run(bill_run_id=run.pk)
    run.refresh_from_db()
    return run


def test_a_monthly_area_fee_bills_each_house_once(company_a, outbox_sent):
    estate = _estate(company_a)
    with tenant_context(company_a):
        houses = list(House.objects.filter(estate=estate))
        item = _fee(name="物业费", houses=houses, start=date(2026, 11, 1))
        run = bill_runs.create_bill_run(as_of=date(2026, 11, 5), estate=estate, actor=None)
        assert run.preview["charges"] == len(houses)
        assert Decimal(run.preview["total"]) == Decimal("223.75") * len(houses)
        run = bill_runs.start_bill_run(run=run, actor=None)
        bill_runs.execute_bill_run(bill_run_id=run.pk)
        charges = Charge.objects.filter(fee_item=item)
        assert charges.count() == len(houses)
        charge = charges.first()
        assert (charge.period_start, charge.period_end, charge.amount) == (
            date(2026, 11, 1),
            date(2026, 12, 1),
            Decimal("223.75"),
        )
        assert charge.due_date == date(2026, 11, 20)
        assert charge.calculation["base"] == "89.50"
        # Again, and again for the same date: nothing new.
        again = _run(estate, date(2026, 11, 5))
        assert again.result["charges"] == 0
        assert Charge.objects.filter(fee_item=item).count() == len(houses)


def test_a_large_run_refreshes_the_planners_statistics_and_a_small_one_does_not(company_a, outbox_sent, monkeypatch):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    monkeypatch.setattr(bill_runs, "ANALYZE_AFTER", 10)
    estate = _estate(company_a)  # 4 houses
    with tenant_context(company_a):
        houses = list(House.objects.filter(estate=estate))
        _fee(name="物业费", houses=houses, start=date(2026, 8, 1))
        small = _estate(company_a, name="小苑")
        _fee(name="小苑物业费", houses=list(House.objects.filter(estate=small)), start=date(2026, 11, 1))
        with CaptureQueriesContext(connection) as below:
            assert _run(small, date(2026, 11, 5)).result["charges"] == 4
        assert not [q for q in below.captured_queries if q["sql"].startswith("ANALYZE")]
        with CaptureQueriesContext(connection) as above:
            assert _run(estate, date(2026, 11, 5)).result["charges"] == 16  # Aug..Nov for 4 houses
        assert [q["sql"] for q in above.captured_queries if q["sql"].startswith("ANALYZE")] == [
            "ANALYZE billing_charge"
        ]
        with connection.cursor() as cursor:  # the company's own ledger was analyzed: it counts all of it
            cursor.execute("SELECT reltuples FROM pg_class WHERE oid = 'billing_charge'::regclass")
            assert cursor.fetchone()[0] == Charge.objects.count()


def test_a_run_catches_up_missed_cycles_and_prorates_a_mid_month_start(company_a, outbox_sent):
    estate = _estate(company_a, floors=1, per_floor=1)
    with tenant_context(company_a):
        house = House.objects.get(estate=estate)
        item = _fee(name="物业费", houses=[house], start=date(2026, 1, 1), assignment_start=date(2026, 8, 16))
        _run(estate, date(2026, 11, 5))
        amounts = dict(Charge.objects.filter(fee_item=item).values_list("period_start", "amount"))
        exact = Decimal("223.75") * 16 / 31  # Aug 16–31: 16 of August's 31 days
        assert amounts[date(2026, 8, 16)] == money.round_money(exact)
        assert (
            amounts[date(2026, 9, 1)] == amounts[date(2026, 10, 1)] == amounts[date(2026, 11, 1)] == Decimal("223.75")
        )
        assert len(amounts) == 4


def test_a_rerun_prices_only_new_cycles_and_still_bills_an_assignment_back_dated_before_billed_ones(
    company_a, outbox_sent
):
    estate = _estate(company_a, floors=1, per_floor=2)
    with tenant_context(company_a):
        first, second = House.objects.filter(estate=estate).order_by("pk")
        item = _fee(name="物业费", houses=[first, second], start=date(2026, 1, 1), assignment_start=date(2026, 6, 1))
        _run(estate, date(2026, 7, 5))  # Jun, Jul for both
        # Houses billed through July: the August run prices August alone (one cycle a house).
        values = charge_sql.params(
            item, as_of=date(2026, 8, 5), house_from=first.pk, house_to=second.pk + 1, estate=estate.pk, building=None
        )
        priced = charge_sql.run(
            f"SELECT cycle_start FROM ({charge_sql.cycles_sql(item, unbilled_only=True)}) cy", values
        )
        assert sorted(row[0] for row in priced) == [date(2026, 8, 1)] * 2
        # The first house also owed Mar–May: an assignment entered late, ending where the billed one starts.
        FeeAssignment.objects.create(fee_item=item, house=first, start=date(2026, 3, 1), end=date(2026, 6, 1))
        _run(estate, date(2026, 8, 5))
        cycles = sorted(Charge.objects.filter(fee_item=item, house=first).values_list("cycle_start", flat=True))
        assert [c.month for c in cycles] == [3, 4, 5, 6, 7, 8]
        assert Charge.objects.filter(fee_item=item, house=second).count() == 3


def test_the_sql_months_agree_with_the_python_money_rules(company_a, outbox_sent):
    """Every odd period the two implementations could disagree on: month ends, leap years, anchors."""
    estate = _estate(company_a, floors=1, per_floor=1)
    with tenant_context(company_a):
        house = House.objects.get(estate=estate)
        cases = [
            (date(2024, 1, 31), date(2024, 2, 10)),  # anchor on the 31st, a leap February
            (date(2023, 1, 31), date(2023, 3, 3)),
            (date(2024, 2, 29), date(2024, 6, 1)),
        ]
        for index, (anchor, assignment_start) in enumerate(cases):
            item = _fee(
                name=f"费{index}",
                houses=[house],
                start=date(2023, 1, 1),
                anchor=anchor,
                assignment_start=assignment_start,
                price="3.3333",
                cycle=1,
            )
            _run(estate, date(2024, 8, 1) if anchor.year == 2024 else date(2023, 8, 1))
            for charge in Charge.objects.filter(fee_item=item):
                cycle = money.period_containing(anchor, 1, charge.period_start)
                assert charge.cycle_start == cycle[0]
                months = money.fraction_of_period(cycle, charge.period_start, charge.period_end)
                expected = money.round_money(
                    Decimal("89.50") * Decimal("3.3333") * Decimal(months.numerator) / Decimal(months.denominator)
                )
                assert charge.amount == expected, (anchor, charge.period_start, charge.period_end)


def test_quarterly_postpaid_bills_only_a_cycle_that_has_ended(company_a, outbox_sent):
    estate = _estate(company_a, floors=1, per_floor=1)
    with tenant_context(company_a):
        house = House.objects.get(estate=estate)
        item = _fee(
            name="垃圾费",
            mode="fixed",
            price="30.00",
            cycle=3,
            timing="postpaid",
            houses=[house],
            start=date(2026, 7, 1),
        )
        _run(estate, date(2026, 9, 30))
        assert not Charge.objects.filter(fee_item=item).exists()
        _run(estate, date(2026, 10, 1))
        charge = Charge.objects.get(fee_item=item)
        assert (charge.period_start, charge.period_end, charge.amount) == (
            date(2026, 7, 1),
            date(2026, 10, 1),
            Decimal("30.00"),
        )


def test_rounding_modes_apply_once_per_line(company_a, outbox_sent):
    estate = _estate(company_a, floors=1, per_floor=1)
    with tenant_context(company_a):
        house = House.objects.get(estate=estate)
        results = {}
        for mode in ("half_up", "up", "down"):
            item = _fee(
                name=f"固定{mode}",
                mode="fixed",
                price="444.195",
                houses=[house],
                rounding=mode,
                start=date(2026, 11, 1),
            )
            _run(estate, date(2026, 11, 1))
            results[mode] = Charge.objects.get(fee_item=item).amount
        assert results == {"half_up": Decimal("444.20"), "up": Decimal("444.20"), "down": Decimal("444.19")}


def test_a_run_killed_midway_and_started_again_leaves_each_charge_once(company_a, outbox_sent, monkeypatch):
    estate = _estate(company_a, floors=3, per_floor=2)
    with tenant_context(company_a):
        houses = list(House.objects.filter(estate=estate).order_by("id"))
        item = _fee(name="物业费", houses=houses, start=date(2026, 11, 1))
        monkeypatch.setattr(bill_runs, "CHUNK_HOUSES", 2)
        run = bill_runs.start_bill_run(
            run=bill_runs.create_bill_run(as_of=date(2026, 11, 1), estate=estate, actor=None), actor=None
        )
        real = bill_runs._issue_chunk
        calls = {"n": 0}

        def dies_on_the_second_chunk(**kwargs):
            calls["n"] += 1
            if calls["n"] == 2:
                raise RuntimeError("worker killed")
            return real(**kwargs)

        monkeypatch.setattr(bill_runs, "_issue_chunk", dies_on_the_second_chunk)
        with pytest.raises(RuntimeError):
            bill_runs.execute_bill_run(bill_run_id=run.pk)
        assert Charge.objects.filter(fee_item=item).count() == 2
        monkeypatch.setattr(bill_runs, "_issue_chunk", real)
        bill_runs.execute_bill_run(bill_run_id=run.pk)  # the outbox redelivers it
        assert Charge.objects.filter(fee_item=item).count() == len(houses)
        assert {c.house_id for c in Charge.objects.filter(fee_item=item)} == {h.pk for h in houses}
        run.refresh_from_db()
        assert run.status == "succeeded" and run.result["charges"] == len(houses)


def test_the_ledger_refuses_edits_and_double_charges(company_a, outbox_sent):
    estate = _estate(company_a, floors=1, per_floor=1)
    with tenant_context(company_a):
        house = House.objects.get(estate=estate)
        item = _fee(name="物业费", houses=[house], start=date(2026, 11, 1))
        _run(estate, date(2026, 11, 1))
        charge = Charge.objects.get(fee_item=item)

        @action(schema=Schema.COMPANY, audit=False)
        def edit():
            Charge.objects.filter(pk=charge.pk).update(amount=Decimal("1.00"))

        @action(schema=Schema.COMPANY, audit=False)
        def duplicate():
            Charge.objects.create(
                house=house,
                estate_id=house.estate_id,
                building_id=house.building_id,
                fee_item=item,
                cycle_start=charge.cycle_start,
                period_start=charge.period_start,
                period_end=charge.period_end,
                amount=Decimal("1.00"),
                issued_on=charge.issued_on,
                due_date=charge.due_date,
            )

        with pytest.raises(Exception, match="immutable"):
            edit()
        with pytest.raises(IntegrityError):
            duplicate()
        assert Charge.objects.get(pk=charge.pk).amount == Decimal("223.75")


def test_a_cash_payment_pays_the_oldest_first_gives_change_and_keeps_the_rest(company_a, outbox_sent):
    estate = _estate(company_a, floors=1, per_floor=1)
    with tenant_context(company_a):
        house = House.objects.get(estate=estate)
        _fee(name="物业费", houses=[house], start=date(2026, 9, 1))
        _run(estate, date(2026, 11, 1))  # Sep, Oct, Nov: 3 × 223.75
        payment = payments.record_payment(
            house=house,
            amount=Decimal("500.00"),
            tendered=Decimal("600.00"),
            method="cash",
            idempotency_key="k-1",
            actor=None,
        )
        assert payment.change == Decimal("100.00")
        allocated = dict(Allocation.objects.filter(payment=payment).values_list("charge__period_start", "amount"))
        assert allocated == {
            date(2026, 9, 1): Decimal("223.75"),
            date(2026, 10, 1): Decimal("223.75"),
            date(2026, 11, 1): Decimal("52.50"),
        }
        assert payments.balance_of(house.pk) == Decimal("0.00")
        receipt = Receipt.objects.get(payment=payment)
        assert receipt.number.endswith("-000001")
        # A retried request is the same payment, not a second one.
        again = payments.record_payment(
            house=house, amount=Decimal("500.00"), method="cash", idempotency_key="k-1", actor=None
        )
        assert again.pk == payment.pk
        # Paying more than is owed puts the excess on the prepaid balance.
        second = payments.record_payment(
            house=house, amount=Decimal("200.00"), method="transfer", idempotency_key="k-2", actor=None
        )
        assert payments.balance_of(house.pk) == Decimal("28.75")
        assert Receipt.objects.get(payment=second).number.endswith("-000002")
        assert payments.open_lines(house.pk) == []


def test_paying_a_charge_already_paid_is_refused_and_nothing_is_written(company_a, outbox_sent):
    estate = _estate(company_a, floors=1, per_floor=1)
    with tenant_context(company_a):
        house = House.objects.get(estate=estate)
        item = _fee(name="物业费", houses=[house], start=date(2026, 11, 1))
        _run(estate, date(2026, 11, 1))
        charge = Charge.objects.get(fee_item=item)
        payments.record_payment(
            house=house,
            amount=Decimal("223.75"),
            method="cash",
            idempotency_key="a",
            actor=None,
            charge_ids=[charge.pk],
        )
        with pytest.raises(DomainError) as refused:
            payments.record_payment(
                house=house,
                amount=Decimal("223.75"),
                method="pos",
                idempotency_key="b",
                actor=None,
                charge_ids=[charge.pk],
            )
        assert refused.value.status_code == 409
        assert Allocation.objects.filter(charge=charge).count() == 1
        assert Receipt.objects.count() == 1


def test_voiding_a_receipt_reverses_its_payment_and_keeps_its_number(company_a, outbox_sent):
    estate = _estate(company_a, floors=1, per_floor=1)
    with tenant_context(company_a):
        house = House.objects.get(estate=estate)
        _fee(name="物业费", houses=[house], start=date(2026, 11, 1))
        _run(estate, date(2026, 11, 1))
        payment = payments.record_payment(
            house=house, amount=Decimal("300.00"), method="cash", idempotency_key="v", actor=None
        )
        receipt = Receipt.objects.get(payment=payment)
        receipts.void_receipt(receipt=receipt, reason="收错房屋", actor=None)
        assert len(payments.open_lines(house.pk)) == 1
        assert payments.balance_of(house.pk) == Decimal("0.00")
        receipt.refresh_from_db()
        assert receipt.voided_at is not None
        assert receipts.pdf_snapshot(receipt)["voided"] is True
        with pytest.raises(DomainError):
            receipts.void_receipt(receipt=receipt, reason="again", actor=None)


def test_late_fees_post_once_per_day_on_the_principal(company_a, outbox_sent, monkeypatch):
    estate = _estate(company_a, floors=1, per_floor=1)
    with tenant_context(company_a):
        house = House.objects.get(estate=estate)
        item = _fee(
            name="物业费",
            houses=[house],
            start=date(2026, 9, 1),
            due_value=10,
            late_fee={"strategy": "daily_rate", "rate": "0.0005", "grace_days": 5},
        )
        _run(estate, date(2026, 9, 1))  # due Sep 11
        from billing.services import common, late_fees

        monkeypatch.setattr(common, "today", lambda: date(2026, 9, 16))  # last grace day
        assert late_fees.accrued_unposted(house_id=house.pk, as_of=date(2026, 9, 16)) == []
        lines = late_fees.accrued_unposted(house_id=house.pk, as_of=date(2026, 9, 26))  # 10 days late
        assert [amount for _c, amount in lines] == [money.round_money(Decimal("223.75") * Decimal("0.0005") * 10)]
        assert item.pk == lines[0][0].fee_item_id
        assert Fraction(1) == Fraction(1)


def test_a_balance_never_goes_negative_in_the_database(company_a, outbox_sent):
    estate = _estate(company_a, floors=1, per_floor=1)
    with tenant_context(company_a):
        house = House.objects.get(estate=estate)

        @action(schema=Schema.COMPANY, audit=False)
        def overdraw():
            BalanceEntry.objects.create(house=house, kind="applied", amount=Decimal("-1.00"))

        with pytest.raises(Exception, match="prepaid balance"):
            overdraw()
        assert not BalanceEntry.objects.exists()
        assert transaction.get_autocommit() in (True, False)


@action(schema=Schema.COMPANY, audit=False)  # test set-up
def _priced(*, item, tiers=None, formula=""):
    FeePrice.objects.filter(fee_item=item).delete()
    FeePrice.objects.create(
        fee_item=item, effective_from=item.valid_from, unit_price=Decimal("3.2000"), tiers=tiers or [], formula=formula
    )


def test_a_meter_fee_bills_the_readings_of_the_cycle_with_tiers(company_a, outbox_sent):
    from billing.services import meters

    estate = _estate(company_a, floors=1, per_floor=1)
    with tenant_context(company_a):
        house = House.objects.get(estate=estate)
        item = _fee(name="水费", mode="meter", timing="postpaid", houses=[house], start=date(2026, 10, 1))
        FeeItem.objects.filter(pk=item.pk).update(meter_kind="water")
        item.refresh_from_db()
        _priced(item=item, tiers=[["10", "3.00"], [None, "4.50"]])
        meter = meters.create_meter(kind="water", number="W-1", house=house, actor=None)
        meters.record_reading(meter=meter, read_on=date(2026, 10, 28), current=Decimal("13.50"), actor=None)
        run = bill_runs.create_bill_run(as_of=date(2026, 11, 1), estate=estate, actor=None)
        assert run.preview["charges"] == 1
        bill_runs.execute_bill_run(bill_run_id=bill_runs.start_bill_run(run=run, actor=None).pk)
        charge = Charge.objects.get(fee_item=item)
        assert charge.amount == Decimal("45.75")  # 10 × 3.00 + 3.5 × 4.50
        assert charge.calculation["readings"] and charge.calculation["usage"] == "13.50"


def test_a_formula_fee_is_computed_per_house_and_a_broken_one_is_left_out_with_the_reason(
    company_a, outbox_sent, client_for
):
    estate = _estate(company_a, floors=1, per_floor=1)
    with tenant_context(company_a):
        house = House.objects.get(estate=estate)
        item = _fee(name="电梯费", mode="formula", houses=[house], start=date(2026, 11, 1))
        _priced(item=item, formula="building_area * unit_price * months + (floor - 1) * 2")
        _run(estate, date(2026, 11, 1))
        charge = Charge.objects.get(fee_item=item)
        assert charge.amount == money.round_money(Decimal("89.50") * Decimal("3.2") + (house.floor - 1) * 2)
        other = _fee(name="坏公式", mode="formula", houses=[house], start=date(2026, 11, 1))
        _priced(item=other, formula="unit_price / (floor - floor)")
        run = bill_runs.create_bill_run(as_of=date(2026, 11, 1), estate=estate, actor=None, fee_items=[other])
        line = run.preview["items"][0]
        assert line["charges"] == 0 and line["exceptions"]
        # The house left out is named as the admin names it, not by its id alone.
        (exception,) = line["exceptions"]
        assert exception["house"] == house.pk
        assert (exception["estate_name"], exception["house_label"]) == (estate.name, house.label)
        assert exception["reason"]
        assert not Charge.objects.filter(fee_item=other).exists()
    shown = client_for(company_a, "admin").get(f"/api/v1/bill-runs/{run.pk}/").json()
    assert shown["preview"]["items"][0]["exceptions"][0]["house_label"] == house.label


def test_new_bills_are_paid_from_a_prepaid_balance_where_the_item_allows(company_a, outbox_sent):
    estate = _estate(company_a, floors=1, per_floor=1)
    with tenant_context(company_a):
        house = House.objects.get(estate=estate)
        _fee(name="物业费", houses=[house], start=date(2026, 11, 1))
        payments.top_up_balance(house=house, amount=Decimal("300.00"), method="cash", idempotency_key="pre", actor=None)
        _run(estate, date(2026, 11, 1))
        assert payments.open_lines(house.pk) == []
        assert payments.balance_of(house.pk) == Decimal("76.25")


def test_the_daily_schedule_runs_the_bill_day_once_and_keys_each_notice(company_a, outbox_sent):
    from billing.services import schedule
    from core.outbox.models import OutboxMessage

    estate = _estate(company_a, floors=1, per_floor=2)
    with tenant_context(company_a):
        houses = list(House.objects.filter(estate=estate))
        _fee(name="物业费", houses=houses, start=date(2026, 11, 1), due_value=10)
        assert schedule.start_scheduled_run(today=date(2026, 11, 2)) is None  # not the bill day
        run = schedule.start_scheduled_run(today=date(2026, 11, 1))
        assert run is not None and schedule.start_scheduled_run(today=date(2026, 11, 1)) is None
        bill_runs.execute_bill_run(bill_run_id=run.pk)
        payments.record_payment(
            house=houses[0], amount=Decimal("223.75"), method="cash", idempotency_key="n", actor=None
        )
        # Due Nov 11: three days before, only the unpaid house is reminded; twice is once.
        assert schedule.emit_due_notices(today=date(2026, 11, 8)) == 1
        assert schedule.emit_due_notices(today=date(2026, 11, 8)) == 0
        assert schedule.emit_due_notices(today=date(2026, 11, 12)) == 1
        topics = list(
            OutboxMessage.objects.filter(topic__startswith="bill.")
            .exclude(topic="bill.issued")
            .order_by("id")  # in the order emitted: a query without an order has none
            .values_list("topic", "payload")
        )
        assert [(t, p["house_id"]) for t, p in topics] == [
            ("bill.due_soon", houses[1].pk),
            ("bill.overdue", houses[1].pk),
        ]


def test_an_item_that_starts_mid_month_bills_its_first_partial_month_at_its_first_price(company_a, outbox_sent):
    estate = _estate(company_a, name="月中小区", floors=1, per_floor=1)
    with tenant_context(company_a):
        house = House.objects.get(estate=estate)
        item = _fee(name="物业费月中", houses=[house], start=date(2026, 11, 15))
        run = _run(estate, date(2026, 11, 20))
        charge = Charge.objects.get(fee_item=item)
        assert (charge.period_start, charge.period_end) == (date(2026, 11, 15), date(2026, 12, 1))
        assert charge.amount == money.round_money(Decimal("223.75") * 16 / 30)
        assert run.result["charges"] == 1
