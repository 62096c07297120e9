"""Races between two real connections: a vacancy approved while a bill run's chunk is issuing the same
house's charge, and two refunds reversing the same allocation at once.

Each side runs on a thread of its own (its own connection, committing), in a scratch company dropped
afterwards (ledger rows cannot be deleted). Where the interleaving matters, the first side holds its
transaction open until PostgreSQL shows the second one waiting on a lock (or the second is done), so
the dangerous order is forced rather than hoped for.
"""

from __future__ import annotations

import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone
from django_tenants.utils import tenant_context

from tests.billing.concurrency import WAIT, backend_pid, in_threads, on_own_connection, wait_until_waiting

pytestmark = pytest.mark.django_db(transaction=False)


def test_a_vacancy_approved_while_a_chunk_issues_the_charge_discounts_it_once(
    scratch_company, django_db_blocker, monkeypatch
):
    """The chunk has issued the charge and looked for approved vacancies (none yet); the approval comes
    before the chunk commits. Without a shared lock each is blind to the other and the charge keeps its
    full amount; with it the approval waits for the chunk and then discounts the committed charge."""
    from accounts.models import User
    from billing import money
    from billing.models import Charge
    from billing.services import bill_runs, discount_rules, vacancies
    from tenants.estates.models import House
    from tests.billing.test_bill_runs import _estate, _fee

    company = scratch_company

    def prepare():
        estate = _estate(company, name="空置竞争", floors=1, per_floor=1)
        with tenant_context(company):
            today = timezone.localdate()
            this_month = today.replace(day=1)
            house = House.objects.get(estate=estate)
            item = _fee(name="物业费", houses=[house], start=this_month)
            admin, cashier = User.objects.get(username="admin"), User.objects.get(username="cashier")
            rule = discount_rules.create_rule(
                actor=admin,
                fee_items=[item],
                name="空置半价",
                kind="vacancy",
                percent=Decimal("50"),
                valid_from=this_month - timedelta(days=1),
            )
            vacancy = vacancies.request_vacancy(
                house=house,
                fee_item=item,
                rule=rule,
                start=this_month,
                end=money.add_months(this_month, 1),
                reason="未入住",
                actor=cashier,
            )
            run = bill_runs.create_bill_run(as_of=today, estate=estate, actor=None)
            run = bill_runs.start_bill_run(run=run, actor=None)
        return house, vacancy, run, admin

    with django_db_blocker.unblock():
        house, vacancy, run, admin = on_own_connection(django_db_blocker, prepare)
        applied, approved = threading.Event(), threading.Event()
        approver_pid: list[int] = []
        real_apply = vacancies.apply_to_run_chunk

        def apply_then_hold(**kwargs):
            found = real_apply(**kwargs)
            applied.set()
            wait_until_waiting(approver_pid, approved)  # keep the chunk open while the approval happens
            return found

        monkeypatch.setattr(vacancies, "apply_to_run_chunk", apply_then_hold)

        def issue():
            with tenant_context(company):
                bill_runs.execute_bill_run(bill_run_id=run.pk)

        def approve():
            assert applied.wait(WAIT), "the chunk never reached its discount step"
            with tenant_context(company):
                approver_pid.append(backend_pid())
                vacancies.approve_vacancy(vacancy=vacancy, actor=admin)
            approved.set()

        in_threads(django_db_blocker, issue, approve)

        def ledger():
            with tenant_context(company):
                charge = Charge.objects.get(house=house, kind="regular")
                lines = list(Charge.objects.filter(principal=charge, kind="adjustment"))
                return charge.amount, [line.amount for line in lines]

        amount, lines = on_own_connection(django_db_blocker, ledger)
    assert amount == Decimal("223.75")
    assert lines == [Decimal("-111.87")]  # 223.75 − round(111.875) to pay, once


