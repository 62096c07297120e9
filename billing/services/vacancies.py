"""Vacancy discounts (空置房优惠): requested for a house, a fee item and a date range with a reason,
approved by someone else holding fees.approve. Once approved, the charges already issued in the range
get their discount lines at once, and every later bill run gives them to the charges it issues there.

A charge's discount is its vacant share: the vacant days of its period ÷ the period's days × the
rule's percent; what is left to pay is rounded once with the item's rule. The arithmetic is one SQL
statement (`_lines_sql`) for both paths, so approval and bill runs cannot disagree; each line's
`calculation.discount` is "vacancy:<id>", which the ledger's unique index allows once per charge.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import Q, Sum
from django.utils.translation import gettext as _

from billing.models import Charge, DiscountKind, DiscountRule, FeeItem, RequestStatus, VacancyDiscount
from billing.services.approvals import decide
from billing.services.charge_sql import round_sql
from billing.services.common import audit, field_error, lock_payer
from billing.services.discount_rules import Line, post_lines, rules_in_effect
from billing.services.payments import open_lines
from core.actions import action
from core.errors import DomainError
from core.i18n import records_language
from tenants.estates.models import House

MAX_VACANCY_DAYS = 3 * 366


# Cycles about to be issued (a prepayment's quote), shaped as billing_charge rows: ids are -1, -2, … in
# order, so they can match no real charge, and `_lines_sql` prices them as it prices issued ones.
_PLANNED = """(
    SELECT -t.n AS id, %(house)s::bigint AS house_id, %(item)s::bigint AS fee_item_id, 'regular' AS kind,
           t.period_start, t.period_end, t.amount
    FROM unnest(%(starts)s::date[], %(ends)s::date[], %(amounts)s::numeric[])
         WITH ORDINALITY AS t(period_start, period_end, amount, n)
)"""


def _lines_sql(item: FeeItem, scope: str, charges: str = "billing_charge") -> str:
    """(principal id, discount, vacancy id, rule id, rule name, percent, vacant from, vacant until) of
    every regular charge of the item in scope overlapping an approved vacancy (or the one being approved)
    and not yet discounted by it. `charges` is the table, or `_PLANNED` for cycles not issued yet."""
    days = "(c.period_end - c.period_start)"
    vacant = '(least(c.period_end, v."end") - greatest(c.period_start, v.start))'
    to_pay = round_sql(
        f"(c.amount * (100 * {days} - r.percent * {vacant}) / (100 * {days}))", item.rounding, item.rounding_place
    )
    return f"""
    SELECT * FROM (
        SELECT c.id, c.amount - {to_pay} AS discount, v.id AS vacancy, r.id AS rule, r.name, r.percent,
               greatest(c.period_start, v.start) AS vacant_from, least(c.period_end, v."end") AS vacant_until
        FROM {charges} c
        JOIN billing_vacancydiscount v ON v.house_id = c.house_id AND v.fee_item_id = c.fee_item_id
             AND (v.status = 'approved' OR v.id = %(approving)s) AND v.start < c.period_end AND v."end" > c.period_start
        JOIN billing_discountrule r ON r.id = v.rule_id
        WHERE c.kind = 'regular' AND c.fee_item_id = %(item)s AND {scope}
          AND NOT EXISTS (SELECT 1 FROM billing_charge x WHERE x.principal_id = c.id AND x.kind = 'adjustment'
                          AND x.calculation ->> 'discount' = 'vacancy:' || v.id)
    ) d WHERE d.discount > 0 ORDER BY d.id
    """  # noqa: S608 (models' tables, a scope of this module; values are parameters)


def _reason(name: str, start: Any, end: Any, percent: Any) -> str:
    """The waiver's stored reason: in the records language (core.i18n), not the caller's."""
    with records_language():
        return _("空置房优惠「%(name)s」：%(start)s 至 %(end)s 空置，减收 %(percent)s%%") % {
            "name": name,
            "start": start,
            "end": end,
            "percent": f"{Decimal(percent).normalize():f}",
        }


def _lines(item: FeeItem, scope: str, values: dict[str, Any]) -> list[Line]:
    with connection.cursor() as cursor:
        cursor.execute(_lines_sql(item, scope), {"item": item.pk, "approving": None, **values})
        rows = cursor.fetchall()
    principals = Charge.objects.in_bulk([row[0] for row in rows])
    lines = []
    for charge_id, discount, vacancy, rule, name, percent, vacant_from, vacant_until in rows:
        lines.append(
            Line(
                principal=principals[charge_id],
                amount=Decimal(discount),
                reason=_reason(name, vacant_from, vacant_until, percent),
                calculation={
                    "discount": f"vacancy:{vacancy}",
                    "vacancy": vacancy,
                    "rule": rule,
                    "rule_name": name,
                    "rule_kind": str(DiscountKind.VACANCY),
                    "percent": str(percent),
                    "vacant_from": vacant_from.isoformat(),
                    "vacant_until": vacant_until.isoformat(),
                    "days": (principals[charge_id].period_end - principals[charge_id].period_start).days,
                    "vacant_days": (vacant_until - vacant_from).days,
                },
            )
        )
    return lines


def planned_discounts(*, house_id: int, item: FeeItem, cycles: Sequence[tuple[date, date, Decimal]]) -> list[Decimal]:
    """What approved vacancies will take off each of these cycles (period start, end, amount) once issued:
    the same statement that discounts issued charges, run over the cycles instead of the ledger."""
    if not cycles:
        return []
    values = {
        "item": item.pk,
        "approving": None,
        "house": house_id,
        "starts": [start for start, _end, _amount in cycles],
        "ends": [end for _start, end, _amount in cycles],
        "amounts": [amount for _start, _end, amount in cycles],
    }
    off = [Decimal("0.00") for _cycle in cycles]
    with connection.cursor() as cursor:
        cursor.execute(_lines_sql(item, "TRUE", _PLANNED), values)
        for planned_id, discount, *_rest in cursor.fetchall():
            off[-planned_id - 1] += Decimal(discount)
    return off


def apply_to_charges(*, charges: Sequence[Charge], item: FeeItem, actor: Any) -> list[Charge]:
    """Discount lines for charges just issued outside a bill run (a prepayment), under the payer's lock."""
    if not charges:
        return []
    return post_lines(_lines(item, "c.id = ANY(%(ids)s)", {"ids": [c.pk for c in charges]}), actor=actor)


