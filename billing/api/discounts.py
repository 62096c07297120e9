"""Discounts (优惠): the rules (fees.manage), prepayment at the desk with its quote (fees.collect),
vacancy discounts requested at the desk and decided by fees.approve, and fixed reductions of a charge.

Objects named in the URL (a house, a charge, a rule, a vacancy) are looked up in the company's
schema, so another company's id is a 404; bad input is a 400 with field errors.
"""

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
from billing.api.cashdesk import OFFLINE_CHOICES, PaymentResultSerializer, payment_result
from billing.api.common import amount_input, money_field, user_name
from billing.api.requests import WaiverSerializer
from billing.models import (
    Charge,
    ChargeKind,
    DiscountKind,
    DiscountRule,
    FeeItem,
    Payment,
    Prepayment,
    RequestStatus,
    VacancyDiscount,
)
from billing.selectors import ledger as ledger_selectors
from billing.services import discount_rules, prepay, vacancies, waivers
from core.api_fields import TextField
from tenants.estates.models import House

# --- rules ---------------------------------------------------------------------------------------


class DiscountRuleSerializer(serializers.ModelSerializer[DiscountRule]):
    name = TextField(max_length=50, label=gettext_lazy("名称"))
    reason = TextField(max_length=200, required=False, allow_blank=True, label=gettext_lazy("减免原因"))
    fee_items = serializers.PrimaryKeyRelatedField(queryset=FeeItem.objects.all(), many=True)
    fee_item_names = serializers.SerializerMethodField()
    percent = serializers.DecimalField(max_digits=5, decimal_places=2, required=False, allow_null=True)
    amount = amount_input(required=False, allow_null=True)
    min_cycles = serializers.IntegerField(min_value=1, max_value=120, required=False, allow_null=True)
    free_cycles = serializers.IntegerField(min_value=1, max_value=120, required=False, allow_null=True)

    class Meta:
        model = DiscountRule
        fields = [
            "id",
            "name",
            "kind",
            "fee_items",
            "fee_item_names",
            "percent",
            "amount",
            "min_cycles",
            "free_cycles",
            "reason",
            "valid_from",
            "valid_until",
            "active",
            "created_at",
        ]
        read_only_fields = ["id", "created_at"]

    def get_fee_item_names(self, rule: DiscountRule) -> list[str]:
        return [item.name for item in rule.fee_items.all()]


class DiscountRuleFilter(django_filters.FilterSet):  # type: ignore[misc]  # django-filter ships no types
    fee_item = django_filters.NumberFilter(field_name="fee_items")

    class Meta:
        model = DiscountRule
        fields = ["kind", "active"]


class DiscountRuleViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet[DiscountRule],
):
    """优惠规则: prepay percent / free cycles, vacancy percent, fixed reductions. No delete: lines posted
    name their rule; switch a rule off (active=false) or end it (valid_until) instead."""

    serializer_class = DiscountRuleSerializer
    required_permission = {"GET": "fees.view", "POST": "fees.manage", "PATCH": "fees.manage", "PUT": "fees.manage"}
    filterset_class = DiscountRuleFilter
    search_fields = ["name"]
    ordering_fields = ["name", "kind", "valid_from", "created_at"]

    def get_queryset(self) -> QuerySet[DiscountRule]:
        return DiscountRule.objects.prefetch_related("fee_items").order_by("kind", "name")

    def _respond(self, rule: DiscountRule, status: int = 200) -> Response:
        return Response(self.get_serializer(self.get_queryset().get(pk=rule.pk)).data, status=status)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        form = self.get_serializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = dict(form.validated_data)
        fee_items = data.pop("fee_items")
        return self._respond(discount_rules.create_rule(actor=request.user, fee_items=fee_items, **data), status=201)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        rule = self.get_object()
        form = self.get_serializer(rule, data=request.data, partial=True)
        form.is_valid(raise_exception=True)
        data = dict(form.validated_data)
        fee_items = data.pop("fee_items", None)
        return self._respond(discount_rules.update_rule(rule=rule, actor=request.user, fee_items=fee_items, **data))


