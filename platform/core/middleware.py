from __future__ import annotations

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


class HealthAndMetricsMiddleware:
    """/healthz and /metrics answer on any host, before tenant resolution (probes use bare IPs)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path == "/healthz":
            ok, checks = health.report()
            return JsonResponse({"status": "ok" if ok else "unavailable", "checks": checks}, status=200 if ok else 503)
        if request.path == "/metrics":
            token = settings.METRICS_TOKEN
            if token and request.headers.get("Authorization") != f"Bearer {token}":
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
