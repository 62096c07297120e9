"""Today's counter work in the demo: fit-out fees and deposits, waivers and refunds for the approvals screen."""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from billing.models import Charge, ChargeKind, FeeItem
from billing.money import add_months
from billing.services import charges, deposits, payments, refunds, waivers
from tenants.demo.billing_year.payers import Payer, cent
from tenants.estates.models import HouseStatus

DEPOSIT_HOUSES = 5


def counter_work(
    items: dict[str, FeeItem],
    payers: list[Payer],
    admin: Any,
    cashier: Any,
    rng: random.Random,
    today: date,
) -> dict[str, int]:
    """Today's counter work: fit-out fees and deposits for decorating houses, a waiver approved and
    one waiting, a deposit returned and a balance refund waiting."""
    settled = [p for p in payers if not p.unpaid and not p.developer and not p.prepays]
    decorating = [p.house for p in settled if p.house.status == HouseStatus.DECORATING] or [
        p.house for p in settled[:2]
    ]
    fitting = decorating[:DEPOSIT_HOUSES]
    month_end = add_months(today.replace(day=1), 1)
    held = []
    for number, house in enumerate(fitting):
        deposit = deposits.receive_deposit(
            house=house,
            amount=Decimal("2000.00"),
            method="pos" if number % 2 else "transfer",
            purpose="装修押金",
            idempotency_key=f"demo:deposit:{house.pk}",
            actor=cashier,
        )
        held.append(deposit)
        fee = charges.create_manual_charge(
            house=house,
            fee_item=items["fit_out"],
            period_start=today,
            period_end=today + timedelta(days=90),
            quantity=Decimal(1),
            actor=cashier,
            reason="装修管理费（装修期三个月）",
        )
        if number % 2 == 0:
            payments.record_payment(
                house=house,
                amount=fee.amount,
                method="cash",
                idempotency_key=f"demo:fit_out:{house.pk}",
                actor=cashier,
                charge_ids=[fee.pk],
            )
    for house, loads in zip(fitting[:2], (Decimal(2), Decimal(3)), strict=False):
        charges.create_manual_charge(
            house=house,
            fee_item=items["debris"],
            period_start=today.replace(day=1),
            period_end=month_end,
            quantity=loads,
            actor=cashier,
            reason=f"装修垃圾清运 {loads} 车",
        )

    # A deposit back after the fit-out passed inspection: requested at the counter, approved by the manager.
    if held:
        returned = refunds.request_refund(
            house=held[-1].house,
            source="deposit",
            deposit=held[-1],
            amount=held[-1].amount,
            method="transfer",
            reason="装修完工验收合格，退还装修押金",
            actor=cashier,
        )
        refunds.approve_refund(refund=returned, actor=admin, note="已核对验收单")

    # Waivers: one approved (a vacant flat's discount), one waiting for the manager.
    owing = [p for p in payers if p.unpaid and not p.developer]
    property_charges = Charge.objects.filter(fee_item=items["property"], kind=ChargeKind.REGULAR).order_by(
        "-due_date", "house_id"
    )
    vacant = next((p for p in owing if p.house.status == HouseStatus.VACANT), None)
    waiting = next((p for p in owing if p is not vacant and p.unpaid >= 2), None)
    made = 0
    if vacant is not None:
        charge = property_charges.filter(house=vacant.house).first()
        if charge is not None:
            waiver = waivers.request_waiver(
                charge=charge,
                amount=cent(charge.amount * Decimal("0.3")),
                kind="vacancy",
                reason="空置房，按物业服务合同减收 30%",
                actor=cashier,
            )
            waivers.approve_waiver(waiver=waiver, actor=admin, note="已核实空置")
            made += 1
    if waiting is not None:
        charge = property_charges.filter(house=waiting.house).first()
        if charge is not None:
            waivers.request_waiver(
                charge=charge,
                amount=cent(charge.amount * Decimal("0.5")),
                kind="reduction",
                reason="业主反映当月楼道渗水维修影响居住，申请减免一半物业费",
                actor=cashier,
            )
            made += 1

    # A balance refund waiting: the owner sold the flat.
    prepaid = next((p for p in payers if p.prepays), None)
    if prepaid is not None:
        balance = payments.balance_of(prepaid.house.pk)
        if balance > 0:
            refunds.request_refund(
                house=prepaid.house,
                source="balance",
                amount=balance,
                method="transfer",
                reason="业主已出售房屋，申请退还预存款",
                actor=cashier,
            )
    return {"deposits": len(held), "waivers": made}
