"""Payments' staff API (在线支付): the company's payment orders — a filtered list, one order with its
lines, settlement, event trail and refunds (each refund request with who asked and decided, its
channel refunds and their evidence; evidence shown with the payer's identifiers and anything
secret-like masked), and two actions: ask the gateway now, close a pending attempt. A refund is
asked for through the purpose's refund request (bills: POST /refunds/, method "original"), approved
by someone else.

Reading needs payments.view (cashiers, finance, admins); the actions need fees.manage, the
permission that already governs the company's money configuration."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import generics, serializers
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from payments import selectors
from payments.api.common import money_field
from payments.models import OrderStatus, PaymentEvent, PaymentOrder, PaymentOrderLine, PaymentRefundEvent
from payments.services import staff

VIEW = "payments.view"
MANAGE = "fees.manage"


class StaffOrderFilterSerializer(serializers.Serializer[Any]):
    """The list's filters (dates are local days, both ends included)."""

    status = serializers.ChoiceField(choices=OrderStatus.choices, required=False)
    gateway = serializers.CharField(max_length=16, required=False, help_text="A gateway's name: wechatpay, offline…")
    house = serializers.IntegerField(min_value=1, required=False)
    created_from = serializers.DateField(required=False)
    created_to = serializers.DateField(required=False)
    paid_from = serializers.DateField(required=False)
    paid_to = serializers.DateField(required=False)
    search = serializers.CharField(
        max_length=64, required=False, help_text="An out_trade_no or the gateway's transaction id (or its start)."
    )


class StaffOrderSerializer(serializers.ModelSerializer[PaymentOrder]):
    house = serializers.IntegerField(source="payer_id")
    amount = money_field()
    refunded_amount = money_field()

    class Meta:
        model = PaymentOrder
        fields = [
            "id",
            "out_trade_no",
            "purpose",
            "payer_kind",
            "house",
            "description",
            "gateway",
            "status",
            "amount",
            "refunded_amount",
            "gateway_reference",
            "settlement",
            "created_at",
            "expires_at",
            "paid_at",
        ]
        read_only_fields = fields


class StaffOrderLineSerializer(serializers.ModelSerializer[PaymentOrderLine]):
    amount = money_field()
    late_fee = money_field()

    class Meta:
        model = PaymentOrderLine
        fields = ["id", "item_id", "label", "amount", "late_fee", "holds"]
        read_only_fields = fields


class PaymentEventSerializer(serializers.ModelSerializer[PaymentEvent]):
    evidence = serializers.SerializerMethodField()

    class Meta:
        model = PaymentEvent
        fields = ["id", "from_status", "to_status", "source", "created_at", "evidence"]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_evidence(self, event: PaymentEvent) -> Any:
        return selectors.masked_evidence(event.evidence)


class RefundEventSerializer(serializers.ModelSerializer[PaymentRefundEvent]):
    out_refund_no = serializers.CharField(source="refund.out_refund_no")
    evidence = serializers.SerializerMethodField()

    class Meta:
        model = PaymentRefundEvent
        fields = ["id", "out_refund_no", "from_status", "to_status", "source", "created_at", "evidence"]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_evidence(self, event: PaymentRefundEvent) -> Any:
        return selectors.masked_evidence(event.evidence)


class StaffOrderRefundSerializer(serializers.Serializer[Any]):
    """One refund of the order: the purpose's request and its latest channel refund."""

    request_id = serializers.IntegerField(
        allow_null=True, help_text="The purpose's refund request (bills: /refunds/<id>/); null for a lost race's."
    )
    source = serializers.CharField(help_text="purpose (a refund request) or lost_race (paid elsewhere meanwhile).")  # type: ignore[assignment]  # a field named source
    amount = money_field()
    method = serializers.CharField(help_text="original (back through the gateway) or an offline method.")
    reason = serializers.CharField()
    status = serializers.CharField(
        help_text="The request's status (pending, approved, rejected…); a lost race's: its channel refund's."
    )
    requested_by_name = serializers.CharField()
    requested_at = serializers.DateTimeField(allow_null=True)
    decided_by_name = serializers.CharField()
    decided_at = serializers.DateTimeField(allow_null=True)
    decision_note = serializers.CharField()
    channel_status = serializers.CharField(
        help_text="The latest channel refund's status: processing, refunded, failed, closed; blank before any."
    )
    out_refund_no = serializers.CharField(help_text="Our number of the latest channel refund.")
    channel_refund_no = serializers.CharField(help_text="The gateway's refund id, once it said it.")
    events = RefundEventSerializer(many=True, help_text="Every channel refund's events, oldest first.")


