"""Reading activities: the staff list, what an owner may see and sign up with, who is told, the
waiting queue and the participation figures."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import Coalesce, TruncMonth

from billing.models import FeeItem
from billing.selectors.service_charges import service_charges
from tenants.activities.models import Activity, SignUp, SignUpStatus, Status, Target
from tenants.estates.models import House
from tenants.residents.models import Occupancy

_CONFIRMED = Q(signups__status=SignUpStatus.CONFIRMED)
_WAITING = Q(signups__status=SignUpStatus.WAITING)


def _with_counts(activities: QuerySet[Activity]) -> QuerySet[Activity]:
    return activities.annotate(
        confirmed_people=Coalesce(Sum("signups__people", filter=_CONFIRMED), 0),
        waiting_count=Count("signups", filter=_WAITING),
    )


def staff_activities() -> QuerySet[Activity]:
    return _with_counts(Activity.objects.prefetch_related("estates")).order_by("-start_at", "-id")


def owner_houses(user: Any) -> QuerySet[House]:
    """The houses the owner currently lives in (their bound houses)."""
    return House.objects.filter(
        pk__in=Occupancy.objects.filter(person__user=user, moved_out__isnull=True).values("house_id")
    )


def visible_to(user: Any) -> QuerySet[Activity]:
    """Published (and finished) activities for the company or the estates of the owner's houses."""
    estate_ids = owner_houses(user).values("estate_id")
    ids = Activity.objects.filter(status__in=[Status.PUBLISHED, Status.FINISHED]).filter(
        Q(target=Target.COMPANY) | Q(target=Target.ESTATES, estates__in=estate_ids)
    )
    if not owner_houses(user).exists():
        ids = ids.none()  # an owner not bound to a house sees no activity
    return _with_counts(Activity.objects.filter(pk__in=ids.values("pk"))).order_by("-start_at", "-id")


def targets_house(activity: Activity, house: House) -> bool:
    return activity.target == Target.COMPANY or activity.estates.filter(pk=house.estate_id).exists()


def recipients(activity: Activity) -> list[Any]:
    """The active app accounts of the current occupants of the targeted houses."""
    houses = House.objects.all()
    if activity.target == Target.ESTATES:
        houses = houses.filter(estate__in=activity.estates.all())
    occupancies = (
        Occupancy.objects.filter(house__in=houses, moved_out__isnull=True, person__user__is_active=True)
        .select_related("person__user")
        .order_by("person__user_id")
        .distinct("person__user_id")
    )
    return [occupancy.person.user for occupancy in occupancies]


def confirmed_people(activity: Activity) -> int:
    total = SignUp.objects.filter(activity=activity, status=SignUpStatus.CONFIRMED).aggregate(n=Sum("people"))["n"]
    return int(total or 0)


def waiting_queue(activity: Activity) -> QuerySet[SignUp]:
    return SignUp.objects.filter(activity=activity, status=SignUpStatus.WAITING).order_by("created_at", "id")


def waiting_position(signup: SignUp) -> int | None:
    """1 for the first in the queue; None when not waiting."""
    if signup.status != SignUpStatus.WAITING:
        return None
    ahead = waiting_queue(signup.activity).filter(
        Q(created_at__lt=signup.created_at) | Q(created_at=signup.created_at, pk__lt=signup.pk)
    )
    return ahead.count() + 1


def fee_item_choices() -> QuerySet[FeeItem]:
    return FeeItem.objects.filter(active=True, cycle_months=0).order_by("name")


def charge_status(signup: SignUp) -> str | None:
    """The status of the sign-up's fee in billing (unpaid, partial, paid, overdue, cancelled), or None."""
    if signup.activity.fee <= 0:
        return None
    found = service_charges([signup.charge_source]).get(signup.charge_source)
    return found.status if found is not None else None


