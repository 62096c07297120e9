"""Staff API for estates, buildings, units and houses (基础管理 → 小区楼栋 / 房屋)."""

from __future__ import annotations

from typing import Any

import django_filters
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.exports import ExcelExportMixin
from tenants.estates import selectors, services
from tenants.estates.models import Building, Estate, House, HouseStatus, HouseUse, Unit

_PERMISSIONS = {
    "GET": "basic_data.view",
    "POST": "basic_data.manage",
    "PATCH": "basic_data.manage",
    "PUT": "basic_data.manage",
    "DELETE": "basic_data.manage",
}


class EstateSerializer(serializers.ModelSerializer):
    building_count = serializers.IntegerField(read_only=True)
    house_count = serializers.IntegerField(read_only=True)
    occupied_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Estate
        fields = [
            "id",
            "name",
            "address",
            "latitude",
            "longitude",
            "building_count",
            "house_count",
            "occupied_count",
            "created_at",
        ]
        read_only_fields = ["created_at"]
        extra_kwargs: dict[str, dict[str, Any]] = {
            "name": {"validators": []},  # the service answers duplicates in Chinese
            "latitude": {"help_text": "GCJ-02, as Chinese maps give it; with longitude, or both null."},
            "longitude": {"help_text": "GCJ-02; with latitude, or both null."},
        }


class TreeUnitSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    house_count = serializers.IntegerField()


class TreeBuildingSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    floors = serializers.IntegerField()
    house_count = serializers.IntegerField()
    units = TreeUnitSerializer(many=True)


class TreeEstateSerializer(serializers.Serializer):
    """The navigation tree (selectors.estate_tree): estates → buildings → units with house counts."""

    id = serializers.IntegerField()
    name = serializers.CharField()
    house_count = serializers.IntegerField()
    buildings = TreeBuildingSerializer(many=True)


class EstateViewSet(ExcelExportMixin, viewsets.ModelViewSet):
    serializer_class = EstateSerializer
    required_permission = _PERMISSIONS
    error_statuses = {"destroy": [409]}  # still has buildings, houses or residents
    search_fields = ["name", "address"]
    ordering_fields = ["name", "created_at"]
    export_title = _("小区")  # type: ignore[assignment]  # core.exports types it str; rendered with str()
    export_columns = [
        ("name", _("小区名称")),
        ("address", _("地址")),
        ("building_count", _("楼栋数")),
        ("house_count", _("房屋数")),
        ("occupied_count", _("入住数")),
    ]

    def get_queryset(self):
        return selectors.estates_with_counts()

    def _respond(self, estate: Estate, status: int = 200) -> Response:
        return Response(self.get_serializer(selectors.estates_with_counts().get(pk=estate.pk)).data, status=status)

    def create(self, request, *args, **kwargs):
        form = self.get_serializer(data=request.data)
        form.is_valid(raise_exception=True)
        return self._respond(services.create_estate(actor=request.user, **form.validated_data), status=201)

    def update(self, request, *args, **kwargs):
        form = self.get_serializer(self.get_object(), data=request.data, partial=True)
        form.is_valid(raise_exception=True)
        return self._respond(services.update_estate(estate=form.instance, actor=request.user, **form.validated_data))

    def destroy(self, request, *args, **kwargs):
        services.delete_estate(estate=self.get_object(), actor=request.user)
        return Response(status=204)

    @extend_schema(responses={200: TreeEstateSerializer(many=True)})
    @action(detail=False, methods=["get"], pagination_class=None, filter_backends=[])
    def tree(self, request):
        return Response(selectors.estate_tree())


class UnitSerializer(serializers.ModelSerializer):
    class Meta:
        model = Unit
        fields = ["id", "name"]


