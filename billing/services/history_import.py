"""Fee history and opening arrears from a spreadsheet: the import kinds `fee_history` (HC's
房屋缴费历史 template: 房屋, 收费项目, 缴费周期, 开始时间, 结束时间, 缴费时间, 应缴金额, 实缴金额,
收银员, 备注) and `fee_arrears` (欠费: 房屋, 收费项目, 开始时间, 结束时间, 欠费金额), registered with
the import framework by BillingConfig.ready().

Each row becomes regular charges in the ledger, one per cycle of the fee item the period covers (so a
bill run's ON CONFLICT on (house, item, cycle) never bills a period again), and — for history — a
payment (method 历史导入) allocated to them, oldest first; what was due but not paid stays owing, as
arrears do. The house's assignment to the item starts at the earliest period the ledger then holds, so
the next bill run continues after the last imported period, not from an older start.

The dry run reads the houses, the items, the existing charges and assignments in a handful of queries;
nothing is written. A row whose cycles are all in the ledger from an earlier import of the same period
is unchanged (a re-import changes nothing); one that overlaps other charges is refused.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from fractions import Fraction
from functools import lru_cache
from typing import Any

from django.db.models.fields.json import KT
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from accounts import services as account_services
from billing import money
from billing.models import Allocation, Charge, ChargeKind, FeeAssignment, FeeItem, Payment, PaymentMethod
from billing.services import ledger_copy
from billing.services.common import lock_payers
from billing.services.import_places import (
    Houses,
    Place,
    day_cell,
    fee_items_named,
    money_cell,
    place_columns,
    without_notes,
)
from core.actions import action
from tenants.estates.models import House
from tenants.imports import kinds
from tenants.imports.columns import CellError, Column, integer, is_blank, text
from tenants.imports.reading import Table
from tenants.imports.validation import Findings, Outcome, chunks, parse_rows, tally

HISTORY, ARREARS = "fee_history", "fee_arrears"
PERMISSION = "fees.manage"  # who sets up fee items sets up their history
LOCK = "billing_ledger_import"
BATCH = 5000
ZERO = Decimal("0.00")


def _paid_at(value: Any) -> datetime | None:
    """缴费时间: a date or date and time (HC writes both); a date alone is taken as midnight."""
    if isinstance(value, int | float | str) and not isinstance(value, bool):
        return _paid_at_of(type(value).__name__, value)  # remembered: a history repeats its days
    return _paid_at_parsed(value)


@lru_cache(maxsize=65536)
def _paid_at_of(kind: str, value: Any) -> datetime | None:
    return _paid_at_parsed(value)


def _paid_at_parsed(value: Any) -> datetime | None:
    if is_blank(value):
        return None
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)
    day = day_cell(value)
    if day is None:
        return None
    if isinstance(value, float) and not value.is_integer():  # an Excel serial with a time of day
        seconds = round((value % 1) * 86400)
        return datetime.combine(day, time()) + timedelta(seconds=seconds)
    return datetime.combine(day, time())


_FEE = Column(
    "fee",
    "收费项目",
    text(50),
    True,
    ("费用项", "费用名称", "费用项目"),
    gettext_noop("与系统收费项目名称一致。"),
    "物业费",
)
_START = Column(
    "start",
    "开始时间",
    day_cell,
    True,
    ("计费开始", "开始日期", "计费起始时间"),
    gettext_noop("如 2025-01-01。"),
    date(2025, 1, 1),
)
_END = Column(
    "end",
    "结束时间",
    day_cell,
    True,
    ("计费结束", "结束日期", "计费结束时间"),
    gettext_noop("周期的下一天（HC 的写法，如 2026-01-01）或最后一天（2025-12-31）均可。"),
    date(2026, 1, 1),
)
_NOTE = Column("note", "备注", text(200), False, ("说明",), gettext_noop("可不填。"), "手工导入")

HISTORY_COLUMNS: list[Column] = [
    *place_columns(required=False),  # HC's 车辆缴费历史 names a plate instead: see _validate
    Column(
        "plate",
        "车牌号",
        text(20),
        False,
        ("车牌",),
        gettext_noop("HC 车辆缴费历史的车牌号；同时填了房屋的行记到房屋上。"),
        "",
    ),
    _FEE,
    Column("cycle", "缴费周期", integer(0, 120), False, ("周期",), gettext_noop("月数，仅作参考。"), 12),
    _START,
    _END,
    Column(
        "paid_at",
        "缴费时间",
        _paid_at,
        True,
        ("缴费日期", "收费时间", "交费时间"),
        gettext_noop("如 2025-01-05。"),
        date(2025, 1, 5),
    ),
    Column("due", "应缴金额", money_cell, False, ("应收金额", "应缴"), gettext_noop("元；不填时等于实缴金额。"), 1200),
    Column(
        "paid",
        "实缴金额",
        money_cell,
        True,
        ("缴费金额", "实收金额", "实缴"),
        gettext_noop("元；少于应缴的部分记为欠费。"),
        1200,
    ),
    Column("cashier", "收银员", text(50), False, ("收费员", "操作员"), gettext_noop("记入收款备注。"), "张三"),
    _NOTE,
]
ARREARS_COLUMNS: list[Column] = [
    *place_columns(),
    _FEE,
    _START,
    _END,
    Column("due", "欠费金额", money_cell, True, ("欠费", "欠缴金额", "应缴金额", "金额"), gettext_noop("元。"), 300),
    _NOTE,
]


@dataclass(slots=True, frozen=True)
class Piece:
    cycle_start: date
    period_start: date
    period_end: date
    amount: Decimal
    paid: Decimal


@dataclass(slots=True)
class LedgerRow:
    row: int
    place: Place
    item_id: int
    start: date
    end: date
    pieces: list[Piece]
    paid: Decimal
    paid_at: datetime | None
    note: str
    calculation: dict[str, Any]


@dataclass
class LedgerPlan:
    kind: str
    rows: list[LedgerRow] = field(default_factory=list)
    vehicles: int = 0  # rows naming only a plate: not imported, said so
    # (house, item) → the assignment start to set: new (None) or an open one's id moved earlier-later
    assignments: dict[tuple[int, int], tuple[int | None, date]] = field(default_factory=dict)


@lru_cache(maxsize=65536)
def _cycles(anchor: date, months: int, start: date, end: date) -> tuple[tuple[date, date], ...]:
    return tuple(money.periods_between(anchor, months, start, end))


@lru_cache(maxsize=65536)
def _boundary(anchor: date, months: int, day: date) -> bool:
    return money.period_containing(anchor, months, day)[0] == day


def _end_exclusive(item: FeeItem, end: date) -> date | None:
    """HC writes a period's end as the next cycle's first day; clerks often write its last day."""
    if not item.periodic:
        return end
    for candidate in (end, end + timedelta(days=1)):
        if _boundary(item.cycle_anchor, item.cycle_months, candidate):
            return candidate
    return None


def _pieces(item: FeeItem, start: date, end: date, due: Decimal, paid: Decimal) -> list[Piece]:
    """The period split at the item's cycles; the amount due split by the part of each cycle covered
    (exact to the fen, summing to the row), and what was paid applied oldest first."""
    if not item.periodic:
        return [Piece(start, start, end, due, paid)]
    return list(_periodic_pieces(item.cycle_anchor, item.cycle_months, start, end, due, paid))


@lru_cache(maxsize=65536)
def _periodic_pieces(
    anchor: date, months: int, start: date, end: date, due: Decimal, paid: Decimal
) -> tuple[Piece, ...]:
    """Remembered: a history repeats the same period and amounts for every house (pieces are read only)."""
    cycles = _cycles(anchor, months, start, end)
    if len(cycles) == 1:
        amounts = [due]
    else:
        weights: list[Fraction] = [money.fraction_of_period(c, start, end) for c in cycles]
        amounts = money.split_prorated(due, weights)
    pieces, left = [], paid
    for (cycle_start, cycle_end), amount in zip(cycles, amounts, strict=True):
        share = min(left, amount)
        left -= share
        pieces.append(Piece(cycle_start, max(start, cycle_start), min(end, cycle_end), amount, share))
    return tuple(pieces)


def _existing(rows: list[tuple[int, dict[str, Any], Place, FeeItem]]) -> dict[tuple[int, int, date], str | None]:
    """The regular charges already in the ledger for the file's houses and items: (house, item,
    cycle) → the period an import recorded on it (None for a billed charge)."""
    found: dict[tuple[int, int, date], str | None] = {}
    if not rows:
        return found
    low = min(values["start"] for _n, values, _p, _i in rows) - timedelta(days=370)
    houses = sorted({place.house_id for _n, _v, place, _i in rows})
    items = {item.pk for _n, _v, _p, item in rows}
    for batch in chunks(houses):
        query = Charge.objects.filter(
            kind=ChargeKind.REGULAR, house_id__in=batch, fee_item_id__in=items, cycle_start__gte=low
        ).values_list("house_id", "fee_item_id", "cycle_start", KT("calculation__imported"))
        for house_id, item_id, cycle_start, imported in query.iterator(chunk_size=BATCH):
            found[(house_id, item_id, cycle_start)] = imported
    return found


def _assignment_plan(plan: LedgerPlan, earliest: dict[tuple[int, int], date], items: dict[int, FeeItem]) -> None:
    """Each (house, periodic item) of the file is billed from the earliest period its ledger holds:
    a missing assignment is created from there, and an open one that starts earlier is moved to that
    date — the periods before it were HC's, settled there, and a bill run would otherwise charge them
    as if never billed. One that starts later is left as the company set it."""
    pairs = {pair for pair in earliest if items[pair[1]].periodic}
    if not pairs:
        return
    first_charged = {
        (h, i): d
        for batch in chunks(sorted({h for h, _i in pairs}))
        for h, i, d in Charge.objects.filter(kind=ChargeKind.REGULAR, house_id__in=batch, fee_item_id__in=items)
        .order_by("house_id", "fee_item_id", "period_start")
        .distinct("house_id", "fee_item_id")
        .values_list("house_id", "fee_item_id", "period_start")
    }
    open_ones = {
        (h, i): (pk, start)
        for batch in chunks(sorted({h for h, _i in pairs}))
        for pk, h, i, start in FeeAssignment.objects.filter(
            house_id__in=batch, fee_item_id__in=items, end__isnull=True
        ).values_list("id", "house_id", "fee_item_id", "start")
    }
    closed = set(
        FeeAssignment.objects.filter(
            house_id__in=[h for h, _i in pairs], fee_item_id__in=items, end__isnull=False
        ).values_list("house_id", "fee_item_id")
    )
    for pair in sorted(pairs):
        start = min(earliest[pair], first_charged.get(pair, earliest[pair]))
        current = open_ones.get(pair)
        if current is None:
            if pair not in closed:  # an ended assignment means the company stopped billing it
                plan.assignments[pair] = (None, start)
        elif current[1] < start:
            plan.assignments[pair] = (current[0], start)


def _validate(kind: str, table: Table, on_progress: kinds.Progress) -> Outcome:
    findings = Findings()
    without_notes(table, [c.key for c in kinds.get(kind).columns])
    parsed = parse_rows(table, findings, on_progress, passes=1)
    good = [(n, v) for n, v in parsed if n not in findings.bad_rows]
    houses = Houses.load() if good else Houses()
    items = fee_items_named(v["fee"] for _n, v in good)
    located: list[tuple[int, dict[str, Any], Place, FeeItem]] = []
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
    existing = _existing(located)
    plan = LedgerPlan(kind)
    verdicts: dict[int, str] = {}
    seen: dict[tuple[int, int, date], int] = {}
    earliest: dict[tuple[int, int], date] = {}
    today = timezone.localdate()
    cashier_label = _("收银员：%(n)s")  # translated once, not once a row
    for number, values, place, item in located:
        start, due = values["start"], values.get("due")
        paid = values.get("paid", ZERO) if kind == HISTORY else ZERO
        due = paid if due is None else due
        end = _end_exclusive(item, values["end"])
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
                problems.append(
                    ("实缴金额", _("实缴金额 %(paid)s 大于应缴金额 %(due)s。") % {"paid": paid, "due": due})
                )
            if values["paid_at"].date() > today:
                problems.append(("缴费时间", _("缴费时间不能晚于今天。")))
        elif due == 0:
            problems.append(("欠费金额", _("欠费金额须大于 0。")))
        if problems:
            for column, message in problems:
                findings.add(number, column, message)
            continue
        assert end is not None
        key = f"{start.isoformat()}/{end.isoformat()}"
        pieces = _pieces(item, start, end, due, paid)
        clash = next((p for p in pieces if (place.house_id, item.pk, p.cycle_start) in seen), None)
        if clash is not None:
            other = seen[(place.house_id, item.pk, clash.cycle_start)]
            findings.add(number, "开始时间", _("与第 %(row)s 行的期间重叠。") % {"row": other})
            continue
        for piece in pieces:
            seen[(place.house_id, item.pk, piece.cycle_start)] = number
        on_file = [existing.get((place.house_id, item.pk, p.cycle_start), False) for p in pieces]
        pair = (place.house_id, item.pk)
        earliest[pair] = min(start, earliest.get(pair, start))
        if all(found == key for found in on_file):
            verdicts[number] = "unchanged"
            continue
        if any(found is not False for found in on_file):
            findings.add(
                number, "开始时间", _("该房屋这一期间已有“%(item)s”的费用，不能重复导入。") % {"item": item.name}
            )
            continue
        verdicts[number] = "create"
        calculation = {"mode": "imported", "imported": key, "source": kind, "due": str(due)}
        if kind == HISTORY:
            calculation.update(paid=str(paid), paid_at=values["paid_at"].isoformat(sep=" "))
            if values.get("cashier"):
                calculation["cashier"] = values["cashier"]
        if values.get("note"):
            calculation["note"] = values["note"]
        note = "；".join(
            x for x in (values.get("cashier") and cashier_label % {"n": values["cashier"]}, values.get("note")) if x
        )
        plan.rows.append(
            LedgerRow(number, place, item.pk, start, end, pieces, paid, values.get("paid_at"), note[:200], calculation)
        )
    _assignment_plan(plan, earliest, {item.pk: item for item in items.values()})
    plan.vehicles = vehicles
    findings.problems.sort(key=lambda problem: problem.row or 0)
    extra = {
        "charges": sum(len(row.pieces) for row in plan.rows),
        "payments": sum(row.paid > 0 for row in plan.rows),
        "assignments_created": sum(pk is None for pk, _s in plan.assignments.values()),
        "assignments_moved": sum(pk is not None for pk, _s in plan.assignments.values()),
        "vehicles_not_imported": vehicles,
    }
    counts = tally(len(parsed), findings, verdicts, table.blank_rows, **extra)
    return Outcome(kind, findings.problems, counts, None if findings.problems else plan)


def validate_history(table: Table, on_progress: kinds.Progress) -> Outcome:
    return _validate(HISTORY, table, on_progress)


def validate_arrears(table: Table, on_progress: kinds.Progress) -> Outcome:
    return _validate(ARREARS, table, on_progress)


_CHARGE_COLUMNS = (
    "id", "house_id", "estate_id", "building_id", "fee_item_id", "kind", "cycle_start", "period_start",
    "period_end", "amount", "issued_on", "due_date", "calculation", "reason", "created_by_id", "created_at",
)  # fmt: skip
_PAYMENT_COLUMNS = (
    "id", "house_id", "estate_id", "method", "amount", "received_at", "business_date", "payer_name", "reference",
    "note", "idempotency_key", "created_at",
)  # fmt: skip
_ALLOCATION_COLUMNS = ("payment_id", "charge_id", "amount", "created_at")


@action
def post_imported_ledger(*, plan: LedgerPlan, actor: Any, on_progress: kinds.Progress | None = None) -> dict[str, int]:
    """Write a clean plan: the assignments, then each row's charges and (history) its payment and
    allocations — COPYed in batches (billing.services.ledger_copy), inside the import's commit (all
    rows or none). The ledger's triggers check every allocation and payment as a cashier's are
    checked; one audit line sums it up, the rows carry the source in their calculation."""
    actor_id = actor.pk if getattr(actor, "pk", None) else None
    house_ids = sorted({row.place.house_id for row in plan.rows} | {h for h, _i in plan.assignments})
    for batch in chunks(house_ids):
        lock_payers(House.objects.filter(pk__in=batch))
    FeeAssignment.objects.bulk_create(
        [
            FeeAssignment(fee_item_id=item, house_id=house, start=start, created_by_id=actor_id)
            for (house, item), (pk, start) in plan.assignments.items()
            if pk is None
        ],
        batch_size=BATCH,
    )
    moved: dict[date, list[int]] = defaultdict(list)
    for pk, start in plan.assignments.values():
        if pk is not None:
            moved[start].append(pk)
    for start, pks in moved.items():
        FeeAssignment.objects.filter(pk__in=pks).update(start=start)
    total, now, today = len(plan.rows), timezone.now(), timezone.localdate()
    reason = _("历史数据导入")
    charges = payments = done = 0
    due_total = paid_total = ZERO
    for batch in chunks(plan.rows, BATCH * 4):
        charge_ids = iter(ledger_copy.reserve_ids(Charge, sum(len(row.pieces) for row in batch)))
        paying = [row for row in batch if row.paid > 0]
        payment_ids = ledger_copy.reserve_ids(Payment, len(paying))
        lines, allocations = [], []
        payment_of = {row.row: pk for row, pk in zip(paying, payment_ids, strict=True)}
        for row in batch:
            calculation = json.dumps(row.calculation, ensure_ascii=False)
            for piece in row.pieces:
                pk = next(charge_ids)
                issued = piece.period_start if row.paid_at is None else min(piece.period_start, row.paid_at.date())
                issued = min(issued, today)
                lines.append((
                    pk, row.place.house_id, row.place.estate_id, row.place.building_id, row.item_id, "regular",
                    piece.cycle_start, piece.period_start, piece.period_end, piece.amount, issued,
                    max(piece.period_end, issued), calculation, reason, actor_id, now,
                ))  # fmt: skip
                if piece.paid > 0:
                    allocations.append((payment_of[row.row], pk, piece.paid, now))
                due_total += piece.amount
        received = [
            (
                payment_of[row.row], row.place.house_id, row.place.estate_id, PaymentMethod.IMPORTED.value, row.paid,
                timezone.make_aware(row.paid_at) if row.paid_at else now,
                row.paid_at.date() if row.paid_at else today, "", "", row.note,
                f"import:{row.place.house_id}:{row.item_id}:{row.calculation['imported']}", now,
            )
            for row in paying
        ]  # fmt: skip
        charges += ledger_copy.copy_rows(Charge, _CHARGE_COLUMNS, lines)
        payments += ledger_copy.copy_rows(Payment, _PAYMENT_COLUMNS, received)
        ledger_copy.copy_rows(Allocation, _ALLOCATION_COLUMNS, allocations)
        paid_total += sum((row.paid for row in paying), ZERO)
        done += len(batch)
        if on_progress is not None:
            on_progress(done, total)
    result = {"charges": charges, "payments": payments, "assignments": len(plan.assignments)}
    account_services.record_audit(
        actor=actor if actor_id else None,
        action=f"charge.import_{plan.kind}",
        object_type="charge",
        object_id="",
        after={**result, "rows": total, "due": str(due_total), "paid": str(paid_total), "houses": len(house_ids)},
    )
    return result


def write_ledger(plan: LedgerPlan, on_progress: kinds.Progress, *, committed_by: Any) -> kinds.WriteResult:
    done = post_imported_ledger(plan=plan, actor=committed_by, on_progress=on_progress)
    note = _("共记入 %(c)s 笔费用、%(p)s 笔历史收款；下次出账从导入的最后一期之后开始。") % {
        "c": done["charges"],
        "p": done["payments"],
    }
    if plan.vehicles:
        note += _("另有 %(n)s 行车辆缴费历史（只有车牌号、没有房屋）未导入：系统还没有车辆/车位模块。") % {
            "n": plan.vehicles
        }
    return kinds.WriteResult(counts=done, note=note)


_NOTES = (
    gettext_noop("表头须在第一行（红色为必填列），列的顺序不限；HC 模板右侧的说明可以保留。"),
    gettext_noop("房屋写成 楼栋-单元-房屋（如 1-1-1001），或另设 楼栋、单元 两列；收费项目须与系统中的名称一致。"),
    gettext_noop("每行按收费项目的周期拆成各期费用；导入后下次出账从导入的最后一期之后开始，已导入的期间不会再出账。"),
    gettext_noop("上传后先校验全部数据，校验无误才能确认导入，全部写入或全部不写；同一文件再次导入不会重复记账。"),
    gettext_noop("也可上传 CSV（UTF-8 或 GBK 编码），列与本模板相同。单个文件最大 20 MB、100,000 行。"),
)

HISTORY_SPEC = kinds.ImportKindSpec(
    key=HISTORY,
    label=gettext_lazy("缴费历史"),
    sheet_title="房屋缴费历史",
    columns=tuple(HISTORY_COLUMNS),
    validate=validate_history,
    write=write_ledger,
    permission=PERMISSION,
    lock=LOCK,
    notes=_NOTES,
)
ARREARS_SPEC = kinds.ImportKindSpec(
    key=ARREARS,
    label=gettext_lazy("期初欠费"),
    sheet_title="欠费",
    columns=tuple(ARREARS_COLUMNS),
    validate=validate_arrears,
    write=write_ledger,
    permission=PERMISSION,
    lock=LOCK,
    notes=_NOTES,
)

__all__ = ["ARREARS_SPEC", "HISTORY_SPEC", "CellError"]
