"""The dry run's report of an HC workbook: each sheet that has problems or warnings, its rows where
Excel showed them, the bad cells red (cells with a warning yellow) with the message as a comment and
a 错误说明 column; then every problem, then every warning (sheet, row, column, message) on one sheet."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from django.utils.translation import gettext as _
from openpyxl.styles import Alignment, Font

from core.sheets import Spreadsheet, comment
from tenants.imports.hc.workbook import read_sheets
from tenants.imports.reading import FileProblem, Table
from tenants.imports.reports import AUTHOR, EXPLANATION, MAX_COMMENTS, RED, RED_TEXT, REQUIRED, WARNING, YELLOW
from tenants.imports.validation import Problem


def annotated(
    data: bytes, file_name: str, table: Table | None, problems: Sequence[Any], warnings: Sequence[Any] = ()
) -> bytes:
    by_place: dict[str, dict[int, list[tuple[Problem, bool]]]] = defaultdict(lambda: defaultdict(list))
    for found, is_warning in [*((p, False) for p in problems), *((w, True) for w in warnings)]:
        if found.sheet and found.row is not None:
            by_place[found.sheet][found.row].append((found, is_warning))
    book = Spreadsheet()
    try:
        sheets = read_sheets(data, file_name) if by_place else []
    except FileProblem:
        sheets = []
    comments = 0
    for found in sheets:
        rows_of = by_place.get(found.name)
        if not rows_of:
            continue
        sheet = book.sheet(found.name)
        width = len(found.headers)
        positions = {header: position for position, header in enumerate(found.headers)}
        expected = 1
        for number, cells in [(found.header_row, found.headers), *found.rows]:
            while expected < number:  # keep Excel's row numbers
                sheet.append()
                expected += 1
            expected = number + 1
            if number == found.header_row:
                sheet.append([*cells, sheet.cell(str(EXPLANATION), font=REQUIRED)])
                continue
            bad = rows_of.get(number)
            out = [sheet.cell(value if value != "" else None) for value in cells]
            out += [sheet.cell(None) for _ in range(width - len(out))]
            if not bad:
                sheet.append(out)
                continue
            for problem, is_warning in bad:
                position = positions.get(problem.column or "")
                if position is None:
                    continue
                out[position].fill = YELLOW if is_warning else RED
                if comments < MAX_COMMENTS:
                    out[position].comment = comment(problem.message, str(AUTHOR))
                    comments += 1
            text = _("；").join(
                (f"{WARNING}：" if is_warning else "") + (f"{p.column}：{p.message}" if p.column else p.message)
                for p, is_warning in bad
            )
            font = RED_TEXT if any(not is_warning for _p, is_warning in bad) else Font()
            sheet.append([*out, sheet.cell(text, font=font, alignment=Alignment(wrap_text=True))])
    summary = book.sheet(_("问题汇总"))
    summary.widths((14, 8, 14, 80))
    summary.append((_("工作表"), _("行号"), _("列"), _("问题")))
    for problem in problems:
        summary.append([problem.sheet or "", problem.row or "", problem.column or "", problem.message])
    for warning in warnings:
        summary.append([warning.sheet or "", warning.row or "", warning.column or "", f"{WARNING}：{warning.message}"])
    return book.save()
