"""The partner portal's catalogue (服务目录) and time slots (服务时段): kept once for every company
the vendor serves, or for one of them (`company`: its slug)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from core.errors import NotFound
from core.text import query_id
from partners import selectors
from partners.api.portal import PartnerView
from partners.models import Offering, OfferingKind, PriceMode, ServiceSlot
from partners.services import catalogue


class PartnerOfferingSerializer(serializers.ModelSerializer):
    company: serializers.SlugRelatedField = serializers.SlugRelatedField(
        slug_field="slug", read_only=True, allow_null=True
    )

    class Meta:
        model = Offering
        fields = [
            "id",
            "company",
            "kind",
            "name",
            "description",
            "price_mode",
            "price",
            "unit",
            "duration_minutes",
            "is_active",
            "updated_at",
        ]
        read_only_fields = fields


class OfferingWriteSerializer(serializers.Serializer):
    company = serializers.SlugField(max_length=30, required=False, allow_null=True, allow_blank=True)
    kind = serializers.ChoiceField(choices=OfferingKind.choices)
    name = serializers.CharField(max_length=100)
    description = serializers.CharField(max_length=1000, required=False, allow_blank=True)
    price_mode = serializers.ChoiceField(choices=PriceMode.choices)
    price = serializers.DecimalField(max_digits=10, decimal_places=2, min_value=0)
    unit = serializers.CharField(max_length=20, required=False, allow_blank=True)
    duration_minutes = serializers.IntegerField(min_value=1, max_value=24 * 60, required=False, allow_null=True)
    is_active = serializers.BooleanField(required=False)


def _offering(request: Any, pk: Any) -> Offering:
    offering_id = query_id(str(pk))
    found = (
        None if offering_id is None else selectors.vendor_offerings(request.user.vendor).filter(pk=offering_id).first()
    )
    if found is None:
        raise NotFound()
    return found


class PartnerOfferingList(PartnerView):
    required_permission = {"GET": "partner.view", "POST": "partner.manage"}

    @extend_schema(responses=PartnerOfferingSerializer(many=True))
    def get(self, request):
        return Response(
            PartnerOfferingSerializer(selectors.vendor_offerings(request.user.vendor)[:500], many=True).data
        )

    @extend_schema(request=OfferingWriteSerializer, responses={201: PartnerOfferingSerializer})
    def post(self, request):
        form = OfferingWriteSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        offering = catalogue.add_offering(account=request.user, **form.validated_data)
        return Response(PartnerOfferingSerializer(offering).data, status=status.HTTP_201_CREATED)


class PartnerOfferingDetail(PartnerView):
    required_permission = {"GET": "partner.view", "PATCH": "partner.manage"}

    @extend_schema(responses=PartnerOfferingSerializer)
    def get(self, request, pk):
        return Response(PartnerOfferingSerializer(_offering(request, pk)).data)

    @extend_schema(request=OfferingWriteSerializer(partial=True), responses=PartnerOfferingSerializer)
    def patch(self, request, pk):
        offering = _offering(request, pk)
        form = OfferingWriteSerializer(data=request.data, partial=True)
        form.is_valid(raise_exception=True)
        data = {k: v for k, v in form.validated_data.items() if k != "company"}
        changed = catalogue.change_offering(account=request.user, offering_id=offering.pk, **data)
        return Response(PartnerOfferingSerializer(changed).data)


class PartnerSlotSerializer(serializers.ModelSerializer):
    company: serializers.SlugRelatedField = serializers.SlugRelatedField(
        slug_field="slug", read_only=True, allow_null=True
    )
    held = serializers.IntegerField(read_only=True, help_text="Places taken by live orders.")

    class Meta:
        model = ServiceSlot
        fields = ["id", "company", "starts_at", "ends_at", "capacity", "held", "is_open"]
        read_only_fields = fields


class SlotWriteSerializer(serializers.Serializer):
    company = serializers.SlugField(max_length=30, required=False, allow_null=True, allow_blank=True)
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    capacity = serializers.IntegerField(min_value=1, max_value=200)
    repeat_days = serializers.IntegerField(min_value=1, max_value=60, required=False, default=1)


class SlotChangeSerializer(serializers.Serializer):
    capacity = serializers.IntegerField(min_value=1, max_value=200, required=False)
    is_open = serializers.BooleanField(required=False)


class PartnerSlotList(PartnerView):
    """The vendor's slots from today on (with the places taken); add one or the same hours for days."""

    required_permission = {"GET": "partner.view", "POST": "partner.manage"}

    @extend_schema(responses=PartnerSlotSerializer(many=True))
    def get(self, request):
        since = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
        rows = selectors.vendor_slots(request.user.vendor, since=since)[:500]
        return Response(PartnerSlotSerializer(rows, many=True).data)

    @extend_schema(request=SlotWriteSerializer, responses={201: PartnerSlotSerializer(many=True)})
    def post(self, request):
        form = SlotWriteSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        made = catalogue.add_slots(account=request.user, **form.validated_data)
        since = min(slot.starts_at for slot in made)
        rows = selectors.vendor_slots(request.user.vendor, since=since).filter(pk__in=[s.pk for s in made])
        return Response(PartnerSlotSerializer(rows, many=True).data, status=status.HTTP_201_CREATED)


class PartnerSlotDetail(PartnerView):
    required_permission = {"PATCH": "partner.manage"}

    @extend_schema(request=SlotChangeSerializer, responses=PartnerSlotSerializer)
    def patch(self, request, pk):
        form = SlotChangeSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        slot = catalogue.change_slot(account=request.user, slot_id=query_id(str(pk)), **form.validated_data)
        row = selectors.vendor_slots(request.user.vendor, since=slot.starts_at).get(pk=slot.pk)
        return Response(PartnerSlotSerializer(row).data)
