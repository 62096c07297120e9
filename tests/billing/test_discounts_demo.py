"""The demo's discounts: its rules, one prepayment and one vacant flat's approved discount, explained."""

from __future__ import annotations

import pytest
from django.utils import timezone
from django_tenants.utils import tenant_context

from billing.models import Charge, DiscountRule, Prepayment, VacancyDiscount
from tenants.demo.billing_seed import seed_billing
from tenants.estates.models import House
from tests.billing.test_demo_billing import _demo_estates

pytestmark = pytest.mark.django_db


def test_the_demo_has_a_prepayment_and_an_approved_vacancy_each_as_explained_lines(company_a, outbox_sent):
    with tenant_context(company_a):
        _demo_estates()
        House.objects.filter(pk=House.objects.order_by("-pk").values("pk")[:1]).update(status="vacant")
        made = seed_billing(today=timezone.localdate())
        assert (made["discount_rules"], made["prepayments"], made["vacancy_discounts"]) == (4, 1, 1)
        assert DiscountRule.objects.count() == 4
        prepayment = Prepayment.objects.get()
        assert prepayment.payment.amount == prepayment.total == prepayment.gross - prepayment.discount > 0
        assert Charge.objects.filter(kind="adjustment", calculation__rule=prepayment.rule_id).count() == 12
        vacancy = VacancyDiscount.objects.get()
        assert vacancy.status == "approved"
        lines = Charge.objects.filter(kind="adjustment", calculation__discount=f"vacancy:{vacancy.pk}")
        assert lines.exists() and all("空置房物业费五折" in line.reason for line in lines)
