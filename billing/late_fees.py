"""Late fees (滞纳金): a policy per fee item, computed by a pluggable strategy.

The rule every strategy shares (pinned by tests):
- a charge is payable through its due day inclusive; grace days start the day AFTER the due day;
- with g grace days the first late day is due + g + 1, and on day `as_of` the days late are
  (as_of − due) − g, or 0 when that is not positive;
- the fee is on the unpaid principal only (no compounding on earlier late fees);
- the total is rounded half-up to the fen, then capped: by cap_amount, and by cap_rate × principal
  rounded DOWN to the fen (a cap is never exceeded by rounding).

Strategies:
- none: no late fee;
- daily_rate: principal × rate × days late (HC's LateFeeByDayRule, counted from the due day);
- monthly_rate: principal × rate × started months of lateness, where month m (1, 2, …) starts on
  add_months(first late day, m − 1) — the first late day starts month 1, the same day-of-month a month
  later starts month 2 (clamped to the month end, stepped from the first late day);
- fixed: `amount` once, from the first late day.

A company-specific rule (HC's 枣庄 variant) is one more entry in STRATEGIES via `register_strategy`,
not a fork of this module.
"""

from __future__ import annotations

import dataclasses
import decimal
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, Protocol

from django.utils.translation import gettext as _

from billing.money import CENT, PRECISION, Place, Rounding, add_months, money, round_money

MAX_GRACE_DAYS = 3650


