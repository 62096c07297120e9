"""Writing a clean fee history or arrears plan (billing.services.history_import) into the ledger:
the assignments, then each row's charges and (history) its payment and allocations, COPYed in
batches (billing.services.ledger_copy), inside the import's commit — all rows or none. The ledger's
triggers check every allocation and payment as a cashier's are checked.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import services as account_services
from billing.models import Allocation, Charge, FeeAssignment, Payment, PaymentMethod
from billing.services import ledger_copy
from billing.services.common import lock_payers
from billing.services.history_plan import BATCH, ZERO, LedgerPlan, LedgerRow
from core.actions import action
from tenants.estates.models import House
from tenants.imports import kinds
from tenants.imports.validation import chunks

_CHARGE_COLUMNS = (
    "id", "house_id", "estate_id", "building_id", "fee_item_id", "kind", "cycle_start", "period_start",
    "period_end", "amount", "issued_on", "due_date", "calculation", "reason", "created_by_id", "created_at",
)  # fmt: skip
_PAYMENT_COLUMNS = (
    "id", "house_id", "estate_id", "method", "amount", "received_at", "business_date", "payer_name", "reference",
    "note", "idempotency_key", "created_at",
)  # fmt: skip
_ALLOCATION_COLUMNS = ("payment_id", "charge_id", "amount", "created_at")


_ASSIGNMENT_COLUMNS = ("fee_item_id", "house_id", "start", "quantity", "created_by_id", "created_at")


def _assignments(plan: LedgerPlan, actor_id: int | None) -> None:
    now, one = timezone.now(), Decimal("1")
    ledger_copy.copy_rows(
        FeeAssignment,
        _ASSIGNMENT_COLUMNS,
        (
            (item, house, start, one, actor_id, now)
            for (house, item), (pk, start) in plan.assignments.items()
            if pk is None
        ),
    )
    moved: dict[date, list[int]] = defaultdict(list)
    for pk, start in plan.assignments.values():
        if pk is not None:
            moved[start].append(pk)
    for start, pks in moved.items():
        FeeAssignment.objects.filter(pk__in=pks).update(start=start)


def _lines(
    batch: list[LedgerRow], actor_id: int | None, reason: str
) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """The batch's charges, payments and allocations as COPY rows, their ids taken beforehand."""
    now, today = timezone.now(), timezone.localdate()
    charge_ids = iter(ledger_copy.reserve_ids(Charge, sum(len(row.pieces) for row in batch)))
    paying = [row for row in batch if row.paid > 0]
    payment_of = dict(zip((row.row for row in paying), ledger_copy.reserve_ids(Payment, len(paying)), strict=True))
    issued_of: dict[tuple[date, date | None], date] = {}
    charges, allocations = [], []
    for row in batch:
        place, paid_day = row.place, row.paid_at.date() if row.paid_at else None
        for piece in row.pieces:
            pk = next(charge_ids)
            issued = issued_of.get((piece.period_start, paid_day))
            if issued is None:
                issued = min(piece.period_start if paid_day is None else min(piece.period_start, paid_day), today)
                issued_of[(piece.period_start, paid_day)] = issued
            charges.append((
                pk, place.house_id, place.estate_id, place.building_id, row.item_id, "regular", piece.cycle_start,
                piece.period_start, piece.period_end, piece.amount, issued, max(piece.period_end, issued),
                row.calculation, reason, actor_id, now,
            ))  # fmt: skip
            if piece.paid > 0:
                allocations.append((payment_of[row.row], pk, piece.paid, now))
    received: dict[datetime, datetime] = {}  # a history's payments share a few moments
    payments = []
    for row in paying:
        paid_at = row.paid_at
        if paid_at is None:
            moment, day = now, today
        else:
            moment = received.get(paid_at) or received.setdefault(paid_at, timezone.make_aware(paid_at))
            day = paid_at.date()
        payments.append((
            payment_of[row.row], row.place.house_id, row.place.estate_id, PaymentMethod.IMPORTED.value, row.paid,
            moment, day, "", "", row.note, f"import:{row.place.house_id}:{row.item_id}:{row.key}", now,
        ))  # fmt: skip
    return charges, payments, allocations


@action
def post_imported_ledger(*, plan: LedgerPlan, actor: Any, on_progress: kinds.Progress | None = None) -> dict[str, int]:
    """Write a clean plan; one audit line sums it up, the rows carry the source in their calculation."""
    actor_id = actor.pk if getattr(actor, "pk", None) else None
    house_ids = sorted({row.place.house_id for row in plan.rows} | {h for h, _i in plan.assignments})
    for batch in chunks(house_ids):
        lock_payers(House.objects.filter(pk__in=batch))
    _assignments(plan, actor_id)
    total, reason = len(plan.rows), _("历史数据导入")
    charges = payments = done = 0
    due_total = paid_total = ZERO
    for batch in chunks(plan.rows, BATCH * 4):
        charge_lines, payment_lines, allocation_lines = _lines(batch, actor_id, reason)
        charges += ledger_copy.copy_rows(Charge, _CHARGE_COLUMNS, charge_lines)
        payments += ledger_copy.copy_rows(Payment, _PAYMENT_COLUMNS, payment_lines)
        ledger_copy.copy_rows(Allocation, _ALLOCATION_COLUMNS, allocation_lines)
        due_total += sum((piece.amount for row in batch for piece in row.pieces), ZERO)
        paid_total += sum((row.paid for row in batch), ZERO)
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
    plan.parsed = None  # what the dry run read is no longer needed: not held through the writes
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


__all__ = ["post_imported_ledger", "write_ledger"]
