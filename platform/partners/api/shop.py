"""The partner portal's 店铺资料: the shop as owners see it in every company that lists the vendor —
address, introduction, opening hours, location — and its photos (of the shop, or of one offering)."""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from core import images
from core.image_views import IMAGE_RESPONSES, THUMBNAIL_RESPONSES, ImageRenderer, PhotoUploadSerializer, serve
from core.text import query_id
from partners import selectors
from partners.api.portal import PartnerView
from partners.models import CatalogPhoto, Vendor
from partners.services import shop


class ShopSerializer(serializers.ModelSerializer):
    is_open = serializers.SerializerMethodField(help_text="Open now (Shanghai time); null: no hours given.")

    class Meta:
        model = Vendor
        fields = [
            "name",
            "address",
            "intro",
            "opens_at",
            "closes_at",
            "hours_note",
            "latitude",
            "longitude",
            "is_open",
        ]
        read_only_fields = fields

    def get_is_open(self, vendor: Vendor) -> bool | None:
        return shop.is_open(vendor)


class ShopWriteSerializer(serializers.Serializer):
    address = serializers.CharField(max_length=200, required=False, allow_blank=True)
    intro = serializers.CharField(max_length=500, required=False, allow_blank=True)
    opens_at = serializers.TimeField(required=False, allow_null=True, help_text="HH:MM; with closes_at, or both null.")
    closes_at = serializers.TimeField(
        required=False, allow_null=True, help_text="Earlier than opens_at: the shop closes after midnight."
    )
    hours_note = serializers.CharField(max_length=100, required=False, allow_blank=True)
    latitude = serializers.DecimalField(
        max_digits=9,
        decimal_places=6,
        required=False,
        allow_null=True,
        help_text="GCJ-02 (as Chinese maps give it); with longitude, or both null.",
    )
    longitude = serializers.DecimalField(
        max_digits=9, decimal_places=6, required=False, allow_null=True, help_text="GCJ-02; with latitude."
    )


class PartnerShop(PartnerView):
    required_permission = {"GET": "partner.view", "PATCH": "partner.manage"}

    @extend_schema(responses=ShopSerializer)
    def get(self, request):
        return Response(ShopSerializer(request.user.vendor).data)

    @extend_schema(request=ShopWriteSerializer, responses=ShopSerializer)
    def patch(self, request):
        form = ShopWriteSerializer(data=request.data, partial=True)
        form.is_valid(raise_exception=True)
        return Response(ShopSerializer(shop.change_shop(account=request.user, **form.validated_data)).data)


class PartnerPhotoSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()
    thumbnail_url = serializers.SerializerMethodField(help_text="A JPEG of at most 360 px a side.")

    class Meta:
        model = CatalogPhoto
        fields = ["id", "offering", "url", "thumbnail_url", "width", "height", "created_at"]
        read_only_fields = fields

    def get_url(self, photo: CatalogPhoto) -> str:
        return reverse("partner-photo-file", kwargs={"pk": photo.pk})

    def get_thumbnail_url(self, photo: CatalogPhoto) -> str:
        return reverse("partner-photo-thumbnail", kwargs={"pk": photo.pk})


class PhotoUploadForm(PhotoUploadSerializer):
    offering = serializers.IntegerField(required=False, allow_null=True, help_text="Empty: a photo of the shop.")


OFFERING = OpenApiParameter("offering", int, required=False, description="Only this offering's photos.")


class PartnerPhotoList(PartnerView):
    """The shop's and the offerings' photos, oldest first; upload one (multipart)."""

    required_permission = {"GET": "partner.view", "POST": "partner.manage"}
    parser_classes = [MultiPartParser]

    @extend_schema(parameters=[OFFERING], responses=PartnerPhotoSerializer(many=True))
    def get(self, request):
        photos = selectors.vendor_photos(request.user.vendor)
        if "offering" in request.query_params:
            photos = photos.filter(offering_id=query_id(request.query_params["offering"]) or 0)
        return Response(PartnerPhotoSerializer(photos, many=True).data)

    @extend_schema(request={"multipart/form-data": PhotoUploadForm}, responses={201: PartnerPhotoSerializer})
    def post(self, request):
        form = PhotoUploadForm(data=request.data)
        form.is_valid(raise_exception=True)
        clean = images.clean_upload(form.validated_data["file"])  # decoded before any lock is taken
        photo = shop.add_photo(account=request.user, clean=clean, offering=form.validated_data.get("offering"))
        return Response(PartnerPhotoSerializer(photo).data, status=status.HTTP_201_CREATED)


class PartnerPhotoDetail(PartnerView):
    required_permission = {"DELETE": "partner.manage"}

    @extend_schema(responses={204: None})
    def delete(self, request, pk):
        shop.remove_photo(account=request.user, photo_id=pk)
        return Response(status=status.HTTP_204_NO_CONTENT)


class PartnerPhotoFile(PartnerView):
    """One of the vendor's own photos."""

    required_permission = "partner.view"
    renderer_classes = [JSONRenderer, ImageRenderer]
    error_statuses = {"get": [404]}
    thumbnail = False

    @extend_schema(responses=IMAGE_RESPONSES)
    def get(self, request, pk):
        return serve(selectors.vendor_photos(request.user.vendor).filter(pk=pk).first(), thumbnail=self.thumbnail)


class PartnerPhotoThumbnail(PartnerPhotoFile):
    thumbnail = True

    @extend_schema(responses=THUMBNAIL_RESPONSES)
    def get(self, request, pk):
        return super().get(request, pk)
