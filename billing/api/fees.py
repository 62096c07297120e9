"""Staff API for fee configuration (收费管理 → 收费项目 / 收费对象): fee items and their dated prices,
the formula check of the item form, and assigning items to houses in bulk (previewed first)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_field, inline_serializer
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from billing.models import FeeAssignment, FeeItem, FeePrice
from billing.selectors import fees as selectors
from billing.services import assignments as assignment_services
from billing.services import fees as services
from billing.services.common import today
from tenants.estates.models import Building, Estate, House, HouseStatus, HouseUse, Unit

_PERMISSIONS = {
    "GET": "fees.view",
    "POST": "fees.manage",
    "PATCH": "fees.manage",
    "PUT": "fees.manage",
    "DELETE": "fees.manage",
}
_PRICE_FIELDS = ("unit_price", "fixed_extra", "tiers", "register_prices", "formula")


class PriceSerializer(serializers.ModelSerializer[FeePrice]):
    class Meta:
        model = FeePrice
        fields = [
            "id",
            "effective_from",
            "unit_price",
            "fixed_extra",
            "tiers",
            "register_prices",
            "formula",
            "created_at",
        ]


class PriceInputSerializer(serializers.Serializer[Any]):
    """A price as typed in the item form: amounts as strings, a unit price to 4 places, an amount to 2."""

    unit_price = serializers.DecimalField(max_digits=12, decimal_places=4, required=False, allow_null=True)
    fixed_extra = serializers.DecimalField(max_digits=12, decimal_places=2, required=False, default=Decimal("0"))
    tiers = serializers.ListField(
        child=serializers.ListField(
            child=serializers.DecimalField(max_digits=14, decimal_places=4, allow_null=True),
            min_length=2,
            max_length=2,
        ),
        required=False,
        max_length=20,
        help_text="阶梯: [[upper bound or null for the last, unit price], ...]",
    )
    register_prices = serializers.DictField(
        child=serializers.DecimalField(max_digits=12, decimal_places=4),
        required=False,
        help_text="Time-of-use prices of an electricity meter: {peak, valley}.",
    )
    formula = serializers.CharField(max_length=500, required=False, allow_blank=True)


class NewPriceSerializer(PriceInputSerializer):
    effective_from = serializers.DateField()


def _price_input(data: dict[str, Any]) -> services.PriceInput:
    return services.PriceInput(
        unit_price=data.get("unit_price"),
        fixed_extra=data.get("fixed_extra", 0),
        tiers=data.get("tiers") or (),
        register_prices=data.get("register_prices") or {},
        formula=data.get("formula") or "",
    )


class FeeItemSerializer(serializers.ModelSerializer[FeeItem]):
    current_price = serializers.SerializerMethodField()
    open_assignments = serializers.IntegerField(read_only=True)
    price = PriceInputSerializer(
        write_only=True,
        required=False,
        help_text="The first price; on update, replaces the prices of an item not yet charged.",
    )

    class Meta:
        model = FeeItem
        fields = [
            "id",
            "name",
            "kind",
            "payer_kind",
            "mode",
            "cycle_months",
            "cycle_anchor",
            "timing",
            "due_rule",
            "due_value",
            "rounding",
            "rounding_place",
            "time_unit",
            "meter_kind",
            "valid_from",
            "valid_until",
            "balance_may_pay",
            "payable_online",
            "late_fee",
            "active",
            "current_price",
            "open_assignments",
            "price",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]
        # The service answers duplicates and every rule in Chinese field errors.
        extra_kwargs: dict[str, dict[str, Any]] = {"name": {"validators": []}}

    @extend_schema_field(PriceSerializer(allow_null=True))
    def get_current_price(self, item: FeeItem) -> dict[str, Any] | None:
        price = selectors.current_price(item, self.context.get("today") or today())
        return None if price is None else dict(PriceSerializer(price).data)


class FeeItemFilter(django_filters.FilterSet):  # type: ignore[misc]  # django-filter ships no types
    class Meta:
        model = FeeItem
        fields = ["kind", "mode", "active"]


class FeeItemViewSet(viewsets.ModelViewSet[FeeItem]):
    """收费项目: the list shows each item's price in force today and how many houses hold it."""

    serializer_class = FeeItemSerializer
    required_permission = _PERMISSIONS
    error_statuses = {"destroy": [409]}  # assigned or charged: deactivate instead
    filterset_class = FeeItemFilter
    search_fields = ["name"]
    ordering_fields = ["name", "kind", "valid_from", "created_at"]

    def get_queryset(self) -> QuerySet[FeeItem]:
        return selectors.fee_items()

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "today": today()}

    def _respond(self, item: FeeItem, status: int = 200) -> Response:
        return Response(self.get_serializer(selectors.fee_items().get(pk=item.pk)).data, status=status)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        form = self.get_serializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = dict(form.validated_data)
        if "price" not in data:
            raise serializers.ValidationError({"price": [_("请填写价格。")]})
        price = _price_input(data.pop("price"))
        item = services.create_fee_item(actor=request.user, price=price, **data)
        return self._respond(item, status=201)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        item = self.get_object()
        form = self.get_serializer(item, data=request.data, partial=True)
        form.is_valid(raise_exception=True)
        data = dict(form.validated_data)
        price = _price_input(data.pop("price")) if "price" in data else None
        return self._respond(services.update_fee_item(fee_item=item, actor=request.user, price=price, **data))

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        services.delete_fee_item(fee_item=self.get_object(), actor=request.user)
        return Response(status=204)

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def deactivate(self, request: Request, pk: str | None = None) -> Response:
        return self._respond(services.deactivate_fee_item(fee_item=self.get_object(), actor=request.user))

    @extend_schema(methods=["GET"], responses=PriceSerializer(many=True))
    @extend_schema(methods=["POST"], request=NewPriceSerializer, responses={201: PriceSerializer})
    @action(detail=True, methods=["get", "post"], pagination_class=None, filter_backends=[])
    def prices(self, request: Request, pk: str | None = None) -> Response:
        item = self.get_object()
        if request.method == "GET":
            rows = FeePrice.objects.filter(fee_item=item).order_by("-effective_from")
            return Response(PriceSerializer(rows, many=True).data)
        form = NewPriceSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = dict(form.validated_data)
        price = services.set_price(
            fee_item=item, effective_from=data.pop("effective_from"), price=_price_input(data), actor=request.user
        )
        return Response(PriceSerializer(price).data, status=201)

    @extend_schema(
        request=inline_serializer("FormulaCheckRequest", {"formula": serializers.CharField(max_length=500)}),
        responses=inline_serializer(
            "FormulaCheck",
            {
                "ok": serializers.BooleanField(),
                "error": serializers.CharField(),
                "sample": serializers.DecimalField(max_digits=30, decimal_places=4, allow_null=True),
                "sample_variables": serializers.DictField(child=serializers.CharField()),
            },
        ),
    )
    @action(detail=False, methods=["post"], url_path="check-formula", pagination_class=None, filter_backends=[])
    def check_formula(self, request: Request) -> Response:
        """The item form's live check: would this formula be accepted, and what does it give for a sample flat."""
        form = FormulaSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        return Response(selectors.formula_check(form.validated_data["formula"]))


