"""Repairs API: the auto-dispatch rules (派单规则), kept by repairs.manage."""

from __future__ import annotations

from rest_framework import serializers, status, viewsets
from rest_framework.response import Response

from accounts.models import User
from tenants.estates.models import Building, Estate
from tenants.repairs import selectors, services
from tenants.repairs.models import DispatchRule, RepairCategory


class DispatchRuleSerializer(serializers.ModelSerializer):
    category = serializers.PrimaryKeyRelatedField(queryset=RepairCategory.objects.all())
    estate = serializers.PrimaryKeyRelatedField(
        queryset=Estate.objects.all(), allow_null=True, required=False, default=None
    )
    building = serializers.PrimaryKeyRelatedField(
        queryset=Building.objects.all(),
        allow_null=True,
        required=False,
        default=None,
        help_text="Only orders of this building's houses; its estate is taken when none is given.",
    )
    worker = serializers.PrimaryKeyRelatedField(queryset=User.objects.all(), help_text="An active repair worker.")
    category_name = serializers.CharField(source="category.path", read_only=True)
    estate_name = serializers.CharField(source="estate.name", default=None, allow_null=True, read_only=True)
    building_name = serializers.CharField(source="building.name", default=None, allow_null=True, read_only=True)
    worker_name = serializers.CharField(source="worker.name", read_only=True)

    class Meta:
        model = DispatchRule
        fields = [
            "id",
            "category",
            "category_name",
            "estate",
            "estate_name",
            "building",
            "building_name",
            "worker",
            "worker_name",
            "created_at",
        ]
        read_only_fields = ["id", "created_at"]
        validators: list = []  # uniqueness is the service's to check, with our own message


class DispatchRuleViewSet(viewsets.ModelViewSet):
    """派单规则: orders of a category (a first-level one covers its children), optionally only in an
    estate or a building, are dispatched at filing to the named worker — the most specific rules win
    (building, then estate, then the whole company; the order's own category before its parent), and
    several rules of one scope share the orders by workload. Categories in grab mode take no rules."""

    serializer_class = DispatchRuleSerializer
    required_permission = "repairs.manage"
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    pagination_class = None
    filterset_fields = ["category", "estate", "building", "worker"]

    def get_queryset(self):
        return selectors.dispatch_rules()

    def create(self, request, *args, **kwargs):
        form = self.get_serializer(data=request.data)
        form.is_valid(raise_exception=True)
        rule = services.create_rule(actor=request.user, **form.validated_data)
        return Response(
            self.get_serializer(selectors.dispatch_rules().get(pk=rule.pk)).data, status=status.HTTP_201_CREATED
        )

    def update(self, request, *args, **kwargs):
        form = self.get_serializer(self.get_object(), data=request.data, partial=True)
        form.is_valid(raise_exception=True)
        rule = services.update_rule(rule=form.instance, actor=request.user, **form.validated_data)
        return Response(self.get_serializer(selectors.dispatch_rules().get(pk=rule.pk)).data)

    def perform_destroy(self, instance):
        services.delete_rule(rule=instance, actor=self.request.user)
