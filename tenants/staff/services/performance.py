"""Staff writes: monthly performance."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from core.actions import action
from tenants.staff.models import (
    PerformanceRecord,
)
from tenants.staff.services.common import field_error


def month_of(day: date | datetime) -> date:
    if isinstance(day, datetime):
        day = timezone.localdate(day) if timezone.is_aware(day) else day.date()
    return day.replace(day=1)


def _add_to_performance(*, user: Any, at: date | datetime, source: str, **increments: int) -> PerformanceRecord:
    source = (source or "").strip()
    if not source or len(source) > 30:
        raise field_error("source", _("来源无效。"))
    with transaction.atomic():
        record, _created = PerformanceRecord.objects.get_or_create(user=user, month=month_of(at), source=source)
        PerformanceRecord.objects.filter(pk=record.pk).update(
            **{field: F(field) + amount for field, amount in increments.items() if amount}, updated_at=timezone.now()
        )
    record.refresh_from_db()
    return record


def _check_rating(rating: int | None) -> None:
    if rating is not None and (isinstance(rating, bool) or not isinstance(rating, int) or not 1 <= rating <= 5):
        raise field_error("rating", _("评分须为 1 到 5 的整数。"))


# Part of the action that finishes (or rates) the work order; that action writes the audit row.
@action(audit=False)
def record_work_order_result(
    *,
    user: Any,
    completed_at: datetime,
    source: str = "service_desk",
    sla_met: bool | None = None,
    rating: int | None = None,
) -> PerformanceRecord:
    """A work order finished by `user` (a repair, a complaint…): counted in the month it was finished.

    Call it once per finished work order, in the same transaction that finishes it. `sla_met` None
    means the order had no SLA; a rating given later goes through `record_rating`."""
    _check_rating(rating)
    return _add_to_performance(
        user=user,
        at=completed_at,
        source=source,
        work_orders_done=1,
        sla_total=0 if sla_met is None else 1,
        sla_met=1 if sla_met else 0,
        rating_sum=rating or 0,
        rating_count=1 if rating else 0,
    )


# Part of the action that finishes (or rates) the work order; that action writes the audit row.
@action(audit=False)
def record_rating(*, user: Any, completed_at: datetime, rating: int, source: str = "service_desk") -> PerformanceRecord:
    """An owner's rating of a work order `user` finished, counted in the month it was finished."""
    _check_rating(rating)
    if rating is None:
        raise field_error("rating", _("评分须为 1 到 5 的整数。"))
    return _add_to_performance(user=user, at=completed_at, source=source, rating_sum=rating, rating_count=1)
