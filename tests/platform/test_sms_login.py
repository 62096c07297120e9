"""H5 owner login by phone and texted code, through the Tencent SMS adapter and its stand-in."""

from __future__ import annotations

import pytest
from django_tenants.utils import tenant_context

from accounts.models import User
from standins import sms as sms_standin

pytestmark = pytest.mark.django_db

PHONE = "13511112222"


@pytest.fixture(autouse=True)
def _clean_outbox():
    sms_standin.reset(PHONE)
    yield
    sms_standin.reset(PHONE)


def _send(client, phone=PHONE, ip="127.0.0.1"):
    return client.post("/api/v1/auth/sms/send/", {"phone": phone}, format="json", REMOTE_ADDR=ip)


def _a_minute_later(clock, phone=PHONE):
    """Move the limits' clock on a minute and reset the provider's own per-number limit."""
    clock.advance(60)
    sms_standin.reset(phone)


def test_code_is_texted_and_logs_the_owner_in(client_for, company_a):
    client = client_for(company_a)
    sent = _send(client)
    assert sent.status_code == 200, sent.content
    message = sms_standin.outbox(PHONE)[0]
    code = message["params"][0]
    assert sent.json()["debug_code"] == code  # shown only because the demo switch is on
    assert message["text"].startswith(f"【{sms_standin.DEMO_CONFIG.sign_name}】")
    login = client.post("/api/v1/auth/sms/login/", {"phone": PHONE, "code": code}, format="json")
    assert login.status_code == 200, login.content
    body = login.json()
    assert body["user"]["roles"] == ["resident"] and body["user"]["phone_masked"] == "135****2222"
    me = client_for(company_a)
    me.credentials(HTTP_AUTHORIZATION=f"Bearer {body['token']}")
    assert me.get("/api/v1/me/").json()["id"] == body["user"]["id"]
    # The code is single-use.
    again = client.post("/api/v1/auth/sms/login/", {"phone": PHONE, "code": code}, format="json")
    assert again.status_code == 400 and again.json()["code"] == "invalid_code"


def test_the_code_shows_only_in_the_demo(client_for, company_a, settings):
    settings.DEMO = False  # even with the stand-in still the provider
    sent = _send(client_for(company_a))
    assert sent.status_code == 200 and sent.json() == {"sent": True}
    assert sms_standin.outbox(PHONE)  # it was texted, just not shown


def test_second_send_within_a_minute_is_429_from_anywhere(client_for, company_a, limit_clock):
    client = client_for(company_a)
    assert _send(client).status_code == 200
    again = _send(client_for(company_a), ip="198.51.100.9")
    assert again.status_code == 429 and again.json()["code"] == "throttled"
    assert 0 < int(again["Retry-After"]) <= 60 and "秒后再试" in again.json()["message"]
    assert len(sms_standin.outbox(PHONE)) == 1  # refused before a message was spent


def test_a_phone_gets_a_few_codes_a_day_whoever_asks(client_for, company_a, company_b, settings, limit_clock):
    settings.SMS_CODES_PER_PHONE_PER_DAY = 2
    settings.SMS_CODES_PER_PHONE_PER_DAY_ALL_COMPANIES = 3
    sent = []
    for n in range(3):
        sent.append(_send(client_for(company_a), ip=f"198.51.100.{n}").status_code)
        _a_minute_later(limit_clock)
    assert sent == [200, 200, 429]
    # Other companies share the platform-wide count for the number...
    assert _send(client_for(company_b), ip="198.51.100.50").status_code == 200
    _a_minute_later(limit_clock)
    refused = _send(client_for(company_b), ip="198.51.100.51")
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 60 * 60
    # ...and another number is not affected.
    assert _send(client_for(company_a), phone="13511113333", ip="198.51.100.52").status_code == 200
    sms_standin.reset("13511113333")


def test_bad_phone_and_bad_code_are_field_errors(client_for, company_a):
    client = client_for(company_a)
    assert "phone" in _send(client, "12345").json()["fields"]
    bad = client.post("/api/v1/auth/sms/login/", {"phone": PHONE, "code": "12ab"}, format="json")
    assert bad.status_code == 400 and "code" in bad.json()["fields"]


def test_five_wrong_guesses_kill_the_code(client_for, company_a):
    client = client_for(company_a)
    code = _send(client).json()["debug_code"]
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    for _ in range(5):
        assert client.post("/api/v1/auth/sms/login/", {"phone": PHONE, "code": wrong}, format="json").status_code == 400
    late = client.post("/api/v1/auth/sms/login/", {"phone": PHONE, "code": code}, format="json")
    assert late.status_code == 400  # the right code no longer works: guessing 10^6 codes is not an option


def test_a_code_sent_on_one_company_does_not_log_in_on_another(client_for, company_a, company_b):
    code = _send(client_for(company_a)).json()["debug_code"]
    on_b = client_for(company_b).post("/api/v1/auth/sms/login/", {"phone": PHONE, "code": code}, format="json")
    assert on_b.status_code == 400
    with tenant_context(company_b):
        assert not User.objects.filter(username__startswith="m_").exists()


def test_the_same_phone_is_the_same_resident(client_for, company_a, limit_clock):
    client = client_for(company_a)
    first = client.post(
        "/api/v1/auth/sms/login/", {"phone": PHONE, "code": _send(client).json()["debug_code"]}, format="json"
    ).json()
    _a_minute_later(limit_clock)
    second = client.post(
        "/api/v1/auth/sms/login/", {"phone": PHONE, "code": _send(client).json()["debug_code"]}, format="json"
    ).json()
    assert first["user"]["id"] == second["user"]["id"]


def test_a_staff_phone_gets_a_resident_identity_not_staff_powers(client_for, company_a):
    from accounts import services as account_services

    with tenant_context(company_a):
        admin = User.objects.get(username="admin")
        account_services.update_user(user=admin, actor=None, phone=PHONE)
    client = client_for(company_a)
    body = client.post(
        "/api/v1/auth/sms/login/", {"phone": PHONE, "code": _send(client).json()["debug_code"]}, format="json"
    ).json()
    assert body["user"]["id"] != admin.pk and body["user"]["roles"] == ["resident"]


def test_owner_app_tokens_never_carry_staff_permissions(client_for, company_a):
    from accounts import services as account_services

    with tenant_context(company_a):
        admin = User.objects.get(username="admin")
        owner_raw, _t = account_services.issue_token(user=admin, kind="wechat")
        api_raw, _t = account_services.issue_token(user=admin, kind="api")
    owner_app = client_for(company_a)
    owner_app.credentials(HTTP_AUTHORIZATION=f"Bearer {owner_raw}")
    assert owner_app.get("/api/v1/me/").status_code == 200
    assert owner_app.get("/api/v1/users/").status_code == 403
    api = client_for(company_a)
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {api_raw}")
    assert api.get("/api/v1/users/").status_code == 200


def test_a_disabled_resident_cannot_log_in(client_for, company_a, limit_clock):
    client = client_for(company_a)
    first = client.post(
        "/api/v1/auth/sms/login/", {"phone": PHONE, "code": _send(client).json()["debug_code"]}, format="json"
    ).json()
    with tenant_context(company_a):
        User.objects.filter(pk=first["user"]["id"]).update(is_active=False)
    _a_minute_later(limit_clock)
    refused = client.post(
        "/api/v1/auth/sms/login/", {"phone": PHONE, "code": _send(client).json()["debug_code"]}, format="json"
    )
    assert refused.status_code == 403 and refused.json()["code"] == "account_disabled"
