"""Service charges (billing.services.service_charges): a fee another module posts once per source,
owed and paid like any charge, cancelled by reversing what is still unpaid."""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone
from django_tenants.utils import tenant_context

from accounts.models import User
from billing import outstanding
from billing.models import Charge, FeeItem, ServiceCancellation
from billing.selectors import collection, owner
from billing.selectors.ledger import explain
from billing.selectors.service_charges import service_charge, service_charges
from billing.services import late_fees, payments, refunds
from billing.services import service_charges as seam
from core.errors import DomainError
from tenants.estates.models import House
from tests.billing.test_bill_runs import _estate

pytestmark = pytest.mark.django_db

_names = itertools.count()


def _one_off(name: str, *, late_fee: dict | None = None, cycle: int = 0) -> FeeItem:
    return FeeItem.objects.create(
        name=name,
        kind="one_off",
        mode="fixed",
        cycle_months=cycle,
        valid_from=date(2026, 1, 1),
        due_value=7,
        late_fee=late_fee or {},
    )


def _setup(company, **item):
    estate = _estate(company, name=f"服务苑{next(_names)}", floors=1, per_floor=1)
    with tenant_context(company):
        house = House.objects.get(estate=estate)
        fee_item = _one_off(f"维修费{estate.pk}", **item)
        worker = User.objects.get(username="repair")
        cashier = User.objects.get(username="cashier")
    return house, fee_item, worker, cashier


def _post(house, fee_item, actor, amount="35.50", source="repairs.order:1", **extra):
    return seam.post_service_charge(
        house=house, fee_item=fee_item, amount=Decimal(amount), source=source, actor=actor, reason="换水龙头", **extra
    )


def test_posting_twice_for_one_source_is_one_charge_held_by_the_database(company_a, outbox_sent):
    house, item, worker, _cashier = _setup(company_a)
    with tenant_context(company_a):
        first = _post(house, item, worker)
        again = _post(house, item, worker)
        assert again.pk == first.pk
        assert Charge.objects.filter(source="repairs.order:1").count() == 1
        assert (first.kind, first.amount, first.principal_id) == ("service", Decimal("35.50"), None)
        assert first.due_date == first.issued_on + timedelta(days=7)  # the item's due rule
        assert explain(first) == "换水龙头"
        # The same source for another amount is not a silent second charge: correct by cancel + new source.
        with pytest.raises(DomainError) as refused:
            _post(house, item, worker, amount="40.00")
        assert refused.value.code == "service_charge_source_reused"
        # Whatever the caller forgot, the database keeps one service charge per source.
        with pytest.raises(IntegrityError), transaction.atomic():
            Charge.objects.create(
                house=house,
                estate_id=house.estate_id,
                building_id=house.building_id,
                fee_item=item,
                kind="service",
                source="repairs.order:1",
                cycle_start=first.cycle_start,
                period_start=first.period_start,
                period_end=first.period_end,
                amount=Decimal("1.00"),
                issued_on=first.issued_on,
                due_date=first.due_date,
            )
        # A service charge has a source; no other kind has one.
        with pytest.raises(IntegrityError), transaction.atomic():
            Charge.objects.create(
                house=house,
                estate_id=house.estate_id,
                building_id=house.building_id,
                fee_item=item,
                kind="regular",
                source="x",
                cycle_start=first.cycle_start,
                period_start=first.period_start,
                period_end=first.period_end,
                amount=Decimal("1.00"),
                issued_on=first.issued_on,
                due_date=first.due_date,
            )


@pytest.mark.parametrize("amount", ["0", "-1.00", "1.005", "NaN"])
def test_an_amount_not_to_the_fen_or_not_positive_is_a_field_error(company_a, outbox_sent, amount):
    house, item, worker, _cashier = _setup(company_a)
    with tenant_context(company_a), pytest.raises(DomainError) as refused:
        _post(house, item, worker, amount=amount)
    assert "amount" in (refused.value.fields or {})