class FormulaSerializer(serializers.Serializer[Any]):
    formula = serializers.CharField(max_length=500, allow_blank=True, trim_whitespace=True)


class FeeAssignmentSerializer(serializers.ModelSerializer[FeeAssignment]):
    fee_item_name = serializers.CharField(source="fee_item.name", read_only=True)
    house_label = serializers.CharField(source="house.label", read_only=True)
    estate = serializers.IntegerField(source="house.estate_id", read_only=True)
    building = serializers.IntegerField(source="house.building_id", read_only=True)

    class Meta:
        model = FeeAssignment
        fields = [
            "id",
            "fee_item",
            "fee_item_name",
            "house",
            "house_label",
            "estate",
            "building",
            "start",
            "end",
            "quantity",
            "created_at",
        ]
        read_only_fields = fields


class AssignSerializer(serializers.Serializer[Any]):
    """Which houses get the item (every filter given narrows it) and from when."""

    fee_item = serializers.PrimaryKeyRelatedField(queryset=FeeItem.objects.all())
    start = serializers.DateField()
    quantity = serializers.DecimalField(max_digits=12, decimal_places=4, required=False, default=Decimal("1"))
    estate = serializers.PrimaryKeyRelatedField(queryset=Estate.objects.all(), required=False, allow_null=True)
    building = serializers.PrimaryKeyRelatedField(queryset=Building.objects.all(), required=False, allow_null=True)
    unit = serializers.PrimaryKeyRelatedField(queryset=Unit.objects.all(), required=False, allow_null=True)
    house = serializers.PrimaryKeyRelatedField(queryset=House.objects.all(), required=False, allow_null=True)
    statuses = serializers.ListField(
        child=serializers.ChoiceField(choices=HouseStatus.choices), required=False, max_length=10
    )
    uses = serializers.ListField(child=serializers.ChoiceField(choices=HouseUse.choices), required=False, max_length=10)


