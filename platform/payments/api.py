"""Payments' API on a company's host: the owner pays (prepay, status), the company admin sets its
WeChat Pay sub-merchant, and WeChat Pay notifies (no session, no CSRF: the signature is the credential)."""

from __future__ import annotations

import logging
from typing import Any

from django.db.models import QuerySet
from django.http import HttpResponse, JsonResponse
from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import generics, serializers
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.client_ip import client_ip
from payments import selectors
from payments.models import Channel, OrderStatus, PaymentOrder, Purpose, RefusedNotification
from payments.services import checkout, merchant, methods, notifications, refused

logger = logging.getLogger(__name__)
OWNER = "owner.self"
MERCHANT_SETTINGS = "payments.merchant"


def money_field(**kwargs: Any) -> serializers.DecimalField:
    """An amount in yuan, to the fen, as a decimal string ("89.50")."""
    return serializers.DecimalField(max_digits=14, decimal_places=2, **kwargs)


class OrderLineSerializer(serializers.Serializer[Any]):
    item_id = serializers.IntegerField()
    name = serializers.CharField(source="label")
    amount = money_field()
    late_fee = money_field()


class RequestPaymentSerializer(serializers.Serializer[Any]):
    """wx.requestPayment's parameters, as named there."""

    appId = serializers.CharField()
    timeStamp = serializers.CharField()
    nonceStr = serializers.CharField()
    package = serializers.CharField()
    signType = serializers.CharField()
    paySign = serializers.CharField()


class CardPaymentSerializer(serializers.Serializer[Any]):
    """What Stripe.js confirms a card payment with (Stripe's names)."""

    payment_intent = serializers.CharField()
    client_secret = serializers.CharField()
    publishable_key = serializers.CharField()


def _live_params(order: PaymentOrder) -> dict[str, str]:
    # Only while it can still be paid; a closed attempt's parameters are of no use to anyone.
    return dict(order.client_params) if order.status == OrderStatus.PENDING and order.client_params else {}


class PaymentOrderSerializer(serializers.ModelSerializer[PaymentOrder]):
    house = serializers.IntegerField(source="payer_id")
    amount = money_field()
    lines = OrderLineSerializer(many=True)
    request_payment = serializers.SerializerMethodField()
    card = serializers.SerializerMethodField()
    pay_url = serializers.SerializerMethodField()
    settled_reference = serializers.CharField(
        read_only=True, help_text="Once allocated: the purpose's record of the money (bills: the payment's id)."
    )

    class Meta:
        model = PaymentOrder
        fields = [
            "id",
            "purpose",
            "house",
            "amount",
            "description",
            "gateway",
            "channel",
            "status",
            "out_trade_no",
            "expires_at",
            "paid_at",
            "settlement",
            "settled_reference",
            "created_at",
            "lines",
            "request_payment",
            "card",
            "pay_url",
        ]

    @extend_schema(responses=RequestPaymentSerializer(allow_null=True))
    def get_request_payment(self, order: PaymentOrder) -> dict[str, str] | None:
        """wx.requestPayment's parameters (WeChat Pay in the mini-program), while pending."""
        params = _live_params(order)
        return params if order.channel == Channel.JSAPI and "paySign" in params else None

    @extend_schema(responses=CardPaymentSerializer(allow_null=True))
    def get_card(self, order: PaymentOrder) -> dict[str, str] | None:
        """A card payment's PaymentIntent for Stripe.js, while pending."""
        params = _live_params(order)
        fields = ("payment_intent", "client_secret", "publishable_key")
        return {name: params[name] for name in fields} if all(name in params for name in fields) else None

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_pay_url(self, order: PaymentOrder) -> str | None:
        """A browser's payment page (H5: WeChat Pay's cashier, the card page), while pending."""
        return (_live_params(order).get("pay_url") or None) if order.channel == Channel.H5 else None


