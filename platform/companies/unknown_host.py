"""A host that names no company (a mistyped 专属域名 on "登录我的公司", an old bookmark): a branded page
in the visitor's language that helps — find the company by name, or sign up — instead of Django's
bare English "Not Found". API paths answer the usual JSON error. Always 404, never the public
site's pages on a stranger's host (settings.DEFAULT_NOT_FOUND_TENANT_VIEW).

The search answers at most five active companies whose name contains what was typed (2–30
characters), on a per-address budget: a company's name and portal address are public anyway (its
owners reach it), but the list of customers is not something to page through."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from companies.models import Company, CompanyStatus
from core import ratelimit, text
from core.client_ip import client_ip

SEARCH_RATES = ("10/m", "60/h")
MAX_RESULTS = 5


def unknown_host(request: HttpRequest) -> HttpResponse:
    language = translation.get_language_from_request(request)
    with translation.override(language):
        if request.path.startswith("/api/"):
            return JsonResponse(
                {"code": "unknown_company", "message": _("没有这家物业公司，请检查网址。"), "fields": {}}, status=404
            )
        query = text.clean_name(request.GET.get("q", ""))[:30]
        results, note = _search(request, query) if query else (None, "")
        html = render_to_string(
            "companies/unknown_host.html",
            {
                "host": request.get_host() if _valid_host(request) else "",
                "query": query,
                "results": results,
                "note": note,
                "signup_url": _public_url(request, "/signup"),
                "home_url": _public_url(request, "/"),
                "language": language,
            },
        )
    response = HttpResponse(html, status=404, content_type="text/html; charset=utf-8")
    response["Cache-Control"] = "no-store"
    response["Content-Language"] = language
    return response


def _search(request: HttpRequest, query: str) -> tuple[list[dict[str, str]] | None, str]:
    if len(query) < 2:
        return None, _("请至少输入两个字。")
    verdict = ratelimit.hit(f"throttle_unknown_host_search:{client_ip(request) or '-'}", SEARCH_RATES, platform=True)
    if not verdict.allowed:
        return None, _("查询过于频繁，请稍后再试。")
    found = (
        Company.objects.filter(status=CompanyStatus.ACTIVE, name__icontains=query)
        .exclude(schema_name="public")
        .order_by("name")[:MAX_RESULTS]
    )
    return [{"name": c.display_name or c.name, "url": _company_url(request, c.slug)} for c in found], ""


def _valid_host(request: HttpRequest) -> bool:
    try:
        request.get_host()
    except Exception:
        return False
    return True


def _port(request: HttpRequest) -> str:
    host = request.get_host() if _valid_host(request) else ""
    _name, sep, port = host.rpartition(":")
    return f":{port}" if sep and port.isdigit() else ""


def _public_url(request: HttpRequest, path: str) -> str:
    return f"{request.scheme}://{settings.BASE_DOMAIN}{_port(request)}{path}"


def _company_url(request: HttpRequest, slug: str) -> str:
    return f"{request.scheme}://{slug}.{settings.BASE_DOMAIN}{_port(request)}/login"
