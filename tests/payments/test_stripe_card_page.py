"""The owner's card page, served by us on the company's host (payments.api.card_page): what it shows,
its headers, who may open it (the link's key, the company), orders that can no longer be paid, the
way back into the app, and the production rules for the keys it needs.

The production path runs against the Stripe stand-in's API in-process (the real client with real
keys' shapes, no network): the page is ours whatever answers the API; Stripe.js itself only runs in a
browser with the network (its logic, card_page.mjs, is tested with `node --test tests/payments/js/`)."""

from __future__ import annotations

import logging
from datetime import timedelta
from decimal import Decimal
from urllib.parse import quote, urlsplit

import pytest
import stripe
from django.utils import timezone
from django_tenants.utils import tenant_context

from standins import stripe as standin
from standins import stripe_account, stripe_events, stripe_payments
from tests.payments.test_stripe_card import order_row, start_card

pytestmark = pytest.mark.django_db

CSP = (
    "default-src 'none'; script-src 'self' https://js.stripe.com; "
    "frame-src https://js.stripe.com https://hooks.stripe.com; connect-src https://api.stripe.com; "
    "style-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
LIVE = {
    "STRIPE_SECRET_KEY": "sk_live_realLookingKey000000000000000000",
    "STRIPE_WEBHOOK_SECRET": "whsec_realLookingSecret0000000000000000",
    "STRIPE_PUBLISHABLE_KEY": "pk_live_realLookingKey00000000000000000",
}


@pytest.fixture
def real_stripe(settings, monkeypatch):
    """STRIPE_BACKEND "stripe" with a real account's keys and api.stripe.com, whose answers come from
    the stand-in in-process (its own key opens it)."""
    from subscriptions import gateway as subscription_gateway

    settings.STRIPE_BACKEND = "stripe"
    settings.STRIPE_API_BASE = "https://api.stripe.com"
    for name, value in LIVE.items():
        setattr(settings, name, value)

    def client() -> stripe.StripeClient:
        session = standin.in_process_session(settings.STRIPE_API_BASE)
        return stripe.StripeClient(
            stripe_account.DEMO_SECRET_KEY,
            base_addresses={"api": settings.STRIPE_API_BASE},
            http_client=stripe.RequestsClient(session=session),
        )

    monkeypatch.setattr(subscription_gateway, "client", client)
    return settings


def page_of(payer, client_for, order: dict, *, path: str | None = None, back: str | None = None, **headers):
    target = path or urlsplit(order["pay_url"]).path
    if back is not None:
        target += "?redirect_url=" + quote(back, safe="")
    return client_for(payer.company).get(target, **headers)


def link(company, order: dict) -> str:
    from payments import selectors

    with tenant_context(company):
        return selectors.card_page_path(company.schema_name, order_row_of(company, order["id"]))


def order_row_of(company, order_id):
    from payments.models import PaymentOrder

    with tenant_context(company):
        return PaymentOrder.objects.get(pk=order_id)


def test_with_real_stripe_the_app_opens_our_card_page_which_shows_what_is_paid(payer, client_for, real_stripe):
    first, second = payer.charges[0], payer.charges[1]
    answer = start_card(payer, key="prod-1", charge_ids=[first.pk, second.pk])
    assert answer.status_code == 201, answer.content
    order = answer.json()
    assert order["card"]["publishable_key"] == LIVE["STRIPE_PUBLISHABLE_KEY"]
    assert order["pay_url"] == link(payer.company, order)  # ours, on this host — no provider page
    assert order["pay_url"].startswith(f"/pay/card/{order['out_trade_no']}/")

    back = f"http://{payer.company.slug}.localhost/h5/#/pages/pay/result?id={order['id']}"
    page = page_of(payer, client_for, order, back=back)
    assert page.status_code == 200
    assert page["Content-Security-Policy"] == CSP
    assert page["Cache-Control"] == "no-store"
    assert page["Referrer-Policy"] == "same-origin"
    html = page.content.decode()
    company_name = payer.company.display_name or payer.company.name
    assert f'data-testid="card-page-company">{company_name}<' in html
    assert f'data-testid="card-page-amount">¥{Decimal(order["amount"]):,.2f}<' in html
    for line in order["lines"]:
        assert line["name"] and line["name"] in html
    assert '<script src="https://js.stripe.com/v3/"></script>' in html
    assert '<script type="module" src="/static/payments/card_page.mjs"></script>' in html
    assert f'data-client-secret="{order["card"]["client_secret"]}"' in html
    assert f'data-publishable-key="{LIVE["STRIPE_PUBLISHABLE_KEY"]}"' in html
    assert 'data-return-url="' + back.replace("&", "&amp;") + '"' in html
    assert 'data-testid="card-page-cancel">' in html and f'href="{back}"' in html
    assert "<script>" not in html and " style=" not in html and "onclick" not in html  # nothing inline

    # Paying in the browser (what Stripe.js does) settles nothing by itself: the verified webhook does.
    intent_id = order["card"]["payment_intent"]
    stripe_payments.confirm(intent_id, "pm_card_visa")
    assert order_row(payer, order["id"]).status == "pending"
    events = stripe_account.take_events(intent_id)
    body, signature = stripe_events.signed(events[0], secret=LIVE["STRIPE_WEBHOOK_SECRET"])
    delivered = client_for(None).post(
        "/api/v1/stripe/webhook/", data=body, content_type="application/json", HTTP_STRIPE_SIGNATURE=signature
    )
    assert delivered.status_code == 200 and delivered.json()["outcome"] == "order paid"
    paid = page_of(payer, client_for, order, path=link(payer.company, order), back=back).content.decode()
    assert 'data-testid="card-page-status">该订单已支付成功' in paid
    assert "js.stripe.com" not in paid and order["card"]["client_secret"] not in paid
    assert 'data-testid="card-page-pay"' not in paid


def test_the_page_speaks_english_to_an_english_browser(payer, client_for, real_stripe):
    order = start_card(payer, key="prod-en").json()
    html = page_of(payer, client_for, order, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="en">' in html and "Card payment" in html and "Amount due" in html and 'data-locale="en"' in html
    assert "银行卡支付" not in html


def test_a_wrong_key_or_another_companys_order_is_a_bare_404(payer, client_for, company_b):
    order = start_card(payer, key="keys").json()
    good = link(payer.company, order)
    assert page_of(payer, client_for, order, path=good).status_code == 200
    out_trade_no, key = good.strip("/").split("/")[2:]
    other = "0" if key[-1] != "0" else "1"
    for wrong in (
        f"/pay/card/{out_trade_no}/{key[:-1]}{other}/",
        f"/pay/card/{out_trade_no}/{key[:20]}/",
        f"/pay/card/{out_trade_no}/x/",
        f"/pay/card/{out_trade_no.lower()}/{key}/",
        f"/pay/card/W00000000000000ABCDEFGHJKLM/{key}/",
    ):
        answer = page_of(payer, client_for, order, path=wrong)
        assert answer.status_code == 404, wrong
        assert out_trade_no not in answer.content.decode() and len(answer.content) < 64
        assert answer["Cache-Control"] == "no-store"

    # alpha's link on beta's host, and a key made for beta's schema: neither opens alpha's order.
    on_b = client_for(company_b).get(good)
    assert on_b.status_code == 404 and out_trade_no not in on_b.content.decode()
    from payments import selectors

    beta_key = selectors.card_page_key(company_b.schema_name, out_trade_no)
    assert client_for(company_b).get(f"/pay/card/{out_trade_no}/{beta_key}/").status_code == 404
    assert client_for(payer.company).get(f"/pay/card/{out_trade_no}/{beta_key}/").status_code == 404
    assert client_for(payer.company).post(good).status_code == 405


def test_expired_and_closed_orders_say_so_and_offer_no_form(payer, client_for):
    order = start_card(payer, key="late").json()
    path = link(payer.company, order)
    from payments.models import PaymentOrder

    with tenant_context(payer.company):
        PaymentOrder.objects.filter(pk=order["id"]).update(expires_at=timezone.now() - timedelta(seconds=1))
    expired = client_for(payer.company).get(path).content.decode()
    assert 'data-state="expired"' in expired and "已超过支付期限" in expired
    assert "js.stripe.com" not in expired and order["card"]["client_secret"] not in expired

    with tenant_context(payer.company):
        PaymentOrder.objects.filter(pk=order["id"]).update(status="closed")
    closed = client_for(payer.company).get(path).content.decode()
    assert 'data-state="closed"' in closed and "该订单已关闭" in closed and "js.stripe.com" not in closed


def test_the_way_back_is_only_into_this_host(payer, client_for, company_b):
    order = start_card(payer, key="back").json()
    path = link(payer.company, order)
    own = f"http://{payer.company.slug}.localhost/h5/#/pages/bills/index"
    for back, expected in (
        (own, own),
        ("/h5/#/pages/bills/index", "/h5/#/pages/bills/index"),
        ("https://evil.example/h5/", "/h5/"),
        ("//evil.example/h5/", "/h5/"),
        ("javascript:alert(1)", "/h5/"),
        (f"http://{company_b.slug}.localhost/h5/", "/h5/"),  # another company's app: not from here
    ):
        html = page_of(payer, client_for, order, path=path, back=back).content.decode()
        assert 'data-testid="card-page-cancel">' in html
        assert f'href="{expected}" data-testid="card-page-cancel"' in html, back
    relative = page_of(payer, client_for, order, path=path, back="/h5/#/x").content.decode()
    assert f'data-return-url="http://{payer.company.slug}.localhost/h5/#/x"' in relative  # Stripe wants it absolute


def test_a_secret_key_without_its_publishable_key_offers_no_card_and_logs_an_error(
    payer, client_for, real_stripe, caplog
):
    from payments.services import methods

    def h5() -> list[str]:
        with tenant_context(payer.company):
            return [m.gateway for m in methods.available(company=payer.company, user=payer.user, client="h5")]

    assert "stripe" in h5()
    for publishable in ("", "sk_live_notPublishable0000000000000", "pk_test_otherMode000000000000000"):
        real_stripe.STRIPE_PUBLISHABLE_KEY = publishable
        caplog.clear()
        with caplog.at_level(logging.ERROR, logger="payments.gateways.stripe"):
            assert "stripe" not in h5()
        assert any(r.levelno == logging.ERROR and "card payments are off" in r.getMessage() for r in caplog.records)
        refused = start_card(payer, key=f"mis-{len(publishable)}")
        assert refused.status_code == 409 and refused.json()["code"] == "stripe_not_configured"
    listed = payer.client.get("/api/v1/owner/payments/methods/?client=h5").json()
    assert [m["gateway"] for m in listed if m["gateway"] == "stripe"] == []


def test_production_refuses_to_start_with_a_secret_key_but_no_usable_publishable_key(real_stripe):
    from django.core.exceptions import ImproperlyConfigured

    from core import adapters

    real_stripe.DEBUG, real_stripe.DEMO = False, False

    def stripe_problems() -> list[str]:
        return [problem for _code, problem in adapters.problems() if "PUBLISHABLE" in problem]

    assert stripe_problems() == []
    real_stripe.STRIPE_PUBLISHABLE_KEY = ""
    assert stripe_problems() == [
        "STRIPE_PUBLISHABLE_KEY 未设置（业主银行卡支付需要）/ STRIPE_PUBLISHABLE_KEY is not set (owners' card payments need it)"
    ]
    with pytest.raises(ImproperlyConfigured, match="STRIPE_PUBLISHABLE_KEY is not set"):
        adapters.refuse_unsafe_start()
    real_stripe.STRIPE_PUBLISHABLE_KEY = "pk_test_otherMode000000000000000"
    assert "different modes" in stripe_problems()[0]
    real_stripe.STRIPE_PUBLISHABLE_KEY = "rk_live_restricted00000000000000"
    assert "not a publishable key" in stripe_problems()[0]
