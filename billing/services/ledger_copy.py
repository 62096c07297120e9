"""Many ledger rows at once, for imports: COPY into the table with ids taken from its sequence first
(so charges, payments and allocations can point at each other), every column named from the model.

COPY is what makes 240,000 rows of history fit in a minute; it changes nothing of the ledger's rules:
the database's triggers (allocations within their charge, payments spent exactly, rows immutable)
fire on each COPYed row as on an INSERT. Runs inside the caller's transaction.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection, models


def reserve_ids(model: type[models.Model], count: int) -> list[int]:
    """`count` fresh primary keys of the model's table (its identity sequence)."""
    if count == 0:
        return []
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [table, count])
        return [row[0] for row in cursor.fetchall()]


def _cell(value: Any) -> Any:
    return json.dumps(value, ensure_ascii=False) if isinstance(value, dict | list) else value


def copy_rows(model: type[models.Model], columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """COPY rows (values in the order of `columns`, the fields' attnames) into the model's table."""
    fields = {field.attname: field.column for field in model._meta.concrete_fields}
    names = ", ".join(connection.ops.quote_name(fields[column]) for column in columns)
    count = 0
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor, cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row([_cell(value) for value in row])
            count += 1
    return count
