"""Reads of feedback, already scoped to what the caller may see, and its figures (queries over the
items and their timelines, never counters)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import Avg, Count, F, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone

from accounts.models import User
from accounts.roles import Role
from notifications import selectors as notification_selectors
from tenants.feedback.models import AWAITING_REPLY, Feedback, FeedbackPhoto, FeedbackSettings, Kind, TimelineEntry

HANDLE = "feedback.handle"


def feedback_settings() -> FeedbackSettings:
    return FeedbackSettings.objects.filter(pk=1).first() or FeedbackSettings(pk=1)


def _items() -> QuerySet[Feedback]:
    return Feedback.objects.select_related("estate", "house__building", "house__unit", "assignee", "owner")


def staff_items() -> QuerySet[Feedback]:
    """Every item of the company (the handlers' view)."""
    return _items()


def owner_items(user: Any) -> QuerySet[Feedback]:
    """The owner's own items, anonymous ones included."""
    return _items().filter(owner=user)


def overdue_q(now: datetime | None = None) -> Q:
    """Still waiting for a reply and past its reply time (fixed at filing)."""
    return Q(status__in=AWAITING_REPLY, reply_due_at__lt=now or timezone.now())


def overdue(queryset: QuerySet[Feedback], flag: bool) -> QuerySet[Feedback]:
    return queryset.filter(overdue_q()) if flag else queryset.exclude(overdue_q())


def timeline(item: Feedback) -> QuerySet[TimelineEntry]:
    return item.timeline.select_related("actor", "assignee").order_by("at", "id")


def handlers() -> QuerySet[User]:
    """Active staff who handle feedback (customer service, and the managers)."""
    return notification_selectors.staff_with_permission(HANDLE)


def managers() -> QuerySet[User]:
    return User.objects.filter(is_active=True, roles__contains=[Role.ADMIN]).order_by("pk")


def is_handler(user: Any) -> bool:
    return user is not None and handlers().filter(pk=user.pk).exists()


def staff_photo(photo_id: int) -> FeedbackPhoto | None:
    """A photo a handler may see: any attached one (their own uploads never exist: owners upload)."""
    return FeedbackPhoto.objects.filter(pk=photo_id, feedback__isnull=False).first()


def owner_photo(user: Any, photo_id: int) -> FeedbackPhoto | None:
    """A photo an owner may see: those of their own items, and their own uploads not yet attached."""
    return (
        FeedbackPhoto.objects.filter(pk=photo_id)
        .filter(Q(feedback__owner=user) | Q(feedback__isnull=True, uploaded_by=user))
        .first()
    )


def item_photos() -> QuerySet[FeedbackPhoto]:
    return FeedbackPhoto.objects.order_by("created_at", "id")


def late_q(now: datetime | None = None) -> Q:
    """Answered late: replied after its reply time, or never replied and past it now (still waiting,
    or closed or withdrawn after the time ran out without a reply)."""
    now = now or timezone.now()
    return Q(replied_at__gt=F("reply_due_at")) | Q(replied_at__isnull=True, reply_due_at__lt=now)


def _average(value: Any) -> float | None:
    return round(float(value), 2) if value is not None else None


def stats(*, start: datetime, end: datetime, estate: int | None = None) -> dict[str, Any]:
    """Counts by kind and month of the items filed in [start, end), the satisfaction average and how
    many were rated, how many of them were answered late (late_q), each month's count, late answers
    and satisfaction, and how many items (of any time) are overdue now."""
    items = Feedback.objects.all()
    if estate is not None:
        items = items.filter(estate_id=estate)
    filed = items.filter(created_at__gte=start, created_at__lt=end)
    by_month = (
        filed.annotate(month=TruncMonth("created_at", tzinfo=timezone.get_current_timezone()))
        .values("month", "kind")
        .annotate(count=Count("id"))
        .order_by("month", "kind")
    )
    totals = filed.aggregate(
        total=Count("id"),
        rated=Count("id", filter=Q(rating__isnull=False)),
        satisfaction=Avg("rating"),
        **{f"kind_{kind}": Count("id", filter=Q(kind=kind)) for kind in Kind.values},
    )
    monthly = (
        filed.annotate(month=TruncMonth("created_at", tzinfo=timezone.get_current_timezone()))
        .values("month")
        .annotate(
            count=Count("id"),
            late=Count("id", filter=late_q()),
            rated=Count("id", filter=Q(rating__isnull=False)),
            satisfaction=Avg("rating"),
        )
        .order_by("month")
    )
    return {
        "total": totals["total"],
        "late": sum(row["late"] for row in monthly),
        "monthly": [
            {
                "month": timezone.localtime(row["month"]).strftime("%Y-%m"),
                "count": row["count"],
                "late": row["late"],
                "rated": row["rated"],
                "satisfaction": _average(row["satisfaction"]),
            }
            for row in monthly
        ],
        "by_kind": {kind: totals[f"kind_{kind}"] for kind in Kind.values},
        "by_month": [
            {"month": timezone.localtime(row["month"]).strftime("%Y-%m"), "kind": row["kind"], "count": row["count"]}
            for row in by_month
        ],
        "rated": totals["rated"],
        "satisfaction": _average(totals["satisfaction"]),
        "overdue": items.filter(overdue_q()).count(),
        "open": items.filter(status__in=AWAITING_REPLY).count(),
    }
