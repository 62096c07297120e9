"""The owner pays on the company's host: the ways to pay on this device, the amount, the order
(prepay) and its status."""

from __future__ import annotations

import logging
from typing import Any

from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.client_ip import client_ip
from core.db import current_schema
from payments import selectors
from payments.api.common import OWNER, OrderLineSerializer, money_field
from payments.models import Channel, OrderStatus, PaymentOrder, Purpose
from payments.services import checkout, methods

logger = logging.getLogger(__name__)


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
        """A browser's payment page (H5: WeChat Pay's cashier, the card page), while pending. A card
        payment opens our own card page on this host (the stand-in brings its own page instead)."""
        params = _live_params(order)
        if order.channel != Channel.H5 or not params:
            return None
        if params.get("pay_url"):
            return params["pay_url"]
        if order.gateway == "stripe" and params.get("client_secret"):
            return selectors.card_page_path(current_schema(), order)
        return None


class StartPaymentSerializer(serializers.Serializer[Any]):
    house = serializers.IntegerField(min_value=1)
    charge_ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        required=False,
        allow_empty=True,
        max_length=200,
        help_text="Charges to pay; all that are due (payable online) when absent or empty.",
    )
    purpose = serializers.ChoiceField(
        choices=Purpose.choices,
        required=False,
        default=Purpose.BILLS,
        help_text="What is paid: bills (charge_ids are charges) or vendor_orders (charge_ids is the service order).",
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
    purpose = serializers.ChoiceField(
        choices=Purpose.choices,
        required=False,
        default=Purpose.BILLS,
        help_text="What is paid: bills (charge_ids are charges) or vendor_orders (charge_ids is the service order).",
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
            purpose=form.validated_data["purpose"],
            user=request.user,
            payer_id=form.validated_data["house"],
            item_ids=item_ids,
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
            purpose=data["purpose"],
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


PATHS = [
    path("owner/payments/", OwnerPayments.as_view(), name="owner-payments"),
    path("owner/payments/quote/", OwnerPaymentQuote.as_view(), name="owner-payment-quote"),
    path("owner/payments/methods/", OwnerPaymentMethods.as_view(), name="owner-payment-methods"),
    path("owner/payments/<int:pk>/", OwnerPaymentDetail.as_view(), name="owner-payment"),
]
