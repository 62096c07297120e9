"""The ledger's database checks refuse what no service may write (billing 0002's rules, as 0011 and 0012
check them per statement and at commit): an allocation beyond its charge, a payment not spent to
the fen at commit — whatever code path writes the rows."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import IntegrityError, InternalError, connection, transaction
from django.utils import timezone
from django_tenants.utils import tenant_context

from billing.models import Allocation, Payment
from billing.services import payments
from tests.billing.test_adjustments import _billed_house, _people

pytestmark = pytest.mark.django_db


def test_an_allocation_beyond_its_charge_is_refused_per_statement(company_a, outbox_sent):
    cashier, _admin = _people(company_a)
    house, _item, charge = _billed_house(company_a)
    with tenant_context(company_a):
        first = payments.record_payment(
            house=house, amount=Decimal("100.00"), method="cash", idempotency_key="tr1", actor=cashier
        )
        rest = charge.amount - Decimal("100.00")
        # Two rows in one statement that together exceed the charge by a fen: the statement is refused.
        rows = [
            Allocation(payment=first, charge=charge, amount=rest),
            Allocation(payment=first, charge=charge, amount=Decimal("0.01")),
        ]
        with pytest.raises((IntegrityError, InternalError), match="over-allocated"), transaction.atomic():
            Allocation.objects.bulk_create(rows)
        assert sum(a.amount for a in Allocation.objects.filter(charge=charge)) == Decimal("100.00")


def test_a_payment_not_spent_to_the_fen_is_refused_at_commit(company_a, outbox_sent):
    cashier, _admin = _people(company_a)
    house, _item, charge = _billed_house(company_a)
    with tenant_context(company_a):
        now = timezone.now()
        with pytest.raises((IntegrityError, InternalError), match="is spent as"), transaction.atomic():
            payment = Payment.objects.create(
                house=house,
                estate_id=house.estate_id,
                method="cash",
                amount=Decimal("50.00"),
                received_at=now,
                business_date=timezone.localdate(now),
                idempotency_key="tr-unspent",
                cashier=cashier,
            )
            Allocation.objects.create(payment=payment, charge=charge, amount=Decimal("49.99"))
            with connection.cursor() as cursor:  # what COMMIT does: run the deferred checks now
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        assert not Payment.objects.filter(idempotency_key="tr-unspent").exists()
