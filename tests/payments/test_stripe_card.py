"""Owners pay bills with a bank card through Stripe PaymentIntents (the stand-in): the card page, the
webhook on the public host routed to the company by the intent's metadata, credited once whatever
the order and number of deliveries, declines, forgeries, another company's metadata, idempotency,
the sweeper for a lost webhook, refunds, and the production rule on the stand-in's keys."""

from __future__ import annotations

import copy
from decimal import Decimal
from urllib.parse import urlencode, urlsplit

import pytest
from django_tenants.utils import tenant_context

from standins import stripe as standin
from standins import stripe_account, stripe_events, stripe_payments

pytestmark = pytest.mark.django_db

WEBHOOK = "/api/v1/stripe/webhook/"


@pytest.fixture(autouse=True)
def no_delivery_threads(monkeypatch):
    """The card page hands its events to Stripe's delivery (a thread in the demo); tests deliver them."""
    from standins import views

    monkeypatch.setattr(views, "_deliver_soon", lambda queue: None)


def start_card(payer, key="card-1", charge_ids=None):
    body: dict = {"house": payer.house.pk, "idempotency_key": key, "gateway": "stripe"}
    if charge_ids is not None:
        body["charge_ids"] = charge_ids
    return payer.client.post("/api/v1/owner/payments/", body, format="json")


def post_event(client_for, event=None, *, body=None, signature=None, secret=stripe_account.DEMO_WEBHOOK_SECRET):
    if event is not None:
        body, signature = stripe_events.signed(event, secret=secret)
    return client_for(None).post(WEBHOOK, data=body, content_type="application/json", HTTP_STRIPE_SIGNATURE=signature)


def deliver(client_for, events, **how):
    return [
        client_for(None).post(WEBHOOK, data=body, content_type="application/json", HTTP_STRIPE_SIGNATURE=signature)
        for body, signature in stripe_events.deliveries(events, **how)
    ]


def card_page(client_for, order, number="4242 4242 4242 4242", **extra):
    form = urlencode({"number": number, **extra})
    return client_for(None).post(
        urlsplit(order["pay_url"]).path, form, content_type="application/x-www-form-urlencoded"
    )


def ledger(payer):
    from billing.models import Allocation, Payment

    with tenant_context(payer.company):
        payments = list(Payment.objects.filter(house=payer.house))
        allocated = {a.charge_id: a.amount for a in Allocation.objects.filter(payment__in=payments)}
    return payments, allocated


def order_row(payer, order_id):
    from payments.models import PaymentOrder

    with tenant_context(payer.company):
        return PaymentOrder.objects.get(pk=order_id)


def test_an_owner_pays_by_card_and_is_credited_once_whatever_stripe_delivers(payer, client_for):
    first = payer.charges[0]
    answer = start_card(payer, charge_ids=[first.pk])
    assert answer.status_code == 201, answer.content
    order = answer.json()
    assert order["gateway"] == "stripe" and order["status"] == "pending" and order["request_payment"] is None
    intent_id = order["card"]["payment_intent"]
    assert order["card"]["client_secret"].startswith(f"{intent_id}_secret_")
    assert order["card"]["publishable_key"] == stripe_account.DEMO_PUBLISHABLE_KEY
    assert urlsplit(order["pay_url"]).path == f"/_standins/stripe/pay/{intent_id}/"
    intent = stripe_account.get_object(intent_id, "payment_intent")
    assert intent["amount"] == int(Decimal(order["amount"]) * 100) and intent["currency"] == "cny"
    assert intent["metadata"] == {
        "wuye_company_schema": payer.company.schema_name,
        "wuye_company_id": str(payer.company.pk),
        "wuye_out_trade_no": order["out_trade_no"],
    }

    page = client_for(None).get(urlsplit(order["pay_url"]).path)
    assert page.status_code == 200 and "4242" in page.content.decode()
    paid = card_page(client_for, order, return_url="/#/pages/bills/index")
    assert paid.status_code == 302 and paid["Location"] == "/#/pages/bills/index"

    events = stripe_account.take_events(intent_id)
    assert [e["type"] for e in events] == ["payment_intent.succeeded"]
    # Twice, newest first, then once more: credited once.
    answers = deliver(client_for, events, twice=True, reverse=True) + deliver(client_for, events)
    assert [a.status_code for a in answers] == [200, 200, 200]
    assert [a.json()["outcome"] for a in answers] == ["order paid", "duplicate", "duplicate"]
    shown = payer.client.get(f"/api/v1/owner/payments/{order['id']}/").json()
    assert shown["status"] == "paid" and shown["settlement"] == "allocated"
    assert shown["card"] is None and shown["pay_url"] is None
    payments, allocated = ledger(payer)
    assert [(p.method, p.amount) for p in payments] == [("card", Decimal(order["amount"]))]
    assert allocated[first.pk] == first.amount
    assert payments[0].reference == intent_id and payments[0].idempotency_key == f"pay:{order['out_trade_no']}"
    with tenant_context(payer.company):
        from payments.models import GatewayEvent

        assert list(GatewayEvent.objects.values_list("event_id", "outcome")) == [(events[0]["id"], "order paid")]


