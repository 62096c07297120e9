"""DRF throttles that identify an anonymous caller by `core.client_ip`, never by the raw
X-Forwarded-For (DRF's default without NUM_PROXIES: a new header value per request would be a new
caller, escaping every limit). Every throttle class a view uses derives from ClientIpThrottle
(tests/platform/test_throttles.py walks the routes to hold that)."""

from __future__ import annotations

from rest_framework.request import Request
from rest_framework.throttling import ScopedRateThrottle, SimpleRateThrottle

from core.client_ip import client_ip, limit_subject


class ClientIpThrottle(SimpleRateThrottle):
    def get_ident(self, request: Request) -> str:
        return limit_subject(client_ip(request))


class ClientScopedRateThrottle(ClientIpThrottle, ScopedRateThrottle):
    """The view's `throttle_scope` rate, per signed-in user or else per client address."""
