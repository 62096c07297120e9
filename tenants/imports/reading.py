"""Reading an uploaded file into rows: .xlsx/.xls with python-calamine (fast, no styles), .csv in
UTF-8 (with or without BOM), GBK/GB18030 (what Chinese Excel saves) or UTF-16.

Row numbers are the ones Excel shows, so a problem at "第 7 行" is found where the user looks.
Every way a file can be unreadable ends in FileProblem with a message for the user.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from python_calamine import CalamineError, CalamineWorkbook

from tenants.imports import bounds, kinds
from tenants.imports.cells import Refusal, is_blank
from tenants.imports.columns import NOTES_TITLE, Column, header_key

MAX_BYTES = 20 * 1024 * 1024
MAX_ROWS = 100_000
HEADER_SEARCH_ROWS = 10
MAX_SHEET_ROWS = MAX_ROWS + HEADER_SEARCH_ROWS + 1_000  # data rows, the header, title and blank lines
# An .xlsx is a zip: a 20 MB upload can unpack to gigabytes. Sheets this large are refused unread.
MAX_UNPACKED_BYTES = 400 * 1024 * 1024
MAX_LINE_CHARS = 131_072  # csv's own limit for one field
EXTENSIONS = (".xlsx", ".xlsm", ".xls", ".csv")

_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


class FileProblem(Refusal):
    """The whole file refused (unreadable, no header, too many rows): one problem for the file."""


def extension_of(file_name: str) -> str:
    dot = file_name.rfind(".")
    return file_name[dot:].lower() if dot >= 0 else ""


def check_upload(*, file_name: str, head: bytes, size: int) -> None:
    """What can be told at upload time, before any parsing: type by extension and content, size."""
    extension = extension_of(file_name)
    if extension not in EXTENSIONS:
        raise FileProblem(_("仅支持 Excel（.xlsx、.xls）和 CSV（.csv）文件。"))
    if size == 0:
        raise FileProblem(_("文件是空的。"))
    if size > MAX_BYTES:
        raise FileProblem(
            _("文件过大（%(size)s MB），最大 %(max)s MB；请分多个文件导入。")
            % {"size": f"{size / 1024 / 1024:.1f}", "max": MAX_BYTES // 1024 // 1024}
        )
    if extension in (".xlsx", ".xlsm") and not head.startswith(_ZIP):
        raise FileProblem(
            _("文件不是有效的 Excel (.xlsx) 文件，可能是其他格式改了扩展名；请用 Excel 另存为 .xlsx 后再上传。")
        )
    if extension == ".xls" and not head.startswith(_OLE):
        raise FileProblem(
            _("文件不是有效的 Excel (.xls) 文件，可能是其他格式改了扩展名；请用 Excel 另存为 .xlsx 后再上传。")
        )


# --- raw rows --------------------------------------------------------------------------------


@dataclass
class Rows:
    """Every row of the first sheet (blank ones too) as (Excel row number, cells), read as iterated;
    `height` counts them all beforehand, for progress and an early size check."""

    rows: Iterator[tuple[int, list[Any]]]
    height: int


UNREADABLE = gettext_lazy("文件已损坏或已加密，无法读取；请用 Excel 打开后另存为 .xlsx（不设密码）再上传。")


def _too_many() -> FileProblem:
    return FileProblem(_("数据超过 %(max)s 行；请分多个文件导入。") % {"max": f"{MAX_ROWS:,}"})


def calamine_failed(exc: BaseException) -> bool:
    # A Rust panic inside calamine surfaces as pyo3's PanicException, a BaseException: it would slip
    # past every `except Exception` and leave the import in `validating`.
    return isinstance(exc, CalamineError | ValueError | OSError) or type(exc).__name__ == "PanicException"


@contextmanager
def _unreadable_if_calamine_fails() -> Iterator[None]:
    try:
        yield
    except BaseException as exc:
        if not calamine_failed(exc):
            raise
        raise FileProblem(UNREADABLE) from exc


def _excel_rows(data: bytes) -> Rows:
    try:  # bounded before calamine builds its grid (see bounds.py)
        if data.startswith(_ZIP):
            expected = bounds.check_xlsx(
                data, max_rows=MAX_SHEET_ROWS, max_unpacked=MAX_UNPACKED_BYTES, skip_title=NOTES_TITLE
            )
        else:
            bounds.check_xls(data, max_rows=MAX_SHEET_ROWS)
            expected = None
    except bounds.Refused as refused:
        raise FileProblem(refused.message) from refused
    with _unreadable_if_calamine_fails():
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        names = [name for name in workbook.sheet_names if name != NOTES_TITLE] or workbook.sheet_names
        if not names:
            raise FileProblem(_("文件中没有工作表。"))
        if expected is not None and names[0] != expected:
            raise FileProblem(UNREADABLE)  # not the sheet that was checked: not read at all
        sheet = workbook.get_sheet_by_name(names[0])
    first_row = sheet.start[0] if sheet.start else 0

    def rows() -> Iterator[tuple[int, list[Any]]]:
        with _unreadable_if_calamine_fails():
            for offset, cells in enumerate(sheet.iter_rows()):
                yield first_row + offset + 1, cells

    return Rows(rows(), sheet.height)


def _decode(data: bytes) -> tuple[str, str]:
    """(text, delimiter). Chinese Excel saves "CSV" in GBK; "Unicode text" in UTF-16 with tabs."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16"), "\t"
    if b"\x00" in data[:4096]:
        raise FileProblem(_("文件不是文本格式的 CSV；Excel 文件请保存为 .xlsx 上传。"))
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise FileProblem(_("无法识别 CSV 的文字编码；请另存为 UTF-8 或 GBK 编码的 CSV。"))
    first_line = text.split("\n", 1)[0]
    return text, "\t" if first_line.count("\t") > first_line.count(",") else ","


