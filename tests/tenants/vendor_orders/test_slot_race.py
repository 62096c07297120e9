"""Two companies' owners racing for a vendor's last place, on two real connections: the first holds
the slot's lock until PostgreSQL shows the second waiting on it; the second then counts the first's
place and is told the slot is full. Without the lock both would count 0 and overbook."""

from __future__ import annotations

import threading

import pytest

from core.schemas import Schema
from tests.billing.concurrency import WAIT, backend_pid, in_threads, on_own_connection, wait_until_waiting

pytestmark = pytest.mark.django_db(transaction=False)


def test_two_companies_race_for_the_last_place(django_db_blocker):
    from datetime import timedelta

    from django.utils import timezone

    from companies.models import Company
    from core.actions import action
    from core.errors import DomainError
    from partners.models import ServiceSlot, SlotPlace, Vendor
    from partners.services import slots

    def prepare():
        vendor = Vendor.objects.create(
            code="RACE0001", name="抢位家政", kind="housekeeping", contact_name="王", phone="13900009999"
        )
        start = timezone.now() + timedelta(days=2)
        slot = ServiceSlot.objects.create(
            vendor=vendor, starts_at=start, ends_at=start + timedelta(hours=2), capacity=1
        )
        return vendor.pk, slot.pk, list(Company.objects.filter(slug__in=["alpha", "beta"]).order_by("slug"))

    vendor_id, slot_id, (alpha, beta) = on_own_connection(django_db_blocker, prepare)
    first_pid: list[int] = []
    second_pid: list[int] = []
    second_done = threading.Event()
    first_holds = threading.Event()

    @action(audit=False, schema=Schema.PUBLIC)  # a test's stand-in for the company's booking action
    def take(company, order_id, *, hold):
        slots.take_place(slot_id=slot_id, vendor_id=vendor_id, company=company, order_id=order_id)
        if hold:
            first_holds.set()
            assert wait_until_waiting(second_pid, second_done)
        return "taken"

    def first():
        first_pid.append(backend_pid())
        return take(alpha, 1, hold=True)

    def second():
        second_pid.append(backend_pid())
        try:
            assert first_holds.wait(WAIT)
            return take(beta, 1, hold=False)
        except DomainError as error:
            return error.code
        finally:
            second_done.set()

    def clean():
        SlotPlace.objects.filter(slot_id=slot_id).delete()
        ServiceSlot.objects.filter(pk=slot_id).delete()
        Vendor.objects.filter(pk=vendor_id).delete()

    try:
        outcomes = in_threads(django_db_blocker, first, second)
        held = on_own_connection(
            django_db_blocker, lambda: list(SlotPlace.objects.filter(slot_id=slot_id).values_list("company__slug"))
        )
    finally:
        on_own_connection(django_db_blocker, clean)
    assert outcomes == ["taken", "slot_full"]
    assert held == [("alpha",)]
