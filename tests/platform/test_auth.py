"""Sign-in: sessions with CSRF, throttling, WeChat mini-program login, tokens, ending sign-ins."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from django_tenants.utils import tenant_context

from accounts import services as account_services
from accounts.models import AccessToken, AuditEvent, User
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def test_login_requires_csrf_for_session_writes(client_for, company_a):
    client = client_for(company_a, csrf=True)
    token = client.get("/api/v1/auth/csrf/").json()["csrf_token"]
    bad = client.post("/api/v1/auth/login/", {"username": "admin", "password": PASSWORD}, format="json")
    assert bad.status_code == 403
    good = client.post(
        "/api/v1/auth/login/", {"username": "admin", "password": PASSWORD}, format="json", HTTP_X_CSRFTOKEN=token
    )
    assert good.status_code == 200
    # A signed-in session still needs the (rotated) CSRF token for writes.
    assert client.post("/api/v1/auth/logout/").status_code == 403


def test_wrong_password_is_401_and_audited(client_for, company_a):
    response = client_for(company_a).post(
        "/api/v1/auth/login/", {"username": "cashier", "password": "nope"}, format="json"
    )
    assert response.status_code == 401
    assert response.json()["code"] == "invalid_credentials"
    with tenant_context(company_a):
        event = AuditEvent.objects.filter(action="login.failed").first()
        assert event.actor_label == "cashier"
        assert event.ip == "127.0.0.1"


def test_unknown_user_looks_like_a_wrong_password(client_for, company_a):
    response = client_for(company_a).post("/api/v1/auth/login/", {"username": "ghost", "password": "x"}, format="json")
    assert response.status_code == 401
    assert response.json()["code"] == "invalid_credentials"


def test_a_typed_unknown_name_is_not_kept_in_the_audit_trail(client_for, company_a):
    """People type their password into the name box: the trail keeps a keyed hash, never the text."""
    client = client_for(company_a)
    for _ in range(2):
        client.post("/api/v1/auth/login/", {"username": "Secret-pass-2026", "password": "x"}, format="json")
    with tenant_context(company_a):
        events = list(AuditEvent.objects.filter(action="login.unknown_user"))
    assert len(events) == 2 and events[0].object_id == events[1].object_id
    assert all("Secret" not in f"{e.object_id}{e.before}{e.after}" for e in events)


def test_login_is_throttled_per_client(client_for, company_a):
    client = client_for(company_a)
    codes = [
        client.post("/api/v1/auth/login/", {"username": f"x{n}", "password": "y"}, format="json").status_code
        for n in range(22)
    ]
    assert codes[:20] == [401] * 20  # the configured 20/min
    assert codes[20:] == [429, 429]
    assert (
        client.post("/api/v1/auth/login/", {"username": "x", "password": "y"}, format="json").json()["code"]
        == "throttled"
    )


def test_validation_error_shape(client_for, company_a):
    response = client_for(company_a).post("/api/v1/auth/login/", {"username": ""}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "validation_error"
    assert set(body["fields"]) == {"username", "password"}


def _configure_wechat(company, standin, appid: str) -> None:
    from companies.models import Company

    company.wechat_appid = appid
    company.wechat_secret = f"secret-{appid}"
    company.save(update_fields=["wechat_appid", "wechat_secret"])
    assert Company.objects.get(pk=company.pk).wechat_secret == f"secret-{appid}"
    standin.register_app(appid, f"secret-{appid}")


def test_wechat_login_issues_a_token_for_this_company_only(client_for, company_a, company_b, wechat_standin):
    _configure_wechat(company_a, wechat_standin, "wxalpha000000001")
    code = wechat_standin.device_login("wxalpha000000001", "owner-li")
    response = client_for(company_a).post("/api/v1/auth/wechat/", {"code": code}, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["user"]["roles"] == ["resident"]
    with tenant_context(company_a):
        stored = AccessToken.objects.get(user_id=body["user"]["id"])
        assert stored.key_hash != body["token"] and len(stored.key_hash) == 64  # only a hash is kept
        assert User.objects.get(pk=body["user"]["id"]).wechat_openid == wechat_standin.openid_for(
            "wxalpha000000001", "owner-li"
        )

    me = client_for(company_a)
    me.credentials(HTTP_AUTHORIZATION=f"Bearer {body['token']}")
    assert me.get("/api/v1/me/").json()["id"] == body["user"]["id"]
    elsewhere = client_for(company_b)
    elsewhere.credentials(HTTP_AUTHORIZATION=f"Bearer {body['token']}")
    assert elsewhere.get("/api/v1/me/").status_code == 401

    # The same WeChat user logging in again is the same account.
    again = client_for(company_a).post(
        "/api/v1/auth/wechat/", {"code": wechat_standin.device_login("wxalpha000000001", "owner-li")}, format="json"
    )
    assert again.json()["user"]["id"] == body["user"]["id"]

    # Logout revokes the token.
    assert me.post("/api/v1/auth/logout/").status_code == 204
    assert me.get("/api/v1/me/").status_code == 401


def test_wechat_code_is_one_time_and_must_be_real(client_for, company_a, wechat_standin):
    _configure_wechat(company_a, wechat_standin, "wxalpha000000002")
    code = wechat_standin.device_login("wxalpha000000002", "owner-wang")
    client = client_for(company_a)
    assert client.post("/api/v1/auth/wechat/", {"code": code}, format="json").status_code == 200
    reused = client.post("/api/v1/auth/wechat/", {"code": code}, format="json")
    assert reused.status_code == 400
    assert reused.json()["code"] == "wechat_invalid_code"
    forged = client.post("/api/v1/auth/wechat/", {"code": "made-up"}, format="json")
    assert forged.json()["code"] == "wechat_invalid_code"


def test_wechat_code_of_another_mini_program_is_refused(client_for, company_a, company_b, wechat_standin):
    _configure_wechat(company_a, wechat_standin, "wxalpha000000003")
    _configure_wechat(company_b, wechat_standin, "wxbeta0000000003")
    code_for_b = wechat_standin.device_login("wxbeta0000000003", "owner-zhao")
    response = client_for(company_a).post("/api/v1/auth/wechat/", {"code": code_for_b}, format="json")
    assert response.status_code == 400


def test_wechat_not_configured_is_503(client_for, company_b, wechat_standin):
    company_b.wechat_appid = ""
    company_b.save(update_fields=["wechat_appid"])
    response = client_for(company_b).post("/api/v1/auth/wechat/", {"code": "x"}, format="json")
    assert response.status_code == 503
    assert response.json()["code"] == "wechat_not_configured"


def test_expired_and_revoked_tokens_are_refused(client_for, company_a):
    with tenant_context(company_a):
        user = User.objects.get(username="cashier")
        expired_raw, expired = account_services.issue_token(user=user, kind="api")
        AccessToken.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
        revoked_raw, revoked = account_services.issue_token(user=user, kind="api")
        account_services.revoke_token(token=revoked)
    for raw in (expired_raw, revoked_raw, "garbage"):
        client = client_for(company_a)
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
        assert client.get("/api/v1/me/").status_code == 401


def test_deactivating_a_user_revokes_their_tokens(client_for, company_a):
    with tenant_context(company_a):
        user = User.objects.get(username="dispatcher")
        raw, _token = account_services.issue_token(user=user, kind="api")
    admin = client_for(company_a, "admin")
    assert admin.patch(f"/api/v1/users/{user.pk}/", {"is_active": False}, format="json").status_code == 200
    client = client_for(company_a)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert client.get("/api/v1/me/").status_code == 401


def test_disabling_a_user_ends_their_sessions_for_good(client_for, company_a):
    dispatcher = client_for(company_a, "dispatcher")
    assert dispatcher.get("/api/v1/me/").status_code == 200
    cashier = client_for(company_a, "cashier")
    with tenant_context(company_a):
        user = User.objects.get(username="dispatcher")
    admin = client_for(company_a, "admin")
    assert admin.patch(f"/api/v1/users/{user.pk}/", {"is_active": False}, format="json").status_code == 200
    assert dispatcher.get("/api/v1/me/").status_code in (401, 403)
    assert admin.patch(f"/api/v1/users/{user.pk}/", {"is_active": True}, format="json").status_code == 200
    # The session from before stays dead; a new sign-in works; nobody else was signed out.
    assert dispatcher.get("/api/v1/me/").status_code in (401, 403)
    assert client_for(company_a, "dispatcher").get("/api/v1/me/").status_code == 200
    assert cashier.get("/api/v1/me/").status_code == 200
    assert admin.get("/api/v1/me/").status_code == 200


def test_other_edits_keep_the_users_sessions(client_for, company_a):
    dispatcher = client_for(company_a, "dispatcher")
    with tenant_context(company_a):
        user = User.objects.get(username="dispatcher")
    admin = client_for(company_a, "admin")
    assert admin.patch(f"/api/v1/users/{user.pk}/", {"name": "调度员甲"}, format="json").status_code == 200
    assert dispatcher.get("/api/v1/me/").status_code == 200


def test_a_disable_that_fails_midway_ends_nothing(client_for, company_a, monkeypatch):
    dispatcher = client_for(company_a, "dispatcher")
    with tenant_context(company_a):
        user = User.objects.get(username="dispatcher")
        raw, _token = account_services.issue_token(user=user, kind="api")

        def broken_audit(**kwargs):
            raise RuntimeError("audit store down")

        monkeypatch.setattr(account_services, "record_audit", broken_audit)
        with pytest.raises(RuntimeError):
            account_services.update_user(user=user, actor=None, is_active=False)
        fresh = User.objects.get(pk=user.pk)
        assert fresh.is_active and fresh.session_version == 0
    assert dispatcher.get("/api/v1/me/").status_code == 200
    api = client_for(company_a)
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert api.get("/api/v1/me/").status_code == 200
