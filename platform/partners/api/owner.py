"""Owners (on their company's host, the mini-program): the vendors their company admitted for the
estates of their houses — 周边商家 and 家政服务 — with address, hours, distance and a cover photo,
and one vendor's photos and catalogue with the open slots of the next 14 days. Ordering is the
company app's (tenants.vendor_orders)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.http import FileResponse
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from core import geo
from core.errors import NotFound
from core.geo import Point
from core.image_views import IMAGE_RESPONSES, THUMBNAIL_RESPONSES, ImageRenderer, serve
from core.text import query_id
from partners import selectors
from partners.models import Admission, CatalogPhoto, Offering, ServiceSlot, VendorKind
from partners.services import shop

OWNER = "owner.self"
KIND = OpenApiParameter(
    "kind",
    str,
    enum=["housekeeping", "merchant"],
    required=False,
    description="家政服务 or 周边商家 (a vendor of both is in each)",
)


class OwnerSlotSerializer(serializers.ModelSerializer):
    free = serializers.SerializerMethodField()

    class Meta:
        model = ServiceSlot
        fields = ["id", "starts_at", "ends_at", "capacity", "free"]
        read_only_fields = fields

    def get_free(self, slot: ServiceSlot) -> int:
        return max(slot.capacity - getattr(slot, "held", 0), 0)


class OwnerPhotoSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    url = serializers.SerializerMethodField()
    thumbnail_url = serializers.SerializerMethodField(help_text="A JPEG of at most 360 px a side.")

    def get_url(self, photo: CatalogPhoto) -> str:
        return reverse("owner-vendor-photo", kwargs={"pk": photo.vendor_id, "photo_id": photo.pk})

    def get_thumbnail_url(self, photo: CatalogPhoto) -> str:
        return reverse("owner-vendor-photo-thumbnail", kwargs={"pk": photo.vendor_id, "photo_id": photo.pk})


class OwnerOfferingSerializer(serializers.ModelSerializer):
    photos = serializers.SerializerMethodField()

    class Meta:
        model = Offering
        fields = ["id", "kind", "name", "description", "price_mode", "price", "unit", "duration_minutes", "photos"]
        read_only_fields = fields

    @extend_schema_field(OwnerPhotoSerializer(many=True))
    def get_photos(self, offering: Offering) -> Any:
        return OwnerPhotoSerializer(offering.photos.all(), many=True).data


class OwnerVendorSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="vendor_id")
    name = serializers.CharField(source="vendor.name")
    kind = serializers.ChoiceField(source="vendor.kind", choices=VendorKind.choices)
    contact_name = serializers.CharField(source="vendor.contact_name")
    phone = serializers.CharField(source="vendor.phone", help_text="The vendor's business phone: owners may call it.")
    address = serializers.CharField(source="vendor.address")
    opens_at = serializers.TimeField(source="vendor.opens_at", allow_null=True)
    closes_at = serializers.TimeField(
        source="vendor.closes_at", allow_null=True, help_text="Earlier than opens_at: open past midnight."
    )
    hours_note = serializers.CharField(source="vendor.hours_note")
    is_open = serializers.SerializerMethodField(help_text="Open now (Shanghai time); null: no hours given.")
    distance_m = serializers.SerializerMethodField(
        help_text="Metres from the nearest of the owner's estates it serves; null when either place is not on the map."
    )
    cover_url = serializers.SerializerMethodField(help_text="The first shop photo's thumbnail; null: none.")

    def get_is_open(self, admission: Admission) -> bool | None:
        return shop.is_open(admission.vendor)

    def get_distance_m(self, admission: Admission) -> int | None:
        return distance_to(admission, self.context.get("estates", {}))

    def get_cover_url(self, admission: Admission) -> str | None:
        photos = self.context.get("shop_photos", {}).get(admission.vendor_id)
        return OwnerPhotoSerializer(photos[0]).data["thumbnail_url"] if photos else None


def distance_to(admission: Admission, estates: dict[int, Point | None]) -> int | None:
    """Metres from the vendor to the nearest of the owner's estates it is admitted for (both on the map)."""
    vendor = admission.vendor
    if vendor.latitude is None or vendor.longitude is None:
        return None
    spots = [point for estate_id, point in estates.items() if point and estate_id in admission.estate_ids]
    return min((geo.distance_m((vendor.latitude, vendor.longitude), point) for point in spots), default=None)


