"""Reads of notifications, already scoped to what the caller may see: a person's own inbox, the
company's delivery log (staff holding notifications.deliveries), who to tell."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from accounts.models import User
from accounts.roles import Role, permissions_for
from notifications.models import RETRYABLE_BY_STAFF, Channel, Delivery, Notification, Preference


def inbox(user: Any) -> QuerySet[Delivery]:
    """The person's own inbox items, newest first."""
    return (
        Delivery.objects.filter(recipient=user, channel=Channel.INBOX)
        .select_related("notification")
        .order_by("-created_at", "-id")
    )


def unread_count(user: Any) -> int:
    return Delivery.objects.filter(recipient=user, channel=Channel.INBOX, read_at__isnull=True).count()


def delivery_log() -> QuerySet[Delivery]:
    """Every push delivery of the company (the inbox is the people's own), newest change first."""
    return (
        Delivery.objects.exclude(channel=Channel.INBOX)
        .select_related("notification", "recipient")
        .order_by("-updated_at", "-id")
    )


def failures() -> QuerySet[Delivery]:
    return delivery_log().filter(status__in=RETRYABLE_BY_STAFF)


def preference_of(user: Any) -> Preference:
    """The person's preferences; defaults (nothing muted, no quiet hours) when never set."""
    return Preference.objects.filter(user=user).first() or Preference(user=user)


def staff_with_permission(permission: str) -> QuerySet[User]:
    """Active staff whose roles grant `permission` (never residents)."""
    roles = [role.value for role in Role if role != Role.RESIDENT and permission in permissions_for([role])]
    return User.objects.filter(is_active=True, roles__overlap=roles).order_by("pk")


def contexts_by_key(keys: list[str]) -> dict[str, dict[str, Any]]:
    """key -> context of the notifications already written under these keys (a caller's idempotency)."""
    rows = Notification.objects.filter(key__in=[key for key in keys if key]).values_list("key", "context")
    return dict(rows)
