"""Uploaded photos, checked and cleaned for any feature that keeps them (repairs, feedback).

An upload is checked by what it is (Pillow reads it; the name and Content-Type the client sends are
not trusted), decoded with its EXIF orientation applied to the pixels, and re-encoded without its
metadata (EXIF, with any GPS location, XMP, comments), with a small JPEG thumbnail. A feature keeps
the two files in the company's private storage and serves them through its own permission-checked
views (core.image_views)."""

from __future__ import annotations

import functools
import io
import secrets
import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models.fields.files import FieldFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from core import actions
from core.errors import DomainError

MAX_BYTES = 10 * 1024 * 1024  # per photo, as uploaded
MAX_PIXELS = 50_000_000  # a larger image (or a decompression bomb) is refused before it is decoded
MAX_SIDE = 4096  # longer side kept; a larger photo is scaled down when re-encoded
THUMBNAIL_SIDE = 360
# Pillow's format → (MIME type, file extension). Anything else Pillow can read (GIF, TIFF, BMP, …) is refused.
FORMATS = {"JPEG": ("image/jpeg", "jpg"), "PNG": ("image/png", "png"), "WEBP": ("image/webp", "webp")}


@dataclass(frozen=True)
class CleanImage:
    """A photo as kept: the re-encoded image and its thumbnail (a JPEG), with what to record of it."""

    body: bytes
    thumbnail: bytes
    content_type: str
    extension: str
    width: int
    height: int

    @property
    def size(self) -> int:
        return len(self.body)


def refused(message: str, code: str = "bad_photo") -> DomainError:
    return DomainError(message, code=code, fields={"file": [message]})


# Uploads one person may keep waiting for a filing or a move: a few filings' worth. Without a bound
# one account could fill the company's disk with photos nobody ever files (each up to 10 MB).
MAX_UNATTACHED = 27


def refuse_if_too_many_unattached(count: int) -> None:
    """Called before a new upload with how many of the uploader's are not yet attached."""
    if count >= MAX_UNATTACHED:
        raise refused(
            _("未提交的照片已有 %(count)s 张，请先提交或稍后再上传。") % {"count": count}, "too_many_unattached"
        )


def _read(upload: Any) -> bytes:
    if upload is None:
        raise refused(_("请选择要上传的照片。"), "no_file")
    if (getattr(upload, "size", 0) or 0) > MAX_BYTES:
        raise refused(_("照片不能超过 10 MB。"), "file_too_large")
    data: bytes = upload.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise refused(_("照片不能超过 10 MB。"), "file_too_large")
    if not data:
        raise refused(_("照片是空文件。"))
    return data


def _open(data: bytes) -> Image.Image:
    """The image, decoded, upright, without metadata; refused when it is not a JPEG/PNG/WebP or too large."""
    not_a_photo = _("仅支持 JPEG、PNG、WebP 格式的照片。")
    too_large = _("照片尺寸过大（不能超过 5000 万像素）。")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=list(FORMATS))
            if image.width * image.height > MAX_PIXELS:
                raise refused(too_large, "photo_too_large")
            image.load()
            upright = ImageOps.exif_transpose(image) or image
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise refused(too_large, "photo_too_large") from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, TypeError, KeyError) as exc:
        raise refused(not_a_photo) from exc
    if image.format not in FORMATS:
        raise refused(not_a_photo)
    upright.format = image.format
    return upright


def _encode(image: Image.Image, fmt: str, *, icc: bytes | None, max_side: int) -> bytes:
    if max(image.size) > max_side:
        image = image.copy()
        image.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    if fmt == "JPEG" and image.mode not in ("RGB", "L"):
        image = _flatten(image)
    elif fmt != "JPEG" and image.mode not in ("RGB", "RGBA", "L", "LA"):
        image = image.convert("RGBA" if "A" in image.getbands() or "transparency" in image.info else "RGB")
    image.info = {}  # nothing of the original's metadata (comments, XMP, text chunks) is written back
    options: dict[str, Any] = {"icc_profile": icc} if icc else {}
    if fmt == "JPEG":
        options.update(quality=85, optimize=True)
    elif fmt == "WEBP":
        options.update(quality=85)
    else:
        options.update(optimize=True)
    out = io.BytesIO()
    image.save(out, format=fmt, **options)
    return out.getvalue()


def _flatten(image: Image.Image) -> Image.Image:
    """RGB for a JPEG: transparency laid on white, CMYK and palettes converted."""
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return image.convert("RGB")


def clean_upload(upload: Any, *, thumbnail: bool = True) -> CleanImage:
    """Check one uploaded photo and re-encode it (and its thumbnail, unless `thumbnail` is False: then
    b"") without metadata; a DomainError with a `file` field error when it is missing, empty, too
    big, too large or not a JPEG/PNG/WebP."""
    image = _open(_read(upload))
    fmt = image.format or "JPEG"
    content_type, extension = FORMATS[fmt]
    icc = image.info.get("icc_profile")
    body = _encode(image, fmt, icc=icc, max_side=MAX_SIDE)
    small = (
        _encode(_flatten(image) if image.mode != "RGB" else image, "JPEG", icc=icc, max_side=THUMBNAIL_SIDE)
        if thumbnail
        else b""
    )
    width, height = image.size
    if max(width, height) > MAX_SIDE:
        width, height = Image.open(io.BytesIO(body)).size
    return CleanImage(
        body=body, thumbnail=small, content_type=content_type, extension=extension, width=width, height=height
    )


class PhotoRow(Protocol):
    token: str
    content_type: str
    width: int
    height: int
    size: int
    file: FieldFile
    thumbnail: FieldFile


def store(photo: PhotoRow, clean: CleanImage) -> None:
    """Put `clean` on the (unsaved) photo row: a fresh unguessable token, what is recorded of the
    image, and its two files in the row's storage (the caller saves the row)."""
    photo.token = secrets.token_hex(16)
    photo.content_type, photo.width, photo.height, photo.size = (
        clean.content_type,
        clean.width,
        clean.height,
        clean.size,
    )
    if not actions.in_action():
        raise actions.OutsideAction("a photo's files are stored inside the action that saves its row")
    # Each file, once written, goes again if the action does not commit (no row would name it).
    photo.file.save(f"photo.{clean.extension}", ContentFile(clean.body), save=False)
    actions.on_rollback(functools.partial(_remove, [(photo.file.storage, photo.file.name)]))
    photo.thumbnail.save("thumbnail.jpg", ContentFile(clean.thumbnail), save=False)
    actions.on_rollback(functools.partial(_remove, [(photo.thumbnail.storage, photo.thumbnail.name)]))


def _remove(files: Iterable[tuple[Any, str | None]]) -> None:
    for storage, name in files:
        if name:
            storage.delete(name)


def delete_files_on_commit(photos: Iterable[PhotoRow]) -> None:
    """Remove the photos' files once the transaction deleting their rows commits (never before)."""
    files = [(photo.file.storage, name) for photo in photos for name in (photo.file.name, photo.thumbnail.name) if name]
    transaction.on_commit(lambda: _remove(files))
