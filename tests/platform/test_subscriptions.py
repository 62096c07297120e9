"""The SaaS subscription end to end against the Stripe stand-in: Checkout, webhooks (verified, once,
in any order, never across companies), trial → grace → suspension → resumption, and who may see what."""

from __future__ import annotations

import json
import time
from datetime import timedelta

import pytest
from django.utils import timezone
from django_tenants.utils import tenant_context

from accounts import services as account_services
from accounts.models import AuditEvent, User
from companies.models import Plan, Subscription, SubscriptionStatus
from standins import stripe as standin
from standins import stripe_account, stripe_events
from subscriptions.models import CheckoutRequest, StripeEvent, SubscriptionInvoice
from subscriptions.services import lifecycle
from subscriptions.tasks import check_subscriptions

pytestmark = pytest.mark.django_db

WEBHOOK = "/api/v1/stripe/webhook/"


@pytest.fixture(autouse=True)
def prices():
    standin.ensure_demo_prices()
    Plan.objects.filter(code="standard").update(stripe_price_id="price_wuye_standard_monthly")
    Plan.objects.filter(code="pro").update(stripe_price_id="price_wuye_pro_monthly")


@pytest.fixture
def public(client_for):
    return client_for(None)


def deliver(public, event: dict, *, secret: str = stripe_account.DEMO_WEBHOOK_SECRET, at: int | None = None, body=None):
    payload, signature = stripe_events.signed(event, secret=secret, at=at)
    return public.post(
        WEBHOOK,
        data=body if body is not None else payload,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=signature,
    )


def subscription_of(company) -> Subscription:
    return Subscription.objects.get(company=company)


def checkout(client_for, company, plan: str = "standard") -> tuple[CheckoutRequest, list[dict]]:
    """The admin subscribes and pays on the Checkout page; the events Stripe then has to send."""
    response = client_for(company, "admin").post("/api/v1/subscription/checkout/", {"plan": plan}, format="json")
    assert response.status_code == 200, response.content
    request = CheckoutRequest.objects.get(company=company, status="open")
    assert response.json()["url"] == request.url
    assert f"/_standins/stripe/checkout/{request.stripe_session_id}/" in request.url
    stripe_events.complete_checkout(request.stripe_session_id)
    return request, stripe_account.take_events(subscription_of(company).stripe_customer_id)


# --- Checkout -----------------------------------------------------------------------------------


def test_subscribing_through_checkout_activates_the_plan_and_records_the_invoice(client_for, company_a, public):
    request, events = checkout(client_for, company_a)
    assert [e["type"] for e in events] == [
        "customer.subscription.created",
        "invoice.paid",
        "checkout.session.completed",
    ]
    for event in events:
        assert deliver(public, event).status_code == 200
    subscription = subscription_of(company_a)
    assert subscription.status == SubscriptionStatus.ACTIVE
    assert subscription.plan.code == "standard"
    assert subscription.stripe_subscription_id.startswith("sub_")
    assert subscription.current_period_end is not None
    request.refresh_from_db()
    assert request.status == "completed"
    invoice = SubscriptionInvoice.objects.get(company=company_a)
    assert (invoice.status, str(invoice.amount_paid), invoice.currency) == ("paid", "999.00", "cny")
    page = client_for(company_a, "admin").get("/api/v1/subscription/invoices/").json()
    assert [row["amount_paid"] for row in page["results"]] == ["999.00"]


def test_the_checkout_session_is_created_with_our_row_as_its_idempotency_key(client_for, company_a, monkeypatch):
    seen: list[tuple[str, str]] = []
    real = standin.handle

    def spy(method, path, headers, body, **kwargs):
        seen.append((path, headers.get("idempotency-key", "")))
        return real(method, path, headers, body, **kwargs)

    monkeypatch.setattr(standin, "handle", spy)
    client_for(company_a, "admin").post("/api/v1/subscription/checkout/", {"plan": "pro"}, format="json")
    request = CheckoutRequest.objects.get(company=company_a)
    assert ("/v1/checkout/sessions", f"wuye-checkout-{request.pk}") in seen
    form = standin.parse_form
    assert form("metadata[wuye_company_id]=7&line_items[0][price]=p&line_items[0][quantity]=1") == {
        "metadata": {"wuye_company_id": "7"},
        "line_items": [{"price": "p", "quantity": "1"}],
    }