def test_a_declined_card_leaves_the_order_payable_and_a_late_failure_undoes_nothing(payer, client_for):
    order = start_card(payer, key="declined").json()
    intent_id = order["card"]["payment_intent"]
    declined = card_page(client_for, order, number="4000 0000 0000 0002")
    assert declined.status_code == 200 and "被拒" in declined.content.decode()
    poor = card_page(client_for, order, number="4000000000009995")
    assert "余额不足" in poor.content.decode()
    failures = stripe_account.take_events(intent_id)
    assert [e["type"] for e in failures] == ["payment_intent.payment_failed"] * 2
    assert failures[1]["data"]["object"]["last_payment_error"]["decline_code"] == "insufficient_funds"
    assert [a.json()["outcome"] for a in deliver(client_for, failures[:1])] == ["order pending"]
    assert payer.client.get(f"/api/v1/owner/payments/{order['id']}/").json()["status"] == "pending"
    assert ledger(payer)[0] == []

    assert card_page(client_for, order).status_code == 200  # another card: paid
    success = stripe_account.take_events(intent_id)
    deliver(client_for, success)
    late = deliver(client_for, failures[1:])  # the second failure arrives after the success
    assert late[0].status_code == 200 and late[0].json()["outcome"] == "order paid"
    assert payer.client.get(f"/api/v1/owner/payments/{order['id']}/").json()["status"] == "paid"
    assert len(ledger(payer)[0]) == 1


def test_the_success_event_arriving_before_anything_else_is_read_back_and_applied(payer, client_for):
    order = start_card(payer, key="early").json()
    intent_id = order["card"]["payment_intent"]
    stripe_payments.confirm_with_card(intent_id, "4242424242424242")
    event = stripe_account.take_events(intent_id)[0]
    stale = copy.deepcopy(event)
    stale["data"]["object"]["status"] = "requires_payment_method"  # an old snapshot in the event
    assert post_event(client_for, stale).json()["outcome"] == "order paid"  # the intent as it is now
    assert post_event(client_for, event).json()["outcome"] == "duplicate"


def test_forged_and_replayed_signatures_are_refused(payer, client_for):
    order = start_card(payer, key="forged").json()
    intent_id = order["card"]["payment_intent"]
    stripe_payments.confirm_with_card(intent_id, "4242424242424242")
    event = stripe_account.take_events(intent_id)[0]
    assert post_event(client_for, event, secret="whsec_somebodyElse000000000000").status_code == 400
    body, signature = stripe_events.signed(event)
    assert post_event(client_for, body=body.replace(b'"cny"', b'"usd"'), signature=signature).status_code == 400
    old_body, old_signature = stripe_events.signed(event, at=1_700_000_000)
    assert post_event(client_for, body=old_body, signature=old_signature).status_code == 400
    assert post_event(client_for, body=body, signature="").status_code == 400
    assert order_row(payer, order["id"]).status == "pending"
    assert post_event(client_for, event).status_code == 200


def test_an_event_naming_another_company_is_refused_and_touches_neither(payer, client_for, company_b):
    from tests.payments.conftest import make_payer

    payer_b = make_payer(company_b, client_for, username="card-b")
    order = start_card(payer, key="cross").json()
    intent_id = order["card"]["payment_intent"]
    stripe_payments.confirm_with_card(intent_id, "4242424242424242")
    event = stripe_account.take_events(intent_id)[0]

    # The event's own metadata says beta while its intent is alpha's: refused.
    claimed = copy.deepcopy(event)
    claimed["id"] = "evt_claims_beta"
    claimed["data"]["object"]["metadata"]["wuye_company_schema"] = company_b.schema_name
    claimed["data"]["object"]["metadata"]["wuye_company_id"] = str(company_b.pk)
    assert post_event(client_for, claimed).status_code == 400

    # An intent really made for beta (same account) that names alpha's order: routed to beta, where
    # that out_trade_no does not exist.
    beta_intent = standin.handle(
        "POST",
        "/v1/payment_intents",
        {"authorization": f"Bearer {stripe_account.DEMO_SECRET_KEY}"},
        f"amount={int(Decimal(order['amount']) * 100)}&currency=cny"
        f"&metadata[wuye_company_schema]={company_b.schema_name}&metadata[wuye_company_id]={company_b.pk}"
        f"&metadata[wuye_out_trade_no]={order['out_trade_no']}",
    )[1]
    stripe_payments.confirm_with_card(beta_intent["id"], "4242424242424242")
    assert post_event(client_for, stripe_account.take_events(beta_intent["id"])[0]).status_code == 404

    # Schema of one company, id of the other: no company.
    mixed = stripe_payments.confirm_with_card(
        standin.handle(
            "POST",
            "/v1/payment_intents",
            {"authorization": f"Bearer {stripe_account.DEMO_SECRET_KEY}"},
            f"amount=100&currency=cny&metadata[wuye_company_schema]={payer.company.schema_name}"
            f"&metadata[wuye_company_id]={company_b.pk}&metadata[wuye_out_trade_no]={order['out_trade_no']}",
        )[1]["id"],
        "4242424242424242",
    )[0]
    assert post_event(client_for, stripe_account.take_events(mixed["id"])[0]).status_code == 400

    assert order_row(payer, order["id"]).status == "pending"
    assert ledger(payer)[0] == [] and ledger(payer_b)[0] == []
    assert post_event(client_for, event).json()["outcome"] == "order paid"  # the genuine one still works


