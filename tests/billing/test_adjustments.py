"""Waivers, refunds, deposits, manual charges and cashier shifts: each a ledger row of its own,
approved by someone else where money leaves, and never taking a figure below what the ledger allows."""

from __future__ import annotations

import itertools
from datetime import date
from decimal import Decimal

import pytest
from django.db import IntegrityError, InternalError, transaction
from django_tenants.utils import tenant_context
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.models import User
from billing.models import Allocation, Charge, Deposit, Refund
from billing.services import charges, deposits, payments, receipts, refunds, shifts, waivers
from core.errors import DomainError
from tenants.estates.models import House
from tests.billing.test_bill_runs import _estate, _fee, _run

pytestmark = pytest.mark.django_db


def _people(company):
    with tenant_context(company):
        cashier = User.objects.get(username="cashier")
        admin = User.objects.get(username="admin")
    return cashier, admin


_names = itertools.count()


def _billed_house(company, start=date(2026, 11, 1)):
    estate = _estate(company, name=f"小区{next(_names)}", floors=1, per_floor=1)
    with tenant_context(company):
        house = House.objects.get(estate=estate)
        item = _fee(name=f"物业费{estate.pk}", houses=[house], start=start)
        _run(estate, start)
        return house, item, Charge.objects.get(fee_item=item)


def test_a_waiver_applies_only_when_someone_else_approves_it(company_a, outbox_sent):
    cashier, admin = _people(company_a)
    house, _item, charge = _billed_house(company_a)
    with tenant_context(company_a):
        waiver = waivers.request_waiver(
            charge=charge, amount=Decimal("23.75"), kind="reduction", reason="空置两周", actor=cashier
        )
        assert payments.open_lines(house.pk)[0][1] == Decimal("223.75")
        with pytest.raises(DomainError):
            waivers.approve_waiver(waiver=waiver, actor=cashier)  # not one's own request
        waivers.approve_waiver(waiver=waiver, actor=admin)
        assert payments.open_lines(house.pk)[0][1] == Decimal("200.00")
        assert Charge.objects.get(pk=charge.pk).amount == Decimal("223.75")  # the charge never changes
        with pytest.raises(DomainError):
            waivers.request_waiver(charge=charge, amount=Decimal("200.01"), kind="reduction", reason="x", actor=cashier)


def test_a_refund_of_a_payment_makes_its_charges_due_again(company_a, outbox_sent):
    cashier, admin = _people(company_a)
    house, _item, charge = _billed_house(company_a)
    with tenant_context(company_a):
        payment = payments.record_payment(
            house=house, amount=Decimal("223.75"), method="cash", idempotency_key="p", actor=cashier
        )
        with pytest.raises(DomainError):
            refunds.request_refund(
                house=house,
                source="payment",
                payment=payment,
                amount=Decimal("223.76"),
                method="cash",
                reason="多收",
                actor=cashier,
            )
        refund = refunds.request_refund(
            house=house,
            source="payment",
            payment=payment,
            amount=Decimal("100.00"),
            method="cash",
            reason="多收",
            actor=cashier,
        )
        refunds.approve_refund(refund=refund, actor=admin)
        assert payments.open_lines(house.pk) == [(charge, Decimal("100.00"))]
        assert Allocation.objects.filter(charge=charge).count() == 2
        with pytest.raises(DomainError):
            refunds.approve_refund(refund=refund, actor=admin)


def test_a_payment_is_refunded_in_parts_never_beyond_what_is_left(company_a, outbox_sent):
    cashier, admin = _people(company_a)
    house, _item, charge = _billed_house(company_a)
    with tenant_context(company_a):
        payment = payments.record_payment(
            house=house, amount=Decimal("223.75"), method="cash", idempotency_key="pp", actor=cashier
        )
        (allocation,) = Allocation.objects.filter(payment=payment)

        def ask(amount: str) -> Refund:
            return refunds.request_refund(
                house=house,
                source="payment",
                payment=payment,
                amount=Decimal(amount),
                method="cash",
                reason="多收",
                actor=cashier,
            )

        refunds.approve_refund(refund=ask("100.00"), actor=admin)  # today
        assert payments.open_lines(house.pk) == [(charge, Decimal("100.00"))]
        late = ask("50.00")  # next week: the same allocation, again in part
        racing = ask("100.00")  # asked meanwhile, when 123.75 was left
        refunds.approve_refund(refund=late, actor=admin)
        assert payments.open_lines(house.pk) == [(charge, Decimal("150.00"))]

        def reversals() -> list[Decimal]:
            return [r.amount for r in Allocation.objects.filter(reverses=allocation).order_by("id")]

        assert reversals() == [Decimal("-100.00"), Decimal("-50.00")]
        left = refunds.refundable(source="payment", house=house, payment=payment, deposit=None)
        assert left == Decimal("73.75")

        with pytest.raises(DomainError) as too_much:
            ask("73.76")
        assert "amount" in too_much.value.fields
        with pytest.raises(DomainError) as stale:
            refunds.approve_refund(refund=racing, actor=admin)
        assert stale.value.status_code == 409
        assert Refund.objects.get(pk=racing.pk).status == "pending"
        assert len(reversals()) == 2 and Refund.objects.filter(payment=payment).count() == 3

        refunds.approve_refund(refund=ask("73.75"), actor=admin)
        assert payments.open_lines(house.pk) == [(charge, Decimal("223.75"))]
        assert reversals() == [Decimal("-100.00"), Decimal("-50.00"), Decimal("-73.75")]
        assert sum(reversals()) == -allocation.amount
        assert refunds.refundable(source="payment", house=house, payment=payment, deposit=None) == Decimal("0.00")


