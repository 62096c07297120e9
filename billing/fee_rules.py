"""The money rules fee configuration checks against, behind one small seam.

billing.money (tiers, formulas) and billing.late_fees (late-fee policies) are written alongside this
module; everything fee configuration needs of them passes through these four functions, so a
rename there is a change here only. Each answers readable problems instead of raising.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

# Figures the admin's live check computes a sample with: a typical flat on the 6th floor.
SAMPLE_VARIABLES: dict[str, Decimal] = {
    "building_area": Decimal("89.50"),
    "usable_area": Decimal("72.30"),
    "floor": Decimal("6"),
    "coefficient": Decimal("1"),
    "usage": Decimal("12.5"),
    "months": Decimal("1"),
    "unit_price": Decimal("2.5"),
    "count": Decimal("1"),
    "days": Decimal("30"),
}


def formula_problem(formula: str) -> str | None:
    """Why the formula cannot be saved, or None: checked and computed once, so `1/0` is refused now."""
    from billing.money import FormulaError, check_formula

    try:
        check_formula(formula)
    except FormulaError as error:
        return str(error)
    return None


def formula_needs(formula: str, variable: str) -> bool:
    """Whether a valid formula reads `variable` (it fails to compute without it)."""
    from billing.money import FORMULA_VARIABLES, FormulaError, evaluate_formula

    every = {name: Decimal(1) for name in FORMULA_VARIABLES}
    try:
        evaluate_formula(formula, {name: value for name, value in every.items() if name != variable})
    except FormulaError:
        try:
            evaluate_formula(formula, every)
        except FormulaError:
            return False  # it fails for another reason (a negative sample), not for want of `variable`
        return True
    return False


def formula_sample(formula: str) -> tuple[Decimal | None, str]:
    """The formula's value for SAMPLE_VARIABLES, or None and why it cannot be computed for them."""
    from billing.money import FORMULA_VARIABLES, FormulaError, evaluate_formula

    variables = {name: value for name, value in SAMPLE_VARIABLES.items() if name in FORMULA_VARIABLES}
    try:
        return evaluate_formula(formula, variables), ""
    except FormulaError as error:
        return None, str(error)


def tier_problems(tiers: Sequence[tuple[Decimal | None, Decimal]]) -> list[str]:
    from billing.money import validate_tiers

    return list(validate_tiers(tiers))


def late_fee_problem(config: Mapping[str, Any]) -> tuple[str, str] | None:
    """(setting, why) when the late-fee configuration cannot be used, else None."""
    from billing.late_fees import LateFeeConfigError, policy_from_config

    try:
        policy_from_config(config)
    except LateFeeConfigError as error:
        return error.field, error.message
    return None
