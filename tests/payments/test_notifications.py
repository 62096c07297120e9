"""The notify endpoint: only a verified notification of this company's order, for its amount and its
merchant, is credited — once, whatever arrives twice, late, out of order, forged or replayed."""

from __future__ import annotations

import time
from decimal import Decimal

import pytest
from django_tenants.utils import tenant_context

from tests.payments.conftest import SUB_MCHIDS, make_merchant, make_payer, post_notification, start

pytestmark = pytest.mark.django_db


def _pending(payer, key="n-1"):
    answer = start(payer, [payer.charges[0].pk], key=key)
    assert answer.status_code == 201, answer.content
    return answer.json()


def _wechat_payments(payer):
    from billing.models import Payment

    with tenant_context(payer.company):
        return list(Payment.objects.filter(house=payer.house, method="wechat"))


def _status(payer, order):
    return payer.client.get(f"/api/v1/owner/payments/{order['id']}/").json()["status"]


def _events(payer, order):
    from payments.models import PaymentEvent

    with tenant_context(payer.company):
        return list(PaymentEvent.objects.filter(order_id=order["id"]).values_list("from_status", "to_status", "source"))


def _transaction(order, **changes):
    from standins import wechatpay

    stored = wechatpay._load(SUB_MCHIDS["alpha"], order["out_trade_no"])
    resource = wechatpay._transaction(
        {**stored, "trade_state": "SUCCESS", "transaction_id": "4200x", "success_time": "2026-01-01T10:00:00+08:00"}
    )
    for key, value in changes.items():
        if key == "total":
            resource["amount"]["total"] = value
        else:
            resource[key] = value
    return resource


def _delivery(order, **changes):
    from standins import wechatpay_notify

    return wechatpay_notify.notification(
        url="", event_type="TRANSACTION.SUCCESS", resource=_transaction(order, **changes), original_type="transaction"
    )


def test_duplicates_change_nothing_after_the_first(payer, client_for):
    from standins import wechatpay_notify

    order = _pending(payer)
    delivery = wechatpay_notify.pay(sub_mchid=SUB_MCHIDS["alpha"], out_trade_no=order["out_trade_no"])
    wechat = client_for(payer.company)
    assert [post_notification(wechat, delivery).status_code for _ in range(3)] == [204, 204, 204]
    again = wechatpay_notify.pay(sub_mchid=SUB_MCHIDS["alpha"], out_trade_no=order["out_trade_no"])  # a fresh envelope
    assert post_notification(wechat, again).status_code == 204
    assert len(_wechat_payments(payer)) == 1
    assert [e[1] for e in _events(payer, order)] == ["created", "pending", "paid"]


def test_the_evidence_is_the_verified_notification(payer, client_for):
    from payments.models import PaymentEvent
    from standins import wechatpay_notify

    order = _pending(payer)
    delivery = wechatpay_notify.pay(sub_mchid=SUB_MCHIDS["alpha"], out_trade_no=order["out_trade_no"])
    post_notification(client_for(payer.company), delivery)
    with tenant_context(payer.company):
        paid = PaymentEvent.objects.get(order_id=order["id"], to_status="paid")
    assert paid.source == "notification" and paid.evidence["event_type"] == "TRANSACTION.SUCCESS"
    assert paid.evidence["resource"]["out_trade_no"] == order["out_trade_no"]
    assert paid.evidence["resource"]["amount"]["total"] == int(Decimal(order["amount"]) * 100)


@pytest.mark.parametrize(
    ("changes", "status"),
    [
        ({"total": 1}, 400),  # a wrong amount
        ({"sub_mchid": SUB_MCHIDS["beta"]}, 400),  # another sub-merchant
        ({"sp_mchid": "1900000999"}, 400),  # another service provider
        ({"out_trade_no": "W20990101000000NOSUCHORDER0"}, 404),  # no such order here
        ({"trade_state": "NOTPAY"}, 400),  # not a payment
    ],
    ids=["amount", "sub_mchid", "sp_mchid", "order", "state"],
)
def test_verified_but_mismatched_notifications_are_refused_and_never_credited(payer, client_for, changes, status):
    order = _pending(payer)
    answer = post_notification(client_for(payer.company), _delivery(order, **changes))
    assert answer.status_code == status
    assert answer.json()["code"] == "FAIL"
    assert _wechat_payments(payer) == [] and _status(payer, order) == "pending"