def signups(activity: Activity) -> QuerySet[SignUp]:
    return (
        SignUp.objects.filter(activity=activity)
        .select_related("house__estate", "house__building", "house__unit", "user")
        .order_by("created_at", "id")
    )


def owner_signups(user: Any) -> QuerySet[SignUp]:
    return SignUp.objects.filter(user=user).select_related("activity", "house").order_by("-created_at", "-id")


def _tally(rows: QuerySet[SignUp]) -> dict[str, Any]:
    counts = rows.aggregate(
        confirmed=Count("pk", filter=Q(status=SignUpStatus.CONFIRMED)),
        confirmed_people=Coalesce(Sum("people", filter=Q(status=SignUpStatus.CONFIRMED)), 0),
        waiting=Count("pk", filter=Q(status=SignUpStatus.WAITING)),
        cancelled=Count("pk", filter=Q(status=SignUpStatus.CANCELLED)),
        checked_in=Count("pk", filter=Q(checked_in_at__isnull=False)),
        checked_in_people=Coalesce(Sum("people", filter=Q(checked_in_at__isnull=False)), 0),
    )
    return {key: int(value) for key, value in counts.items()}


def activity_stats(activity: Activity) -> dict[str, Any]:
    """Sign-ups by status, check-ins, and the same by estate (one row per estate with sign-ups)."""
    rows = SignUp.objects.filter(activity=activity)
    by_estate = (
        rows.values("house__estate_id", "house__estate__name")
        .annotate(
            confirmed=Count("pk", filter=Q(status=SignUpStatus.CONFIRMED)),
            confirmed_people=Coalesce(Sum("people", filter=Q(status=SignUpStatus.CONFIRMED)), 0),
            waiting=Count("pk", filter=Q(status=SignUpStatus.WAITING)),
            cancelled=Count("pk", filter=Q(status=SignUpStatus.CANCELLED)),
            checked_in=Count("pk", filter=Q(checked_in_at__isnull=False)),
        )
        .order_by("house__estate__name")
    )
    return {
        "capacity": activity.capacity,
        **_tally(rows),
        "by_estate": [
            {
                "estate": row["house__estate_id"],
                "estate_name": row["house__estate__name"],
                **{k: row[k] for k in ("confirmed", "confirmed_people", "waiting", "cancelled", "checked_in")},
            }
            for row in by_estate
        ],
    }


def monthly_stats(year: int) -> list[dict[str, Any]]:
    """Per month of `year` (by the activities' start): activities held and their participation."""
    activities = Activity.objects.filter(start_at__year=year).exclude(status=Status.DRAFT)
    months: dict[Any, dict[str, Any]] = {}
    for row in (
        activities.annotate(month=TruncMonth("start_at"))
        .values("month")
        .annotate(activities=Count("pk"), cancelled_activities=Count("pk", filter=Q(status=Status.CANCELLED)))
    ):
        months[row["month"].date()] = {
            "month": row["month"].strftime("%Y-%m"),
            "activities": row["activities"],
            "cancelled_activities": row["cancelled_activities"],
        }
    for row in (
        SignUp.objects.filter(activity__in=activities)
        .annotate(month=TruncMonth("activity__start_at"))
        .values("month")
        .annotate(
            confirmed=Count("pk", filter=Q(status=SignUpStatus.CONFIRMED)),
            confirmed_people=Coalesce(Sum("people", filter=Q(status=SignUpStatus.CONFIRMED)), 0),
            waiting=Count("pk", filter=Q(status=SignUpStatus.WAITING)),
            cancelled=Count("pk", filter=Q(status=SignUpStatus.CANCELLED)),
            checked_in=Count("pk", filter=Q(checked_in_at__isnull=False)),
        )
    ):
        months[row["month"].date()].update({k: v for k, v in row.items() if k != "month"})
    zero = {"confirmed": 0, "confirmed_people": 0, "waiting": 0, "cancelled": 0, "checked_in": 0}
    return [{**zero, **months[key]} for key in sorted(months)]
