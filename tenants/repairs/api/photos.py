"""Repair photos API: upload one photo (multipart, one file a request, as uni.uploadFile sends it),
then name its id in `photos` when filing or moving an order; and the image itself (or its thumbnail),
served only to who may see it: the company's dispatchers, the workers who may see the order, the
owner it was filed for — and the uploader while it is not yet attached. Another company's host or
token finds nothing (the photo lives in this company's schema and private folder)."""

from __future__ import annotations

from django.http import FileResponse
from django.urls import path, reverse
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.image_views import IMAGE_RESPONSES, THUMBNAIL_RESPONSES, ImageRenderer, PhotoUploadSerializer, serve
from core.input_guard import MultiPartParser
from tenants.repairs import selectors, services
from tenants.repairs.models import PhotoKind, RepairPhoto
from tenants.repairs.services.photos import MAX_PER_STEP

STAFF_PERMISSIONS = ("repairs.dispatch", "repairs.work")
OWNER_PERMISSION = "owner.self"


def photo_urls(photo: RepairPhoto, *, owner: bool) -> tuple[str, str]:
    """(image, thumbnail) paths on this company's host: the owner's views for the owner app, the staff's otherwise."""
    prefix = "owner-repair-photo" if owner else "repair-photo"
    return (
        reverse(f"{prefix}-file", kwargs={"photo_id": photo.pk}),
        reverse(f"{prefix}-thumbnail", kwargs={"photo_id": photo.pk}),
    )


class RepairPhotoSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField(help_text="The image (GET with the caller's credentials).")
    thumbnail_url = serializers.SerializerMethodField(help_text="A JPEG of at most 360 px a side.")
    uploaded_by_name = serializers.CharField(source="uploaded_by.name", read_only=True)
    entry = serializers.IntegerField(source="entry_id", allow_null=True, read_only=True, help_text="Timeline entry.")
    kind = serializers.ChoiceField(
        choices=PhotoKind.choices, allow_blank=True, read_only=True, help_text="Empty until attached to an order."
    )

    class Meta:
        model = RepairPhoto
        fields = [
            "id",
            "kind",
            "entry",
            "url",
            "thumbnail_url",
            "content_type",
            "width",
            "height",
            "size",
            "uploaded_by_name",
            "created_at",
        ]
        read_only_fields = fields

    def _owner(self) -> bool:
        return str(self.context.get("party", "")) == "owner"

    def get_url(self, photo: RepairPhoto) -> str:
        return photo_urls(photo, owner=self._owner())[0]

    def get_thumbnail_url(self, photo: RepairPhoto) -> str:
        return photo_urls(photo, owner=self._owner())[1]


PHOTO_IDS_HELP = (
    f"Ids of the caller's own uploads not yet attached (POST …/repair-photos/ first), at most {MAX_PER_STEP}."
)


def photo_ids_field() -> serializers.ListField:
    return serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        required=False,
        default=list,
        max_length=MAX_PER_STEP,
        help_text=PHOTO_IDS_HELP,
    )


class _Upload(APIView):
    parser_classes = [MultiPartParser]
    party = ""

    @extend_schema(request={"multipart/form-data": PhotoUploadSerializer}, responses={201: RepairPhotoSerializer})
    def post(self, request: Request) -> Response:
        form = PhotoUploadSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        photo = services.upload_photo(actor=request.user, upload=form.validated_data["file"])
        data = RepairPhotoSerializer(photo, context={"party": self.party}).data
        return Response(data, status=status.HTTP_201_CREATED)


class RepairPhotoUpload(_Upload):
    """Upload a photo as staff (a dispatcher filing for a resident, a worker at start or completion)."""

    required_permission = STAFF_PERMISSIONS


class OwnerRepairPhotoUpload(_Upload):
    """Upload a photo of the owner's repair (name its id in `photos` when filing)."""

    required_permission = OWNER_PERMISSION
    party = "owner"


class _Image(APIView):
    renderer_classes = [JSONRenderer, ImageRenderer]
    error_statuses = {"get": [404]}
    thumbnail = False

    def photo(self, request: Request, photo_id: int) -> RepairPhoto | None:
        raise NotImplementedError

    @extend_schema(responses=IMAGE_RESPONSES)
    def get(self, request: Request, photo_id: int) -> FileResponse:
        return serve(self.photo(request, photo_id), thumbnail=self.thumbnail)


class RepairPhotoFile(_Image):
    """A repair photo for staff: dispatchers, the workers who may see its order, its uploader before it is attached."""

    required_permission = STAFF_PERMISSIONS

    def photo(self, request: Request, photo_id: int) -> RepairPhoto | None:
        return selectors.staff_photo(request.user, photo_id)


class RepairPhotoThumbnail(RepairPhotoFile):
    thumbnail = True

    @extend_schema(responses=THUMBNAIL_RESPONSES)
    def get(self, request: Request, photo_id: int) -> FileResponse:
        return super().get(request, photo_id)


class OwnerRepairPhotoFile(_Image):
    """A photo of one of the owner's repairs (any party's: problem, progress, result), or their own upload."""

    required_permission = OWNER_PERMISSION

    def photo(self, request: Request, photo_id: int) -> RepairPhoto | None:
        return selectors.owner_photo(request.user, photo_id)


class OwnerRepairPhotoThumbnail(OwnerRepairPhotoFile):
    thumbnail = True

    @extend_schema(responses=THUMBNAIL_RESPONSES)
    def get(self, request: Request, photo_id: int) -> FileResponse:
        return super().get(request, photo_id)


PATHS = [
    path("repair-photos/", RepairPhotoUpload.as_view(), name="repair-photo-upload"),
    path("repair-photos/<int:photo_id>/", RepairPhotoFile.as_view(), name="repair-photo-file"),
    path("repair-photos/<int:photo_id>/thumbnail/", RepairPhotoThumbnail.as_view(), name="repair-photo-thumbnail"),
    path("owner/repair-photos/", OwnerRepairPhotoUpload.as_view(), name="owner-repair-photo-upload"),
    path("owner/repair-photos/<int:photo_id>/", OwnerRepairPhotoFile.as_view(), name="owner-repair-photo-file"),
    path(
        "owner/repair-photos/<int:photo_id>/thumbnail/",
        OwnerRepairPhotoThumbnail.as_view(),
        name="owner-repair-photo-thumbnail",
    ),
]
