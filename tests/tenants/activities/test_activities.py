"""Community activities (社区活动): editing and the life cycle, who sees what, signing up with a waiting
list and its promotion, the deadline and the start, check-in by code, figures, roles and isolation."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from django_tenants.utils import tenant_context

from accounts.models import AuditEvent, User
from core.errors import DomainError
from notifications.models import Delivery
from tenants.activities import selectors, services
from tenants.activities.models import Activity, SignUp, SignUpStatus, Status
from tests.tenants.activities.helpers import activity, estate_with_houses
from tests.tenants.test_repairs import _owner

pytestmark = pytest.mark.django_db


def _inbox(event, user):
    return Delivery.objects.filter(notification__event=event, recipient=user, channel="inbox").count()


@pytest.fixture
def world(company_a, client_for):
    east, east_houses = estate_with_houses(company_a, "东苑")
    west, west_houses = estate_with_houses(company_a, "西苑")
    owners = {}
    for name, house in (("o1", east_houses[0]), ("o2", east_houses[1]), ("o3", west_houses[0])):
        owners[name] = _owner(company_a, client_for, house, username=name)
    return {"east": east, "west": west, "owners": owners, "east_houses": east_houses, "west_houses": west_houses}


# --- editing and the life cycle ---------------------------------------------------------------------


def test_a_draft_is_sanitised_audited_and_checked(company_a):
    with tenant_context(company_a):
        admin = User.objects.get(username="admin")
    made = activity(company_a, publish=False)
    with tenant_context(company_a):
        assert Activity.objects.get(pk=made.pk).description == "<p>猜灯谜</p>"
        assert AuditEvent.objects.filter(action="activity.create", object_id=str(made.pk)).exists()
        with pytest.raises(DomainError) as error:
            services.update_activity(activity=made, actor=admin, signup_deadline=made.start_at + timedelta(hours=1))
        assert "signup_deadline" in error.value.fields
        with pytest.raises(DomainError) as error:
            services.update_activity(activity=made, actor=admin, max_people=5)
        assert "max_people" in error.value.fields
        with pytest.raises(DomainError) as error:
            services.update_activity(activity=made, actor=admin, target="estates", estates=[])
        assert "estates" in error.value.fields


def test_the_life_cycle_allows_only_its_moves(company_a, world):
    made = activity(company_a, publish=False)
    with tenant_context(company_a):
        admin = User.objects.get(username="admin")
        for move in (services.cancel_activity, services.finish_activity):
            with pytest.raises(DomainError):
                move(activity=made, actor=admin)
        services.publish_activity(activity=made, actor=admin)
        with pytest.raises(DomainError):
            services.publish_activity(activity=made, actor=admin)
        with pytest.raises(DomainError):  # not started yet
            services.finish_activity(activity=made, actor=admin)
        with pytest.raises(DomainError):
            services.delete_activity(activity=made, actor=admin)
        with pytest.raises(DomainError) as error:  # published: capacity only grows
            services.update_activity(activity=made, actor=admin, capacity=1)
        assert "capacity" in error.value.fields
        services.finish_activity(activity=made, actor=admin, now=made.start_at + timedelta(minutes=1))
        assert Activity.objects.get(pk=made.pk).status == Status.FINISHED
        with pytest.raises(DomainError):
            services.cancel_activity(activity=made, actor=admin)


def test_publishing_tells_the_targeted_owners_once(company_a, world):
    made = activity(company_a, target="estates", estates=[world["east"]])
    with tenant_context(company_a):
        o1, o3 = world["owners"]["o1"][1], world["owners"]["o3"][1]
        assert _inbox("activity.published", o1) == 1
        assert _inbox("activity.published", o3) == 0  # west is not targeted
        assert Activity.objects.get(pk=made.pk).status == Status.PUBLISHED


def test_ended_activities_are_finished_once(company_a, world):
    made = activity(company_a)
    with tenant_context(company_a):
        assert services.finish_ended(now=made.start_at) == 0
        assert services.finish_ended(now=made.end_at + timedelta(minutes=1)) == 1
        assert services.finish_ended(now=made.end_at + timedelta(minutes=2)) == 0
        assert Activity.objects.get(pk=made.pk).status == Status.FINISHED
        assert AuditEvent.objects.filter(action="activity.finish", object_id=str(made.pk)).count() == 1


# --- what owners see ---------------------------------------------------------------------------------


def test_owners_see_published_activities_for_their_estates(company_a, world):
    east_only = activity(company_a, title="东苑活动", target="estates", estates=[world["east"]])
    everyone = activity(company_a, title="全公司活动")
    activity(company_a, title="草稿", publish=False)
    east_client = world["owners"]["o1"][0]
    west_client = world["owners"]["o3"][0]
    assert {a["id"] for a in east_client.get("/api/v1/owner/activities/").json()["results"]} == {
        east_only.pk,
        everyone.pk,
    }
    assert {a["id"] for a in west_client.get("/api/v1/owner/activities/").json()["results"]} == {everyone.pk}
    assert west_client.get(f"/api/v1/owner/activities/{east_only.pk}/").status_code == 404
    assert west_client.post(f"/api/v1/owner/activities/{east_only.pk}/sign-up/", {}, format="json").status_code == 404


def test_an_owner_without_a_house_sees_nothing(company_a, client_for, world):
    activity(company_a)
    with tenant_context(company_a):
        from accounts import services as account_services

        loner = User.objects.create(username="loner", name="无房", roles=["resident"])
        raw, _token = account_services.issue_token(user=loner, kind="sms")
    client = client_for(company_a)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert client.get("/api/v1/owner/activities/").json()["results"] == []


# --- signing up, the waiting list and its promotion ------------------------------------------------------


def test_a_full_activity_puts_the_next_owner_on_the_waiting_list_and_a_cancellation_promotes_them(company_a, world):
    made = activity(company_a, capacity=2, max_people=2)
    c1, o1 = world["owners"]["o1"]
    c2, o2 = world["owners"]["o2"]
    c3, o3 = world["owners"]["o3"]
    first = c1.post(f"/api/v1/owner/activities/{made.pk}/sign-up/", {"people": 2}, format="json")
    assert first.status_code == 201, first.content
    mine = first.json()["my_signup"]
    assert mine["status"] == "confirmed" and len(mine["check_in_code"]) >= 16
    second = c2.post(f"/api/v1/owner/activities/{made.pk}/sign-up/", {"people": 1}, format="json").json()
    third = c3.post(f"/api/v1/owner/activities/{made.pk}/sign-up/", {"people": 1}, format="json").json()
    assert second["my_signup"]["status"] == "waiting" and second["my_signup"]["waiting_position"] == 1
    assert second["my_signup"]["check_in_code"] is None  # no code without a seat
    assert third["my_signup"]["waiting_position"] == 2
    again = c2.post(f"/api/v1/owner/activities/{made.pk}/sign-up/", {"people": 1}, format="json")
    assert again.status_code == 409
    assert again.json()["code"] == "already_signed_up"

    cancelled = c1.post(f"/api/v1/owner/activities/{made.pk}/cancel-signup/", {}, format="json")
    assert cancelled.status_code == 200
    assert cancelled.json()["my_signup"] is None
    with tenant_context(company_a):
        statuses = dict(SignUp.objects.filter(activity=made).values_list("user__username", "status"))
        assert statuses == {"o1": "cancelled", "o2": "confirmed", "o3": "confirmed"}
        assert _inbox("activity.promoted", o2) == 1 and _inbox("activity.promoted", o3) == 1
        assert _inbox("activity.promoted", o1) == 0
    mine = c2.get("/api/v1/owner/activity-signups/").json()["results"]
    assert [(s["activity"], s["status"], bool(s["check_in_code"])) for s in mine] == [(made.pk, "confirmed", True)]
    # o1 may sign up again: now behind nobody, but full
    back = c1.post(f"/api/v1/owner/activities/{made.pk}/sign-up/", {"people": 1}, format="json").json()
    assert back["my_signup"]["status"] == "waiting"


def test_the_waiting_list_keeps_its_order(company_a, world):
    """A group of two waiting first is not skipped by a single behind it when one seat frees."""
    made = activity(company_a, capacity=2, max_people=2)
    with tenant_context(company_a):
        o1, o2, o3 = (world["owners"][n][1] for n in ("o1", "o2", "o3"))
        a = services.sign_up(activity=made, user=o1, people=1)
        services.sign_up(activity=made, user=o3, people=1)
        group = services.sign_up(activity=made, user=o2, people=2)
        assert group.status == SignUpStatus.WAITING
        services.cancel_signup(signup=a, actor=o1)
        assert SignUp.objects.get(pk=group.pk).status == SignUpStatus.WAITING
        assert selectors.confirmed_people(made) == 1


def test_more_capacity_promotes_the_waiting(company_a, world):
    made = activity(company_a, capacity=1, max_people=1)
    with tenant_context(company_a):
        admin = User.objects.get(username="admin")
        o1, o2 = world["owners"]["o1"][1], world["owners"]["o2"][1]
        services.sign_up(activity=made, user=o1)
        waiting = services.sign_up(activity=made, user=o2)
        services.update_activity(activity=made, actor=admin, capacity=2)
        assert SignUp.objects.get(pk=waiting.pk).status == SignUpStatus.CONFIRMED
        assert _inbox("activity.promoted", o2) == 1


def test_sign_up_rules(company_a, world):
    made = activity(company_a, capacity=5, max_people=2, target="estates", estates=[world["east"]])
    with tenant_context(company_a):
        o1, o3 = world["owners"]["o1"][1], world["owners"]["o3"][1]
        with pytest.raises(DomainError) as error:
            services.sign_up(activity=made, user=o1, people=3)
        assert "people" in error.value.fields
        with pytest.raises(DomainError) as error:  # west's owner: not targeted
            services.sign_up(activity=made, user=o3)
        assert "house" in error.value.fields
        with pytest.raises(DomainError) as error:  # someone else's house
            services.sign_up(activity=made, user=o1, house=world["east_houses"][1])
        assert "house" in error.value.fields
        with pytest.raises(DomainError) as error:
            services.sign_up(activity=made, user=o1, now=made.signup_deadline + timedelta(seconds=1))
        assert error.value.code == "deadline_passed"
        signup = services.sign_up(activity=made, user=o1, now=made.signup_deadline)
        assert signup.house == world["east_houses"][0]
        with pytest.raises(DomainError) as error:
            services.cancel_signup(signup=signup, actor=o1, now=made.start_at)
        assert error.value.code == "started"
        services.cancel_signup(signup=signup, actor=o1, now=made.start_at - timedelta(seconds=1))
        with pytest.raises(DomainError) as error:
            services.cancel_signup(signup=signup, actor=o1)
        assert error.value.code == "already_cancelled"


def test_a_draft_or_cancelled_activity_takes_no_sign_up_and_cancelling_tells_the_signed_up(company_a, world):
    made = activity(company_a, capacity=1, max_people=1)
    with tenant_context(company_a):
        admin = User.objects.get(username="admin")
        o1, o2 = world["owners"]["o1"][1], world["owners"]["o2"][1]
        services.sign_up(activity=made, user=o1)
        services.sign_up(activity=made, user=o2)
        services.cancel_activity(activity=made, actor=admin)
        assert set(SignUp.objects.filter(activity=made).values_list("status", flat=True)) == {"cancelled"}
        assert _inbox("activity.cancelled", o1) == 1 and _inbox("activity.cancelled", o2) == 1
        with pytest.raises(DomainError) as error:
            services.sign_up(activity=made, user=o1)
        assert error.value.code == "bad_status"


# --- check-in -----------------------------------------------------------------------------------------


def test_check_in_by_code_is_idempotent(company_a, client_for, world):
    made = activity(company_a, capacity=1, max_people=1)
    c1 = world["owners"]["o1"][0]
    code = c1.post(f"/api/v1/owner/activities/{made.pk}/sign-up/", {}, format="json").json()["my_signup"][
        "check_in_code"
    ]
    with tenant_context(company_a):
        waiting = services.sign_up(activity=made, user=world["owners"]["o2"][1])
    staff = client_for(company_a, "service")
    url = f"/api/v1/activities/{made.pk}/check-in/"
    first = staff.post(url, {"code": code}, format="json")
    assert first.status_code == 200, first.content
    assert first.json()["already_checked_in"] is False
    second = staff.post(url, {"code": code}, format="json").json()
    assert second["already_checked_in"] is True
    assert second["signup"]["checked_in_at"] == first.json()["signup"]["checked_in_at"]
    bad = staff.post(url, {"code": "guess"}, format="json")
    assert bad.status_code == 400 and "code" in bad.json()["fields"]
    assert staff.post(url, {"code": waiting.check_in_code}, format="json").status_code == 400
    other = activity(company_a)
    assert staff.post(f"/api/v1/activities/{other.pk}/check-in/", {"code": code}, format="json").status_code == 400
    with tenant_context(company_a):
        assert AuditEvent.objects.filter(action="activity.check_in").count() == 1


# --- figures -------------------------------------------------------------------------------------------


def test_stats_per_activity_and_by_month(company_a, client_for, world):
    made = activity(company_a, capacity=2, max_people=2)
    with tenant_context(company_a):
        admin = User.objects.get(username="admin")
        o1, o2, o3 = (world["owners"][n][1] for n in ("o1", "o2", "o3"))
        a = services.sign_up(activity=made, user=o1, people=2)
        services.sign_up(activity=made, user=o3)
        gone = services.sign_up(activity=made, user=o2)
        services.cancel_signup(signup=gone, actor=o2)
        services.check_in(activity=made, code=a.check_in_code, actor=admin)
    staff = client_for(company_a, "service")
    stats = staff.get(f"/api/v1/activities/{made.pk}/stats/").json()
    assert {
        k: stats[k] for k in ("capacity", "confirmed", "confirmed_people", "waiting", "cancelled", "checked_in")
    } == {
        "capacity": 2,
        "confirmed": 1,
        "confirmed_people": 2,
        "waiting": 1,
        "cancelled": 1,
        "checked_in": 1,
    }
    by_estate = {row["estate_name"]: row for row in stats["by_estate"]}
    assert by_estate["东苑"]["confirmed"] == 1 and by_estate["东苑"]["cancelled"] == 1
    assert by_estate["西苑"]["waiting"] == 1
    month = timezone.localtime(made.start_at)
    months = staff.get(f"/api/v1/activities/monthly-stats/?year={month.year}").json()
    row = next(m for m in months if m["month"] == month.strftime("%Y-%m"))
    assert row["activities"] == 1 and row["confirmed_people"] == 2 and row["checked_in"] == 1
    assert staff.get("/api/v1/activities/monthly-stats/?year=1").status_code == 400
    listed = staff.get("/api/v1/activities/").json()["results"][0]
    assert listed["confirmed_people"] == 2 and listed["waiting_count"] == 1
    signups = staff.get(f"/api/v1/activities/{made.pk}/signups/").json()["results"]
    assert [s["status"] for s in signups] == ["confirmed", "waiting", "cancelled"]
