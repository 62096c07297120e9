"""Repair photos: an upload is checked by what it is (Pillow reads it; the name and Content-Type the
client sends are not trusted), re-encoded without its metadata (EXIF, with any GPS location, XMP,
comments) after its EXIF orientation has been applied to the pixels, and kept in the company's
private storage with a small thumbnail. It belongs to nobody's order until the uploader names it
when filing or moving an order (`attach`, inside that action's transaction)."""

from __future__ import annotations

import io
import secrets
import warnings
from datetime import timedelta
from typing import Any, NamedTuple

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from accounts import services as account_services
from core.actions import action
from core.errors import DomainError
from tenants.repairs.models import PhotoKind, RepairOrder, RepairPhoto, TimelineEntry

MAX_BYTES = 10 * 1024 * 1024  # per photo, as uploaded
MAX_PIXELS = 50_000_000  # a larger image (or a decompression bomb) is refused before it is decoded
MAX_SIDE = 4096  # longer side kept; a larger photo is scaled down when re-encoded
THUMBNAIL_SIDE = 360
MAX_PER_STEP = 9  # photos named in one filing or move, and problem photos of one order
# Pillow's format → (MIME type, file extension). Anything else Pillow can read (GIF, TIFF, BMP, …) is refused.
FORMATS = {"JPEG": ("image/jpeg", "jpg"), "PNG": ("image/png", "png"), "WEBP": ("image/webp", "webp")}


def _refused(message: str, code: str = "bad_photo") -> DomainError:
    return DomainError(message, code=code, fields={"file": [message]})


def _read(upload: Any) -> bytes:
    if upload is None:
        raise _refused(_("请选择要上传的照片。"), "no_file")
    if (getattr(upload, "size", 0) or 0) > MAX_BYTES:
        raise _refused(_("照片不能超过 10 MB。"), "file_too_large")
    data = upload.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise _refused(_("照片不能超过 10 MB。"), "file_too_large")
    if not data:
        raise _refused(_("照片是空文件。"))
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
                raise _refused(too_large, "photo_too_large")
            image.load()
            upright = ImageOps.exif_transpose(image) or image
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise _refused(too_large, "photo_too_large") from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, TypeError, KeyError) as exc:
        raise _refused(not_a_photo) from exc
    if image.format not in FORMATS:
        raise _refused(not_a_photo)
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


class CleanImage(NamedTuple):
    image: Image.Image  # decoded and upright
    body: bytes  # re-encoded without metadata, longer side at most MAX_SIDE
    content_type: str
    extension: str
    icc: bytes | None  # the colour profile, kept


def clean_upload(upload: Any) -> CleanImage:
    """An uploaded image checked by what it is (JPEG, PNG or WebP; its bytes and pixels bounded) and
    re-encoded upright without its metadata. Refusals are DomainErrors on the field `file`. Other
    apps' uploads (announcement images) are checked by it too."""
    image = _open(_read(upload))
    fmt = image.format or "JPEG"
    content_type, extension = FORMATS[fmt]
    icc = image.info.get("icc_profile")
    body = _encode(image, fmt, icc=icc, max_side=MAX_SIDE)
    return CleanImage(image, body, content_type, extension, icc)


@action
def upload_photo(*, actor: Any, upload: Any) -> RepairPhoto:
    """Check, clean and keep one photo for `actor`; it stays unattached until named in a filing or a move."""
    image, body, content_type, extension, icc = clean_upload(upload)
    thumbnail = _encode(_flatten(image) if image.mode != "RGB" else image, "JPEG", icc=icc, max_side=THUMBNAIL_SIDE)
    width, height = image.size
    if max(width, height) > MAX_SIDE:
        width, height = Image.open(io.BytesIO(body)).size
    photo = RepairPhoto(
        token=secrets.token_hex(16),
        uploaded_by=actor,
        content_type=content_type,
        width=width,
        height=height,
        size=len(body),
    )
    photo.file.save(f"photo.{extension}", ContentFile(body), save=False)
    photo.thumbnail.save("thumbnail.jpg", ContentFile(thumbnail), save=False)
    photo.save()
    account_services.record_audit(
        actor=actor,
        action="repair_photo.upload",
        object_type="repair_photo",
        object_id=photo.pk,
        after={"content_type": content_type, "size": len(body), "width": width, "height": height},
    )
    return photo


UNATTACHED_DAYS = 1  # an upload nobody filed or moved an order with by then was abandoned


@action(audit=False)  # abandoned uploads (nobody's order, seen by nobody but their uploader) going away
def discard_unattached(*, now: Any = None) -> int:
    """Delete uploads no order took within UNATTACHED_DAYS, rows now and files once that commits; how
    many. A filing that names one meanwhile finds it gone (a 400), never half of it."""
    cutoff = (now or timezone.now()) - timedelta(days=UNATTACHED_DAYS)
    stale = list(
        RepairPhoto.objects.select_for_update(skip_locked=True).filter(order__isnull=True, created_at__lt=cutoff)
    )
    files = [(photo.file.storage, name) for photo in stale for name in (photo.file.name, photo.thumbnail.name) if name]
    RepairPhoto.objects.filter(pk__in=[photo.pk for photo in stale]).delete()

    def remove() -> None:
        for storage, name in files:
            storage.delete(name)

    transaction.on_commit(remove)
    return len(stale)


def _photos_invalid(message: str) -> DomainError:
    return DomainError(message, code="bad_photos", fields={"photos": [message]})


def attach(
    *, actor: Any, photo_ids: list[int] | None, order: RepairOrder, entry: TimelineEntry, kind: str
) -> list[int]:
    """Attach `actor`'s own unattached uploads to `order` at timeline `entry` (called inside the
    filing's or the move's action, so they are attached with its audit row or not at all). Their
    rows are locked: two requests naming one upload cannot both take it."""
    ids = list(dict.fromkeys(photo_ids or []))
    if not ids:
        return []
    if kind not in PhotoKind.values:
        raise _photos_invalid(_("该操作不能附照片。"))
    if len(ids) > MAX_PER_STEP:
        raise _photos_invalid(_("最多上传 %(count)s 张照片。") % {"count": MAX_PER_STEP})
    found = list(
        RepairPhoto.objects.select_for_update()
        .filter(pk__in=ids, uploaded_by=actor, order__isnull=True)
        .values_list("pk", flat=True)
    )
    if len(found) != len(ids):
        raise _photos_invalid(_("照片不存在或已被使用，请重新上传。"))
    if kind == PhotoKind.PROBLEM:
        already = RepairPhoto.objects.filter(order=order, kind=PhotoKind.PROBLEM).count()
        if already + len(ids) > MAX_PER_STEP:
            raise _photos_invalid(_("最多上传 %(count)s 张照片。") % {"count": MAX_PER_STEP})
    RepairPhoto.objects.filter(pk__in=ids).update(order=order, entry=entry, kind=kind)
    return ids
