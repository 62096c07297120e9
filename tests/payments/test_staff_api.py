"""The company's staff face of payments (在线支付): the order list and its filters, one order with its
lines, settlement and masked event trail, and the two actions — ask the gateway now, close a
pending attempt — each audited, each safe to repeat; who may do what; nothing across companies."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tenants.utils import tenant_context

from tests.payments.conftest import SUB_MCHIDS, make_merchant, make_payer, post_notification, start

pytestmark = pytest.mark.django_db
ORDERS = "/api/v1/payment-orders/"


def _paid_by_notification(payer, client_for, charge, key):
    from standins import wechatpay_notify

    order = start(payer, [charge.pk], key=key).json()
    delivery = wechatpay_notify.pay(sub_mchid=SUB_MCHIDS["alpha"], out_trade_no=order["out_trade_no"])
    assert post_notification(client_for(payer.company), delivery).status_code == 204
    return order


def _billing_payments(payer):
    from billing.models import Payment

    with tenant_context(payer.company):
        return list(Payment.objects.filter(house=payer.house).values_list("pk", "amount"))


def test_the_list_filters_by_status_house_dates_and_reference(payer, client_for):
    paid = _paid_by_notification(payer, client_for, payer.charges[0], "paid-1")
    pending = start(payer, [payer.charges[1].pk], key="pending-1").json()
    admin = client_for(payer.company, "admin")

    listed = admin.get(ORDERS).json()
    assert listed["count"] == 2 and [row["id"] for row in listed["results"]] == [pending["id"], paid["id"]]
    row = listed["results"][1]
    assert row["status"] == "paid" and row["amount"] == paid["amount"] and row["refunded_amount"] == "0.00"
    assert row["house"] == payer.house.pk and row["gateway"] == "wechatpay" and row["gateway_reference"]

    def ids(query: str) -> list[int]:
        answer = admin.get(ORDERS + query)
        assert answer.status_code == 200, answer.content
        return [r["id"] for r in answer.json()["results"]]

    today = timezone.localdate().isoformat()
    assert ids("?status=paid") == [paid["id"]]
    assert ids("?status=pending&gateway=wechatpay") == [pending["id"]]
    assert ids("?gateway=offline") == []
    assert ids(f"?house={payer.house.pk}") == [pending["id"], paid["id"]]
    assert ids(f"?house={payer.house.pk + 100000}") == []
    assert ids(f"?paid_from={today}&paid_to={today}") == [paid["id"]]
    assert ids(f"?created_from={today}&created_to={today}") == [pending["id"], paid["id"]]
    assert ids("?created_to=2000-01-01") == []
    assert ids(f"?search={paid['out_trade_no']}") == [paid["id"]]
    assert ids(f"?search={row['gateway_reference'][:12]}") == [paid["id"]]
    assert ids("?search=nothing-like-it") == []
    assert ids("?page_size=1&page=2") == [paid["id"]]

    bad = admin.get(ORDERS + "?status=lost&paid_from=yesterday&house=x")
    assert bad.status_code == 400
    assert {"status", "paid_from", "house"} <= set(bad.json()["fields"])


def test_the_list_runs_a_fixed_number_of_queries(payer, client_for):
    admin = client_for(payer.company, "admin")
    start(payer, [payer.charges[0].pk], key="q-1")
    with CaptureQueriesContext(connection) as one:
        assert admin.get(ORDERS).status_code == 200
    start(payer, [payer.charges[1].pk], key="q-2")
    start(payer, [payer.charges[2].pk], key="q-3")
    with CaptureQueriesContext(connection) as three:
        assert admin.get(ORDERS).json()["count"] == 3
    assert len(three) == len(one)


def test_the_detail_shows_lines_settlement_and_a_masked_event_trail(payer, client_for):
    order = _paid_by_notification(payer, client_for, payer.charges[0], "detail-1")
    [(payment_id, _amount)] = _billing_payments(payer)
    admin = client_for(payer.company, "admin")
    answer = admin.get(f"{ORDERS}{order['id']}/")
    assert answer.status_code == 200, answer.content
    detail = answer.json()
    assert detail["settlement"] == "allocated" and detail["settled_reference"] == str(payment_id)
    assert [line["item_id"] for line in detail["lines"]] == [payer.charges[0].pk]
    assert detail["lines"][0]["holds"] is False
    trail = [(e["from_status"], e["to_status"], e["source"]) for e in detail["events"]]
    assert trail == [("", "created", "api"), ("created", "pending", "gateway"), ("pending", "paid", "notification")]
    assert all(e["created_at"] for e in detail["events"])

    openid = payer.user.wechat_openid
    text = json.dumps(detail)
    assert openid not in text and openid[:3] in detail["payer_account"] and "*" in detail["payer_account"]
    paid_evidence = detail["events"][2]["evidence"]
    assert paid_evidence["resource"]["trade_state"] == "SUCCESS"
    assert paid_evidence["resource"]["out_trade_no"] == order["out_trade_no"]
    assert paid_evidence["resource"]["amount"]["total"] == int(float(order["amount"]) * 100)
    assert paid_evidence["resource"]["payer"]["sub_openid"].endswith(openid[-4:])
    assert "*" in paid_evidence["resource"]["payer"]["sub_openid"]
    with tenant_context(payer.company):
        from payments.models import PaymentEvent

        stored = PaymentEvent.objects.get(pk=detail["events"][2]["id"]).evidence
    assert openid in json.dumps(stored)  # the stored evidence is whole; only the screen masks it


def test_secret_like_evidence_is_masked():
    from payments.selectors import SECRET_MASK, masked_evidence

    shown = masked_evidence(
        {
            "paySign": "abc",
            "nested": [{"apiv3_key": "k" * 32, "nonce": "n1", "total": 100}],
            "payer": {"openid": "oABCDEFGHIJ1234"},
            "payer_account": "6222020000001234",
            "trade_state": "SUCCESS",
            "empty_token": "",
        }
    )
    assert shown["paySign"] == SECRET_MASK and shown["nested"][0]["apiv3_key"] == SECRET_MASK
    assert shown["nested"][0]["nonce"] == SECRET_MASK and shown["nested"][0]["total"] == 100
    assert shown["payer"]["openid"] == "oAB********1234" and shown["payer_account"] == "622*********1234"
    assert shown["trade_state"] == "SUCCESS" and shown["empty_token"] == ""


def test_query_now_settles_a_payment_whose_notification_never_came_once(payer, client_for):
    from accounts.models import AuditEvent
    from standins import wechatpay_notify

    order = start(payer, [payer.charges[0].pk], key="lost-note").json()
    wechatpay_notify.pay(sub_mchid=SUB_MCHIDS["alpha"], out_trade_no=order["out_trade_no"])  # never delivered
    admin = client_for(payer.company, "admin")
    first = admin.post(f"{ORDERS}{order['id']}/query/")
    assert first.status_code == 200, first.content
    assert first.json()["status"] == "paid" and first.json()["settlement"] == "allocated"
    assert first.json()["events"][-1]["source"] == "staff"
    again = admin.post(f"{ORDERS}{order['id']}/query/")
    assert again.status_code == 200 and again.json() == first.json()
    assert len(_billing_payments(payer)) == 1
    with tenant_context(payer.company):
        audits = list(AuditEvent.objects.filter(action="payment_order.staff_query").order_by("id"))
    assert [a.actor_label for a in audits] == ["admin", "admin"]
    assert [a.after["outcome"] for a in audits] == ["paid", "unchanged"]


def test_query_now_on_an_unpaid_order_leaves_it_pending(payer, client_for):
    order = start(payer, [payer.charges[0].pk], key="still-pending").json()
    answer = client_for(payer.company, "admin").post(f"{ORDERS}{order['id']}/query/")
    assert answer.status_code == 200 and answer.json()["status"] == "pending"


def test_close_a_pending_order_twice_and_never_a_paid_one(payer, client_for):
    from accounts.models import AuditEvent

    admin = client_for(payer.company, "admin")
    pending = start(payer, [payer.charges[0].pk], key="to-close").json()
    closed = admin.post(f"{ORDERS}{pending['id']}/close/")
    assert closed.status_code == 200, closed.content
    assert closed.json()["status"] == "closed" and closed.json()["events"][-1]["source"] == "staff"
    assert closed.json()["lines"][0]["holds"] is False
    again = admin.post(f"{ORDERS}{pending['id']}/close/")
    assert again.status_code == 200 and again.json()["events"] == closed.json()["events"]
    # the charge is free again: the owner can start paying it anew
    assert start(payer, [payer.charges[0].pk], key="after-close").status_code == 201

    paid = _paid_by_notification(payer, client_for, payer.charges[1], "paid-no-close")
    refused = admin.post(f"{ORDERS}{paid['id']}/close/")
    assert refused.status_code == 409 and refused.json()["code"] == "order_not_open"
    assert admin.get(f"{ORDERS}{paid['id']}/").json()["status"] == "paid"
    with tenant_context(payer.company):
        outcomes = list(
            AuditEvent.objects.filter(action="payment_order.staff_close").order_by("id").values_list("after", flat=True)
        )
    assert [o["outcome"] for o in outcomes] == ["closed", "unchanged"]


def test_closing_an_order_paid_meanwhile_settles_it_instead(payer, client_for):
    from standins import wechatpay_notify

    order = start(payer, [payer.charges[0].pk], key="paid-meanwhile").json()
    wechatpay_notify.pay(sub_mchid=SUB_MCHIDS["alpha"], out_trade_no=order["out_trade_no"])
    admin = client_for(payer.company, "admin")
    answer = admin.post(f"{ORDERS}{order['id']}/close/")
    assert answer.status_code == 409 and answer.json()["code"] == "already_paid"
    assert admin.get(f"{ORDERS}{order['id']}/").json()["status"] == "paid"
    assert len(_billing_payments(payer)) == 1


def test_an_unknown_order_is_404(company_a, client_for):
    admin = client_for(company_a, "admin")
    for method, suffix in (("get", ""), ("post", "query/"), ("post", "close/")):
        assert getattr(admin, method)(f"{ORDERS}999999/{suffix}").status_code == 404


def test_cashiers_read_and_only_managers_act(payer, client_for):
    order = start(payer, [payer.charges[0].pk], key="perm").json()
    cashier = client_for(payer.company, "cashier")
    assert cashier.get(ORDERS).status_code == 200
    assert cashier.get(f"{ORDERS}{order['id']}/").status_code == 200
    assert cashier.post(f"{ORDERS}{order['id']}/query/").status_code == 403
    assert cashier.post(f"{ORDERS}{order['id']}/close/").status_code == 403
    for username in ("dispatcher", "repair", "guard", "service"):
        other = client_for(payer.company, username)
        assert other.get(ORDERS).status_code == 403, username
        assert other.get(f"{ORDERS}{order['id']}/").status_code == 403, username
        assert other.post(f"{ORDERS}{order['id']}/close/").status_code == 403, username
    assert payer.client.get(ORDERS).status_code == 403  # the owner app never sees staff lists
    assert payer.client.post(f"{ORDERS}{order['id']}/close/").status_code == 403
    assert client_for(payer.company, "admin").get(f"{ORDERS}{order['id']}/").json()["status"] == "pending"


def test_permissions_of_the_roles():
    from accounts.roles import permissions_for

    assert "payments.view" in permissions_for(["cashier"]) and "fees.manage" not in permissions_for(["cashier"])
    assert {"payments.view", "fees.manage"} <= permissions_for(["admin"])
    for role in ("dispatcher", "repair_worker", "guard", "customer_service", "resident"):
        assert "payments.view" not in permissions_for([role])


def test_orders_of_company_a_are_invisible_on_company_b(payer, company_b, client_for):
    make_merchant(company_b)
    order = start(payer, [payer.charges[0].pk], key="cross-staff").json()
    on_b = client_for(company_b, "admin")
    make_payer(company_b, client_for, username="payer-b")
    assert on_b.get(f"{ORDERS}{order['id']}/").status_code in (404, 200)
    listed = on_b.get(ORDERS + "?page_size=200").json()["results"]
    assert order["out_trade_no"] not in {row["out_trade_no"] for row in listed}
    assert on_b.get(f"{ORDERS}?search={order['out_trade_no']}").json()["count"] == 0
    shown = on_b.get(f"{ORDERS}{order['id']}/")
    if shown.status_code == 200:  # ids are per schema: B may have an order with the same id, never A's
        assert shown.json()["out_trade_no"] != order["out_trade_no"]
    closed = on_b.post(f"{ORDERS}{order['id']}/close/")
    assert closed.status_code in (404, 200, 409)
    with tenant_context(payer.company):
        from payments.models import PaymentOrder

        assert PaymentOrder.objects.get(pk=order["id"]).status == "pending"
