"""Production as deploy/docker-compose.yml configures it: https behind a TLS proxy (X-Forwarded-Proto),
Secure cookies, HSTS, CSRF origins limited to the request's own host, /metrics closed to company
hosts and open only to its token, and `manage.py check --deploy` without a single warning."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.conftest import PASSWORD, host_of
from tests.deploy.compose_env import ROOT, compose_environment, settings_under

HTTPS_SETTINGS = [
    "SECURE_PROXY_SSL_HEADER",
    "SECURE_SSL_REDIRECT",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "CSRF_TRUSTED_ORIGINS",
]


@pytest.fixture(scope="module")
def compose_https():
    """The https settings a production process computes from compose's environment."""
    values = settings_under(compose_environment(), [*HTTPS_SETTINGS, "PRODUCTION"])
    assert values.pop("PRODUCTION") is True
    if values["SECURE_PROXY_SSL_HEADER"] is not None:
        values["SECURE_PROXY_SSL_HEADER"] = tuple(values["SECURE_PROXY_SSL_HEADER"])
    return values


@pytest.fixture
def as_in_production(settings, compose_https):
    for name, value in compose_https.items():
        setattr(settings, name, value)
    return settings


def test_check_deploy_has_no_warning_with_the_compose_environment():
    checked = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env=compose_environment(),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "no issues" in checked.stdout and "WARNINGS" not in checked.stderr


def test_production_settings_are_https_with_no_wildcard_origin(compose_https):
    assert compose_https["SECURE_PROXY_SSL_HEADER"] == ("HTTP_X_FORWARDED_PROTO", "https")
    assert compose_https["SESSION_COOKIE_SECURE"] is True and compose_https["CSRF_COOKIE_SECURE"] is True
    assert compose_https["SECURE_SSL_REDIRECT"] is True
    assert compose_https["SECURE_HSTS_SECONDS"] >= 180 * 24 * 3600 and compose_https["SECURE_HSTS_INCLUDE_SUBDOMAINS"]
    assert not any("*" in origin for origin in compose_https["CSRF_TRUSTED_ORIGINS"])


def _https_client(client_for, company):
    client = client_for(company, csrf=True)
    client.defaults["HTTP_X_FORWARDED_PROTO"] = "https"
    return client


@pytest.mark.django_db
def test_sign_in_over_https_on_the_company_host(as_in_production, client_for, company_a):
    client = _https_client(client_for, company_a)
    csrf = client.get("/api/v1/auth/csrf/")
    assert csrf.status_code == 200
    assert csrf.cookies["csrftoken"]["secure"] is True
    assert csrf["Strict-Transport-Security"].startswith("max-age=")
    assert "includeSubDomains" in csrf["Strict-Transport-Security"]
    origin = f"https://{host_of(company_a)}"
    signed_in = client.post(
        "/api/v1/auth/login/",
        {"username": "admin", "password": PASSWORD},
        format="json",
        HTTP_X_CSRFTOKEN=csrf.json()["csrf_token"],
        HTTP_ORIGIN=origin,
        HTTP_REFERER=f"{origin}/login",
    )
    assert signed_in.status_code == 200, signed_in.content
    assert signed_in.cookies["sessionid"]["secure"] is True
    assert client.get("/api/v1/me/").json()["username"] == "admin"


@pytest.mark.django_db
def test_another_company_host_is_no_trusted_origin(as_in_production, client_for, company_a, company_b):
    client = _https_client(client_for, company_a)
    token = client.get("/api/v1/auth/csrf/").json()["csrf_token"]
    for origin in (f"https://{host_of(company_b)}", f"http://{host_of(company_a)}"):
        refused = client.post(
            "/api/v1/auth/login/",
            {"username": "admin", "password": PASSWORD},
            format="json",
            HTTP_X_CSRFTOKEN=token,
            HTTP_ORIGIN=origin,
        )
        assert refused.status_code == 403, origin


@pytest.mark.django_db
def test_plain_http_is_redirected_but_probes_answer(as_in_production, client_for, company_a):
    client = client_for(company_a)
    redirected = client.get("/api/v1/auth/csrf/")
    assert redirected.status_code == 301 and redirected["Location"].startswith("https://")
    assert client.get("/healthz").status_code == 200


@pytest.mark.django_db
def test_metrics_never_on_a_company_host_and_only_with_its_token_in_production(client, settings):
    settings.METRICS_TOKEN = ""
    assert client.get("/metrics", HTTP_HOST="alpha.localhost").status_code == 404
    assert client.get("/metrics", HTTP_HOST="localhost").status_code == 200  # the demo: open on the public host
    settings.PRODUCTION = True
    assert client.get("/metrics", HTTP_HOST="localhost").status_code == 404  # no token: off
    settings.METRICS_TOKEN = "a-long-metrics-token-0123456789"
    assert client.get("/metrics", HTTP_HOST="localhost").status_code == 401
    bearer = "Bearer a-long-metrics-token-0123456789"
    assert client.get("/metrics", HTTP_HOST="10.0.0.7:8000", HTTP_AUTHORIZATION=bearer).status_code == 200
    assert client.get("/metrics", HTTP_HOST="alpha.localhost", HTTP_AUTHORIZATION=bearer).status_code == 404


def test_production_refuses_the_embedded_servers_and_a_generated_secret_key():
    for missing in ("DATABASE_URL", "REDIS_URL", "DJANGO_SECRET_KEY"):
        environment = compose_environment()
        del environment[missing]
        started = subprocess.run(
            [sys.executable, "-c", "import config.wsgi"],
            env=environment,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert started.returncode != 0 and f"production needs {missing}" in started.stderr, started.stderr[-2000:]
