"""Refused notifications, kept for whoever investigates (30 days): what we know of the request — the
gateway, why it was refused (a code), when, from where, the body's SHA-256 and size — never what the
body claims, since nothing in it was believed."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Any

from django.utils import timezone

from core.actions import action
from payments.models import RefusedNotification

KEEP = timedelta(days=30)


@action(audit=False)  # bookkeeping of a stranger's request, no person's decision
def record(*, gateway: str, reason: str, status_code: int, remote_addr: str | None, body: bytes) -> RefusedNotification:
    return RefusedNotification.objects.create(
        gateway=gateway[:16],
        reason=reason[:32],
        status_code=status_code,
        remote_addr=remote_addr or None,
        body_sha256=hashlib.sha256(body).hexdigest(),
        body_size=len(body),
    )


@action(audit=False)  # the daily cleanup of the table above
def forget(*, now: Any = None) -> int:
    cutoff = (now or timezone.now()) - KEEP
    deleted, _ = RefusedNotification.objects.filter(received_at__lt=cutoff).delete()
    return deleted
