"""Invoices (发票): owners request them in the mini-program (`owner.self`, their houses only); staff
list them (`fees.view`), request on an owner's behalf, issue electronically, record paper ones, reject,
void (红冲) and ask the provider again (`fees.invoice`). The PDF leaves only through these views."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet
from django.http import HttpResponse
from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from billing.api.common import money_field, user_name
from billing.api.payments import PDF, PDF_RENDERERS
from billing.models import Invoice, Payment, TitleKind
from billing.selectors import invoices as selectors
from billing.selectors.owner import owner_house_ids
from billing.services import invoices as services
from billing.services.common import field_error
from billing.services.schedule import billing_settings
from core import text
from tenants.estates.models import House

OWNER = "owner.self"
STAFF = {"GET": "fees.view", "POST": "fees.invoice"}
PDF_ONLY = {(200, PDF): OpenApiResponse(OpenApiTypes.BINARY, description="The invoice as a PDF.")}


class InvoiceLineSerializer(serializers.Serializer[Any]):
    payment = serializers.IntegerField(source="payment_id")
    amount = money_field()
    received_at = serializers.DateTimeField(source="payment.received_at")
    method = serializers.CharField(source="payment.method")


class InvoiceSerializer(serializers.ModelSerializer[Invoice]):
    house_label = serializers.CharField(source="house.label", read_only=True)
    estate_name = serializers.CharField(source="house.estate.name", read_only=True)
    lines = InvoiceLineSerializer(many=True, read_only=True)
    has_pdf = serializers.SerializerMethodField()
    has_void_pdf = serializers.SerializerMethodField()
    requested_by_name = serializers.SerializerMethodField()
    decided_by_name = serializers.SerializerMethodField()

    class Meta:
        model = Invoice
        fields = [
            "id",
            "house",
            "house_label",
            "estate_name",
            "title_kind",
            "title",
            "tax_number",
            "email",
            "amount",
            "status",
            "kind",
            "invoice_code",
            "invoice_number",
            "issued_at",
            "failure",
            "reject_reason",
            "void_reason",
            "voided_at",
            "void_invoice_code",
            "void_invoice_number",
            "has_pdf",
            "has_void_pdf",
            "lines",
            "requested_by_name",
            "decided_by_name",
            "created_at",
        ]
        read_only_fields = fields

    def get_has_pdf(self, invoice: Invoice) -> bool:
        return bool(invoice.pdf)

    def get_has_void_pdf(self, invoice: Invoice) -> bool:
        return bool(invoice.void_pdf)

    def get_requested_by_name(self, invoice: Invoice) -> str:
        return user_name(invoice.requested_by)

    def get_decided_by_name(self, invoice: Invoice) -> str:
        return user_name(invoice.decided_by)


class InvoiceRequestSerializer(serializers.Serializer[Any]):
    house = serializers.PrimaryKeyRelatedField(queryset=House.objects.all())
    payments = serializers.PrimaryKeyRelatedField(queryset=Payment.objects.all(), many=True)
    title_kind = serializers.ChoiceField(choices=TitleKind.choices)
    title = serializers.CharField(max_length=100)
    tax_number = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    email = serializers.EmailField(required=False, allow_blank=True, default="")


class PaperSerializer(serializers.Serializer[Any]):
    invoice_code = serializers.CharField(max_length=12, required=False, allow_blank=True, default="")
    invoice_number = serializers.CharField(max_length=20)
    issued_on = serializers.DateField()


class ReasonSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField(max_length=200)


class InvoiceablePaymentSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    house = serializers.IntegerField(source="house_id")
    house_label = serializers.CharField(source="house.label")
    method = serializers.CharField()
    method_label = serializers.CharField(source="get_method_display")
    received_at = serializers.DateTimeField()
    amount = money_field()
    invoiceable = money_field(help_text="What it paid towards charges, net of refunds: the invoice's line.")


class InvoiceFilter(django_filters.FilterSet):  # type: ignore[misc]  # django-filter ships no types
    created_from = django_filters.DateFilter(field_name="created_at", lookup_expr="date__gte")
    created_to = django_filters.DateFilter(field_name="created_at", lookup_expr="date__lte")
    title = django_filters.CharFilter(lookup_expr="icontains")

    class Meta:
        model = Invoice
        fields = ["status", "kind", "house", "title_kind"]


def pdf_of(invoice: Invoice, *, red: bool = False) -> HttpResponse:
    """The invoice's PDF, or (`red`) the red invoice's that voided it; 404 while there is none."""
    stored, number = (invoice.void_pdf, invoice.void_invoice_number) if red else (invoice.pdf, invoice.invoice_number)
    if not stored:
        raise NotFound()
    with stored.open("rb") as stream:
        response = HttpResponse(stream.read(), content_type=PDF)
    response["Content-Disposition"] = f'inline; filename="{number or invoice.pk}{"-red" if red else ""}.pdf"'
    return response


class InvoiceViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[Invoice]):
    """发票申请: requests with filters; issue (electronic), record paper, reject, void (红冲), refresh."""

    serializer_class = InvoiceSerializer
    required_permission = STAFF
    # a payment already on another request; the invoice's state forbids it / its payments changed
    error_statuses = {
        "issue": [409],
        "paper": [409],
        "reject": [409],
        "void": [409],
        "refresh": [409],
        "pdf": [404],
        "red_pdf": [404],
    }
    filterset_class = InvoiceFilter
    ordering_fields = ["created_at", "amount"]
    search_fields = ["title", "tax_number", "invoice_number"]

    def get_queryset(self) -> QuerySet[Invoice]:
        return selectors.invoices()

    def _respond(self, invoice: Invoice, status: int = 200) -> Response:
        return Response(InvoiceSerializer(selectors.invoices().get(pk=invoice.pk)).data, status=status)

    @extend_schema(request=InvoiceRequestSerializer, responses={201: InvoiceSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        form = InvoiceRequestSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        return self._respond(services.request_invoice(actor=request.user, **form.validated_data), status=201)

    @extend_schema(request=None, responses=InvoiceSerializer)
    @action(detail=True, methods=["post"])
    def issue(self, request: Request, pk: str | None = None) -> Response:
        return self._respond(services.issue_invoice(invoice=self.get_object(), actor=request.user))

    @extend_schema(request=PaperSerializer, responses=InvoiceSerializer)
    @action(detail=True, methods=["post"])
    def paper(self, request: Request, pk: str | None = None) -> Response:
        invoice = self.get_object()
        form = PaperSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        return self._respond(services.record_paper_invoice(invoice=invoice, actor=request.user, **form.validated_data))

    @extend_schema(request=ReasonSerializer, responses=InvoiceSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request: Request, pk: str | None = None) -> Response:
        invoice = self.get_object()
        form = ReasonSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        return self._respond(services.reject_invoice(invoice=invoice, actor=request.user, **form.validated_data))

    @extend_schema(request=ReasonSerializer, responses=InvoiceSerializer)
    @action(detail=True, methods=["post"])
    def void(self, request: Request, pk: str | None = None) -> Response:
        invoice = self.get_object()
        form = ReasonSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        return self._respond(services.void_invoice(invoice=invoice, actor=request.user, **form.validated_data))

    @extend_schema(request=None, responses=InvoiceSerializer)
    @action(detail=True, methods=["post"])
    def refresh(self, request: Request, pk: str | None = None) -> Response:
        return self._respond(services.refresh_invoice(invoice=self.get_object(), actor=request.user))

    @extend_schema(responses=PDF_ONLY)
    @action(detail=True, methods=["get"], renderer_classes=PDF_RENDERERS)
    def pdf(self, request: Request, pk: str | None = None) -> HttpResponse:
        return pdf_of(self.get_object())

    @extend_schema(responses=PDF_ONLY)
    @action(detail=True, methods=["get"], url_path="red-pdf", renderer_classes=PDF_RENDERERS)
    def red_pdf(self, request: Request, pk: str | None = None) -> HttpResponse:
        return pdf_of(self.get_object(), red=True)


HOUSE = OpenApiParameter("house", int, required=True, description="The house whose payments to list.")


class InvoiceablePayments(generics.ListAPIView[Payment]):
    """A house's payments that paid charges and are on no live invoice (staff)."""

    required_permission = "fees.view"
    serializer_class = InvoiceablePaymentSerializer
    filter_backends: list[Any] = []

    @extend_schema(parameters=[HOUSE])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[Payment]:
        house = text.query_id(self.request.query_params.get("house"))
        return selectors.invoiceable_payments([house] if house is not None else [])


