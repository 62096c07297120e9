"""Two cashiers paying the same charge at the same instant, on two database connections.

The data must be committed for the second connection to see it, and ledger rows cannot be deleted
(the database refuses), so the test provisions a scratch company and drops its schema afterwards.
"""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.db import connection, connections
from django_tenants.utils import tenant_context

from tests.conftest import PASSWORD, _provision


@pytest.fixture
def scratch_company(django_db_blocker):
    from companies.models import Company, Signup
    from core.outbox.models import OutboxMessage

    with django_db_blocker.unblock():
        company = _provision("gamma", "伽马物业")
    try:
        yield company
    finally:
        with django_db_blocker.unblock():
            connection.set_schema_to_public()
            signups = [f"signup:{pk}" for pk in Signup.objects.filter(slug="gamma").values_list("pk", flat=True)]
            Company.objects.get(pk=company.pk).delete(force_drop=True)
            OutboxMessage.objects.filter(schema_name="public", key__in=signups).delete()
            Signup.objects.filter(slug="gamma").delete()


def test_two_cashiers_paying_one_charge_at_once_allocate_it_once(scratch_company, django_db_blocker, client_for):
    from accounts import services as account_services
    from billing.models import Allocation, Charge, Payment
    from tests.billing.test_ledger_api import _world

    company = scratch_company
    with django_db_blocker.unblock():
        world = _world(company)
        house = world["houses"][1]
        with tenant_context(company):
            account_services.create_user(username="cashier2", name="cashier2", roles=["cashier"], password=PASSWORD)
            charge = Charge.objects.filter(house=house).order_by("due_date").first()
        clients = [client_for(company, "cashier"), client_for(company, "cashier2")]

    barrier = threading.Barrier(2)
    statuses: list[int] = []
    bodies: list[dict] = []

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
                statuses.append(response.status_code)
                bodies.append(response.json())
            finally:
                connections.close_all()

    threads = [threading.Thread(target=pay, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(statuses) == [201, 409], bodies
    assert any(body.get("code") == "charge_not_due" for body in bodies)
    with django_db_blocker.unblock(), tenant_context(company):
        assert Payment.objects.filter(house=house).count() == 1
        allocated = sum((a.amount for a in Allocation.objects.filter(charge=charge)), Decimal("0"))
        assert allocated == charge.amount
