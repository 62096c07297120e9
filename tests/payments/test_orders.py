"""Orders: the state machine (service and database), re-issuing an attempt, attempts of others,
the sweeper, and the refund of a payment that lost the race to the cash desk."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import DatabaseError, transaction
from django.utils import timezone
from django_tenants.utils import tenant_context

from tests.payments.conftest import SUB_MCHIDS, make_payer, post_notification, start

pytestmark = pytest.mark.django_db


def _order(payer, order_id):
    from payments.models import PaymentOrder

    with tenant_context(payer.company):
        return PaymentOrder.objects.get(pk=order_id)


def _stand_in_state(order):
    from standins import wechatpay

    return wechatpay._load(SUB_MCHIDS["alpha"], order["out_trade_no"])["trade_state"]


# --- the state machine ---------------------------------------------------------------------


def test_the_service_refuses_unlisted_transitions(payer):
    from core.actions import action
    from core.schemas import Schema
    from payments.models import OrderStatus
    from payments.services import orders

    order = start(payer, key="sm").json()

    @action(audit=False, schema=Schema.COMPANY)
    def move(to):
        return orders.transition(orders.locked(order["id"]), to, source="test", evidence={})

    with tenant_context(payer.company):
        for to in (OrderStatus.CREATED, OrderStatus.REFUNDED, OrderStatus.PARTIALLY_REFUNDED):
            with pytest.raises(orders.IllegalTransition):
                move(to)
        move(OrderStatus.CLOSED)
        for to in (OrderStatus.PENDING, OrderStatus.PAID, OrderStatus.FAILED):
            with pytest.raises(orders.IllegalTransition):
                move(to)


def test_the_database_refuses_unlisted_transitions_and_edits_of_evidence(payer):
    from payments.models import PaymentEvent, PaymentOrder

    order = start(payer, key="db").json()
    with tenant_context(payer.company):
        rows = PaymentOrder.objects.filter(pk=order["id"])
        for change in ({"status": "created"}, {"status": "refunded"}, {"amount": Decimal("0.01")}):
            with pytest.raises(DatabaseError), transaction.atomic():
                rows.update(**change)
        with pytest.raises(DatabaseError), transaction.atomic():
            PaymentEvent.objects.filter(order_id=order["id"]).update(source="edited")
        with pytest.raises(DatabaseError), transaction.atomic():
            PaymentEvent.objects.filter(order_id=order["id"]).delete()
        assert rows.get().status == "pending"


# --- attempts -----------------------------------------------------------------------------


def test_a_new_attempt_closes_the_previous_one_first(payer):
    first = start(payer, key="a-1").json()
    second = start(payer, key="a-2")
    assert second.status_code == 201, second.content
    assert second.json()["out_trade_no"] != first["out_trade_no"]
    assert _order(payer, first["id"]).status == "closed" and _stand_in_state(first) == "CLOSED"
    assert payer.client.get(f"/api/v1/owner/payments/{first['id']}/").json()["request_payment"] is None


def test_an_attempt_paid_meanwhile_is_credited_and_the_new_one_refused(payer):
    from billing.models import Payment
    from standins import wechatpay_notify

    first = start(payer, key="b-1").json()
    wechatpay_notify.pay(sub_mchid=SUB_MCHIDS["alpha"], out_trade_no=first["out_trade_no"])  # its notification is lost
    again = start(payer, key="b-2")
    assert again.status_code == 409 and again.json()["code"] == "already_paid"
    assert _order(payer, first["id"]).status == "paid"
    with tenant_context(payer.company):
        assert Payment.objects.filter(house=payer.house, method="wechat").count() == 1


def test_someone_elses_live_attempt_holds_the_charges(payer, client_for):
    from accounts.models import User
    from tests.billing.test_ledger_api import _owner_client

    start(payer, key="mine")
    spouse_client = _owner_client(payer.company, client_for, house=payer.house, username="spouse")
    with tenant_context(payer.company):
        User.objects.filter(username="spouse").update(wechat_openid="ospouse000000000000000000")
    body = {"house": payer.house.pk, "idempotency_key": "theirs"}
    refused = spouse_client.post("/api/v1/owner/payments/", body, format="json")
    assert refused.status_code == 409 and refused.json()["code"] == "charge_in_payment"


def test_refusals_before_any_order(payer, company_a, client_for):
    from billing.models import Charge

    other_house = payer.world["houses"][1]
    with tenant_context(company_a):
        not_mine = Charge.objects.filter(house=other_house).first()
    assert (
        payer.client.post(
            "/api/v1/owner/payments/", {"house": other_house.pk, "idempotency_key": "x1"}, format="json"
        ).status_code
        == 404
    )
    wrong = start(payer, [not_mine.pk], key="x2")
    assert wrong.status_code == 409 and wrong.json()["code"] == "charge_not_due"
    assert start(payer, key="").status_code == 400
    with tenant_context(company_a):
        payer.user.__class__.objects.filter(pk=payer.user.pk).update(wechat_openid=None)
    assert start(payer, key="x3").json()["code"] == "wechat_login_required"


def test_a_company_without_wechat_pay_says_so(company_b, client_for):
    payer_b = make_payer(company_b, client_for, username="no-merchant")
    answer = start(payer_b, key="nm")
    assert answer.status_code == 409 and answer.json()["code"] == "wechatpay_not_configured"


def test_a_deployment_without_wechat_pay_refuses_payments_and_notifications(payer, client_for, settings):
    settings.WECHATPAY_BACKEND = "disabled"
    answer = start(payer, key="off")
    assert answer.status_code == 409 and answer.json()["code"] == "wechatpay_not_configured"
    notified = client_for(payer.company).post(
        "/api/v1/payments/wechat/notify/", data=b"{}", content_type="application/json"
    )
    assert notified.status_code == 400 and notified.json()["code"] == "FAIL"


def test_a_prepay_unanswered_leaves_the_order_for_the_sweeper(payer):
    from payments.services import sweeper
    from standins import wechatpay

    wechatpay.fail_next("SYSTEM_ERROR", 500)
    answer = start(payer, key="lost")
    assert answer.status_code == 503 and answer.json()["code"] == "gateway_unavailable"
    from payments.models import PaymentOrder

    with tenant_context(payer.company):
        order = PaymentOrder.objects.get(idempotency_key="lost")
        assert order.status == "created"
        counts = sweeper.sweep(now=timezone.now() + timedelta(minutes=2))
        assert counts["failed"] == 1
        order.refresh_from_db()
        assert order.status == "failed" and not order.lines.filter(holds=True).exists()
    assert start(payer, key="after").status_code == 201  # the charges are free again


# --- the sweeper ---------------------------------------------------------------------------


def test_the_sweeper_settles_a_payment_whose_notification_was_lost_once(payer, client_for):
    from billing.models import Payment
    from payments.services import sweeper
    from standins import wechatpay_notify

    order = start(payer, key="sw").json()
    delivery = wechatpay_notify.pay(sub_mchid=SUB_MCHIDS["alpha"], out_trade_no=order["out_trade_no"])
    later = timezone.now() + timedelta(minutes=2)
    with tenant_context(payer.company):
        assert sweeper.sweep(now=timezone.now())["asked"] == 0  # too young: the notification may come
        assert sweeper.sweep(now=later)["paid"] == 1
        assert sweeper.sweep(now=later)["asked"] == 0  # run twice: nothing left to do
    assert post_notification(client_for(payer.company), delivery).status_code == 204  # and then it arrives
    with tenant_context(payer.company):
        assert Payment.objects.filter(house=payer.house, method="wechat").count() == 1
    assert _order(payer, order["id"]).status == "paid"


def test_the_sweeper_closes_expired_unpaid_orders(payer):
    from payments.services import sweeper

    order = start(payer, key="exp").json()
    with tenant_context(payer.company):
        assert sweeper.sweep(now=timezone.now() + timedelta(minutes=5))["closed"] == 0  # not expired yet
        assert sweeper.sweep(now=timezone.now() + timedelta(minutes=30))["closed"] == 1
    assert _order(payer, order["id"]).status == "closed" and _stand_in_state(order) == "CLOSED"


# --- the cash desk wins the race: the online payment is refunded ---------------------------------


def test_a_payment_for_charges_the_cash_desk_paid_meanwhile_is_refunded_never_double_allocated(payer, client_for):
    from billing.models import Allocation, Payment
    from core.outbox import services as outbox
    from core.outbox.models import OutboxMessage
    from payments.models import PaymentRefund
    from standins import wechatpay_notify

    charge = payer.charges[0]
    order = start(payer, [charge.pk], key="race").json()
    cashier = client_for(payer.company, "cashier")
    paid_at_desk = cashier.post(
        f"/api/v1/cashdesk/houses/{payer.house.pk}/pay/",
        {"amount": str(charge.amount), "method": "cash", "charge_ids": [charge.pk], "idempotency_key": "desk"},
        format="json",
    )
    assert paid_at_desk.status_code == 201, paid_at_desk.content
    delivery = wechatpay_notify.pay(sub_mchid=SUB_MCHIDS["alpha"], out_trade_no=order["out_trade_no"])
    wechat = client_for(payer.company)
    assert post_notification(wechat, delivery).status_code == 204
    assert post_notification(wechat, delivery).status_code == 204
    model = _order(payer, order["id"])
    assert model.status == "paid" and model.settlement == "refund_due"
    with tenant_context(payer.company):
        assert not Payment.objects.filter(house=payer.house, method="wechat").exists()
        assert sum(a.amount for a in Allocation.objects.filter(charge=charge)) == charge.amount
        refund_row = PaymentRefund.objects.get(order=model)
        assert refund_row.source == "lost_race" and refund_row.amount == model.amount
        message = OutboxMessage.objects.get(
            schema_name=payer.company.schema_name, key=f"payments.refund:{refund_row.pk}"
        )
    assert outbox.deliver(message_id=message.pk) == "done"
    assert _stand_in_state(order) == "REFUND"
    refund = wechatpay_notify.finish_refund(
        sub_mchid=SUB_MCHIDS["alpha"], out_trade_no=order["out_trade_no"], out_refund_no=refund_row.out_refund_no
    )
    assert post_notification(wechat, refund).status_code == 204
    model = _order(payer, order["id"])
    assert model.status == "refunded" and model.refunded_amount == model.amount