# --- prepayment at the desk ----------------------------------------------------------------------


class PrepayQuoteInputSerializer(serializers.Serializer[Any]):
    fee_item = serializers.PrimaryKeyRelatedField(queryset=FeeItem.objects.all())
    cycles = serializers.IntegerField(min_value=1, max_value=prepay.MAX_PREPAY_CYCLES)


class QuoteLineSerializer(serializers.Serializer[Any]):
    cycle_start = serializers.DateField()
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    amount = money_field()
    discount = money_field(help_text="All taken off the cycle: the vacancy discount and the prepay rule's.")
    vacancy_discount = money_field(help_text="The approved vacancy discount (空置房优惠) part of `discount`.")
    to_pay = money_field()
    free = serializers.BooleanField(help_text="A free cycle (赠送) of a free-cycles rule.")
    explanation = serializers.CharField()


class PrepayQuoteSerializer(serializers.Serializer[Any]):
    fee_item = serializers.IntegerField()
    fee_item_name = serializers.CharField()
    cycles = serializers.IntegerField()
    free_cycles = serializers.IntegerField()
    rule = serializers.IntegerField(allow_null=True)
    rule_name = serializers.CharField(allow_null=True)
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    lines = QuoteLineSerializer(many=True)
    gross = money_field()
    discount = money_field()
    vacancy_discount = money_field(help_text="The approved vacancy discounts (空置房优惠) part of `discount`.")
    total = money_field(help_text="What the payer pays now: send it back as expected_total.")


def _quote_body(q: prepay.Quote) -> dict[str, Any]:
    return {
        "fee_item": q.fee_item.pk,
        "fee_item_name": q.fee_item.name,
        "cycles": q.cycles,
        "free_cycles": q.free_cycles,
        "rule": q.rule.pk if q.rule else None,
        "rule_name": q.rule.name if q.rule else None,
        "period_start": q.period_start,
        "period_end": q.period_end,
        "lines": [
            {
                "cycle_start": line.cycle_start,
                "period_start": line.period_start,
                "period_end": line.period_end,
                "amount": line.amount,
                "discount": line.discount + line.vacancy,
                "vacancy_discount": line.vacancy,
                "to_pay": line.to_pay,
                "free": line.free,
                "explanation": ledger_selectors.explain(Charge(kind=ChargeKind.REGULAR, calculation=line.calculation)),
            }
            for line in q.lines
        ],
        "gross": q.gross,
        "discount": q.discount,
        "vacancy_discount": q.vacancy_discount,
        "total": q.total,
    }


class PrepayInputSerializer(PrepayQuoteInputSerializer):
    expected_total = amount_input(help_text="The quote's total the payer agreed to; a changed quote is a 409.")
    method = serializers.ChoiceField(choices=OFFLINE_CHOICES)
    tendered = amount_input(required=False, allow_null=True, help_text="Cash handed over (cash only).")
    payer_name = TextField(max_length=50, required=False, allow_blank=True, default="")
    note = TextField(max_length=200, required=False, allow_blank=True, default="")
    idempotency_key = TextField(max_length=64, help_text="One per prepayment; a retry sends the same.")


class PrepaymentSerializer(serializers.ModelSerializer[Prepayment]):
    fee_item_name = serializers.CharField(source="fee_item.name", read_only=True)
    rule_name = serializers.CharField(source="rule.name", read_only=True, allow_null=True, default=None)

    class Meta:
        model = Prepayment
        fields = [
            "id",
            "house",
            "fee_item",
            "fee_item_name",
            "cycles",
            "free_cycles",
            "rule",
            "rule_name",
            "period_start",
            "period_end",
            "gross",
            "discount",
            "total",
            "payment",
            "created_at",
        ]
        read_only_fields = fields


class PrepayResultSerializer(serializers.Serializer[Any]):
    prepayment = PrepaymentSerializer()
    result = PaymentResultSerializer()


