"""A refund to the original channel is money paid back only when the channel confirms it (issue 15).

A billing refund of a WeChat payment, approved: while the channel is still processing it — or after
WeChat answered it failed (ABNORMAL) — no money has left, so income counts nothing as refunded (it
shows the amount apart, refunding / refund_failed), the owner's charges stay paid and no reversal
line exists. Once the channel confirms, or a cashier pays the failed one out in cash at the desk
(POST /api/v1/refunds/{id}/pay-cash/), it is refunded that day, under its method, and every total
equals the sum of the ledger's own rows.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db.models import Sum
from django.utils import timezone
from django_tenants.utils import tenant_context

from tests.payments.conftest import SUB_MCHIDS, alpha_merchant, payer, post_notification, start  # noqa: F401

pytestmark = pytest.mark.django_db

D = Decimal
ZERO = D("0.00")


@pytest.fixture(autouse=True)
def _stand_in_refunds_process_normally():
    from standins import wechatpay

    wechatpay.refund_mode("PROCESSING")
    yield
    wechatpay.refund_mode("PROCESSING")


def _paid_online(payer, client_for):  # noqa: F811
    from billing.models import Payment
    from standins import wechatpay_notify

    answer = start(payer, [payer.charges[0].pk, payer.charges[1].pk], key="ri-1")
    assert answer.status_code == 201, answer.content
    order = answer.json()
    delivery = wechatpay_notify.pay(sub_mchid=SUB_MCHIDS["alpha"], out_trade_no=order["out_trade_no"])
    assert post_notification(client_for(payer.company), delivery).status_code == 204
    with tenant_context(payer.company):
        return order, Payment.objects.get(house=payer.house, method="wechat")


def _refund(payer, client_for, payment, amount, method="original"):  # noqa: F811
    cashier, admin = client_for(payer.company, "cashier"), client_for(payer.company, "admin")
    body = {
        "house": payer.house.pk,
        "source": "payment",
        "payment": payment.pk,
        "amount": str(amount),
        "method": method,
        "reason": "多收退回",
    }
    requested = cashier.post("/api/v1/refunds/", body, format="json")
    assert requested.status_code == 201, requested.content
    approved = admin.post(f"/api/v1/refunds/{requested.json()['id']}/approve/", {}, format="json")
    assert approved.status_code == 200, approved.content
    return approved.json()


def _channel_refund(payer, refund_id):  # noqa: F811
    from payments.models import PaymentRefund

    with tenant_context(payer.company):
        return PaymentRefund.objects.filter(purpose_reference=f"refund:{refund_id}").latest("id")


def _send(payer, refund_id):  # noqa: F811
    from core.outbox import services as outbox

    channel = _channel_refund(payer, refund_id)
    assert outbox.deliver_now(schema_name=payer.company.schema_name, key=f"payments.refund:{channel.pk}") == "done"
    return _channel_refund(payer, refund_id)


def _income(payer, by="fee_item"):  # noqa: F811
    from billing.selectors import income

    today = timezone.localdate()
    with tenant_context(payer.company):
        return income.income(today, today, by=by)


def _ledger(payer, payment):  # noqa: F811
    """Sums straight from the rows: what the payment took in, what its reversal lines took back, what
    the refunds paid back today, and the charges' net allocations."""
    from billing.models import Allocation, Refund

    today = timezone.localdate()
    with tenant_context(payer.company):
        lines = Allocation.objects.filter(payment=payment)
        reversed_ = -(lines.filter(reverses__isnull=False).aggregate(t=Sum("amount"))["t"] or ZERO)
        paid_back = (
            Refund.objects.filter(payment=payment, payout_status="refunded", refunded_at__date=today).aggregate(
                t=Sum("amount")
            )["t"]
            or ZERO
        )
        charges = {
            row["charge_id"]: row["net"]
            for row in lines.values("charge_id").annotate(net=Sum("amount")).order_by("charge_id")
        }
        return {"received": payment.amount, "reversed": reversed_, "paid_back": paid_back, "charges": charges}


