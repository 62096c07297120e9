"""Owners (on their company's host, the mini-program): the vendors their company admitted for the
estates of their houses — 周边商家 and 家政服务 — and one vendor's catalogue with the open slots of
the next 14 days. Ordering is the company app's (tenants.vendor_orders)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, viewsets
from rest_framework.response import Response

from core.errors import NotFound
from core.text import query_id
from partners import selectors
from partners.models import Admission, Offering, ServiceSlot, VendorKind

OWNER = "owner.self"
KIND = OpenApiParameter(
    "kind",
    str,
    enum=["housekeeping", "merchant"],
    required=False,
    description="家政服务 or 周边商家 (a vendor of both is in each)",
)


class OwnerOfferingSerializer(serializers.ModelSerializer):
    class Meta:
        model = Offering
        fields = ["id", "kind", "name", "description", "price_mode", "price", "unit", "duration_minutes"]
        read_only_fields = fields


class OwnerSlotSerializer(serializers.ModelSerializer):
    free = serializers.SerializerMethodField()

    class Meta:
        model = ServiceSlot
        fields = ["id", "starts_at", "ends_at", "capacity", "free"]
        read_only_fields = fields

    def get_free(self, slot: ServiceSlot) -> int:
        return max(slot.capacity - getattr(slot, "held", 0), 0)


class OwnerVendorSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="vendor_id")
    name = serializers.CharField(source="vendor.name")
    kind = serializers.ChoiceField(source="vendor.kind", choices=VendorKind.choices)
    contact_name = serializers.CharField(source="vendor.contact_name")
    phone = serializers.CharField(source="vendor.phone", help_text="The vendor's business phone: owners may call it.")


class OwnerVendorDetailSerializer(OwnerVendorSerializer):
    offerings = serializers.SerializerMethodField()
    slots = serializers.SerializerMethodField()

    @extend_schema_field(OwnerOfferingSerializer(many=True))
    def get_offerings(self, admission: Admission) -> Any:
        return OwnerOfferingSerializer(
            selectors.offerings_for_company(vendor_id=admission.vendor_id, company=admission.company), many=True
        ).data

    @extend_schema_field(OwnerSlotSerializer(many=True))
    def get_slots(self, admission: Admission) -> Any:
        upcoming = selectors.open_slots_for_company(vendor_id=admission.vendor_id, company=admission.company).filter(
            starts_at__lt=timezone.now() + timedelta(days=14)
        )[:200]
        return OwnerSlotSerializer(upcoming, many=True).data


class OwnerVendorViewSet(viewsets.GenericViewSet):
    """周边商家 / 家政服务: the vendors admitted for the owner's estates; one with its catalogue and the
    open slots of the next 14 days."""

    required_permission = OWNER
    serializer_class = OwnerVendorSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Admission.objects.none()
        return selectors.owner_vendors(self.request.user, company=selectors.current_company())

    @extend_schema(parameters=[KIND], responses=OwnerVendorSerializer(many=True))
    def list(self, request):
        rows = self.get_queryset()
        kind = request.query_params.get("kind", "")
        if kind in (VendorKind.MERCHANT, VendorKind.HOUSEKEEPING):
            rows = rows.filter(vendor__kind__in=[kind, VendorKind.BOTH])
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(OwnerVendorSerializer(page, many=True).data)

    @extend_schema(responses=OwnerVendorDetailSerializer)
    def retrieve(self, request, pk=None):
        vendor_id = query_id(str(pk))
        admission = None if vendor_id is None else self.get_queryset().filter(vendor_id=vendor_id).first()
        if admission is None:
            raise NotFound()
        return Response(OwnerVendorDetailSerializer(admission).data)
