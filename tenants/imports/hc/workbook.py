"""Reading an HC (java110 MicroCommunity) workbook: every sheet, its header, its data rows.

HC's templates keep notes beside the data (说明 blocks a column or two right of the table, on the
same rows): a sheet's width is its header's, up to the first blank header cell, so the notes are
never read as data and a row holding only notes is blank. Row numbers are the ones Excel shows.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from python_calamine import CalamineWorkbook

from tenants.imports import bounds, reading
from tenants.imports.columns import header_key, is_blank, text_of

HEADER_SEARCH_ROWS = 5


@dataclass
class Sheet:
    """One sheet as read: its header (as written, and by header_key → position) and its data rows."""

    name: str
    header_row: int = 0
    headers: list[str] = field(default_factory=list)
    positions: dict[str, int] = field(default_factory=dict)
    rows: list[tuple[int, list[Any]]] = field(default_factory=list)

    def find(self, *names: str) -> str | None:
        """The header of this sheet that any of `names` spells (header_key-compared), or None."""
        for name in names:
            position = self.positions.get(header_key(name))
            if position is not None:
                return self.headers[position]
        return None

    def value(self, cells: list[Any], header: str | None) -> Any:
        if header is None:
            return None
        position = self.positions[header_key(header)]
        return cells[position] if position < len(cells) else None


def _sheet(name: str, grid: list[list[Any]], first_row: int) -> Sheet:
    sheet = Sheet(name)
    width = 0
    for offset, cells in enumerate(grid):
        number = first_row + offset + 1
        if not sheet.headers:
            if all(is_blank(cell) for cell in cells):
                continue
            if offset >= HEADER_SEARCH_ROWS:
                break
            for cell in cells:
                if is_blank(cell):
                    break
                width += 1
            sheet.header_row = number
            sheet.headers = [text_of(cell) for cell in cells[:width]]
            for position, header in enumerate(sheet.headers):
                sheet.positions.setdefault(header_key(header), position)
            continue
        row = list(cells[:width])
        if not all(is_blank(cell) for cell in row):
            sheet.rows.append((number, row))
    return sheet


def read_sheets(data: bytes, file_name: str) -> list[Sheet]:
    """Every sheet of the upload, bounded like any import (reading.py, bounds.py); a CSV is one sheet
    (HC's 资产信息 saved as CSV). FileProblem for what cannot be read."""
    if reading.extension_of(file_name) == ".csv" or not data.startswith((b"PK", b"\xd0\xcf")):
        source = reading.open_rows(data, file_name)
        return [_sheet("资产信息", [cells for _n, cells in source.rows], 0)]
    try:
        if data.startswith(b"PK"):
            bounds.check_xlsx(
                data,
                max_rows=reading.MAX_SHEET_ROWS,
                max_unpacked=reading.MAX_UNPACKED_BYTES,
                skip_title="",
                every_sheet=True,
            )
        else:
            bounds.check_xls(data, max_rows=reading.MAX_SHEET_ROWS)
    except bounds.Refused as refused:
        raise reading.FileProblem(refused.message) from refused
    sheets = []
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        for name in workbook.sheet_names:
            found = workbook.get_sheet_by_name(name)
            # From A1 (empty rows above kept): the grid's rows are Excel's.
            sheets.append(_sheet(name, found.to_python(skip_empty_area=False), 0))
    except BaseException as exc:
        if not reading.calamine_failed(exc):
            raise
        raise reading.FileProblem(reading.UNREADABLE) from exc
    if sum(len(sheet.rows) for sheet in sheets) > reading.MAX_ROWS:
        raise reading.FileProblem(_("数据超过 %(max)s 行；请分多个文件导入。") % {"max": f"{reading.MAX_ROWS:,}"})
    return sheets