def test_the_database_refuses_to_reverse_an_allocation_beyond_its_amount(company_a, outbox_sent):
    cashier, _admin = _people(company_a)
    house, _item, charge = _billed_house(company_a)
    with tenant_context(company_a):
        # Two payments on one charge: over-reversing the first still leaves the charge paid above zero,
        # so only the reversal rule can refuse it.
        first, _second = (
            payments.record_payment(house=house, amount=Decimal(a), method="cash", idempotency_key=k, actor=cashier)
            for a, k in (("100.00", "po1"), ("123.75", "po2"))
        )
        (allocation,) = Allocation.objects.filter(payment=first)
        reverse = {"payment": first, "charge": charge, "reverses": allocation}
        Allocation.objects.create(amount=Decimal("-60.00"), **reverse)
        with pytest.raises((IntegrityError, InternalError), match="reversed beyond its amount"), transaction.atomic():
            Allocation.objects.create(amount=Decimal("-40.01"), **reverse)
        Allocation.objects.create(amount=Decimal("-40.00"), **reverse)  # exactly the rest is allowed
        assert sum(a.amount for a in Allocation.objects.filter(reverses=allocation)) == Decimal("-100.00")


def test_a_balance_refund_cannot_spend_what_is_no_longer_there(company_a, outbox_sent):
    cashier, admin = _people(company_a)
    house, _item, _charge = _billed_house(company_a)
    with tenant_context(company_a):
        payments.top_up_balance(house=house, amount=Decimal("50.00"), method="cash", idempotency_key="t", actor=cashier)
        refund = refunds.request_refund(
            house=house, source="balance", amount=Decimal("50.00"), method="cash", reason="退预存", actor=cashier
        )
        payments.apply_balance(house=house, actor=cashier)  # the balance pays the bill meanwhile
        assert payments.balance_of(house.pk) == Decimal("0.00")
        with pytest.raises(DomainError) as refused:
            refunds.approve_refund(refund=refund, actor=admin)
        assert refused.value.status_code == 409
        assert Refund.objects.get(pk=refund.pk).status == "pending"


def test_a_deposit_is_held_applied_and_returned_within_its_amount(company_a, outbox_sent):
    cashier, admin = _people(company_a)
    house, _item, charge = _billed_house(company_a)
    with tenant_context(company_a):
        deposit = deposits.receive_deposit(
            house=house,
            amount=Decimal("2000.00"),
            method="transfer",
            purpose="装修押金",
            idempotency_key="d",
            actor=cashier,
        )
        assert payments.open_lines(house.pk)[0][1] == Decimal("223.75")  # a deposit pays nothing by itself
        deposits.apply_deposit(deposit=deposit, amount=Decimal("223.75"), actor=cashier)
        assert payments.open_lines(house.pk) == []
        assert refunds.deposit_remaining(deposit) == Decimal("1776.25")
        back = refunds.request_refund(
            house=house,
            source="deposit",
            deposit=deposit,
            amount=Decimal("1776.25"),
            method="transfer",
            reason="装修验收合格",
            actor=cashier,
        )
        refunds.approve_refund(refund=back, actor=admin)
        assert refunds.deposit_remaining(deposit) == Decimal("0.00")
        with pytest.raises(DomainError):
            deposits.apply_deposit(deposit=deposit, amount=Decimal("0.01"), actor=cashier)
        assert Deposit.objects.count() == 1 and charge.pk