class LateFeeConfigError(ValueError):
    """A late-fee setting that cannot be used; `field` names the setting (for API field errors)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


class LateFeeStrategy(Protocol):
    def __call__(self, policy: LateFeePolicy, *, principal: Decimal, due: date, as_of: date, days_late: int) -> Decimal:
        """The unrounded, uncapped late fee; only called when days_late > 0."""
        ...


STRATEGIES: dict[str, LateFeeStrategy] = {}
# The policy fields a strategy needs to be positive (checked when a policy is built).
STRATEGY_REQUIRES: dict[str, tuple[str, ...]] = {}


def register_strategy(name: str, *, requires: tuple[str, ...] = ()) -> Callable[[LateFeeStrategy], LateFeeStrategy]:
    def register(strategy: LateFeeStrategy) -> LateFeeStrategy:
        STRATEGIES[name] = strategy
        STRATEGY_REQUIRES[name] = requires
        return strategy

    return register


@dataclass(frozen=True)
class LateFeePolicy:
    """How a fee item charges for late payment (its stored config, validated)."""

    strategy: str
    rate: Decimal = Decimal(0)
    amount: Decimal = Decimal(0)
    grace_days: int = 0
    cap_rate: Decimal | None = None
    cap_amount: Decimal | None = None

    def __post_init__(self) -> None:
        _validate(self)


def _validate(policy: LateFeePolicy) -> None:
    if policy.strategy not in STRATEGIES:
        raise LateFeeConfigError(
            "strategy",
            _("未知的滞纳金计算方式“%(strategy)s”（可选：%(choices)s）。")
            % {"strategy": policy.strategy, "choices": "、".join(STRATEGIES)},
        )
    for field in ("rate", "amount", "cap_rate", "cap_amount"):
        value = getattr(policy, field)
        if value is None and field.startswith("cap_"):
            continue
        if not isinstance(value, Decimal) or not value.is_finite():
            raise LateFeeConfigError(field, _("%(field)s 必须是 Decimal。") % {"field": field})
        if value < 0:
            raise LateFeeConfigError(field, _("%(field)s 不能为负数。") % {"field": field})
    if policy.rate > 1:
        raise LateFeeConfigError("rate", _("滞纳金比例 rate 不能大于 1（即 100%）。"))
    for field in ("amount", "cap_amount"):
        value = getattr(policy, field)
        if value is not None and value != value.quantize(CENT, rounding=decimal.ROUND_DOWN):
            raise LateFeeConfigError(field, _("%(field)s 最多两位小数（到分）。") % {"field": field})
    if isinstance(policy.grace_days, bool) or not isinstance(policy.grace_days, int):
        raise LateFeeConfigError("grace_days", _("宽限天数 grace_days 必须是整数。"))
    if not 0 <= policy.grace_days <= MAX_GRACE_DAYS:
        raise LateFeeConfigError(
            "grace_days", _("宽限天数 grace_days 必须在 0 到 %(max)s 之间。") % {"max": MAX_GRACE_DAYS}
        )
    for field in STRATEGY_REQUIRES.get(policy.strategy, ()):
        if not getattr(policy, field) > 0:
            raise LateFeeConfigError(
                field,
                _("滞纳金计算方式 %(strategy)s 需要大于 0 的 %(field)s。")
                % {"strategy": policy.strategy, "field": field},
            )


_CONFIG_FIELDS = {field.name for field in dataclasses.fields(LateFeePolicy)}


def _decimal_setting(config: Mapping[str, Any], field: str, *, optional: bool = False) -> Decimal | None:
    value = config.get(field)
    if value is None:
        return None if optional else Decimal(0)
    if isinstance(value, float):
        raise LateFeeConfigError(
            field,
            _('%(field)s 请以文本填写（如 "0.0005"），不能用浮点数 %(value)s。') % {"field": field, "value": value},
        )
    try:
        return money(value)
    except (TypeError, ValueError):
        raise LateFeeConfigError(
            field, _("%(field)s 不是有效的数：%(value)s。") % {"field": field, "value": value}
        ) from None


def policy_from_config(config: Mapping[str, Any]) -> LateFeePolicy:
    """The policy stored on a fee item as JSON, e.g. {"strategy": "daily_rate", "rate": "0.0005",
    "grace_days": 15, "cap_rate": "1"}. Numbers are text or integers (never float). An empty config
    means no late fee. Unknown keys are refused, so a typo cannot silently switch a rule off."""
    if not isinstance(config, Mapping):
        raise LateFeeConfigError("strategy", _("滞纳金设置必须是一个对象。"))
    if not config:
        return LateFeePolicy(strategy="none")
    unknown = sorted(set(config) - _CONFIG_FIELDS)
    if unknown:
        raise LateFeeConfigError(unknown[0], _("滞纳金设置里有未知的项“%(field)s”。") % {"field": unknown[0]})
    strategy = config.get("strategy")
    if not isinstance(strategy, str):
        raise LateFeeConfigError("strategy", _("请选择滞纳金计算方式 strategy。"))
    grace_days = config.get("grace_days", 0)
    if isinstance(grace_days, bool) or not isinstance(grace_days, int):
        raise LateFeeConfigError("grace_days", _("宽限天数 grace_days 必须是整数。"))
    return LateFeePolicy(
        strategy=strategy,
        rate=_decimal_setting(config, "rate") or Decimal(0),
        amount=_decimal_setting(config, "amount") or Decimal(0),
        grace_days=grace_days,
        cap_rate=_decimal_setting(config, "cap_rate", optional=True),
        cap_amount=_decimal_setting(config, "cap_amount", optional=True),
    )


def days_late(policy: LateFeePolicy, *, due: date, as_of: date) -> int:
    """Days late on as_of: (as_of − due) − grace, or 0. The due day itself is never late."""
    return max(0, (as_of - due).days - policy.grace_days)


def first_late_day(policy: LateFeePolicy, *, due: date) -> date:
    return due + timedelta(days=policy.grace_days + 1)


def late_fee_due(policy: LateFeePolicy, *, principal: Decimal, due: date, as_of: date) -> Decimal:
    """The total late fee accrued on an unpaid principal as of a day: rounded half-up to the fen, capped."""
    principal = money(principal)
    if principal < 0:
        raise ValueError(_("欠费本金不能为负数：%(principal)s。") % {"principal": principal})
    _validate(policy)
    late = days_late(policy, due=due, as_of=as_of)
    if late <= 0 or principal == 0:
        return Decimal("0.00")
    with decimal.localcontext(prec=PRECISION):
        raw = STRATEGIES[policy.strategy](policy, principal=principal, due=due, as_of=as_of, days_late=late)
        cap_by_rate = None if policy.cap_rate is None else principal * policy.cap_rate
    fee = round_money(raw, Rounding.HALF_UP, Place.FEN)
    if cap_by_rate is not None:
        fee = min(fee, round_money(cap_by_rate, Rounding.DOWN, Place.FEN))
    if policy.cap_amount is not None:
        fee = min(fee, round_money(policy.cap_amount, Rounding.DOWN, Place.FEN))
    return fee


@register_strategy("none")
def _no_late_fee(policy: LateFeePolicy, *, principal: Decimal, due: date, as_of: date, days_late: int) -> Decimal:
    return Decimal(0)


@register_strategy("daily_rate", requires=("rate",))
def _daily_rate(policy: LateFeePolicy, *, principal: Decimal, due: date, as_of: date, days_late: int) -> Decimal:
    return principal * policy.rate * days_late


def months_late(policy: LateFeePolicy, *, due: date, as_of: date) -> int:
    """Started months of lateness: month m starts on add_months(first late day, m − 1)."""
    start = first_late_day(policy, due=due)
    if as_of < start:
        return 0
    months = (as_of.year - start.year) * 12 + (as_of.month - start.month)
    if add_months(start, months) > as_of:
        months -= 1
    return months + 1


@register_strategy("monthly_rate", requires=("rate",))
def _monthly_rate(policy: LateFeePolicy, *, principal: Decimal, due: date, as_of: date, days_late: int) -> Decimal:
    return principal * policy.rate * months_late(policy, due=due, as_of=as_of)


@register_strategy("fixed", requires=("amount",))
def _fixed(policy: LateFeePolicy, *, principal: Decimal, due: date, as_of: date, days_late: int) -> Decimal:
    return policy.amount
