"""Prepayment at the desk (预缴): N future cycles of a periodic fee item issued now, priced exactly as a
bill run prices them (billing.services.charge_sql / python_modes), the best prepay rule applied as
adjustment lines, and paid through record_payment — one transaction with its audit row.

Issued charges keep the ledger's unique (house, fee item, cycle) key, so a later bill run skips them
and a second prepayment starts after them. A retried request (same idempotency key) returns the
first prepayment. `quote` writes nothing: it is what the cashier shows the payer before taking money,
and `take_prepayment` refuses to take money if the figures changed meanwhile.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from billing import money
from billing.models import Charge, ChargeKind, DiscountKind, DiscountRule, FeeItem, Payment, Prepayment
from billing.models.discounts import PREPAY_KINDS
from billing.services import charge_sql, common, payments, python_modes, vacancies
from billing.services.bill_runs import due_date_for
from billing.services.common import audit, field_error, lock_payer
from billing.services.discount_rules import Line, post_lines, rules_in_effect
from billing.services.fees import person
from core.actions import action
from core.errors import DomainError
from core.i18n import records_language
from tenants.estates.models import House

MAX_PREPAY_CYCLES = 60
_PLACE_UNIT = {"fen": Decimal("0.01"), "jiao": Decimal("0.10"), "yuan": Decimal("1.00")}
# Usage is only known after the cycle: metered and entered-usage items cannot be prepaid.
UNPREPAYABLE_MODES = frozenset({"meter", "shared_meter", "usage"})
ZERO = Decimal("0.00")


@dataclass
class QuoteLine:
    cycle_start: date
    period_start: date
    period_end: date
    amount: Decimal
    discount: Decimal
    calculation: dict[str, Any]
    estate_id: int
    building_id: int
    free: bool = False
    vacancy: Decimal = ZERO  # what approved vacancies take off, as a bill run would (billing.services.vacancies)

    @property
    def to_pay(self) -> Decimal:
        return self.amount - self.vacancy - self.discount


@dataclass
class Quote:
    house: House
    fee_item: FeeItem
    cycles: int
    free_cycles: int = 0
    rule: DiscountRule | None = None
    lines: list[QuoteLine] = field(default_factory=list)

    @property
    def gross(self) -> Decimal:
        return sum((line.amount for line in self.lines), ZERO)

    @property
    def rule_discount(self) -> Decimal:
        return sum((line.discount for line in self.lines), ZERO)

    @property
    def vacancy_discount(self) -> Decimal:
        return sum((line.vacancy for line in self.lines), ZERO)

    @property
    def discount(self) -> Decimal:
        return self.rule_discount + self.vacancy_discount

    @property
    def total(self) -> Decimal:
        return self.gross - self.discount

    @property
    def period_start(self) -> date:
        return self.lines[0].period_start

    @property
    def period_end(self) -> date:
        return self.lines[-1].period_end


def _priced_cycles(house: House, item: FeeItem, wanted: int) -> list[QuoteLine]:
    """The next `wanted` cycles of the item on the house not yet charged, from the cycle running today,
    each priced as a bill run would price it (fewer when the assignment or the prices run out)."""
    latest = (
        Charge.objects.filter(house=house, fee_item=item, kind=ChargeKind.REGULAR)
        .order_by("-cycle_start")
        .values_list("cycle_start", flat=True)
        .first()
    )
    horizon = money.add_months(max(latest or common.today(), common.today()), item.cycle_months * (wanted + 2))
    values = charge_sql.params(
        item, as_of=horizon, house_from=house.pk, house_to=house.pk + 1, estate=None, building=None
    )
    values.update(charge_sql.extra_params(item), due_date=horizon, bill_run=None)
    found: list[QuoteLine] = []
    if item.mode in charge_sql.SQL_MODES:
        for row in charge_sql.run(charge_sql.priced_cycles_sql(item), values):
            _house, estate_id, building_id, cycle_start, cycle_end, period_start, period_end, amount, calc = row
            if cycle_end > common.today():
                calculation = json.loads(calc) if isinstance(calc, str) else dict(calc)
                found.append(
                    QuoteLine(
                        cycle_start,
                        period_start,
                        period_end,
                        Decimal(amount),
                        ZERO,
                        calculation,
                        estate_id,
                        building_id,
                    )
                )
    else:
        for r in python_modes.compute(item, values).rows:
            if r.period_end > common.today():
                found.append(
                    QuoteLine(
                        r.cycle_start,
                        r.period_start,
                        r.period_end,
                        r.amount,
                        ZERO,
                        r.calculation,
                        r.estate_id,
                        r.building_id,
                    )
                )
    billed = set(
        Charge.objects.filter(
            house=house, fee_item=item, kind=ChargeKind.REGULAR, cycle_start__in=[line.cycle_start for line in found]
        ).values_list("cycle_start", flat=True)
    )
    fresh: dict[date, QuoteLine] = {}
    for line in found:
        if line.cycle_start not in billed and line.cycle_start not in fresh:
            fresh[line.cycle_start] = line
    lines = sorted(fresh.values(), key=lambda line: line.cycle_start)[:wanted]
    cycles = [(line.period_start, line.period_end, line.amount) for line in lines]
    for line, off in zip(lines, vacancies.planned_discounts(house_id=house.pk, item=item, cycles=cycles), strict=True):
        line.vacancy = off
    return lines


def _percent_off(lines: list[QuoteLine], percent: Decimal, item: FeeItem) -> list[Decimal]:
    """P% off the lines together (what each leaves after its vacancy discount): what is left to pay is
    rounded once with the item's rule, and the discount is spread over the lines in the item's rounding
    unit so they add up to it exactly."""
    owed = [line.amount - line.vacancy for line in lines]
    gross = sum(owed, ZERO)
    to_pay = money.round_money(gross * (Decimal("100") - percent) / Decimal("100"), item.rounding, item.rounding_place)
    discount = gross - to_pay
    if discount <= 0 or gross <= 0:
        return [ZERO for _line in lines]
    return money.largest_remainder(discount, owed, _PLACE_UNIT[item.rounding_place])


def _apply(rule: DiscountRule, priced: list[QuoteLine], cycles: int, item: FeeItem) -> list[QuoteLine] | None:
    """The lines a rule gives (the prepaid cycles, plus any free ones), or None if it cannot apply."""
    if rule.kind == DiscountKind.PREPAY_PERCENT:
        lines = [QuoteLine(**{**vars(line), "discount": ZERO}) for line in priced[:cycles]]
        assert rule.percent is not None  # the database's check: a percent rule has a percent
        for line, share in zip(lines, _percent_off(lines, rule.percent, item), strict=True):
            line.discount = share
        return lines
    free = int(rule.free_cycles or 0)
    if len(priced) < cycles + free:
        return None
    lines = [QuoteLine(**{**vars(line), "discount": ZERO}) for line in priced[: cycles + free]]
    for line in lines[cycles:]:
        line.discount, line.free = line.amount - line.vacancy, True
    return lines


def quote(*, house: House, fee_item: FeeItem, cycles: int) -> Quote:
    """What prepaying `cycles` cycles costs now: approved vacancies off each cycle (as a bill run would
    take them), then the prepay rule that gives the most off what is left."""
    if not fee_item.periodic or fee_item.mode in UNPREPAYABLE_MODES or not fee_item.active:
        raise field_error("fee_item", _("该收费项目不能预缴（须为启用的周期性、非抄表收费）。"))
    if not isinstance(cycles, int) or not 1 <= cycles <= MAX_PREPAY_CYCLES:
        raise field_error("cycles", _("预缴周期数须在 1 到 %(max)s 之间。") % {"max": MAX_PREPAY_CYCLES})
    candidates = [r for r in rules_in_effect(kind=PREPAY_KINDS, fee_item=fee_item) if (r.min_cycles or 1) <= cycles]
    extra = max((int(r.free_cycles or 0) for r in candidates), default=0)
    priced = _priced_cycles(house, fee_item, cycles + extra)
    if len(priced) < cycles:
        raise field_error(
            "cycles",
            _("该房屋最多还能预缴 %(n)s 个周期（收费对象已结束或没有价格）。") % {"n": len(priced)},
        )
    best = Quote(house=house, fee_item=fee_item, cycles=cycles, lines=priced[:cycles])
    for rule in candidates:
        lines = _apply(rule, priced, cycles, fee_item)
        if lines is None:
            continue
        candidate = Quote(
            house=house,
            fee_item=fee_item,
            cycles=cycles,
            free_cycles=sum(1 for line in lines if line.free),
            rule=rule,
            lines=lines,
        )
        if candidate.rule_discount > best.rule_discount:
            best = candidate
    if best.total <= 0:
        raise field_error("cycles", _("预缴金额为 0，无需收款。"))
    return best


def _reason(q: Quote) -> str:
    """The waiver's stored reason: in the records language (core.i18n)."""
    assert q.rule is not None
    with records_language():
        if q.rule.kind == DiscountKind.PREPAY_PERCENT:
            percent = f"{(q.rule.percent or ZERO).normalize():f}"
            detail = _("预缴 %(n)s 期优惠 %(p)s%%") % {"n": q.cycles, "p": percent}
        else:
            detail = _("预缴 %(n)s 期赠送 %(k)s 期") % {"n": q.cycles, "k": q.free_cycles}
        return _("%(name)s：%(detail)s") % {"name": q.rule.name, "detail": detail}


