from __future__ import annotations

from typing import Any

import django_filters
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, inline_serializer
from rest_framework import generics, mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from core.api_fields import BoundedDateField
from core.errors import DomainError
from core.exports import ExcelExportMixin
from tenants.estates import selectors as estate_selectors
from tenants.residents import selectors, services
from tenants.residents.models import (
    BindingStatus,
    CorrectionRequest,
    CorrectionStatus,
    Gender,
    HouseBinding,
    Occupancy,
    Person,
    Relation,
)


class OwnerEstateSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class OwnerEstateList(generics.ListAPIView):
    """Estates an owner can pick when binding a house."""

    required_permission = "owner.self"
    serializer_class = OwnerEstateSerializer
    pagination_class = None

    def get_queryset(self):
        return estate_selectors.estates()


class OwnerHouseSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    # stubs: a serializer is a Field, and this field hides Field.label
    label = serializers.CharField()  # type: ignore[assignment]


class OwnerHouseSearch(generics.ListAPIView):
    """Houses of an estate matching ?search= (at most 50), for the owner's binding form."""

    required_permission = "owner.self"
    serializer_class = OwnerHouseSerializer
    pagination_class = None
    filter_backends: list = []

    @extend_schema(
        parameters=[OpenApiParameter("search", str, description="Part of the house number or of the building's name.")]
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        if not estate_selectors.estates().filter(pk=self.kwargs["estate_id"]).exists():
            raise NotFound()
        return estate_selectors.search_houses_in_estate(
            estate_id=self.kwargs["estate_id"], search=self.request.query_params.get("search", "")
        )


class BindingHouseSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    # stubs: a serializer is a Field, and this field hides Field.label
    label = serializers.CharField()  # type: ignore[assignment]
    estate_name = serializers.CharField(source="estate.name")


class BindingSerializer(serializers.ModelSerializer):
    house = BindingHouseSerializer(read_only=True)

    class Meta:
        model = HouseBinding
        fields = ["id", "house", "relation", "name", "status", "reason", "created_at", "decided_at"]


class BindingRequestSerializer(serializers.Serializer):
    house_id = serializers.IntegerField(required=False)
    house_code = serializers.CharField(required=False, max_length=12)
    relation = serializers.ChoiceField(choices=Relation.choices, default=Relation.OWNER)
    name = serializers.CharField(max_length=50, required=False, allow_blank=True, default="")

    def validate(self, data):
        if bool(data.get("house_id")) == bool(data.get("house_code")):
            raise serializers.ValidationError({"house_id": ["请选择房屋，或填写物业提供的房屋码（二选一）。"]})
        if data.get("house_id"):
            house = estate_selectors.houses_with_labels().filter(pk=data["house_id"]).first()
            if house is None:
                raise serializers.ValidationError({"house_id": ["房屋不存在。"]})
        else:
            house = estate_selectors.house_by_binding_code(data["house_code"])
            if house is None:
                raise serializers.ValidationError({"house_code": ["房屋码无效。"]})
        data["house"] = house
        return data


class OwnerBindingList(generics.ListCreateAPIView):
    """An owner's requests to bind houses, and a new request (pending staff approval)."""

    required_permission = "owner.self"
    serializer_class = BindingSerializer
    pagination_class = None
    filter_backends: list = []

    def get_queryset(self):
        return selectors.bindings_of(self.request.user)

    @extend_schema(request=BindingRequestSerializer, responses={201: BindingSerializer})
    def post(self, request, *args, **kwargs):
        form = BindingRequestSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        binding = services.request_binding(
            user=request.user,
            house=data["house"],
            relation=data["relation"],
            name=data["name"] or request.user.name,
            via_code=bool(data.get("house_code")),
        )
        return Response(BindingSerializer(selectors.bindings().get(pk=binding.pk)).data, status=201)


class StaffBindingSerializer(BindingSerializer):
    user_phone = serializers.CharField(source="user.phone_masked", read_only=True)

    class Meta(BindingSerializer.Meta):
        fields = [*BindingSerializer.Meta.fields, "user_phone", "via_code"]


class RejectSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=200)


