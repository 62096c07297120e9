"""Payments (收款记录) and receipts (收据): lists, the receipt PDF, and voiding a receipt.

Voiding: a holder of `fees.approve` may void any receipt; a cashier (`fees.collect`) only a receipt
of their own payment taken today (a mistake caught at the desk). Anything older is a refund.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import django_filters
from django.db.models import QuerySet
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from billing import receipts_pdf
from billing.api.common import money_field, user_name
from billing.models import Payment, PaymentMethod, Receipt
from billing.selectors import ledger as selectors
from billing.services import receipts as receipt_services
from core.api_fields import TextField
from core.exports import ExcelExportMixin


def user_may(request: Request, permission: str) -> bool:
    user: Any = request.user
    return bool(user.has_permission(permission))


def receipt_of(payment: Payment) -> Receipt | None:
    try:
        return payment.receipt
    except Receipt.DoesNotExist:
        return None


class AllocationLineSerializer(serializers.Serializer[Any]):
    charge = serializers.IntegerField(source="charge_id")
    fee_item_name = serializers.CharField(source="charge.fee_item.name")
    kind = serializers.CharField(source="charge.kind")
    period_start = serializers.DateField(source="charge.period_start")
    period_end = serializers.DateField(source="charge.period_end")
    amount = money_field()


class PaymentSerializer(serializers.ModelSerializer[Payment]):
    house_label = serializers.CharField(source="house.label", read_only=True)
    cashier_name = serializers.SerializerMethodField()
    receipt_id = serializers.SerializerMethodField()
    receipt_number = serializers.SerializerMethodField()
    voided = serializers.SerializerMethodField()

    class Meta:
        model = Payment
        fields = [
            "id",
            "house",
            "house_label",
            "estate",
            "method",
            "amount",
            "tendered",
            "change",
            "received_at",
            "business_date",
            "payer_name",
            "reference",
            "note",
            "cashier",
            "cashier_name",
            "shift",
            "receipt_id",
            "receipt_number",
            "voided",
        ]
        read_only_fields = fields

    def get_cashier_name(self, payment: Payment) -> str:
        return user_name(payment.cashier)

    def get_receipt_id(self, payment: Payment) -> int | None:
        receipt = receipt_of(payment)
        return receipt.pk if receipt else None

    def get_receipt_number(self, payment: Payment) -> str:
        receipt = receipt_of(payment)
        return receipt.number if receipt else ""

    def get_voided(self, payment: Payment) -> bool:
        receipt = receipt_of(payment)
        return bool(receipt and receipt.voided_at)


class PaymentFilter(django_filters.FilterSet):  # type: ignore[misc]  # django-filter ships no types
    date_from = django_filters.DateFilter(field_name="business_date", lookup_expr="gte")
    date_to = django_filters.DateFilter(field_name="business_date", lookup_expr="lte")
    method = django_filters.ChoiceFilter(choices=PaymentMethod.choices)

    class Meta:
        model = Payment
        fields = ["method", "cashier", "house", "estate", "shift"]


class PaymentViewSet(
    ExcelExportMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[Payment]
):
    """收款记录: every payment (cash desk, online, prepaid-balance draws) with its receipt."""

    serializer_class = PaymentSerializer
    required_permission = "fees.view"
    filterset_class = PaymentFilter
    search_fields = ["house__number", "payer_name", "reference"]
    ordering_fields = ["received_at", "amount"]
    export_title = gettext_lazy("收款记录")  # type: ignore[assignment]  # core.exports types it str; rendered with str()
    export_columns = [
        ("received_at", gettext_lazy("收款时间")),
        ("receipt_number", gettext_lazy("收据编号")),
        ("house_label", gettext_lazy("房屋")),
        ("payer_name", gettext_lazy("缴款人")),
        ("method", gettext_lazy("支付方式")),
        ("amount", gettext_lazy("金额")),
        ("cashier_name", gettext_lazy("收款人")),
        ("reference", gettext_lazy("流水号")),
        ("voided", gettext_lazy("已作废")),
    ]
    export_labels = {"method": dict(PaymentMethod.choices)}

    def get_queryset(self) -> QuerySet[Payment]:
        return selectors.payments()

    @extend_schema(responses=AllocationLineSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def lines(self, request: Request, pk: str | None = None) -> Response:
        payment = self.get_object()
        return Response(AllocationLineSerializer(selectors.payment_lines([payment.pk])[payment.pk], many=True).data)


class ReceiptSerializer(serializers.ModelSerializer[Receipt]):
    payment = serializers.IntegerField(source="payment_id", read_only=True)
    house = serializers.IntegerField(source="payment.house_id", read_only=True)
    house_label = serializers.CharField(source="payment.house.label", read_only=True)
    amount = money_field(source="payment.amount", read_only=True)
    method = serializers.ChoiceField(source="payment.method", choices=PaymentMethod.choices, read_only=True)
    cashier_name = serializers.SerializerMethodField()
    voided = serializers.SerializerMethodField()

    class Meta:
        model = Receipt
        fields = [
            "id",
            "number",
            "payment",
            "house",
            "house_label",
            "amount",
            "method",
            "cashier_name",
            "issued_at",
            "voided",
            "voided_at",
            "void_reason",
        ]
        read_only_fields = fields

    def get_cashier_name(self, receipt: Receipt) -> str:
        return user_name(receipt.payment.cashier)

    def get_voided(self, receipt: Receipt) -> bool:
        return receipt.voided_at is not None


class ReceiptDetailSerializer(ReceiptSerializer):
    snapshot = serializers.JSONField(read_only=True, help_text="What the receipt prints (frozen when issued).")

    class Meta(ReceiptSerializer.Meta):
        fields = [*ReceiptSerializer.Meta.fields, "snapshot"]
        read_only_fields = fields


class ReceiptFilter(django_filters.FilterSet):  # type: ignore[misc]  # django-filter ships no types
    date_from = django_filters.DateFilter(field_name="payment__business_date", lookup_expr="gte")
    date_to = django_filters.DateFilter(field_name="payment__business_date", lookup_expr="lte")
    house = django_filters.NumberFilter(field_name="payment__house")
    voided = django_filters.BooleanFilter(field_name="voided_at", lookup_expr="isnull", exclude=True)

    class Meta:
        model = Receipt
        fields = ["number", "year"]


class VoidSerializer(serializers.Serializer[Any]):
    reason = TextField(max_length=200)


PDF = "application/pdf"


def pdf_response(receipt: Receipt) -> HttpResponse:
    """The receipt as printed (rendered from its frozen snapshot), inline, named by its number."""
    body = receipts_pdf.render_receipt(receipt_services.pdf_snapshot(receipt))
    response = HttpResponse(body, content_type=PDF)
    response["Content-Disposition"] = f'inline; filename="{receipt.number}.pdf"'
    return response


PDF_RESPONSE = {
    (200, PDF): OpenApiResponse(OpenApiTypes.BINARY, description="The receipt as a PDF."),
}


class PdfRenderer(BaseRenderer):
    """Lets a client ask for `Accept: application/pdf`; the view answers the PDF itself, and an error
    stays JSON-shaped."""

    media_type = PDF
    format = "pdf"
    charset = None
    render_style = "binary"

    def render(
        self, data: Any, accepted_media_type: str | None = None, renderer_context: Mapping[str, Any] | None = None
    ) -> bytes:
        response = (renderer_context or {}).get("response")
        if response is not None:
            response["Content-Type"] = "application/json"
        body: bytes = JSONRenderer().render(data)
        return body


PDF_RENDERERS = [JSONRenderer, PdfRenderer]


class ReceiptViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[Receipt]):
    """收据: list, detail (with what it prints), the PDF, and voiding (see the module's rule)."""

    serializer_class = ReceiptSerializer
    required_permission = "fees.view"
    error_statuses = {"void": [409]}  # voided already, or its prepaid credit is spent
    filterset_class = ReceiptFilter
    search_fields = ["number", "payment__payer_name"]
    ordering_fields = ["issued_at", "number"]

    def get_queryset(self) -> QuerySet[Receipt]:
        return selectors.receipts()

    def get_serializer_class(self) -> type[serializers.BaseSerializer[Receipt]]:
        return ReceiptDetailSerializer if self.action == "retrieve" else ReceiptSerializer

    @extend_schema(responses=PDF_RESPONSE)
    @action(detail=True, methods=["get"], renderer_classes=PDF_RENDERERS)
    def pdf(self, request: Request, pk: str | None = None) -> HttpResponse:
        return pdf_response(self.get_object())

    @extend_schema(request=VoidSerializer, responses=ReceiptDetailSerializer)
    @action(detail=True, methods=["post"], required_permission="fees.collect")
    def void(self, request: Request, pk: str | None = None) -> Response:
        receipt = self.get_object()
        form = VoidSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        own_today = (
            receipt.payment.cashier_id == request.user.pk and receipt.payment.business_date == timezone.localdate()
        )
        if not (own_today or user_may(request, "fees.approve")):
            raise PermissionDenied(_("只能作废自己当天开具的收据；其他收据需要审批权限。"))
        receipt = receipt_services.void_receipt(
            receipt=receipt, reason=form.validated_data["reason"], actor=request.user
        )
        return Response(ReceiptDetailSerializer(selectors.receipts().get(pk=receipt.pk)).data)


VIEWSETS = [("payments", PaymentViewSet, "payment"), ("receipts", ReceiptViewSet, "receipt")]
