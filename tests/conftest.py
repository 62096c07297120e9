"""Two companies, provisioned once per test session through the real signup path.

Tests run inside a transaction (pytest-django's `db`), switching schemas with tenant_context;
requests choose their company by Host header, exactly as browsers do.
"""

from __future__ import annotations

import contextlib
import threading
from pathlib import Path
from unittest import mock
from wsgiref.simple_server import WSGIRequestHandler, make_server

import pytest
from django.core.signals import setting_changed
from django.db import connection
from django.dispatch import receiver
from django_tenants.utils import get_public_schema_name, tenant_context
from hypothesis import settings as hypothesis_settings
from rest_framework.test import APIClient

# Property tests check what is true, not how fast: a busy machine (a parallel run, CI's neighbours)
# must not fail a pure function on Hypothesis's 200 ms default deadline. Speed is tests/bench/'s.
hypothesis_settings.register_profile("wuye", deadline=None)
hypothesis_settings.load_profile("wuye")

PASSWORD = "Test-pass-2026"
ROLES = {
    "admin": ["admin"],
    "cashier": ["cashier"],
    "dispatcher": ["dispatcher"],
    "repair": ["repair_worker"],
    "guard": ["guard"],
    "service": ["customer_service"],
}


def pytest_configure(config):
    """The static root exists, as after `collectstatic` in a deploy (else WhiteNoise warns on every request)."""
    from django.conf import settings

    Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)


def _provision(slug: str, name: str):
    from accounts import services as account_services
    from companies import services

    signup = services.create_signup(
        data={
            "company_name": name,
            "slug": slug,
            "admin_name": f"{name}管理员",
            "admin_phone": "13800000000",
            "admin_email": f"admin@{slug}.example.com",
            "password": PASSWORD,
        }
    )
    from companies.models import Company
    from core.outbox import services as outbox

    # Provisioned the way the worker does it: the signup's outbox message, delivered.
    assert outbox.deliver_now(schema_name="public", key=f"signup:{signup.pk}") == "done"
    company = Company.objects.get(slug=slug)
    with tenant_context(company):
        for username, roles in ROLES.items():
            if username != "admin":
                account_services.create_user(username=username, name=username, roles=roles, password=PASSWORD)
    return company


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    from core.outbox import relay

    with django_db_blocker.unblock(), mock.patch.object(relay, "publish", lambda *args, **kwargs: None):
        from companies import services

        services.ensure_public_tenant()
        _provision("alpha", "阿尔法物业")
        _provision("beta", "贝塔物业")
    yield


@pytest.fixture(autouse=True)
def outbox_sent(request, monkeypatch):
    """Ids of the outbox messages handed to the broker during the test. With Celery eager they run at
    once, as a worker would run them; otherwise they are only recorded — no stray messages in the
    test broker. Tests marked `worker` send for real."""
    from config.celery import app
    from core.outbox import relay

    sent: list[int] = []
    if request.node.get_closest_marker("worker"):
        yield sent
        return
    real = relay.publish

    def publish(message_id: int, *, countdown: float | None = None) -> None:
        sent.append(message_id)
        if app.conf.task_always_eager:
            real(message_id, countdown=countdown)

    monkeypatch.setattr(relay, "publish", publish)
    # The notification lanes' chains are not queued either: tests run turns themselves
    # (notifications.services.lanes.run_until_idle, tests/platform/notifications_helpers.drain).
    from notifications.services import lanes

    monkeypatch.setattr(lanes, "publish", lambda *args, **kwargs: None)
    yield sent


@pytest.fixture(autouse=True)
def _public_schema_between_tests():
    yield
    connection.set_schema_to_public()


@pytest.fixture(autouse=True)
def _default_language_between_tests():
    """A request with Accept-Language: en leaves English active in the thread (LocaleMiddleware
    activates, nothing deactivates): the next test starts in the site's default language."""
    yield
    from django.utils import translation

    translation.deactivate()


@pytest.fixture(autouse=True)
def _import_counts_are_documented(monkeypatch):
    """Every count an import answers is named in the API document (the web admin's types come from
    it): a kind that adds a count without documenting it fails whichever test meets it."""
    from tenants.imports.api import IMPORT_COUNTS, ImportCountsField

    documented = set(IMPORT_COUNTS.fields)
    shown = ImportCountsField.to_representation

    def checked(self, value):
        assert not set(value or {}) - documented, f"undocumented import counts: {set(value) - documented}"
        return shown(self, value)

    monkeypatch.setattr(ImportCountsField, "to_representation", checked)