class PrepayHouseViewSet(viewsets.GenericViewSet[House]):
    """预缴: quote N future cycles of a fee item for a house, then issue and take them."""

    required_permission = "fees.collect"
    error_statuses = {"pay": [409]}  # the quote changed meanwhile, or a key reused for something else
    filter_backends: list[Any] = []
    pagination_class = None
    serializer_class = PrepayQuoteSerializer

    def get_queryset(self) -> QuerySet[House]:
        return House.objects.select_related("estate", "building", "unit")

    @extend_schema(request=PrepayQuoteInputSerializer, responses=PrepayQuoteSerializer)
    @action(detail=True, methods=["post"])
    def quote(self, request: Request, pk: str | None = None) -> Response:
        """What prepaying costs, with the best prepay rule applied; writes nothing."""
        house = self.get_object()
        form = PrepayQuoteInputSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        q = prepay.quote(house=house, **form.validated_data)
        return Response(PrepayQuoteSerializer(_quote_body(q)).data)

    @extend_schema(request=PrepayInputSerializer, responses={201: PrepayResultSerializer, 200: PrepayResultSerializer})
    @action(detail=True, methods=["post"])
    def pay(self, request: Request, pk: str | None = None) -> Response:
        house = self.get_object()
        form = PrepayInputSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = dict(form.validated_data)
        replayed = Payment.objects.filter(idempotency_key=data["idempotency_key"].strip()).exists()
        prepayment = prepay.take_prepayment(house=house, actor=request.user, **data)
        body = {"prepayment": prepayment, "result": payment_result(prepayment.payment, replayed=replayed)}
        return Response(PrepayResultSerializer(body).data, status=200 if replayed else 201)


# --- vacancy discounts ---------------------------------------------------------------------------


class VacancySerializer(serializers.ModelSerializer[VacancyDiscount]):
    house_label = serializers.CharField(source="house.label", read_only=True)
    fee_item_name = serializers.CharField(source="fee_item.name", read_only=True)
    rule_name = serializers.CharField(source="rule.name", read_only=True)
    percent = serializers.DecimalField(source="rule.percent", max_digits=5, decimal_places=2, read_only=True)
    discounted = serializers.SerializerMethodField(help_text="What its lines have taken off so far.")
    requested_by_name = serializers.SerializerMethodField()
    decided_by_name = serializers.SerializerMethodField()

    class Meta:
        model = VacancyDiscount
        fields = [
            "id",
            "house",
            "house_label",
            "fee_item",
            "fee_item_name",
            "rule",
            "rule_name",
            "percent",
            "start",
            "end",
            "reason",
            "status",
            "discounted",
            "requested_by_name",
            "decided_by_name",
            "decided_at",
            "decision_note",
            "created_at",
        ]
        read_only_fields = fields

    def get_discounted(self, vacancy: VacancyDiscount) -> str:
        return str(vacancies.discounted_total(vacancy))

    def get_requested_by_name(self, vacancy: VacancyDiscount) -> str:
        return user_name(vacancy.requested_by)

    def get_decided_by_name(self, vacancy: VacancyDiscount) -> str:
        return user_name(vacancy.decided_by)


class VacancyRequestSerializer(serializers.Serializer[Any]):
    house = serializers.PrimaryKeyRelatedField(queryset=House.objects.all())
    fee_item = serializers.PrimaryKeyRelatedField(queryset=FeeItem.objects.all())
    rule = serializers.PrimaryKeyRelatedField(queryset=DiscountRule.objects.filter(kind=DiscountKind.VACANCY))
    start = serializers.DateField()
    end = serializers.DateField(help_text="Exclusive: the first day no longer vacant.")
    reason = TextField(max_length=200)


