"""Which companies the payment sweeper visits (companies.PaymentWatch, one public table).

An order or refund, once committed, marks its company (`watch_after_commit`: a separate statement
after the commit, ON CONFLICT DO NOTHING, so thousands of owners paying at once never wait on one row).
The beat (`watched_schemas`, every two minutes) sends the sweep to those companies only; each sweep
ends with `rewatch`: the mark is deleted first, then put back if anything is still live. Deleting
before looking is what makes it safe: an order committed before the delete is seen by the look that
follows, and one committed after it marks the company again itself. A process dying between an
order's commit and its mark leaves the order to the hourly sweep of every company (config.celery)."""

from __future__ import annotations

from django.db import connection, transaction

from companies.models import Company, PaymentWatch
from core.db import current_schema
from payments.models import OrderStatus, PaymentOrder, PaymentRefund, RefundStatus

LIVE_ORDER = (OrderStatus.CREATED, OrderStatus.PENDING)


def _table() -> str:
    return f"public.{connection.ops.quote_name(PaymentWatch._meta.db_table)}"


def _mark(schema_name: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {_table()} (schema_name, since) VALUES (%s, now()) ON CONFLICT DO NOTHING",  # noqa: S608
            [schema_name],
        )


def watch_after_commit() -> None:
    """Called by whatever makes an order or a refund, inside its transaction."""
    schema_name = current_schema()
    transaction.on_commit(lambda: _mark(schema_name))


def is_live() -> bool:
    """Anything in this company the sweeper still has to ask a gateway about."""
    return (
        PaymentOrder.objects.filter(status__in=LIVE_ORDER).exists()
        or PaymentRefund.objects.filter(status=RefundStatus.PROCESSING).exists()
    )


def rewatch() -> bool:
    """After a sweep in this company: unmark, look, mark again while anything is live. Returns
    whether the company stays watched. Each statement commits on its own (run outside a transaction)."""
    schema_name = current_schema()
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {_table()} WHERE schema_name = %s", [schema_name])  # noqa: S608
    if is_live():
        _mark(schema_name)
        return True
    return False


def watched_schemas() -> list[str]:
    """The companies the beat sends the sweep to (a company since deleted is skipped)."""
    return list(
        PaymentWatch.objects.filter(schema_name__in=Company.objects.values("schema_name"))
        .order_by("since")
        .values_list("schema_name", flat=True)
    )
