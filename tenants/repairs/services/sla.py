"""SLA timers and auto-close, swept every minute in each company (tasks.sweep_repairs).

An order's time runs from filing: due at `sla_hours[urgency]` of its category, with a warning once
`sla_warning_percent` of that time has passed (both fixed at filing, so a later change of the
settings moves no running timer). The warning goes to the dispatching staff and the worker, the
escalation after the breach to them and the managers. Each is sent once per order: the order's
`sla_warned_at` / `sla_escalated_at` is set in the same action as the notification, under the
order's row lock, so a redelivered or concurrent sweep finds it set and tells nobody again. An
order that is completed or cancelled leaves the open states, and so every scan: its timer stops.

A completed order its owner has not confirmed within `auto_close_days` is closed by the system
(the machine's `auto_close`, a timeline row with no actor and a note saying why)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db.models import QuerySet, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts import services as account_services
from core.actions import action
from notifications.services import notify
from tenants.repairs import selectors
from tenants.repairs.machine import TRANSITIONS
from tenants.repairs.models import OPEN_STATUSES, RepairCategory, RepairOrder, RepairSettings, Status
from tenants.repairs.services import orders

BATCH = 500  # orders per scan and sweep; the rest wait a minute for the next one


def timers(
    *, category: RepairCategory, urgency: str, now: datetime, settings: RepairSettings | None = None
) -> tuple[datetime | None, datetime | None]:
    """(due_at, sla_warn_at) of an order filed `now`: none when the category sets no hours for the urgency."""
    hours = category.sla_hours.get(urgency)
    if not hours:
        return None, None
    percent = (settings or selectors.repair_settings()).sla_warning_percent
    span = timedelta(hours=hours)
    return now + span, (now + span * percent / 100 if 0 < percent < 100 else None)


def sweep(*, now: datetime | None = None) -> dict[str, int]:
    """One pass of the company's timers: warnings due, breaches, completed orders to close."""
    now = now or timezone.now()
    counts = {"warned": 0, "escalated": 0, "closed": 0}
    waiting = RepairOrder.objects.filter(status__in=OPEN_STATUSES)
    for pk in (
        waiting.filter(sla_warned_at__isnull=True, sla_warn_at__lte=now, due_at__gt=now)
        .order_by("sla_warn_at")
        .values_list("pk", flat=True)[:BATCH]
    ):
        counts["warned"] += warn(order_id=pk, now=now)
    for pk in (
        waiting.filter(sla_escalated_at__isnull=True, due_at__lte=now)
        .order_by("due_at")
        .values_list("pk", flat=True)[:BATCH]
    ):
        counts["escalated"] += escalate(order_id=pk, now=now)
    cutoff = now - timedelta(days=selectors.repair_settings().auto_close_days)
    for pk in (
        RepairOrder.objects.filter(status=Status.COMPLETED, completed_at__lte=cutoff)
        .order_by("completed_at")
        .values_list("pk", flat=True)[:BATCH]
    ):
        counts["closed"] += auto_close(order_id=pk, now=now)
    return counts


def _context(order_id: int) -> tuple[RepairOrder, dict[str, Any]]:
    order = selectors.staff_orders().get(pk=order_id)
    context = orders.order_context(order)
    context["due"] = date_format(timezone.localtime(order.due_at), "SHORT_DATETIME_FORMAT") if order.due_at else ""
    return order, context


def _lock(waiting: QuerySet[RepairOrder]) -> bool:
    """Lock the order if it still waits for this step. A concurrent sweep holding it makes this wait,
    and then see the step done (PostgreSQL checks the conditions again on the updated row)."""
    return waiting.select_for_update(of=("self",)).values_list("pk").first() is not None


@action
def warn(*, order_id: int, now: datetime) -> bool:
    """Warn of an order about to breach; False when it was warned already, has left the open states
    or is late already (the escalation says so instead)."""
    waiting = RepairOrder.objects.filter(
        pk=order_id, status__in=OPEN_STATUSES, sla_warned_at__isnull=True, due_at__gt=now
    )
    if not _lock(waiting):
        return False
    waiting.update(sla_warned_at=now)
    order, context = _context(order_id)
    notify(
        [order.worker, *selectors.sla_warning_staff()],
        "repair.sla_warning",
        context,
        key=f"repair.sla_warning:{order_id}",
    )
    account_services.record_audit(
        actor=None,
        action="repair.sla_warning",
        object_type="repair_order",
        object_id=order_id,
        after={"due_at": order.due_at.isoformat() if order.due_at else None, "status": order.status},
    )
    return True


@action
def escalate(*, order_id: int, now: datetime) -> bool:
    """Escalate an open order past its due time, once; False when done already or no longer open."""
    waiting = RepairOrder.objects.filter(
        pk=order_id, status__in=OPEN_STATUSES, sla_escalated_at__isnull=True, due_at__lte=now
    )
    if not _lock(waiting):
        return False
    waiting.update(sla_escalated_at=now, sla_warned_at=Coalesce("sla_warned_at", Value(now)))
    order, context = _context(order_id)
    recipients = [order.worker, *selectors.sla_escalation_staff()]
    notify(recipients, "repair.sla_breached", context, key=f"repair.sla_breached:{order_id}")
    account_services.record_audit(
        actor=None,
        action="repair.sla_escalate",
        object_type="repair_order",
        object_id=order_id,
        after={"due_at": order.due_at.isoformat() if order.due_at else None, "status": order.status},
    )
    return True


@action
def auto_close(*, order_id: int, now: datetime) -> bool:
    """Close a completed order its owner left unconfirmed for `auto_close_days`; False when it was
    confirmed, reopened or closed meanwhile, or is not that old (the row is locked first, so a
    confirmation at the same moment either goes first or finds the order closed)."""
    days = selectors.repair_settings().auto_close_days
    order = (
        RepairOrder.objects.select_for_update(of=("self",))
        .select_related("category__parent", "estate", "house__building", "house__unit")
        .filter(pk=order_id, status=Status.COMPLETED, completed_at__lte=now - timedelta(days=days))
        .first()
    )
    if order is None:
        return False
    note = _("完工后 %(days)s 天内业主未确认，系统自动关闭。") % {"days": days}
    orders.apply_transition(order, TRANSITIONS["auto_close"], actor=None, worker=None, note=note)
    return True
