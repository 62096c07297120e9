"""Feedback photos: an upload is checked and re-encoded without its metadata by core.images, kept in
the company's private storage with a thumbnail, and belongs to no item until its uploader names it
when filing (`attach`, inside the filing's transaction)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import services as account_services
from core import images
from core.actions import action
from core.errors import DomainError
from tenants.feedback.models import Feedback, FeedbackPhoto

MAX_PHOTOS = 9  # photos of one item
UNATTACHED_DAYS = 1  # an upload nobody filed with by then was abandoned


@action
def upload_photo(*, actor: Any, upload: Any) -> FeedbackPhoto:
    """Check, clean and keep one photo for `actor`; it stays unattached until named in a filing."""
    images.refuse_if_too_many_unattached(FeedbackPhoto.objects.filter(uploaded_by=actor, feedback__isnull=True).count())
    clean = images.clean_upload(upload)
    photo = FeedbackPhoto(uploaded_by=actor)
    images.store(photo, clean)
    photo.save()
    account_services.record_audit(
        actor=actor,
        action="feedback_photo.upload",
        object_type="feedback_photo",
        object_id=photo.pk,
        after={"content_type": clean.content_type, "size": clean.size},
        # An upload may become an anonymous suggestion's photo: its row does not name the uploader
        # (the filing's row names who attached it, unless the item is anonymous).
        anonymous=True,
    )
    return photo


def attach(*, actor: Any, photo_ids: list[int] | None, item: Feedback) -> list[int]:
    """Attach `actor`'s own unattached uploads to `item` (inside the filing's action); their rows are
    locked, so two filings naming one upload cannot both take it."""
    ids = list(dict.fromkeys(photo_ids or []))
    if not ids:
        return []
    if len(ids) > MAX_PHOTOS:
        message = _("最多上传 %(count)s 张照片。") % {"count": MAX_PHOTOS}
        raise DomainError(message, code="bad_photos", fields={"photos": [message]})
    found = list(
        FeedbackPhoto.objects.select_for_update()
        .filter(pk__in=ids, uploaded_by=actor, feedback__isnull=True)
        .values_list("pk", flat=True)
    )
    if len(found) != len(ids):
        message = _("照片不存在或已被使用，请重新上传。")
        raise DomainError(message, code="bad_photos", fields={"photos": [message]})
    FeedbackPhoto.objects.filter(pk__in=ids).update(feedback=item)
    return ids


@action(audit=False)  # abandoned uploads (nobody's item, seen by nobody but their uploader) going away
def discard_unattached(*, now: Any = None) -> int:
    """Delete uploads no filing took within UNATTACHED_DAYS: rows now, files once that commits."""
    cutoff = (now or timezone.now()) - timedelta(days=UNATTACHED_DAYS)
    stale = list(
        FeedbackPhoto.objects.select_for_update(skip_locked=True).filter(feedback__isnull=True, created_at__lt=cutoff)
    )
    FeedbackPhoto.objects.filter(pk__in=[photo.pk for photo in stale]).delete()
    images.delete_files_on_commit(stale)
    return len(stale)
