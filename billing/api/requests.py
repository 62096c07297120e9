"""Waivers (减免) and refunds (退款): requested at the desk (`fees.collect`), decided by someone else
holding `fees.approve` (the services refuse a self-approval with 403)."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from billing.api.approvals import decision_actions
from billing.api.common import amount_input, user_name
from billing.models import Charge, ChargeKind, Deposit, Payment, Refund, RequestStatus, Waiver, WaiverKind
from billing.models.ledger import PaymentMethod
from billing.selectors import ledger as selectors
from billing.services import refunds as refund_services
from billing.services import waivers as waiver_services
from core.api_fields import TextField
from tenants.estates.models import House

PERMISSIONS = {"GET": "fees.view", "POST": "fees.collect"}
REFUND_METHOD_CHOICES = [
    *[(m, label) for m, label in PaymentMethod.choices if m in refund_services.REFUND_METHODS],
    ("original", gettext_lazy("原路退回")),
]
REFUND_SOURCE_CHOICES = Refund.Source.choices


class WaiverSerializer(serializers.ModelSerializer[Waiver]):
    house = serializers.IntegerField(source="charge.house_id", read_only=True)
    house_label = serializers.CharField(source="charge.house.label", read_only=True)
    fee_item_name = serializers.CharField(source="charge.fee_item.name", read_only=True)
    period_start = serializers.DateField(source="charge.period_start", read_only=True)
    period_end = serializers.DateField(source="charge.period_end", read_only=True)
    requested_by_name = serializers.SerializerMethodField()
    decided_by_name = serializers.SerializerMethodField()

    class Meta:
        model = Waiver
        fields = [
            "id",
            "charge",
            "house",
            "house_label",
            "fee_item_name",
            "period_start",
            "period_end",
            "kind",
            "amount",
            "reason",
            "status",
            "adjustment",
            "requested_by_name",
            "decided_by_name",
            "decided_at",
            "decision_note",
            "created_at",
        ]
        read_only_fields = fields

    def get_requested_by_name(self, waiver: Waiver) -> str:
        return user_name(waiver.requested_by)

    def get_decided_by_name(self, waiver: Waiver) -> str:
        return user_name(waiver.decided_by)


class WaiverRequestSerializer(serializers.Serializer[Any]):
    charge = serializers.PrimaryKeyRelatedField(queryset=Charge.objects.exclude(kind=ChargeKind.ADJUSTMENT))
    amount = amount_input()
    kind = serializers.ChoiceField(choices=WaiverKind.choices)
    reason = TextField(max_length=200)


class WaiverFilter(django_filters.FilterSet):  # type: ignore[misc]  # django-filter ships no types
    house = django_filters.NumberFilter(field_name="charge__house")
    decided = django_filters.BooleanFilter(method="by_decided", help_text="false: pending; true: decided.")

    class Meta:
        model = Waiver
        fields = ["status", "kind", "charge"]

    def by_decided(self, queryset: QuerySet[Waiver], name: str, value: bool) -> QuerySet[Waiver]:
        pending = queryset.filter(status=RequestStatus.PENDING)
        return queryset.exclude(status=RequestStatus.PENDING) if value else pending


class WaiverViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[Waiver]):
    """减免申请: a cashier requests, an approver (not the requester) approves or rejects."""

    serializer_class = WaiverSerializer
    required_permission = PERMISSIONS
    # a pending one exists / decided already or paid meanwhile; approving one's own request
    error_statuses = {"create": [409], "approve": [403, 409], "reject": [409]}
    filterset_class = WaiverFilter
    ordering_fields = ["created_at", "amount"]

    def get_queryset(self) -> QuerySet[Waiver]:
        return selectors.waivers()

    def _respond(self, waiver: Waiver, status: int = 200) -> Response:
        return Response(WaiverSerializer(selectors.waivers().get(pk=waiver.pk)).data, status=status)

    @extend_schema(request=WaiverRequestSerializer, responses={201: WaiverSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        form = WaiverRequestSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        return self._respond(waiver_services.request_waiver(actor=request.user, **form.validated_data), status=201)

    approve, reject = decision_actions(
        respond_with=WaiverSerializer,
        approve_with=lambda waiver, **kw: waiver_services.approve_waiver(waiver=waiver, **kw),
        reject_with=lambda waiver, **kw: waiver_services.reject_waiver(waiver=waiver, **kw),
    )


class RefundSerializer(serializers.ModelSerializer[Refund]):
    house_label = serializers.CharField(source="house.label", read_only=True)
    requested_by_name = serializers.SerializerMethodField()
    decided_by_name = serializers.SerializerMethodField()
    paid_out_by_name = serializers.SerializerMethodField()

    class Meta:
        model = Refund
        fields = [
            "id",
            "house",
            "house_label",
            "source",
            "payment",
            "deposit",
            "amount",
            "method",
            "reason",
            "status",
            "requested_by_name",
            "decided_by_name",
            "decided_at",
            "decision_note",
            "channel_status",
            "payout_status",
            "refunded_at",
            "paid_out_by_name",
            "replaced_refund_no",
            "created_at",
        ]
        read_only_fields = fields

    def get_requested_by_name(self, refund: Refund) -> str:
        return user_name(refund.requested_by)

    def get_decided_by_name(self, refund: Refund) -> str:
        return user_name(refund.decided_by)

    def get_paid_out_by_name(self, refund: Refund) -> str:
        return user_name(refund.paid_out_by) if refund.paid_out_by_id else ""


class PayCashSerializer(serializers.Serializer[Any]):
    confirm_amount = amount_input(help_text="The amount paid out in cash: must be the refund's amount.")


class RefundRequestSerializer(serializers.Serializer[Any]):
    house = serializers.PrimaryKeyRelatedField(queryset=House.objects.all())
    source = serializers.ChoiceField(choices=REFUND_SOURCE_CHOICES)  # type: ignore[assignment]  # hides Field.source
    amount = amount_input()
    method = serializers.ChoiceField(choices=REFUND_METHOD_CHOICES)
    reason = TextField(max_length=200)
    payment = serializers.PrimaryKeyRelatedField(queryset=Payment.objects.all(), required=False, allow_null=True)
    deposit = serializers.PrimaryKeyRelatedField(queryset=Deposit.objects.all(), required=False, allow_null=True)


class RefundFilter(django_filters.FilterSet):  # type: ignore[misc]  # django-filter ships no types
    decided = django_filters.BooleanFilter(method="by_decided", help_text="false: pending; true: decided.")

    class Meta:
        model = Refund
        fields = ["status", "source", "house", "payout_status"]

    def by_decided(self, queryset: QuerySet[Refund], name: str, value: bool) -> QuerySet[Refund]:
        pending = queryset.filter(status=RequestStatus.PENDING)
        return queryset.exclude(status=RequestStatus.PENDING) if value else pending


class RefundViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[Refund]):
    """退款申请: from a payment, the prepaid balance or a deposit; approved by someone else."""

    serializer_class = RefundSerializer
    required_permission = PERMISSIONS
    # own request; decided already / spent meanwhile / beyond what the online payment has left
    error_statuses = {"approve": [403, 409], "reject": [409], "retry_channel": [409], "pay_cash": [409]}
    filterset_class = RefundFilter
    ordering_fields = ["created_at", "amount"]

    def get_queryset(self) -> QuerySet[Refund]:
        return selectors.refunds()

    def _respond(self, refund: Refund, status: int = 200) -> Response:
        return Response(RefundSerializer(selectors.refunds().get(pk=refund.pk)).data, status=status)

    @extend_schema(request=RefundRequestSerializer, responses={201: RefundSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        form = RefundRequestSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        return self._respond(refund_services.request_refund(actor=request.user, **form.validated_data), status=201)

    approve, reject = decision_actions(
        respond_with=RefundSerializer,
        approve_with=lambda refund, **kw: refund_services.approve_refund(refund=refund, **kw),
        reject_with=lambda refund, **kw: refund_services.reject_refund(refund=refund, **kw),
    )

    @extend_schema(request=None, responses=RefundSerializer)
    @action(detail=True, methods=["post"], url_path="retry-channel", required_permission="fees.approve")
    def retry_channel(self, request: Request, pk: str | None = None) -> Response:
        """重试原路退款: an approved refund whose channel refund failed is asked for again."""
        refund = refund_services.retry_channel_refund(refund=self.get_object(), actor=request.user)
        return self._respond(refund)

    @extend_schema(request=PayCashSerializer, responses=RefundSerializer)
    @action(detail=True, methods=["post"], url_path="pay-cash", required_permission="fees.collect")
    def pay_cash(self, request: Request, pk: str | None = None) -> Response:
        """改为现金退款: a refund the channel failed to pay is paid out in cash at the desk instead."""
        refund = self.get_object()
        form = PayCashSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        if form.validated_data["confirm_amount"] != refund.amount:
            raise serializers.ValidationError({"confirm_amount": [_("现金退款金额须与退款金额一致。")]})
        return self._respond(refund_services.pay_out_in_cash(refund=refund, actor=request.user))


VIEWSETS = [("waivers", WaiverViewSet, "waiver"), ("refunds", RefundViewSet, "refund")]