@receiver(setting_changed)
def _media_root_follows_the_setting(*, setting, **kwargs):
    """django-tenants' storage caches MEDIA_ROOT (`relative_media_root`) and never drops it when the
    setting changes: after the first test that touched a file, every later test's uploads would
    land in that test's folder, and a file saved under one `settings.MEDIA_ROOT` be looked for under
    another (a 404 that depends on which test ran first)."""
    if setting == "MEDIA_ROOT":
        from django.core.files.storage import storages

        storages["default"].__dict__.pop("relative_media_root", None)


def clear_throttles() -> None:
    """Forget every rate-limit counter (DRF's and core.ratelimit's, all companies)."""
    from django.core.cache import cache

    client = cache._cache.get_client(write=True)
    keys = list(client.scan_iter(match="*throttle_*", count=500))
    if keys:
        client.delete(*keys)


@pytest.fixture
def limit_clock(monkeypatch):
    """The clock of core.ratelimit, moved by hand (`limit_clock.advance(seconds)`); it starts at the
    top of a minute, 08:00 UTC, so fixed windows are whole for the test."""
    from core import ratelimit

    class Clock:
        now = 1_800_000_000.0

        def advance(self, seconds: float) -> None:
            self.now += seconds

    clock = Clock()
    monkeypatch.setattr(ratelimit, "now", lambda: clock.now)
    return clock


@pytest.fixture(autouse=True)
def _fresh_throttles():
    """Rate-limit counters live in Redis, which outlives a test's transaction: start each test clean."""
    clear_throttles()


@pytest.fixture
def company_a(db):
    from companies.models import Company

    return Company.objects.get(slug="alpha")


@pytest.fixture
def company_b(db):
    from companies.models import Company

    return Company.objects.get(slug="beta")


def host_of(company) -> str:
    return f"{company.slug}.localhost"


@pytest.fixture
def client_for():
    """client_for(company, user=None, csrf=False): an API client on that company's host."""

    def make(company=None, username: str | None = None, *, csrf: bool = False) -> APIClient:
        client = APIClient(enforce_csrf_checks=csrf)
        client.defaults["HTTP_HOST"] = host_of(company) if company else "localhost"
        if username:
            from accounts.models import User

            with tenant_context(company):
                user = User.objects.get(username=username)
            client.force_authenticate(user=None)
            response = client.post("/api/v1/auth/login/", {"username": username, "password": PASSWORD}, format="json")
            assert response.status_code == 200, response.content
            assert user.pk == response.json()["id"]
        connection.set_schema_to_public()
        return client

    return make


@pytest.fixture
def in_company():
    """with in_company(c): ORM calls run in that company's schema."""
    return tenant_context


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, *args):
        pass


@contextlib.contextmanager
def served(app):
    """A WSGI app served on a loopback port, as a real service would be over the network: its base URL."""
    server = make_server("127.0.0.1", 0, app, handler_class=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def serve_wsgi():
    """serve_wsgi(app) -> base URL of `app` on a loopback port, stopped after the test."""
    with contextlib.ExitStack() as stack:
        yield lambda app: stack.enter_context(served(app))


@pytest.fixture(scope="session")
def wechat_standin():
    """The WeChat stand-in served on a loopback port, as the real API would be over the network."""
    from django.conf import settings

    from standins import wechat

    with served(wechat.wsgi_app) as base_url:
        old = settings.WECHAT_API_BASE_URL
        settings.WECHAT_API_BASE_URL = base_url
        yield wechat
        settings.WECHAT_API_BASE_URL = old


@pytest.fixture
def public_schema():
    return get_public_schema_name()


def _test_data_key(kid: str) -> str:
    import base64
    import hashlib

    return base64.urlsafe_b64encode(hashlib.sha256(f"test data key {kid}".encode()).digest()).decode()


@pytest.fixture
def data_keys(settings):
    """data_keys("k2", "k1"): WUYE_DATA_KEYS as those (made-up) keys, the first encrypting. The key
    the session's companies were provisioned under ("local") stays last unless `keep_local=False`."""
    from core import crypto

    def configure(*kids: str, keep_local: bool = True) -> None:
        entries = [f"{kid}:{_test_data_key(kid)}" for kid in kids] + ([crypto.LOCAL_KID] if keep_local else [])
        settings.WUYE_DATA_KEYS = ",".join(entries)
        crypto.reset_keys()

    yield configure
    crypto.reset_keys()
