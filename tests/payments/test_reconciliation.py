"""Daily reconciliation against the stand-in's trade bill: a day that matches has no difference;
differences injected on WeChat Pay's side are found both ways; a payment whose notification was lost
is healed through the query path; running a day again replaces its items and keeps resolutions; a
bill that cannot be had or read fails the run instead of passing for an empty day."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.utils import timezone
from django_tenants.utils import tenant_context

from tests.payments.conftest import SUB_MCHIDS, post_notification, start

pytestmark = pytest.mark.django_db


def today() -> date:
    from payments.services.reconciliation import SHANGHAI

    return timezone.now().astimezone(SHANGHAI).date()


@pytest.fixture
def bill_day(alpha_merchant):
    from standins import wechatpay_bill

    wechatpay_bill.forget_day(sub_mchid=SUB_MCHIDS["alpha"], day=today())  # earlier tests' payments
    yield today()
    wechatpay_bill.forget_day(sub_mchid=SUB_MCHIDS["alpha"], day=today())


def reconcile(company, day=None, *, force=True):
    from payments.models import ReconciliationRun
    from payments.services import reconciliation

    with tenant_context(company):
        run = reconciliation.request_run(
            company=company, gateway_name="wechatpay", bill_date=day or today(), force=force
        )
        if run is not None:
            reconciliation.execute_run(run_id=run.pk, attempt=run.attempt)
        return ReconciliationRun.objects.get(bill_date=day or today(), gateway="wechatpay")


def items(company, run):
    with tenant_context(company):
        return sorted((i.kind, i.entry, i.out_trade_no, i.provider_amount, i.our_amount) for i in run.items.all())


def paid_order(payer, client_for, key, charge):
    from standins import wechatpay_notify

    order = start(payer, [charge.pk], key=key).json()
    delivery = wechatpay_notify.pay(sub_mchid=SUB_MCHIDS["alpha"], out_trade_no=order["out_trade_no"])
    assert post_notification(client_for(payer.company), delivery).status_code == 204
    return order


def ask_refund(payer, order, amount_fen=None):
    """A refund through the one refund path (its row first), sent to the stand-in; its number."""
    from payments.models import PaymentOrder, RefundSource
    from payments.services import refunds

    with tenant_context(payer.company):
        record = PaymentOrder.objects.get(pk=order["id"])
        amount = record.amount if amount_fen is None else Decimal(amount_fen) / 100
        # The platform's own refund (as for a lost race): no purpose hears of it.
        refund = refunds.request_refund(record, amount, "测试退款", "", source=RefundSource.LOST_RACE)
        refunds.send(refund_id=refund.pk)
        return refund.out_refund_no


def refund_whole(payer, client_for, order):
    from standins import wechatpay_notify

    number = ask_refund(payer, order)
    delivery = wechatpay_notify.finish_refund(
        sub_mchid=SUB_MCHIDS["alpha"], out_trade_no=order["out_trade_no"], out_refund_no=number
    )
    assert post_notification(client_for(payer.company), delivery).status_code == 204


def test_a_day_whose_bill_matches_our_orders_has_no_difference(payer, client_for, bill_day):
    one = paid_order(payer, client_for, "r-1", payer.charges[0])
    two = paid_order(payer, client_for, "r-2", payer.charges[1])
    refund_whole(payer, client_for, two)

    run = reconcile(payer.company)
    assert run.status == "done" and run.error == "" and run.bill_exists
    assert items(payer.company, run) == []
    paid = Decimal(one["amount"]) + Decimal(two["amount"])
    assert (run.provider_payments, run.provider_paid_total) == (2, paid) == (run.our_payments, run.our_paid_total)
    assert (run.provider_refunds, run.provider_refund_total) == (1, Decimal(two["amount"]))
    assert (run.our_refunds, run.our_refund_total) == (1, Decimal(two["amount"]))


def test_differences_are_found_both_ways(payer, client_for, bill_day):
    from standins import wechatpay_bill

    kept = paid_order(payer, client_for, "d-1", payer.charges[0])
    distorted = paid_order(payer, client_for, "d-2", payer.charges[1])
    unbilled = paid_order(payer, client_for, "d-3", payer.charges[2])
    sub = SUB_MCHIDS["alpha"]
    wechatpay_bill.inject_payment(sub_mchid=sub, day=bill_day, out_trade_no="WSTRANGER0000000001", total_fen=4200)
    wechatpay_bill.distort_amount(sub_mchid=sub, day=bill_day, out_trade_no=distorted["out_trade_no"], total_fen=1)
    wechatpay_bill.omit(sub_mchid=sub, day=bill_day, out_trade_no=unbilled["out_trade_no"])

    run = reconcile(payer.company)
    assert run.status == "done"
    assert items(payer.company, run) == sorted(
        [
            ("missing_here", "payment", "WSTRANGER0000000001", Decimal("42.00"), None),
            ("amount_mismatch", "payment", distorted["out_trade_no"], Decimal("0.01"), Decimal(distorted["amount"])),
            ("missing_there", "payment", unbilled["out_trade_no"], None, Decimal(unbilled["amount"])),
        ]
    )
    assert kept["out_trade_no"] not in {row[2] for row in items(payer.company, run)}
    with tenant_context(payer.company):
        stranger = run.items.get(kind="missing_here")
        assert stranger.evidence["bill"]["商户订单号"] == "WSTRANGER0000000001" and stranger.order is None


def test_a_payment_whose_notification_was_lost_is_healed_and_recorded(payer, bill_day):
    from billing.models import Payment
    from payments.models import PaymentOrder
    from standins import wechatpay_notify

    order = start(payer, [payer.charges[0].pk], key="h-1").json()
    wechatpay_notify.pay(sub_mchid=SUB_MCHIDS["alpha"], out_trade_no=order["out_trade_no"])  # never delivered
    run = reconcile(payer.company)
    assert items(payer.company, run) == [
        ("healed", "payment", order["out_trade_no"], Decimal(order["amount"]), Decimal(order["amount"]))
    ]
    with tenant_context(payer.company):
        healed = run.items.get()
        assert healed.resolved_at is not None and healed.evidence["was"] == "pending"
        record = PaymentOrder.objects.get(pk=order["id"])
        assert record.status == "paid" and record.settlement == "allocated"
        assert record.events.last().source == "reconciliation"
        assert Payment.objects.filter(house=payer.house, method="wechat").count() == 1
    assert run.our_payments == run.provider_payments == 1


def order_fen(order) -> int:
    return int(Decimal(order["amount"]) * 100)


def test_running_a_day_again_replaces_its_items_and_keeps_resolutions(payer, client_for, bill_day):
    from accounts.models import User
    from payments.models import ReconciliationItem
    from payments.services import reconciliation
    from standins import wechatpay_bill

    sub = SUB_MCHIDS["alpha"]
    wechatpay_bill.inject_payment(sub_mchid=sub, day=bill_day, out_trade_no="WSTRANGER0000000002", total_fen=100)
    first = reconcile(payer.company)
    with tenant_context(payer.company):
        item = first.items.get()
        reconciliation.resolve_item(item_id=item.pk, actor=User.objects.get(username="admin"), note="已联系微信支付")
    assert reconcile(payer.company, force=False).attempt == first.attempt  # the beat leaves a done day alone

    again = reconcile(payer.company)
    assert again.pk == first.pk and again.attempt == first.attempt + 1
    with tenant_context(payer.company):
        (kept,) = again.items.all()
        assert kept.pk != item.pk and kept.note == "已联系微信支付" and kept.resolved_at is not None
        assert ReconciliationItem.objects.count() == 1
        # A late delivery of the first attempt writes nothing.
        assert reconciliation.execute_run(run_id=first.pk, attempt=first.attempt) is None
        assert ReconciliationItem.objects.count() == 1


def test_a_day_without_any_trade_has_no_bill_and_our_payments_are_missing_there(payer, client_for, bill_day):
    from standins import wechatpay_bill

    order = paid_order(payer, client_for, "e-1", payer.charges[0])
    wechatpay_bill.forget_day(sub_mchid=SUB_MCHIDS["alpha"], day=bill_day)
    run = reconcile(payer.company)
    assert run.status == "done" and not run.bill_exists
    assert items(payer.company, run) == [
        ("missing_there", "payment", order["out_trade_no"], None, Decimal(order["amount"]))
    ]


def test_a_bill_that_cannot_be_had_fails_the_run(payer, bill_day):
    from standins import wechatpay

    wechatpay.fail_next("PARAM_ERROR", status=400)
    run = reconcile(payer.company)
    assert run.status == "failed" and "PARAM_ERROR" in run.error
    with tenant_context(payer.company):
        assert run.job.status == "failed"


def test_an_unreachable_provider_is_retried_by_the_outbox(payer, bill_day):
    from payments.gateways import GatewayError
    from payments.models import ReconciliationRun
    from payments.services import reconciliation
    from standins import wechatpay

    wechatpay.fail_next("SYSTEM_ERROR", status=500)
    with tenant_context(payer.company):
        run = reconciliation.request_run(company=payer.company, gateway_name="wechatpay", bill_date=bill_day)
        with pytest.raises(GatewayError):
            reconciliation.execute_run(run_id=run.pk, attempt=run.attempt)
        assert ReconciliationRun.objects.get(pk=run.pk).status == "running"
        reconciliation.execute_run(run_id=run.pk, attempt=run.attempt)
        assert ReconciliationRun.objects.get(pk=run.pk).status == "done"


def test_a_hash_that_does_not_match_the_download_fails_the_run(payer, bill_day, monkeypatch):
    from standins import wechatpay_bill

    real = wechatpay_bill.download
    monkeypatch.setattr(wechatpay_bill, "download", lambda params: real(params) + b"tampered")
    wechatpay_bill.inject_payment(sub_mchid=SUB_MCHIDS["alpha"], day=bill_day, out_trade_no="WSTRANGER03", total_fen=5)
    run = reconcile(payer.company)
    assert run.status == "failed" and "BILL_HASH_MISMATCH" in run.error


def test_the_daily_beat_reconciles_yesterday_where_there_is_a_merchant(payer, company_b):
    from payments.models import ReconciliationRun
    from payments.services import reconciliation
    from payments.tasks import reconcile_yesterday

    with tenant_context(payer.company):
        assert reconcile_yesterday() == ["wechatpay"]
        assert reconcile_yesterday() == []  # running (then done): a second beat does nothing
        run = ReconciliationRun.objects.get()
        assert run.bill_date == reconciliation.yesterday()
    with tenant_context(company_b):
        assert reconcile_yesterday() == [] and not ReconciliationRun.objects.exists()


def test_a_refund_the_provider_billed_that_we_hold_as_paid_is_a_status_mismatch(payer, client_for, bill_day):

    order = paid_order(payer, client_for, "f-1", payer.charges[0])
    number = ask_refund(payer, order, amount_fen=100)  # accepted there; its notification has not come
    run = reconcile(payer.company)
    assert items(payer.company, run) == [("status_mismatch", "refund", order["out_trade_no"], Decimal("1.00"), None)]
    with tenant_context(payer.company):
        item = run.items.get()
        assert (item.out_refund_no, item.our_state) == (number, "paid")
    assert (run.provider_refunds, run.provider_refund_total, run.our_refunds) == (1, Decimal("1.00"), 0)