@pytest.mark.parametrize("spoil", ["forged", "tampered", "stale", "serial", "unsigned"])
def test_unverifiable_notifications_are_refused_with_401(payer, client_for, spoil):
    from standins import wechatpay_notify

    order = _pending(payer)
    resource = _transaction(order)
    delivery = wechatpay_notify.notification(
        url="",
        event_type="TRANSACTION.SUCCESS",
        resource=resource,
        original_type="transaction",
        forged=spoil == "forged",
        now=time.time() - 600 if spoil == "stale" else None,
    )
    headers, body = dict(delivery.headers), delivery.body
    if spoil == "tampered":
        body = body.replace(b'"id": "', b'"id": "x')
    if spoil == "serial":
        headers["Wechatpay-Serial"] = "PUB_KEY_ID_SOMEONE_ELSE"
    if spoil == "unsigned":
        headers = {}
    answer = post_notification(client_for(payer.company), delivery, headers=headers, body=body)
    assert answer.status_code == 401 and answer.json()["code"] == "FAIL"
    assert _wechat_payments(payer) == [] and _status(payer, order) == "pending"


def test_another_companys_notification_replayed_here_is_refused(payer, company_b, client_for):
    from standins import wechatpay_notify

    make_merchant(company_b)
    other = make_payer(company_b, client_for, username="payer-b")
    theirs = start(other, [other.charges[0].pk], key="theirs").json()
    delivery = wechatpay_notify.pay(sub_mchid=SUB_MCHIDS["beta"], out_trade_no=theirs["out_trade_no"])
    replayed = post_notification(client_for(payer.company), delivery)  # genuine, but on alpha's host
    assert replayed.status_code in (400, 404)
    assert _wechat_payments(payer) == [] and _wechat_payments(other) == []
    assert post_notification(client_for(company_b), delivery).status_code == 204
    assert len(_wechat_payments(other)) == 1


def test_a_crash_after_verification_is_completed_once_by_the_retry(payer, client_for, monkeypatch):
    """The worker dies midway (an exception after the signature checked out): nothing is written,
    WeChat Pay is told to retry, and the retry credits the payment exactly once."""
    from billing.payments_bridge import BillsPayable
    from standins import wechatpay_notify

    order = _pending(payer)
    delivery = wechatpay_notify.pay(sub_mchid=SUB_MCHIDS["alpha"], out_trade_no=order["out_trade_no"])
    real = BillsPayable.allocate
    crashes = {"left": 1}

    def allocate_then_die(self, request):
        reference = real(self, request)
        if crashes["left"]:
            crashes["left"] -= 1
            raise RuntimeError("worker killed")
        return reference

    monkeypatch.setattr(BillsPayable, "allocate", allocate_then_die)
    wechat = client_for(payer.company)
    crashed = post_notification(wechat, delivery)
    assert crashed.status_code == 500 and crashed.json()["code"] == "FAIL"
    assert _wechat_payments(payer) == [] and _status(payer, order) == "pending"
    assert post_notification(wechat, delivery).status_code == 204
    assert post_notification(wechat, delivery).status_code == 204
    assert len(_wechat_payments(payer)) == 1 and _status(payer, order) == "paid"


def test_a_refund_notification_for_a_refund_we_never_asked_for_is_refused_and_kept(payer, client_for):
    """A refund someone made at the gateway without us (or a forgery of one): refused — before the
    payment and after it — and recorded; it never moves the order or its refunded amount."""
    from payments import gateways
    from payments.models import PaymentOrder, RefusedNotification
    from standins import wechatpay_notify

    order = _pending(payer)
    paid = wechatpay_notify.pay(sub_mchid=SUB_MCHIDS["alpha"], out_trade_no=order["out_trade_no"])
    with tenant_context(payer.company):
        model = PaymentOrder.objects.get(pk=order["id"])
    gateways.get("wechatpay").refund(
        model,
        merchant={"sub_mchid": SUB_MCHIDS["alpha"], "notify_url": "https://x/"},
        out_refund_no="RSTRANGER1",
        amount_fen=model.amount_fen,
        reason="测试",
    )
    refund = wechatpay_notify.finish_refund(
        sub_mchid=SUB_MCHIDS["alpha"], out_trade_no=order["out_trade_no"], out_refund_no="RSTRANGER1"
    )
    wechat = client_for(payer.company)
    assert post_notification(wechat, refund).status_code == 404
    assert _status(payer, order) == "pending"
    assert post_notification(wechat, paid).status_code == 204
    assert post_notification(wechat, refund).status_code == 404
    assert _status(payer, order) == "paid"
    assert [e[1] for e in _events(payer, order)] == ["created", "pending", "paid"]
    with tenant_context(payer.company):
        assert list(RefusedNotification.objects.values_list("reason", flat=True)) == ["unknown_refund"] * 2
        assert PaymentOrder.objects.get(pk=order["id"]).refunded_amount == 0


def test_the_notify_url_exists_only_on_company_hosts(client_for):
    assert (
        client_for(None)
        .post("/api/v1/payments/wechat/notify/", data=b"{}", content_type="application/json")
        .status_code
        == 404
    )
