"""What staff and owners see of refunds of online payments: the 在线支付 order detail lists each refund
request (who asked and decided, when) with its channel refunds and their evidence, and what may still
be refunded; the owner's payment history shows 退款中 / 部分退款 / 已退款 with the amounts. Who may see
it; nothing across companies."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django_tenants.utils import tenant_context

from tests.payments.conftest import SUB_MCHIDS, post_notification
from tests.payments.test_refunds import _channel_refund, _paid_online, _send

pytestmark = pytest.mark.django_db
ORDERS = "/api/v1/payment-orders/"
HISTORY = "/api/v1/owner/bills/history/"


@pytest.fixture(autouse=True)
def _stand_in_refunds_process_normally():
    from standins import wechatpay

    wechatpay.refund_mode("PROCESSING")
    yield
    wechatpay.refund_mode("PROCESSING")


def _request(payer, client_for, payment, amount, reason="多收退回"):
    answer = client_for(payer.company, "cashier").post(
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
    assert answer.status_code == 201, answer.content
    return answer.json()


def _finish(payer, client_for, order, channel):
    from standins import wechatpay_notify

    assert _send(payer, channel) == "done"
    done = wechatpay_notify.finish_refund(
        sub_mchid=SUB_MCHIDS["alpha"], out_trade_no=order["out_trade_no"], out_refund_no=channel.out_refund_no
    )
    assert post_notification(client_for(payer.company), done).status_code == 204


def _history_row(payer, payment):
    answer = payer.client.get(HISTORY, {"house": payer.house.pk})
    assert answer.status_code == 200, answer.content
    return next(row for row in answer.json()["results"] if row["id"] == payment.pk)


def test_the_order_detail_lists_each_refund_with_who_asked_who_decided_and_its_evidence(payer, client_for):
    order, payment = _paid_online(payer, client_for)
    admin = client_for(payer.company, "admin")
    detail = admin.get(f"{ORDERS}{order['id']}/").json()
    assert detail["refunds"] == [] and detail["refundable"] == f"{payment.amount:.2f}"

    part = Decimal("10.00")
    requested = _request(payer, client_for, payment, part, reason="多收物业费")
    detail = admin.get(f"{ORDERS}{order['id']}/").json()
    [pending] = detail["refunds"]
    assert pending["request_id"] == requested["id"] and pending["source"] == "purpose"
    assert (pending["amount"], pending["reason"], pending["status"], pending["method"]) == (
        "10.00",
        "多收物业费",
        "pending",
        "original",
    )
    assert pending["requested_by_name"] == requested["requested_by_name"] != ""
    assert pending["requested_at"] and pending["decided_at"] is None and pending["decided_by_name"] == ""
    assert (pending["channel_status"], pending["out_refund_no"], pending["channel_refund_no"]) == ("", "", "")
    assert pending["events"] == []
    assert detail["refundable"] == f"{payment.amount:.2f}"  # a request moves nothing until approved

    approved = admin.post(f"/api/v1/refunds/{requested['id']}/approve/", {}, format="json")
    assert approved.status_code == 200, approved.content
    channel = _channel_refund(payer, requested["id"])
    [shown] = admin.get(f"{ORDERS}{order['id']}/").json()["refunds"]
    assert shown["status"] == "refunding" and shown["decided_by_name"] == approved.json()["decided_by_name"] != ""
    assert shown["decided_at"] and shown["channel_status"] == "processing"
    assert shown["out_refund_no"] == channel.out_refund_no and shown["channel_refund_no"] == ""
    [asked] = shown["events"]
    assert (asked["from_status"], asked["to_status"], asked["source"]) == ("", "processing", "api")
    assert asked["out_refund_no"] == channel.out_refund_no and asked["evidence"]["amount"] == "10.00"

    _finish(payer, client_for, order, channel)
    detail = admin.get(f"{ORDERS}{order['id']}/").json()
    [done] = detail["refunds"]
    channel.refresh_from_db()
    assert done["status"] == "refunded" and done["channel_status"] == "refunded"
    assert done["channel_refund_no"] == channel.gateway_reference != ""
    assert [e["to_status"] for e in done["events"]] == ["processing", "refunded"]
    assert done["events"][1]["source"] == "notification" and done["events"][1]["evidence"]
    assert detail["status"] == "partially_refunded" and detail["refunded_amount"] == "10.00"
    assert detail["refundable"] == f"{payment.amount - part:.2f}"
    assert [e["to_status"] for e in detail["events"]][-1] == "partially_refunded"


def test_a_rejected_request_shows_with_its_note_and_no_channel_refund(payer, client_for):
    order, payment = _paid_online(payer, client_for)
    requested = _request(payer, client_for, payment, Decimal("5.00"))
    admin = client_for(payer.company, "admin")
    rejected = admin.post(f"/api/v1/refunds/{requested['id']}/reject/", {"note": "不符合退款条件"}, format="json")
    assert rejected.status_code == 200, rejected.content
    [shown] = admin.get(f"{ORDERS}{order['id']}/").json()["refunds"]
    assert (shown["status"], shown["decision_note"], shown["channel_status"]) == ("rejected", "不符合退款条件", "")
    assert _history_row(payer, payment)["refund_state"] == ""


def test_the_owner_history_shows_refunding_then_partially_refunded_then_refunded(payer, client_for):
    order, payment = _paid_online(payer, client_for)
    row = _history_row(payer, payment)
    assert (row["refund_state"], row["refunded_amount"], row["refunding_amount"]) == ("", "0.00", "0.00")

    admin = client_for(payer.company, "admin")
    first = _request(payer, client_for, payment, Decimal("10.00"))
    assert _history_row(payer, payment)["refund_state"] == ""  # awaiting approval: nothing on its way yet
    assert admin.post(f"/api/v1/refunds/{first['id']}/approve/", {}, format="json").status_code == 200
    row = _history_row(payer, payment)
    assert (row["refund_state"], row["refunded_amount"], row["refunding_amount"]) == ("refunding", "0.00", "10.00")

    _finish(payer, client_for, order, _channel_refund(payer, first["id"]))
    row = _history_row(payer, payment)
    assert (row["refund_state"], row["refunded_amount"], row["refunding_amount"]) == (
        "partially_refunded",
        "10.00",
        "0.00",
    )

    rest = payment.amount - Decimal("10.00")
    second = _request(payer, client_for, payment, rest)
    assert admin.post(f"/api/v1/refunds/{second['id']}/approve/", {}, format="json").status_code == 200
    _finish(payer, client_for, order, _channel_refund(payer, second["id"]))
    row = _history_row(payer, payment)
    assert (row["refund_state"], row["refunded_amount"], row["refunding_amount"]) == (
        "refunded",
        f"{payment.amount:.2f}",
        "0.00",
    )
    assert admin.get(f"{ORDERS}{order['id']}/").json()["refundable"] == "0.00"


def test_only_payment_readers_see_refunds_and_never_another_companys(payer, client_for, company_b):
    from payments.models import PaymentOrder

    order, payment = _paid_online(payer, client_for)
    _request(payer, client_for, payment, Decimal("3.00"))
    cashier = client_for(payer.company, "cashier")
    assert len(cashier.get(f"{ORDERS}{order['id']}/").json()["refunds"]) == 1
    for username in ("dispatcher", "guard"):
        assert client_for(payer.company, username).get(f"{ORDERS}{order['id']}/").status_code == 403, username
    assert payer.client.get(f"{ORDERS}{order['id']}/").status_code == 403

    with tenant_context(company_b):
        assert not PaymentOrder.objects.filter(pk=order["id"]).exists()
    assert client_for(company_b, "admin").get(f"{ORDERS}{order['id']}/").status_code == 404
    # The owner's history is of their own houses only: another house is 404.
    assert payer.client.get(HISTORY, {"house": payer.house.pk + 100000}).status_code == 404
