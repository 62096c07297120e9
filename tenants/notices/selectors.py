"""Reading announcements: the staff list, what an owner may see, who should be told, read figures."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from tenants.estates.models import House
from tenants.notices.models import Announcement, NoticeRead, Status, Target
from tenants.residents import selectors as resident_selectors
from tenants.residents.models import Occupancy


def staff_notices() -> QuerySet[Announcement]:
    return (
        Announcement.objects.annotate(read_count=Count("reads", distinct=True))
        .prefetch_related("estates", "buildings")
        .order_by("-pinned", "-published_at", "-id")
    )


def _current(user: Any) -> QuerySet[Occupancy]:
    return Occupancy.objects.filter(person__user=user, moved_out__isnull=True)


def visible_to(user: Any, *, now: datetime | None = None) -> QuerySet[Announcement]:
    """Published, unexpired announcements for the company or for the estates/buildings of the
    owner's current houses, pinned first."""
    now = now or timezone.now()
    mine = _current(user)
    estate_ids = mine.values("house__estate_id")
    building_ids = mine.values("house__building_id")
    return (
        Announcement.objects.filter(status=Status.PUBLISHED)
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
        .filter(
            Q(target=Target.COMPANY)
            | Q(target=Target.ESTATES, estates__in=estate_ids)
            | Q(target=Target.BUILDINGS, buildings__in=building_ids)
        )
        .distinct()
        .order_by("-pinned", "-published_at", "-id")
    )


def with_read_flag(notices: QuerySet[Announcement], user: Any) -> QuerySet[Announcement]:
    """`is_read`: whether `user` has opened each notice (the owner list's unread dot), in the same query."""
    return notices.annotate(is_read=Exists(NoticeRead.objects.filter(notice=OuterRef("pk"), user=user)))


def targeted_houses(notice: Announcement) -> QuerySet[House]:
    houses = House.objects.all()
    if notice.target == Target.ESTATES:
        return houses.filter(estate__in=notice.estates.all())
    if notice.target == Target.BUILDINGS:
        return houses.filter(building__in=notice.buildings.all())
    return houses


def recipients(notice: Announcement) -> list[Any]:
    """The active app accounts of the current occupants (owners and residents) of the targeted houses."""
    return resident_selectors.occupant_accounts(targeted_houses(notice))


def unread_houses(notice: Announcement) -> QuerySet[House]:
    """The targeted houses none of whose current occupants has read the notice (one query)."""
    read_here = Occupancy.objects.filter(
        house=OuterRef("pk"),
        moved_out__isnull=True,
        person__user__in=NoticeRead.objects.filter(notice=notice).values("user_id"),
    )
    return (
        targeted_houses(notice)
        .filter(~Exists(read_here))
        .select_related("building", "unit", "estate")
        .order_by("estate_id", "building_id", "pk")
    )


def stats(notice: Announcement) -> dict[str, int]:
    return {
        "read_count": NoticeRead.objects.filter(notice=notice).count(),
        "recipient_count": len(recipients(notice)),
    }