def test_creating_is_idempotent_at_stripe(payer, client_for):
    from payments import gateways

    order = start_card(payer, key="idem").json()
    again = start_card(payer, key="idem").json()
    assert again["id"] == order["id"] and again["card"] == order["card"]
    row = order_row(payer, order["id"])
    with tenant_context(payer.company):
        retried = gateways.get("stripe").prepay(
            row,
            merchant={"company_schema": payer.company.schema_name, "company_id": str(payer.company.pk)},
            payer_account="",
        )
    assert retried.reference == order["card"]["payment_intent"]  # the same key: the same PaymentIntent
    auth = {
        "authorization": f"Bearer {stripe_account.DEMO_SECRET_KEY}",
        "idempotency-key": f"wuye-pi-{row.out_trade_no}",
    }
    status, body, _headers = standin.handle("POST", "/v1/payment_intents", auth, "amount=1&currency=cny")
    assert status == 400 and body["error"]["type"] == "idempotency_error"


def test_the_sweeper_settles_a_payment_whose_webhook_was_lost(payer, client_for):
    from datetime import timedelta

    from django.utils import timezone

    from payments.services import sweeper

    order = start_card(payer, key="lost").json()
    stripe_payments.confirm_with_card(order["card"]["payment_intent"], "4242424242424242")
    stripe_account.take_events(order["card"]["payment_intent"])  # never delivered
    with tenant_context(payer.company):
        counts = sweeper.sweep(now=timezone.now() + timedelta(minutes=2))
        again = sweeper.sweep(now=timezone.now() + timedelta(minutes=3))
    assert counts["paid"] == 1 and again["asked"] == 0
    assert order_row(payer, order["id"]).status == "paid" and len(ledger(payer)[0]) == 1


def test_an_expired_unpaid_intent_is_cancelled_at_stripe(payer, client_for):
    from datetime import timedelta

    from django.utils import timezone

    from payments.services import sweeper

    order = start_card(payer, key="expire").json()
    with tenant_context(payer.company):
        counts = sweeper.sweep(now=timezone.now() + timedelta(days=1))
    assert counts["closed"] == 1 and order_row(payer, order["id"]).status == "closed"
    intent = stripe_account.get_object(order["card"]["payment_intent"], "payment_intent")
    assert intent["status"] == "canceled"
    assert post_event(client_for, stripe_account.take_events(intent["id"])[0]).json()["outcome"] == "order closed"


def paid_and_refund_due(payer, client_for, key):
    """A card order paid and credited, then found paid elsewhere meanwhile: its money is due back."""
    from payments.models import PaymentOrder, Settlement

    order = start_card(payer, key=key).json()
    intent_id = order["card"]["payment_intent"]
    stripe_payments.confirm_with_card(intent_id, "4242424242424242")
    deliver(client_for, stripe_account.take_events(intent_id))
    with tenant_context(payer.company):
        PaymentOrder.objects.filter(pk=order["id"]).update(settlement=Settlement.REFUND_DUE)
    return order, intent_id, order_row(payer, order["id"])


