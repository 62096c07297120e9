"""Daily reconciliation (对账): a gateway's trade bill for one day against our orders, both ways.

`request_run` opens (or reopens) the day's run and emits its work; the outbox delivers it to
`execute_run` in the company's schema. That downloads the bill (outside any transaction), heals
what it can — an order the bill shows paid that we still hold as created/pending is settled through
the sweeper's query path, exactly as a notification would settle it — and then `_commit` replaces
the run's items in one transaction, guarded by the run's status and attempt: a repeated or late
delivery of an earlier attempt writes nothing. Resolutions staff recorded carry over to the same
difference found again.

What counts as a difference:
- missing_here: the provider took (or refunded) money for an order we have no record of;
- missing_there: we hold an order paid that day (or a refund of it) the provider's bill lacks;
- amount_mismatch: both have it, at different amounts;
- status_mismatch: the provider says paid (refunded) and we hold the order in another state that
  neither heal below reaches (failed, or a bill line that does not fit the order);
- healed: an order we held as pending, settled by the query during the run; or one the sweeper
  closed (expired without a notification) that the bill shows SUCCESS at its amount — a real
  payment: closed → paid with the bill line as evidence and credited through the same allocation
  path, once (payments.services.orders.settle_from_bill; when its charges were paid meanwhile, the
  lost race's refund runs). Recorded, resolved; running the day again credits nothing more and keeps
  the healed record.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.db import OperationalError
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import services as account_services
from core import services as core_services
from core.actions import action, emit
from core.db import conflict_as
from core.errors import DomainError
from core.i18n import records_language
from payments import gateways
from payments.gateways import BillRow, GatewayError, TradeBill
from payments.models import (
    ItemKind,
    OrderStatus,
    PaymentOrder,
    PaymentRefundEvent,
    ReconciliationItem,
    ReconciliationRun,
    RefundStatus,
    RunStatus,
)
from payments.services import orders, sweeper
from payments.services.checkout import merchant_of

logger = logging.getLogger(__name__)
SHANGHAI = ZoneInfo("Asia/Shanghai")
TOPIC_RECONCILE = "payments.reconcile"
STALE = timedelta(minutes=30)  # a run "running" longer than this died with its worker
JOB_STEPS = 3
REFUNDED = (OrderStatus.PARTIALLY_REFUNDED, OrderStatus.REFUNDED)
HEALABLE = (OrderStatus.CREATED, OrderStatus.PENDING)
ZERO = Decimal("0.00")


class AlreadyRunning(DomainError):
    def __init__(self) -> None:
        super().__init__(_("该日对账正在进行，请稍后再试。"), code="reconciliation_running", status_code=409)


def bill_gateways() -> list[str]:
    """The gateways that have a trade bill on this deployment."""
    found = []
    for name in gateways.names():
        try:
            if gateways.bill_source(gateways.get(name)) is not None:
                found.append(name)
        except GatewayError:
            continue  # not configured here (WeChat Pay disabled)
    return found


def yesterday() -> date:
    return timezone.now().astimezone(SHANGHAI).date() - timedelta(days=1)


def day_bounds(day: date) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time.min, tzinfo=SHANGHAI)
    return start, start + timedelta(days=1)


@action
def request_run(
    *, company: Any, gateway_name: str, bill_date: date, actor: Any = None, force: bool = True
) -> ReconciliationRun | None:
    """Open the day's run (or reopen it: its items are replaced when it finishes) and queue its work.
    `force=False` (the daily beat): a day already done, or running, is left alone (None)."""
    if gateway_name not in bill_gateways():
        raise DomainError(_("该支付渠道没有对账单。"), fields={"gateway": [_("该支付渠道没有对账单。")]})
    if bill_date > timezone.now().astimezone(SHANGHAI).date():
        raise DomainError(_("账单日期不能晚于今天。"), fields={"bill_date": [_("账单日期不能晚于今天。")]})
    merchant_of(gateway_name, company)  # 409 when the company takes no such payments
    now = timezone.now()
    run = ReconciliationRun.objects.select_for_update().filter(gateway=gateway_name, bill_date=bill_date).first()
    if run is None:
        with conflict_as(AlreadyRunning()):
            run = ReconciliationRun.objects.create(
                gateway=gateway_name, bill_date=bill_date, started_at=now, requested_by=actor
            )
    else:
        if run.status == RunStatus.RUNNING and run.started_at > now - STALE:
            if not force:
                return None
            raise AlreadyRunning()
        if run.status == RunStatus.DONE and not force:
            return None
        run.status, run.attempt, run.started_at = RunStatus.RUNNING, run.attempt + 1, now
        run.finished_at, run.error, run.requested_by = None, "", actor
    run.job = core_services.create_job(
        kind="payments.reconcile",
        created_by=actor,
        total=JOB_STEPS,
        params={"gateway": gateway_name, "bill_date": bill_date.isoformat()},
    )
    run.save()
    account_services.record_audit(
        actor=actor,
        action="payments.reconcile.request",
        object_type="reconciliationrun",
        object_id=run.pk,
        after={"gateway": gateway_name, "bill_date": bill_date.isoformat(), "attempt": run.attempt},
    )
    emit(TOPIC_RECONCILE, {"run_id": run.pk, "attempt": run.attempt}, key=f"payments.reconcile:{run.pk}:{run.attempt}")
    return run


def execute_run(*, run_id: int, attempt: int) -> ReconciliationRun | None:
    """The run's work (the outbox handler's body). Nothing unless this attempt is still running.
    An unreachable provider raises (the outbox retries); any other failure marks the run failed."""
    run = ReconciliationRun.objects.filter(pk=run_id, attempt=attempt, status=RunStatus.RUNNING).first()
    if run is None:
        return None
    job_id = run.job_id
    if job_id:
        core_services.start_job(job_id=job_id, total=JOB_STEPS)
        core_services.report_progress(job_id=job_id, progress=0, message=_("正在下载对账单"))
    try:
        company = sweeper.current_company()
        merchant = merchant_of(run.gateway, company)
        source = gateways.bill_source(gateways.get(run.gateway))
        if source is None:
            raise GatewayError("NO_BILL", "this gateway has no trade bill")
        bill = source.trade_bill(run.bill_date, merchant)
        expected = dict(gateways.get(run.gateway).merchant_ids(merchant))
        _check_merchant(bill, expected)
        if job_id:
            core_services.report_progress(job_id=job_id, progress=1, message=_("正在补记已支付订单"))
        healed = _heal(run, bill, company)
        if job_id:
            core_services.report_progress(job_id=job_id, progress=2, message=_("正在核对"))
        done = _commit(run_id=run_id, attempt=attempt, bill=bill, healed=healed)
    except GatewayError as exc:
        if exc.unreachable:
            raise  # nobody knows the bill yet: the outbox tries again, then gives up (give_up)
        return _failed(run_id, attempt, job_id, _("对账单获取或校验失败：%(code)s") % {"code": exc.code})
    except DomainError as exc:
        return _failed(run_id, attempt, job_id, str(exc.message))
    except OperationalError:
        raise
    except Exception:
        logger.exception("reconciliation %s failed", run_id)
        return _failed(run_id, attempt, job_id, _("对账时发生意外错误，请稍后重试。"))
    if done is not None and job_id:
        core_services.finish_job(job_id=job_id, result={"run": run_id, "mismatches": _open_count(done)})
    return done


def give_up(*, run_id: int, attempt: int, error: str = "") -> None:
    run = ReconciliationRun.objects.filter(pk=run_id).first()
    _failed(run_id, attempt, run.job_id if run else None, _("多次无法连接支付渠道，已停止；请稍后重新对账。"))


def _open_count(run: ReconciliationRun) -> int:
    return run.items.exclude(kind=ItemKind.HEALED).filter(resolved_at__isnull=True).count()


def _failed(run_id: int, attempt: int, job_id: Any, message: str) -> ReconciliationRun | None:
    run = _fail(run_id=run_id, attempt=attempt, message=message)
    if job_id:
        core_services.fail_job(job_id=job_id, message=message)
    return run


@action
def _fail(*, run_id: int, attempt: int, message: str) -> ReconciliationRun | None:
    run = ReconciliationRun.objects.select_for_update().get(pk=run_id)
    if run.status != RunStatus.RUNNING or run.attempt != attempt:
        return None
    run.status, run.error, run.finished_at = RunStatus.FAILED, message[:500], timezone.now()
    run.save(update_fields=["status", "error", "finished_at"])
    account_services.record_audit(
        actor=None,
        action="payments.reconcile.failed",
        object_type="reconciliationrun",
        object_id=run.pk,
        after={"error": run.error, "attempt": attempt},
    )
    return run


def _check_merchant(bill: TradeBill, expected: Mapping[str, str]) -> None:
    for row in bill.rows:
        for key, value in expected.items():
            if row.merchant.get(key, value) != value:
                raise GatewayError("FOREIGN_ROWS", f"the bill has a row of another {key}", status=200)


def _heal(run: ReconciliationRun, bill: TradeBill, company: Any) -> dict[str, str]:
    """Orders the bill shows paid and we hold as created/pending: settled by the query path, each in
    its own action. Returns {out_trade_no: the status it had} for those now paid."""
    paid_there = {row.out_trade_no for row in bill.payments if row.trade_state == "SUCCESS"}
    healed: dict[str, str] = _heal_closed(run, bill)
    for order in PaymentOrder.objects.filter(gateway=run.gateway, out_trade_no__in=paid_there, status__in=HEALABLE):
        before = order.status
        try:
            settled = sweeper.settle_by_query(order, company=company, source="reconciliation")
        except (GatewayError, orders.Mismatch) as exc:
            logger.warning("reconciliation could not heal %s: %s", order.out_trade_no, exc)
            continue
        if settled.status in orders.PAID_STATES:
            healed[order.out_trade_no] = before
    return healed


def _heal_closed(run: ReconciliationRun, bill: TradeBill) -> dict[str, str]:
    """Orders the sweeper closed that the bill shows paid: closed → paid from the bill line, each in
    its own action. A line that does not fit the order (another amount) heals nothing."""
    lines = {row.out_trade_no: row for row in bill.payments if row.trade_state == "SUCCESS"}
    method = gateways.get(run.gateway).method
    healed: dict[str, str] = {}
    for order in PaymentOrder.objects.filter(gateway=run.gateway, out_trade_no__in=lines, status=OrderStatus.CLOSED):
        try:
            settled = orders.settle_from_bill(order_id=order.pk, row=lines[order.out_trade_no], method=method)
        except orders.Mismatch as exc:
            logger.warning("reconciliation could not heal closed %s: %s", order.out_trade_no, exc)
            continue
        if settled.status in orders.PAID_STATES:
            healed[order.out_trade_no] = OrderStatus.CLOSED.value
    return healed


@action
def _commit(*, run_id: int, attempt: int, bill: TradeBill, healed: Mapping[str, str]) -> ReconciliationRun | None:
    run = ReconciliationRun.objects.select_for_update().get(pk=run_id)
    if run.status != RunStatus.RUNNING or run.attempt != attempt:
        return None  # another attempt took over, or this one finished already
    start, end = day_bounds(run.bill_date)
    ours_paid = list(
        PaymentOrder.objects.filter(
            gateway=run.gateway, paid_at__gte=start, paid_at__lt=end, status__in=orders.PAID_STATES
        )
    )
    our_refunds = list(  # refunds that ended refunded that day, by our record
        PaymentRefundEvent.objects.select_related("refund__order").filter(
            refund__order__gateway=run.gateway,
            to_status=RefundStatus.REFUNDED,
            created_at__gte=start,
            created_at__lt=end,
        )
    )
    named = {row.out_trade_no for row in bill.rows}
    known = {o.out_trade_no: o for o in PaymentOrder.objects.filter(gateway=run.gateway, out_trade_no__in=named)}
    items = _payment_items(bill, known, ours_paid, healed) + _refund_items(bill, known, our_refunds)
    _replace_items(run, items)

    paid_there = [row for row in bill.payments if row.trade_state == "SUCCESS"]
    run.bill_exists = bill.exists
    run.provider_payments, run.provider_paid_total = len(paid_there), sum((r.amount for r in paid_there), ZERO)
    run.provider_refunds, run.provider_refund_total = len(bill.refunds), sum((r.amount for r in bill.refunds), ZERO)
    run.our_payments, run.our_paid_total = len(ours_paid), sum((o.amount for o in ours_paid), ZERO)
    run.our_refunds = len(our_refunds)
    run.our_refund_total = sum((e.refund.amount for e in our_refunds), ZERO)
    run.status, run.finished_at, run.error = RunStatus.DONE, timezone.now(), ""
    run.save()
    account_services.record_audit(
        actor=run.requested_by,
        action="payments.reconcile",
        object_type="reconciliationrun",
        object_id=run.pk,
        after={
            "gateway": run.gateway,
            "bill_date": run.bill_date.isoformat(),
            "attempt": attempt,
            "items": len(items),
            "healed": len(healed),
        },
    )
    return run


def _item(
    kind: str, otn: str, *, row: BillRow | None = None, order: PaymentOrder | None = None, **fields: Any
) -> ReconciliationItem:
    values: dict[str, Any] = {
        "provider_amount": row.amount if row is not None else None,
        "provider_state": row.trade_state if row is not None else "",
        "our_state": order.status if order is not None else "",
        "evidence": {"bill": dict(row.raw)} if row is not None else {},
    }
    return ReconciliationItem(kind=kind, out_trade_no=otn, order=order, **{**values, **fields})


def _payment_items(
    bill: TradeBill, known: Mapping[str, PaymentOrder], ours_paid: list[PaymentOrder], healed: Mapping[str, str]
) -> list[ReconciliationItem]:
    items = []
    for row in bill.payments:
        order = known.get(row.out_trade_no)
        amount = {"our_amount": order.amount} if order is not None else {}
        if order is None:
            if row.trade_state == "SUCCESS":
                items.append(_item(ItemKind.MISSING_HERE, row.out_trade_no, row=row))
        elif row.trade_state != "SUCCESS":  # revoked there
            if order.status in orders.PAID_STATES:
                items.append(_item(ItemKind.STATUS_MISMATCH, row.out_trade_no, row=row, order=order, **amount))
        elif row.out_trade_no in healed:
            item = _item(ItemKind.HEALED, row.out_trade_no, row=row, order=order, **amount)
            item.evidence = {**item.evidence, "was": healed[row.out_trade_no]}
            with records_language():
                if healed[row.out_trade_no] == OrderStatus.CLOSED:
                    note = _("渠道已支付、本地已关闭：已按对账单补记入账")
                else:
                    note = _("渠道已支付、本地待支付：已按查询结果补记入账")
                item.resolved_at, item.note = timezone.now(), note
            items.append(item)
        elif order.status not in orders.PAID_STATES:
            items.append(_item(ItemKind.STATUS_MISMATCH, row.out_trade_no, row=row, order=order, **amount))
        elif order.amount != row.amount:
            items.append(_item(ItemKind.AMOUNT_MISMATCH, row.out_trade_no, row=row, order=order, **amount))
    billed = {row.out_trade_no for row in bill.payments}
    for order in ours_paid:
        if order.out_trade_no not in billed:
            items.append(_item(ItemKind.MISSING_THERE, order.out_trade_no, order=order, our_amount=order.amount))
    return items


def _refund_items(
    bill: TradeBill, known: Mapping[str, PaymentOrder], our_refunds: list[PaymentRefundEvent]
) -> list[ReconciliationItem]:
    items = []
    there: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for row in bill.refunds:
        there[row.out_trade_no] += row.amount
        order = known.get(row.out_trade_no)
        if order is None or order.status not in REFUNDED:
            kind = ItemKind.MISSING_HERE if order is None else ItemKind.STATUS_MISMATCH
            items.append(
                _item(kind, row.out_trade_no, row=row, order=order, entry="refund", out_refund_no=row.out_refund_no)
            )
    here: dict[str, Decimal] = defaultdict(lambda: ZERO)
    orders_here: dict[str, PaymentOrder] = {}
    for event in our_refunds:
        order = event.refund.order
        here[order.out_trade_no] += event.refund.amount
        orders_here[order.out_trade_no] = order
    for otn, amount in here.items():
        order = orders_here[otn]
        if otn not in there:
            items.append(_item(ItemKind.MISSING_THERE, otn, order=order, our_amount=amount, entry="refund"))
        elif there[otn] != amount:
            items.append(
                _item(
                    ItemKind.AMOUNT_MISMATCH,
                    otn,
                    order=order,
                    our_amount=amount,
                    provider_amount=there[otn],
                    entry="refund",
                )
            )
    return items


def _replace_items(run: ReconciliationRun, items: list[ReconciliationItem]) -> None:
    """The run's items, replaced; a resolution staff recorded stays with the same difference."""
    resolved = {
        (i.kind, i.entry, i.out_trade_no, i.out_refund_no): i
        for i in run.items.filter(resolved_at__isnull=False).exclude(kind=ItemKind.HEALED)
    }
    # What an earlier attempt healed stays on record (this one finds those orders paid and matching).
    found = {(i.entry, i.out_trade_no) for i in items}
    for earlier_heal in run.items.filter(kind=ItemKind.HEALED):
        if (earlier_heal.entry, earlier_heal.out_trade_no) not in found:
            earlier_heal.pk = None
            items.append(earlier_heal)
    run.items.all().delete()
    for item in items:
        item.run = run
        earlier = resolved.get((item.kind, item.entry, item.out_trade_no, item.out_refund_no))
        if earlier is not None:
            item.resolved_by_id, item.resolved_at, item.note = earlier.resolved_by_id, earlier.resolved_at, earlier.note
    ReconciliationItem.objects.bulk_create(items)


@action
def resolve_item(*, item_id: int, actor: Any, note: str) -> ReconciliationItem:
    """A person says what became of a difference (refunded by hand, a bill error, ...)."""
    note = (note or "").strip()
    if not note:
        raise DomainError(_("请填写处理说明。"), fields={"note": [_("请填写处理说明。")]})
    item = ReconciliationItem.objects.select_for_update().get(pk=item_id)
    if item.resolved_at is not None:
        raise DomainError(_("该差异已处理。"), code="already_resolved", status_code=409)
    item.resolved_by, item.resolved_at, item.note = actor, timezone.now(), note[:500]
    item.save(update_fields=["resolved_by", "resolved_at", "note"])
    account_services.record_audit(
        actor=actor,
        action="payments.reconcile.resolve",
        object_type="reconciliationitem",
        object_id=item.pk,
        after={"kind": item.kind, "out_trade_no": item.out_trade_no, "note": item.note},
    )
    return item