def test_a_manual_usage_charge_is_priced_and_rounded_once(company_a, outbox_sent):
    _cashier, admin = _people(company_a)
    house, item, _charge = _billed_house(company_a)
    with tenant_context(company_a):
        charge = charges.create_manual_charge(
            house=house,
            fee_item=item,
            period_start=date(2026, 12, 1),
            period_end=date(2027, 1, 1),
            quantity=Decimal("3.333"),
            actor=admin,
        )
        assert charge.amount == Decimal("8.33")  # 3.333 × 2.5000 = 8.3325
        with pytest.raises(DomainError) as twice:
            charges.create_manual_charge(
                house=house,
                fee_item=item,
                period_start=date(2026, 12, 1),
                period_end=date(2027, 1, 1),
                amount=Decimal("1.00"),
                actor=admin,
            )
        assert twice.value.status_code == 409


def test_a_shift_closes_against_the_cash_the_ledger_took(company_a, outbox_sent):
    cashier, _admin = _people(company_a)
    house, _item, _charge = _billed_house(company_a)
    with tenant_context(company_a):
        shift = shifts.open_shift(actor=cashier, opening_float=Decimal("200.00"))
        with pytest.raises(DomainError):
            shifts.open_shift(actor=cashier)
        payments.record_payment(
            house=house,
            amount=Decimal("223.75"),
            tendered=Decimal("300.00"),
            method="cash",
            idempotency_key="s1",
            actor=cashier,
        )
        closed = shifts.close_shift(shift=shift, counted_cash=Decimal("423.70"), actor=cashier)
        assert closed.summary["expected_cash"] == "423.75"
        assert closed.summary["difference"] == "-0.05"


def test_a_shift_expects_less_cash_after_a_cash_refund_and_a_voided_cash_receipt(company_a, outbox_sent):
    cashier, admin = _people(company_a)
    house, _item, _charge = _billed_house(company_a)
    other, _item2, _charge2 = _billed_house(company_a)
    with tenant_context(company_a):
        shift = shifts.open_shift(actor=cashier, opening_float=Decimal("100.00"))
        paid = payments.record_payment(
            house=house, amount=Decimal("223.75"), method="cash", idempotency_key="sr1", actor=cashier
        )
        wrong = payments.record_payment(
            house=other, amount=Decimal("50.00"), method="cash", idempotency_key="sr2", actor=cashier
        )
        by_pos = payments.record_payment(
            house=other, amount=Decimal("10.00"), method="pos", idempotency_key="sr3", actor=cashier
        )
        assert by_pos.method == "pos"
        receipts.void_receipt(receipt=wrong.receipt, reason="收错房屋", actor=cashier)  # the cash handed back
        refund = refunds.request_refund(
            house=house,
            source="payment",
            payment=paid,
            amount=Decimal("23.75"),
            method="cash",
            reason="多收",
            actor=cashier,
        )
        assert shifts.shift_summary(shift)["expected_cash"] == "323.75"  # the refund pending: still in the drawer
        refunds.approve_refund(refund=refund, actor=admin)
        closed = shifts.close_shift(shift=shift, counted_cash=Decimal("300.00"), actor=cashier)
    # 100 float + 223.75 + 50 cash in − 50 voided − 23.75 refunded; the POS payment is no cash.
    assert closed.summary["cash_voided"] == "50.00" and closed.summary["cash_refunded"] == "23.75"
    assert closed.summary["expected_cash"] == "300.00" and closed.summary["difference"] == "0.00"


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(amounts=st.lists(st.decimals(min_value="0.01", max_value="700.00", places=2), min_size=1, max_size=4))
def test_allocations_always_sum_to_the_payment(company_a, outbox_sent, amounts):
    house, _item, _charge = _billed_house(company_a, start=date(2026, 9, 1))
    with tenant_context(company_a):
        for amount in amounts:
            payment = payments.record_payment(
                house=house,
                amount=amount,
                method="cash",
                idempotency_key=f"h{house.pk}-{amount}-{next(_names)}",
                actor=None,
            )
            allocated = sum(a.amount for a in Allocation.objects.filter(payment=payment))
            to_balance = sum(e.amount for e in payment.balance_entries.all())
            assert allocated + to_balance == amount
            assert allocated >= 0 and to_balance >= 0