class HouseBindingViewSet(ExcelExportMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Owners' binding requests, for staff to approve or reject."""

    serializer_class = StaffBindingSerializer
    export_title = "房屋绑定申请"
    export_columns = [
        ("created_at", "申请时间"),
        ("name", "姓名"),
        ("user_phone", "手机号"),
        ("house", "房屋"),
        ("relation", "关系"),
        ("via_code", "凭房屋码"),
        ("status", "状态"),
        ("reason", "驳回原因"),
        ("decided_at", "处理时间"),
    ]
    export_labels = {"relation": dict(Relation.choices), "status": dict(BindingStatus.choices)}
    required_permission = {"GET": "basic_data.view", "POST": "basic_data.manage"}
    error_statuses = {"approve": [409], "reject": [409]}  # already decided
    filterset_fields = ["status", "relation"]
    search_fields = ["name", "house__number"]
    ordering_fields = ["created_at"]

    def get_queryset(self):
        return selectors.bindings()

    @extend_schema(request=None, responses=StaffBindingSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        self.get_object()  # 404 for ids that are not this company's
        binding = services.approve_binding(binding_id=int(pk), actor=request.user)
        return Response(StaffBindingSerializer(selectors.bindings().get(pk=binding.pk)).data)

    @extend_schema(request=RejectSerializer, responses=StaffBindingSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        self.get_object()
        form = RejectSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        binding = services.reject_binding(binding_id=int(pk), actor=request.user, reason=form.validated_data["reason"])
        return Response(StaffBindingSerializer(selectors.bindings().get(pk=binding.pk)).data)


# --- staff: residents, their houses, identity corrections ------------------------------------------


class PersonHouseSerializer(serializers.Serializer):
    occupancy_id = serializers.IntegerField(source="id")
    house = serializers.IntegerField(source="house_id")
    # stubs: a serializer is a Field, and this field hides Field.label
    label = serializers.CharField(source="house.label")  # type: ignore[assignment]
    estate_name = serializers.CharField(source="house.estate.name")
    relation = serializers.CharField()
    is_primary_payer = serializers.BooleanField()


class PersonAccountSerializer(serializers.Serializer):
    """The person's owner-app account, for staff holding owners.manage to disable or re-enable."""

    id = serializers.IntegerField()
    is_active = serializers.BooleanField()


class PersonSerializer(serializers.ModelSerializer):
    """Phone, ID number and emergency contact are write-only: reads carry masked copies; the whole
    value needs a reveal."""

    phone = serializers.CharField(write_only=True, required=False, allow_blank=True, max_length=20)
    id_number = serializers.CharField(write_only=True, required=False, allow_blank=True, max_length=18)
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
    export_title = "住户"
    export_columns = [
        ("name", "姓名"),
        ("gender", "性别"),
        ("phone_masked", "手机号"),
        ("id_number_masked", "身份证号"),
        ("houses", "房屋"),
        ("has_account", "小程序账号"),
        ("emergency_contact_masked", "紧急联系人"),
        ("note", "备注"),
    ]
    export_labels = {"gender": dict(Gender.choices)}

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
    export_title = "房屋住户关系"
    export_columns = [
        ("estate_name", "小区"),
        ("house_label", "房屋"),
        ("person_name", "姓名"),
        ("phone_masked", "手机号"),
        ("relation", "关系"),
        ("share", "产权份额(%)"),
        ("is_primary_payer", "主缴费人"),
        ("moved_in", "入住日期"),
        ("moved_out", "迁出日期"),
    ]
    export_labels = {"relation": dict(Relation.choices), "is_primary_payer": {True: "是", False: "否"}}

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
    export_title = "资料变更申请"
    export_columns = [
        ("created_at", "申请时间"),
        ("person_name", "当前姓名"),
        ("name", "新姓名"),
        ("id_number_masked", "新身份证号"),
        ("status", "状态"),
        ("reason", "驳回原因"),
        ("decided_at", "处理时间"),
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


# --- the owner's own data (mini-program) ------------------------------------------------------------


class OwnerHouseEntrySerializer(serializers.Serializer):
    occupancy_id = serializers.IntegerField(source="id")
    house = serializers.IntegerField(source="house_id")
    # stubs: a serializer is a Field, and this field hides Field.label
    label = serializers.CharField(source="house.label")  # type: ignore[assignment]
    estate_name = serializers.CharField(source="house.estate.name")
    relation = serializers.ChoiceField(choices=Relation.choices)
    is_primary_payer = serializers.BooleanField()
    building_area = serializers.DecimalField(source="house.building_area", max_digits=10, decimal_places=2)
    layout = serializers.CharField(source="house.layout")
    moved_in = BoundedDateField()


class OwnerHouses(generics.ListAPIView):
    """The caller's current houses (only theirs: found through their own resident record)."""

    required_permission = "owner.self"
    serializer_class = OwnerHouseEntrySerializer
    pagination_class = None
    filter_backends: list = []

    def get_queryset(self):
        person = selectors.person_of(self.request.user)
        return selectors.houses_of(person) if person else []


class OwnerCorrectionSerializer(serializers.ModelSerializer):
    class Meta:
        model = CorrectionRequest
        fields = ["id", "name", "id_number_masked", "status", "reason", "created_at", "decided_at"]


class OwnerProfileSerializer(serializers.Serializer):
    name = serializers.CharField(read_only=True)
    gender = serializers.ChoiceField(choices=Gender.choices, allow_blank=True, read_only=True)
    phone_masked = serializers.CharField(read_only=True)
    id_number_masked = serializers.CharField(read_only=True)
    emergency_contact = serializers.CharField(required=False, allow_blank=True, max_length=100)
    phone = serializers.CharField(write_only=True, required=False, max_length=20)


class OwnerProfileAnswerSerializer(OwnerProfileSerializer):
    """What GET and PATCH answer: the profile and the owner's identity corrections (documents it)."""

    emergency_contact = serializers.CharField(read_only=True)  # always in the answer
    pending_correction = OwnerCorrectionSerializer(allow_null=True, read_only=True)
    last_correction = OwnerCorrectionSerializer(
        allow_null=True, read_only=True, help_text="The most recently decided request (approved or rejected)."
    )


class OwnerCorrectionRequestSerializer(serializers.Serializer):
    name = serializers.CharField(required=False, allow_blank=True, max_length=50, default="")
    id_number = serializers.CharField(required=False, allow_blank=True, max_length=18, default="")


def _own_person(request) -> Person:
    person = selectors.person_of(request.user)
    if person is None:
        raise DomainError("房屋绑定通过后才有住户资料。", code="no_profile", status_code=404)
    return person


class OwnerProfile(generics.GenericAPIView):
    """The owner's own record: contact details change at once; identity fields need a correction."""

    required_permission = "owner.self"
    error_statuses = {"*": [404]}  # no resident record until a binding is approved
    serializer_class = OwnerProfileSerializer

    def _body(self, person: Person) -> dict:
        pending = selectors.pending_correction(person)
        last = selectors.last_decided_correction(person)
        return {
            **OwnerProfileSerializer(person).data,
            "pending_correction": OwnerCorrectionSerializer(pending).data if pending else None,
            "last_correction": OwnerCorrectionSerializer(last).data if last else None,
        }

    @extend_schema(responses=OwnerProfileAnswerSerializer)
    def get(self, request):
        return Response(self._body(_own_person(request)))

    @extend_schema(responses=OwnerProfileAnswerSerializer)
    def patch(self, request):
        person = _own_person(request)
        form = OwnerProfileSerializer(data=request.data, partial=True)
        form.is_valid(raise_exception=True)
        services.update_own_contact(person=person, actor=request.user, **form.validated_data)
        return Response(self._body(person))


class OwnerCorrections(generics.GenericAPIView):
    required_permission = "owner.self"
    error_statuses = {"post": [404, 409]}  # no resident record yet; a request already pending
    serializer_class = OwnerCorrectionRequestSerializer

    @extend_schema(responses={201: OwnerCorrectionSerializer})
    def post(self, request):
        person = _own_person(request)
        form = OwnerCorrectionRequestSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        correction = services.request_correction(person=person, actor=request.user, **form.validated_data)
        return Response(OwnerCorrectionSerializer(correction).data, status=201)
