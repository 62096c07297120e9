"""What a fee history or arrears file would do (billing.services.history_import): the dry run's
checks and plan, and the commit's re-check of a kept dry run.

The file's own facts (cells parsed, required values present) are read once, in the dry run, and kept
(history_rows.pack). What the database decides — which house a reference names, the fee items, the
charges and assignments already there — is read in a handful of set-based queries, by the dry run and
again by the commit inside its lock (`recheck`), so the commit plans from the database as it is then
without reading the file again. Nothing here writes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models.fields.json import KT
from django.utils import timezone
from django.utils.translation import gettext as _

from billing.models import Charge, ChargeKind, FeeAssignment, FeeItem
from billing.services.history_rows import HISTORY, Parsed, Piece, end_exclusive, pack, pieces, unpack
from billing.services.import_places import Houses, Place, fee_items_named, without_notes
from tenants.imports import kinds
from tenants.imports.reading import Table
from tenants.imports.validation import Findings, Outcome, chunks, parse_rows

BATCH = 5000
ZERO = Decimal("0.00")


@dataclass(slots=True)
class LedgerRow:
    row: int
    place: Place
    item_id: int
    pieces: tuple[Piece, ...]
    paid: Decimal
    paid_at: datetime | None
    key: str  # the period, as recorded on the row's charges (calculation.imported)
    note: str  # the payment's
    calculation: str  # the charges' calculation, as JSON


@dataclass
class LedgerPlan:
    kind: str
    rows: list[LedgerRow] = field(default_factory=list)
    vehicles: int = 0  # rows naming only a plate: not imported, said so
    # (house, item) → the assignment start to set: new (None) or an open one's id moved earlier-later
    assignments: dict[tuple[int, int], tuple[int | None, date]] = field(default_factory=dict)
    # The dry run's parsed rows, for the commit to keep (None once kept or when planned from them).
    parsed: Parsed | None = None


Located = tuple[int, dict[str, Any], Place, FeeItem]


def _locate(parsed: Parsed, findings: Findings) -> tuple[list[Located], int]:
    """Each row's house (in the estate chosen at upload, if one was) and fee item, and the count of
    rows naming only a plate."""
    good = [(n, v) for n, v in parsed.rows if n not in findings.bad_rows]
    houses = Houses.load(parsed.estate_id) if good else Houses()
    items = fee_items_named(v["fee"] for _n, v in good)
    located: list[Located] = []
    vehicles = 0
    for number, values in good:
        if "house" not in values:
            # No vehicles or parking module holds a plate's fees yet: a plate without a house is
            # counted and named in the report as not imported, never guessed onto a house.
            if values.get("plate"):
                vehicles += 1
            else:
                findings.add(number, "房屋", _("必填，不能为空。"))
            continue
        place, column, message = houses.find(values)
        item = items.get(values["fee"])
        if place is None:
            findings.add(number, column, message)
        if item is None:
            findings.add(
                number,
                "收费项目",
                _("系统中没有收费项目“%(name)s”（请先导入费用设置或新建收费项目）。") % {"name": values["fee"]},
            )
        if place is not None and item is not None:
            located.append((number, values, place, item))
    if unplaced := houses.file_problem(estate_column=parsed.estate_column):
        findings.add_file(unplaced)
    return located, vehicles


def _existing(located: list[Located]) -> dict[tuple[int, int, date], str | None]:
    """The regular charges already in the ledger for the file's houses and items, within the file's
    periods: (house, item, cycle) → the period an import recorded on it (None for a billed charge)."""
    found: dict[tuple[int, int, date], str | None] = {}
    if not located:
        return found
    low = min(values["start"] for _n, values, _p, _i in located) - timedelta(days=370)
    high = max(values["end"] for _n, values, _p, _i in located) + timedelta(days=1)
    houses = sorted({place.house_id for _n, _v, place, _i in located})
    items = {item.pk for _n, _v, _p, item in located}
    for batch in chunks(houses):
        query = Charge.objects.filter(
            kind=ChargeKind.REGULAR,
            house_id__in=batch,
            fee_item_id__in=items,
            cycle_start__gte=low,
            cycle_start__lt=high,
        ).values_list("house_id", "fee_item_id", "cycle_start", KT("calculation__imported"))
        for house_id, item_id, cycle_start, imported in query.iterator(chunk_size=BATCH):
            found[(house_id, item_id, cycle_start)] = imported
    return found


_FIRST_CHARGED = """
SELECT c.house_id, c.fee_item_id, min(c.period_start)
FROM {charge} c
JOIN unnest(%s::bigint[], %s::bigint[], %s::date[]) AS f(house_id, item_id, earliest)
  ON c.house_id = f.house_id AND c.fee_item_id = f.item_id AND c.cycle_start < f.earliest