class StartPaymentSerializer(serializers.Serializer[Any]):
    house = serializers.IntegerField(min_value=1)
    charge_ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        required=False,
        allow_empty=True,
        max_length=200,
        help_text="Charges to pay; all that are due (payable online) when absent or empty.",
    )
    idempotency_key = serializers.CharField(max_length=64)
    gateway = serializers.CharField(max_length=16, required=False, default="wechatpay")
    channel = serializers.ChoiceField(
        choices=Channel.choices,
        required=False,
        allow_null=True,
        default=None,
        help_text="jsapi (the mini-program) or h5 (a browser); the gateway's first channel when absent.",
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if not methods.online(attrs["gateway"]):
            raise serializers.ValidationError({"gateway": [_("不支持该支付方式。")]})
        offered = methods.channels_of(attrs["gateway"])
        if attrs.get("channel") is None:
            attrs["channel"] = (offered or (Channel.JSAPI,))[0]
        elif offered is not None and attrs["channel"] not in offered:
            raise serializers.ValidationError({"channel": [_("该支付方式不支持此客户端。")]})
        return attrs


class PaymentMethodSerializer(serializers.Serializer[Any]):
    gateway = serializers.CharField()
    channel = serializers.ChoiceField(choices=Channel.choices)
    label = serializers.CharField()  # type: ignore[assignment]  # a field named label (DRF pops declared fields)


CLIENT_PARAMETER = OpenApiParameter(
    "client",
    str,
    enum=list(methods.CLIENTS),
    required=True,
    description="Where the owner pays: the mini-program or a browser.",
)


class OwnerPaymentMethods(APIView):
    """支付方式: how the owner can pay on this device now (empty: pay at the office)."""

    required_permission = OWNER

    @extend_schema(parameters=[CLIENT_PARAMETER], responses=PaymentMethodSerializer(many=True))
    def get(self, request: Request) -> Response:
        client = request.query_params.get("client", "")
        if client not in methods.CLIENTS:
            raise ValidationError({"client": [_("请指明客户端（mp-weixin 或 h5）。")]})
        offered = methods.available(company=request.tenant, user=request.user, client=client)  # type: ignore[attr-defined]
        return Response(PaymentMethodSerializer(offered, many=True).data)


class PaymentQuoteSerializer(serializers.Serializer[Any]):
    house = serializers.IntegerField(source="payer_id")
    lines = OrderLineSerializer(many=True)  # each with the late fee accruing on it, posted when paid
    total = money_field(help_text="What the order will be for, late fees included.")


class QuoteQuerySerializer(serializers.Serializer[Any]):
    house = serializers.IntegerField(min_value=1)
    charge_ids = serializers.RegexField(
        r"^\d{1,18}(,\d{1,18}){0,199}$",
        required=False,
        allow_blank=True,
        help_text="Comma-separated charges; all that are due (payable online) when absent or empty.",
    )


class OwnerPaymentQuote(APIView):
    """应付金额: what paying these charges (or all due) comes to today, late fees included — the
    amount an order started now would be for. Writes nothing."""

    required_permission = OWNER
    error_statuses = {"get": [404, 409]}

    @extend_schema(parameters=[QuoteQuerySerializer], responses=PaymentQuoteSerializer)
    def get(self, request: Request) -> Response:
        form = QuoteQuerySerializer(data=request.query_params)
        form.is_valid(raise_exception=True)
        raw = form.validated_data.get("charge_ids") or ""
        item_ids = [int(part) for part in raw.split(",") if part] or None
        quote = checkout.quote(
            purpose=Purpose.BILLS, user=request.user, payer_id=form.validated_data["house"], item_ids=item_ids
        )
        return Response(PaymentQuoteSerializer(quote).data)


class OwnerPayments(APIView):
    """在线缴费: start paying chosen charges (or all due) with a gateway and channel (WeChat Pay JSAPI
    by default); answers the order, with what the client pays with while it is pending:
    wx.requestPayment's parameters (jsapi) or the page to open (h5, `pay_url`)."""

    required_permission = OWNER
    error_statuses = {"post": [404, 409, 503]}

    @extend_schema(request=StartPaymentSerializer, responses={201: PaymentOrderSerializer})
    def post(self, request: Request) -> Response:
        form = StartPaymentSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        order = checkout.start_payment(
            company=request.tenant,  # type: ignore[attr-defined]
            user=request.user,
            purpose=Purpose.BILLS,
            payer_id=data["house"],
            item_ids=data.get("charge_ids") or None,
            idempotency_key=data["idempotency_key"],
            gateway_name=data["gateway"],
            channel=data["channel"],
            payer_ip=client_ip(request._request),
        )
        return Response(PaymentOrderSerializer(selectors.with_lines(order.pk)).data, status=201)


class OwnerPaymentDetail(APIView):
    """One of the owner's own payment orders: pending shows pending until the gateway says otherwise."""

    required_permission = OWNER
    error_statuses = {"get": [404]}

    @extend_schema(responses=PaymentOrderSerializer)
    def get(self, request: Request, pk: int) -> Response:
        order = selectors.owner_order(request.user, pk)
        if order is None:
            raise NotFound()
        return Response(PaymentOrderSerializer(order).data)


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
    path("owner/payments/", OwnerPayments.as_view(), name="owner-payments"),
    path("owner/payments/quote/", OwnerPaymentQuote.as_view(), name="owner-payment-quote"),
    path("owner/payments/methods/", OwnerPaymentMethods.as_view(), name="owner-payment-methods"),
    path("owner/payments/<int:pk>/", OwnerPaymentDetail.as_view(), name="owner-payment"),
    path("settings/wechat-pay/", WechatMerchantView.as_view(), name="wechat-pay-settings"),
    path(merchant.NOTIFY_PATH.removeprefix("api/v1/"), WechatNotifyView.as_view(), name="wechat-pay-notify"),
    path("payments/refused-notifications/", RefusedNotificationList.as_view(), name="payments-refused-notifications"),
]
