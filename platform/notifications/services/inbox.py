"""Read receipts of a person's own inbox (the bell of the web admin, the owner app's messages)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from core.actions import action
from core.errors import DomainError
from notifications.models import Channel, Delivery


def _mine(user: Any) -> Any:
    return Delivery.objects.filter(recipient=user, channel=Channel.INBOX)


@action(audit=False)  # a person marking their own messages read: bookkeeping, not a change to data
def mark_read(*, user: Any, item_id: int) -> Delivery:
    item = _mine(user).filter(pk=item_id).first()
    if item is None:  # someone else's item is as absent as a missing one
        raise DomainError(_("消息不存在。"), code="not_found", status_code=404)
    if item.read_at is None:
        item.read_at = timezone.now()
        _mine(user).filter(pk=item.pk, read_at__isnull=True).update(read_at=item.read_at)
    return item


@action(audit=False)  # as mark_read
def mark_all_read(*, user: Any) -> int:
    return _mine(user).filter(read_at__isnull=True).update(read_at=timezone.now())