def test_a_periodic_item_or_a_blank_source_is_refused(company_a, outbox_sent):
    house, _item, worker, _cashier = _setup(company_a)
    with tenant_context(company_a):
        monthly = _one_off("月度服务", cycle=1)
        with pytest.raises(DomainError) as refused:
            _post(house, monthly, worker)
        assert "fee_item" in refused.value.fields
        with pytest.raises(DomainError) as refused:
            _post(house, _one_off("另一项"), worker, source="  ")
        assert "source" in refused.value.fields
        assert not Charge.objects.filter(kind="service").exists()


def test_it_is_owed_in_the_owners_bills_and_the_cash_desk_and_paid_like_any_charge(company_a, outbox_sent):
    house, item, worker, cashier = _setup(company_a)
    with tenant_context(company_a):
        charge = _post(house, item, worker)
        assert service_charge("repairs.order:1").status == "unpaid"
        assert [(c.pk, owing) for c, owing in payments.open_lines(house.pk)] == [(charge.pk, Decimal("35.50"))]
        lines = owner.owner_lines([house.pk], paid_since=timezone.localdate())
        assert [(line.pk, line.kind, line.outstanding) for line in lines] == [(charge.pk, "service", Decimal("35.50"))]
        rate = collection.collection_rate(charge.cycle_start, charge.cycle_start + timedelta(days=1))
        assert rate.due == Decimal("35.50") and rate.paid == 0

        payments.record_payment(
            house=house, amount=Decimal("35.50"), method="cash", idempotency_key="s1", actor=cashier
        )
        state = service_charge("repairs.order:1")
        assert (state.status, state.paid, state.outstanding, state.paid_in_full) == (
            "paid",
            Decimal("35.50"),
            Decimal("0.00"),
            True,
        )
        assert payments.open_lines(house.pk) == []
        assert service_charges(["repairs.order:1", "repairs.order:404"]).keys() == {"repairs.order:1"}


def test_no_late_fee_unless_the_item_has_a_policy(company_a, outbox_sent):
    house, plain, worker, _cashier = _setup(company_a)
    with tenant_context(company_a):
        policy = {"strategy": "daily_rate", "rate": "0.01", "grace_days": 0}
        late = _one_off("有滞纳金的服务", late_fee=policy)
        a = _post(house, plain, worker, source="s:a")
        b = _post(house, late, worker, source="s:b", amount="100.00")
        later = b.due_date + timedelta(days=10)
        accrued = {charge.pk: amount for charge, amount in late_fees.accrued_unposted(house_id=house.pk, as_of=later)}
        assert a.pk not in accrued and accrued[b.pk] > 0
        lines = owner.owner_lines([house.pk], paid_since=timezone.localdate(), as_of=later)
        assert [c.pk for c, _fee in owner.accruing_late_fees(lines, as_of=later)] == [b.pk]


