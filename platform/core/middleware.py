from __future__ import annotations

import hmac
import re
import time
import uuid
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse

from core import actions, context, health, metrics
from core.client_ip import client_ip

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


class RequestContextMiddleware:
    """Gives every request an id (kept from X-Request-ID when well formed) for logs and responses."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "")
        rid = incoming if _REQUEST_ID.match(incoming) else uuid.uuid4().hex
        token = context.request_id.set(rid)
        ip_token = context.client_ip.set(client_ip(request))
        started = time.perf_counter()
        try:
            response = self.get_response(request)
        finally:
            context.request_id.reset(token)
            context.client_ip.reset(ip_token)
        tenant = getattr(request, "tenant", None)  # set by django-tenants' middleware, after this one
        surface = "public" if tenant is None or tenant.schema_name == "public" else "company"
        metrics.REQUESTS.labels(request.method, surface, str(response.status_code)).inc()
        metrics.LATENCY.labels(surface).observe(time.perf_counter() - started)
        response["X-Request-ID"] = rid
        return response


def is_company_host(request: HttpRequest) -> bool:
    """A host under the base domain that is not one of the public hosts: some company's (or none's)."""
    # The raw header, unvalidated: a scraper reaching a pod by its address is no allowed host.
    host = str(request.META.get("HTTP_HOST") or request.META.get("SERVER_NAME", "")).rsplit(":", 1)[0]
    host = host.lower().rstrip(".")
    return host.endswith(f".{settings.BASE_DOMAIN}") and host not in settings.PUBLIC_HOSTS


class HealthAndMetricsMiddleware:
    """/healthz answers on any host, before tenant resolution (probes use bare IPs). /metrics (every
    company's figures) never answers on a company's host, and in production only to its token
    (WUYE_METRICS_TOKEN; without one it is off); the demo and development serve it openly."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path == "/healthz":
            ok, checks = health.report()
            return JsonResponse({"status": "ok" if ok else "unavailable", "checks": checks}, status=200 if ok else 503)
        if request.path == "/metrics":
            token = settings.METRICS_TOKEN
            if is_company_host(request) or (not token and settings.PRODUCTION):
                return HttpResponse(status=404)
            if token and not hmac.compare_digest(request.headers.get("Authorization", ""), f"Bearer {token}"):
                return HttpResponse(status=401)
            return HttpResponse(metrics.render(), content_type="text/plain; version=0.0.4; charset=utf-8")
        return self.get_response(request)


class WritesOnlyInActionsMiddleware:
    """A request may change data only through actions (core.actions.writes_only_in_actions): a stray
    INSERT, UPDATE or DELETE is refused before it reaches the database. Sessions are exempt."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with actions.writes_only_in_actions("a request"):
            return self.get_response(request)
