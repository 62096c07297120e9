"""Refunds to the original channel, exactly once: a billing refund of an online payment, approved by
someone else, is refunded by WeChat Pay (the stand-in) through payments' one refund path; the order
follows what was refunded (partially_refunded, refunded), billing shows the channel's outcome;
duplicates and late notifications change nothing; a failed refund shows failed and can be retried;
the refunds of an order never exceed it, even asked for at the same instant; refused notifications
are kept (30 days)."""

from __future__ import annotations

import hashlib
import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connections
from django.utils import timezone
from django_tenants.utils import tenant_context

from tests.payments.conftest import SUB_MCHIDS, make_merchant, make_payer, post_notification, start

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _stand_in_refunds_process_normally():
    from standins import wechatpay

    wechatpay.refund_mode("PROCESSING")
    yield
    wechatpay.refund_mode("PROCESSING")


def _paid_online(payer, client_for, key="r-1"):
    """Two charges paid online; returns the order (API view) and billing's payment."""
    from billing.models import Payment
    from standins import wechatpay_notify

    answer = start(payer, [payer.charges[0].pk, payer.charges[1].pk], key=key)
    assert answer.status_code == 201, answer.content
    order = answer.json()
    delivery = wechatpay_notify.pay(sub_mchid=SUB_MCHIDS["alpha"], out_trade_no=order["out_trade_no"])
    assert post_notification(client_for(payer.company), delivery).status_code == 204
    with tenant_context(payer.company):
        payment = Payment.objects.get(house=payer.house, method="wechat")
    assert payment.amount == Decimal(order["amount"])
    return order, payment


def _approved_refund(payer, client_for, payment, amount, *, reason="多收退回"):
    cashier, admin = client_for(payer.company, "cashier"), client_for(payer.company, "admin")
    requested = cashier.post(
        "/api/v1/refunds/",
        {
            "house": payer.house.pk,
            "source": "payment",
            "payment": payment.pk,
            "amount": str(amount),
            "method": "original",
            "reason": reason,
        },
        format="json",
    )
    assert requested.status_code == 201, requested.content
    assert requested.json()["channel_status"] == ""
    approved = admin.post(f"/api/v1/refunds/{requested.json()['id']}/approve/", {}, format="json")
    assert approved.status_code == 200, approved.content
    return approved.json()


def _channel_refund(payer, billing_refund_id):
    from payments.models import PaymentRefund

    with tenant_context(payer.company):
        return PaymentRefund.objects.filter(purpose_reference=f"refund:{billing_refund_id}").latest("id")


def _send(payer, channel_refund):
    from core.outbox import services as outbox

    return outbox.deliver_now(schema_name=payer.company.schema_name, key=f"payments.refund:{channel_refund.pk}")


def _order(payer, order):
    from payments.models import PaymentOrder

    with tenant_context(payer.company):
        return PaymentOrder.objects.get(pk=order["id"])


def _billing_refund(payer, client_for, refund_id):
    return client_for(payer.company, "admin").get(f"/api/v1/refunds/{refund_id}/").json()


