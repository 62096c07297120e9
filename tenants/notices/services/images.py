"""Images in an announcement's body: checked and cleaned as every photo is (core.images) (what the bytes are,
their size and pixels; re-encoded without EXIF), then kept as the company's public media — every
owner the notice reaches must load them, and the body's sanitiser keeps only http(s) image URLs.
An image no announcement names UNUSED_DAYS after its upload (the editor closed unsaved, the image
taken out of the body, the notice deleted) is deleted by a daily task."""

from __future__ import annotations

import logging
import re
import secrets
from datetime import timedelta
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from accounts import services as account_services
from core.actions import action
from core.images import clean_upload
from tenants.notices.models import Announcement

FOLDER = "notices"
UNUSED_DAYS = 2
NAME = re.compile(rf"{FOLDER}/([0-9a-f]{{32}}\.[a-z]+)")

log = logging.getLogger(__name__)


@action
def upload_image(*, actor: Any, upload: Any) -> str:
    """Keep one checked image in the company's media; its path under MEDIA_URL (the storage's URL)."""
    image = clean_upload(upload, thumbnail=False)  # shown in the body at its own size
    name = default_storage.save(f"{FOLDER}/{secrets.token_hex(16)}.{image.extension}", ContentFile(image.body))
    account_services.record_audit(
        actor=actor,
        action="notice_image.upload",
        object_type="notice_image",
        object_id=name,
        after={"content_type": image.content_type, "size": image.size, "width": image.width, "height": image.height},
    )
    return default_storage.url(name)


def discard_unused_images(*, now: Any = None) -> int:
    """Delete the body images uploaded more than UNUSED_DAYS ago that no announcement — draft,
    scheduled, published or withdrawn — names; the number deleted. Safe to run twice."""
    cutoff = (now or timezone.now()) - timedelta(days=UNUSED_DAYS)
    try:
        _dirs, files = default_storage.listdir(FOLDER)
    except FileNotFoundError:
        return 0
    old = [name for name in files if default_storage.get_modified_time(f"{FOLDER}/{name}") < cutoff]
    if not old:
        return 0
    named: set[str] = set()
    for body in Announcement.objects.filter(body__contains=f"{FOLDER}/").values_list("body", flat=True).iterator():
        named.update(NAME.findall(body))
    unused = [name for name in old if name not in named]
    for name in unused:
        default_storage.delete(f"{FOLDER}/{name}")
    if unused:
        log.info("notice images: %d unused deleted", len(unused))
    return len(unused)
