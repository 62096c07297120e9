"""The demo's discounts (优惠): the rules a property company typically runs — a year prepaid at 5% off,
pay 12 months get 1 free, vacant flats at half the property fee, a fixed reduction — then one payer's
prepayment at the desk and one vacant flat's approved vacancy discount, each through its service."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction

from billing.models import FeeItem
from billing.money import add_months
from billing.services import discount_rules, payments, prepay, vacancies
from core.errors import DomainError
from tenants.estates.models import House, HouseStatus


def seed_discounts(*, items: dict[str, FeeItem], admin: Any, cashier: Any, start: date, today: date) -> dict[str, int]:
    """Seed inside seed_billing's frame; returns what it made."""
    made = {"discount_rules": 0, "prepayments": 0, "vacancy_discounts": 0}
    item = items["property"]

    def rule(**values: Any) -> Any:
        made["discount_rules"] += 1
        return discount_rules.create_rule(actor=admin, fee_items=[item], valid_from=start, **values)

    rule(name="预缴一年95折", kind="prepay_percent", percent=Decimal("5"), min_cycles=12)
    rule(name="预缴两年送一月", kind="prepay_free_cycles", min_cycles=24, free_cycles=1)
    vacancy_rule = rule(name="空置房物业费五折", kind="vacancy", percent=Decimal("50"))
    rule(name="孤寡老人物业费减免", kind="fixed", amount=Decimal("30.00"), reason="孤寡老人，经业委会同意每月减免")

    houses = House.objects.filter(fee_assignments__fee_item=item).distinct().order_by("pk")
    for house in houses.filter(status__in=[HouseStatus.OCCUPIED, HouseStatus.RENTING]):
        if payments.open_lines(house.pk):
            continue  # prepayers are payers who owe nothing
        q = prepay.quote(house=house, fee_item=item, cycles=12)
        prepay.take_prepayment(
            house=house,
            fee_item=item,
            cycles=12,
            method="transfer",
            idempotency_key=f"demo-prepay-{house.pk}",
            expected_total=q.total,
            actor=cashier,
            payer_name="",
            note="预缴一年物业费",
        )
        made["prepayments"] += 1
        break

    this_month = today.replace(day=1)
    for house in houses.filter(status=HouseStatus.VACANT):
        try:
            with transaction.atomic():  # a flat paid meanwhile is skipped, not half-approved
                vacancy = vacancies.request_vacancy(
                    house=house,
                    fee_item=item,
                    rule=vacancy_rule,
                    start=this_month,
                    end=add_months(this_month, 6),
                    reason="业主未入住，房屋空置",
                    actor=cashier,
                )
                vacancies.approve_vacancy(vacancy=vacancy, actor=admin, note="已核实水电读数无变化")
        except DomainError:
            continue
        made["vacancy_discounts"] += 1
        break
    return made
