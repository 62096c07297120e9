"""Reading activities: the staff list with its participation figures, what an owner may see and sign
up with, who is told, the waiting queue, the sign-up list with each fee's payment status (read from
billing's ledger, never copied) and the figures."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db.models import CharField, Count, DecimalField, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Cast, Coalesce, Concat, TruncMonth
from django.utils import timezone

from billing.selectors.service_charges import (
    PaymentStatus,
    charged_of_source,
    paid_of_source,
    payment_status_of,
    service_charges,
)
from tenants.activities.models import CHARGE_SOURCE_PREFIX, Activity, SignUp, SignUpStatus, Status, Target
from tenants.estates.models import House
from tenants.residents import selectors as resident_selectors
from tenants.residents.models import Occupancy

_CONFIRMED = Q(signups__status=SignUpStatus.CONFIRMED)
_WAITING = Q(signups__status=SignUpStatus.WAITING)
_CHECKED_IN = Q(signups__checked_in_at__isnull=False)
_MONEY: DecimalField[Decimal, Decimal] = DecimalField(max_digits=14, decimal_places=2)


def _with_counts(activities: QuerySet[Activity]) -> QuerySet[Activity]:
    return activities.annotate(
        confirmed_people=Coalesce(Sum("signups__people", filter=_CONFIRMED), 0),
        waiting_count=Count("signups", filter=_WAITING),
    )


def charge_source_of(ref: str = "pk") -> Concat:
    """The billing source of the sign-up `ref` names in the outer query (SignUp.charge_source, in SQL)."""
    return Concat(Value(CHARGE_SOURCE_PREFIX), Cast(OuterRef(ref), CharField()), output_field=CharField())


def _paid_for_activity() -> Coalesce:
    """What the owners paid for the outer activity's sign-ups, net of refunds (billing's allocations)."""
    per_signup = (
        SignUp.objects.filter(activity=OuterRef("pk"))
        .annotate(paid=paid_of_source(charge_source_of()))
        .order_by()
        .values("activity")
        .annotate(total=Sum("paid"))
        .values("total")[:1]
    )
    return Coalesce(Subquery(per_signup, output_field=_MONEY), Value(Decimal("0.00")), output_field=_MONEY)


def staff_activities(*, now: datetime | None = None) -> QuerySet[Activity]:
    """Every activity with its participation: confirmed sign-ups and people, the waiting list, people
    checked in, no-shows (confirmed people not checked in, once the activity has started) and the
    fees paid."""
    now = now or timezone.now()
    no_show = _CONFIRMED & Q(signups__checked_in_at__isnull=True, start_at__lte=now)
    return (
        _with_counts(Activity.objects.prefetch_related("estates"))
        .annotate(
            signup_count=Count("signups", filter=_CONFIRMED),
            checked_in_people=Coalesce(Sum("signups__people", filter=_CHECKED_IN), 0),
            no_show_people=Coalesce(Sum("signups__people", filter=no_show), 0),
            paid_amount=_paid_for_activity(),
        )
        .order_by("-start_at", "-id")
    )


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


def targeted_houses(activity: Activity) -> QuerySet[House]:
    houses = House.objects.all()
    if activity.target == Target.ESTATES:
        return houses.filter(estate__in=activity.estates.all())
    return houses


def recipients(activity: Activity) -> list[Any]:
    """The active app accounts of the current occupants of the targeted houses."""
    return resident_selectors.occupant_accounts(targeted_houses(activity))


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


def charge_status(signup: SignUp) -> str | None:
    """The status of the sign-up's fee in billing (unpaid, partial, paid, overdue, cancelled), or None."""
    if signup.activity.fee <= 0:
        return None
    found = service_charges([signup.charge_source]).get(signup.charge_source)
    return found.status if found is not None else None


def signups(activity: Activity) -> QuerySet[SignUp]:
    """The activity's sign-ups; for a paid one each with `payment_status` (billing's PaymentStatus;
    None while nothing is charged: waiting, or cancelled before a seat), `fee_charged` and `fee_paid`."""
    rows = SignUp.objects.filter(activity=activity).select_related(
        "house__estate", "house__building", "house__unit", "user"
    )
    if activity.fee > 0:
        source = charge_source_of()
        rows = rows.annotate(
            payment_status=payment_status_of(source),
            fee_charged=charged_of_source(source),
            fee_paid=paid_of_source(source),
        )
    else:
        rows = rows.annotate(
            payment_status=Value(None, output_field=CharField()),
            fee_charged=Value(None, output_field=_MONEY),
            fee_paid=Value(None, output_field=_MONEY),
        )
    return rows.order_by("created_at", "id")


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


def _money(activity: Activity, *, now: datetime) -> dict[str, Any]:
    """No-shows once started, and for a paid activity what was paid and how many seats still owe."""
    no_show = Q(status=SignUpStatus.CONFIRMED, checked_in_at__isnull=True)
    started = now >= activity.start_at
    figures: dict[str, Any] = {
        "no_show_people": _tally_people(SignUp.objects.filter(activity=activity).filter(no_show)) if started else 0,
        "paid_amount": Decimal("0.00"),
        "owing": 0,
    }
    if activity.fee > 0:
        owing = [PaymentStatus.UNPAID, PaymentStatus.PARTIAL]
        totals = signups(activity).aggregate(
            paid=Coalesce(Sum("fee_paid"), Value(Decimal("0.00")), output_field=_MONEY),
            owing=Count("pk", filter=Q(status=SignUpStatus.CONFIRMED, payment_status__in=owing)),
        )
        figures.update(paid_amount=totals["paid"], owing=totals["owing"])
    return figures


def _tally_people(rows: QuerySet[SignUp]) -> int:
    return int(rows.aggregate(n=Coalesce(Sum("people"), 0))["n"])


def activity_stats(activity: Activity, *, now: datetime | None = None) -> dict[str, Any]:
    """Sign-ups by status, check-ins, no-shows, the fees paid and still owed, and by estate (one row
    per estate with sign-ups)."""
    now = now or timezone.now()
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
        **_money(activity, now=now),
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