def test_two_partial_refunds_go_back_to_the_channel_once_whatever_the_notifications_do(payer, client_for):
    from payments.models import PaymentEvent, PaymentRefundEvent
    from standins import wechatpay, wechatpay_notify

    order, payment = _paid_online(payer, client_for)
    total = payment.amount
    first_part = Decimal("10.00")
    first = _approved_refund(payer, client_for, payment, first_part)
    assert first["channel_status"] == "processing"
    one = _channel_refund(payer, first["id"])
    assert one.status == "processing" and one.amount == first_part and one.out_refund_no.startswith("R")
    assert _send(payer, one) == "done"
    assert _send(payer, one) == "skipped"  # the outbox never runs it twice
    from payments.services import refunds

    with tenant_context(payer.company):
        assert refunds.send(refund_id=one.pk) == "processing"  # and asking the gateway again is the same refund
    stored = wechatpay._load(SUB_MCHIDS["alpha"], order["out_trade_no"])
    assert list(stored["refunds"]) == [one.out_refund_no]

    second = _approved_refund(payer, client_for, payment, total - first_part, reason="再退余款")
    two = _channel_refund(payer, second["id"])
    assert _send(payer, two) == "done"

    # The second's notification arrives first, twice; then the first's, twice.
    wechat = client_for(payer.company)
    late = wechatpay_notify.finish_refund(
        sub_mchid=SUB_MCHIDS["alpha"], out_trade_no=order["out_trade_no"], out_refund_no=two.out_refund_no
    )
    assert post_notification(wechat, late).status_code == 204
    assert post_notification(wechat, late).status_code == 204
    model = _order(payer, order)
    assert model.status == "partially_refunded" and model.refunded_amount == total - first_part
    assert _billing_refund(payer, client_for, second["id"])["channel_status"] == "refunded"
    assert _billing_refund(payer, client_for, first["id"])["channel_status"] == "processing"

    early = wechatpay_notify.finish_refund(
        sub_mchid=SUB_MCHIDS["alpha"], out_trade_no=order["out_trade_no"], out_refund_no=one.out_refund_no
    )
    for _ in range(2):
        assert post_notification(wechat, early).status_code == 204
    model = _order(payer, order)
    assert model.status == "refunded" and model.refunded_amount == total
    assert _billing_refund(payer, client_for, first["id"])["channel_status"] == "refunded"

    # A closed notification for a refund already refunded, and the sweeper after it all: nothing moves.
    with tenant_context(payer.company):
        events = PaymentEvent.objects.filter(order_id=order["id"]).count()
        refund_events = PaymentRefundEvent.objects.filter(refund__order_id=order["id"]).count()
        assert refunds.sweep(now=timezone.now() + timedelta(minutes=5))["asked"] == 0
        assert [e.to_status for e in PaymentEvent.objects.filter(order_id=order["id"])][-2:] == [
            "partially_refunded",
            "refunded",
        ]
    stray = wechatpay_notify.notification(
        url="",
        event_type="REFUND.CLOSED",
        resource={
            **wechatpay._refund_view(stored, one.out_refund_no, stored["refunds"][one.out_refund_no]),
            "refund_status": "CLOSED",
        },
        original_type="refund",
    )
    assert post_notification(wechat, stray).status_code == 204
    with tenant_context(payer.company):
        assert PaymentEvent.objects.filter(order_id=order["id"]).count() == events
        assert PaymentRefundEvent.objects.filter(refund__order_id=order["id"]).count() == refund_events
    assert _channel_refund(payer, first["id"]).status == "refunded"


def test_a_failed_channel_refund_shows_failed_and_a_retry_refunds_it(payer, client_for):
    from payments.services import refunds
    from standins import wechatpay, wechatpay_notify

    order, payment = _paid_online(payer, client_for)
    wechatpay.refund_mode("ABNORMAL")  # the payer's account cannot take it
    approved = _approved_refund(payer, client_for, payment, Decimal("5.00"))
    failed = _channel_refund(payer, approved["id"])
    assert _send(payer, failed) == "done"
    assert _channel_refund(payer, approved["id"]).status == "failed"
    shown = _billing_refund(payer, client_for, approved["id"])
    assert shown["status"] == "approved" and shown["channel_status"] == "failed"
    assert _order(payer, order).status == "paid"  # nothing went back

    cashier, admin = client_for(payer.company, "cashier"), client_for(payer.company, "admin")
    assert cashier.post(f"/api/v1/refunds/{approved['id']}/retry-channel/").status_code == 403
    wechatpay.refund_mode("PROCESSING")
    retried = admin.post(f"/api/v1/refunds/{approved['id']}/retry-channel/")
    assert retried.status_code == 200, retried.content
    assert retried.json()["channel_status"] == "processing"
    assert admin.post(f"/api/v1/refunds/{approved['id']}/retry-channel/").status_code == 409  # not failed now
    again = _channel_refund(payer, approved["id"])
    assert again.pk != failed.pk and again.out_refund_no != failed.out_refund_no
    assert _send(payer, again) == "done"

    # No notification comes: the sweeper asks by refund number and ends it.
    wechatpay_notify.finish_refund(
        sub_mchid=SUB_MCHIDS["alpha"], out_trade_no=order["out_trade_no"], out_refund_no=again.out_refund_no
    )
    with tenant_context(payer.company):
        assert refunds.sweep()["asked"] == 0  # not a minute old yet
        counts = refunds.sweep(now=timezone.now() + timedelta(minutes=2))
        assert counts["refunded"] == 1 and counts["errors"] == 0
    assert _order(payer, order).status == "partially_refunded"
    assert _order(payer, order).refunded_amount == Decimal("5.00")
    assert _billing_refund(payer, client_for, approved["id"])["channel_status"] == "refunded"


