"""Images in an announcement's body: checked and cleaned as every photo is (core.images) (what the bytes are,
their size and pixels; re-encoded without EXIF), then kept as the company's public media — every
owner the notice reaches must load them, and the body's sanitiser keeps only http(s) image URLs."""

from __future__ import annotations

import secrets
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from accounts import services as account_services
from core.actions import action
from core.images import clean_upload

FOLDER = "notices"


@action
def upload_image(*, actor: Any, upload: Any) -> str:
    """Keep one checked image in the company's media; its path under MEDIA_URL (the storage's URL)."""
    image = clean_upload(upload)
    name = default_storage.save(f"{FOLDER}/{secrets.token_hex(16)}.{image.extension}", ContentFile(image.body))
    account_services.record_audit(
        actor=actor,
        action="notice_image.upload",
        object_type="notice_image",
        object_id=name,
        after={"content_type": image.content_type, "size": image.size, "width": image.width, "height": image.height},
    )
    return default_storage.url(name)