def _lines(text: str) -> Iterator[str]:
    """The text's lines, none longer than a CSV field may be: a 20 MB line of commas would be
    20 million cells of one row, to validate and to write back into the report."""
    for number, line in enumerate(io.StringIO(text, newline=""), 1):
        if len(line) > MAX_LINE_CHARS:
            raise FileProblem(
                _("第 %(line)s 行过长（%(length)s 个字符，最多 %(max)s 个）；请检查文件是否为导入模板的格式。")
                % {"line": f"{number:,}", "length": f"{len(line):,}", "max": f"{MAX_LINE_CHARS:,}"}
            )
        yield line


def _csv_rows(data: bytes) -> Rows:
    text, delimiter = _decode(data)

    def rows() -> Iterator[tuple[int, list[Any]]]:
        try:
            for number, cells in enumerate(csv.reader(_lines(text), delimiter=delimiter), 1):
                while cells and not cells[-1]:  # the trailing commas of a sheet saved wider than its data
                    cells.pop()
                if len(cells) > bounds.MAX_COLUMNS:
                    raise FileProblem(
                        _("第 %(row)s 行有 %(count)s 列，最多 %(max)s 列；请删除多余的列后再上传。")
                        % {"row": f"{number:,}", "count": f"{len(cells):,}", "max": bounds.MAX_COLUMNS}
                    )
                yield number, cells
        except csv.Error as exc:
            raise FileProblem(_("CSV 格式有误：%(error)s") % {"error": exc}) from exc

    return Rows(rows(), text.count("\n") + 1)


def open_rows(data: bytes, file_name: str) -> Rows:
    if extension_of(file_name) == ".csv" and not data.startswith((_ZIP, _OLE)):
        return _csv_rows(data)
    if not data.startswith((_ZIP, _OLE)):
        raise FileProblem(_("文件不是有效的 Excel 文件，可能是其他格式改了扩展名；请用 Excel 另存为 .xlsx 后再上传。"))
    return _excel_rows(data)


