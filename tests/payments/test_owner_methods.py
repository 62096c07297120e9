"""How an owner pays on their device: the methods offered (WeChat Pay JSAPI in the mini-program for a
WeChat sign-in, WeChat Pay H5 in a browser), the prepay's field errors, and a whole H5 payment
through the stand-in's cashier page — back to the app, paid, the receipt in the owner's history."""

from __future__ import annotations

from urllib.parse import quote, urlsplit

import pytest
from django_tenants.utils import tenant_context

from tests.payments.conftest import post_notification

pytestmark = pytest.mark.django_db
METHODS = "/api/v1/owner/payments/methods/"
PAY = "/api/v1/owner/payments/"


def _methods(client, device):
    answer = client.get(METHODS, {"client": device})
    assert answer.status_code == 200, answer.content
    return [(m["gateway"], m["channel"], m["label"]) for m in answer.json()]


def _forget_openid(payer):
    """The owner signed in by SMS in a browser: no openid."""
    with tenant_context(payer.company):
        payer.user.wechat_openid = ""
        payer.user.save(update_fields=["wechat_openid"])


CARD = ("stripe", "h5", "银行卡支付")  # the Stripe stand-in's card page, in a browser only


def test_the_mini_program_offers_jsapi_and_a_browser_h5(payer):
    assert _methods(payer.client, "mp-weixin") == [("wechatpay", "jsapi", "微信支付")]
    assert _methods(payer.client, "h5") == [("wechatpay", "h5", "微信支付"), CARD]
    _forget_openid(payer)
    assert _methods(payer.client, "mp-weixin") == []  # JSAPI needs the owner's openid
    assert _methods(payer.client, "h5") == [("wechatpay", "h5", "微信支付"), CARD]


def test_wechat_pay_is_not_offered_before_the_company_is_a_sub_merchant(company_a, client_for, settings):
    from tests.payments.conftest import make_payer

    payer = make_payer(company_a, client_for, username="no-merchant")
    assert _methods(payer.client, "mp-weixin") == []
    assert _methods(payer.client, "h5") == [CARD]  # the card needs no sub-merchant
    refused = payer.client.post(PAY, {"house": payer.house.pk, "idempotency_key": "nm", "channel": "h5"}, format="json")
    assert refused.status_code == 409 and refused.json()["code"] == "wechatpay_not_configured"
    settings.STRIPE_BACKEND = "disabled"  # a deployment without card payments offers nothing here
    assert _methods(payer.client, "h5") == []


def test_the_methods_need_a_known_client(payer):
    for device in (None, "", "android"):
        answer = payer.client.get(METHODS, {} if device is None else {"client": device})
        assert answer.status_code == 400 and "client" in answer.json()["fields"]


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"gateway": "paypal"}, "gateway"),
        ({"gateway": "offline"}, "gateway"),  # the cash desk is not an online method
        ({"gateway": "wechatpay", "channel": "app"}, "channel"),
        ({"channel": ""}, "channel"),
        ({"house": "x"}, "house"),
        ({"charge_ids": ["a"]}, "charge_ids"),
        ({"idempotency_key": ""}, "idempotency_key"),
    ],
)
def test_prepay_refuses_bad_input_with_field_errors_and_writes_nothing(payer, extra, field):
    from payments.models import PaymentOrder

    body = {"house": payer.house.pk, "idempotency_key": "bad-input", **extra}
    answer = payer.client.post(PAY, body, format="json")
    assert answer.status_code == 400, answer.content
    assert field in answer.json()["fields"]
    with tenant_context(payer.company):
        assert not PaymentOrder.objects.exists()


def test_jsapi_still_needs_a_wechat_sign_in(payer):
    _forget_openid(payer)
    answer = payer.client.post(PAY, {"house": payer.house.pk, "idempotency_key": "js"}, format="json")
    assert answer.status_code == 409 and answer.json()["code"] == "wechat_login_required"


