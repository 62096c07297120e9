"""Residents API for staff: residents, their houses, identity corrections."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import django_filters
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema, extend_schema_field, inline_serializer
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api_fields import BoundedDateField
from core.exports import ExcelExportMixin
from tenants.estates import selectors as estate_selectors
from tenants.residents import selectors, services
from tenants.residents.api.bindings import RejectSerializer
from tenants.residents.models import (
    CorrectionRequest,
    CorrectionStatus,
    DocumentType,
    Gender,
    Occupancy,
    Person,
    Relation,
)


class PersonHouseSerializer(serializers.Serializer):
    occupancy_id = serializers.IntegerField(source="id")
    house = serializers.IntegerField(source="house_id")
    # stubs: a serializer is a Field, and this field hides Field.label
    label = serializers.CharField(source="house.label")  # type: ignore[assignment]
    estate_name = serializers.CharField(source="house.estate.name")
    building_name = serializers.CharField(source="house.building.name")
    unit_name = serializers.CharField(source="house.unit.name")
    number = serializers.CharField(source="house.number")
    relation = serializers.CharField()
    share = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)
    is_primary_payer = serializers.BooleanField()
    moved_in = serializers.DateField(allow_null=True)


class PersonAccountSerializer(serializers.Serializer):
    """The person's owner-app account, for staff holding owners.manage to disable or re-enable."""

    id = serializers.IntegerField()
    is_active = serializers.BooleanField()


class PersonSerializer(serializers.ModelSerializer):
    """Phone, ID number and emergency contact are write-only: reads carry masked copies; the whole
    value needs a reveal."""

    phone = serializers.CharField(write_only=True, required=False, allow_blank=True, max_length=20)
    id_number = serializers.CharField(write_only=True, required=False, allow_blank=True, max_length=30)
    emergency_contact = serializers.CharField(write_only=True, required=False, allow_blank=True, max_length=100)
    has_account = serializers.SerializerMethodField()
    account = serializers.SerializerMethodField()
    houses = PersonHouseSerializer(source="current_occupancies", many=True, read_only=True)

    class Meta:
        model = Person
        fields = [
            "id",
            "name",
            "gender",
            "phone",
            "id_type",
            "id_number",
            "phone_masked",
            "id_number_masked",
            "emergency_contact",
            "emergency_contact_masked",
            "note",
            "has_account",
            "account",
            "houses",
            "created_at",
        ]
        read_only_fields = ["phone_masked", "id_number_masked", "emergency_contact_masked", "created_at"]
        # Validation lives in the services (one place for forms and imports); the serializer
        # only shapes the payload.
        extra_kwargs: dict[str, dict[str, Any]] = {"name": {"validators": []}}

    def get_has_account(self, person: Person) -> bool:
        return person.user_id is not None

    @extend_schema_field(PersonAccountSerializer(allow_null=True))
    def get_account(self, person: Person) -> dict | None:
        if person.user_id is None:
            return None
        active = (
            person.account_active if hasattr(person, "account_active") else bool(person.user and person.user.is_active)
        )
        return {"id": person.user_id, "is_active": active}


class PersonFilter(django_filters.FilterSet):
    phone = django_filters.CharFilter(method="by_phone")
    estate = django_filters.NumberFilter(method="by_place")
    building = django_filters.NumberFilter(method="by_place")
    house = django_filters.NumberFilter(method="by_place")
    relation = django_filters.ChoiceFilter(choices=Relation.choices, method="by_place")

    class Meta:
        model = Person
        fields = ["gender"]

    def by_phone(self, queryset, name, value):
        return selectors.filter_people(queryset, phone=value)

    def by_place(self, queryset, name, value):
        return selectors.filter_people(queryset, **{name: value})


class RevealSerializer(serializers.Serializer):
    field = serializers.ChoiceField(choices=list(services.REVEALABLE))