class BuildingSerializer(serializers.ModelSerializer):
    estate_name = serializers.CharField(source="estate.name", read_only=True)
    units = UnitSerializer(many=True, read_only=True)
    unit_names = serializers.ListField(
        child=serializers.CharField(max_length=50), write_only=True, required=False, source="new_units"
    )
    house_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Building
        fields = ["id", "estate", "estate_name", "name", "floors", "has_elevator", "units", "unit_names", "house_count"]
        validators: list = []
        # has_elevator: kept from imports (HC's 是否有电梯), shown; not edited here yet.
        extra_kwargs = {"floors": {"min_value": 1, "max_value": 200}, "has_elevator": {"read_only": True}}

    def to_internal_value(self, data):
        # `units` reads as [{id, name}] and is written as a list of names.
        if hasattr(data, "get") and isinstance(data.get("units"), list) and "unit_names" not in data:
            data = {**data, "unit_names": data["units"]}
        return super().to_internal_value(data)


class GenerateHousesSerializer(serializers.Serializer):
    per_floor = serializers.IntegerField(min_value=1, max_value=50)
    building_area = serializers.DecimalField(max_digits=10, decimal_places=2, min_value=0)
    usable_area = serializers.DecimalField(max_digits=10, decimal_places=2, min_value=0)
    layout = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    use = serializers.ChoiceField(choices=HouseUse.choices, default=HouseUse.RESIDENTIAL)
    status = serializers.ChoiceField(choices=HouseStatus.choices, default=HouseStatus.UNSOLD)
    number_format = serializers.CharField(max_length=40, default="{floor}{index:02d}")


class BuildingViewSet(ExcelExportMixin, viewsets.ModelViewSet):
    serializer_class = BuildingSerializer
    required_permission = _PERMISSIONS
    error_statuses = {"destroy": [409]}  # still has buildings, houses or residents
    filterset_fields = ["estate"]
    search_fields = ["name"]
    ordering_fields = ["name"]
    export_title = _("楼栋")  # type: ignore[assignment]  # core.exports types it str; rendered with str()
    export_columns = [
        ("estate_name", _("小区")),
        ("name", _("楼栋")),
        ("floors", _("层数")),
        ("house_count", _("房屋数")),
    ]

    def get_queryset(self):
        return selectors.buildings()

    def _respond(self, building: Building, status: int = 200) -> Response:
        return Response(self.get_serializer(selectors.buildings().get(pk=building.pk)).data, status=status)

    def create(self, request, *args, **kwargs):
        form = self.get_serializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        building = services.create_building(
            estate=data["estate"],
            name=data["name"],
            floors=data["floors"],
            units=data.get("new_units") or ["1单元"],
            actor=request.user,
        )
        return self._respond(building, status=201)

    def update(self, request, *args, **kwargs):
        form = self.get_serializer(self.get_object(), data=request.data, partial=True)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        building = services.update_building(
            building=form.instance, actor=request.user, name=data.get("name"), floors=data.get("floors")
        )
        return self._respond(building)

    def destroy(self, request, *args, **kwargs):
        services.delete_building(building=self.get_object(), actor=request.user)
        return Response(status=204)

    @extend_schema(
        request=GenerateHousesSerializer,
        responses={201: inline_serializer("GeneratedHouses", {"created": serializers.IntegerField()})},
    )
    @action(detail=True, methods=["post"], url_path="generate-houses")
    def generate_houses(self, request, pk=None):
        building = self.get_object()
        form = GenerateHousesSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        created = services.generate_houses(building=building, actor=request.user, **form.validated_data)
        return Response({"created": len(created)}, status=201)


class HouseSerializer(serializers.ModelSerializer):
    # stubs: a serializer is a Field, and this field hides Field.label
    label = serializers.CharField(read_only=True)  # type: ignore[assignment]
    estate_name = serializers.CharField(source="estate.name", read_only=True)
    building_name = serializers.CharField(source="building.name", read_only=True)
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    resident_count = serializers.IntegerField(read_only=True)
    bound = serializers.BooleanField(
        read_only=True, help_text="An owner-app account is bound to the house (an approved binding)."
    )
    unit = serializers.PrimaryKeyRelatedField(queryset=Unit.objects.all())

    class Meta:
        model = House
        fields = [
            "id",
            "label",
            "estate",
            "estate_name",
            "building",
            "building_name",
            "unit",
            "unit_name",
            "number",
            "floor",
            "building_area",
            "usable_area",
            "layout",
            "use",
            "status",
            "fee_coefficient",
            "binding_code",
            "resident_count",
            "bound",
        ]
        read_only_fields = ["estate", "building", "binding_code"]
        validators: list = []  # the service checks numbering, floors and areas with field errors


