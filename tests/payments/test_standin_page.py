"""The WeChat Pay stand-in's pay page (the H5 demo's "phone"): demo only; it pays the order at the
stand-in and sends the notification, which then settles the order like a real one."""

from __future__ import annotations

import pytest

from tests.payments.conftest import SUB_MCHIDS, start

pytestmark = pytest.mark.django_db


def test_the_pay_page_exists_only_in_the_demo(payer, client_for, settings):
    order = start(payer, key="page").json()
    prepay_id = order["request_payment"]["package"].removeprefix("prepay_id=")
    assert client_for(None).get(f"/_standins/wechatpay/pay/{prepay_id}").status_code == 200
    assert client_for(None).get("/_standins/wechatpay/pay/wx-no-such-prepay").status_code == 404
    settings.DEMO = False  # routed only in the demo, and the view checks again
    assert client_for(None).get(f"/_standins/wechatpay/pay/{prepay_id}").status_code == 404
    assert client_for(None).post(f"/_standins/wechatpay/pay/{prepay_id}").status_code == 404


def test_the_pay_page_pays_the_order_and_sends_its_notification(payer, client_for, monkeypatch):
    from standins import wechatpay, wechatpay_notify

    sent = []
    monkeypatch.setattr(wechatpay_notify, "deliver", lambda delivery, delay=0.0: sent.append((delivery, delay)))
    order = start(payer, key="page-2").json()
    prepay_id = order["request_payment"]["package"].removeprefix("prepay_id=")
    page = client_for(None).get(f"/_standins/wechatpay/pay/{prepay_id}")
    assert page.status_code == 200 and order["amount"] in page.content.decode()
    paid = client_for(None).post(f"/_standins/wechatpay/pay/{prepay_id}?mode=twice")
    assert paid.status_code == 200 and paid.json()["paid"]
    assert wechatpay._load(SUB_MCHIDS["alpha"], order["out_trade_no"])["trade_state"] == "SUCCESS"
    assert len(sent) == 2 and sent[0][0].url.endswith("/api/v1/payments/wechat/notify/")
    from tests.payments.conftest import post_notification

    assert post_notification(client_for(payer.company), sent[0][0]).status_code == 204
    assert payer.client.get(f"/api/v1/owner/payments/{order['id']}/").json()["status"] == "paid"
