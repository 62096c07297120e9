"""The owner pays bills with WeChat Pay end to end: prepay, requestPayment's signature, the
notification, the allocation in billing, the status the owner sees."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django_tenants.utils import tenant_context

from tests.payments.conftest import SUB_MCHIDS, post_notification, start

pytestmark = pytest.mark.django_db


def _ledger(payer):
    from billing.models import Allocation, BalanceEntry, Payment

    with tenant_context(payer.company):
        payments = list(Payment.objects.filter(house=payer.house))
        allocated = {a.charge_id: a.amount for a in Allocation.objects.filter(payment__in=payments)}
        balance = sum((b.amount for b in BalanceEntry.objects.filter(house=payer.house)), Decimal("0"))
    return payments, allocated, balance


def test_an_owner_pays_chosen_bills_and_they_are_allocated_once(payer, client_for):
    from payments.gateways import wechatpay_sign as crypto
    from standins import wechatpay, wechatpay_notify

    first = payer.charges[0]
    answer = start(payer, [first.pk])
    assert answer.status_code == 201, answer.content
    order = answer.json()
    assert order["status"] == "pending" and order["house"] == payer.house.pk
    assert len(order["out_trade_no"]) <= 32
    assert [line["item_id"] for line in order["lines"]] == [first.pk]
    late_fee = Decimal(order["lines"][0]["late_fee"])
    assert late_fee > 0  # the first month is overdue: its late fee is in the total
    assert Decimal(order["amount"]) == first.amount + late_fee

    params = order["request_payment"]
    assert params["package"].startswith("prepay_id=") and params["signType"] == "RSA"
    merchant_key = crypto.load_private_key(wechatpay.keys().merchant_private).public_key()
    message = f"{params['appId']}\n{params['timeStamp']}\n{params['nonceStr']}\n{params['package']}\n".encode()
    assert crypto.verify(merchant_key, message, params["paySign"])

    assert payer.client.get(f"/api/v1/owner/payments/{order['id']}/").json()["status"] == "pending"
    delivery = wechatpay_notify.pay(sub_mchid=SUB_MCHIDS["alpha"], out_trade_no=order["out_trade_no"])
    assert post_notification(client_for(payer.company), delivery).status_code == 204

    shown = payer.client.get(f"/api/v1/owner/payments/{order['id']}/").json()
    assert shown["status"] == "paid" and shown["settlement"] == "allocated" and shown["request_payment"] is None
    payments, allocated, balance = _ledger(payer)
    assert [(p.method, p.amount) for p in payments] == [("wechat", Decimal(order["amount"]))]
    assert allocated[first.pk] == first.amount and balance == 0
    assert payments[0].reference.startswith("42") and payments[0].idempotency_key == f"pay:{order['out_trade_no']}"


def test_without_chosen_charges_everything_due_is_paid(payer):
    answer = start(payer)
    assert answer.status_code == 201, answer.content
    assert {line["item_id"] for line in answer.json()["lines"]} == {c.pk for c in payer.charges}


def test_the_same_request_twice_is_one_order(payer):
    one, two = start(payer, key="same"), start(payer, key="same")
    assert one.status_code == two.status_code == 201
    assert one.json()["out_trade_no"] == two.json()["out_trade_no"]