def _check_report_equals_ledger(payer, payment):  # noqa: F811
    rows = _ledger(payer, payment)
    for by in ("fee_item", "method", "day"):
        report = _income(payer, by)
        assert report.received == rows["received"]
        assert report.refunded == rows["reversed"] == rows["paid_back"]
        assert report.total == rows["received"] - rows["reversed"]
        assert sum((line.refunded for line in report.lines), ZERO) == report.refunded
        assert sum((line.amount for line in report.lines), ZERO) == report.total
    return rows


def test_a_channel_refund_still_processing_is_money_in_flight_not_refunded(payer, client_for):  # noqa: F811
    _order, payment = _paid_online(payer, client_for)
    before = _ledger(payer, payment)["charges"]
    refund = _refund(payer, client_for, payment, D("5.00"))
    assert refund["payout_status"] == "refunding" and refund["refunded_at"] is None
    assert _send(payer, refund["id"]).status == "processing"

    report = _income(payer)
    assert report.refunded == ZERO and report.total == payment.amount
    assert (report.refunding, report.refunding_count, report.refund_failed) == (D("5.00"), 1, ZERO)
    rows = _check_report_equals_ledger(payer, payment)
    assert rows["reversed"] == ZERO and rows["charges"] == before  # the owner's charges stay paid
    today = timezone.localdate().isoformat()
    shown = client_for(payer.company, "cashier").get(f"/api/v1/billing/income/?date_from={today}&date_to={today}")
    assert shown.status_code == 200, shown.content
    body = shown.json()
    assert (body["refunded"], body["refunding"], body["refunding_count"], body["refund_failed"]) == (
        "0.00",
        "5.00",
        1,
        "0.00",
    )

    # What the refund will take is held: the payment cannot be refunded beyond what is left.
    cashier = client_for(payer.company, "cashier")
    beyond = {
        "house": payer.house.pk,
        "source": "payment",
        "payment": payment.pk,
        "amount": str(payment.amount - D("4.99")),
        "method": "cash",
        "reason": "再退",
    }
    assert cashier.post("/api/v1/refunds/", beyond, format="json").status_code == 400


def test_a_confirmed_channel_refund_counts_that_day_and_reopens_the_charge_once(payer, client_for):  # noqa: F811
    from standins import wechatpay_notify

    order, payment = _paid_online(payer, client_for)
    refund = _refund(payer, client_for, payment, D("5.00"))
    channel = _send(payer, refund["id"])
    done = wechatpay_notify.finish_refund(
        sub_mchid=SUB_MCHIDS["alpha"], out_trade_no=order["out_trade_no"], out_refund_no=channel.out_refund_no
    )
    wechat = client_for(payer.company)
    assert post_notification(wechat, done).status_code == 204
    assert post_notification(wechat, done).status_code == 204  # told twice: reversed once

    shown = client_for(payer.company, "admin").get(f"/api/v1/refunds/{refund['id']}/").json()
    assert shown["payout_status"] == "refunded" and shown["refunded_at"] and shown["channel_status"] == "refunded"
    report = _income(payer)
    assert (report.refunded, report.refunding, report.refund_failed) == (D("5.00"), ZERO, ZERO)
    rows = _check_report_equals_ledger(payer, payment)
    assert rows["reversed"] == D("5.00")
    by_method = {line.key: line for line in _income(payer, "method").lines}
    assert by_method["original"].refunded == D("5.00") and by_method["wechat"].received == payment.amount


def test_a_failed_channel_refund_is_no_money_out_and_shown_failed(payer, client_for):  # noqa: F811
    from standins import wechatpay

    _order, payment = _paid_online(payer, client_for)
    before = _ledger(payer, payment)["charges"]
    wechatpay.refund_mode("ABNORMAL")
    refund = _refund(payer, client_for, payment, D("5.00"))
    assert _send(payer, refund["id"]).status == "failed"

    shown = client_for(payer.company, "admin").get(f"/api/v1/refunds/{refund['id']}/").json()
    assert shown["payout_status"] == "refund_failed" and shown["refunded_at"] is None
    report = _income(payer)
    assert (report.refunded, report.refunding) == (ZERO, ZERO)
    assert (report.refund_failed, report.refund_failed_count) == (D("5.00"), 1)
    rows = _check_report_equals_ledger(payer, payment)
    assert rows["reversed"] == ZERO and rows["charges"] == before