def test_an_sms_owner_pays_two_bills_in_a_browser_through_wechat_pay_h5(payer, client_for, monkeypatch):
    from payments.models import PaymentEvent, PaymentOrder
    from standins import wechatpay, wechatpay_notify

    _forget_openid(payer)
    sent = []
    monkeypatch.setattr(wechatpay_notify, "deliver", lambda delivery, delay=0.0: sent.append(delivery))
    two = [payer.charges[0].pk, payer.charges[1].pk]
    started = payer.client.post(
        PAY,
        {
            "house": payer.house.pk,
            "idempotency_key": "h5-1",
            "gateway": "wechatpay",
            "channel": "h5",
            "charge_ids": two,
        },
        format="json",
        REMOTE_ADDR="203.0.113.7",
    )
    assert started.status_code == 201, started.content
    order = started.json()
    assert order["channel"] == "h5" and order["status"] == "pending" and order["request_payment"] is None
    assert [line["item_id"] for line in order["lines"]][:2] == two
    pay_url = order["pay_url"]
    assert urlsplit(pay_url).path.startswith("/_standins/wechatpay/pay/wx") and "prepay_id=" in pay_url
    with tenant_context(payer.company):
        stored = PaymentOrder.objects.get(pk=order["id"])
        assert stored.payer_account == "" and stored.payer_ip
        sent_to_wechat = PaymentEvent.objects.filter(order=stored, to_status="pending").get().evidence
        assert sent_to_wechat["h5_url"] == pay_url
    assert wechatpay._load(stored_sub_mchid(), order["out_trade_no"])["trade_type"] == "MWEB"

    # The app appends where to come back; the cashier page offers to cancel back there, or pays.
    back = "http://alpha.localhost:8000/h5/#/pages/bills/pay-result?order=" + str(order["id"])
    phone = client_for(None)
    page_path = urlsplit(pay_url).path
    page = phone.get(page_path, {"redirect_url": back})
    assert page.status_code == 200 and order["amount"] in page.content.decode()
    assert 'data-testid="standin-pay-cancel"' in page.content.decode()
    elsewhere = phone.get(page_path, {"redirect_url": "https://evil.example/steal"})
    assert "standin-pay-cancel" not in elsewhere.content.decode()  # only to the merchant's own domain
    assert payer.client.get(f"{PAY}{order['id']}/").json()["status"] == "pending"
    form = {"mode": "once", "redirect_url": back}
    paid = phone.post(page_path + "?" + urlsplit(pay_url).query, form, format="multipart")
    assert paid.status_code == 302 and paid["Location"] == back
    assert payer.client.get(f"{PAY}{order['id']}/").json()["status"] == "pending"  # until WeChat Pay says so

    assert len(sent) == 1 and post_notification(client_for(payer.company), sent[0]).status_code == 204
    settled = payer.client.get(f"{PAY}{order['id']}/").json()
    assert settled["status"] == "paid" and settled["pay_url"] is None and settled["settled_reference"]

    # The owner's history: the online payment, labelled, with its receipt.
    history = payer.client.get("/api/v1/owner/bills/history/", {"house": payer.house.pk}).json()["results"]
    online = next(p for p in history if str(p["id"]) == settled["settled_reference"])
    assert online["method"] == "wechat" and online["method_label"] == "微信支付"
    assert online["amount"] == settled["amount"] and online["receipt_id"] and online["receipt_number"]
    assert payer.client.get(f"/api/v1/owner/receipts/{online['receipt_id']}/pdf/").status_code == 200
    bills = payer.client.get("/api/v1/owner/bills/", {"house": payer.house.pk}).json()[0]
    assert {line["id"] for line in bills["paid"]} >= set(two)


def test_the_same_request_again_answers_the_same_h5_order(payer):
    body = {"house": payer.house.pk, "idempotency_key": "h5-again", "channel": "h5"}
    first = payer.client.post(PAY, body, format="json").json()
    again = payer.client.post(PAY, body, format="json")
    assert again.status_code == 201 and again.json()["id"] == first["id"]
    assert again.json()["pay_url"] == first["pay_url"]


def test_the_stand_in_refuses_an_h5_prepay_without_the_payers_ip(payer):
    from payments.gateways import GatewayError
    from standins import wechatpay

    gateway = __import__("payments.gateways.wechatpay", fromlist=["x"]).gateway()
    with tenant_context(payer.company):
        from payments.services.merchant import wechat_merchant

        merchant = wechat_merchant(payer.company)

    class Order:
        out_trade_no = "WH5NOIP" + quote("123456")
        description = "物业费"
        amount_fen = 100
        channel = "h5"
        payer_ip = None

        from django.utils import timezone

        expires_at = timezone.now()

    with pytest.raises(GatewayError) as refused:
        gateway.prepay(Order(), merchant=merchant, payer_account="")
    assert refused.value.code == "PARAM_ERROR"
    assert wechatpay._load(merchant["sub_mchid"], Order.out_trade_no) is None


def stored_sub_mchid() -> str:
    from tests.payments.conftest import SUB_MCHIDS

    return SUB_MCHIDS["alpha"]


def test_the_quote_is_the_total_an_order_would_be_for_and_writes_nothing(payer):
    from payments.models import PaymentOrder

    two = f"{payer.charges[0].pk},{payer.charges[1].pk}"
    quote = payer.client.get("/api/v1/owner/payments/quote/", {"house": payer.house.pk, "charge_ids": two})
    assert quote.status_code == 200, quote.content
    body = quote.json()
    assert [line["item_id"] for line in body["lines"]][:2] == [payer.charges[0].pk, payer.charges[1].pk]
    everything = payer.client.get("/api/v1/owner/payments/quote/", {"house": payer.house.pk}).json()
    assert len(everything["lines"]) >= len(body["lines"])
    order = payer.client.post(
        PAY, {"house": payer.house.pk, "idempotency_key": "q", "charge_ids": two.split(",")}, format="json"
    ).json()
    assert order["amount"] == body["total"]
    with tenant_context(payer.company):
        assert PaymentOrder.objects.count() == 1
    bad = payer.client.get("/api/v1/owner/payments/quote/", {"house": payer.house.pk, "charge_ids": "1;2"})
    assert bad.status_code == 400 and "charge_ids" in bad.json()["fields"]
    gone = payer.client.get("/api/v1/owner/payments/quote/", {"house": 999999})
    assert gone.status_code == 404
