"""The cash desk (收银台): find a house, see everything it owes, take a payment or a prepayment.

A payment goes through billing.services.payments.record_payment: under the house's row lock, late
fees due today are posted, the money is allocated (chosen lines or oldest first), any excess goes to
the prepaid balance and the receipt is numbered — one transaction. The client sends an idempotency
key per payment: a retried request returns the first payment instead of taking the money twice.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from billing.api.common import amount_input, money_field
from billing.api.payments import AllocationLineSerializer, PaymentSerializer, receipt_of
from billing.models import Payment
from billing.models.ledger import OFFLINE_METHODS, PaymentMethod
from billing.selectors import ledger as selectors
from billing.services import late_fees as late_fee_services
from billing.services import payments as services
from core.api_fields import TextField
from tenants.estates.models import House

PERMISSION = "fees.collect"
OFFLINE_CHOICES = [(m, label) for m, label in PaymentMethod.choices if m in OFFLINE_METHODS]
ZERO = Decimal("0.00")


class FoundHouseSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    # stubs: a serializer is a Field, and this field hides Field.label
    label = serializers.CharField()  # type: ignore[assignment]
    estate = serializers.IntegerField(source="estate_id")
    estate_name = serializers.CharField(source="estate.name")
    payer_name = serializers.CharField(allow_null=True)
    owing = money_field(help_text="Everything posted and not yet paid (late fees not yet posted excluded).")


class CashDeskSearch(APIView):
    """Houses matching ?q=: a house number or label ("1栋1单元101", "101"), an owner's name, or a
    whole phone number (matched through its blind index). At most 20."""

    required_permission = PERMISSION

    @extend_schema(
        parameters=[OpenApiParameter("q", str, required=True, description="House, owner name or phone.")],
        responses=FoundHouseSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        query = str(request.query_params.get("q", ""))[:50]
        return Response(FoundHouseSerializer(selectors.search_houses(query), many=True).data)


class DueLineSerializer(serializers.Serializer[Any]):
    charge = serializers.IntegerField()
    fee_item_name = serializers.CharField()
    kind = serializers.CharField()
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    due_date = serializers.DateField()
    amount = money_field()
    outstanding = money_field()
    overdue = serializers.BooleanField()
    explanation = serializers.CharField()


class AccruedLateFeeSerializer(serializers.Serializer[Any]):
    principal = serializers.IntegerField(help_text="The overdue charge it accrues on.")
    fee_item_name = serializers.CharField()
    amount = money_field(help_text="Posted to the ledger when the house pays.")
    explanation = serializers.CharField()


class DepositHeldSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    purpose = serializers.CharField()
    amount = money_field()
    remaining = money_field()
    created_at = serializers.DateTimeField()


class PayerSerializer(serializers.Serializer[Any]):
    name = serializers.CharField()
    phone_masked = serializers.CharField()


class DeskHouseSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    # stubs: a serializer is a Field, and this field hides Field.label
    label = serializers.CharField()  # type: ignore[assignment]
    estate = serializers.IntegerField()
    estate_name = serializers.CharField()
    building_area = serializers.DecimalField(max_digits=10, decimal_places=2)


class DeskDetailSerializer(serializers.Serializer[Any]):
    house = DeskHouseSerializer()
    payer = PayerSerializer(allow_null=True)
    lines = DueLineSerializer(many=True)
    late_fees_to_post = AccruedLateFeeSerializer(many=True)
    total_due = money_field()
    balance = money_field(help_text="Prepaid balance (预存款).")
    deposits = DepositHeldSerializer(many=True)
    recent_payments = PaymentSerializer(many=True)


def _late_fee_text(days: int) -> str:
    return _("逾期 %(days)s 天滞纳金（缴费时入账）") % {"days": days}


def desk_detail(house: House) -> dict[str, Any]:
    today = timezone.localdate()
    lines = services.open_lines(house.pk)
    accrued = late_fee_services.accrued_unposted(house_id=house.pk, as_of=today)
    payer = selectors.primary_payer(house)
    owing = sum((o for _c, o in lines), ZERO) + sum((a for _c, a in accrued), ZERO)
    return {
        "house": {
            "id": house.pk,
            "label": house.label,
            "estate": house.estate_id,
            "estate_name": house.estate.name,
            "building_area": house.building_area,
        },
        "payer": {"name": payer.name, "phone_masked": payer.phone_masked} if payer else None,
        "lines": [
            {
                "charge": charge.pk,
                "fee_item_name": charge.fee_item.name,
                "kind": charge.kind,
                "period_start": charge.period_start,
                "period_end": charge.period_end,
                "due_date": charge.due_date,
                "amount": charge.amount,
                "outstanding": outstanding,
                "overdue": charge.due_date < today,
                "explanation": selectors.explain(charge),
            }
            for charge, outstanding in lines
        ],
        "late_fees_to_post": [
            {
                "principal": charge.pk,
                "fee_item_name": charge.fee_item.name,
                "amount": amount,
                "explanation": _late_fee_text((today - charge.due_date).days),
            }
            for charge, amount in accrued
        ],
        "total_due": owing,
        "balance": services.balance_of(house.pk),
        "deposits": selectors.held_deposits(house.pk),
        "recent_payments": selectors.recent_payments(house.pk),
    }


class PaySerializer(serializers.Serializer[Any]):
    amount = amount_input()
    method = serializers.ChoiceField(choices=OFFLINE_CHOICES)
    tendered = amount_input(required=False, allow_null=True, help_text="Cash handed over (cash only).")
    charge_ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**63 - 1),  # an id the ledger can hold
        required=False,
        max_length=500,
        help_text="Pay these lines in this order; without, the oldest due first.",
    )
    payer_name = TextField(max_length=50, required=False, allow_blank=True, default="")
    reference = TextField(max_length=64, required=False, allow_blank=True, default="")
    note = TextField(max_length=200, required=False, allow_blank=True, default="")
    idempotency_key = TextField(max_length=64, help_text="One per payment; a retry sends the same.")


class TopUpSerializer(serializers.Serializer[Any]):
    amount = amount_input()
    method = serializers.ChoiceField(choices=OFFLINE_CHOICES)
    tendered = amount_input(required=False, allow_null=True)
    payer_name = TextField(max_length=50, required=False, allow_blank=True, default="")
    idempotency_key = TextField(max_length=64)


class PaymentResultSerializer(serializers.Serializer[Any]):
    payment = PaymentSerializer()
    allocations = AllocationLineSerializer(many=True)
    to_balance = money_field(help_text="What went to the prepaid balance.")
    change = money_field(allow_null=True)
    receipt = inline_serializer("ReceiptRef", {"id": serializers.IntegerField(), "number": serializers.CharField()})
    balance_after = money_field()
    replayed = serializers.BooleanField(help_text="True when this key was paid before: the first payment, unchanged.")


def payment_result(payment: Payment, *, replayed: bool) -> dict[str, Any]:
    payment = selectors.payments().get(pk=payment.pk)
    allocations = selectors.payment_lines([payment.pk])[payment.pk]
    allocated = sum((a.amount for a in allocations), ZERO)
    receipt = receipt_of(payment)
    return {
        "payment": payment,
        "allocations": allocations,
        "to_balance": payment.amount - allocated,
        "change": payment.change,
        "receipt": {"id": receipt.pk, "number": receipt.number} if receipt else None,
        "balance_after": services.balance_of(payment.house_id),
        "replayed": replayed,
    }


class CashDeskHouseViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet[House]):
    """One house at the desk: what it owes (with late fees accrued, posted when it pays), its prepaid
    balance and deposits, its recent payments; and taking money for it."""

    required_permission = PERMISSION
    serializer_class = DeskDetailSerializer
    # a chosen line paid meanwhile, or a key reused for another payment; a spent credit
    error_statuses = {"pay": [409], "top_up": [409]}
    filter_backends: list[Any] = []
    pagination_class = None

    def get_queryset(self) -> QuerySet[House]:
        return House.objects.select_related("building", "unit", "estate")

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return Response(DeskDetailSerializer(desk_detail(self.get_object())).data)

    @extend_schema(request=PaySerializer, responses={201: PaymentResultSerializer, 200: PaymentResultSerializer})
    @action(detail=True, methods=["post"])
    def pay(self, request: Request, pk: str | None = None) -> Response:
        house = self.get_object()
        form = PaySerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        replayed = Payment.objects.filter(idempotency_key=data["idempotency_key"].strip()).exists()
        payment = services.record_payment(
            house=house,
            amount=data["amount"],
            method=data["method"],
            idempotency_key=data["idempotency_key"],
            actor=request.user,
            charge_ids=data.get("charge_ids") or None,
            tendered=data.get("tendered"),
            payer_name=data["payer_name"],
            reference=data["reference"],
            note=data["note"],
        )
        body = PaymentResultSerializer(payment_result(payment, replayed=replayed)).data
        return Response(body, status=200 if replayed else 201)

    @extend_schema(request=TopUpSerializer, responses={201: PaymentResultSerializer, 200: PaymentResultSerializer})
    @action(detail=True, methods=["post"], url_path="top-up")
    def top_up(self, request: Request, pk: str | None = None) -> Response:
        """预存: money taken for the prepaid balance only."""
        house = self.get_object()
        form = TopUpSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        replayed = Payment.objects.filter(idempotency_key=data["idempotency_key"].strip()).exists()
        payment = services.top_up_balance(
            house=house,
            amount=data["amount"],
            method=data["method"],
            idempotency_key=data["idempotency_key"].strip(),
            actor=request.user,
            tendered=data.get("tendered"),
            payer_name=data["payer_name"],
        )
        body = PaymentResultSerializer(payment_result(payment, replayed=replayed)).data
        return Response(body, status=200 if replayed else 201)


VIEWSETS = [("cashdesk/houses", CashDeskHouseViewSet, "cashdesk-house")]
PATHS = [path("cashdesk/search/", CashDeskSearch.as_view(), name="cashdesk-search")]
