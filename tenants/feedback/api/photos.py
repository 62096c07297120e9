"""Feedback photos API: the owner uploads a photo (multipart, one file a request, as uni.uploadFile
sends it) and names its id in `photos` when filing; the image (or its thumbnail) is served only to
the company's feedback handlers (attached photos) and to the owner who filed the item (or uploaded it)."""

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
from tenants.feedback import selectors, services
from tenants.feedback.models import FeedbackPhoto
from tenants.feedback.services.photos import MAX_PHOTOS

STAFF_PERMISSION = "feedback.handle"
OWNER_PERMISSION = "owner.self"


class FeedbackPhotoSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField(help_text="The image (GET with the caller's credentials).")
    thumbnail_url = serializers.SerializerMethodField(help_text="A JPEG of at most 360 px a side.")

    class Meta:
        model = FeedbackPhoto
        fields = ["id", "url", "thumbnail_url", "content_type", "width", "height", "size", "created_at"]
        read_only_fields = fields

    def _prefix(self) -> str:
        return "owner-feedback-photo" if str(self.context.get("party", "")) == "owner" else "feedback-photo"

    def get_url(self, photo: FeedbackPhoto) -> str:
        return reverse(f"{self._prefix()}-file", kwargs={"photo_id": photo.pk})

    def get_thumbnail_url(self, photo: FeedbackPhoto) -> str:
        return reverse(f"{self._prefix()}-thumbnail", kwargs={"photo_id": photo.pk})


def photo_ids_field() -> serializers.ListField:
    return serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        required=False,
        default=list,
        max_length=MAX_PHOTOS,
        help_text=f"Ids of the caller's own uploads not yet attached (POST owner/feedback-photos/), "
        f"at most {MAX_PHOTOS}.",
    )


class OwnerFeedbackPhotoUpload(APIView):
    """Upload a photo for the owner's feedback (name its id in `photos` when filing)."""

    parser_classes = [MultiPartParser]
    required_permission = OWNER_PERMISSION

    @extend_schema(request={"multipart/form-data": PhotoUploadSerializer}, responses={201: FeedbackPhotoSerializer})
    def post(self, request: Request) -> Response:
        form = PhotoUploadSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        photo = services.upload_photo(actor=request.user, upload=form.validated_data["file"])
        data = FeedbackPhotoSerializer(photo, context={"party": "owner"}).data
        return Response(data, status=status.HTTP_201_CREATED)


class _Image(APIView):
    renderer_classes = [JSONRenderer, ImageRenderer]
    error_statuses = {"get": [404]}
    thumbnail = False

    def photo(self, request: Request, photo_id: int) -> FeedbackPhoto | None:
        raise NotImplementedError

    @extend_schema(responses=IMAGE_RESPONSES)
    def get(self, request: Request, photo_id: int) -> FileResponse:
        return serve(self.photo(request, photo_id), thumbnail=self.thumbnail)


class FeedbackPhotoFile(_Image):
    """A feedback photo for the company's handlers."""

    required_permission = STAFF_PERMISSION

    def photo(self, request: Request, photo_id: int) -> FeedbackPhoto | None:
        return selectors.staff_photo(photo_id)


class FeedbackPhotoThumbnail(FeedbackPhotoFile):
    thumbnail = True

    @extend_schema(responses=THUMBNAIL_RESPONSES)
    def get(self, request: Request, photo_id: int) -> FileResponse:
        return super().get(request, photo_id)


class OwnerFeedbackPhotoFile(_Image):
    """A photo of one of the owner's own items, or their own upload."""

    required_permission = OWNER_PERMISSION

    def photo(self, request: Request, photo_id: int) -> FeedbackPhoto | None:
        return selectors.owner_photo(request.user, photo_id)


class OwnerFeedbackPhotoThumbnail(OwnerFeedbackPhotoFile):
    thumbnail = True

    @extend_schema(responses=THUMBNAIL_RESPONSES)
    def get(self, request: Request, photo_id: int) -> FileResponse:
        return super().get(request, photo_id)


PATHS = [
    path("feedback-photos/<int:photo_id>/", FeedbackPhotoFile.as_view(), name="feedback-photo-file"),
    path(
        "feedback-photos/<int:photo_id>/thumbnail/", FeedbackPhotoThumbnail.as_view(), name="feedback-photo-thumbnail"
    ),
    path("owner/feedback-photos/", OwnerFeedbackPhotoUpload.as_view(), name="owner-feedback-photo-upload"),
    path("owner/feedback-photos/<int:photo_id>/", OwnerFeedbackPhotoFile.as_view(), name="owner-feedback-photo-file"),
    path(
        "owner/feedback-photos/<int:photo_id>/thumbnail/",
        OwnerFeedbackPhotoThumbnail.as_view(),
        name="owner-feedback-photo-thumbnail",
    ),
]