def _paid_with_two_refund_requests(company):
    """A house's charge paid in full, and two pending refunds of 60% of that payment each."""
    from accounts.models import User
    from billing.models import Allocation, Charge
    from billing.services import payments, refunds
    from tests.billing.test_ledger_api import _world

    world = _world(company, name="退款竞争", floors=1, per_floor=1)
    house = world["houses"][0]
    with tenant_context(company):
        cashier = User.objects.get(username="cashier")
        charge = Charge.objects.filter(house=house, kind="regular").order_by("due_date").first()
        payment = payments.record_payment(
            house=house,
            amount=charge.amount,
            method="cash",
            idempotency_key="refund-race",
            actor=cashier,
            charge_ids=[charge.pk],
        )
        allocation = Allocation.objects.get(payment=payment, reverses__isnull=True)
        part = (allocation.amount * Decimal("0.6")).quantize(Decimal("0.01"))
        requests = [
            refunds.request_refund(
                house=house,
                source="payment",
                payment=payment,
                amount=part,
                method="cash",
                reason=f"多收{i}",
                actor=cashier,
            )
            for i in range(2)
        ]
    return allocation, part, requests


def _reversed(company, allocation) -> tuple[int, Decimal]:
    from billing.models import Allocation

    with tenant_context(company):
        rows = list(Allocation.objects.filter(reverses=allocation))
        return len(rows), -sum((row.amount for row in rows), Decimal("0.00"))


def test_two_refunds_approved_at_once_never_reverse_beyond_the_allocation(
    scratch_company, django_db_blocker, client_for
):
    company = scratch_company
    with django_db_blocker.unblock():
        allocation, part, requests = on_own_connection(
            django_db_blocker, lambda: _paid_with_two_refund_requests(company)
        )
        # One client per thread: a test client is not safe to share between threads.
        approvers = on_own_connection(
            django_db_blocker, lambda: [client_for(company, "admin"), client_for(company, "admin")]
        )
        barrier = threading.Barrier(2)

        def approve(refund, approver):
            def work():
                barrier.wait()
                response = approver.post(f"/api/v1/refunds/{refund.pk}/approve/", {"note": ""}, format="json")
                return response.status_code, response.json()

            return work

        answers = in_threads(
            django_db_blocker,
            *(approve(refund, approver) for refund, approver in zip(requests, approvers, strict=True)),
        )
        count, total = on_own_connection(django_db_blocker, lambda: _reversed(company, allocation))
    assert sorted(status for status, _body in answers) == [200, 409], answers
    assert [body["code"] for status, body in answers if status == 409] == ["refund_exceeds"]
    assert (count, total) == (1, part) and total <= allocation.amount


def test_the_database_refuses_a_concurrent_reversal_beyond_the_allocation(scratch_company, django_db_blocker):
    """Below the service (no payer lock): two reversals of 60% inserted at once on two connections. The
    trigger's row lock makes the second wait for the first and then count it, so it is refused."""
    from billing.models import Allocation

    company = scratch_company
    with django_db_blocker.unblock():
        allocation, part, _requests = on_own_connection(
            django_db_blocker, lambda: _paid_with_two_refund_requests(company)
        )
        inserted, second_done = threading.Event(), threading.Event()
        second_pid: list[int] = []

        def reversal():
            return Allocation(
                payment_id=allocation.payment_id, charge_id=allocation.charge_id, amount=-part, reverses=allocation
            )

        def first():
            with tenant_context(company), transaction.atomic():
                reversal().save()
                inserted.set()
                return wait_until_waiting(second_pid, second_done)  # commit only once the second waits

        def second():
            assert inserted.wait(WAIT), "the first reversal never happened"
            try:
                with tenant_context(company):
                    second_pid.append(backend_pid())
                    with transaction.atomic():
                        reversal().save()
                return "saved"
            except IntegrityError as exc:
                return str(exc)
            finally:
                second_done.set()

        first_waited_for, second_outcome = in_threads(django_db_blocker, first, second)
        count, total = on_own_connection(django_db_blocker, lambda: _reversed(company, allocation))
    assert first_waited_for is True  # the second insert really waited on the first's lock
    assert "reversed beyond its amount" in second_outcome
    assert (count, total) == (1, part)