def test_the_stand_in_refuses_an_idempotency_key_reused_with_other_parameters():
    headers = {"authorization": f"Bearer {stripe_account.DEMO_SECRET_KEY}", "idempotency-key": f"k-{time.time()}"}
    status, first, _ = standin.handle("POST", "/v1/customers", headers, "name=A")
    assert status == 200
    status, again, replayed = standin.handle("POST", "/v1/customers", headers, "name=A")
    assert (status, again["id"], replayed) == (200, first["id"], {"Idempotent-Replayed": "true"})
    status, refused, _ = standin.handle("POST", "/v1/customers", headers, "name=B")
    assert status == 400 and refused["error"]["type"] == "idempotency_error"
    status, _body, _ = standin.handle("POST", "/v1/customers", {"authorization": "Bearer sk_test_wrong"}, "")
    assert status == 401


def test_a_plan_the_company_has_outgrown_or_without_a_price_cannot_be_bought(client_for, company_a):
    admin = client_for(company_a, "admin")
    Plan.objects.create(
        code="mini", name="迷你版", max_houses=0, max_staff=1, stripe_price_id="price_wuye_standard_monthly"
    )
    response = admin.post("/api/v1/subscription/checkout/", {"plan": "mini"}, format="json")
    assert response.status_code == 400 and "plan" in response.json()["fields"]
    assert "员工账号" in response.json()["fields"]["plan"][0]
    assert admin.post("/api/v1/subscription/checkout/", {"plan": "trial"}, format="json").status_code == 400
    assert not CheckoutRequest.objects.filter(company=company_a).exists()


def test_the_portal_link_needs_a_stripe_customer(client_for, company_a):
    admin = client_for(company_a, "admin")
    assert admin.post("/api/v1/subscription/portal/").status_code == 409
    checkout(client_for, company_a)
    response = admin.post("/api/v1/subscription/portal/")
    assert response.status_code == 200 and "/_standins/stripe/portal/bps_" in response.json()["url"]


# --- changing plan: in place, checked against usage, never a second subscription ----------------


def _subscribed(client_for, company, public, plan: str = "standard") -> Subscription:
    _request, events = checkout(client_for, company, plan)
    for event in events:
        assert deliver(public, event).status_code == 200
    return subscription_of(company)


