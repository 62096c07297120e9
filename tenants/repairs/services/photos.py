"""Repair photos: an upload is checked and re-encoded without its metadata by core.images, and kept
in the company's private storage with a small thumbnail. It belongs to nobody's order until the uploader names it
when filing or moving an order (`attach`, inside that action's transaction)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import services as account_services
from core import images
from core.actions import action
from core.errors import DomainError
from tenants.repairs.models import PhotoKind, RepairOrder, RepairPhoto, TimelineEntry

MAX_PER_STEP = 9  # photos named in one filing or move, and problem photos of one order


@action
def upload_photo(*, actor: Any, upload: Any) -> RepairPhoto:
    """Check, clean and keep one photo for `actor`; it stays unattached until named in a filing or a move."""
    images.refuse_if_too_many_unattached(RepairPhoto.objects.filter(uploaded_by=actor, order__isnull=True).count())
    clean = images.clean_upload(upload)
    photo = RepairPhoto(uploaded_by=actor)
    images.store(photo, clean)
    photo.save()
    account_services.record_audit(
        actor=actor,
        action="repair_photo.upload",
        object_type="repair_photo",
        object_id=photo.pk,
        after={"content_type": clean.content_type, "size": clean.size, "width": clean.width, "height": clean.height},
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
    RepairPhoto.objects.filter(pk__in=[photo.pk for photo in stale]).delete()
    images.delete_files_on_commit(stale)
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
