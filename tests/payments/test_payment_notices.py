"""An owner paying online is told once (payment.received) however often WeChat Pay notifies; an
approved refund going back through the channel is told once (refund.completed) when the channel
says so, however often it says it."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django_tenants.utils import tenant_context

from tests.payments.conftest import SUB_MCHIDS, post_notification, start
from tests.payments.test_refunds import (
    _approved_refund,
    _channel_refund,
    _paid_online,
    _send,
    _stand_in_refunds_process_normally,  # noqa: F401  (autouse fixture)
)

pytestmark = pytest.mark.django_db


def _told(company, event):
    from notifications.models import Notification

    with tenant_context(company):
        return list(Notification.objects.filter(event=event))


def test_an_online_payment_notified_three_times_tells_the_owner_once(payer, client_for, company_b):
    from standins import wechatpay_notify

    order = start(payer, [payer.charges[0].pk], key="pn-online").json()
    delivery = wechatpay_notify.pay(sub_mchid=SUB_MCHIDS["alpha"], out_trade_no=order["out_trade_no"])
    wechat = client_for(payer.company)
    assert [post_notification(wechat, delivery).status_code for _ in range(3)] == [204, 204, 204]
    told = _told(payer.company, "payment.received")
    assert len(told) == 1 and told[0].context["amount"] == order["amount"]
    items = payer.client.get("/api/v1/owner/notifications/").json()["results"]
    assert [item["title"] for item in items] == [f"缴费成功：{order['amount']} 元"]
    assert "（微信支付）" in items[0]["body"]
    assert _told(company_b, "payment.received") == []


def test_a_channel_refund_tells_the_owner_once_when_the_money_is_back(payer, client_for):
    from standins import wechatpay_notify

    order, payment = _paid_online(payer, client_for, key="pn-refund")
    refund = _approved_refund(payer, client_for, payment, Decimal("10.00"))
    assert _told(payer.company, "refund.completed") == []  # asked of the channel, not back yet
    channel = _channel_refund(payer, refund["id"])
    assert _send(payer, channel) == "done"
    finished = wechatpay_notify.finish_refund(
        sub_mchid=SUB_MCHIDS["alpha"], out_trade_no=order["out_trade_no"], out_refund_no=channel.out_refund_no
    )
    wechat = client_for(payer.company)
    assert [post_notification(wechat, finished).status_code for _ in range(2)] == [204, 204]
    told = _told(payer.company, "refund.completed")
    assert len(told) == 1 and told[0].context["amount"] == "10.00"
    titles = [item["title"] for item in payer.client.get("/api/v1/owner/notifications/").json()["results"]]
    assert titles.count("退款已完成：10.00 元") == 1
    for staff in ("cashier", "admin"):
        assert client_for(payer.company, staff).get("/api/v1/notifications/unread-count/").json() == {"unread": 0}