class PersonViewSet(
    ExcelExportMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """业主信息查询 — residents, searchable by name, exact phone, estate, building, house, relation."""

    serializer_class = PersonSerializer
    required_permission = {
        "GET": "basic_data.view",
        "POST": "basic_data.manage",
        "PATCH": "basic_data.manage",
        "PUT": "basic_data.manage",
    }
    error_statuses = {"*": [429]}  # lookups by whole phone or ID number are counted per user
    filterset_class = PersonFilter
    search_fields = ["name"]
    ordering_fields = ["name", "created_at"]
    export_title = gettext_lazy("住户")  # type: ignore[assignment]  # core.exports types it str; rendered with str()
    # The residents import's own columns, one row per person and current house, so the file imports
    # back unchanged: masked numbers are read as "as on file", the person found in their house.
    export_columns = [
        ("estate_name", gettext_lazy("小区")),
        ("building_name", gettext_lazy("楼栋")),
        ("unit_name", gettext_lazy("单元")),
        ("number", gettext_lazy("房号")),
        ("name", gettext_lazy("姓名")),
        ("phone_masked", gettext_lazy("手机号")),
        ("id_number_masked", gettext_lazy("身份证号")),
        ("id_type", gettext_lazy("证件类型")),
        ("gender", gettext_lazy("性别")),
        ("relation", gettext_lazy("关系")),
        ("moved_in", gettext_lazy("入住日期")),
        ("share", gettext_lazy("产权份额(%)")),
        ("is_primary_payer", gettext_lazy("主缴费人")),
        ("emergency_contact_masked", gettext_lazy("紧急联系人")),
        ("has_account", gettext_lazy("小程序账号")),
        ("note", gettext_lazy("备注")),
    ]
    export_labels = {
        "gender": {**dict(Gender.choices), "": ""},
        "id_type": dict(DocumentType.choices),
        "relation": dict(Relation.choices),
    }
    export_text_fields = ("number", "phone_masked", "id_number_masked")

    def export_rows(self, people: Any) -> list[dict[str, Any]]:
        rows = []
        for person in people:
            houses = person.get("houses") or [{}]
            for house in houses:
                share = house.get("share")
                if share is not None and Decimal(share) < 1:
                    share = f"{Decimal(share).normalize():f}%"  # a bare 0.5 reads as a percent cell's 50%
                rows.append({**person, **house, "share": share, "is_primary_payer": house.get("is_primary_payer")})
        return rows

    def get_queryset(self):
        return selectors.people()

    def filter_queryset(self, queryset):
        # Every use of the exact phone filter counts, on lists, exports and single records alike
        # (a detail URL with ?phone= answers 200 or 404: the same guess).
        phone = self.request.query_params.get("phone", "")
        if phone:
            services.record_phone_search(actor=self.request.user, phone=phone)
        return super().filter_queryset(queryset)

    def perform_create(self, serializer):
        serializer.instance = services.create_person(actor=self.request.user, **serializer.validated_data)

    def perform_update(self, serializer):
        services.update_person(person=serializer.instance, actor=self.request.user, **serializer.validated_data)

    def update(self, request, *args, **kwargs):
        super().update(request, *args, **kwargs)
        return Response(self.get_serializer(self.get_object()).data)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        self.perform_create(serializer)
        return Response(self.get_serializer(selectors.people().get(pk=serializer.instance.pk)).data, status=201)

    @extend_schema(
        request=RevealSerializer, responses={200: inline_serializer("Revealed", {"value": serializers.CharField()})}
    )
    @action(detail=True, methods=["post"], required_permission="pii.reveal")
    def reveal(self, request, pk=None):
        person = self.get_object()
        form = RevealSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        value = services.reveal(person=person, field=form.validated_data["field"], actor=request.user)
        return Response({"value": value}, headers={"Cache-Control": "no-store"})


class OccupancySerializer(serializers.ModelSerializer):
    house_label = serializers.CharField(source="house.label", read_only=True)
    estate_name = serializers.CharField(source="house.estate.name", read_only=True)
    person_name = serializers.CharField(source="person.name", read_only=True)
    phone_masked = serializers.CharField(source="person.phone_masked", read_only=True)
    house = serializers.PrimaryKeyRelatedField(queryset=estate_selectors.houses_with_labels())
    person = serializers.PrimaryKeyRelatedField(queryset=Person.objects.all())

    class Meta:
        model = Occupancy
        fields = [
            "id",
            "house",
            "house_label",
            "estate_name",
            "person",
            "person_name",
            "phone_masked",
            "relation",
            "share",
            "is_primary_payer",
            "moved_in",
            "moved_out",
        ]
        read_only_fields = ["moved_out"]
        validators: list = []  # the services check uniqueness with a readable message
        extra_kwargs = {"moved_in": {"required": False}}


class OccupancyUpdateSerializer(serializers.Serializer):
    share = serializers.DecimalField(max_digits=5, decimal_places=2, required=False, allow_null=True)
    is_primary_payer = serializers.BooleanField(required=False)


class MoveOutSerializer(serializers.Serializer):
    moved_out = BoundedDateField(required=False)


class OccupancyFilter(django_filters.FilterSet):
    current = django_filters.BooleanFilter(field_name="moved_out", lookup_expr="isnull")

    class Meta:
        model = Occupancy
        fields = ["house", "person", "relation", "is_primary_payer"]


class OccupancyViewSet(ExcelExportMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Who lives in which house, as what, since when — current and past."""

    serializer_class = OccupancySerializer
    required_permission = {"GET": "basic_data.view", "POST": "basic_data.manage", "PATCH": "basic_data.manage"}
    error_statuses = {"partial_update": [409], "move_out": [409]}  # already moved out
    filterset_class = OccupancyFilter
    ordering_fields = ["moved_in", "moved_out"]
    export_title = gettext_lazy("房屋住户关系")  # type: ignore[assignment]  # core.exports types it str; rendered with str()
    export_columns = [
        ("estate_name", gettext_lazy("小区")),
        ("house_label", gettext_lazy("房屋")),
        ("person_name", gettext_lazy("姓名")),
        ("phone_masked", gettext_lazy("手机号")),
        ("relation", gettext_lazy("关系")),
        ("share", gettext_lazy("产权份额(%)")),
        ("is_primary_payer", gettext_lazy("主缴费人")),
        ("moved_in", gettext_lazy("入住日期")),
        ("moved_out", gettext_lazy("迁出日期")),
    ]
    export_labels = {
        "relation": dict(Relation.choices),
        "is_primary_payer": {True: gettext_lazy("是"), False: gettext_lazy("否")},
    }

    def get_queryset(self):
        return selectors.occupancies()

    def _respond(self, occupancy: Occupancy, status: int = 200) -> Response:
        return Response(self.get_serializer(selectors.occupancies().get(pk=occupancy.pk)).data, status=status)

    def create(self, request, *args, **kwargs):
        form = self.get_serializer(data=request.data)
        form.is_valid(raise_exception=True)
        occupancy = services.add_occupancy(actor=request.user, **form.validated_data)
        return self._respond(occupancy, status=201)

    @extend_schema(request=OccupancyUpdateSerializer, responses=OccupancySerializer)
    def partial_update(self, request, *args, **kwargs):
        form = OccupancyUpdateSerializer(data=request.data, partial=True)
        form.is_valid(raise_exception=True)
        occupancy = services.update_occupancy(occupancy=self.get_object(), actor=request.user, **form.validated_data)
        return self._respond(occupancy)

    @extend_schema(request=MoveOutSerializer, responses=OccupancySerializer)
    @action(detail=True, methods=["post"], url_path="move-out")
    def move_out(self, request, pk=None):
        form = MoveOutSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        occupancy = services.move_out(
            occupancy=self.get_object(), actor=request.user, moved_out=form.validated_data.get("moved_out")
        )
        return self._respond(occupancy)


class CorrectionSerializer(serializers.ModelSerializer):
    person_name = serializers.CharField(source="person.name", read_only=True)
    current_id_number_masked = serializers.CharField(source="person.id_number_masked", read_only=True)

    class Meta:
        model = CorrectionRequest
        fields = [
            "id",
            "person",
            "person_name",
            "current_id_number_masked",
            "name",
            "id_number_masked",
            "status",
            "reason",
            "created_at",
            "decided_at",
        ]


class CorrectionViewSet(ExcelExportMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Owners' requests to change their name or ID number, for staff to approve or reject."""

    serializer_class = CorrectionSerializer
    required_permission = {"GET": "basic_data.view", "POST": "basic_data.manage"}
    error_statuses = {"approve": [409], "reject": [409]}  # already decided
    filterset_fields = ["status", "person"]
    ordering_fields = ["created_at"]
    export_title = gettext_lazy("资料变更申请")  # type: ignore[assignment]  # core.exports types it str; rendered with str()
    export_columns = [
        ("created_at", gettext_lazy("申请时间")),
        ("person_name", gettext_lazy("当前姓名")),
        ("name", gettext_lazy("新姓名")),
        ("id_number_masked", gettext_lazy("新身份证号")),
        ("status", gettext_lazy("状态")),
        ("reason", gettext_lazy("驳回原因")),
        ("decided_at", gettext_lazy("处理时间")),
    ]
    export_labels = {"status": dict(CorrectionStatus.choices)}

    def get_queryset(self):
        return selectors.corrections()

    def _respond(self, correction: CorrectionRequest) -> Response:
        return Response(self.get_serializer(selectors.corrections().get(pk=correction.pk)).data)

    @extend_schema(request=None, responses=CorrectionSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        self.get_object()
        return self._respond(services.approve_correction(correction_id=int(pk), actor=request.user))

    @extend_schema(request=RejectSerializer, responses=CorrectionSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        self.get_object()
        form = RejectSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        return self._respond(
            services.reject_correction(correction_id=int(pk), actor=request.user, reason=form.validated_data["reason"])
        )
