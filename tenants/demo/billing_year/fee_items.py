"""The demo's fee items, one in every charging mode, and which houses each is charged on."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from billing.models import FeeItem
from billing.services import assignments, fees
from billing.services.fees import PriceInput
from tenants.demo.billing_year.meters import MeterPlan
from tenants.estates.models import Estate, House, HouseStatus

PROPERTY_LATE_FEE = {"strategy": "daily_rate", "rate": "0.0005", "grace_days": 15, "cap_rate": "1"}
WATER_TIERS: list[list[str | None]] = [["18", "2.9000"], ["25", "3.8500"], [None, "6.7000"]]  # 杭州居民阶梯水价（月）
TIME_OF_USE = {"peak": "0.5680", "valley": "0.2880"}
ELEVATOR_FORMULA = "building_area * unit_price * months * (0.5 if floor <= 2 else 1)"


def create_fee_items(admin: Any, start: date) -> dict[str, FeeItem]:
    def create(name: str, kind: str, mode: str, price: PriceInput, **settings: Any) -> FeeItem:
        return fees.create_fee_item(
            name=name, kind=kind, mode=mode, valid_from=start, price=price, actor=admin, **settings
        )

    return {
        "property": create(
            "物业费",
            "property",
            "building_area",
            PriceInput(unit_price=Decimal("2.50")),
            late_fee=PROPERTY_LATE_FEE,
        ),
        "garbage": create(
            "垃圾处理费", "garbage", "fixed", PriceInput(unit_price=Decimal("60.00")), cycle_months=3, timing="postpaid"
        ),
        "elevator": create(
            "电梯费", "other", "formula", PriceInput(unit_price=Decimal("0.30"), formula=ELEVATOR_FORMULA)
        ),
        "parking": create("车位管理费", "parking", "count", PriceInput(unit_price=Decimal("80.00"))),
        "water": create("水费", "water", "meter", PriceInput(tiers=WATER_TIERS), timing="postpaid", meter_kind="water"),
        "electricity": create(
            "电费",
            "electricity",
            "meter",
            PriceInput(unit_price=Decimal("0.5380"), register_prices=TIME_OF_USE),
            timing="postpaid",
            meter_kind="electricity",
        ),
        "shared": create(
            "公摊电费",
            "shared",
            "shared_meter",
            PriceInput(unit_price=Decimal("0.5380")),
            timing="postpaid",
            meter_kind="electricity",
        ),
        "deposit": create(
            "装修押金",
            "deposit",
            "fixed",
            PriceInput(unit_price=Decimal("2000.00")),
            cycle_months=0,
            balance_may_pay=False,
            payable_online=False,
        ),
        "fit_out": create("装修管理费", "one_off", "fixed", PriceInput(unit_price=Decimal("300.00")), cycle_months=0),
        "debris": create("装修垃圾清运费", "other", "usage", PriceInput(unit_price=Decimal("150.00")), cycle_months=0),
    }


def assign_fee_items(items: dict[str, FeeItem], admin: Any, start: date, plan: MeterPlan, parked: list[House]) -> None:
    lived_in = [HouseStatus.OCCUPIED, HouseStatus.RENTING, HouseStatus.DECORATING]
    for estate in Estate.objects.order_by("pk"):
        assignments.assign_fee_item(fee_item=items["property"], start=start, actor=admin, estate=estate)
        assignments.assign_fee_item(
            fee_item=items["garbage"], start=start, actor=admin, estate=estate, statuses=lived_in
        )
    # The first building's lifts were renewed and are charged apart, by floor (电梯费).
    assignments.assign_fee_item(fee_item=items["elevator"], start=start, actor=admin, building=plan.building)
    for house in plan.water_houses:
        assignments.assign_fee_item(fee_item=items["water"], start=start, actor=admin, house=house)
    for house in plan.power_houses:
        assignments.assign_fee_item(fee_item=items["electricity"], start=start, actor=admin, house=house)
    assignments.assign_fee_item(fee_item=items["shared"], start=start, actor=admin, building=plan.building)
    for number, house in enumerate(parked):
        quantity = Decimal(2) if number % 9 == 0 else Decimal(1)
        assignments.assign_fee_item(fee_item=items["parking"], start=start, actor=admin, house=house, quantity=quantity)
