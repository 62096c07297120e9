from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _

from companies.models import CompanyStatus

# What a suspended company can still reach: who it is, signing in, and its subscription.
OPEN_WHEN_SUSPENDED = ("/api/v1/site/", "/api/v1/auth/", "/api/v1/me/", "/api/v1/subscription/")


class CompanyStatusMiddleware:
    """A suspended company's API answers 402 until its subscription is paid."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        company = getattr(request, "tenant", None)
        if (
            company is not None
            and company.status == CompanyStatus.SUSPENDED
            and request.path.startswith("/api/")
            and not request.path.startswith(OPEN_WHEN_SUSPENDED)
        ):
            return JsonResponse(
                {"code": "company_suspended", "message": _("贵公司的服务已暂停，请续费后继续使用。"), "fields": {}},
                status=402,
            )
        return self.get_response(request)