def _same_prepayment(payment: Payment, house: House, fee_item: FeeItem, cycles: int) -> Prepayment:
    prepayment = Prepayment.objects.filter(payment=payment).first()
    if prepayment is None or (prepayment.house_id, prepayment.fee_item_id, prepayment.cycles) != (
        house.pk,
        fee_item.pk,
        cycles,
    ):
        raise DomainError(
            _("该收款请求已处理过，但内容不同；请刷新后重试。"), code="idempotency_conflict", status_code=409
        )
    return prepayment


@action
def take_prepayment(
    *,
    house: House,
    fee_item: FeeItem,
    cycles: int,
    method: str,
    idempotency_key: str,
    expected_total: Decimal,
    actor: Any,
    tendered: Decimal | None = None,
    payer_name: str = "",
    note: str = "",
) -> Prepayment:
    """Issue the quoted cycles, post the discount lines and take the payment for exactly the quoted total."""
    key = (idempotency_key or "").strip()
    if not key or len(key) > 64:
        raise field_error("idempotency_key", _("缺少请求编号（1–64 个字符）。"))
    existing = Payment.objects.filter(idempotency_key=key).first()
    if existing is not None:
        return _same_prepayment(existing, house, fee_item, cycles)
    house = lock_payer(house.pk)
    existing = Payment.objects.filter(idempotency_key=key).first()  # a twin request that won the lock
    if existing is not None:
        return _same_prepayment(existing, house, fee_item, cycles)
    q = quote(house=house, fee_item=fee_item, cycles=cycles)
    if q.total != expected_total:
        raise DomainError(
            _("预缴金额已变化（现为 %(total)s 元），请重新报价。") % {"total": q.total},
            code="quote_changed",
            status_code=409,
            fields={"expected_total": [_("报价已变化，请重新报价。")]},
        )
    day = common.today()
    due = due_date_for(fee_item, day)
    try:
        with transaction.atomic():
            principals = Charge.objects.bulk_create(
                [
                    Charge(
                        house=house,
                        estate_id=line.estate_id,
                        building_id=line.building_id,
                        fee_item=fee_item,
                        kind=ChargeKind.REGULAR,
                        cycle_start=line.cycle_start,
                        period_start=line.period_start,
                        period_end=line.period_end,
                        amount=line.amount,
                        issued_on=day,
                        due_date=due,
                        calculation={**line.calculation, "prepaid": True},
                        created_by=person(actor),
                    )
                    for line in q.lines
                ]
            )
    except IntegrityError as exc:  # a bill run issued one of these cycles a moment ago
        raise DomainError(_("费用刚刚已出账，请重新报价。"), code="quote_changed", status_code=409) from exc
    # 空置房优惠 first, exactly as a bill run gives it to what it issues; the payer's lock (held) is the
    # one an approval takes, so no vacancy is approved between the quote and these lines.
    vacancy_lines = vacancies.apply_to_charges(charges=principals, item=fee_item, actor=actor)
    if -sum((c.amount for c in vacancy_lines), ZERO) != q.vacancy_discount:
        raise DomainError(_("预缴金额已变化，请重新报价。"), code="quote_changed", status_code=409)
    if q.rule is not None:
        reason = _reason(q)
        calculation = {
            "discount": f"rule:{q.rule.pk}",
            "rule": q.rule.pk,
            "rule_name": q.rule.name,
            "rule_kind": q.rule.kind,
            "percent": None if q.rule.percent is None else str(q.rule.percent),
            "cycles": q.cycles,
            "free_cycles": q.free_cycles,
            "gross": str(q.gross - q.vacancy_discount),
            "discount_total": str(q.rule_discount),
        }
        post_lines(
            [
                Line(principal=charge, amount=line.discount, reason=reason, calculation=calculation)
                for charge, line in zip(principals, q.lines, strict=True)
            ],
            actor=actor,
        )
    payment = payments.record_payment(
        house=house,
        amount=q.total,
        method=method,
        idempotency_key=key,
        actor=actor,
        charge_ids=[charge.pk for charge, line in zip(principals, q.lines, strict=True) if line.to_pay > 0],
        tendered=tendered,
        payer_name=payer_name,
        note=note,
        allow_prepay=False,
    )
    prepayment = Prepayment.objects.create(
        house=house,
        fee_item=fee_item,
        cycles=q.cycles,
        free_cycles=q.free_cycles,
        rule=q.rule,
        period_start=q.period_start,
        period_end=q.period_end,
        gross=q.gross,
        discount=q.discount,
        total=q.total,
        payment=payment,
        created_by=person(actor),
    )
    audit(
        actor,
        "prepayment.take",
        prepayment,
        after={
            "house": house.pk,
            "fee_item": fee_item.pk,
            "cycles": q.cycles,
            "free_cycles": q.free_cycles,
            "rule": q.rule.pk if q.rule else None,
            "gross": str(q.gross),
            "discount": str(q.discount),
            "total": str(q.total),
            "payment": payment.pk,
        },
    )
    return prepayment