def test_cancelling_reverses_the_unpaid_remainder_once(company_a, outbox_sent):
    house, item, worker, cashier = _setup(company_a)
    with tenant_context(company_a):
        assert seam.cancel_service_charge(source="nothing:1", actor=worker, reason="x") is None
        charge = _post(house, item, worker, source="r:unpaid")
        line = seam.cancel_service_charge(source="r:unpaid", actor=worker, reason="报修取消")
        assert (line.kind, line.amount, line.principal_id, line.reason) == (
            "adjustment",
            Decimal("-35.50"),
            charge.pk,
            "报修取消",
        )
        assert seam.cancel_service_charge(source="r:unpaid", actor=worker, reason="again").pk == line.pk
        state = service_charge("r:unpaid")
        assert (state.status, state.cancelled, state.outstanding, state.net) == ("cancelled", True, 0, 0)
        assert payments.open_lines(house.pk) == []
        # A second cancel line on the same charge is refused by the database too.
        with pytest.raises(IntegrityError), transaction.atomic():
            Charge.objects.create(
                house=house,
                estate_id=house.estate_id,
                building_id=house.building_id,
                fee_item=item,
                kind="adjustment",
                principal=charge,
                cycle_start=charge.cycle_start,
                period_start=charge.period_start,
                period_end=charge.period_end,
                amount=Decimal("-0.01"),
                issued_on=charge.issued_on,
                due_date=charge.due_date,
                calculation={"cancel": "r:unpaid"},
            )

        # Partly paid: what was paid stays paid, the rest is reversed.
        _post(house, item, worker, source="r:partly", amount="100.00")
        payments.record_payment(house=house, amount=Decimal("30.00"), method="cash", idempotency_key="p", actor=cashier)
        line = seam.cancel_service_charge(source="r:partly", actor=worker, reason="改价")
        assert line.amount == Decimal("-70.00")
        state = service_charge("r:partly")
        assert (state.status, state.paid, state.outstanding, state.cancelled) == ("paid", Decimal("30.00"), 0, True)

        # Paid in full: nothing to reverse now, the cancellation is recorded (the money goes back only
        # through a refund, which then reverses it: test_a_refund_of_a_cancelled_service_is_not_owed_again).
        _post(house, item, worker, source="r:paid", amount="20.00")
        payments.record_payment(house=house, amount=Decimal("20.00"), method="cash", idempotency_key="q", actor=cashier)
        assert seam.cancel_service_charge(source="r:paid", actor=worker, reason="x") is None
        assert ServiceCancellation.objects.filter(charge__source="r:paid").count() == 1
        assert service_charge("r:paid").status == "paid"
        balances = outstanding.annotate(Charge.objects.filter(kind="service", house=house))
        assert sum(c.outstanding for c in balances) == 0


def test_a_company_sees_only_its_own_service_charges(company_a, company_b, outbox_sent):
    house, item, worker, _cashier = _setup(company_a)
    with tenant_context(company_a):
        _post(house, item, worker, source="repairs.order:7")
    with tenant_context(company_b):
        assert service_charges(["repairs.order:7"]) == {}
        assert seam.cancel_service_charge(source="repairs.order:7", actor=None, reason="x") is None


def _refund(house, payment, amount, cashier, approver):
    refund = refunds.request_refund(
        house=house,
        source="payment",
        payment=payment,
        amount=Decimal(amount),
        method="cash",
        reason="活动取消退费",
        actor=cashier,
    )
    return refunds.approve_refund(refund=refund, actor=approver)


def test_a_refund_of_a_cancelled_service_is_not_owed_again(company_a, outbox_sent):
    """The owner paid, the service was called off, the cashier refunds: the charge is settled, not
    owed again (it once came back as arrears after the refund). A refund of a service still going
    ahead leaves the charge owed, as any refunded charge."""
    house, item, worker, cashier = _setup(company_a)
    with tenant_context(company_a):
        approver = User.objects.get(username="admin")
        cancelled = _post(house, item, worker, source="activities.signup:1", amount="40.00")
        kept = _post(house, item, worker, source="repairs.order:9", amount="15.00")
        paid = payments.record_payment(
            house=house,
            amount=Decimal("55.00"),
            method="cash",
            idempotency_key="both",
            actor=cashier,
            charge_ids=[cancelled.pk, kept.pk],
        )
        assert seam.cancel_service_charge(source="activities.signup:1", actor=worker, reason="业主取消报名") is None
        _refund(house, paid, "55.00", cashier, approver)
        assert payments.open_lines(house.pk) == [(kept, Decimal("15.00"))]
        state = service_charge("activities.signup:1")
        assert (state.paid, state.outstanding, state.status) == (0, 0, "cancelled")
        line = Charge.objects.get(principal=cancelled, kind="adjustment", calculation__after__startswith="refund:")
        assert line.amount == Decimal("-40.00") and line.calculation["cancel"] == "activities.signup:1"
        # Cancelling again (a redelivered task) changes nothing.
        seam.cancel_service_charge(source="activities.signup:1", actor=worker, reason="again")
        assert Charge.objects.filter(principal=cancelled, kind="adjustment").count() == 1