def test_a_refund_ending_abnormal_by_notification_shows_failed(payer, client_for):
    from standins import wechatpay_notify

    order, payment = _paid_online(payer, client_for)
    approved = _approved_refund(payer, client_for, payment, Decimal("3.00"))
    channel = _channel_refund(payer, approved["id"])
    assert _send(payer, channel) == "done"
    abnormal = wechatpay_notify.finish_refund(
        sub_mchid=SUB_MCHIDS["alpha"],
        out_trade_no=order["out_trade_no"],
        out_refund_no=channel.out_refund_no,
        status="ABNORMAL",
    )
    wechat = client_for(payer.company)
    assert post_notification(wechat, abnormal).status_code == 204
    assert post_notification(wechat, abnormal).status_code == 204
    assert _channel_refund(payer, approved["id"]).status == "failed"
    assert _billing_refund(payer, client_for, approved["id"])["channel_status"] == "failed"
    assert _order(payer, order).status == "paid"


def test_a_refund_never_goes_beyond_the_order_nor_to_a_cash_payment(payer, client_for):
    from django.db import IntegrityError, transaction

    from payments.models import PaymentRefund
    from payments.services import refunds

    order, _payment = _paid_online(payer, client_for)
    model = _order(payer, order)
    with tenant_context(payer.company):
        refunds.request_refund(model, model.amount - Decimal("1.00"), "部分", "test:1")
        with pytest.raises(refunds.RefundExceeds):
            refunds.request_refund(model, Decimal("1.01"), "超出", "test:2")
        # Past the service, the database refuses it too.
        with pytest.raises(IntegrityError), transaction.atomic():
            PaymentRefund.objects.create(
                order=model,
                out_refund_no="RBYHAND1",
                amount=Decimal("1.01"),
                reason="x",
                source="purpose",
                purpose_reference="test:3",
            )
        with pytest.raises(IntegrityError), transaction.atomic():
            PaymentRefund.objects.filter(order=model).update(status="closed")
            PaymentRefund.objects.filter(order=model).update(status="processing")  # a closed refund never reopens
        with pytest.raises(IntegrityError), transaction.atomic():
            PaymentRefund.objects.filter(order=model).update(amount=Decimal("0.50"))
        with pytest.raises(IntegrityError), transaction.atomic():  # refunded_amount is what was refunded
            type(model).objects.filter(pk=model.pk).update(refunded_amount=Decimal("1.00"))

    # Only money paid online goes back to its channel.
    refused = client_for(payer.company, "cashier").post(
        "/api/v1/refunds/",
        {"house": payer.house.pk, "source": "balance", "amount": "1.00", "method": "original", "reason": "x"},
        format="json",
    )
    assert refused.status_code == 400 and "method" in refused.json()["fields"], refused.content


def test_refused_notifications_are_kept_without_their_claims_and_forgotten_after_30_days(payer, client_for):
    from payments.models import RefusedNotification
    from payments.services import refused
    from standins import wechatpay_notify

    answer = start(payer, [payer.charges[0].pk], key="forged")
    order = answer.json()
    forged = wechatpay_notify.notification(
        url="",
        event_type="TRANSACTION.SUCCESS",
        resource={"out_trade_no": order["out_trade_no"], "trade_state": "SUCCESS"},
        original_type="transaction",
        forged=True,
    )
    wechat = client_for(payer.company)
    assert post_notification(wechat, forged).status_code == 401
    unknown = wechatpay_notify.notification(
        url="",
        event_type="TRANSACTION.SUCCESS",
        resource={"out_trade_no": "WNOSUCHORDER0001", "trade_state": "SUCCESS", "sub_mchid": SUB_MCHIDS["alpha"]},
        original_type="transaction",
    )
    assert post_notification(wechat, unknown).status_code == 404
    with tenant_context(payer.company):
        kept = list(RefusedNotification.objects.order_by("id"))
        assert [(k.gateway, k.reason, k.status_code) for k in kept] == [
            ("wechatpay", "bad_signature", 401),
            ("wechatpay", "unknown_order", 404),
        ]
        assert kept[0].body_sha256 == hashlib.sha256(forged.body).hexdigest()
        assert kept[0].body_size == len(forged.body) and kept[0].remote_addr == "127.0.0.1"
    listed = client_for(payer.company, "admin").get("/api/v1/payments/refused-notifications/")
    assert listed.status_code == 200, listed.content
    rows = listed.json()["results"]
    assert [row["reason"] for row in rows] == ["unknown_order", "bad_signature"]
    assert set(rows[0]) == {
        "id",
        "gateway",
        "reason",
        "status_code",
        "received_at",
        "remote_addr",
        "body_sha256",
        "body_size",
    }
    assert client_for(payer.company, "cashier").get("/api/v1/payments/refused-notifications/").status_code == 403
    with tenant_context(payer.company):
        assert refused.forget() == 0
        assert refused.forget(now=timezone.now() + timedelta(days=31)) == 2
        assert not RefusedNotification.objects.exists()


