"""Deposits (押金) held for houses, prepaid balances (预存款), and cashier shifts (收银班次)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import django_filters
from django.db.models import QuerySet
from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import generics, mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from billing.api.cashdesk import OFFLINE_CHOICES, PaymentResultSerializer, payment_result
from billing.api.common import amount_input, money_field, user_name
from billing.models import BalanceEntry, CashierShift, Deposit
from billing.selectors import ledger as selectors
from billing.services import deposits as deposit_services
from billing.services import shifts as shift_services
from core.api_fields import TextField
from tenants.estates.models import House


class DepositSerializer(serializers.ModelSerializer[Deposit]):
    house_label = serializers.CharField(source="house.label", read_only=True)
    estate_name = serializers.CharField(source="house.estate.name", read_only=True)
    settled = money_field(read_only=True, help_text="Returned or applied so far.")
    remaining = money_field(read_only=True)
    method = serializers.CharField(source="payment.method", read_only=True)

    class Meta:
        model = Deposit
        fields = [
            "id",
            "house",
            "house_label",
            "estate_name",
            "purpose",
            "amount",
            "settled",
            "remaining",
            "method",
            "payment",
            "created_at",
        ]
        read_only_fields = fields


class DepositReceiveSerializer(serializers.Serializer[Any]):
    house = serializers.PrimaryKeyRelatedField(queryset=House.objects.all())
    amount = amount_input()
    method = serializers.ChoiceField(choices=OFFLINE_CHOICES)
    purpose = TextField(max_length=100)
    tendered = amount_input(required=False, allow_null=True)
    payer_name = TextField(max_length=50, required=False, allow_blank=True, default="")
    idempotency_key = TextField(max_length=64)


class DepositApplySerializer(serializers.Serializer[Any]):
    amount = amount_input()
    idempotency_key = serializers.CharField(
        max_length=64, required=False, default="", help_text="The client's key: a retry applies nothing twice."
    )


class DepositFilter(django_filters.FilterSet):  # type: ignore[misc]  # django-filter ships no types
    held = django_filters.BooleanFilter(method="by_held", help_text="true: something left to return or apply.")

    class Meta:
        model = Deposit
        fields = ["house", "house__estate"]

    def by_held(self, queryset: QuerySet[Deposit], name: str, value: bool) -> QuerySet[Deposit]:
        lookup = "remaining__gt" if value else "remaining__lte"  # an annotation (selectors.deposits)
        return queryset.filter(**{lookup: 0})


class DepositViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[Deposit]):
    """押金: received at the desk, applied to arrears, or returned through a refund (see /refunds/)."""

    serializer_class = DepositSerializer
    required_permission = {"GET": "fees.view", "POST": "fees.collect"}
    error_statuses = {"create": [409], "apply": [409]}  # key reused for another request
    filterset_class = DepositFilter
    ordering_fields = ["created_at", "amount"]

    def get_queryset(self) -> QuerySet[Deposit]:
        return selectors.deposits().order_by("-created_at", "-id")

    @extend_schema(request=DepositReceiveSerializer, responses={201: DepositSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        form = DepositReceiveSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        deposit = deposit_services.receive_deposit(actor=request.user, **form.validated_data)
        return Response(DepositSerializer(selectors.deposits().get(pk=deposit.pk)).data, status=201)

    @extend_schema(request=DepositApplySerializer, responses={201: PaymentResultSerializer})
    @action(detail=True, methods=["post"])
    def apply(self, request: Request, pk: str | None = None) -> Response:
        """抵扣: pay the house's arrears (oldest first) from the deposit."""
        deposit = self.get_object()
        form = DepositApplySerializer(data=request.data)
        form.is_valid(raise_exception=True)
        payment = deposit_services.apply_deposit(deposit=deposit, actor=request.user, **form.validated_data)
        return Response(PaymentResultSerializer(payment_result(payment, replayed=False)).data, status=201)


class BalanceSerializer(serializers.Serializer[House]):
    house = serializers.IntegerField(source="pk")
    house_label = serializers.CharField(source="label")
    estate = serializers.IntegerField(source="estate_id")
    estate_name = serializers.CharField(source="estate.name")
    balance = money_field()


class BalanceFilter(django_filters.FilterSet):  # type: ignore[misc]  # django-filter ships no types
    class Meta:
        model = House
        fields = ["estate", "building"]


