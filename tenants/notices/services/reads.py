"""Read receipts: an owner opening an announcement, recorded once per user."""

from __future__ import annotations

from typing import Any

from core.actions import action
from tenants.notices.models import Announcement, NoticeRead


@action(audit=False)  # a receipt, not a change anyone reviews
def record_read(*, notice: Announcement, user: Any) -> bool:
    """True when this is the user's first read of the notice."""
    if NoticeRead.objects.filter(notice=notice, user=user).exists():
        return False
    # a concurrent first read of the same user is ignored (the unique constraint), not an error
    NoticeRead.objects.bulk_create([NoticeRead(notice=notice, user=user)], ignore_conflicts=True)
    return True
