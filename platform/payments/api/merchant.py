"""The company as a WeChat Pay sub-merchant: its settings (the company admin), WeChat Pay's
notifications (no session, no CSRF: the signature is the credential) and the ones refused."""

from __future__ import annotations

import logging
from typing import Any

from django.db.models import QuerySet
from django.http import HttpResponse, JsonResponse
from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.client_ip import client_ip
from payments import selectors
from payments.api.common import MERCHANT_SETTINGS
from payments.models import RefusedNotification
from payments.services import merchant, notifications, refused

logger = logging.getLogger(__name__)


class WechatMerchantSerializer(serializers.Serializer[Any]):
    sub_mchid = serializers.CharField(max_length=12, allow_blank=True)
    sub_appid = serializers.CharField(max_length=32, allow_blank=True)
    secret = serializers.CharField(max_length=64, write_only=True, required=False, allow_blank=True)
    secret_set = serializers.BooleanField(read_only=True)
    notify_url = serializers.CharField(read_only=True)


def _merchant_view(company: Any) -> dict[str, Any]:
    return {
        "sub_mchid": merchant.account().sub_mchid,
        "sub_appid": company.wechat_appid,
        "secret_set": bool(company.wechat_secret),
        "notify_url": merchant.notify_url(company),
    }


class WechatMerchantView(APIView):
    """The company's WeChat Pay settings (company admins only): its sub-merchant number and its
    mini-program; the AppSecret is write-only and stored encrypted."""

    required_permission = MERCHANT_SETTINGS

    @extend_schema(responses=WechatMerchantSerializer)
    def get(self, request: Request) -> Response:
        return Response(WechatMerchantSerializer(_merchant_view(request.tenant)).data)  # type: ignore[attr-defined]

    @extend_schema(request=WechatMerchantSerializer, responses=WechatMerchantSerializer)
    def put(self, request: Request) -> Response:
        form = WechatMerchantSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        company = request.tenant  # type: ignore[attr-defined]
        merchant.update_wechat_merchant(
            company=company,
            actor=request.user,
            sub_mchid=form.validated_data["sub_mchid"],
            sub_appid=form.validated_data["sub_appid"],
            secret=form.validated_data.get("secret"),
        )
        return Response(WechatMerchantSerializer(_merchant_view(company)).data)


class WechatNotifyView(APIView):
    """WeChat Pay's notifications for this company. Public: the signature over the raw body is the
    only credential. Answers 204 once acted on (or already done); 4xx with WeChat's error JSON when
    refused, 500 when something broke midway (nothing was written; WeChat Pay sends it again)."""

    required_permission = "public"
    authentication_classes: list[Any] = []
    parser_classes: list[Any] = []  # the raw body is read as bytes, never parsed and re-serialised

    @extend_schema(exclude=True)
    def post(self, request: Request) -> HttpResponse:
        body = request._request.body
        headers = {key.lower(): value for key, value in request.headers.items()}
        try:
            notifications.handle(gateway_name="wechatpay", company=request.tenant, headers=headers, body=body)  # type: ignore[attr-defined]
        except notifications.Refused as refusal:
            refused.record(
                gateway="wechatpay",
                reason=refusal.reason,
                status_code=refusal.status,
                remote_addr=client_ip(request._request),
                body=body,
            )
            return JsonResponse({"code": "FAIL", "message": _("通知验证失败")}, status=refusal.status)
        except Exception:
            logger.exception("payment notification failed while processing")
            return JsonResponse({"code": "FAIL", "message": _("处理失败，请重试")}, status=500)
        return HttpResponse(status=204)


class RefusedNotificationSerializer(serializers.ModelSerializer[RefusedNotification]):
    class Meta:
        model = RefusedNotification
        fields = ["id", "gateway", "reason", "status_code", "received_at", "remote_addr", "body_sha256", "body_size"]
        read_only_fields = fields


class RefusedNotificationList(generics.ListAPIView[RefusedNotification]):
    """拒收的支付通知 (the last 30 days): what was refused, why (a code), when and from where — never
    what the notification claimed (company admins, who set up the merchant)."""

    serializer_class = RefusedNotificationSerializer
    required_permission = MERCHANT_SETTINGS
    filterset_fields = ["gateway", "reason"]
    ordering_fields = ["received_at"]

    def get_queryset(self) -> QuerySet[RefusedNotification]:
        return selectors.refused_notifications()


PATHS = [
    path("settings/wechat-pay/", WechatMerchantView.as_view(), name="wechat-pay-settings"),
    path(merchant.NOTIFY_PATH.removeprefix("api/v1/"), WechatNotifyView.as_view(), name="wechat-pay-notify"),
    path("payments/refused-notifications/", RefusedNotificationList.as_view(), name="payments-refused-notifications"),
]