class InvoiceSettingsSerializer(serializers.Serializer[Any]):
    invoice_seller_tax_number = serializers.CharField(max_length=20, allow_blank=True)
    invoice_seller_address = serializers.CharField(max_length=100, allow_blank=True)
    invoice_seller_phone = serializers.CharField(max_length=20, allow_blank=True)


class InvoiceSettings(APIView):
    """开票设置: the seller (销方) on the company's e-invoices."""

    required_permission = {"GET": "fees.view", "PUT": "fees.invoice"}

    @extend_schema(responses=InvoiceSettingsSerializer)
    def get(self, request: Request) -> Response:
        return Response(InvoiceSettingsSerializer(billing_settings()).data)

    @extend_schema(request=InvoiceSettingsSerializer, responses=InvoiceSettingsSerializer)
    def put(self, request: Request) -> Response:
        form = InvoiceSettingsSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        config = services.save_invoice_settings(actor=request.user, **form.validated_data)
        return Response(InvoiceSettingsSerializer(config).data)


# --- the owner's side ------------------------------------------------------------------------------

OWNER_HOUSE = OpenApiParameter("house", int, required=False, description="One of the owner's houses; all if absent.")


def _owner_houses(request: Request) -> list[int]:
    mine = owner_house_ids(request.user)
    raw = request.query_params.get("house") or ""
    if not raw:
        return mine
    house = text.query_id(raw)
    if house is None or house not in mine:
        raise NotFound()
    return [house]


