"""The dry run's report of an HC workbook: each sheet that has problems, its rows where Excel showed
them, the bad cells red with the problem as a comment and a 错误说明 column; then every problem
(sheet, row, column, message) on one sheet."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from django.utils.translation import gettext as _
from openpyxl.styles import Alignment

from core.sheets import Spreadsheet, comment
from tenants.imports.hc.workbook import read_sheets
from tenants.imports.reading import FileProblem, Table
from tenants.imports.reports import AUTHOR, EXPLANATION, MAX_COMMENTS, RED, RED_TEXT, REQUIRED
from tenants.imports.validation import Problem


def annotated(data: bytes, file_name: str, table: Table | None, problems: Sequence[Any]) -> bytes:
    by_place: dict[str, dict[int, list[Problem]]] = defaultdict(lambda: defaultdict(list))
    for problem in problems:
        if problem.sheet and problem.row is not None:
            by_place[problem.sheet][problem.row].append(problem)
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
                sheet.append([*cells, sheet.cell(EXPLANATION, font=REQUIRED)])
                continue
            bad = rows_of.get(number)
            out = [sheet.cell(value if value != "" else None) for value in cells]
            out += [sheet.cell(None) for _ in range(width - len(out))]
            if not bad:
                sheet.append(out)
                continue
            for problem in bad:
                position = positions.get(problem.column or "")
                if position is None:
                    continue
                out[position].fill = RED
                if comments < MAX_COMMENTS:
                    out[position].comment = comment(problem.message, AUTHOR)
                    comments += 1
            text = _("；").join(f"{p.column}：{p.message}" if p.column else p.message for p in bad)
            sheet.append([*out, sheet.cell(text, font=RED_TEXT, alignment=Alignment(wrap_text=True))])
    summary = book.sheet(_("问题汇总"))
    summary.widths((14, 8, 14, 80))
    summary.append((_("工作表"), _("行号"), _("列"), _("问题")))
    for problem in problems:
        summary.append([problem.sheet or "", problem.row or "", problem.column or "", problem.message])
    return book.save()