class VacancyFilter(django_filters.FilterSet):  # type: ignore[misc]  # django-filter ships no types
    decided = django_filters.BooleanFilter(method="by_decided", help_text="false: pending; true: decided.")

    class Meta:
        model = VacancyDiscount
        fields = ["status", "house", "fee_item"]

    def by_decided(self, queryset: QuerySet[VacancyDiscount], name: str, value: bool) -> QuerySet[VacancyDiscount]:
        pending = queryset.filter(status=RequestStatus.PENDING)
        return queryset.exclude(status=RequestStatus.PENDING) if value else pending


class VacancyViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[VacancyDiscount]):
    """空置房优惠申请: requested at the desk, approved (not by the requester) by fees.approve; approval
    discounts the charges already issued in the range, and later bill runs the ones they issue."""

    serializer_class = VacancySerializer
    required_permission = {"GET": "fees.view", "POST": "fees.collect"}
    error_statuses = {"approve": [403, 409], "reject": [409]}
    filterset_class = VacancyFilter
    ordering_fields = ["created_at", "start"]

    def get_queryset(self) -> QuerySet[VacancyDiscount]:
        return ledger_selectors.vacancies()

    def _respond(self, vacancy: VacancyDiscount, status: int = 200) -> Response:
        return Response(VacancySerializer(self.get_queryset().get(pk=vacancy.pk)).data, status=status)

    @extend_schema(request=VacancyRequestSerializer, responses={201: VacancySerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        form = VacancyRequestSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        return self._respond(vacancies.request_vacancy(actor=request.user, **form.validated_data), status=201)

    approve, reject = decision_actions(
        respond_with=VacancySerializer,
        approve_with=lambda vacancy, **kw: vacancies.approve_vacancy(vacancy=vacancy, **kw),
        reject_with=lambda vacancy, **kw: vacancies.reject_vacancy(vacancy=vacancy, **kw),
    )


# --- fixed reductions ----------------------------------------------------------------------------


class ReductionSerializer(serializers.Serializer[Any]):
    amount = amount_input(required=False, allow_null=True, help_text="Yuan off; a fixed rule's amount if omitted.")
    rule = serializers.PrimaryKeyRelatedField(
        queryset=DiscountRule.objects.filter(kind=DiscountKind.FIXED), required=False, allow_null=True
    )
    reason = TextField(max_length=200, required=False, allow_blank=True, default="")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs.get("amount") is None and attrs.get("rule") is None:
            raise serializers.ValidationError({"amount": [_("请填写减免金额或选择固定减免规则。")]})
        if not attrs.get("reason", "").strip() and attrs.get("rule") is None:
            raise serializers.ValidationError({"reason": [_("请填写减免原因。")]})
        return attrs


class ReductionViewSet(viewsets.GenericViewSet[Charge]):
    """费用减免: a fixed amount off one charge with a reason — a reduction request awaiting approval,
    or (when the company's settings need none) applied at once by someone holding fees.manage."""

    required_permission = "fees.collect"
    error_statuses = {"reduce": [403, 409]}  # no fees.manage for a direct reduction; a pending one exists
    filter_backends: list[Any] = []
    pagination_class = None
    serializer_class = WaiverSerializer  # type: ignore[assignment]  # the answer is the reduction, not the charge

    def get_queryset(self) -> QuerySet[Charge]:
        return Charge.objects.exclude(kind=ChargeKind.ADJUSTMENT).select_related("fee_item")

    @extend_schema(request=ReductionSerializer, responses={201: WaiverSerializer})
    @action(detail=True, methods=["post"])
    def reduce(self, request: Request, pk: str | None = None) -> Response:
        charge = self.get_object()
        form = ReductionSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        waiver = waivers.reduce_charge(charge=charge, actor=request.user, **form.validated_data)
        return Response(WaiverSerializer(ledger_selectors.waivers().get(pk=waiver.pk)).data, status=201)


VIEWSETS = [
    ("discount-rules", DiscountRuleViewSet, "discount-rule"),
    ("prepay/houses", PrepayHouseViewSet, "prepay-house"),
    ("vacancy-discounts", VacancyViewSet, "vacancy-discount"),
    ("reductions/charges", ReductionViewSet, "reduction-charge"),
]
