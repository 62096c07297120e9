"""Staff API: the roster (排班)."""

from __future__ import annotations

import django_filters
from rest_framework import mixins, serializers, viewsets

from tenants.staff import selectors, services
from tenants.staff.api.common import READ_OR_MANAGE
from tenants.staff.models import RosterEntry, Shift, StaffProfile


class RosterSerializer(serializers.ModelSerializer):
    staff = serializers.PrimaryKeyRelatedField(queryset=StaffProfile.objects.all())
    shift = serializers.PrimaryKeyRelatedField(queryset=Shift.objects.all(), allow_null=True)
    name = serializers.CharField(source="staff.user.name", read_only=True)
    shift_name = serializers.CharField(source="shift.name", read_only=True, default=None)

    class Meta:
        model = RosterEntry
        fields = ["id", "staff", "name", "date", "shift", "shift_name"]
        read_only_fields = ["id"]
        validators: list = []


class RosterFilter(django_filters.FilterSet):
    date_from = django_filters.DateFilter(field_name="date", lookup_expr="gte")
    date_to = django_filters.DateFilter(field_name="date", lookup_expr="lte")

    class Meta:
        model = RosterEntry
        fields = ["staff", "date"]


class RosterViewSet(mixins.ListModelMixin, mixins.CreateModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet):
    """排班: per-date overrides of staff members' default shifts. POST replaces that date's entry;
    `shift: null` makes the date a day off."""

    serializer_class = RosterSerializer
    required_permission = READ_OR_MANAGE
    filterset_class = RosterFilter
    ordering_fields = ["date"]

    def get_queryset(self):
        return selectors.roster_entries()

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = services.set_roster_day(
            staff=data["staff"], day=data["date"], shift=data["shift"], actor=self.request.user
        )

    def perform_destroy(self, instance):
        services.clear_roster_day(entry=instance, actor=self.request.user)
