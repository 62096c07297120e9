"""Every spreadsheet we hand out (list exports, import templates, import error reports) is written
here, and every cell of it goes through `cell()`, because stored text can break or abuse a sheet:

- XML 1.0 forbids most C0 control characters, and openpyxl raises on them: one `\\x01` or `\\x1b` in a
  stored name made that list's export a 500 for everyone. Each becomes U+FFFD, the standard mark for
  "a character that cannot be shown was here": the row and the rest of the text stay.
- Text that starts with `=`, `+`, `-`, `@`, a tab or a CR is what spreadsheet programs take for a
  formula (OWASP's "CSV injection"); openpyxl itself writes any string starting with `=` as a live
  formula (and `#N/A` and the like as error values). Such text is written with an explicit string
  type and the cell's `quotePrefix` set: the file format's own form of Excel's leading apostrophe.
  Excel shows the text and keeps it text even when the cell is edited, and the value stays exactly
  what was stored, so an export re-imported is unchanged (a literal `'` prefix would end up in names
  and phone numbers read back by the importer). Every other string gets the explicit type too.
- Numbers, dates and booleans stay what they are: -5 is a number, not text.

Write-only workbooks throughout: rows stream out, memory stays flat.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.comments import Comment
from openpyxl.utils import get_column_letter

REPLACEMENT = "\ufffd"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
MAX_TEXT = 32_767  # Excel's limit per cell; past it Excel "repairs" the file


def clean_text(text: str) -> str:
    """Text a sheet can hold: control characters XML forbids replaced, cut to Excel's cell limit."""
    text = ILLEGAL_CHARACTERS_RE.sub(REPLACEMENT, text)
    return text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 1] + "…"


def comment(text: str, author: str, *, width: int = 240, height: int = 80) -> Comment:
    return Comment(clean_text(text), clean_text(author), width=width, height=height)


class Sheet:
    """One sheet of a Spreadsheet; rows are appended in order."""

    def __init__(self, worksheet: Any):
        self._sheet = worksheet

    def cell(self, value: Any, **style: Any) -> Cell:
        """The one way a value becomes a cell (see the module docstring). `style`: font, fill,
        alignment, number_format, comment — set on the cell as given."""
        made = WriteOnlyCell(self._sheet)
        if isinstance(value, str):
            text = clean_text(value)
            made.value = text
            made.data_type = "s"  # never a formula or an error value, whatever the text
            if text.startswith(FORMULA_STARTS):
                made.quotePrefix = True
        else:
            made.value = value
        for name, setting in style.items():
            setattr(made, name, setting)
        return made

    def append(self, values: Iterable[Any] = ()) -> None:
        """A row: cells made by `cell()` as they are, any other value through `cell()`."""
        self._sheet.append([value if isinstance(value, Cell) else self.cell(value) for value in values])

    def widths(self, widths: Iterable[float | None]) -> None:
        """Column widths from the first column on (None: the default); set before the first row."""
        for position, width in enumerate(widths, 1):
            if width is not None:
                self._sheet.column_dimensions[get_column_letter(position)].width = width

    def text_columns(self, positions: Iterable[int]) -> None:
        """Format whole columns (1-based) as text, so that what a user types below the header stays
        as typed (a phone or ID number never becomes 1.38E+10, a house number 0101 keeps its zero);
        set before the first row."""
        for position in positions:
            dimension = self._sheet.column_dimensions[get_column_letter(position)]
            dimension.number_format = "@"


class Spreadsheet:
    def __init__(self) -> None:
        self._book = Workbook(write_only=True)

    def sheet(self, title: str) -> Sheet:
        # A sheet title allows no []:*?/\ and at most 31 characters.
        safe = "".join("_" if ch in "[]:*?/\\" else ch for ch in clean_text(str(title)))[:31] or "Sheet1"
        return Sheet(self._book.create_sheet(title=safe))

    def save(self) -> bytes:
        buffer = io.BytesIO()
        self._book.save(buffer)
        return buffer.getvalue()
