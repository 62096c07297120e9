"""Password login backoff (accounts.login_throttle): guessing gets slower and slower, yet a stranger
cannot lock the real user out; the platform console login gets the same."""

from __future__ import annotations

import pytest
from django.test import Client
from django_tenants.utils import schema_context, tenant_context

from accounts.models import AuditEvent, User
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

ATTACKER = "198.51.100.66"
OFFICE = "203.0.113.10"
TRAVELLING = "192.0.2.77"


def _login(client, username, password, ip):
    return client.post("/api/v1/auth/login/", {"username": username, "password": password}, REMOTE_ADDR=ip)


def test_a_strangers_guesses_slow_down_the_stranger_not_the_admin(client_for, company_a, limit_clock, settings):
    client = client_for(company_a)
    assert _login(client, "admin", PASSWORD, OFFICE).status_code == 200  # the admin's usual address
    for _ in range(settings.LOGIN_FREE_ATTEMPTS):
        assert _login(client, "admin", "wrong-guess-1", ATTACKER).status_code == 401
    waits = []
    for _ in range(3):
        refused = _login(client, "admin", "wrong-guess-2", ATTACKER)
        assert refused.status_code == 429
        assert refused.json()["code"] == "throttled" and "秒后再试" in refused.json()["message"]
        waits.append(int(refused["Retry-After"]))
        assert refused.json()["retry_after"] == waits[-1]
        limit_clock.advance(waits[-1])
        assert _login(client, "admin", "wrong-guess-3", ATTACKER).status_code == 401
    assert waits == [2, 4, 8]  # growing with every further guess

    # While the attacker must wait, even the right password from there is refused unchecked: a 429
    # tells nothing about the password.
    assert _login(client, "admin", PASSWORD, ATTACKER).status_code == 429

    # The admin at the usual address is not held up at all...
    assert _login(client_for(company_a), "admin", PASSWORD, OFFICE).status_code == 200
    # ...and from a new address waits a short while at most.
    away = _login(client_for(company_a), "admin", PASSWORD, TRAVELLING)
    if away.status_code == 429:
        assert int(away["Retry-After"]) <= settings.LOGIN_ACCOUNT_MAX_DELAY_SECONDS
        limit_clock.advance(int(away["Retry-After"]))
        away = _login(client_for(company_a), "admin", PASSWORD, TRAVELLING)
    assert away.status_code == 200
    with tenant_context(company_a):
        assert not User.objects.filter(username="admin", is_active=False).exists()
        assert AuditEvent.objects.filter(action="login.failed", actor_label="admin").count() == 8


def test_the_attackers_delay_grows_to_the_cap(client_for, company_a, limit_clock, settings):
    settings.LOGIN_MAX_DELAY_SECONDS = 30
    settings.LOGIN_ACCOUNT_MAX_DELAY_SECONDS = 10  # below the pair's, so the pair's cap shows
    client = client_for(company_a)
    waits = []
    for _ in range(settings.LOGIN_FREE_ATTEMPTS + 6):
        response = _login(client, "cashier", "nope", ATTACKER)
        if response.status_code == 429:
            waits.append(int(response["Retry-After"]))
            limit_clock.advance(waits[-1])
            assert _login(client, "cashier", "nope", ATTACKER).status_code == 401
    assert waits == [2, 4, 8, 16, 30, 30]


def test_guessing_from_many_addresses_stays_slow_for_the_account(client_for, company_a, limit_clock, settings):
    client = client_for(company_a)
    codes = [_login(client, "guard", "nope", f"198.51.100.{i}").status_code for i in range(1, 9)]
    assert codes[: settings.LOGIN_FREE_ATTEMPTS] == [401] * settings.LOGIN_FREE_ATTEMPTS
    assert set(codes[settings.LOGIN_FREE_ATTEMPTS :]) == {429}


def test_one_address_trying_many_accounts_is_slowed_down(client_for, company_a, limit_clock, settings):
    settings.LOGIN_ADDRESS_FREE_ATTEMPTS = 6
    client = client_for(company_a)
    for n in range(6):
        assert _login(client, f"someone-{n}", "nope", ATTACKER).status_code == 401
    refused = _login(client, "someone-new", "nope", ATTACKER)
    assert refused.status_code == 429 and int(refused["Retry-After"]) == 2
    # Colleagues elsewhere are not affected; a right password does not add up at a shared address.
    assert _login(client, "cashier", PASSWORD, OFFICE).status_code == 200
    for _ in range(8):
        assert _login(client_for(company_a), "cashier", PASSWORD, OFFICE).status_code == 200


def test_the_backoff_is_per_company(client_for, company_a, company_b, limit_clock, settings):
    for _ in range(settings.LOGIN_FREE_ATTEMPTS):
        _login(client_for(company_a), "admin", "nope", ATTACKER)
    assert _login(client_for(company_a), "admin", PASSWORD, ATTACKER).status_code == 429
    assert _login(client_for(company_b), "admin", PASSWORD, ATTACKER).status_code == 200


def test_a_success_forgets_the_accounts_failures(client_for, company_a, limit_clock, settings):
    client = client_for(company_a)
    for _ in range(settings.LOGIN_FREE_ATTEMPTS - 1):
        assert _login(client, "dispatcher", "typo", OFFICE).status_code == 401
    assert _login(client, "dispatcher", PASSWORD, OFFICE).status_code == 200
    for _ in range(settings.LOGIN_FREE_ATTEMPTS):
        assert _login(client_for(company_a), "dispatcher", "typo", OFFICE).status_code == 401


def _operator():
    with schema_context("public"):
        return User.objects.create_superuser("operator", PASSWORD, is_staff=True)


def _console_login(password, ip):
    client = Client(HTTP_HOST="localhost")
    return client.post("/console/login/", {"username": "operator", "password": password}, REMOTE_ADDR=ip)


def test_the_console_login_has_the_same_backoff(limit_clock, settings):
    _operator()
    for _ in range(settings.LOGIN_FREE_ATTEMPTS):
        assert _console_login("nope", ATTACKER).status_code == 200  # the form again, with its error
    refused = _console_login(PASSWORD, ATTACKER)
    assert refused.status_code == 429 and refused["Retry-After"] == "2"
    assert "登录尝试次数过多" in refused.content.decode()
    limit_clock.advance(2)
    assert _console_login("nope", ATTACKER).status_code == 200
    assert _console_login("nope", ATTACKER)["Retry-After"] == "4"

    # The operator, from elsewhere, gets in after a short wait at most.
    response = _console_login(PASSWORD, OFFICE)
    if response.status_code == 429:
        assert int(response["Retry-After"]) <= settings.LOGIN_ACCOUNT_MAX_DELAY_SECONDS
        limit_clock.advance(int(response["Retry-After"]))
        response = _console_login(PASSWORD, OFFICE)
    assert response.status_code == 302


def test_console_login_bad_input_is_the_form_again(limit_clock):
    response = Client(HTTP_HOST="localhost").post("/console/login/", {"username": "", "password": ""})
    assert response.status_code == 200
    assert response.context["form"].errors.keys() == {"username", "password"}
