"""The charge ledger (应收明细) for staff: filtered lists with what each line still owes, Excel export,
and a manual charge (a one-off line a bill run does not issue)."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from billing.api.common import money_field
from billing.models import Charge, ChargeKind, FeeItem
from billing.outstanding import ChargeStatus
from billing.selectors import ledger as selectors
from billing.services import charges as services
from core.api_fields import BoundedDateField
from core.exports import ExcelExportMixin
from tenants.estates.models import House


class ChargeSerializer(serializers.ModelSerializer[Charge]):
    house_label = serializers.CharField(source="house.label", read_only=True)
    estate_name = serializers.CharField(source="house.estate.name", read_only=True)
    fee_item_name = serializers.CharField(source="fee_item.name", read_only=True)
    adjusted = money_field(read_only=True, help_text="Waivers and corrections (≤ 0).")
    net = money_field(read_only=True)
    paid = money_field(read_only=True)
    outstanding = money_field(read_only=True)
    status = serializers.ChoiceField(choices=ChargeStatus.CHOICES, read_only=True)
    explanation = serializers.SerializerMethodField()

    class Meta:
        model = Charge
        fields = [
            "id",
            "house",
            "house_label",
            "estate",
            "estate_name",
            "building",
            "fee_item",
            "fee_item_name",
            "kind",
            "period_start",
            "period_end",
            "amount",
            "adjusted",
            "net",
            "paid",
            "outstanding",
            "status",
            "issued_on",
            "due_date",
            "explanation",
            "reason",
            "principal",
            "bill_run",
            "created_at",
        ]
        read_only_fields = fields

    def get_explanation(self, charge: Charge) -> str:
        return selectors.explain(charge)


class ChargeFilter(django_filters.FilterSet):  # type: ignore[misc]  # django-filter ships no types
    status = django_filters.ChoiceFilter(choices=ChargeStatus.CHOICES, method="by_status")
    period_from = django_filters.DateFilter(method="by_period_from", help_text="Periods ending after this day.")
    period_to = django_filters.DateFilter(method="by_period_to", help_text="Periods starting on or before it.")
    due_from = django_filters.DateFilter(field_name="due_date", lookup_expr="gte")
    due_to = django_filters.DateFilter(field_name="due_date", lookup_expr="lte")

    class Meta:
        model = Charge
        fields = ["estate", "building", "house", "fee_item", "kind", "bill_run"]

    def by_status(self, queryset: QuerySet[Charge], name: str, value: str) -> QuerySet[Charge]:
        return selectors.filter_charges(queryset, status=value)

    def by_period_from(self, queryset: QuerySet[Charge], name: str, value: Any) -> QuerySet[Charge]:
        return selectors.filter_charges(queryset, period_from=value)

    def by_period_to(self, queryset: QuerySet[Charge], name: str, value: Any) -> QuerySet[Charge]:
        return selectors.filter_charges(queryset, period_to=value)


class ManualChargeSerializer(serializers.Serializer[Any]):
    house = serializers.PrimaryKeyRelatedField(queryset=House.objects.all())
    fee_item = serializers.PrimaryKeyRelatedField(queryset=FeeItem.objects.all())
    period_start = BoundedDateField()
    period_end = BoundedDateField(help_text="Exclusive: the day after the period's last day.")
    quantity = serializers.DecimalField(max_digits=12, decimal_places=4, required=False, allow_null=True)
    amount = serializers.DecimalField(max_digits=12, decimal_places=2, required=False, allow_null=True)
    due_date = BoundedDateField(required=False, allow_null=True)
    reason = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class ChargeViewSet(
    ExcelExportMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[Charge]
):
    """应收明细: each line with its net, paid, outstanding and status (unpaid, partial, paid, overdue —
    derived from the allocations, never stored) and how it was computed."""

    serializer_class = ChargeSerializer
    required_permission = {"GET": "fees.view", "POST": "fees.manage"}
    error_statuses = {"create": [409]}  # that item and period is billed already
    filterset_class = ChargeFilter
    search_fields = ["house__number", "fee_item__name"]
    ordering_fields = ["due_date", "period_start", "amount", "outstanding", "id"]
    export_title = _("应收明细")  # type: ignore[assignment]  # core.exports types it str; rendered with str()
    export_columns = [
        ("estate_name", _("小区")),
        ("house_label", _("房屋")),
        ("fee_item_name", _("收费项目")),
        ("kind", _("类型")),
        ("period_start", _("计费开始")),
        ("period_end", _("计费结束")),
        ("explanation", _("计算明细")),
        ("amount", _("应收")),
        ("adjusted", _("减免")),
        ("paid", _("已缴")),
        ("outstanding", _("欠费")),
        ("status", _("状态")),
        ("due_date", _("缴费截止日")),
    ]
    export_labels = {"kind": dict(ChargeKind.choices), "status": dict(ChargeStatus.CHOICES)}

    def get_queryset(self) -> QuerySet[Charge]:
        return selectors.charges()

    @extend_schema(request=ManualChargeSerializer, responses={201: ChargeSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        form = ManualChargeSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        charge = services.create_manual_charge(actor=request.user, **form.validated_data)
        return Response(ChargeSerializer(selectors.charges().get(pk=charge.pk)).data, status=201)


VIEWSETS = [("charges", ChargeViewSet, "charge")]
