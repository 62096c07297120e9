"""Staff API for meters and readings (收费管理 → 抄表): meters, readings with review, the reader's route."""

from __future__ import annotations

from datetime import date
from typing import Any

import django_filters
from django.db.models import QuerySet
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from billing.models import Meter, MeterKind, MeterReading, ReadingSource, ReadingStatus, Register, SplitBy
from billing.selectors import meters as selectors
from billing.services import meters as services
from billing.services.common import today
from core.exports import ExcelExportMixin
from tenants.estates.models import Building, Estate, House

_METER_PERMISSIONS = {"GET": "fees.view", "POST": "fees.manage", "PATCH": "fees.manage"}
_LOCATION = ("house", "building", "estate", "kind")


class MeterSerializer(serializers.ModelSerializer[Meter]):
    house = serializers.PrimaryKeyRelatedField(queryset=House.objects.all(), required=False, allow_null=True)
    building = serializers.PrimaryKeyRelatedField(queryset=Building.objects.all(), required=False, allow_null=True)
    estate = serializers.PrimaryKeyRelatedField(queryset=Estate.objects.all(), required=False)
    house_label = serializers.SerializerMethodField()
    building_name = serializers.SerializerMethodField()
    estate_name = serializers.CharField(source="estate.name", read_only=True)
    shared = serializers.BooleanField(read_only=True)
    multiplier = serializers.DecimalField(max_digits=10, decimal_places=2, min_value=0, required=False)
    rollover_at = serializers.DecimalField(
        max_digits=14, decimal_places=2, min_value=0, required=False, allow_null=True
    )
    initial_reading = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0, required=False)

    class Meta:
        model = Meter
        fields = [
            "id",
            "kind",
            "number",
            "house",
            "house_label",
            "building",
            "building_name",
            "estate",
            "estate_name",
            "shared",
            "split_by",
            "time_of_use",
            "multiplier",
            "rollover_at",
            "initial_reading",
            "active",
            "created_at",
        ]
        read_only_fields = ["active", "created_at"]
        validators: list[Any] = []  # the service answers a taken number with a field error in Chinese

    def get_house_label(self, meter: Meter) -> str:
        return meter.house.label if meter.house else ""

    def get_building_name(self, meter: Meter) -> str:
        return meter.building.name if meter.building else ""


class MeterFilter(django_filters.FilterSet):  # type: ignore[misc]  # django-filter ships no types
    shared = django_filters.BooleanFilter(field_name="house", lookup_expr="isnull")

    class Meta:
        model = Meter
        fields = ["estate", "building", "house", "kind", "active", "split_by"]


class MeterViewSet(
    ExcelExportMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet[Meter],
):
    """Meters of houses, and shared meters of buildings and estates. Not deleted: deactivated."""

    serializer_class = MeterSerializer
    required_permission = _METER_PERMISSIONS
    http_method_names = ["get", "post", "patch", "head", "options"]
    filterset_class = MeterFilter
    search_fields = ["number", "house__number", "building__name"]
    ordering_fields = ["number", "kind", "created_at"]
    export_title = gettext_lazy("表具")  # type: ignore[assignment]  # core.exports types it str; rendered with str()
    export_columns = [
        ("estate_name", gettext_lazy("小区")),
        ("building_name", gettext_lazy("楼栋")),
        ("house_label", gettext_lazy("房屋")),
        ("kind", gettext_lazy("类型")),
        ("number", gettext_lazy("表号")),
        ("split_by", gettext_lazy("分摊方式")),
        ("time_of_use", gettext_lazy("峰谷计量")),
        ("multiplier", gettext_lazy("倍率")),
        ("rollover_at", gettext_lazy("满量程")),
        ("initial_reading", gettext_lazy("初始读数")),
        ("active", gettext_lazy("启用")),
    ]
    export_labels = {"kind": dict(MeterKind.choices), "split_by": dict(SplitBy.choices)}

    def get_queryset(self) -> QuerySet[Meter]:
        return selectors.meters()

    def _respond(self, meter: Meter, status: int = 200) -> Response:
        return Response(self.get_serializer(selectors.meters().get(pk=meter.pk)).data, status=status)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        form = self.get_serializer(data=request.data)
        form.is_valid(raise_exception=True)
        return self._respond(services.create_meter(actor=request.user, **form.validated_data), status=201)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        meter = self.get_object()
        form = self.get_serializer(meter, data=request.data, partial=True)
        form.is_valid(raise_exception=True)
        changes = dict(form.validated_data)
        moved = {
            field: [_("表具不能更换类型或位置；请停用后新建表具。")]
            for field in _LOCATION
            if field in changes and changes.pop(field) != getattr(meter, field)
        }
        if moved:
            raise serializers.ValidationError(moved)
        return self._respond(services.update_meter(meter=meter, actor=request.user, **changes))

    @extend_schema(request=None, responses=MeterSerializer)
    @action(detail=True, methods=["post"])
    def deactivate(self, request: Request, pk: str | None = None) -> Response:
        return self._respond(services.deactivate_meter(meter=self.get_object(), actor=request.user))