class OwnerInvoiceRequestSerializer(serializers.Serializer[Any]):
    house = serializers.IntegerField()
    payments = serializers.ListField(child=serializers.IntegerField(), allow_empty=False)
    title_kind = serializers.ChoiceField(choices=TitleKind.choices)
    title = serializers.CharField(max_length=100)
    tax_number = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    email = serializers.EmailField(required=False, allow_blank=True, default="")


class OwnerInvoices(generics.ListAPIView[Invoice]):
    """我的发票: the owner's invoice requests, newest first; POST requests one over paid payments."""

    required_permission = OWNER
    serializer_class = InvoiceSerializer
    filter_backends: list[Any] = []
    error_statuses = {"get": [404], "post": [404]}  # not one of the owner's houses

    @extend_schema(parameters=[OWNER_HOUSE])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[Invoice]:
        return selectors.owner_invoices(self.request.user, _owner_houses(self.request))

    @extend_schema(request=OwnerInvoiceRequestSerializer, responses={201: InvoiceSerializer})
    def post(self, request: Request) -> Response:
        form = OwnerInvoiceRequestSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = dict(form.validated_data)
        if data["house"] not in owner_house_ids(request.user):
            raise NotFound()
        house = House.objects.get(pk=data.pop("house"))
        wanted = list(dict.fromkeys(data.pop("payments")))
        payments = list(Payment.objects.filter(pk__in=wanted, house_id=house.pk))
        if len(payments) != len(wanted):
            raise field_error("payments", _("所选缴费不属于该房屋。"))
        invoice = services.request_invoice(house=house, payments=payments, actor=request.user, **data)
        return Response(InvoiceSerializer(selectors.invoices().get(pk=invoice.pk)).data, status=201)


class OwnerInvoiceablePayments(generics.ListAPIView[Payment]):
    """可开票的缴费: the owner's paid payments not yet on an invoice."""

    required_permission = OWNER
    serializer_class = InvoiceablePaymentSerializer
    filter_backends: list[Any] = []
    error_statuses = {"get": [404]}

    @extend_schema(parameters=[OWNER_HOUSE])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[Payment]:
        return selectors.invoiceable_payments(_owner_houses(self.request))


class OwnerInvoicePdf(APIView):
    """An invoice of one of the owner's houses as its PDF (404 for any other)."""

    required_permission = OWNER
    renderer_classes = PDF_RENDERERS
    error_statuses = {"get": [404]}

    red = False

    @extend_schema(responses=PDF_ONLY)
    def get(self, request: Request, invoice_id: int) -> HttpResponse:
        invoice = selectors.owner_invoice(request.user, invoice_id)
        if invoice is None:
            raise NotFound()
        return pdf_of(invoice, red=self.red)


VIEWSETS = [("invoices", InvoiceViewSet, "invoice")]
PATHS = [
    path("invoice-payments/", InvoiceablePayments.as_view(), name="invoice-payments"),
    path("invoice-settings/", InvoiceSettings.as_view(), name="invoice-settings"),
    path("owner/invoices/", OwnerInvoices.as_view(), name="owner-invoices"),
    path("owner/invoices/payments/", OwnerInvoiceablePayments.as_view(), name="owner-invoice-payments"),
    path("owner/invoices/<int:invoice_id>/pdf/", OwnerInvoicePdf.as_view(), name="owner-invoice-pdf"),
    path("owner/invoices/<int:invoice_id>/red-pdf/", OwnerInvoicePdf.as_view(red=True), name="owner-invoice-red-pdf"),
]