# --- the table: header located, columns mapped, data rows streamed ----------------------------


@dataclass
class Table:
    kind: str
    header_row: int
    # column key -> index in the file's rows; header -> index for the report's red cells
    index: dict[str, int]
    header_index: dict[str, int]
    expected_rows: int  # an upper bound (blank rows count): progress totals
    rest: Iterator[tuple[int, list[Any]]]
    blank_rows: int = 0
    # The estate chosen at upload (kinds.ImportKindSpec.estate), within which the rows are read.
    estate_id: int | None = None

    def data_rows(self) -> Iterator[tuple[int, list[Any]]]:
        """The rows after the header, blank ones skipped — once: rows are not kept in memory.
        Raises FileProblem past MAX_ROWS, or when there is no data row at all."""
        count = 0
        for number, cells in self.rest:
            if all(is_blank(cell) for cell in cells):
                self.blank_rows += 1
                continue
            count += 1
            if count > MAX_ROWS:
                raise _too_many()
            yield number, cells
        if not count:
            raise FileProblem(_("文件中没有数据行。"))


def _match(cells: list[Any], columns: list[Column]) -> dict[str, int]:
    by_name: dict[str, Column] = {}
    for column in columns:
        for name in (column.header, *column.aliases):
            by_name.setdefault(header_key(name), column)
    found: dict[str, int] = {}
    for position, value in enumerate(cells):
        match = by_name.get(header_key(value)) if not is_blank(value) else None
        if match is not None and match.key not in found:
            found[match.key] = position
    return found


# Headers only HC's (java110 MicroCommunity) workbooks write: a file with them is told to use its kind.
_HC_HEADERS = (
    {"楼栋号", "单元编号", "总层数"},
    {"楼号", "单元", "房间", "业主名称"},
    {"房屋编号", "楼栋编号", "单元编号"},
)
HC_HINT = gettext_lazy("这像是 HC（小区管理系统）的资产表：请选择“HC 资产表”导入，并选择小区，文件无需改动。")


def _hc_hint(cells: list[Any]) -> str:
    headers = {text for text in (header_key(cell) for cell in cells) if text}
    return str(HC_HINT) if any(known <= headers for known in _HC_HEADERS) else ""


def read_table(data: bytes, file_name: str, kind: str, *, estate_id: int | None = None) -> Table:
    """The file opened and its header located and checked; the data rows follow as iterated
    (Table.data_rows). FileProblem: unreadable, too large, no header, missing required columns."""
    columns = list(kinds.get(kind).columns)
    source = open_rows(data, file_name)
    if source.height > MAX_SHEET_ROWS:
        raise _too_many()
    seen_before_header = 0
    hint = ""
    for number, cells in source.rows:
        if all(is_blank(cell) for cell in cells):
            continue
        found = _match(cells, columns)
        seen_before_header += 1
        hint = hint or _hc_hint(cells)
        if len(found) < 2:
            if seen_before_header >= HEADER_SEARCH_ROWS:
                break
            continue  # a title line above the header
        missing = [column.header for column in columns if column.required and column.key not in found]
        if missing:
            raise FileProblem(
                _hc_hint(cells)
                or _("缺少必填列：%(columns)s。请使用下载的模板，表头写在第一行（第 %(row)s 行被当作表头）。")
                % {"columns": _("、").join(missing), "row": number}
            )
        return Table(
            kind=kind,
            header_row=number,
            index=found,
            header_index={column.header: found[column.key] for column in columns if column.key in found},
            expected_rows=max(source.height - number, 1),
            rest=source.rows,
            estate_id=estate_id,
        )
    required = _("、").join(column.header for column in columns if column.required)
    raise FileProblem(
        hint or _("找不到表头。请使用下载的模板：第一行为表头，须包含 %(columns)s。") % {"columns": required}
    )
