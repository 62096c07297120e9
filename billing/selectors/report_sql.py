"""What the billing reports (arrears, collection, income, the cashier's day) share: table names for
their SQL, running a report query, money and day arithmetic in the company's time zone."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.db.models import Model
from django.utils import timezone

from billing.money import add_months

ZERO = Decimal("0.00")
CENT = Decimal("0.01")


def money(value: Any) -> Decimal:
    return (Decimal(value) if value is not None else ZERO).quantize(CENT)


def table(model: type[Model]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def end_of_day(day: date) -> datetime:
    """The first instant after `day` in the company's time zone: rows created before it are that day's."""
    return timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))


def month_start(day: date, months: int = 0) -> date:
    """The first of the month `months` after `day`'s month."""
    return add_months(day.replace(day=1), months)


def months_between(first: date, last: date) -> int:
    return (last.year - first.year) * 12 + last.month - first.month


def fetch(sql: str, params: dict[str, Any]) -> list[tuple[Any, ...]]:
    """Run a report query with room to aggregate in memory (an estate's ledger grouped per payer
    spills past the default work_mem to disk, doubling the time), and without JIT compilation,
    which costs more than it saves on a query that runs once."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL work_mem = '64MB'")
        cursor.execute("SET LOCAL jit = off")
        cursor.execute(sql, params)
        return list(cursor.fetchall())
