"""Two owners racing for the last seat on two real connections: one gets it, the other waits.

Each side runs on a thread of its own (its own connection, committing) in a scratch company dropped
afterwards. The first side holds its transaction open until PostgreSQL shows the second one waiting
on the activity's row lock, so the dangerous interleaving is forced rather than hoped for."""

from __future__ import annotations

import threading

import pytest
from django_tenants.utils import tenant_context

from tests.billing.concurrency import (
    WAIT,
    backend_pid,
    drop,
    in_threads,
    on_own_connection,
    provision_scratch,
    wait_until_waiting,
)

pytestmark = pytest.mark.django_db(transaction=False)


@pytest.fixture
def scratch_company(django_db_blocker):
    on_own_connection(django_db_blocker, lambda: drop("gamma"))
    company = on_own_connection(django_db_blocker, provision_scratch)
    try:
        yield company
    finally:
        on_own_connection(django_db_blocker, lambda: drop("gamma"))


def test_two_owners_racing_for_the_last_seat(scratch_company, django_db_blocker):
    from accounts.models import User
    from tenants.activities import services
    from tenants.activities.models import SignUp, SignUpStatus
    from tenants.activities.services import signups as signup_services
    from tenants.residents import services as resident_services
    from tests.tenants.activities.helpers import activity, estate_with_houses

    company = scratch_company

    def prepare():
        _estate, houses = estate_with_houses(company, "抢位苑", 2)
        made = activity(company, capacity=1, max_people=1)
        users = []
        with tenant_context(company):
            admin = User.objects.get(username="admin")
            for index, house in enumerate(houses):
                user = User.objects.create(username=f"racer{index}", name=f"抢位{index}", roles=["resident"])
                person = resident_services.create_person(actor=admin, name=f"抢位{index}")
                resident_services.add_occupancy(actor=admin, house=house, person=person, relation="owner")
                person.user = user
                person.save(update_fields=["user"])
                users.append(user)
        return made, users

    made, users = on_own_connection(django_db_blocker, prepare)
    first_pid: list[int] = []
    second_pid: list[int] = []
    second_done = threading.Event()
    first_holds = threading.Event()
    real_pick = signup_services._pick_house

    def hold_the_lock(activity, user, house):
        """The first side, holding the activity's lock, waits for the second to block on it."""
        if user.pk == users[0].pk:
            first_holds.set()
            assert wait_until_waiting(second_pid, second_done)
        return real_pick(activity, user, house)

    signup_services._pick_house = hold_the_lock

    def first():
        with tenant_context(company):
            first_pid.append(backend_pid())
            return services.sign_up(activity=made, user=users[0]).status

    def second():
        with tenant_context(company):
            second_pid.append(backend_pid())
            try:
                assert first_holds.wait(WAIT)  # the first side holds the activity's lock
                return services.sign_up(activity=made, user=users[1]).status
            finally:
                second_done.set()

    try:
        statuses = in_threads(django_db_blocker, first, second)
    finally:
        signup_services._pick_house = real_pick
    assert sorted(statuses) == [SignUpStatus.CONFIRMED, SignUpStatus.WAITING]
    assert statuses[0] == SignUpStatus.CONFIRMED  # the one holding the lock got the seat

    def count():
        with tenant_context(company):
            return dict(SignUp.objects.filter(activity_id=made.pk).values_list("user__username", "status"))

    assert on_own_connection(django_db_blocker, count) == {"racer0": "confirmed", "racer1": "waiting"}
