"""Charges whose amount needs Python: meter usage (tiered, time-of-use), shared meters, formulas.

They bill the same cycles as the SQL modes (charge_sql.cycles_sql, one chunk of houses at a time),
compute each amount with billing.money (rounded once) and go in with ON CONFLICT DO NOTHING.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Any

from django.db import connection
from django.utils.translation import gettext as _

from billing import money
from billing.models import Charge, FeeItem
from billing.selectors import meters as meter_selectors
from billing.services import charge_sql


@dataclass
class Row:
    house_id: int
    estate_id: int
    building_id: int
    cycle_start: date
    period_start: date
    period_end: date
    amount: Decimal
    calculation: dict[str, Any]


@dataclass
class Computed:
    rows: list[Row] = field(default_factory=list)
    no_price: int = 0
    exceptions: list[dict[str, Any]] = field(default_factory=list)


_JSON_COLUMNS = ("tiers", "register_prices")


def _cycles(item: FeeItem, values: dict[str, Any]) -> list[dict[str, Any]]:
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL jit = off")  # see charge_sql.run
        cursor.execute(charge_sql.cycles_sql(item), values)
        names = [column.name for column in cursor.description or []]
        rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    for row in rows:  # Django has psycopg hand jsonb over as text
        for column in _JSON_COLUMNS:
            if isinstance(row[column], str):
                row[column] = json.loads(row[column])
    return rows


def _months(item: FeeItem, cycle: dict[str, Any]) -> tuple[Decimal, Fraction]:
    """The months a period counts: the cycle's months × the share of the cycle it covers."""
    if not item.periodic:
        exact = Fraction(1)
    else:
        share = money.fraction_of_period(
            (cycle["cycle_start"], cycle["cycle_end"]), cycle["period_start"], cycle["period_end"]
        )
        exact = item.cycle_months * share
    return Decimal(exact.numerator) / Decimal(exact.denominator), exact


def _usage_amount(usage: dict[str, Decimal], cycle: dict[str, Any]) -> tuple[Decimal, dict[str, Any]]:
    register_prices = cycle["register_prices"] or {}
    if register_prices and set(usage) - {"total"}:
        exact = sum(
            (usage.get(register, Decimal("0")) * Decimal(str(price)) for register, price in register_prices.items()),
            Decimal("0"),
        )
        return exact, {"usage": {k: str(v) for k, v in usage.items()}, "register_prices": register_prices}
    total = usage.get("total", sum(usage.values(), Decimal("0")))
    tiers = cycle["tiers"] or []
    if tiers:
        bands = [(None if upper is None else Decimal(str(upper)), Decimal(str(price))) for upper, price in tiers]
        return money.tiered_amount(total, bands), {"usage": str(total), "tiers": tiers}
    return total * cycle["unit_price"], {"usage": str(total), "unit_price": str(cycle["unit_price"])}


def compute(item: FeeItem, values: dict[str, Any]) -> Computed:
    """The charges one chunk would get, with what was left out and why."""
    cycles = _cycles(item, values)
    result = Computed()
    usage_cache: dict[tuple[date, date], dict[int, dict[str, Any]]] = {}
    for cycle in cycles:
        if cycle["price_id"] is None:
            result.no_price += 1
            continue
        window = (cycle["cycle_start"], cycle["cycle_end"])
        calculation: dict[str, Any] = {
            "mode": item.mode,
            "price_id": cycle["price_id"],
            "rounding": item.rounding,
            "place": item.rounding_place,
        }
        if item.mode in ("meter", "shared_meter"):
            if window not in usage_cache:
                house_ids = [c["house_id"] for c in cycles if (c["cycle_start"], c["cycle_end"]) == window]
                usage_cache[window] = meter_selectors.billable_usage(
                    meter_kind=item.meter_kind,
                    shared=item.mode == "shared_meter",
                    cycle_start=window[0],
                    cycle_end=window[1],
                    house_ids=house_ids,
                )
            found = usage_cache[window].get(cycle["house_id"])
            if not found:
                if len(result.exceptions) < 50:
                    result.exceptions.append({"house": cycle["house_id"], "reason": _("本周期没有可计费的抄表读数")})
                continue
            exact, detail = _usage_amount(found["usage"], cycle)
            exact += cycle["fixed_extra"]
            calculation.update(detail, readings=found.get("readings", []), fixed_extra=str(cycle["fixed_extra"]))
        elif item.mode == "formula":
            months, fraction = _months(item, cycle)
            variables: dict[str, Decimal | int] = {
                "building_area": cycle["building_area"],
                "usable_area": cycle["usable_area"],
                "floor": cycle["floor"],
                "coefficient": cycle["fee_coefficient"],
                "usage": cycle["quantity"],
                "months": months,
                "unit_price": cycle["unit_price"],
                "count": cycle["quantity"],
                "days": (cycle["period_end"] - cycle["period_start"]).days,
            }
            try:
                exact = money.evaluate_formula(cycle["formula"], variables)
            except money.FormulaError as error:
                if len(result.exceptions) < 50:
                    result.exceptions.append({"house": cycle["house_id"], "reason": str(error)})
                continue
            calculation.update(
                formula=cycle["formula"],
                months=f"{fraction.numerator}/{fraction.denominator}",
                variables={k: str(v) for k, v in variables.items()},
            )
        else:
            raise ValueError(f"{item.mode} is computed in SQL")
        amount = money.round_money(exact, item.rounding, item.rounding_place)
        result.rows.append(
            Row(
                house_id=cycle["house_id"],
                estate_id=cycle["estate_id"],
                building_id=cycle["building_id"],
                cycle_start=cycle["cycle_start"],
                period_start=cycle["period_start"],
                period_end=cycle["period_end"],
                amount=amount,
                calculation=calculation,
            )
        )
    return result


def already_billed(item: FeeItem, rows: list[Row]) -> set[tuple[int, date]]:
    if not rows:
        return set()
    found = Charge.objects.filter(
        fee_item=item,
        kind="regular",
        house_id__in={r.house_id for r in rows},
        cycle_start__in={r.cycle_start for r in rows},
    ).values_list("house_id", "cycle_start")
    return set(found)


def insert(item: FeeItem, values: dict[str, Any]) -> list[tuple[int, Decimal]]:
    """Insert one chunk's charges; returns (house, amount) of each row that was new."""
    computed = compute(item, values)
    if not computed.rows:
        return []
    before = already_billed(item, computed.rows)
    fresh = [r for r in computed.rows if (r.house_id, r.cycle_start) not in before]
    Charge.objects.bulk_create(
        [
            Charge(
                house_id=r.house_id,
                estate_id=r.estate_id,
                building_id=r.building_id,
                fee_item=item,
                kind="regular",
                cycle_start=r.cycle_start,
                period_start=r.period_start,
                period_end=r.period_end,
                amount=r.amount,
                issued_on=values["as_of"],
                due_date=values["due_date"],
                calculation=r.calculation,
                bill_run_id=values["bill_run"],
            )
            for r in fresh
        ],
        ignore_conflicts=True,
    )
    return [(r.house_id, r.amount) for r in fresh]