def _counts() -> dict[str, serializers.Field[Any, Any, Any, Any]]:
    """The counts an assignment answers, as new fields each call: drf-spectacular reads a field's
    name off the instance, so inline serializers sharing instances lose them from all but one."""
    return {
        "matched": serializers.IntegerField(help_text="Houses the filters select."),
        "already_assigned": serializers.IntegerField(help_text="Of those, holding the item from `start` on already."),
        "to_assign": serializers.IntegerField(help_text="Houses that get (or got) a new assignment."),
        "missing_data": serializers.IntegerField(help_text="Of those, lacking what the mode needs (a meter)."),
    }


class PreviewHouseSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    label = serializers.CharField()  # type: ignore[assignment]  # stubs: hides Field.label
    already_assigned = serializers.BooleanField()
    missing_data = serializers.BooleanField()


class EndSerializer(serializers.Serializer[Any]):
    end = serializers.DateField()


class QuantitySerializer(serializers.Serializer[Any]):
    quantity = serializers.DecimalField(max_digits=12, decimal_places=4)
    from_date = serializers.DateField()


class FeeAssignmentFilter(django_filters.FilterSet):  # type: ignore[misc]  # django-filter ships no types
    estate = django_filters.NumberFilter(field_name="house__estate_id")
    building = django_filters.NumberFilter(field_name="house__building_id")
    open = django_filters.BooleanFilter(field_name="end", lookup_expr="isnull")

    class Meta:
        model = FeeAssignment
        fields = ["house", "fee_item", "estate", "building", "open"]


def _filters(data: dict[str, Any]) -> dict[str, Any]:
    return {name: data[name] for name in selectors.FILTERS if data.get(name) not in (None, [])}


class FeeAssignmentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[FeeAssignment]):
    """收费对象: which houses an item is charged on, from when to when. POST assigns in bulk."""

    serializer_class = FeeAssignmentSerializer
    required_permission = _PERMISSIONS
    error_statuses = {"end": [409], "change_quantity": [409]}  # the assignment has ended already
    filterset_class = FeeAssignmentFilter
    search_fields = ["house__number", "fee_item__name"]
    ordering_fields = ["start", "end", "house__number"]

    def get_queryset(self) -> QuerySet[FeeAssignment]:
        return selectors.assignments()

    @extend_schema(
        request=AssignSerializer,
        responses={
            201: inline_serializer("AssignmentResult", _counts()),
            200: inline_serializer("AssignmentNothingToDo", _counts()),
        },
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        form = AssignSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = dict(form.validated_data)
        counts = assignment_services.assign_fee_item(
            fee_item=data["fee_item"],
            start=data["start"],
            quantity=data["quantity"],
            actor=request.user,
            **_filters(data),
        )
        return Response(counts, status=201 if counts["to_assign"] else 200)

    @extend_schema(
        request=AssignSerializer,
        responses=inline_serializer(
            "AssignmentPreview",
            {
                **_counts(),
                "missing_reason": serializers.CharField(),
                "houses": PreviewHouseSerializer(many=True),
            },
        ),
    )
    @action(detail=False, methods=["post"], pagination_class=None, filter_backends=[])
    def preview(self, request: Request) -> Response:
        """What POST would do with the same body, without doing it; the first 20 houses for display."""
        form = AssignSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = dict(form.validated_data)
        problems = services.Problems()
        selectors.check_filters(problems.add, _filters(data))
        problems.raise_any()
        return Response(selectors.preview_assignment(data["fee_item"], data["start"], **_filters(data)))

    @extend_schema(request=EndSerializer, responses=FeeAssignmentSerializer)
    @action(detail=True, methods=["post"])
    def end(self, request: Request, pk: str | None = None) -> Response:
        form = EndSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        row = assignment_services.end_assignment(
            assignment=self.get_object(), end=form.validated_data["end"], actor=request.user
        )
        return Response(self.get_serializer(selectors.assignments().get(pk=row.pk)).data)

    @extend_schema(request=QuantitySerializer, responses={201: FeeAssignmentSerializer})
    @action(detail=True, methods=["post"], url_path="change-quantity")
    def change_quantity(self, request: Request, pk: str | None = None) -> Response:
        """A new quantity from a date: this assignment ends there and the answer is its successor."""
        form = QuantitySerializer(data=request.data)
        form.is_valid(raise_exception=True)
        row = assignment_services.change_assignment_quantity(
            assignment=self.get_object(),
            quantity=form.validated_data["quantity"],
            from_date=form.validated_data["from_date"],
            actor=request.user,
        )
        return Response(self.get_serializer(selectors.assignments().get(pk=row.pk)).data, status=201)


VIEWSETS = [
    ("fee-items", FeeItemViewSet, "fee-item"),
    ("fee-assignments", FeeAssignmentViewSet, "fee-assignment"),
]
