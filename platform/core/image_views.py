"""Serving a kept photo (core.images) through a feature's own permission-checked view: the file
itself when the caller may see it, a JSON 404 otherwise, never cached by a shared cache."""

from __future__ import annotations

from typing import Any, Protocol

from django.db.models.fields.files import FieldFile
from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.renderers import BaseRenderer, JSONRenderer

from core.images import FORMATS


class StoredPhoto(Protocol):
    file: FieldFile
    thumbnail: FieldFile
    content_type: str


class PhotoUploadSerializer(serializers.Serializer[Any]):
    """One photo, multipart (as uni.uploadFile sends it)."""

    file = serializers.FileField(
        help_text="JPEG, PNG or WebP, at most 10 MB and 50 megapixels; re-encoded without EXIF "
        "(the orientation applied first), longer side at most 4096 px."
    )


class ImageRenderer(BaseRenderer):
    """Lets a client ask for an image (`Accept: image/*`); the view answers the file itself, an error stays JSON."""

    media_type = "image/*"
    format = "image"
    charset = None
    render_style = "binary"

    def render(self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None) -> bytes:
        rendered: bytes = JSONRenderer().render(data, "application/json", renderer_context)
        return rendered


IMAGE_RESPONSES = {
    (200, content_type): OpenApiResponse(OpenApiTypes.BINARY, description="The photo.")
    for content_type, _extension in FORMATS.values()
}
THUMBNAIL_RESPONSES = {(200, "image/jpeg"): OpenApiResponse(OpenApiTypes.BINARY, description="The thumbnail.")}


def serve(photo: StoredPhoto | None, *, thumbnail: bool) -> FileResponse:
    """The photo's image (or its JPEG thumbnail); 404 when there is none to show or its file is gone."""
    if photo is None:
        raise NotFound()
    field = photo.thumbnail if thumbnail else photo.file
    try:
        stored = field.open("rb")
    except FileNotFoundError as exc:
        raise NotFound() from exc
    response = FileResponse(stored, content_type="image/jpeg" if thumbnail else photo.content_type)
    # Personal data: kept out of shared caches; the id never changes its content, so the browser may keep it.
    response["Cache-Control"] = "private, max-age=86400"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Disposition"] = "inline"
    return response
