"""Repairs API: categories (staff manage, everyone filing picks one) and the company's repair settings."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status, viewsets
from rest_framework.response import Response

from billing.selectors.fees import service_fee_items
from tenants.repairs import selectors, services
from tenants.repairs.models import RepairCategory, RepairSettings

STAFF_READ = ("repairs.dispatch", "repairs.work", "repairs.manage")


class SlaHoursSerializer(serializers.Serializer):
    normal = serializers.IntegerField(required=False, min_value=1)
    urgent = serializers.IntegerField(required=False, min_value=1)
    emergency = serializers.IntegerField(required=False, min_value=1)


class RepairCategorySerializer(serializers.ModelSerializer):
    # stubs: a serializer is a Field, and this field hides Field.parent
    parent = serializers.PrimaryKeyRelatedField(  # type: ignore[assignment]
        queryset=RepairCategory.objects.filter(parent__isnull=True), allow_null=True, required=False, default=None
    )
    path = serializers.CharField(read_only=True)
    sla_hours = SlaHoursSerializer(required=False)

    class Meta:
        model = RepairCategory
        fields = [
            "id",
            "parent",
            "name",
            "path",
            "default_urgency",
            "sla_hours",
            "is_paid",
            "dispatch_mode",
            "scope",
            "is_active",
            "sort_order",
        ]
        read_only_fields = ["id"]
        extra_kwargs: dict[str, dict[str, Any]] = {"name": {"validators": []}}
        validators: list = []  # uniqueness is the service's to check, with our own message


class RepairCategoryViewSet(viewsets.ModelViewSet):
    """报修类别: two levels; staff who dispatch or work read them, repairs.manage changes them."""

    serializer_class = RepairCategorySerializer
    required_permission = {"GET": STAFF_READ, "*": "repairs.manage"}
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    error_statuses = {"destroy": [409]}  # in use
    pagination_class = None
    filterset_fields = ["parent", "is_active", "scope"]
    search_fields = ["name"]

    def get_queryset(self):
        return selectors.categories()

    def create(self, request, *args, **kwargs):
        form = self.get_serializer(data=request.data)
        form.is_valid(raise_exception=True)
        category = services.create_category(actor=request.user, **form.validated_data)
        return Response(self.get_serializer(category).data, status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        form = self.get_serializer(self.get_object(), data=request.data, partial=True)
        form.is_valid(raise_exception=True)
        category = services.update_category(category=form.instance, actor=request.user, **form.validated_data)
        return Response(self.get_serializer(selectors.categories().get(pk=category.pk)).data)

    def perform_destroy(self, instance):
        services.delete_category(category=instance, actor=self.request.user)


class OwnerRepairCategoryList(generics.ListAPIView):
    """The categories an owner can file under (active ones)."""

    required_permission = "owner.self"
    serializer_class = RepairCategorySerializer
    pagination_class = None
    filter_backends: list = []

    def get_queryset(self):
        return selectors.active_categories()


class RepairSettingsSerializer(serializers.ModelSerializer):
    fee_item = serializers.PrimaryKeyRelatedField(
        queryset=service_fee_items(),
        required=False,
        allow_null=True,
        help_text="The one-off fee item paid repairs' fees are charged under.",
    )
    fee_item_name = serializers.CharField(source="fee_item.name", default=None, allow_null=True, read_only=True)

    class Meta:
        model = RepairSettings
        fields = ["reopen_days", "sla_warning_percent", "auto_close_days", "fee_item", "fee_item_name"]
        extra_kwargs = {name: {"required": False} for name in fields}

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if not attrs:  # a change names at least one setting
            raise serializers.ValidationError({"reopen_days": [_("请至少修改一项设置。")]})
        return attrs


class RepairSettingsView(generics.GenericAPIView):
    """报修设置: how many days after completion an order may be reopened, when the SLA warning goes
    out (percent of the order's time), after how many days an unconfirmed completed order is closed,
    and the fee item paid repairs are charged under."""

    required_permission = {"GET": STAFF_READ, "*": "repairs.manage"}
    serializer_class = RepairSettingsSerializer

    def get(self, request):
        return Response(RepairSettingsSerializer(selectors.repair_settings()).data)

    @extend_schema(responses=RepairSettingsSerializer)
    def patch(self, request):
        form = RepairSettingsSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        saved = services.update_settings(actor=request.user, **form.validated_data)
        return Response(RepairSettingsSerializer(saved).data)