def test_a_partly_paid_cancelled_service_is_settled_by_its_refund(company_a, outbox_sent):
    house, item, worker, cashier = _setup(company_a)
    with tenant_context(company_a):
        approver = User.objects.get(username="admin")
        charge = _post(house, item, worker, source="activities.signup:2", amount="100.00")
        paid = payments.record_payment(
            house=house, amount=Decimal("30.00"), method="cash", idempotency_key="part", actor=cashier
        )
        now = seam.cancel_service_charge(source="activities.signup:2", actor=worker, reason="活动取消")
        assert now.amount == Decimal("-70.00")
        _refund(house, paid, "10.00", cashier, approver)  # part of what was paid comes back
        assert payments.open_lines(house.pk) == []
        state = service_charge("activities.signup:2")
        assert (state.paid, state.outstanding) == (Decimal("20.00"), 0)
        _refund(house, paid, "20.00", cashier, approver)  # and the rest
        state = service_charge("activities.signup:2")
        assert (state.paid, state.outstanding, state.net) == (0, 0, 0)
        lines = Charge.objects.filter(principal=charge, kind="adjustment").order_by("pk")
        assert [line.amount for line in lines] == [Decimal("-70.00"), Decimal("-10.00"), Decimal("-20.00")]


def test_a_voided_payment_of_a_cancelled_service_is_not_owed_again(company_a, outbox_sent):
    """The receipt of a cancelled service's payment is voided (the cash handed back): the fee does
    not come back as arrears; a void of a payment for a service still going ahead leaves it owed."""
    from billing.services import receipts

    house, item, worker, cashier = _setup(company_a)
    with tenant_context(company_a):
        cancelled = _post(house, item, worker, source="activities.signup:3", amount="25.00")
        kept = _post(house, item, worker, source="repairs.order:11", amount="12.00")
        cancelled_paid = payments.record_payment(
            house=house,
            amount=Decimal("25.00"),
            method="cash",
            idempotency_key="v1",
            actor=cashier,
            charge_ids=[cancelled.pk],
        )
        kept_paid = payments.record_payment(
            house=house,
            amount=Decimal("12.00"),
            method="cash",
            idempotency_key="v2",
            actor=cashier,
            charge_ids=[kept.pk],
        )
        assert seam.cancel_service_charge(source="activities.signup:3", actor=worker, reason="取消") is None
        receipts.void_receipt(receipt=cancelled_paid.receipt, reason="收错了", actor=cashier)
        receipts.void_receipt(receipt=kept_paid.receipt, reason="收错了", actor=cashier)
        assert payments.open_lines(house.pk) == [(kept, Decimal("12.00"))]
        line = Charge.objects.get(principal=cancelled, kind="adjustment")
        assert line.amount == Decimal("-25.00") and line.calculation["after"].startswith("void:")


def test_a_refund_of_only_a_cancelled_services_late_fee_is_not_owed_again(company_a, outbox_sent):
    """A refund takes the latest charges first: of a payment of a service's fee and its late fee, a
    refund of the late fee's amount takes back the late fee line only. Once the service is cancelled,
    that late fee must not come back as arrears (it did: only the principal's id was looked up)."""
    house, _plain, worker, cashier = _setup(company_a)
    with tenant_context(company_a):
        approver = User.objects.get(username="admin")
        item = _one_off("有滞纳金的服务费", late_fee={"strategy": "daily_rate", "rate": "0.01", "grace_days": 0})
        charge = _post(house, item, worker, source="activities.signup:4", amount="100.00")
        late_fees.post_late_fees(house_id=house.pk, as_of=charge.due_date + timedelta(days=10))
        late = Charge.objects.get(principal=charge, kind="late_fee")
        paid = payments.record_payment(
            house=house,
            amount=charge.amount + late.amount,
            method="cash",
            idempotency_key="lf",
            actor=cashier,
            charge_ids=[charge.pk, late.pk],
        )
        assert seam.cancel_service_charge(source="activities.signup:4", actor=worker, reason="活动取消") is None
        _refund(house, paid, str(late.amount), cashier, approver)
        assert payments.open_lines(house.pk) == []
