"""Passwords: forgotten (a code to the account's own phone or email), changed, reset by an admin
(temporary password + must change; or an invitation), and invitations for staff created without one."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from django_tenants.utils import tenant_context

from accounts import services as account_services
from accounts.models import AccessToken, AuditEvent, PasswordCode, User
from core.outbox import services as outbox
from standins import sms as sms_standin
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

PHONE = "13522223333"
NEW = "New-pass-2027"


@pytest.fixture(autouse=True)
def _clean_sms():
    sms_standin.reset(PHONE)
    yield
    sms_standin.reset(PHONE)


def _staff(company, username="keeper", *, phone=PHONE, email="", password=PASSWORD):
    with tenant_context(company):
        return account_services.create_user(
            username=username, name="管家", roles=["customer_service"], phone=phone, email=email, password=password
        )


def _deliver(outbox_sent):
    """Run the outbox messages the test emitted, as the worker would."""
    for message_id in list(outbox_sent):
        outbox.deliver(message_id=message_id)
    outbox_sent.clear()


def _forgot(client, login, ip="127.0.0.1", **extra):
    return client.post("/api/v1/auth/password/forgot/", {"login": login, **extra}, format="json", REMOTE_ADDR=ip)


def _reset(client, login, code, password=NEW, ip="127.0.0.1"):
    return client.post(
        "/api/v1/auth/password/reset/",
        {"login": login, "code": code, "new_password": password},
        format="json",
        REMOTE_ADDR=ip,
    )


def _login(client, username, password):
    return client.post("/api/v1/auth/login/", {"username": username, "password": password}, format="json")


def _texted_code(phone=PHONE):
    return sms_standin.outbox(phone)[0]["params"][0]


# --- forgot password ------------------------------------------------------------------------------


@pytest.mark.parametrize("login", ["keeper", "KEEPER", PHONE, "135 2222 3333"])
def test_forgotten_password_by_texted_code(client_for, company_a, outbox_sent, login):
    user = _staff(company_a)
    signed_in = client_for(company_a, "keeper")
    with tenant_context(company_a):
        raw, _token = account_services.issue_token(user=user, kind="api")
    client = client_for(company_a)
    sent = _forgot(client, login)
    assert sent.status_code == 200 and sent.json() == {"sent": True}
    _deliver(outbox_sent)
    message = sms_standin.outbox(PHONE)[0]
    code = message["params"][0]
    assert "找回密码" in message["text"] and len(code) == 6
    with tenant_context(company_a):
        row = PasswordCode.objects.get(user=user)
        assert code not in row.digest and row.expires_at - row.created_at == timedelta(minutes=10)
    done = _reset(client, login, code)
    assert done.status_code == 200, done.content
    assert done.json() == {"username": "keeper"}
    assert _login(client_for(company_a), "keeper", NEW).status_code == 200
    assert _login(client_for(company_a), "keeper", PASSWORD).status_code == 401
    # every earlier sign-in ended: the session and the token
    assert signed_in.get("/api/v1/me/").status_code in (401, 403)
    bearer = client_for(company_a)
    bearer.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert bearer.get("/api/v1/me/").status_code == 401
    # single use
    assert _reset(client, login, code, "Other-pass-2028").json()["code"] == "invalid_code"
    with tenant_context(company_a):
        actions = set(AuditEvent.objects.filter(object_id=str(user.pk)).values_list("action", flat=True))
    assert {"password.reset_requested", "password.reset"} <= actions


def test_forgotten_password_by_email(client_for, company_a, outbox_sent):
    _staff(company_a, phone="", email="keeper@alpha.example.com")
    client = client_for(company_a)
    assert _forgot(client, "Keeper@Alpha.example.com").status_code == 200
    _deliver(outbox_sent)
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["keeper@alpha.example.com"]
    code = next(word for word in mail.outbox[0].body.replace("，", " ").split() if word.isdigit() and len(word) == 6)
    assert _reset(client, "keeper@alpha.example.com", code).status_code == 200
    assert _login(client_for(company_a), "keeper", NEW).status_code == 200


def test_the_answer_never_says_whether_the_account_exists(client_for, company_a, outbox_sent):
    _staff(company_a)
    answers = []
    for n, login in enumerate(["keeper", "nobody-here", "13900001111", "ghost@example.com"]):
        response = _forgot(client_for(company_a), login, ip=f"198.51.100.{n}")
        answers.append((response.status_code, response.json()))
    assert all(answer == (200, {"sent": True}) for answer in answers)
    # No send inside the request either way (its duration would tell): the worker sends, later.
    assert sms_standin.outbox(PHONE) == []
    assert len(outbox_sent) == 1  # only the real account got a message
    _deliver(outbox_sent)
    assert len(sms_standin.outbox(PHONE)) == 1
    wrong = [
        _reset(client_for(company_a), login, "123456").json() for login in ("keeper", "nobody-here", "13900001111")
    ]
    assert wrong[0] == wrong[1] == wrong[2] and wrong[0]["code"] == "invalid_code"


def test_owner_and_disabled_accounts_get_no_code(client_for, company_a, outbox_sent):
    user = _staff(company_a)
    with tenant_context(company_a):
        account_services.update_user(user=user, actor=None, is_active=False)
    assert _forgot(client_for(company_a), "keeper").json() == {"sent": True}
    assert outbox_sent == []


def test_the_code_expires(client_for, company_a, outbox_sent):
    user = _staff(company_a)
    client = client_for(company_a)
    _forgot(client, "keeper")
    _deliver(outbox_sent)
    code = _texted_code()
    with tenant_context(company_a):
        PasswordCode.objects.filter(user=user).update(created_at=timezone.now() - timedelta(minutes=11))
        PasswordCode.objects.filter(user=user).update(expires_at=timezone.now() - timedelta(minutes=1))
    assert _reset(client, "keeper", code).json()["code"] == "invalid_code"
    assert _login(client_for(company_a), "keeper", PASSWORD).status_code == 200


def test_five_wrong_tries_kill_the_code(client_for, company_a, outbox_sent):
    _staff(company_a)
    client = client_for(company_a)
    _forgot(client, "keeper")
    _deliver(outbox_sent)
    code = _texted_code()
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    for _n in range(5):
        assert _reset(client, "keeper", wrong).status_code == 400
    assert _reset(client, "keeper", code).json()["code"] == "invalid_code"  # the right one, too late


def test_a_weak_new_password_is_a_field_error_and_keeps_the_code(client_for, company_a, outbox_sent):
    _staff(company_a)
    client = client_for(company_a)
    _forgot(client, "keeper")
    _deliver(outbox_sent)
    code = _texted_code()
    weak = _reset(client, "keeper", code, password="abc")
    assert weak.status_code == 400 and "new_password" in weak.json()["fields"]
    assert _reset(client, "keeper", code).status_code == 200


def test_requests_are_throttled_per_typed_name_and_address(client_for, company_a, outbox_sent, limit_clock):
    _staff(company_a)
    assert _forgot(client_for(company_a), "keeper").status_code == 200
    again = _forgot(client_for(company_a), "keeper", ip="198.51.100.7")
    assert again.status_code == 429 and "Retry-After" in again
    # the same for a name nobody has: a 429 tells nothing about the account
    assert _forgot(client_for(company_a), "nobody-here").status_code == 200
    assert _forgot(client_for(company_a), "nobody-here", ip="198.51.100.8").status_code == 429
    # the account's own count: asking by its phone a minute later is quietly not sent (and audited)
    limit_clock.advance(30)
    assert _forgot(client_for(company_a), PHONE, ip="198.51.100.9").status_code == 200
    assert len(outbox_sent) == 1
    with tenant_context(company_a):
        assert AuditEvent.objects.filter(action="password.reset_limited").exists()


def test_a_destination_gets_a_few_codes_a_day(client_for, company_a, outbox_sent, settings, limit_clock):
    settings.SMS_CODES_PER_PHONE_PER_DAY = 2
    settings.PASSWORD_RESET_LIMITS = ["100/m"]
    _staff(company_a)
    for n in range(3):
        assert _forgot(client_for(company_a), "keeper", ip=f"198.51.100.{n}").status_code == 200
        limit_clock.advance(61)
    assert len(outbox_sent) == 2


def test_a_code_of_company_a_is_useless_on_company_b(client_for, company_a, company_b, outbox_sent):
    _staff(company_a)
    _staff(company_b)  # same username and phone in the other company
    _forgot(client_for(company_a), "keeper")
    _deliver(outbox_sent)
    code = _texted_code()
    assert _reset(client_for(company_b), "keeper", code).json()["code"] == "invalid_code"
    assert _login(client_for(company_b), "keeper", PASSWORD).status_code == 200
    assert _reset(client_for(company_a), "keeper", code).status_code == 200


# --- change password --------------------------------------------------------------------------


def test_change_password_needs_the_current_one_and_ends_other_sessions(client_for, company_a):
    _staff(company_a)
    other = client_for(company_a, "keeper")
    me = client_for(company_a, "keeper")
    wrong = me.post("/api/v1/me/password/", {"current_password": "nope-2026", "new_password": NEW}, format="json")
    assert wrong.status_code == 400 and "current_password" in wrong.json()["fields"]
    weak = me.post("/api/v1/me/password/", {"current_password": PASSWORD, "new_password": "123"}, format="json")
    assert weak.status_code == 400 and "new_password" in weak.json()["fields"]
    done = me.post("/api/v1/me/password/", {"current_password": PASSWORD, "new_password": NEW}, format="json")
    assert done.status_code == 200, done.content
    assert me.get("/api/v1/me/").status_code == 200  # this session lives on
    assert other.get("/api/v1/me/").status_code in (401, 403)  # the other one ended
    assert _login(client_for(company_a), "keeper", NEW).status_code == 200
    with tenant_context(company_a):
        assert AuditEvent.objects.filter(action="password.change").count() == 1


def test_change_password_with_a_token_keeps_that_token_only(client_for, company_a):
    user = _staff(company_a)
    with tenant_context(company_a):
        raw, token = account_services.issue_token(user=user, kind="api")
        other_raw, _other = account_services.issue_token(user=user, kind="api")
    client = client_for(company_a)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    body = {"current_password": PASSWORD, "new_password": NEW}
    assert client.post("/api/v1/me/password/", body, format="json").status_code == 200
    assert client.get("/api/v1/me/").status_code == 200
    other = client_for(company_a)
    other.credentials(HTTP_AUTHORIZATION=f"Bearer {other_raw}")
    assert other.get("/api/v1/me/").status_code == 401
    with tenant_context(company_a):
        assert AccessToken.objects.get(pk=token.pk).revoked_at is None


# --- admin reset and the must-change gate ------------------------------------------------------


def test_admin_reset_gives_a_temporary_password_that_must_be_changed(client_for, company_a):
    user = _staff(company_a)
    signed_in = client_for(company_a, "keeper")
    admin = client_for(company_a, "admin")
    reset = admin.post(f"/api/v1/users/{user.pk}/reset-password/", {"mode": "temporary"}, format="json")
    assert reset.status_code == 200, reset.content
    temporary = reset.json()["temporary_password"]
    assert len(temporary) == 12
    assert signed_in.get("/api/v1/me/").status_code in (401, 403)
    client = client_for(company_a)
    login = _login(client, "keeper", temporary)
    assert login.status_code == 200 and login.json()["must_change_password"] is True
    # everything but me, logout and change-password is refused until the password is changed
    gated = client.get("/api/v1/owner-accounts/")
    assert gated.status_code == 403 and gated.json()["code"] == "password_change_required"
    assert client.get("/api/v1/me/").status_code == 200
    assert client.get("/api/v1/auth/session/").json() == {"authenticated": True}  # so the admin asks `me`
    body = {"current_password": temporary, "new_password": NEW}
    changed = client.post("/api/v1/me/password/", body, format="json")
    assert changed.status_code == 200 and changed.json()["must_change_password"] is False
    assert client.get("/api/v1/owner-accounts/").status_code == 200
    listed = admin.get(f"/api/v1/users/{user.pk}/").json()
    assert listed["must_change_password"] is False and listed["has_password"] is True


def test_only_users_managers_reset_and_not_their_own(client_for, company_a):
    user = _staff(company_a)
    cashier = client_for(company_a, "cashier")
    assert cashier.post(f"/api/v1/users/{user.pk}/reset-password/", {"mode": "temporary"}).status_code == 403
    admin = client_for(company_a, "admin")
    with tenant_context(company_a):
        me = User.objects.get(username="admin")
    own = admin.post(f"/api/v1/users/{me.pk}/reset-password/", {"mode": "temporary"}, format="json")
    assert own.status_code == 400 and own.json()["code"] == "self_reset"


def test_admin_reset_by_invitation(client_for, company_a, outbox_sent):
    user = _staff(company_a)
    admin = client_for(company_a, "admin")
    reset = admin.post(f"/api/v1/users/{user.pk}/reset-password/", {"mode": "invite"}, format="json")
    assert reset.status_code == 200 and reset.json()["temporary_password"] is None
    assert _login(client_for(company_a), "keeper", PASSWORD).status_code == 401  # the old one is gone
    _deliver(outbox_sent)
    token = _texted_token()
    assert _accept(client_for(company_a), token).status_code == 200
    assert _login(client_for(company_a), "keeper", NEW).status_code == 200


# --- invitations --------------------------------------------------------------------------------


def _texted_token(phone=PHONE):
    link = sms_standin.outbox(phone)[0]["params"][1]
    assert "/set-password?token=" in link
    return link.split("token=")[1]


def _accept(client, token, password=NEW):
    return client.post("/api/v1/auth/password/invitation/", {"token": token, "new_password": password}, format="json")


def test_staff_created_without_a_password_are_invited(client_for, company_a, outbox_sent):
    admin = client_for(company_a, "admin")
    created = admin.post(
        "/api/v1/users/",
        {"username": "newbie", "name": "新人", "roles": ["guard"], "phone": PHONE, "password": ""},
        format="json",
    )
    assert created.status_code == 201, created.content
    assert created.json()["has_password"] is False
    _deliver(outbox_sent)
    message = sms_standin.outbox(PHONE)[0]
    assert "alpha.localhost" in message["text"]
    token = _texted_token()
    with tenant_context(company_a):
        row = PasswordCode.objects.get(user__username="newbie")
        assert token not in row.digest and row.expires_at - row.created_at == timedelta(hours=72)
    accepted = _accept(client_for(company_a), token)
    assert accepted.status_code == 200 and accepted.json() == {"username": "newbie"}
    assert _login(client_for(company_a), "newbie", NEW).status_code == 200
    again = _accept(client_for(company_a), token, "Other-pass-2028")  # single use
    assert again.status_code == 400 and again.json()["code"] == "invalid_token"


def test_an_invitation_expires_and_can_be_sent_again(client_for, company_a, outbox_sent, limit_clock):
    user = _staff(company_a, password=None)
    _deliver(outbox_sent)
    first = _texted_token()
    with tenant_context(company_a):
        PasswordCode.objects.filter(user=user).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert _accept(client_for(company_a), first).json()["code"] == "invalid_token"
    sms_standin.reset(PHONE)
    admin = client_for(company_a, "admin")
    assert admin.post(f"/api/v1/users/{user.pk}/invite/").status_code == 200
    _deliver(outbox_sent)
    assert _accept(client_for(company_a), _texted_token()).status_code == 200


def test_an_invitation_of_company_a_is_useless_on_company_b(client_for, company_a, company_b, outbox_sent):
    _staff(company_a, password=None)
    _staff(company_b, password=PASSWORD)
    _deliver(outbox_sent)
    token = _texted_token()
    assert _accept(client_for(company_b), token).json()["code"] == "invalid_token"
    assert _accept(client_for(company_a), token).status_code == 200


def test_staff_created_under_basic_data_without_a_password_are_invited(client_for, company_a, outbox_sent):
    """基础数据 › 员工 creates the account with its profile: a blank password sends the invitation."""
    admin = client_for(company_a, "admin")
    created = admin.post(
        "/api/v1/staff-profiles/",
        {"username": "guard9", "name": "钱保安", "roles": ["guard"], "phone": PHONE, "employee_no": "B009"},
        format="json",
    )
    assert created.status_code == 201, created.content
    _deliver(outbox_sent)
    assert _accept(client_for(company_a), _texted_token()).json() == {"username": "guard9"}
    assert _login(client_for(company_a), "guard9", NEW).status_code == 200


def test_a_blank_password_without_phone_or_email_says_so_in_the_audit(company_a, outbox_sent):
    with tenant_context(company_a):
        user = account_services.create_user(username="nocontact", roles=["guard"], password=None)
        event = AuditEvent.objects.get(action="user.create", object_id=str(user.pk))
    assert event.after["invited"] == "" and outbox_sent == []