def test_a_deposit_applied_twice_with_one_key_is_applied_once(company_a, outbox_sent):
    cashier, _admin = _people(company_a)
    house, _item, _charge = _billed_house(company_a)
    with tenant_context(company_a):
        deposit = deposits.receive_deposit(
            house=house,
            amount=Decimal("500.00"),
            method="cash",
            purpose="装修押金",
            idempotency_key="dep",
            actor=cashier,
        )
        first = deposits.apply_deposit(deposit=deposit, amount=Decimal("100.00"), actor=cashier, idempotency_key="a1")
        again = deposits.apply_deposit(deposit=deposit, amount=Decimal("100.00"), actor=cashier, idempotency_key="a1")
        assert first.pk == again.pk
        assert refunds.deposit_remaining(deposit) == Decimal("400.00")


@pytest.mark.parametrize(
    ("value", "zero_allowed", "refused"),
    [
        (Decimal("12.5"), False, None),
        (Decimal("0.00"), True, None),
        (Decimal("0.00"), False, "金额须大于 0。"),
        (Decimal("-1"), True, "金额不能为负数。"),
        (Decimal("12.345"), False, "金额最多两位小数（精确到分）。"),
        (Decimal("1E+30"), False, "金额过大（最多 9999999999.99 元）。"),
        (Decimal("NaN"), False, "金额格式不正确。"),
        (12.5, False, "金额格式不正确。"),
    ],
)
def test_every_amount_entered_is_checked_by_one_rule(value, zero_allowed, refused):
    from billing.services.common import check_amount

    if refused is None:
        assert check_amount("amount", value, zero_allowed=zero_allowed) == value.quantize(Decimal("0.01"))
        return
    with pytest.raises(DomainError) as error:
        check_amount("amount", value, zero_allowed=zero_allowed)
    assert error.value.fields == {"amount": [refused]}


def test_a_retried_money_request_replays_and_a_different_one_under_its_key_is_refused(company_a, outbox_sent):
    cashier, _admin = _people(company_a)
    house, _item, _charge = _billed_house(company_a)
    with tenant_context(company_a):
        ask = {"house": house, "amount": Decimal("300.00"), "purpose": "装修押金", "actor": cashier}
        deposit = deposits.receive_deposit(method="cash", idempotency_key="r1", **ask)
        assert deposits.receive_deposit(method="cash", idempotency_key="r1", **ask).pk == deposit.pk
        with pytest.raises(DomainError) as other_method:
            deposits.receive_deposit(method="pos", idempotency_key="r1", **ask)
        assert other_method.value.code == "idempotency_conflict"
        payments.top_up_balance(
            house=house, amount=Decimal("300.00"), method="cash", idempotency_key="t1", actor=cashier
        )
        with pytest.raises(DomainError) as not_a_deposit:  # the key of a payment that received no deposit
            deposits.receive_deposit(method="cash", idempotency_key="t1", **ask)
        assert not_a_deposit.value.code == "idempotency_conflict"
        with pytest.raises(DomainError) as no_key:
            payments.top_up_balance(
                house=house, amount=Decimal("5.00"), method="cash", idempotency_key=" ", actor=cashier
            )
        assert "idempotency_key" in no_key.value.fields
        assert Deposit.objects.filter(house=house).count() == 1


def test_paying_a_chosen_charge_pays_its_late_fee_posted_with_it(company_a, outbox_sent, monkeypatch):
    from billing.services import common

    estate = _estate(company_a, name="滞纳小区", floors=1, per_floor=1)
    with tenant_context(company_a):
        house = House.objects.get(estate=estate)
        item = _fee(
            name="物业费滞纳",
            houses=[house],
            start=date(2026, 9, 1),
            due_value=10,
            late_fee={"strategy": "daily_rate", "rate": "0.0005", "grace_days": 0},
        )
        _run(estate, date(2026, 10, 1))  # Sep and Oct, due Oct 11
        september = Charge.objects.get(fee_item=item, period_start=date(2026, 9, 1))
        monkeypatch.setattr(common, "today", lambda: date(2026, 10, 21))
        monkeypatch.setattr(payments, "today", lambda: date(2026, 10, 21))
        payment = payments.record_payment(
            house=house,
            amount=Decimal("300.00"),
            method="cash",
            idempotency_key="late",
            actor=None,
            charge_ids=[september.pk],
        )
        paid = {a.charge.kind: a.amount for a in Allocation.objects.filter(payment=payment).select_related("charge")}
        assert paid["regular"] == Decimal("223.75")
        assert paid["late_fee"] == money_round(Decimal("223.75") * Decimal("0.0005") * 10)
        october = Charge.objects.get(fee_item=item, period_start=date(2026, 10, 1))
        assert not Allocation.objects.filter(charge=october).exists()  # not chosen: the rest went to the balance


def money_round(value):
    from billing import money

    return money.round_money(value)