WHERE c.kind = 'regular' AND c.period_start < f.earliest
GROUP BY c.house_id, c.fee_item_id
"""


def _assignment_plan(plan: LedgerPlan, earliest: dict[tuple[int, int], date], items: dict[int, FeeItem]) -> None:
    """Each (house, periodic item) of the file is billed from the earliest period its ledger holds:
    a missing assignment is created from there, and an open one that starts earlier is moved to that
    date — the periods before it were HC's, settled there, and a bill run would otherwise charge them
    as if never billed. One that starts later is left as the company set it. Reads only the charges
    before each pair's earliest period (one query) and the pairs' assignments."""
    pairs = sorted(pair for pair in earliest if items[pair[1]].periodic)
    if not pairs:
        return
    with connection.cursor() as cursor:
        cursor.execute(
            _FIRST_CHARGED.format(charge=connection.ops.quote_name(Charge._meta.db_table)),
            [[h for h, _i in pairs], [i for _h, i in pairs], [earliest[pair] for pair in pairs]],
        )
        first_charged = {(h, i): day for h, i, day in cursor.fetchall()}
    open_ones: dict[tuple[int, int], tuple[int, date]] = {}
    closed: set[tuple[int, int]] = set()
    for batch in chunks(sorted({h for h, _i in pairs})):
        for pk, h, i, start, end in FeeAssignment.objects.filter(
            house_id__in=batch, fee_item_id__in={i for _h, i in pairs}
        ).values_list("id", "house_id", "fee_item_id", "start", "end"):
            if end is None:
                open_ones[(h, i)] = (pk, start)
            else:
                closed.add((h, i))
    for pair in pairs:
        start = min(earliest[pair], first_charged.get(pair, earliest[pair]))
        current = open_ones.get(pair)
        if current is None:
            if pair not in closed:  # an ended assignment means the company stopped billing it
                plan.assignments[pair] = (None, start)
        elif current[1] < start:
            plan.assignments[pair] = (current[0], start)


@dataclass(slots=True, frozen=True)
class _Period:
    """What a row's own values decide, the same for every house that has them (a history repeats
    each month's period, amounts, cashier and note for every house): worked out once."""

    problems: tuple[tuple[str, str], ...]
    pieces: tuple[Piece, ...] = ()
    paid: Decimal = ZERO
    key: str = ""
    note: str = ""
    calculation: str = ""


def _period(kind: str, item: FeeItem, values: dict[str, Any], today: date) -> _Period:
    start, paid = values["start"], values.get("paid", ZERO) if kind == HISTORY else ZERO
    due = values.get("due")
    due = paid if due is None else due
    end = end_exclusive(item, values["end"])
    problems: list[tuple[str, str]] = []
    if end is None:
        problems.append(
            (
                "结束时间",
                _("“%(end)s”不在该收费项目的周期边界上（周期：每 %(m)s 个月，自 %(a)s 起）。")
                % {"end": values["end"].isoformat(), "m": item.cycle_months, "a": item.cycle_anchor.isoformat()},
            )
        )
    elif end <= start:
        problems.append(("结束时间", _("结束时间须晚于开始时间。")))
    if kind == HISTORY:
        if paid > due:
            problems.append(("实缴金额", _("实缴金额 %(paid)s 大于应缴金额 %(due)s。") % {"paid": paid, "due": due}))
        if values["paid_at"].date() > today:
            problems.append(("缴费时间", _("缴费时间不能晚于今天。")))
    elif due == 0:
        problems.append(("欠费金额", _("欠费金额须大于 0。")))
    if problems or end is None:
        return _Period(tuple(problems))
    key = f"{start.isoformat()}/{end.isoformat()}"
    cashier, note = values.get("cashier", ""), values.get("note", "")
    calculation: dict[str, Any] = {"mode": "imported", "imported": key, "source": kind, "due": str(due)}
    if kind == HISTORY:
        calculation.update(paid=str(paid), paid_at=values["paid_at"].isoformat(sep=" "))
        if cashier:
            calculation["cashier"] = cashier
    if note:
        calculation["note"] = note
    payment_note = "；".join(x for x in (cashier and _("收银员：%(n)s") % {"n": cashier}, note) if x)
    return _Period(
        (),
        pieces(item, start, end, due, paid),
        paid,
        key,
        payment_note[:200],
        json.dumps(calculation, ensure_ascii=False),
    )