class OwnerVendorDetailSerializer(OwnerVendorSerializer):
    intro = serializers.CharField(source="vendor.intro")
    photos = serializers.SerializerMethodField(help_text="The shop's photos, oldest first.")
    offerings = serializers.SerializerMethodField()
    slots = serializers.SerializerMethodField()

    @extend_schema_field(OwnerPhotoSerializer(many=True))
    def get_photos(self, admission: Admission) -> Any:
        return OwnerPhotoSerializer(self.context.get("shop_photos", {}).get(admission.vendor_id, []), many=True).data

    @extend_schema_field(OwnerOfferingSerializer(many=True))
    def get_offerings(self, admission: Admission) -> Any:
        offerings = selectors.offerings_for_company(vendor_id=admission.vendor_id, company=admission.company)
        return OwnerOfferingSerializer(offerings.prefetch_related("photos"), many=True).data

    @extend_schema_field(OwnerSlotSerializer(many=True))
    def get_slots(self, admission: Admission) -> Any:
        upcoming = selectors.open_slots_for_company(vendor_id=admission.vendor_id, company=admission.company).filter(
            starts_at__lt=timezone.now() + timedelta(days=14)
        )[:200]
        return OwnerSlotSerializer(upcoming, many=True).data


SORT = OpenApiParameter(
    "sort", str, enum=["name", "distance"], required=False, description="By name (default) or nearest first."
)
MAX_LISTED = 500  # vendors listed for one owner: sorted by distance in full, then paged


class OwnerVendorViewSet(viewsets.GenericViewSet):
    """周边商家 / 家政服务: the vendors admitted for the owner's estates, with their hours, distance and
    cover photo; one with its photos, catalogue and the open slots of the next 14 days; its photos."""

    required_permission = OWNER
    serializer_class = OwnerVendorSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Admission.objects.none()
        return selectors.owner_vendors(self.request.user, company=selectors.current_company(), estates=self._estates())

    def _estates(self) -> dict[int, Point | None]:
        if not hasattr(self, "_owner_estates"):
            self._owner_estates = selectors.owner_estates(self.request.user)
        return self._owner_estates

    def _listed(self, pk: Any) -> Admission:
        vendor_id = query_id(str(pk))
        admission = None if vendor_id is None else self.get_queryset().filter(vendor_id=vendor_id).first()
        if admission is None:
            raise NotFound()
        return admission

    @extend_schema(parameters=[KIND, SORT], responses=OwnerVendorSerializer(many=True))
    def list(self, request):
        rows = self.get_queryset()
        kind = request.query_params.get("kind", "")
        if kind in (VendorKind.MERCHANT, VendorKind.HOUSEKEEPING):
            rows = rows.filter(vendor__kind__in=[kind, VendorKind.BOTH])
        estates = self._estates()
        if request.query_params.get("sort") == "distance":  # in full, nearest first (not on the map: last)
            listed = list(rows[:MAX_LISTED])
            far = float("inf")

            def nearest(admission: Admission) -> tuple[float, str]:
                metres = distance_to(admission, estates)
                return (far if metres is None else metres, admission.vendor.name)

            page = self.paginate_queryset(sorted(listed, key=nearest)) or []
        else:
            page = self.paginate_queryset(rows) or []
        context = {"estates": estates, "shop_photos": selectors.shop_photos([a.vendor_id for a in page])}
        return self.get_paginated_response(OwnerVendorSerializer(page, many=True, context=context).data)

    @extend_schema(responses=OwnerVendorDetailSerializer)
    def retrieve(self, request, pk=None):
        admission = self._listed(pk)
        context = {"estates": self._estates(), "shop_photos": selectors.shop_photos([admission.vendor_id])}
        return Response(OwnerVendorDetailSerializer(admission, context=context).data)

    def _photo(self, pk: Any, photo_id: Any, *, thumbnail: bool) -> FileResponse:
        admission = self._listed(pk)
        found = query_id(str(photo_id))
        return serve(None if found is None else selectors.listed_photo(admission, found), thumbnail=thumbnail)

    @extend_schema(responses=IMAGE_RESPONSES)
    @action(
        detail=True,
        url_path=r"photos/(?P<photo_id>\d+)",
        renderer_classes=[JSONRenderer, ImageRenderer],
        url_name="photo",
    )
    def photo(self, request, pk=None, photo_id=None):
        """A photo of the vendor's shop or of an offering this owner is offered."""
        return self._photo(pk, photo_id, thumbnail=False)

    @extend_schema(responses=THUMBNAIL_RESPONSES)
    @action(
        detail=True,
        url_path=r"photos/(?P<photo_id>\d+)/thumbnail",
        renderer_classes=[JSONRenderer, ImageRenderer],
        url_name="photo-thumbnail",
    )
    def photo_thumbnail(self, request, pk=None, photo_id=None):
        return self._photo(pk, photo_id, thumbnail=True)
