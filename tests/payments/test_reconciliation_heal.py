"""An order the sweeper closed (expired, no notification) that WeChat Pay's trade bill shows SUCCESS is
a real payment (issue 15): reconciliation moves it closed → paid with the bill line as evidence and
credits it through billing's allocation path, once — a second run changes nothing; a line at another
amount heals nothing; when the charges were paid meanwhile, the lost race's refund runs; the database
refuses closed → paid without the bill line's event."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django_tenants.utils import tenant_context

from tests.payments.conftest import SUB_MCHIDS, start
from tests.payments.test_reconciliation import bill_day, items, order_fen, reconcile  # noqa: F401

pytestmark = pytest.mark.django_db


def _closed_order(payer, key, charge_ids=None):
    """An order whose payer paid at WeChat but whose notification never came; the sweeper closed it."""
    from payments.models import PaymentOrder

    order = start(payer, charge_ids or [payer.charges[0].pk], key=key).json()
    with tenant_context(payer.company):
        PaymentOrder.objects.filter(pk=order["id"]).update(status="closed")  # pending -> closed is allowed
    return order


def _bill(day, order, total_fen=None):
    from standins import wechatpay_bill

    fen = order_fen(order) if total_fen is None else total_fen
    wechatpay_bill.inject_payment(
        sub_mchid=SUB_MCHIDS["alpha"], day=day, out_trade_no=order["out_trade_no"], total_fen=fen
    )


def _state(payer, order):
    from billing.models import Allocation, Payment
    from payments.models import PaymentEvent, PaymentOrder, PaymentRefund

    with tenant_context(payer.company):
        record = PaymentOrder.objects.get(pk=order["id"])
        return {
            "status": record.status,
            "settlement": record.settlement,
            "payments": list(Payment.objects.filter(house=payer.house).values_list("pk", "amount", "method")),
            "allocations": Allocation.objects.filter(payment__house=payer.house).count(),
            "events": list(PaymentEvent.objects.filter(order=record).values_list("from_status", "to_status", "source")),
            "refunds": list(PaymentRefund.objects.filter(order=record).values_list("source", "amount")),
        }


def test_a_closed_order_the_bill_shows_paid_is_healed_and_credited_once(payer, bill_day):  # noqa: F811
    from payments.models import PaymentEvent

    order = _closed_order(payer, "heal-1")
    _bill(bill_day, order)
    run = reconcile(payer.company)
    amount = Decimal(order["amount"])
    assert items(payer.company, run) == [("healed", "payment", order["out_trade_no"], amount, amount)]
    after = _state(payer, order)
    assert (after["status"], after["settlement"]) == ("paid", "allocated")
    assert [(a, m) for _pk, a, m in after["payments"]] == [(amount, "wechat")]
    assert after["events"][-1] == ("closed", "paid", "reconciliation")
    with tenant_context(payer.company):
        healed = run.items.get()
        assert healed.resolved_at is not None and healed.evidence["was"] == "closed"
        event = PaymentEvent.objects.filter(order_id=order["id"]).latest("id")
        assert event.evidence["trade_bill"]["out_trade_no"] == order["out_trade_no"]
        assert Decimal(event.evidence["trade_bill"]["amount"]) == amount
        # billing sees it as the online payment of those charges
        from billing.models import Payment
        from billing.services.refunds import online_order

        assert online_order(Payment.objects.get(house=payer.house)).pk == order["id"]
    assert run.our_payments == run.provider_payments == 1

    again = reconcile(payer.company)  # the day run again: nothing more credited, the record kept
    assert _state(payer, order) == after
    assert items(payer.company, again) == [("healed", "payment", order["out_trade_no"], amount, amount)]


def test_a_bill_line_at_another_amount_heals_nothing(payer, bill_day):  # noqa: F811
    order = _closed_order(payer, "heal-2")
    before = _state(payer, order)
    _bill(bill_day, order, total_fen=1)  # forged / mismatched: one fen
    run = reconcile(payer.company)
    with tenant_context(payer.company):
        item = run.items.get()
        assert (item.kind, item.our_state, item.provider_state) == ("status_mismatch", "closed", "SUCCESS")
    assert _state(payer, order) == before and before["status"] == "closed"


def test_a_healed_order_whose_charges_were_paid_meanwhile_is_refunded_by_the_lost_race_path(payer, bill_day):  # noqa: F811
    from billing.services import payments as billing_payments

    order = _closed_order(payer, "heal-3")
    with tenant_context(payer.company):
        from accounts.models import User

        billing_payments.record_payment(
            house=payer.house,
            amount=payer.charges[0].amount,
            method="cash",
            idempotency_key="desk-heal-3",
            actor=User.objects.get(username="cashier"),
            charge_ids=[payer.charges[0].pk],
        )
    _bill(bill_day, order)
    reconcile(payer.company)
    after = _state(payer, order)
    assert (after["status"], after["settlement"]) == ("paid", "refund_due")
    assert after["refunds"] == [("lost_race", Decimal(order["amount"]))]
    assert [m for _pk, _a, m in after["payments"]] == ["cash"]  # nothing allocated twice
    reconcile(payer.company)
    assert _state(payer, order) == after


def test_the_database_refuses_closed_to_paid_without_the_bill_line(payer):
    from payments.models import PaymentOrder
    from payments.services import orders

    order = _closed_order(payer, "heal-4")
    with tenant_context(payer.company):
        record = PaymentOrder.objects.get(pk=order["id"])
        with pytest.raises(orders.IllegalTransition):  # the service: no bill line at all
            orders.transition(record, "paid", source="reconciliation", evidence={})
        record.refresh_from_db()
        for evidence in (  # the database: a bill line that does not fit the order
            {"trade_bill": {"out_trade_no": order["out_trade_no"], "trade_state": "SUCCESS", "amount": "0.01"}},
            {"trade_bill": {"out_trade_no": "WOTHER", "trade_state": "SUCCESS", "amount": order["amount"]}},
        ):
            with pytest.raises(IntegrityError):  # an action: its own transaction, rolled back
                orders.transition(record, "paid", source="reconciliation", evidence=evidence)
            record.refresh_from_db()
        with pytest.raises(IntegrityError), transaction.atomic():
            PaymentOrder.objects.filter(pk=order["id"]).update(status="paid")
        assert PaymentOrder.objects.get(pk=order["id"]).status == "closed"
        assert not record.events.filter(to_status="paid").exists()
