"""Owners signing up and cancelling, the waiting list, and staff checking sign-ups in by their code.

The seats are held by the database: every sign-up, cancellation and promotion locks the activity's
row first (SELECT … FOR UPDATE), so two owners racing for the last seat are serialised — the first
gets it, the second finds it full and joins the waiting list. A cancellation (or a larger capacity)
promotes the waiting sign-ups in their order while the first one fits, and tells each promoted
owner. Owners sign up until the deadline and may cancel until the activity starts."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from core.actions import action
from core.db import conflict_as
from core.errors import DomainError
from tenants.activities import selectors
from tenants.activities.models import Activity, SignUp, SignUpStatus, Status
from tenants.activities.services import fees
from tenants.activities.services.editing import invalid
from tenants.activities.services.queue import audit_signup, promote_waiting, signup_view
from tenants.estates.models import House


def _locked(activity: Activity) -> Activity:
    return Activity.objects.select_for_update().get(pk=activity.pk)


def _pick_house(activity: Activity, user: Any, house: House | None) -> House:
    houses = list(selectors.owner_houses(user).order_by("pk"))
    if house is not None and house.pk not in {h.pk for h in houses}:
        raise invalid("house", _("只能用自己绑定的房屋报名。"))
    candidates = [house] if house is not None else houses
    for candidate in candidates:
        if selectors.targets_house(activity, candidate):
            return candidate
    if not houses:
        raise invalid("house", _("请先绑定房屋再报名。"))
    raise invalid("house", _("该活动不面向您房屋所在的小区。"))


@action
def sign_up(
    *,
    activity: Activity,
    user: Any,
    people: int = 1,
    house: House | None = None,
    contact_name: str = "",
    now: datetime | None = None,
) -> SignUp:
    now = now or timezone.now()
    activity = _locked(activity)
    if activity.status != Status.PUBLISHED:
        raise DomainError(_("活动不在报名中。"), code="bad_status", status_code=409)
    if now > activity.signup_deadline:
        raise DomainError(_("报名已截止。"), code="deadline_passed", status_code=409)
    if people < 1 or people > activity.max_people:
        raise invalid("people", _("每次报名最多 %(n)s 人。") % {"n": activity.max_people})
    chosen = _pick_house(activity, user, house)
    free = activity.capacity - selectors.confirmed_people(activity)
    queued = selectors.waiting_queue(activity).exists()
    confirmed = people <= free and not queued  # nobody jumps the waiting list
    signup = SignUp(
        activity=activity,
        user=user,
        house=chosen,
        people=people,
        contact_name=contact_name.strip() or getattr(user, "name", "") or "",
        status=SignUpStatus.CONFIRMED if confirmed else SignUpStatus.WAITING,
        confirmed_at=now if confirmed else None,
    )
    with conflict_as(DomainError(_("您已报名该活动。"), code="already_signed_up", status_code=409)):
        signup.save()
    audit_signup(user, "activity.signup", signup)
    if confirmed:
        fees.charge(activity, signup, user)
    return signup


@action
def cancel_signup(*, signup: SignUp, actor: Any, now: datetime | None = None) -> SignUp:
    now = now or timezone.now()
    activity = _locked(signup.activity)
    signup = SignUp.objects.select_for_update().get(pk=signup.pk)
    if signup.status == SignUpStatus.CANCELLED:
        raise DomainError(_("该报名已取消。"), code="already_cancelled", status_code=409)
    if now >= activity.start_at:
        raise DomainError(_("活动已开始，不能取消报名。"), code="started", status_code=409)
    before = signup_view(signup)
    was_confirmed = signup.status == SignUpStatus.CONFIRMED
    signup.status = SignUpStatus.CANCELLED
    signup.cancelled_at = now
    signup.save(update_fields=["status", "cancelled_at"])
    audit_signup(actor, "activity.signup_cancel", signup, before)
    if was_confirmed:
        fees.release(activity, signup, actor, _("取消活动报名"))
        promote_waiting(activity, now=now)
    return signup


@action
def check_in(*, activity: Activity, code: str, actor: Any, now: datetime | None = None) -> tuple[SignUp, bool]:
    """(sign-up, True) on its first check-in; (sign-up, False) when it was already checked in."""
    now = now or timezone.now()
    signup = (
        SignUp.objects.select_for_update()
        .filter(activity=activity, check_in_code=(code or "").strip())
        .select_related("house")
        .first()
    )
    if signup is None:
        raise invalid("code", _("签到码无效。"))
    if signup.checked_in_at is not None:
        return signup, False
    if signup.status != SignUpStatus.CONFIRMED:
        raise invalid("code", _("该报名未确认（候补或已取消），不能签到。"))
    if activity.status != Status.PUBLISHED:
        raise DomainError(_("活动不在进行中，不能签到。"), code="bad_status", status_code=409)
    before = signup_view(signup)
    signup.checked_in_at = now
    signup.checked_in_by = actor
    signup.save(update_fields=["checked_in_at", "checked_in_by"])
    audit_signup(actor, "activity.check_in", signup, before)
    return signup, True