class MeterReadingSerializer(serializers.ModelSerializer[MeterReading]):
    meter = serializers.PrimaryKeyRelatedField(queryset=Meter.objects.all())
    meter_number = serializers.CharField(source="meter.number", read_only=True)
    meter_kind = serializers.ChoiceField(source="meter.kind", choices=MeterKind.choices, read_only=True)
    house = serializers.IntegerField(source="meter.house_id", read_only=True, allow_null=True)
    place = serializers.SerializerMethodField()
    reader_name = serializers.SerializerMethodField()
    current = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0)
    register = serializers.ChoiceField(choices=Register.choices, default=Register.TOTAL)
    # Readings come in by hand, from an owner or from a smart meter; files come through the import.
    # stubs: a serializer is a Field, and this field hides Field.source
    source = serializers.ChoiceField(  # type: ignore[assignment]
        choices=[c for c in ReadingSource.choices if c[0] != ReadingSource.IMPORT], default=ReadingSource.STAFF
    )

    class Meta:
        model = MeterReading
        fields = [
            "id",
            "meter",
            "meter_number",
            "meter_kind",
            "house",
            "place",
            "register",
            "read_on",
            "previous",
            "current",
            "usage",
            "rolled_over",
            "status",
            "hold_reason",
            "source",
            "reader",
            "reader_name",
            "created_at",
        ]
        read_only_fields = ["previous", "usage", "rolled_over", "status", "hold_reason", "reader", "created_at"]
        validators: list[Any] = []  # the service answers a second reading of the day in Chinese

    def get_place(self, reading: MeterReading) -> str:
        meter = reading.meter
        if meter.house:
            return meter.house.label
        return meter.building.name if meter.building else meter.estate.name

    def get_reader_name(self, reading: MeterReading) -> str:
        reader = reading.reader
        return str(getattr(reader, "name", "") or getattr(reader, "username", "")) if reader else ""


class MeterReadingFilter(django_filters.FilterSet):  # type: ignore[misc]  # django-filter ships no types
    estate = django_filters.NumberFilter(field_name="meter__estate_id")
    building = django_filters.NumberFilter(field_name="meter__building_id")
    house = django_filters.NumberFilter(field_name="meter__house_id")
    kind = django_filters.ChoiceFilter(field_name="meter__kind", choices=MeterKind.choices)
    read_on_from = django_filters.DateFilter(field_name="read_on", lookup_expr="gte")
    read_on_to = django_filters.DateFilter(field_name="read_on", lookup_expr="lte")

    class Meta:
        model = MeterReading
        fields = ["meter", "status", "register", "source"]


class ReadingRejectSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField(max_length=200)


