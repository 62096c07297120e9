from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django_tenants.utils import get_public_schema_name

from companies.models import CompanyStatus, SubscriptionStatus

# What a suspended company can still reach: who it is, signing in, its subscription (to pay it),
# everything its owners use — their bills and payments are never held hostage to the company's own —
# and WeChat Pay's notifications of what those owners paid.
OPEN_WHEN_SUSPENDED = (
    "/api/v1/site/",
    "/api/v1/auth/",
    "/api/v1/me/",
    "/api/v1/subscription/",
    "/api/v1/owner/",
    "/api/v1/payments/wechat/notify/",
)


class CompanyStatusMiddleware:
    """A suspended company's staff API answers 402: suspended by the platform, or unpaid past its
    grace period (judged as of now, so before the daily task has written it down too)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        company = getattr(request, "tenant", None)
        if (
            company is None
            or company.schema_name == get_public_schema_name()
            or not request.path.startswith("/api/")
            or request.path.startswith(OPEN_WHEN_SUSPENDED)
        ):
            return self.get_response(request)
        if company.status == CompanyStatus.SUSPENDED:
            return _refused("company_suspended", _("贵公司的服务已暂停，请联系平台客服。"))
        from subscriptions import selectors  # the registry's middleware asks the subscriptions app

        if selectors.access_state_of(company) == SubscriptionStatus.SUSPENDED:
            return _refused(
                "subscription_suspended",
                _(
                    "贵公司的订阅已到期未付，员工功能已暂停（数据完好保留，业主仍可查看和缴纳账单）。"
                    "请公司管理员登录后在 系统设置 → 订阅与套餐 中付款，付款后立即恢复。"
                ),
            )
        return self.get_response(request)


def _refused(code: str, message: str) -> JsonResponse:
    return JsonResponse({"code": code, "message": message, "fields": {}}, status=402)