def test_another_company_cannot_settle_or_see_this_companys_refunds(payer, client_for, company_b):
    from standins import wechatpay_notify

    order, payment = _paid_online(payer, client_for)
    approved = _approved_refund(payer, client_for, payment, Decimal("2.00"))
    channel = _channel_refund(payer, approved["id"])
    assert _send(payer, channel) == "done"
    done = wechatpay_notify.finish_refund(
        sub_mchid=SUB_MCHIDS["alpha"], out_trade_no=order["out_trade_no"], out_refund_no=channel.out_refund_no
    )
    make_merchant(company_b)
    assert post_notification(client_for(company_b), done).status_code in (400, 404)  # replayed at beta
    assert client_for(company_b, "admin").get(f"/api/v1/refunds/{approved['id']}/").status_code == 404
    assert _channel_refund(payer, approved["id"]).status == "processing"
    assert post_notification(client_for(payer.company), done).status_code == 204
    assert _channel_refund(payer, approved["id"]).status == "refunded"


# --- at the same instant, on two connections: the order's lock keeps them within its amount ------


@pytest.fixture
def scratch(django_db_blocker):
    from tests.billing.concurrency import drop, on_own_connection, provision_scratch

    company = on_own_connection(django_db_blocker, provision_scratch)
    try:
        yield company
    finally:
        on_own_connection(django_db_blocker, lambda: drop("gamma"))


def test_two_refunds_asked_at_once_never_exceed_the_order(scratch, django_db_blocker, client_for, monkeypatch):
    from payments.models import PaymentOrder, PaymentRefund
    from payments.services import refunds
    from standins import wechatpay_notify
    from tests.billing.concurrency import on_own_connection
    from tests.payments import conftest

    monkeypatch.setitem(conftest.SUB_MCHIDS, "gamma", "1230000078")
    monkeypatch.setitem(conftest.APPIDS, "gamma", "wxc8c8c8c8c8c8c8c8")

    def prepare():
        make_merchant(scratch)
        payer = make_payer(scratch, client_for, username="refunder")
        order = start(payer, [payer.charges[0].pk], key="both").json()
        delivery = wechatpay_notify.pay(sub_mchid="1230000078", out_trade_no=order["out_trade_no"])
        assert post_notification(client_for(scratch), delivery).status_code == 204
        with tenant_context(scratch):
            return PaymentOrder.objects.get(pk=order["id"])

    order = on_own_connection(django_db_blocker, prepare)
    part = (order.amount * Decimal("0.6")).quantize(Decimal("0.01"))
    barrier = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def ask(name: str) -> None:
        with django_db_blocker.unblock():
            try:
                with tenant_context(scratch):
                    barrier.wait()
                    try:
                        refunds.request_refund(order, part, "同时申请", f"race:{name}")
                        outcomes[name] = "asked"
                    except refunds.RefundExceeds:
                        outcomes[name] = "exceeds"
            finally:
                connections.close_all()

    threads = [threading.Thread(target=ask, args=(name,)) for name in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    def live():
        with tenant_context(scratch):
            return list(PaymentRefund.objects.filter(order_id=order.pk).values_list("amount", flat=True))

    assert sorted(outcomes.values()) == ["asked", "exceeds"], outcomes
    assert on_own_connection(django_db_blocker, live) == [part]
