"""Cross-tenant isolation: credentials and objects of company A are useless on company B's host."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django_tenants.utils import tenant_context

from accounts import services as account_services
from accounts.models import User
from tests.routes import company_api_routes

pytestmark = pytest.mark.django_db


def _user_only_in(company, other):
    """A user of `company` whose id does not exist in `other` (ids are per schema and overlap)."""
    with tenant_context(other):
        taken = set(User.objects.values_list("pk", flat=True))
    with tenant_context(company):
        user = account_services.create_user(username="only-here", name="独有", roles=["cashier"])
        while user.pk in taken:
            user = account_services.create_user(username=f"only-here-{user.pk}", name="独有", roles=["cashier"])
    return user


def test_session_of_a_is_rejected_on_b(client_for, company_a, company_b):
    client = client_for(company_a, "admin")
    assert client.get("/api/v1/me/").status_code == 200
    client.defaults["HTTP_HOST"] = f"{company_b.slug}.localhost"  # same cookie jar, other company
    response = client.get("/api/v1/me/")
    assert response.status_code in (401, 403)
    assert response.json()["code"] in {"not_authenticated", "permission_denied"}


def test_token_of_a_is_rejected_on_b(client_for, company_a, company_b):
    with tenant_context(company_a):
        user = User.objects.get(username="admin")
        raw, _token = account_services.issue_token(user=user, kind="api")
    on_a = client_for(company_a)
    on_a.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert on_a.get("/api/v1/me/").status_code == 200
    on_b = client_for(company_b)
    on_b.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    response = on_b.get("/api/v1/me/")
    assert response.status_code == 401
    assert response.json()["code"] == "authentication_failed"


def test_object_id_of_a_is_404_on_b(client_for, company_a, company_b):
    user = _user_only_in(company_a, company_b)
    assert client_for(company_a, "admin").get(f"/api/v1/users/{user.pk}/").status_code == 200
    on_b = client_for(company_b, "admin")
    assert on_b.get(f"/api/v1/users/{user.pk}/").status_code == 404
    assert on_b.patch(f"/api/v1/users/{user.pk}/", {"name": "x"}, format="json").status_code == 404
    listed = {row["username"] for row in on_b.get("/api/v1/users/?page_size=200").json()["results"]}
    assert "only-here" not in listed


def test_public_host_exposes_no_company_data(client_for):
    public = client_for(None)
    for path in ("/api/v1/users/", "/api/v1/me/", "/api/v1/audit-events/", "/api/v1/settings/branding/"):
        assert public.get(path).status_code == 404, path
    assert public.get("/api/v1/site/").json() == {"surface": "public", "base_domain": "localhost"}


def test_unknown_host_is_404(client_for):
    client = client_for(None)
    client.defaults["HTTP_HOST"] = "nobody.localhost"
    assert client.get("/api/v1/site/").status_code == 404


def test_cache_entries_are_per_company(company_a, company_b):
    for company in (company_a, company_b):
        with tenant_context(company):
            cache.delete("greeting")
    with tenant_context(company_a):
        cache.set("greeting", "from alpha")
    with tenant_context(company_b):
        assert cache.get("greeting") is None
        cache.set("greeting", "from beta")
    with tenant_context(company_a):
        assert cache.get("greeting") == "from alpha"


def test_media_of_a_is_not_served_on_b(client_for, company_a, company_b, tmp_path, settings):
    settings.MEDIA_ROOT = str(tmp_path)
    (tmp_path / company_a.schema_name / "branding").mkdir(parents=True)
    (tmp_path / company_a.schema_name / "branding" / "logo.png").write_bytes(b"png")
    path = f"/media/{company_a.schema_name}/branding/logo.png"
    assert client_for(company_a).get(path).status_code == 200
    assert client_for(company_b).get(path).status_code == 404
    assert (
        client_for(company_b)
        .get(f"/media/{company_b.schema_name}/../{company_a.schema_name}/branding/logo.png")
        .status_code
        == 404
    )


def test_the_sweep_sees_the_company_api():
    routes = {path for _method, path, _view in company_api_routes()}
    assert {"/api/v1/residents/", "/api/v1/residents/1/reveal/", "/api/v1/imports/1/commit/"} <= routes
    assert {
        "/api/v1/payments/reconciliation/runs/1/items/",
        "/api/v1/payments/reconciliation/items/1/resolve/",
    } <= routes
    assert {
        "/api/v1/notifications/",
        "/api/v1/notifications/unread-count/",
        "/api/v1/notifications/1/read/",
        "/api/v1/notifications/read-all/",
        "/api/v1/owner/notifications/",
        "/api/v1/owner/notifications/1/read/",
        "/api/v1/owner/notification-preferences/",
        "/api/v1/notification-deliveries/",
        "/api/v1/notification-deliveries/failures/",
        "/api/v1/notification-deliveries/1/retry/",
        "/api/v1/notification-wechat-templates/",
        "/api/v1/notification-wechat-templates/1/",
        "/api/v1/notification-wechat-templates/events/",
        "/api/v1/owner/wechat-subscriptions/",
        "/api/v1/notification-preferences/",
        "/api/v1/notification-templates/",
        "/api/v1/notification-templates/houses/preview/",
        "/api/v1/notification-templates/houses/houses/houses/",
        "/api/v1/notification-settings/",
    } <= routes
    assert {
        "/api/v1/repair-categories/",
        "/api/v1/repair-categories/1/",
        "/api/v1/repair-settings/",
        "/api/v1/repair-dispatch-rules/",
        "/api/v1/repair-dispatch-rules/1/",
        "/api/v1/repair-stats/",
        "/api/v1/repair-orders/",
        "/api/v1/repair-orders/1/",
        "/api/v1/repair-orders/1/dispatch/",
        "/api/v1/repair-orders/1/transfer/",
        "/api/v1/repair-orders/1/cancel/",
        "/api/v1/repair-orders/1/close/",
        "/api/v1/repair-orders/1/reopen/",
        "/api/v1/repair-work/",
        "/api/v1/repair-work/1/",
        "/api/v1/repair-work/1/grab/",
        "/api/v1/repair-work/1/accept/",
        "/api/v1/repair-work/1/start/",
        "/api/v1/repair-work/1/complete/",
        "/api/v1/repair-work/1/return/",
        "/api/v1/owner/repairs/",
        "/api/v1/owner/repairs/1/",
        "/api/v1/owner/repairs/1/cancel/",
        "/api/v1/owner/repairs/1/confirm/",
        "/api/v1/owner/repairs/1/reopen/",
        "/api/v1/owner/repair-categories/",
        "/api/v1/notices/",
        "/api/v1/notices/1/",
        "/api/v1/notices/1/publish/",
        "/api/v1/notices/1/withdraw/",
        "/api/v1/notices/1/stats/",
        "/api/v1/notice-unread-houses/",
        "/api/v1/notice-images/",
        "/api/v1/owner/notices/",
        "/api/v1/owner/notices/1/",
        "/api/v1/activities/",
        "/api/v1/activities/1/",
        "/api/v1/activities/1/publish/",
        "/api/v1/activities/1/cancel/",
        "/api/v1/activities/1/finish/",
        "/api/v1/activities/1/signups/",
        "/api/v1/activities/1/check-in/",
        "/api/v1/activities/1/stats/",
        "/api/v1/activities/monthly-stats/",
        "/api/v1/service-fee-items/",
        "/api/v1/owner/activities/",
        "/api/v1/owner/activities/1/",
        "/api/v1/owner/activities/1/sign-up/",
        "/api/v1/owner/activities/1/cancel-signup/",
        "/api/v1/owner/activity-signups/",
        "/api/v1/repair-photos/",
        "/api/v1/repair-photos/1/",
        "/api/v1/repair-photos/1/thumbnail/",
        "/api/v1/owner/repair-photos/",
        "/api/v1/owner/repair-photos/1/",
        "/api/v1/owner/repair-photos/1/thumbnail/",
        "/api/v1/repair-workers/",
        "/api/v1/repair-work/1/contact/",
        "/api/v1/feedback/",
        "/api/v1/feedback/1/",
        "/api/v1/feedback/1/assign/",
        "/api/v1/feedback/1/reply/",
        "/api/v1/feedback/1/resolve/",
        "/api/v1/feedback/1/close/",
        "/api/v1/owner/feedback/",
        "/api/v1/owner/feedback/1/",
        "/api/v1/owner/feedback/1/withdraw/",
        "/api/v1/owner/feedback/1/rate/",
        "/api/v1/feedback-settings/",
        "/api/v1/feedback-stats/",
        "/api/v1/feedback-handlers/",
        "/api/v1/feedback-photos/1/",
        "/api/v1/feedback-photos/1/thumbnail/",
        "/api/v1/owner/feedback-photos/",
        "/api/v1/owner/feedback-photos/1/",
        "/api/v1/owner/feedback-photos/1/thumbnail/",
        "/api/v1/partner-admissions/",
        "/api/v1/partner-admissions/1/",
        "/api/v1/partner-admissions/invite/",
        "/api/v1/partner-admissions/1/approve/",
        "/api/v1/partner-admissions/1/reject/",
        "/api/v1/partner-admissions/1/suspend/",
        "/api/v1/partner-admissions/1/reinstate/",
        "/api/v1/partner-admissions/1/documents/1/file/",
    } <= routes
    assert len(routes) > 50


def test_every_company_endpoint_refuses_another_companys_session(client_for, company_a, company_b):
    """Whatever the route and method, company A's signed-in admin gets nothing on B's host."""
    client = client_for(company_a, "admin")
    client.defaults["HTTP_HOST"] = f"{company_b.slug}.localhost"
    public = {
        "/api/v1/auth/csrf/",
        "/api/v1/auth/login/",
        "/api/v1/auth/wechat/",
        "/api/v1/auth/sms/send/",
        "/api/v1/auth/sms/login/",
        "/api/v1/auth/password/forgot/",
        "/api/v1/auth/password/reset/",
        "/api/v1/auth/password/invitation/",
    }
    let_through = []
    for method, path, _view in company_api_routes():
        if path in public or path.startswith("/api/v1/site"):
            continue
        response = client.generic(method, path, "{}", content_type="application/json")
        if path == "/api/v1/auth/session/":  # public, and says A's session is nobody here
            if response.json() != {"authenticated": False}:
                let_through.append(f"{method} {path} → {response.content!r}")
            continue
        if response.status_code not in (401, 403):
            let_through.append(f"{method} {path} → {response.status_code}")
    assert let_through == []


def test_jobs_and_audit_events_stay_in_their_company(client_for, company_a, company_b):
    from accounts.models import AuditEvent
    from core import services as job_services

    with tenant_context(company_a):
        admin_a = User.objects.get(username="admin")
        job = job_services.create_job(kind="export", created_by=admin_a)
        AuditEvent.objects.create(actor=admin_a, actor_label="admin", action="only.in.alpha")
    on_b = client_for(company_b, "admin")
    assert on_b.get(f"/api/v1/jobs/{job.pk}/").status_code == 404
    actions = {row["action"] for row in on_b.get("/api/v1/audit-events/?page_size=200").json()["results"]}
    assert "only.in.alpha" not in actions
    with tenant_context(company_b):
        assert not AuditEvent.objects.filter(action="only.in.alpha").exists()


def test_a_card_page_link_of_a_is_404_on_b(client_for, company_a, company_b):
    """The owner's card page (/pay/card/…, outside the API): its link opens a's order on a's host only."""
    from payments import selectors
    from payments.models import PaymentOrder
    from tests.payments.conftest import make_payer

    payer = make_payer(company_a, client_for, username="card-iso")
    body = {"house": payer.house.pk, "idempotency_key": "card-iso", "gateway": "stripe"}
    order = payer.client.post("/api/v1/owner/payments/", body, format="json").json()
    with tenant_context(company_a):
        link = selectors.card_page_path(company_a.schema_name, PaymentOrder.objects.get(pk=order["id"]))
    assert client_for(company_a).get(link).status_code == 200
    on_b = client_for(company_b).get(link)
    assert on_b.status_code == 404 and order["out_trade_no"] not in on_b.content.decode()
    forged = (
        f"/pay/card/{order['out_trade_no']}/{selectors.card_page_key(company_b.schema_name, order['out_trade_no'])}/"
    )
    assert client_for(company_b).get(forged).status_code == 404
    public = client_for(None).get(link).content.decode()  # the public host: only its SPA shell
    assert order["out_trade_no"] not in public and order["card"]["client_secret"] not in public


def test_password_reset_and_invite_of_a_user_of_a_do_nothing_on_b(client_for, company_a, company_b, outbox_sent):
    """A's user is unknown on B's host: B's 忘记密码 sends nothing for them, and A's admin cannot
    reset or invite A's staff through B's host."""
    with tenant_context(company_a):
        account_services.create_user(
            username="only-in-a", roles=["guard"], phone="13533334444", password="Only-a-2026x"
        )
        target = User.objects.get(username="only-in-a")
    client = client_for(company_b)
    assert client.post("/api/v1/auth/password/forgot/", {"login": "only-in-a"}, format="json").json() == {"sent": True}
    assert outbox_sent == []
    admin_a = client_for(company_a, "admin")
    admin_a.defaults["HTTP_HOST"] = f"{company_b.slug}.localhost"
    for path in (f"/api/v1/users/{target.pk}/reset-password/", f"/api/v1/users/{target.pk}/invite/"):
        assert admin_a.post(path, {"mode": "temporary"}, format="json").status_code in (401, 403)