class StaffOrderDetailSerializer(StaffOrderSerializer):
    payer_account = serializers.SerializerMethodField()
    lines = StaffOrderLineSerializer(many=True)
    events = PaymentEventSerializer(many=True)
    refunds = serializers.SerializerMethodField()
    refundable = serializers.SerializerMethodField()

    class Meta(StaffOrderSerializer.Meta):
        fields = [
            *StaffOrderSerializer.Meta.fields,
            "settled_reference",
            "payer_account",
            "lines",
            "events",
            "refunds",
            "refundable",
        ]
        read_only_fields = fields

    def _refunds(self, order: PaymentOrder) -> selectors.OrderRefunds:
        found = self.context.get("refunds")
        return found if found is not None else selectors.order_refunds(order)

    def get_payer_account(self, order: PaymentOrder) -> str:
        return selectors.mask_identifier(order.payer_account) if order.payer_account else ""

    @extend_schema_field(StaffOrderRefundSerializer(many=True))
    def get_refunds(self, order: PaymentOrder) -> Any:
        return StaffOrderRefundSerializer(self._refunds(order).refunds, many=True).data

    @extend_schema_field(money_field(help_text="What a new refund request may ask for now (0: none)."))
    def get_refundable(self, order: PaymentOrder) -> str:
        return f"{self._refunds(order).refundable:.2f}"


class StaffOrderList(generics.ListAPIView[PaymentOrder]):
    """在线支付: the company's payment orders, newest first."""

    serializer_class = StaffOrderSerializer
    required_permission = VIEW
    filter_backends: list[Any] = []

    @extend_schema(parameters=[StaffOrderFilterSerializer])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[PaymentOrder]:
        form = StaffOrderFilterSerializer(data=self.request.query_params)
        form.is_valid(raise_exception=True)
        return selectors.staff_orders(**form.validated_data)


def _detail(order_id: int) -> Response:
    order = selectors.staff_order(order_id)
    if order is None:
        raise NotFound()
    context = {"refunds": selectors.order_refunds(order)}
    return Response(StaffOrderDetailSerializer(order, context=context).data)


class StaffOrderDetail(APIView):
    """One payment order: its lines, refunds so far, what it settled into (settled_reference: the
    billing payment's id) and its event trail."""

    required_permission = VIEW

    @extend_schema(responses=StaffOrderDetailSerializer)
    def get(self, request: Request, pk: int) -> Response:
        return _detail(pk)


class StaffOrderQuery(APIView):
    """查询支付结果: ask the gateway about a live order now and settle it by the answer (as the
    sweeper would). Safe to repeat. Answers the order as it now is."""

    required_permission = MANAGE
    error_statuses = {"post": [404, 409, 503]}

    @extend_schema(request=None, responses=StaffOrderDetailSerializer)
    def post(self, request: Request, pk: int) -> Response:
        staff.query_now(order_id=pk, company=request.tenant, actor=request.user)  # type: ignore[attr-defined]
        return _detail(pk)


class StaffOrderClose(APIView):
    """关闭订单: close a created or pending order at the gateway and here (409 when it was paid
    meanwhile: it is then settled). Closing a closed order again changes nothing."""

    required_permission = MANAGE
    error_statuses = {"post": [404, 409, 503]}

    @extend_schema(request=None, responses=StaffOrderDetailSerializer)
    def post(self, request: Request, pk: int) -> Response:
        staff.close_order(order_id=pk, company=request.tenant, actor=request.user)  # type: ignore[attr-defined]
        return _detail(pk)


PATHS = [
    path("payment-orders/", StaffOrderList.as_view(), name="payment-orders"),
    path("payment-orders/<int:pk>/", StaffOrderDetail.as_view(), name="payment-order"),
    path("payment-orders/<int:pk>/query/", StaffOrderQuery.as_view(), name="payment-order-query"),
    path("payment-orders/<int:pk>/close/", StaffOrderClose.as_view(), name="payment-order-close"),
]