def test_a_refund_goes_through_stripe_once_and_its_events_apply_it(payer, client_for):
    from payments.models import PaymentRefund
    from payments.services import refunds

    order, intent_id, row = paid_and_refund_due(payer, client_for, "refund")
    with tenant_context(payer.company):
        first = refunds.refund_lost_race(order_id=row.pk)
        assert first is not None and PaymentRefund.objects.get(pk=first.pk).status == "refunded"
        again = refunds.refund_lost_race(order_id=row.pk)  # asked again: the same refund, no more money
        assert again is not None and again.pk == first.pk
        assert PaymentRefund.objects.filter(order_id=row.pk).count() == 1
    refunded = order_row(payer, order["id"])
    assert refunded.status == "refunded" and refunded.refunded_amount == Decimal(order["amount"])
    events = stripe_account.take_events(intent_id)
    assert [e["type"] for e in events] == ["charge.refunded", "refund.updated"]
    assert [a.status_code for a in deliver(client_for, events, twice=True)] == [200] * 4
    assert (
        len(
            standin.handle(
                "GET",
                "/v1/refunds",
                {"authorization": f"Bearer {stripe_account.DEMO_SECRET_KEY}"},
                "",
                query=f"payment_intent={intent_id}",
            )[1]["data"]
        )
        == 1
    )


def test_a_refund_reported_only_by_webhook_is_applied(payer, client_for):
    from payments import gateways
    from payments.services import refunds

    order, intent_id, row = paid_and_refund_due(payer, client_for, "refund-hook")
    with tenant_context(payer.company):
        merchant = {"company_schema": payer.company.schema_name, "company_id": str(payer.company.pk)}
        # The lost race's refund, asked for (its outbox message not yet run); Stripe's answer is lost.
        number = refunds.request_refund(row, row.amount, refunds.LOST_RACE_REASON, "", source="lost_race").out_refund_no
        state = gateways.get("stripe").refund(
            row, merchant=merchant, out_refund_no=number, amount_fen=row.amount_fen, reason="x"
        )
    assert state.state == "refunded" and order_row(payer, order["id"]).status == "paid"
    answers = deliver(client_for, stripe_account.take_events(intent_id), reverse=True)
    assert [a.json()["outcome"] for a in answers] == ["order refunded", "order refunded"]
    assert order_row(payer, order["id"]).status == "refunded"


def test_the_card_page_never_sends_the_owner_elsewhere_and_exists_only_in_the_demo(payer, client_for, settings):
    order = start_card(payer, key="page").json()
    path = urlsplit(order["pay_url"]).path
    outside = card_page(client_for, order, number="4000000000000002", return_url="https://evil.example/")
    assert "evil.example" not in outside.content.decode()
    paid = card_page(client_for, order, return_url="//evil.example/x")
    assert paid.status_code == 200
    assert client_for(None).get("/_standins/stripe/pay/pi_nosuch/").status_code == 404
    settings.DEMO = False
    assert client_for(None).get(path).status_code == 404


def test_card_payments_are_off_without_keys_and_refuse_the_stand_in_keys_in_production(payer, settings):
    from core import adapters
    from payments import gateways

    settings.STRIPE_BACKEND = "stripe"
    settings.STRIPE_SECRET_KEY = "sk_live_realLookingKey000000000000000000"
    settings.STRIPE_WEBHOOK_SECRET = "whsec_realLookingSecret0000000000000000"
    settings.STRIPE_PUBLISHABLE_KEY = ""
    answer = start_card(payer, key="off")
    assert answer.status_code == 409 and answer.json()["code"] == "stripe_not_configured"

    settings.STRIPE_PUBLISHABLE_KEY = stripe_account.DEMO_PUBLISHABLE_KEY
    assert any("STRIPE_PUBLISHABLE_KEY" in problem for _code, problem in adapters.problems())
    settings.DEBUG, settings.DEMO = False, False
    with pytest.raises(gateways.GatewayError):
        gateways.get("stripe")
    settings.STRIPE_PUBLISHABLE_KEY = "pk_live_realLookingKey00000000000000000"
    real = gateways.get("stripe")
    assert real.standin_page is False and real.channels == ("h5",)  # real Stripe: our own card page
    assert not any("stand-in's key" in problem for _code, problem in adapters.problems())


def test_the_gateway_parses_only_what_stripe_signed(payer):
    from payments import gateways
    from payments.gateways import VerificationFailed

    order = start_card(payer, key="parse").json()
    stripe_payments.confirm_with_card(order["card"]["payment_intent"], "4242424242424242")
    event = stripe_account.take_events(order["card"]["payment_intent"])[0]
    body, signature = stripe_events.signed(event)
    note = gateways.get("stripe").parse_notification({"Stripe-Signature": signature}, body)
    assert note.event == "payment_intent.succeeded" and note.event_id == event["id"]
    assert note.payment is not None and note.payment.state == "paid"
    assert (
        note.payment.out_trade_no == order["out_trade_no"] and note.payment.reference == event["data"]["object"]["id"]
    )
    assert "client_secret" not in note.payment.raw
    with pytest.raises(VerificationFailed):
        gateways.get("stripe").parse_notification({"Stripe-Signature": signature}, body + b" ")
