"""Writes for which houses a fee item is charged on (收费对象): bulk assignment (previewed first, by
billing.selectors.fees.preview_assignment), ending one, and a new quantity from a date.

An assignment is [start, end); it never reaches back over a period already charged, so every change
is a close and, where needed, a new one from a date."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Max
from django.utils.translation import gettext as _

from billing.models import Charge, ChargeKind, FeeAssignment, FeeItem
from billing.selectors import fees as fee_selectors
from billing.services.common import audit
from billing.services.fee_checks import UNIT_PRICE_PLACES, Problems, fits_places, parse_decimal
from billing.services.fees import person
from core.actions import action
from core.errors import DomainError

QUANTITY_LIMIT = Decimal("100000000")


def _check_quantity(problems: Problems, quantity: Any) -> Decimal | None:
    number = parse_decimal(quantity)
    if number is None:
        problems.add("quantity", _("数量不是有效的数。"))
    elif number <= 0:
        problems.add("quantity", _("数量须大于 0。"))
    elif number >= QUANTITY_LIMIT or not fits_places(number, UNIT_PRICE_PLACES):
        problems.add("quantity", _("数量最多 4 位小数。"))
    else:
        return number
    return None


def _check_start(problems: Problems, item: FeeItem, start: date) -> None:
    if not item.active:
        problems.add("fee_item", _("该收费项目已停用，不能再分配。"))
    if start < item.valid_from:
        problems.add("start", _("计费开始日期不能早于项目生效日期 %(date)s。") % {"date": item.valid_from})
    elif item.valid_until is not None and start >= item.valid_until:
        problems.add("start", _("计费开始日期须早于项目失效日期 %(date)s。") % {"date": item.valid_until})


@action
def assign_fee_item(
    *,
    fee_item: FeeItem,
    start: date,
    actor: Any,
    quantity: Decimal = Decimal("1"),
    **filters: Any,
) -> dict[str, int]:
    """Charge the item on every house the filters select, from `start`. Houses already holding it
    from then on (an open assignment, or one ending after `start`) are passed by, so assigning twice
    is assigning once. One audit row tells how many houses and which filters."""
    item = FeeItem.objects.select_for_update().get(pk=fee_item.pk)  # one assignment run per item at a time
    problems = Problems()
    amount = _check_quantity(problems, quantity)
    _check_start(problems, item, start)
    fee_selectors.check_filters(problems.add, filters)
    problems.raise_any()
    assert amount is not None
    plan = fee_selectors.assignment_plan(item, start, **filters)
    houses = list(plan.to_assign.values_list("pk", flat=True))
    counts = plan.counts()
    if not houses:
        return counts
    _create(
        item,
        dict.fromkeys(houses, start),
        actor,
        {**counts, "start": str(start), "quantity": str(amount), "filters": fee_selectors.describe_filters(filters)},
        quantity=amount,
    )
    return counts


def _create(
    item: FeeItem, starts: Mapping[int, date], actor: Any, after: dict[str, Any], quantity: Decimal = Decimal("1")
) -> None:
    """The assignments, in batches, and the one audit row that tells of them."""
    user = person(actor)
    FeeAssignment.objects.bulk_create(
        [
            FeeAssignment(fee_item=item, house_id=pk, start=start, quantity=quantity, created_by=user)
            for pk, start in starts.items()
        ],
        batch_size=1000,
    )
    audit(actor, "fee_item.assign", item, after=after)


def _charged_until(assignment: FeeAssignment) -> date | None:
    last: date | None = Charge.objects.filter(
        house_id=assignment.house_id,
        fee_item_id=assignment.fee_item_id,
        kind=ChargeKind.REGULAR,
        period_end__gt=assignment.start,
    ).aggregate(last=Max("period_end"))["last"]
    return last


def _lock_open(assignment: FeeAssignment) -> FeeAssignment:
    row = FeeAssignment.objects.select_for_update().get(pk=assignment.pk)
    if row.end is not None:
        raise DomainError(
            _("该收费对象已于 %(date)s 结束。") % {"date": row.end}, code="already_ended", status_code=409
        )
    return row


def _check_cut(problems: Problems, row: FeeAssignment, name: str, cut: date) -> None:
    if cut <= row.start:
        problems.add(name, _("日期须晚于计费开始日期 %(date)s。") % {"date": row.start})
        return
    charged = _charged_until(row)
    if charged is not None and cut < charged:
        problems.add(
            name,
            _("该房屋此项费用已出账至 %(date)s，日期不能早于此日；如需退还多收部分，请对该账单做减免。")
            % {"date": charged},
        )


@action
def end_assignment(*, assignment: FeeAssignment, end: date, actor: Any) -> FeeAssignment:
    """Stop charging the item on the house from `end` (exclusive). Periods already charged stay
    charged, so `end` may not fall before the last one's end: credit a charge with a waiver instead."""
    row = _lock_open(assignment)
    problems = Problems()
    _check_cut(problems, row, "end", end)
    problems.raise_any()
    row.end = end
    row.save(update_fields=["end"])
    audit(actor, "fee_assignment.end", row, before={"end": None}, after={"end": str(end)})
    return row


@action
def change_assignment_quantity(
    *, assignment: FeeAssignment, quantity: Decimal, from_date: date, actor: Any
) -> FeeAssignment:
    """A new quantity from a date: the assignment ends there and a new one starts, so charges
    before the date keep the quantity they were computed with."""
    row = _lock_open(assignment)
    problems = Problems()
    amount = _check_quantity(problems, quantity)
    _check_cut(problems, row, "from_date", from_date)
    problems.raise_any()
    assert amount is not None
    if amount == row.quantity:
        return row
    row.end = from_date
    row.save(update_fields=["end"])
    successor = FeeAssignment.objects.create(
        fee_item_id=row.fee_item_id, house_id=row.house_id, start=from_date, quantity=amount, created_by=person(actor)
    )
    audit(
        actor,
        "fee_assignment.change_quantity",
        successor,
        before={"assignment": row.pk, "quantity": str(row.quantity)},
        after={"quantity": str(amount), "from": str(from_date)},
    )
    return successor


@action
def assign_fee_item_from_import(*, fee_item: FeeItem, starts: Mapping[int, date], actor: Any) -> int:
    """An import's assignments of one item: each house from its own start (HC's 费用开始时间), at
    quantity 1. A house already holding the item from its start on is passed by, so importing the
    same file again assigns nothing; one audit row tells how many houses."""
    item = FeeItem.objects.select_for_update().get(pk=fee_item.pk)
    problems = Problems()
    for start in sorted(set(starts.values())):
        _check_start(problems, item, start)
    problems.raise_any()
    held: dict[int, list[date | None]] = {}
    for house_id, end in FeeAssignment.objects.filter(fee_item=item, house_id__in=list(starts)).values_list(
        "house_id", "end"
    ):
        held.setdefault(house_id, []).append(end)
    new = {
        house_id: start
        for house_id, start in starts.items()
        if not any(end is None or end > start for end in held.get(house_id, ()))
    }
    if not new:
        return 0
    after = {
        "assigned": len(new),
        "already": len(starts) - len(new),
        "starts": sorted({str(start) for start in new.values()}),
    }
    _create(item, new, actor, after)
    return len(new)
