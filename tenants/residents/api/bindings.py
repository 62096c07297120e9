"""Residents API: house bindings (房屋绑定) — owners ask, staff approve or reject."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from core.exports import ExcelExportMixin
from tenants.estates import selectors as estate_selectors
from tenants.residents import selectors, services
from tenants.residents.models import (
    BindingStatus,
    HouseBinding,
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
            raise serializers.ValidationError({"house_id": [_("请选择房屋，或填写物业提供的房屋码（二选一）。")]})
        if data.get("house_id"):
            house = estate_selectors.houses_with_labels().filter(pk=data["house_id"]).first()
            if house is None:
                raise serializers.ValidationError({"house_id": [_("房屋不存在。")]})
        else:
            house = estate_selectors.house_by_binding_code(data["house_code"])
            if house is None:
                raise serializers.ValidationError({"house_code": [_("房屋码无效。")]})
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


class HouseResidentSerializer(serializers.Serializer):
    """A current resident of the claimed house, as the approver sees them: the phone masked."""

    resident_id = serializers.IntegerField()
    name = serializers.CharField()
    relation = serializers.ChoiceField(choices=Relation.choices)
    phone = serializers.CharField(help_text="Masked (138****5678); never the whole number.")
    is_primary_payer = serializers.BooleanField()
    has_app_account = serializers.BooleanField()
    is_claimant = serializers.BooleanField()


class RecordMatchSerializer(serializers.Serializer):
    phone = serializers.BooleanField(help_text="The claimant's account phone is that of a resident of this house.")
    name = serializers.BooleanField(help_text="The name given is that resident's name.")
    resident_id = serializers.IntegerField(allow_null=True)


class StaffBindingSerializer(BindingSerializer):
    user_phone = serializers.CharField(source="user.phone_masked", read_only=True)
    house_owners = HouseResidentSerializer(many=True, read_only=True)
    record_match = RecordMatchSerializer(read_only=True, allow_null=True)
    conflict = serializers.BooleanField(
        read_only=True, help_text="The house has an owner on record and the claimant is not one of them."
    )

    class Meta(BindingSerializer.Meta):
        fields = [*BindingSerializer.Meta.fields, "user_phone", "via_code", "house_owners", "record_match", "conflict"]


class BindingOverviewSerializer(serializers.Serializer):
    house_count = serializers.IntegerField()
    bound_house_count = serializers.IntegerField(help_text="Houses an owner-app account is bound to.")
    unbound_house_count = serializers.IntegerField()
    pending_count = serializers.IntegerField(help_text="Binding requests waiting for staff.")


class RejectSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=200)


class HouseBindingViewSet(ExcelExportMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Owners' binding requests, for staff to approve or reject."""

    serializer_class = StaffBindingSerializer
    export_title = gettext_lazy("房屋绑定申请")  # type: ignore[assignment]  # core.exports types it str; rendered with str()
    export_columns = [
        ("created_at", gettext_lazy("申请时间")),
        ("name", gettext_lazy("姓名")),
        ("user_phone", gettext_lazy("手机号")),
        ("house", gettext_lazy("房屋")),
        ("relation", gettext_lazy("关系")),
        ("via_code", gettext_lazy("凭房屋码")),
        ("status", gettext_lazy("状态")),
        ("reason", gettext_lazy("驳回原因")),
        ("decided_at", gettext_lazy("处理时间")),
    ]
    export_labels = {"relation": dict(Relation.choices), "status": dict(BindingStatus.choices)}
    required_permission = {"GET": "basic_data.view", "POST": "basic_data.manage"}
    error_statuses = {"approve": [409], "reject": [409]}  # already decided
    filterset_fields = ["status", "relation"]
    search_fields = ["name", "house__number"]
    ordering_fields = ["created_at"]

    def get_queryset(self):
        return selectors.bindings()

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        return None if page is None else selectors.with_review_facts(page)

    def get_object(self):
        return selectors.with_review_facts([super().get_object()])[0]

    def _decided(self, binding: HouseBinding) -> Response:
        fresh = selectors.with_review_facts([selectors.bindings().get(pk=binding.pk)])[0]
        return Response(StaffBindingSerializer(fresh).data)

    @extend_schema(responses=BindingOverviewSerializer)
    @action(detail=False, methods=["get"], pagination_class=None, filter_backends=[])
    def overview(self, request):
        return Response(BindingOverviewSerializer(selectors.binding_overview()).data)

    @extend_schema(request=None, responses=StaffBindingSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        self.get_object()  # 404 for ids that are not this company's
        binding = services.approve_binding(binding_id=int(pk), actor=request.user)
        return self._decided(binding)

    @extend_schema(request=RejectSerializer, responses=StaffBindingSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        self.get_object()
        form = RejectSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        binding = services.reject_binding(binding_id=int(pk), actor=request.user, reason=form.validated_data["reason"])
        return self._decided(binding)