class MeterReadingViewSet(
    ExcelExportMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet[MeterReading],
):
    """Readings: listed and taken by meter readers (meters.read); held ones reviewed by managers."""

    serializer_class = MeterReadingSerializer
    required_permission = "meters.read"
    error_statuses = {"approve": [409], "reject": [409]}  # not held / not the latest / already rejected
    filterset_class = MeterReadingFilter
    search_fields = ["meter__number", "meter__house__number"]
    ordering_fields = ["read_on", "usage", "created_at"]
    export_title = gettext_lazy("抄表记录")  # type: ignore[assignment]  # core.exports types it str; rendered with str()
    export_columns = [
        ("place", gettext_lazy("位置")),
        ("meter_kind", gettext_lazy("表具类型")),
        ("meter_number", gettext_lazy("表号")),
        ("register", gettext_lazy("计度器")),
        ("read_on", gettext_lazy("抄表日期")),
        ("previous", gettext_lazy("上期读数")),
        ("current", gettext_lazy("本期读数")),
        ("usage", gettext_lazy("用量")),
        ("rolled_over", gettext_lazy("表盘翻转")),
        ("status", gettext_lazy("状态")),
        ("hold_reason", gettext_lazy("复核原因")),
        ("source", gettext_lazy("来源")),
        ("reader_name", gettext_lazy("抄表人")),
    ]
    export_labels = {
        "meter_kind": dict(MeterKind.choices),
        "register": dict(Register.choices),
        "status": dict(ReadingStatus.choices),
        "source": dict(ReadingSource.choices),
    }

    def get_queryset(self) -> QuerySet[MeterReading]:
        return selectors.readings()

    def _respond(self, reading: MeterReading, status: int = 200) -> Response:
        return Response(self.get_serializer(selectors.readings().get(pk=reading.pk)).data, status=status)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        form = self.get_serializer(data=request.data)
        form.is_valid(raise_exception=True)
        reading = services.record_reading(actor=request.user, reader=request.user, **form.validated_data)
        return self._respond(reading, status=201)

    @extend_schema(request=None, responses=MeterReadingSerializer)
    @action(detail=True, methods=["post"], required_permission="fees.manage")
    def approve(self, request: Request, pk: str | None = None) -> Response:
        return self._respond(services.approve_reading(reading=self.get_object(), actor=request.user))

    @extend_schema(request=ReadingRejectSerializer, responses=MeterReadingSerializer)
    @action(detail=True, methods=["post"], required_permission="fees.manage")
    def reject(self, request: Request, pk: str | None = None) -> Response:
        reading = self.get_object()
        form = ReadingRejectSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        return self._respond(
            services.reject_reading(reading=reading, reason=form.validated_data["reason"], actor=request.user)
        )


class RouteQuerySerializer(serializers.Serializer[Any]):
    estate = serializers.IntegerField(required=False, min_value=1)
    building = serializers.IntegerField(required=False, min_value=1)
    kind = serializers.ChoiceField(choices=MeterKind.choices, required=False)
    cycle_start = serializers.DateField(required=False, help_text="默认本月 1 日")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if not attrs.get("estate") and not attrs.get("building"):
            raise serializers.ValidationError({"estate": [_("请选择小区或楼栋。")]})
        return attrs


class RouteReadingSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    read_on = serializers.DateField()
    current = serializers.DecimalField(max_digits=14, decimal_places=2)
    register = serializers.ChoiceField(choices=Register.choices)
    status = serializers.ChoiceField(choices=ReadingStatus.choices)


class RouteMeterSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=MeterKind.choices)
    number = serializers.CharField()
    house = serializers.IntegerField(allow_null=True)
    house_label = serializers.CharField()
    floor = serializers.IntegerField(allow_null=True)
    building = serializers.IntegerField(allow_null=True)
    building_name = serializers.CharField()
    estate = serializers.IntegerField()
    estate_name = serializers.CharField()
    shared = serializers.BooleanField()
    time_of_use = serializers.BooleanField()
    rollover_at = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    last_reading = RouteReadingSerializer(allow_null=True)
    read_this_cycle = serializers.BooleanField()


class RouteSerializer(serializers.Serializer[Any]):
    cycle_start = serializers.DateField()
    next_meter = serializers.IntegerField(allow_null=True, help_text="路线上第一块本期未抄的表")
    read = serializers.IntegerField()
    total = serializers.IntegerField()
    meters = RouteMeterSerializer(many=True)


class MeterRouteView(APIView):
    """抄表路线 — a reader's phone: the meters of an estate or building in walking order, each with its
    last reading and whether it is read this cycle; `next_meter` is the first one still unread."""

    required_permission = "meters.read"

    @extend_schema(
        parameters=[
            OpenApiParameter("estate", int),
            OpenApiParameter("building", int),
            OpenApiParameter("kind", str, enum=MeterKind.values),
            OpenApiParameter("cycle_start", date),
        ],
        responses=RouteSerializer,
    )
    def get(self, request: Request) -> Response:
        query = RouteQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        cycle_start = params.get("cycle_start") or today().replace(day=1)
        route = selectors.meter_route(
            cycle_start=cycle_start,
            estate_id=params.get("estate"),
            building_id=params.get("building"),
            kind=params.get("kind"),
        )
        unread = [meter["id"] for meter in route if not meter["read_this_cycle"]]
        body = {
            "cycle_start": cycle_start,
            "next_meter": unread[0] if unread else None,
            "read": len(route) - len(unread),
            "total": len(route),
            "meters": route,
        }
        return Response(RouteSerializer(body).data)


VIEWSETS = [
    ("meters", MeterViewSet, "meter"),
    ("meter-readings", MeterReadingViewSet, "meter-reading"),
]
PATHS = [path("meter-route/", MeterRouteView.as_view(), name="meter-route")]