def apply_to_run_chunk(*, bill_run_id: int, item: FeeItem, house_from: int, house_to: int, as_of: date) -> int:
    """The bill run's step after its INSERT (same transaction): discount lines for the charges it just
    issued in approved vacancies. A re-run finds them discounted already and adds nothing."""
    scope = "c.bill_run_id = %(run)s AND c.house_id >= %(house_from)s AND c.house_id < %(house_to)s"
    if not VacancyDiscount.objects.filter(fee_item=item, status=RequestStatus.APPROVED).exists():
        return 0
    lines = _lines(item, scope, {"run": bill_run_id, "house_from": house_from, "house_to": house_to})
    return len(post_lines(lines, actor=None, issued_on=as_of))


@action
def request_vacancy(
    *, house: House, fee_item: FeeItem, rule: DiscountRule, start: date, end: date, reason: str, actor: Any
) -> VacancyDiscount:
    problems: dict[str, list[str]] = {}
    if rule.kind != DiscountKind.VACANCY or rule not in rules_in_effect(kind=DiscountKind.VACANCY, fee_item=fee_item):
        problems["rule"] = [_("请选择适用于该收费项目的有效空置房优惠规则。")]
    if end <= start:
        problems["end"] = [_("结束日期须晚于开始日期。")]
    elif (end - start).days > MAX_VACANCY_DAYS:
        problems["end"] = [_("空置期最长三年，请分段申请。")]
    reason = (reason or "").strip()
    if not reason:
        problems["reason"] = [_("请填写空置原因。")]
    if problems:
        raise DomainError(next(iter(problems.values()))[0], fields=problems)
    lock_payer(house.pk)
    overlapping = VacancyDiscount.objects.filter(
        Q(status=RequestStatus.PENDING) | Q(status=RequestStatus.APPROVED),
        house=house,
        fee_item=fee_item,
        start__lt=end,
        end__gt=start,
    )
    if overlapping.exists():
        raise field_error("start", _("该房屋此收费项目在这段时间已有空置优惠申请。"))
    vacancy = VacancyDiscount.objects.create(
        house=house, fee_item=fee_item, rule=rule, start=start, end=end, reason=reason[:200], requested_by=actor
    )
    audit(
        actor,
        "vacancy.request",
        vacancy,
        after={"house": house.pk, "fee_item": fee_item.pk, "rule": rule.pk, "start": str(start), "end": str(end)},
    )
    return vacancy


@action
def approve_vacancy(*, vacancy: VacancyDiscount, actor: Any, note: str = "") -> VacancyDiscount:
    """Approve, and discount the charges already issued in the range — all of them or none: a charge
    paid beyond what the discount leaves is a 400 naming it (refund first, or request a shorter range)."""
    return decide(vacancy, decision="approve", actor=actor, note=note, on_approve=_apply, payer_id=vacancy.house_id)


@action
def reject_vacancy(*, vacancy: VacancyDiscount, actor: Any, note: str) -> VacancyDiscount:
    return decide(vacancy, decision="reject", actor=actor, note=note, on_approve=_apply)


def _apply(vacancy: VacancyDiscount, actor: Any) -> dict[str, Any]:
    # decide() records the approval after this step: the vacancy counts as approved here already.
    lines = _lines(vacancy.fee_item, "v.id = %(vacancy)s", {"vacancy": vacancy.pk, "approving": vacancy.pk})
    owing = {charge.pk: left for charge, left in open_lines(vacancy.house_id)}
    paid_beyond = [line.principal for line in lines if line.amount > owing.get(line.principal.pk, Decimal("0"))]
    if paid_beyond:
        periods = "、".join(f"{c.period_start}–{c.period_end}" for c in paid_beyond)
        message = _("以下周期已缴费，优惠后将低于已缴金额，请先退款或缩短空置期：%(periods)s") % {"periods": periods}
        raise DomainError(message, code="adjustment_below_paid", fields={"charges": [message]})
    posted = post_lines(lines, actor=actor)
    return {"adjustments": [c.pk for c in posted], "total": str(-sum((c.amount for c in posted), Decimal("0")))}


def discounted_total(vacancy: VacancyDiscount) -> Decimal:
    """What the vacancy has taken off so far (its lines' sum, as a positive amount)."""
    lines = Charge.objects.filter(kind="adjustment", calculation__discount=f"vacancy:{vacancy.pk}")
    return -(lines.aggregate(total=Sum("amount"))["total"] or Decimal("0.00"))