def _plan(kind: str, located: list[Located], findings: Findings) -> tuple[LedgerPlan, dict[int, str]]:
    existing = _existing(located)
    plan = LedgerPlan(kind)
    verdicts: dict[int, str] = {}
    seen: dict[tuple[int, int, date], int] = {}
    earliest: dict[tuple[int, int], date] = {}
    items: dict[int, FeeItem] = {}
    periods: dict[tuple[Any, ...], _Period] = {}
    today = timezone.localdate()
    for number, values, place, item in located:
        item_id, house, get = item.pk, place.house_id, values.get
        signature = (
            item_id,
            values["start"],
            values["end"],
            get("due"),
            get("paid"),
            get("paid_at"),
            get("cashier"),
            get("note"),
        )
        period = periods.get(signature)
        if period is None:
            items[item_id] = item
            period = periods[signature] = _period(kind, item, values, today)
        if period.problems:
            for column, message in period.problems:
                findings.add(number, column, message)
            continue
        cycles = [(house, item_id, piece.cycle_start) for piece in period.pieces]
        clash = next((cycle for cycle in cycles if cycle in seen), None)
        if clash is not None:
            findings.add(number, "开始时间", _("与第 %(row)s 行的期间重叠。") % {"row": seen[clash]})
            continue
        for cycle in cycles:
            seen[cycle] = number
        start, pair = values["start"], (house, item_id)
        if start < earliest.get(pair, date.max):
            earliest[pair] = start
        on_file = [existing.get(cycle, False) for cycle in cycles]
        if all(found == period.key for found in on_file):
            verdicts[number] = "unchanged"
            continue
        if any(found is not False for found in on_file):
            findings.add(
                number, "开始时间", _("该房屋这一期间已有“%(item)s”的费用，不能重复导入。") % {"item": item.name}
            )
            continue
        verdicts[number] = "create"
        plan.rows.append(
            LedgerRow(
                number,
                place,
                item_id,
                period.pieces,
                period.paid,
                get("paid_at"),
                period.key,
                period.note,
                period.calculation,
            )
        )
    _assignment_plan(plan, earliest, items)
    return plan, verdicts


def _check(parsed: Parsed, findings: Findings) -> Outcome:
    """The database's side of a dry run, over the parsed rows: houses, items, the ledger."""
    located, vehicles = _locate(parsed, findings)
    plan, verdicts = _plan(parsed.kind, located, findings)
    plan.vehicles = vehicles
    extra = {
        "charges": sum(len(row.pieces) for row in plan.rows),
        "payments": sum(row.paid > 0 for row in plan.rows),
        "assignments_created": sum(pk is None for pk, _s in plan.assignments.values()),
        "assignments_moved": sum(pk is not None for pk, _s in plan.assignments.values()),
        "vehicles_not_imported": vehicles,
    }
    plan.parsed = parsed  # kept only if nothing is wrong (the plan goes with a clean outcome only)
    return findings.outcome(
        parsed.kind, plan, rows=parsed.total, verdicts=verdicts, blank_rows=parsed.blank_rows, **extra
    )


def validate(kind: str, table: Table, on_progress: kinds.Progress) -> Outcome:
    findings = Findings()
    without_notes(table, [c.key for c in kinds.get(kind).columns])
    rows = parse_rows(table, findings, on_progress, passes=1)
    parsed = Parsed(kind, rows, len(rows), table.blank_rows, table.estate_id, "estate" in table.index)
    return _check(parsed, findings)


def keep(plan: LedgerPlan) -> bytes | None:
    """A clean dry run's parsed rows, compact, for the commit (kinds.ImportKindSpec.keep)."""
    parsed, plan.parsed = plan.parsed, None
    return pack(parsed) if parsed is not None else None


def recheck(kept: bytes, on_progress: kinds.Progress, *, estate_id: int | None) -> Outcome | None:
    """Inside the commit's lock: the kept rows planned again against the database as it is now, in
    the estate chosen at upload — the checks and plan a full dry run would make, without reading the
    file. None when the rows were kept by another version or for another estate, or no longer pass:
    the commit then runs the dry run again, for its report."""
    parsed = unpack(kept)
    if parsed is None or parsed.estate_id != estate_id:
        return None
    outcome = _check(parsed, Findings())
    on_progress(1, 1)
    if not outcome.clean:
        return None
    outcome.plan.parsed = None
    return outcome
