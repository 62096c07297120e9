"""One definition of the client's address (core.client_ip) behind every limit and the audit trail:
a client-written X-Forwarded-For never makes a new caller."""

from __future__ import annotations

import pytest
from django.test import RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver
from django_tenants.utils import tenant_context

from accounts.models import AuditEvent
from core.client_ip import client_ip, limit_subject
from core.throttling import ClientIpThrottle

pytestmark = pytest.mark.django_db


def _request(xff=None, remote="10.0.0.5"):
    extra = {"HTTP_X_FORWARDED_FOR": xff} if xff is not None else {}
    return RequestFactory().get("/", REMOTE_ADDR=remote, **extra)


def test_without_trusted_proxies_the_header_is_ignored(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(_request("1.2.3.4")) == "10.0.0.5"


def test_trusted_proxies_are_counted_from_the_right(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip(_request("6.6.6.6, 198.51.100.7")) == "198.51.100.7"  # what our proxy appended
    settings.TRUSTED_PROXY_COUNT = 2
    assert client_ip(_request("6.6.6.6, 198.51.100.7, 10.0.0.9")) == "198.51.100.7"
    # Fewer entries than proxies, or an entry that is no address: the peer's own address.
    assert client_ip(_request("198.51.100.7")) == "10.0.0.5"
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip(_request("not-an-ip")) == "10.0.0.5"
    assert client_ip(_request()) == "10.0.0.5"


def test_an_ipv6_client_is_counted_by_its_64_block():
    assert limit_subject("2001:db8:1:2:aaaa::1") == limit_subject("2001:db8:1:2:bbbb::9") == "2001:db8:1:2::/64"
    assert limit_subject("2001:db8:1:3::1") != limit_subject("2001:db8:1:2::1")
    assert limit_subject("::ffff:198.51.100.7") == "198.51.100.7"
    assert limit_subject(None) == limit_subject("junk") == "unknown"


def _post_rotating(client, path, count, body, appended_by_our_proxy=None):
    """`count` posts, each with an X-Forwarded-For the client made up afresh."""
    codes = []
    for n in range(count):
        xff = f"203.0.113.{n % 250}, 198.51.{n // 250}.{n % 250}"
        if appended_by_our_proxy:
            xff += f", {appended_by_our_proxy}"
        codes.append(client.post(path, body(n), format="json", HTTP_X_FORWARDED_FOR=xff).status_code)
    return codes


def test_rotating_x_forwarded_for_escapes_no_limit(client_for, company_a, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    settings.LOGIN_ADDRESS_FREE_ATTEMPTS = 1000  # let the DRF rate answer, not the login backoff
    tenant = client_for(company_a)
    login = _post_rotating(tenant, "/api/v1/auth/login/", 21, lambda n: {"username": f"u{n}", "password": "x"})
    assert login[:20] == [401] * 20 and login[20] == 429
    sms = _post_rotating(tenant, "/api/v1/auth/sms/send/", 6, lambda n: {"phone": "123"})
    assert sms[:5] == [400] * 5 and sms[5] == 429
    signup = _post_rotating(client_for(None), "/api/v1/signups/", 11, lambda n: {})
    assert signup[:10] == [400] * 10 and signup[10] == 429


def test_behind_our_proxy_the_address_it_appended_counts(client_for, company_a, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.LOGIN_ADDRESS_FREE_ATTEMPTS = 1000
    tenant = client_for(company_a)
    login = _post_rotating(
        tenant,
        "/api/v1/auth/login/",
        21,
        lambda n: {"username": "cashier" if n == 0 else f"u{n}", "password": "x"},
        appended_by_our_proxy="198.51.100.200",
    )
    assert login[:20] == [401] * 20 and login[20] == 429
    with tenant_context(company_a):
        assert AuditEvent.objects.get(action="login.failed", actor_label="cashier").ip == "198.51.100.200"
    # Another client behind the same proxy is a caller of its own.
    other = tenant.post(
        "/api/v1/auth/login/", {"username": "u", "password": "x"}, format="json", HTTP_X_FORWARDED_FOR="198.51.100.201"
    )
    assert other.status_code == 401


def _views(resolver):
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            yield from _views(pattern)
        elif isinstance(pattern, URLPattern):
            view = getattr(pattern.callback, "cls", None) or getattr(pattern.callback, "view_class", None)
            if view is not None:
                yield pattern, view


@pytest.mark.parametrize("urlconf", ["config.urls_tenant", "config.urls_public"])
def test_every_throttle_in_use_identifies_clients_by_core_client_ip(urlconf):
    throttled = set()
    for pattern, view in _views(get_resolver(urlconf)):
        for throttle in getattr(view, "throttle_classes", []):
            throttled.add(view)
            assert issubclass(throttle, ClientIpThrottle), f"{pattern.pattern}: {throttle.__name__}"
    assert len(throttled) >= (4 if urlconf == "config.urls_tenant" else 1)  # logins and SMS / signup
