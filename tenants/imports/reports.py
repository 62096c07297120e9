"""Spreadsheets handed to users: the blank templates, and the annotated report of a dry run (the
uploaded rows as they were, an added 错误说明 column, each bad cell filled red with a comment).
Written through core.sheets, like every file we hand out: an uploaded cell holding a control
character or formula-like text comes back as inert text."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from datetime import date
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl.styles import Alignment, Font, PatternFill

from core.sheets import Spreadsheet, comment
from tenants.imports import kinds
from tenants.imports.columns import NOTES_TITLE
from tenants.imports.reading import MAX_SHEET_ROWS, FileProblem, Table, open_rows
from tenants.imports.validation import Problem

EXPLANATION = gettext_lazy("错误说明")  # rendered with str() when a report is written
RED = PatternFill(fill_type="solid", start_color="FFFFC7CE", end_color="FFFFC7CE")
RED_TEXT = Font(color="FF9C0006")
YELLOW = PatternFill(fill_type="solid", start_color="FFFFEB9C", end_color="FFFFEB9C")
WARNING = gettext_lazy("提醒")
BOLD = Font(bold=True)
REQUIRED = Font(bold=True, color="FFC00000")
MAX_COMMENTS = 2_000  # a comment per bad cell up to here; past it the 错误说明 column still says all
AUTHOR = gettext_lazy("物业系统")
UNREAD_FILE_ROWS = 1_000


def template(kind: str) -> bytes:
    """Chinese headers (required ones in red), one example row, and a sheet of notes per column."""
    spec = kinds.get(kind)
    columns = [column for column in spec.columns if column.in_template]
    book = Spreadsheet()
    sheet = book.sheet(spec.sheet_title)
    sheet.widths(max(10, len(column.header) * 2 + 4) for column in columns)
    sheet.text_columns(position for position, column in enumerate(columns, 1) if column.as_text)
    sheet.append(sheet.cell(column.header, font=REQUIRED if column.required else BOLD) for column in columns)
    example = []
    for column in columns:
        if column.as_text:
            example.append(sheet.cell(column.example, number_format="@"))
        elif isinstance(column.example, date):
            example.append(sheet.cell(column.example, number_format="yyyy-mm-dd"))
        else:
            example.append(sheet.cell(column.example))
    sheet.append(example)

    notes = book.sheet(NOTES_TITLE)
    notes.widths((16, 8, 80))
    notes.append((_("列"), _("必填"), _("说明")))
    for column in columns:
        aliases = _("（也可写作：%(aliases)s）") % {"aliases": "、".join(column.aliases)} if column.aliases else ""
        note = _(column.note) if column.note else ""  # marked with gettext_noop where it is written
        notes.append([column.header, _("是") if column.required else "", f"{note}{aliases}"])
    notes.append([])
    for line in spec.notes:
        notes.append([_(line) if line else line])
    return book.save()


def _display(value: Any) -> Any:
    if isinstance(value, str):
        return value or None
    return value


def _readable(data: bytes, file_name: str, limit: int) -> Iterator[tuple[int, list[Any]]]:
    """The file's rows up to row `limit`, as far as they can be read (an unreadable file's report is
    its problem list)."""
    try:
        for number, cells in open_rows(data, file_name).rows:
            if number > limit:
                return
            yield number, cells
    except FileProblem:
        return


def annotated(
    data: bytes, file_name: str, table: Table | None, problems: Iterable[Problem], warnings: Iterable[Problem] = ()
) -> bytes:
    """The uploaded rows where Excel showed them, bad cells red with the problem as a comment (cells
    with a warning yellow), the problems and warnings of each row in an added 错误说明 column, and a
    sheet listing every problem, then every warning."""
    by_row: dict[int | None, list[Problem]] = defaultdict(list)
    for problem in problems:
        by_row[problem.row].append(problem)
    warned: dict[int | None, list[Problem]] = defaultdict(list)
    for warning in warnings:
        warned[warning.row].append(warning)
    header_index = table.header_index if table else {}
    header_row = table.header_row if table else None

    book = Spreadsheet()
    sheet = book.sheet(_("导入结果"))
    width = 0  # the header's: 错误说明 goes right of it on every row
    comments = 0
    expected = 1
    # A file refused before its header was found gets its top rows back (where the header was
    # looked for), not the whole file: the user has that, and a 20 MB file takes minutes to write.
    limit = MAX_SHEET_ROWS if table else UNREAD_FILE_ROWS
    for number, cells in _readable(data, file_name, limit):
        while expected < number:  # rows calamine skipped before the first cell: keep Excel's numbering
            sheet.append()
            expected += 1
        expected = number + 1
        if number == header_row:
            width = len(cells)
            sheet.append([*(_display(value) for value in cells), sheet.cell(str(EXPLANATION), font=REQUIRED)])
            continue
        found = by_row.get(number, [])
        notes = warned.get(number, [])
        if not found and not notes:
            sheet.append(_display(value) for value in cells)
            continue
        out = [sheet.cell(_display(value)) for value in cells]
        out += [sheet.cell(None) for _blank in range(width - len(out))]
        for problem, fill in [*((w, YELLOW) for w in notes), *((p, RED) for p in found)]:
            position = header_index.get(problem.column or "")
            if position is None or position >= len(out):
                continue
            out[position].fill = fill
            if comments < MAX_COMMENTS:
                out[position].comment = comment(problem.message, str(AUTHOR))
                comments += 1
        explanation = sheet.cell(
            _("；").join(
                [f"{p.column}：{p.message}" if p.column else p.message for p in found]
                + [f"{WARNING}：{p.column}：{p.message}" if p.column else f"{WARNING}：{p.message}" for p in notes]
            ),
            font=RED_TEXT if found else Font(),
            alignment=Alignment(wrap_text=True),
        )
        sheet.append([*out, explanation])

    summary = book.sheet(_("问题汇总"))
    summary.widths((None, None, 80))
    summary.append((_("行号"), _("列"), _("问题")))
    for problem in by_row.get(None, []):
        summary.append(["", "", problem.message])
    for row in sorted(key for key in by_row if key is not None):
        for problem in by_row[row]:
            summary.append([row, problem.column or "", problem.message])
    if warned:
        notes_sheet = book.sheet(_("提醒汇总"))
        notes_sheet.widths((None, None, 80))
        notes_sheet.append((_("行号"), _("列"), _("提醒")))
        for line in sorted(warned, key=lambda key: key or 0):
            for warning in warned[line]:
                notes_sheet.append([line or "", warning.column or "", warning.message])
    return book.save()
