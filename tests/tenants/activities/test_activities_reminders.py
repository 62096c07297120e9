"""The reminder before an activity starts: confirmed owners only, from `remind_hours_before` hours
before the start, each owner once per activity — a redelivered task, a second run and an owner who
cancels and signs up again remind nobody twice. The clock is frozen by patching django's
timezone.now (the project has no clock-freezing library; the task reads the time only there)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from django_tenants.utils import tenant_context

from accounts.models import AuditEvent, User
from core.errors import DomainError
from notifications.models import Delivery
from tenants.activities import services, tasks
from tenants.activities.models import SignUp, SignUpStatus
from tenants.activities.services.reminders import remind_signup, send_reminders
from tests.tenants.activities.helpers import activity, estate_with_houses
from tests.tenants.test_repairs import _owner

pytestmark = pytest.mark.django_db


def _reminded(user):
    return Delivery.objects.filter(notification__event="activity.reminder", recipient=user, channel="inbox").count()


@pytest.fixture
def world(company_a, client_for):
    _estate, houses = estate_with_houses(company_a, "提醒苑", 4)
    owners = [_owner(company_a, client_for, house, username=f"r{n}")[1] for n, house in enumerate(houses)]
    start = timezone.now() + timedelta(days=3)
    made = activity(company_a, start_at=start, signup_deadline=start - timedelta(hours=2), capacity=2, max_people=1)
    with tenant_context(company_a):
        first = services.sign_up(activity=made, user=owners[0])
        second = services.sign_up(activity=made, user=owners[1])
        waiting = services.sign_up(activity=made, user=owners[2])
        assert waiting.status == SignUpStatus.WAITING
    return {"activity": made, "owners": owners, "start": start, "signups": [first, second, waiting]}


def _freeze(monkeypatch, instant):
    monkeypatch.setattr(timezone, "now", lambda: instant)


def test_confirmed_owners_are_reminded_once_inside_the_window(company_a, world, monkeypatch):
    start, (o1, o2, o3, o4) = world["start"], world["owners"]
    with tenant_context(company_a):
        assert send_reminders(now=start - timedelta(hours=25)) == 0  # the 24 h window is not open yet

        _freeze(monkeypatch, start - timedelta(hours=23))
        assert tasks.remind_upcoming.apply().get() == 2
        assert [_reminded(o) for o in (o1, o2, o3, o4)] == [1, 1, 0, 0]  # the waiting owner is not reminded
        assert AuditEvent.objects.filter(action="activity.signup_remind").count() == 2

        # The same task delivered again (acks_late after a worker died), and the next beat run.
        assert tasks.remind_upcoming.apply().get() == 0
        _freeze(monkeypatch, start - timedelta(hours=22))
        assert tasks.remind_upcoming.apply().get() == 0
        assert [_reminded(o) for o in (o1, o2, o3, o4)] == [1, 1, 0, 0]


def test_an_owner_confirmed_later_is_reminded_by_the_next_run(company_a, world):
    start, (o1, o2, o3, _o4) = world["start"], world["owners"]
    second = world["signups"][1]
    with tenant_context(company_a):
        assert send_reminders(now=start - timedelta(hours=20)) == 2
        services.cancel_signup(signup=second, actor=o2, now=start - timedelta(hours=19))  # o3 is promoted
        assert send_reminders(now=start - timedelta(hours=18)) == 1
        assert [_reminded(o) for o in (o1, o2, o3)] == [1, 1, 1]


def test_an_owner_who_signs_up_again_is_not_reminded_twice(company_a, world):
    start, (o1, o2, _o3, _o4) = world["start"], world["owners"]
    first = world["signups"][0]
    made = world["activity"]
    with tenant_context(company_a):
        assert send_reminders(now=start - timedelta(hours=10)) == 2
        services.cancel_signup(signup=first, actor=o1, now=start - timedelta(hours=9))
        # o3 took o1's seat from the waiting list; o2 leaves too, so o1 gets a seat again
        services.cancel_signup(signup=world["signups"][1], actor=o2, now=start - timedelta(hours=9))
        again = services.sign_up(activity=made, user=o1, now=start - timedelta(hours=8))
        assert again.status == SignUpStatus.CONFIRMED and again.reminded_at is None
        send_reminders(now=start - timedelta(hours=7))
        assert _reminded(o1) == 1  # the notification's key (activity, owner) is unique in the database
        assert SignUp.objects.get(pk=again.pk).reminded_at is not None  # not tried again every run


def test_no_reminder_when_switched_off_cancelled_or_started(company_a, world):
    start, owners = world["start"], world["owners"]
    made = world["activity"]
    with tenant_context(company_a):
        admin = User.objects.get(username="admin")
        services.update_activity(activity=made, actor=admin, remind_hours_before=0)
        assert send_reminders(now=start - timedelta(hours=1)) == 0
        services.update_activity(activity=made, actor=admin, remind_hours_before=2)
        assert send_reminders(now=start - timedelta(hours=3)) == 0
        assert send_reminders(now=start + timedelta(minutes=1)) == 0  # started: too late to remind
        assert remind_signup(signup_id=world["signups"][0].pk, now=start) is False
        services.cancel_activity(activity=made, actor=admin)
        assert send_reminders(now=start - timedelta(hours=1)) == 0
        assert sum(_reminded(o) for o in owners) == 0


def test_the_reminder_lead_is_checked(company_a):
    with pytest.raises(DomainError) as error:
        activity(company_a, publish=False, remind_hours_before=169)
    assert "remind_hours_before" in error.value.fields


def test_a_moved_activity_is_told_and_reminded_again_before_its_new_start(company_a, world):
    start, (o1, o2, o3, o4) = world["start"], world["owners"]
    made = world["activity"]
    with tenant_context(company_a):
        admin = User.objects.get(username="admin")
        assert send_reminders(now=start - timedelta(hours=23)) == 2

        def changed(user):
            return Delivery.objects.filter(
                notification__event="activity.changed", recipient=user, channel="inbox"
            ).count()

        # The description changes: nobody is told. The start moves two days on: everyone signed up,
        # waiting too, is told once; the reminder goes again inside the new window.
        services.update_activity(activity=made, actor=admin, description="<p>带上围裙</p>")
        assert [changed(o) for o in (o1, o2, o3, o4)] == [0, 0, 0, 0]
        later = start + timedelta(days=2)
        made.refresh_from_db()
        services.update_activity(
            activity=made,
            actor=admin,
            start_at=later,
            end_at=later + timedelta(hours=2),
            signup_deadline=later - timedelta(hours=2),
        )
        assert [changed(o) for o in (o1, o2, o3, o4)] == [1, 1, 1, 0]
        assert send_reminders(now=start - timedelta(hours=1)) == 0  # the old window: not again
        assert send_reminders(now=later - timedelta(hours=23)) == 2
        assert [_reminded(o) for o in (o1, o2, o3, o4)] == [2, 2, 0, 0]
        # Saved again with the same time and place (a double click): nobody is told twice.
        made.refresh_from_db()
        services.update_activity(activity=made, actor=admin, start_at=later)
        assert [changed(o) for o in (o1, o2, o3, o4)] == [1, 1, 1, 0]
