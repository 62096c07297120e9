"""Residents API for the owner (mini-program): houses to bind, bindings, own houses, profile, corrections."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers
from rest_framework.response import Response

from core.api_fields import BoundedDateField
from core.errors import DomainError
from tenants.residents import selectors, services
from tenants.residents.models import (
    CorrectionRequest,
    Gender,
    Person,
    Relation,
)


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
        raise DomainError(_("房屋绑定通过后才有住户资料。"), code="no_profile", status_code=404)
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