def test_a_paying_company_changes_plan_in_place_not_by_a_second_subscription(client_for, company_a, public):
    before = _subscribed(client_for, company_a, public)
    admin = client_for(company_a, "admin")
    response = admin.post("/api/v1/subscription/checkout/", {"plan": "pro"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["url"].endswith("/settings/subscription?checkout=changed")
    assert CheckoutRequest.objects.filter(company=company_a).count() == 1  # no second Checkout
    customer = before.stripe_customer_id
    [stripe_sub] = stripe_account.subscriptions_of(customer)  # still one subscription to pay for
    assert stripe_sub["id"] == before.stripe_subscription_id
    assert stripe_sub["items"]["data"][0]["price"]["id"] == "price_wuye_pro_monthly"
    after = subscription_of(company_a)
    assert (after.plan.code, after.status) == ("pro", SubscriptionStatus.ACTIVE)
    with tenant_context(company_a):
        assert AuditEvent.objects.filter(action="subscription.plan_changed", after__plan="pro").count() == 1
    # Stripe's own event for the change lands on a row that already says so.
    events = stripe_account.take_events(customer)
    assert [e["type"] for e in events] == ["customer.subscription.updated"]
    assert deliver(public, events[0]).status_code == 200
    assert subscription_of(company_a).plan.code == "pro"
    again = admin.post("/api/v1/subscription/checkout/", {"plan": "pro"}, format="json")
    assert again.status_code == 409 and again.json()["code"] == "same_plan"


def test_a_downgrade_below_usage_is_refused_before_stripe_is_asked(client_for, company_a, public, monkeypatch):
    _subscribed(client_for, company_a, public, "pro")
    Plan.objects.filter(code="standard").update(max_staff=1)
    asked: list[str] = []
    real = standin.handle
    monkeypatch.setattr(standin, "handle", lambda m, path, *a, **k: asked.append(path) or real(m, path, *a, **k))
    response = client_for(company_a, "admin").post(
        "/api/v1/subscription/checkout/", {"plan": "standard"}, format="json"
    )
    assert response.status_code == 400 and response.json()["code"] == "plan_limit"
    assert "员工账号" in response.json()["fields"]["plan"][0]
    assert asked == []
    [stripe_sub] = stripe_account.subscriptions_of(subscription_of(company_a).stripe_customer_id)
    assert stripe_sub["items"]["data"][0]["price"]["id"] == "price_wuye_pro_monthly"
    assert subscription_of(company_a).plan.code == "pro"


def test_the_billing_portal_opens_without_plan_changes(client_for, company_a, public):
    _subscribed(client_for, company_a, public)
    url = client_for(company_a, "admin").post("/api/v1/subscription/portal/").json()["url"]
    portal = stripe_account.get_object(url.rstrip("/").rsplit("/", 1)[-1], "billing_portal.session")
    configuration = stripe_account.get_object(portal["configuration"], "billing_portal.configuration")
    features = configuration["features"]
    assert features["subscription_update"]["enabled"] == "false"
    assert features["payment_method_update"]["enabled"] == "true"
    assert features["subscription_cancel"]["mode"] == "at_period_end"
    second = client_for(company_a, "admin").post("/api/v1/subscription/portal/").json()["url"]
    portal2 = stripe_account.get_object(second.rstrip("/").rsplit("/", 1)[-1], "billing_portal.session")
    assert portal2["configuration"] == portal["configuration"]  # created once


def test_a_plan_changed_on_stripes_side_past_usage_applies_and_says_so(client_for, company_a, public):
    subscription = _subscribed(client_for, company_a, public, "pro")
    Plan.objects.filter(code="standard").update(max_staff=1)
    stripe_sub = stripe_account.get_object(subscription.stripe_subscription_id, "subscription")
    item_id = stripe_sub["items"]["data"][0]["id"]
    status, _body, _headers = standin.handle(
        "POST",
        f"/v1/subscriptions/{stripe_sub['id']}",
        {"authorization": f"Bearer {stripe_account.DEMO_SECRET_KEY}"},
        f"items[0][id]={item_id}&items[0][price]=price_wuye_standard_monthly",
    )
    assert status == 200
    [event] = stripe_account.take_events(subscription.stripe_customer_id)
    assert deliver(public, event).status_code == 200
    assert subscription_of(company_a).plan.code == "standard"  # they pay for it: it is their plan
    row = StripeEvent.objects.get(event_id=event["id"])
    assert "over the plan's limits" in row.outcome
    body = client_for(company_a, "admin").get("/api/v1/subscription/").json()
    staff = {r["kind"]: r for r in body["usage"]}["staff"]
    assert staff["used"] > staff["limit"] == 1


# --- webhook signatures -------------------------------------------------------------------------


def _an_event(client_for, company) -> dict:
    _request, events = checkout(client_for, company)
    return events[0]


def test_a_webhook_signed_with_another_secret_is_refused_and_changes_nothing(client_for, company_a, public):
    event = _an_event(client_for, company_a)
    response = deliver(public, event, secret="whsec_not_ours")
    assert response.status_code == 400 and response.json()["code"] == "bad_signature"
    assert not StripeEvent.objects.exists()
    assert subscription_of(company_a).status == SubscriptionStatus.TRIALING


def test_a_tampered_body_is_refused(client_for, company_a, public):
    event = _an_event(client_for, company_a)
    payload, _signature = stripe_events.signed(event)
    tampered = payload.replace(b'"active"', b'"canceled"')
    assert tampered != payload
    assert deliver(public, event, body=tampered).status_code == 400
    assert not StripeEvent.objects.exists()


def test_a_stale_timestamp_is_refused_and_a_fresh_one_accepted(client_for, company_a, public):
    event = _an_event(client_for, company_a)
    assert deliver(public, event, at=int(time.time()) - 301).status_code == 400
    assert public.post(WEBHOOK, data=json.dumps(event), content_type="application/json").status_code == 400
    assert deliver(public, event, at=int(time.time()) - 60).status_code == 200
    assert StripeEvent.objects.filter(event_id=event["id"]).exists()


# --- once, in any order -------------------------------------------------------------------------


def test_the_same_event_twice_has_one_effect(client_for, company_a, public):
    _request, events = checkout(client_for, company_a)
    paid = next(e for e in events if e["type"] == "invoice.paid")
    assert deliver(public, paid).json()["outcome"] != "duplicate"
    assert deliver(public, paid).json()["outcome"] == "duplicate"
    assert StripeEvent.objects.filter(event_id=paid["id"]).count() == 1
    assert SubscriptionInvoice.objects.filter(company=company_a).count() == 1
    from accounts.models import AuditEvent

    assert AuditEvent.objects.filter(action="stripe.event", object_id=paid["id"]).count() == 1


def test_subscription_updated_before_checkout_completed_still_lands_right(client_for, company_a, public):
    _request, events = checkout(client_for, company_a)
    subscription_id = events[0]["data"]["object"]["id"]
    stripe_events.fail_renewal(subscription_id)
    stripe_events.pay_open_invoice(subscription_id)
    later = stripe_account.take_events(subscription_of(company_a).stripe_customer_id)
    # Everything, newest first: the stale past_due update arrives last but Stripe says active now.
    for event in reversed(events + later):
        assert deliver(public, event).status_code == 200
    subscription = subscription_of(company_a)
    assert subscription.status == SubscriptionStatus.ACTIVE
    assert subscription.grace_ends_at is None
    assert CheckoutRequest.objects.get(company=company_a).status == "completed"
    statuses = dict(SubscriptionInvoice.objects.filter(company=company_a).values_list("stripe_invoice_id", "status"))
    assert sorted(statuses.values()) == ["paid", "paid"]


def test_a_failed_renewal_gives_grace_then_suspends_and_paying_resumes(client_for, company_a, public):
    _request, events = checkout(client_for, company_a)
    for event in events:
        deliver(public, event)
    subscription_id = subscription_of(company_a).stripe_subscription_id
    stripe_events.fail_renewal(subscription_id)
    for event in stripe_account.take_events(subscription_of(company_a).stripe_customer_id):
        deliver(public, event)
    subscription = subscription_of(company_a)
    assert subscription.status == SubscriptionStatus.PAST_DUE
    assert subscription.grace_ends_at is not None
    assert SubscriptionInvoice.objects.filter(company=company_a, status="failed").count() == 1
    admin = client_for(company_a, "admin")
    assert admin.get("/api/v1/users/").status_code == 200  # in its grace period: still working
    check_subscriptions()
    assert subscription_of(company_a).status == SubscriptionStatus.PAST_DUE
    lifecycle.check_all(now=subscription.grace_ends_at + timedelta(seconds=1))
    assert subscription_of(company_a).status == SubscriptionStatus.SUSPENDED
    stripe_events.pay_open_invoice(subscription_id)
    for event in stripe_account.take_events(subscription_of(company_a).stripe_customer_id):
        deliver(public, event)
    assert subscription_of(company_a).status == SubscriptionStatus.ACTIVE
    assert admin.get("/api/v1/users/").status_code == 200


# --- companies apart ----------------------------------------------------------------------------


def test_metadata_naming_another_company_touches_neither(client_for, company_a, company_b, public):
    _request, events = checkout(client_for, company_a)
    created = dict(events[0])
    obj = dict(created["data"]["object"], metadata={"wuye_company_id": str(company_b.pk)})
    forged = {**created, "id": f"evt_forged_{time.time_ns()}", "data": {"object": obj}}
    assert deliver(public, forged).json()["outcome"].startswith("ignored")
    assert subscription_of(company_a).status == SubscriptionStatus.TRIALING
    assert subscription_of(company_b).status == SubscriptionStatus.TRIALING
    completed = dict(events[2])
    session = dict(completed["data"]["object"], client_reference_id=str(company_b.pk))
    forged = {**completed, "id": f"evt_forged2_{time.time_ns()}", "data": {"object": session}}
    assert deliver(public, forged).json()["outcome"].startswith("ignored")
    assert subscription_of(company_b).stripe_subscription_id == ""


def test_an_event_for_a_customer_that_is_no_company_s_changes_nothing(public):
    stranger = standin.create_customer({})
    event = {
        "id": f"evt_stranger_{time.time_ns()}",
        "type": "customer.subscription.updated",
        "created": int(time.time()),
        "data": {"object": {"id": "sub_x", "object": "subscription", "customer": stranger["id"]}},
    }
    assert deliver(public, event).json()["outcome"].startswith("ignored")
    assert not Subscription.objects.filter(status=SubscriptionStatus.ACTIVE, stripe_subscription_id="sub_x").exists()


def test_a_company_sees_only_its_own_subscription_and_invoices(client_for, company_a, company_b, public):
    _request, events = checkout(client_for, company_a)
    for event in events:
        deliver(public, event)
    admin_b = client_for(company_b, "admin")
    assert admin_b.get("/api/v1/subscription/").json()["plan"]["code"] == "trial"
    assert admin_b.get("/api/v1/subscription/invoices/").json()["count"] == 0
    assert client_for(company_a, "admin").get("/api/v1/subscription/").json()["plan"]["code"] == "standard"


def test_only_the_company_admin_manages_the_subscription(client_for, company_a):
    cashier = client_for(company_a, "cashier")
    for method, path in [
        ("get", "/api/v1/subscription/"),
        ("get", "/api/v1/subscription/invoices/"),
        ("post", "/api/v1/subscription/checkout/"),
        ("post", "/api/v1/subscription/portal/"),
    ]:
        assert getattr(cashier, method)(path, {"plan": "standard"}, format="json").status_code == 403, path
    assert client_for(company_a).get("/api/v1/subscription/").status_code in (401, 403)


# --- the trial, and a suspended company ---------------------------------------------------------


def test_the_overview_shows_usage_against_limits_and_trial_days_left(client_for, company_a):
    Subscription.objects.filter(company=company_a).update(trial_ends_at=timezone.now() + timedelta(days=3, hours=1))
    body = client_for(company_a, "admin").get("/api/v1/subscription/").json()
    assert body["status"] == "trialing"
    assert body["trial_days_left"] == 4
    usage = {row["kind"]: row for row in body["usage"]}
    with tenant_context(company_a):
        staff = User.objects.filter(is_active=True).exclude(roles=["resident"]).count()
    assert usage["staff"] == {"kind": "staff", "used": staff, "limit": 20}
    assert usage["houses"]["limit"] == 500
    assert {p["code"] for p in body["plans"]} >= {"standard", "pro"}


def _owner(client_for, company):
    with tenant_context(company):
        user = User.objects.create(username=f"owner_{time.time_ns()}", roles=["resident"])
        raw, _token = account_services.issue_token(user=user, kind="sms")
    client = client_for(company)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


def test_trial_end_past_grace_suspends_staff_but_not_owners_and_payment_resumes(client_for, company_a, public):
    admin, cashier, owner = (
        client_for(company_a, "admin"),
        client_for(company_a, "cashier"),
        _owner(client_for, company_a),
    )
    ended = timezone.now() - timedelta(days=1)
    Subscription.objects.filter(company=company_a).update(trial_ends_at=ended)
    # Trial over, within grace: past due, still working — judged on the request, before any task ran.
    assert admin.get("/api/v1/subscription/").json()["status"] == "past_due"
    assert cashier.get("/api/v1/me/").status_code == 200
    assert admin.get("/api/v1/users/").status_code == 200
    Subscription.objects.filter(company=company_a).update(trial_ends_at=ended - lifecycle.grace())
    refused = cashier.get("/api/v1/houses/")
    assert refused.status_code == 402
    assert refused.json()["code"] == "subscription_suspended"
    assert "订阅与套餐" in refused.json()["message"]
    assert owner.get("/api/v1/owner/bills/").status_code == 200
    assert owner.post("/api/v1/owner/payments/", {}, format="json").status_code == 400  # asked, not refused
    # WeChat Pay's notifications still reach the company (a bad signature: 401, not the 402 of staff).
    assert client_for(company_a).post("/api/v1/payments/wechat/notify/", {}, format="json").status_code == 401
    assert admin.get("/api/v1/subscription/").json()["status"] == "suspended"
    # The daily task writes it down, once.
    assert check_subscriptions() == {"suspended": 1}
    assert check_subscriptions() == {}
    assert subscription_of(company_a).status == SubscriptionStatus.SUSPENDED
    _request, events = checkout(client_for, company_a)
    for event in events:
        deliver(public, event)
    assert subscription_of(company_a).status == SubscriptionStatus.ACTIVE
    assert cashier.get("/api/v1/houses/").status_code == 200


def test_the_daily_check_moves_an_ended_trial_to_past_due_with_grace_from_the_trial_end(company_a):
    ended = timezone.now() - timedelta(hours=2)
    Subscription.objects.filter(company=company_a).update(trial_ends_at=ended)
    assert check_subscriptions() == {"past_due": 1}
    subscription = subscription_of(company_a)
    assert subscription.status == SubscriptionStatus.PAST_DUE
    assert subscription.grace_ends_at == ended + lifecycle.grace()
    assert check_subscriptions() == {}


# --- the platform console -----------------------------------------------------------------------


@pytest.fixture
def operator(db):
    from django.test import Client

    user = User.objects.create_superuser(username="operator", password="Operator-pass-2026")
    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    return client


def test_mrr_is_a_query_over_paying_subscriptions(client_for, company_a, company_b, public, operator):
    from subscriptions import selectors

    assert selectors.monthly_recurring_revenue()["total"] == 0
    _request, events = checkout(client_for, company_a, plan="pro")
    for event in events:
        deliver(public, event)
    lifecycle.grant_plan(company=company_b, plan_code="standard")
    mrr = selectors.monthly_recurring_revenue()
    assert str(mrr["total"]) == "3998.00" and mrr["paying_companies"] == 2
    page = operator.get("/console/companies/subscription/")
    assert page.status_code == 200
    assert "3998.00" in page.content.decode()
    # A suspended company pays nothing this month.
    Subscription.objects.filter(company=company_b).update(status=SubscriptionStatus.SUSPENDED)
    assert str(selectors.monthly_recurring_revenue()["total"]) == "2999.00"


def test_the_console_lists_the_suspended_companies(company_a, company_b, operator):
    Subscription.objects.filter(company=company_a).update(trial_ends_at=timezone.now() - timedelta(days=30))
    page = operator.get("/console/companies/subscription/?access=suspended")
    assert page.status_code == 200
    listed = {row.company.slug for row in page.context["cl"].result_list}
    assert listed == {"alpha"}


def test_every_event_delivered_twice_newest_first_lands_once(client_for, company_a, public):
    _request, events = checkout(client_for, company_a)
    outcomes = [
        public.post(WEBHOOK, data=body, content_type="application/json", HTTP_STRIPE_SIGNATURE=signature).json()
        for body, signature in stripe_events.deliveries(events, twice=True, reverse=True)
    ]
    assert [o["outcome"] for o in outcomes].count("duplicate") == len(events)
    assert StripeEvent.objects.filter(company=company_a).count() == len(events)
    assert SubscriptionInvoice.objects.filter(company=company_a).count() == 1
    assert subscription_of(company_a).status == SubscriptionStatus.ACTIVE


def test_the_real_client_over_http_reaches_the_stand_in_on_its_api_base(settings, serve_wsgi, client_for, company_a):
    """The adapter as production runs it (the `stripe` backend, over the network), pointed at the stand-in."""
    settings.STRIPE_BACKEND = "stripe"
    settings.STRIPE_API_BASE = serve_wsgi(standin.wsgi_app).rstrip("/")
    settings.STRIPE_SECRET_KEY = stripe_account.DEMO_SECRET_KEY
    settings.STRIPE_WEBHOOK_SECRET = stripe_account.DEMO_WEBHOOK_SECRET
    response = client_for(company_a, "admin").post("/api/v1/subscription/checkout/", {"plan": "pro"}, format="json")
    assert response.status_code == 200, response.content
    request = CheckoutRequest.objects.get(company=company_a)
    assert stripe_account.get_object(request.stripe_session_id, "checkout.session")["customer"] == (
        subscription_of(company_a).stripe_customer_id
    )
    settings.STRIPE_SECRET_KEY = "sk_test_not_the_accounts"
    refused = client_for(company_a, "admin").post("/api/v1/subscription/checkout/", {"plan": "pro"}, format="json")
    assert refused.status_code == 503 and refused.json()["code"] == "gateway_unavailable"
    assert CheckoutRequest.objects.filter(company=company_a, status="failed").count() == 1
