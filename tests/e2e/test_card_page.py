"""The owner's card page (payments.api.card_page) in a real browser under its real Content-Security-
Policy: Stripe.js (a stand-in script served for https://js.stripe.com/v3/ by the browser's router —
the machine has no network) mounts its element, a declined card leaves the payer on the page with
Stripe's message, a good card goes back to the app, and the order is paid only once Stripe's signed
webhook reached the live server.

"Stripe" here: the browser's calls to https://api.stripe.com are answered from the Stripe stand-in
(its PaymentIntent confirm), whose events this test delivers to the live server's webhook as Stripe
would."""

from __future__ import annotations

import json
import time
import urllib.request
import uuid
from urllib.parse import quote

import pytest

from tests.e2e.conftest import PHONE, screenshot

pytestmark = pytest.mark.e2e

# What the page uses of Stripe.js, nothing more: Stripe(), elements(), create("payment"), on(),
# mount(), confirmPayment() — the last one calls api.stripe.com, as Stripe.js does.
FAKE_STRIPE_JS = """
window.Stripe = function (key, options) {
  let secret = '';
  return {
    elements(opts) {
      secret = opts.clientSecret;
      return {
        create(kind) {
          const handlers = {};
          return {
            on(name, fn) { handlers[name] = fn; },
            mount(node) {
              node.textContent = '';
              const input = document.createElement('input');
              input.setAttribute('data-testid', 'fake-card-number');
              node.appendChild(input);
              setTimeout(() => handlers.ready && handlers.ready(), 0);
            },
          };
        },
      };
    },
    async confirmPayment(params) {
      const id = secret.split('_secret_')[0];
      const card = document.querySelector('[data-testid=fake-card-number]').value;
      const answer = await fetch('https://api.stripe.com/v1/payment_intents/' + id + '/confirm', {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: 'card=' + encodeURIComponent(card) + '&key=' + encodeURIComponent(key),
      });
      const body = await answer.json();
      return answer.ok ? { paymentIntent: body } : { error: body.error };
    },
  };
};
"""


def test_an_owner_pays_on_our_card_page_under_its_csp_and_the_webhook_settles_it(
    new_context, live_stack, in_company_db, client_for, django_db_blocker
):
    from playwright.sync_api import expect

    from payments import selectors
    from payments.models import PaymentOrder
    from standins import stripe_account, stripe_events, stripe_payments
    from tests.payments.conftest import make_payer

    tag = uuid.uuid4().hex[:6]
    with in_company_db("alpha") as company:
        payer = make_payer(company, client_for, username=f"card-e2e-{tag}")
        with django_db_blocker.unblock():
            body = {"house": payer.house.pk, "idempotency_key": f"card-e2e-{tag}", "gateway": "stripe"}
            answer = payer.client.post("/api/v1/owner/payments/", body, format="json")
        assert answer.status_code == 201, answer.content
        order = answer.json()
    with in_company_db("alpha") as company:
        path = selectors.card_page_path(company.schema_name, PaymentOrder.objects.get(pk=order["id"]))
    intent_id = order["card"]["payment_intent"]
    back = live_stack.url("alpha", f"/h5/#/pages/pay/result?id={order['id']}")
    webhook = live_stack.url(None, "/api/v1/stripe/webhook/")
    confirms: list[str] = []

    def stripe_api(route):
        """api.stripe.com's PaymentIntent confirm, answered by the stand-in; its events go to our webhook."""
        form = dict(part.split("=", 1) for part in (route.request.post_data or "").split("&") if "=" in part)
        card = urllib.request.unquote(form.get("card", ""))
        confirms.append(card)
        intent, _decline = stripe_payments.confirm_with_card(intent_id, card)
        cors = {"Access-Control-Allow-Origin": "*"}
        for event_body, signature in stripe_events.deliveries(stripe_account.take_events(intent_id)):
            request = urllib.request.Request(
                webhook,
                data=event_body,
                headers={"Stripe-Signature": signature, "Content-Type": "application/json"},
            )
            with urllib.request.urlopen(request, timeout=10) as delivered:
                assert delivered.status == 200
        if intent["status"] != "succeeded":
            error = dict(intent["last_payment_error"])
            route.fulfill(status=402, headers=cors, content_type="application/json", body=json.dumps({"error": error}))
        else:
            route.fulfill(status=200, headers=cors, content_type="application/json", body=json.dumps(intent))

    phone = new_context(**PHONE).new_page()
    violations: list[str] = []
    phone.on(
        "console",
        lambda message: violations.append(message.text) if "Content Security Policy" in message.text else None,
    )
    phone.route(
        "https://js.stripe.com/v3/", lambda route: route.fulfill(content_type="text/javascript", body=FAKE_STRIPE_JS)
    )
    phone.route("https://api.stripe.com/**", stripe_api)

    response = phone.goto(live_stack.url("alpha", f"{path}?redirect_url={quote(back, safe='')}"))
    assert response is not None and response.status == 200
    assert "script-src 'self' https://js.stripe.com" in response.headers["content-security-policy"]
    expect(phone.get_by_test_id("card-page-amount")).to_have_text(f"¥{float(order['amount']):,.2f}")
    pay = phone.get_by_test_id("card-page-pay")
    expect(pay).to_be_enabled()  # our module ran (CSP let it) and Stripe's element said it is ready

    phone.get_by_test_id("fake-card-number").fill("4000 0000 0000 0002")
    pay.click()
    expect(phone.get_by_test_id("card-page-message")).to_have_text("Your card was declined.")
    expect(pay).to_be_enabled()
    screenshot(phone, "card-page-declined")
    with in_company_db("alpha"):
        assert PaymentOrder.objects.get(pk=order["id"]).status == "pending"

    phone.get_by_test_id("fake-card-number").fill("4242 4242 4242 4242")
    pay.click()
    phone.wait_for_url(lambda url: url.startswith(live_stack.url("alpha", "/h5/")))  # back in the app
    assert confirms == ["4000 0000 0000 0002", "4242 4242 4242 4242"]
    deadline = time.monotonic() + 15
    status = ""
    while time.monotonic() < deadline:
        with in_company_db("alpha"):
            status = PaymentOrder.objects.get(pk=order["id"]).status
        if status == "paid":
            break
        time.sleep(0.3)
    assert status == "paid"  # by the webhook, before and whatever the browser said

    again = phone.goto(live_stack.url("alpha", path))
    assert again is not None and again.status == 200
    expect(phone.get_by_test_id("card-page-status")).to_contain_text("已支付成功")
    assert violations == []
