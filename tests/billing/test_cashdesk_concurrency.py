"""Two cashiers paying the same charge at the same instant, on two database connections.

The data must be committed for the other connections to see it, so the test works in a scratch
company (tests/billing/conftest.py). Everything that writes runs on threads of its own (own
connections, committing), as in production.
"""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.db import connections
from django_tenants.utils import tenant_context

from tests.billing.concurrency import on_own_connection
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db(transaction=False)


def test_two_cashiers_paying_one_charge_at_once_allocate_it_once(scratch_company, django_db_blocker, client_for):
    from accounts import services as account_services
    from billing.models import Allocation, Charge, Payment
    from tests.billing.test_ledger_api import _world

    company = scratch_company

    def prepare():
        world = _world(company)
        house = world["houses"][1]
        with tenant_context(company):
            account_services.create_user(username="cashier2", name="收银员二", roles=["cashier"], password=PASSWORD)
            charge = Charge.objects.filter(house=house).order_by("due_date").first()
        return house, charge, [client_for(company, "cashier"), client_for(company, "cashier2")]

    house, charge, clients = on_own_connection(django_db_blocker, prepare)
    barrier = threading.Barrier(2)
    answers: list[tuple[int, dict]] = []

    def pay(index: int) -> None:
        with django_db_blocker.unblock():
            try:
                barrier.wait()
                response = clients[index].post(
                    f"/api/v1/cashdesk/houses/{house.pk}/pay/",
                    {
                        "amount": str(charge.amount),
                        "method": "cash",
                        "charge_ids": [charge.pk],
                        "idempotency_key": f"race-{index}",
                    },
                    format="json",
                )
                answers.append((response.status_code, response.json()))
            finally:
                connections.close_all()

    threads = [threading.Thread(target=pay, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(status for status, _body in answers) == [201, 409], answers
    assert [body["code"] for status, body in answers if status == 409] == ["charge_not_due"]

    def ledger():
        with tenant_context(company):
            allocated = sum((a.amount for a in Allocation.objects.filter(charge=charge)), Decimal("0"))
            return Payment.objects.filter(house=house).count(), allocated

    assert on_own_connection(django_db_blocker, ledger) == (1, charge.amount)