class BalanceList(generics.ListAPIView[House]):
    """预存款: houses whose prepaid balance is not zero."""

    serializer_class = BalanceSerializer
    required_permission = "fees.view"
    filterset_class = BalanceFilter
    search_fields = ["number", "building__name"]

    def get_queryset(self) -> QuerySet[House]:
        return selectors.balances()


class BalanceEntrySerializer(serializers.ModelSerializer[BalanceEntry]):
    class Meta:
        model = BalanceEntry
        fields = ["id", "kind", "amount", "payment", "refund", "note", "created_at"]
        read_only_fields = fields


class BalanceEntryList(generics.ListAPIView[BalanceEntry]):
    """The movements of one house's prepaid balance, newest first."""

    serializer_class = BalanceEntrySerializer
    required_permission = "fees.view"
    filter_backends: list[Any] = []

    def get_queryset(self) -> QuerySet[BalanceEntry]:
        house_id = int(self.kwargs["house_id"])
        if not House.objects.filter(pk=house_id).exists():
            raise NotFound()
        return selectors.balance_entries(house_id)


class CashierShiftSerializer(serializers.ModelSerializer[CashierShift]):
    cashier_name = serializers.SerializerMethodField()
    summary = serializers.JSONField(read_only=True, help_text="By method, expected and counted cash (once closed).")

    class Meta:
        model = CashierShift
        fields = [
            "id",
            "cashier",
            "cashier_name",
            "opened_at",
            "opening_float",
            "closed_at",
            "counted_cash",
            "summary",
            "note",
        ]
        read_only_fields = fields

    def get_cashier_name(self, shift: CashierShift) -> str:
        return user_name(shift.cashier)


class CashierShiftOpenSerializer(serializers.Serializer[Any]):
    opening_float = serializers.DecimalField(
        max_digits=12, decimal_places=2, min_value=Decimal("0"), required=False, default=Decimal("0")
    )


class CashierShiftCloseSerializer(serializers.Serializer[Any]):
    counted_cash = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=Decimal("0"))
    note = TextField(max_length=200, required=False, allow_blank=True, default="")


class CashierShiftViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[CashierShift]):
    """收银班次: a cashier opens one with a float and closes it with the counted cash; the summary
    by method is computed from the payments of the shift (live while it is open)."""

    serializer_class = CashierShiftSerializer
    required_permission = {"GET": "fees.view", "POST": "fees.collect"}
    error_statuses = {"create": [409], "close": [403, 409], "current": [404]}
    filterset_fields = ["cashier"]
    ordering_fields = ["opened_at"]

    def get_queryset(self) -> QuerySet[CashierShift]:
        return selectors.shifts()

    def _body(self, shift: CashierShift) -> dict[str, Any]:
        body = dict(CashierShiftSerializer(shift).data)
        if shift.closed_at is None:
            body["summary"] = shift_services.shift_summary(shift)
        return body

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return Response(self._body(self.get_object()))

    @extend_schema(request=CashierShiftOpenSerializer, responses={201: CashierShiftSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        form = CashierShiftOpenSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        shift = shift_services.open_shift(actor=request.user, **form.validated_data)
        return Response(self._body(selectors.shifts().get(pk=shift.pk)), status=201)

    @extend_schema(responses={200: CashierShiftSerializer, 204: None})
    @action(detail=False, methods=["get"], pagination_class=None, filter_backends=[])
    def current(self, request: Request) -> Response:
        """The caller's open shift; 204 when none is open (a normal state at the desk, not an error)."""
        shift = selectors.shifts().filter(cashier_id=request.user.pk, closed_at__isnull=True).first()
        if shift is None:
            return Response(status=204)
        return Response(self._body(shift))

    @extend_schema(request=CashierShiftCloseSerializer, responses=CashierShiftSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request: Request, pk: str | None = None) -> Response:
        shift = self.get_object()
        form = CashierShiftCloseSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        shift = shift_services.close_shift(shift=shift, actor=request.user, **form.validated_data)
        return Response(self._body(selectors.shifts().get(pk=shift.pk)))


VIEWSETS = [("deposits", DepositViewSet, "deposit"), ("cashier-shifts", CashierShiftViewSet, "cashier-shift")]
PATHS = [
    path("balances/", BalanceList.as_view(), name="balances"),
    path("balances/<int:house_id>/entries/", BalanceEntryList.as_view(), name="balance-entries"),
]
