"""Staff upload an image for an announcement's body (multipart, one file a request); the answer is
its absolute URL on this company's host, to be put in an <img> of the body."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.input_guard import MultiPartParser
from tenants.notices import services


class NoticeImageUploadSerializer(serializers.Serializer):
    file = serializers.FileField(
        help_text="JPEG, PNG or WebP, at most 10 MB and 50 megapixels; re-encoded without EXIF, "
        "longer side at most 4096 px. Public: every owner the notice reaches loads it."
    )


class NoticeImageSerializer(serializers.Serializer):
    url = serializers.URLField(help_text="Absolute URL of the cleaned image on this company's host.")


class NoticeImageUpload(APIView):
    """An image for an announcement's body (staff with notices.manage)."""

    required_permission = "notices.manage"
    parser_classes = [MultiPartParser]

    @extend_schema(request={"multipart/form-data": NoticeImageUploadSerializer}, responses={201: NoticeImageSerializer})
    def post(self, request: Request) -> Response:
        form = NoticeImageUploadSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        path = services.upload_image(actor=request.user, upload=form.validated_data["file"])
        answer = NoticeImageSerializer({"url": request.build_absolute_uri(path)}).data
        return Response(answer, status=status.HTTP_201_CREATED)
