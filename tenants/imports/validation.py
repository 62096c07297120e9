"""Checking every row of an import against the file itself and the company's data, and working out
what committing it would do. Used by the dry run and again inside the commit's transaction.

This module holds what every kind shares (parsing the rows through the kind's columns, findings,
counts, the Outcome); each kind's own checks are its registered validator (kinds.py), e.g.
check_houses and check_residents here, billing.services.meter_import for readings.

Existing data is loaded in bulk by the file's natural keys (a handful of queries, whatever the row
count); nothing is written here. The result is an Outcome: the problems (row, column, message),
the counts, and — when there is no problem — the plan the kind's writer carries out.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from tenants.imports import kinds
from tenants.imports.cells import CellError
from tenants.imports.columns import Column
from tenants.imports.kinds import Progress
from tenants.imports.person_cells import MASKED, Placeholder
from tenants.imports.reading import Table

PROGRESS_EVERY = 2_000
IN_BATCH = 5_000  # keys per `IN (...)` query

__all__ = ["Findings", "Outcome", "Problem", "Progress", "chunks", "parse_rows", "tally", "validate"]


@dataclass
class Problem:
    row: int | None
    column: str | None
    message: str
    sheet: str | None = None  # in a workbook of several sheets (HC's): which one

    def as_dict(self) -> dict[str, Any]:
        found = {"row": self.row, "column": self.column, "message": self.message}
        return {**found, "sheet": self.sheet} if self.sheet else found


@dataclass
class Outcome:
    kind: str
    problems: list[Problem]
    counts: dict[str, int]
    plan: Any = None
    # Sentences for the user beside the counts: sheets ignored and why, columns not mapped, …
    notes: list[str] = field(default_factory=list, kw_only=True)
    # What the file will do that a clerk should know (a placeholder imported as missing, two owners
    # in one cell, a relation that will end): listed in the report, never blocking the commit.
    warnings: list[Problem] = field(default_factory=list, kw_only=True)

    @property
    def clean(self) -> bool:
        return not self.problems


class Findings:
    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.warnings: list[Problem] = []
        self.bad_rows: set[int] = set()

    def add(self, row: int, column: str | None, message: str) -> None:
        self.problems.append(Problem(row, column, message))
        self.bad_rows.add(row)

    def add_file(self, message: str) -> None:
        """A problem of the whole file (no row to mark), e.g. the estate neither chosen nor named."""
        self.problems.append(Problem(None, None, message))

    def warn(self, row: int | None, column: str | None, message: str) -> None:
        self.warnings.append(Problem(row, column, message))

    def outcome(
        self, kind: str, plan: Any, *, rows: int, verdicts: dict[int, str], blank_rows: int, **extra: int
    ) -> Outcome:
        """A kind's dry run as its result: problems and warnings in row order, the counts (tally), and
        the plan only when nothing is wrong — a file with a problem is never written."""
        counts = tally(rows, self, verdicts, blank_rows, **extra)
        self.problems.sort(key=lambda problem: problem.row or 0)
        self.warnings.sort(key=lambda problem: problem.row or 0)
        return Outcome(kind, self.problems, counts, None if self.problems else plan, warnings=self.warnings)


def chunks(values: Iterable[Any], size: int = IN_BATCH) -> Iterator[list[Any]]:
    batch: list[Any] = []
    for value in values:
        batch.append(value)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _blank_without_a_cell(column: Column) -> bool:
    """An optional column the file does not have, whose parser makes nothing of an empty cell: left
    out of the row loop (a history's absent 楼栋/单元/小区/车牌 would otherwise be parsed 100,000 times)."""
    if column.required:
        return False
    try:
        return column.parse(None) is None
    except CellError:
        return False


def parse_rows(table: Table, findings: Findings, on_progress: Progress, passes: int) -> list[tuple[int, dict]]:
    """Pass 1, as the file is read: every cell through its column's parser; required cells present.
    Blank cells are left out of a row's values (`values.get(key)` is None). on_progress is called
    every PROGRESS_EVERY rows, as the first of `passes` over the rows."""
    columns: list[tuple[Column, int | None]] = [
        (column, table.index.get(column.key))
        for column in kinds.get(table.kind).columns
        if table.index.get(column.key) is not None or not _blank_without_a_cell(column)
    ]
    parsed: list[tuple[int, dict]] = []
    total = table.expected_rows * passes
    for done, (number, cells) in enumerate(table.data_rows(), 1):
        values: dict[str, Any] = {}
        width = len(cells)
        for column, position in columns:
            raw = cells[position] if position is not None and position < width else None
            try:
                value = column.parse(raw)
            except CellError as exc:
                findings.add(number, column.header, exc.message)
                continue
            if isinstance(value, Placeholder):
                findings.warn(number, column.header, value.message)
                values.setdefault("placeholders", set()).add(column.key)
                value = None
            elif value is MASKED:  # our own export's masked number: as on file, the person known by it
                values["masked"] = True
                value = None
            if value is not None:
                values[column.key] = value
            elif column.required:
                findings.add(number, column.header, _("必填，不能为空。"))
        parsed.append((number, values))
        if done % PROGRESS_EVERY == 0:
            on_progress(min(done, table.expected_rows), total)
    return parsed


def tally(rows: int, findings: Findings, verdicts: dict[int, str], blank_rows: int, **extra: int) -> dict[str, int]:
    result = {"rows": rows, "create": 0, "update": 0, "unchanged": 0, "errors": len(findings.bad_rows)}
    for number, verdict in verdicts.items():
        if number not in findings.bad_rows:
            result[verdict] += 1
    result["blank_rows"] = blank_rows
    result.update(extra)
    return result


def validate(table: Table, on_progress: Progress) -> Outcome:
    return kinds.get(table.kind).validate(table, on_progress)