def test_a_failed_channel_refund_paid_out_in_cash_counts_as_a_cash_refund_that_day(payer, client_for):  # noqa: F811
    from accounts.models import User
    from billing.selectors import cashier as cashier_day
    from standins import wechatpay

    _order, payment = _paid_online(payer, client_for)
    wechatpay.refund_mode("ABNORMAL")
    refund = _refund(payer, client_for, payment, D("5.00"))
    failed = _send(payer, refund["id"])
    desk, admin = client_for(payer.company, "cashier"), client_for(payer.company, "admin")
    url = f"/api/v1/refunds/{refund['id']}/pay-cash/"
    awaiting_cash = "/api/v1/refunds/?payout_status=refund_failed&ordering=created_at"  # the cash desk's list
    assert [row["id"] for row in desk.get(awaiting_cash).json()["results"]] == [refund["id"]]

    paid = desk.post(url, {"confirm_amount": "5.00"}, format="json")
    assert paid.status_code == 200, paid.content
    body = paid.json()
    assert (body["payout_status"], body["method"], body["paid_out_by_name"]) == ("refunded", "cash", "cashier")
    assert body["replaced_refund_no"] == failed.out_refund_no and body["refunded_at"]
    again = desk.post(url, {"confirm_amount": "5.00"}, format="json")  # a double click: nothing more
    assert again.status_code == 200 and again.json()["refunded_at"] == body["refunded_at"]
    assert admin.post(f"/api/v1/refunds/{refund['id']}/retry-channel/").status_code == 409
    assert desk.get(awaiting_cash).json()["results"] == []  # off the desk's list

    report = _income(payer)
    assert (report.refunded, report.refunding, report.refund_failed) == (D("5.00"), ZERO, ZERO)
    rows = _check_report_equals_ledger(payer, payment)
    assert rows["reversed"] == D("5.00")  # taken back once
    by_method = {line.key: line for line in _income(payer, "method").lines}
    assert by_method["cash"].refunded == D("5.00") and "original" not in by_method
    with tenant_context(payer.company):
        cashier_id = User.objects.get(username="cashier").pk
        day = cashier_day.cashier_daily(timezone.localdate(), cashier_id)
    assert [(line.key, line.amount) for line in day.refunds] == [("cash", D("5.00"))]


def test_pay_cash_only_for_a_failed_refund_with_the_right_role_amount_and_company(
    payer,  # noqa: F811
    client_for,
    company_b,
):
    from standins import wechatpay

    _order, payment = _paid_online(payer, client_for)
    processing = _refund(payer, client_for, payment, D("2.00"))
    _send(payer, processing["id"])
    wechatpay.refund_mode("ABNORMAL")
    failed = _refund(payer, client_for, payment, D("3.00"))
    _send(payer, failed["id"])
    desk = client_for(payer.company, "cashier")
    url = f"/api/v1/refunds/{failed['id']}/pay-cash/"

    # a role without fees.collect (the dispatcher), another company's host, bad input
    assert client_for(payer.company, "dispatcher").post(url, {"confirm_amount": "3.00"}).status_code == 403
    assert client_for(company_b, "admin").post(url, {"confirm_amount": "3.00"}).status_code == 404
    for bad in ({}, {"confirm_amount": "abc"}, {"confirm_amount": "-3"}, {"confirm_amount": "2.99"}):
        answer = desk.post(url, bad, format="json")
        assert answer.status_code == 400, (bad, answer.content)
        assert "confirm_amount" in answer.json()["fields"]
    # still refunding: nothing to pay out in cash
    busy = desk.post(f"/api/v1/refunds/{processing['id']}/pay-cash/", {"confirm_amount": "2.00"}, format="json")
    assert busy.status_code == 409
    assert _income(payer).refunded == ZERO