class HouseOccupantSerializer(serializers.Serializer):
    """One stay in the house (selectors.house_residents): `id` is the occupancy's."""

    id = serializers.IntegerField()
    person = serializers.IntegerField()
    person_name = serializers.CharField()
    phone_masked = serializers.CharField()
    # The residents app's Relation values (this app reads occupancies without importing that app).
    relation = serializers.ChoiceField(choices=["owner", "family", "renter"])
    share = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)
    is_primary_payer = serializers.BooleanField()
    moved_in = serializers.DateField(allow_null=True)  # unknown when an import left it blank
    moved_out = serializers.DateField(allow_null=True)


class HouseDetailSerializer(HouseSerializer):
    """A house with its residents, current first, then history (the house page)."""

    residents = HouseOccupantSerializer(many=True, read_only=True)

    class Meta(HouseSerializer.Meta):
        fields = [*HouseSerializer.Meta.fields, "residents"]


class HouseFilter(django_filters.FilterSet):
    area_min = django_filters.NumberFilter(field_name="building_area", lookup_expr="gte")
    area_max = django_filters.NumberFilter(field_name="building_area", lookup_expr="lte")
    bound = django_filters.BooleanFilter(field_name="bound", help_text="Whether an owner-app account is bound.")

    class Meta:
        model = House
        fields = ["estate", "building", "unit", "status", "use", "layout", "floor"]


class HouseViewSet(ExcelExportMixin, viewsets.ModelViewSet):
    serializer_class = HouseSerializer
    required_permission = _PERMISSIONS
    error_statuses = {"destroy": [409]}  # still has buildings, houses or residents
    filterset_class = HouseFilter
    search_fields = ["number", "building__name", "layout"]
    ordering_fields = ["number", "floor", "building_area", "status"]
    export_title = _("房屋")  # type: ignore[assignment]  # core.exports types it str; rendered with str()
    export_columns = [
        ("estate_name", _("小区")),
        ("building_name", _("楼栋")),
        ("unit_name", _("单元")),
        ("number", _("房号")),
        ("floor", _("楼层")),
        ("building_area", _("建筑面积")),
        ("usable_area", _("套内面积")),
        ("layout", _("户型")),
        ("use", _("用途")),
        ("status", _("状态")),
        ("fee_coefficient", _("收费系数")),
        ("resident_count", _("住户数")),
        # What owners type in the owner app to bind (the house page shows it to the same readers).
        ("binding_code", _("房屋码")),
        ("bound", _("业主已绑定")),
    ]
    export_labels = {"use": dict(HouseUse.choices), "status": dict(HouseStatus.choices)}

    def get_queryset(self):
        return selectors.houses_for_staff()

    def _respond(self, house: House, status: int = 200) -> Response:
        return Response(self.get_serializer(selectors.houses_for_staff().get(pk=house.pk)).data, status=status)

    def create(self, request, *args, **kwargs):
        form = self.get_serializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = dict(form.validated_data)
        return self._respond(services.create_house(unit=data.pop("unit"), actor=request.user, **data), status=201)

    def update(self, request, *args, **kwargs):
        form = self.get_serializer(self.get_object(), data=request.data, partial=True)
        form.is_valid(raise_exception=True)
        data = dict(form.validated_data)
        if "unit" in data and data["unit"].pk != form.instance.unit_id:
            raise serializers.ValidationError({"unit": [_("房屋不能移到其他单元；请新建房屋。")]})
        data.pop("unit", None)
        return self._respond(services.update_house(house=form.instance, actor=request.user, **data))

    def destroy(self, request, *args, **kwargs):
        services.delete_house(house=self.get_object(), actor=request.user)
        return Response(status=204)

    @extend_schema(responses=HouseDetailSerializer)
    def retrieve(self, request, *args, **kwargs):
        house = self.get_object()
        return Response({**self.get_serializer(house).data, "residents": selectors.house_residents(house)})
