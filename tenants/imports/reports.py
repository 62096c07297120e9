"""Spreadsheets handed to users: the blank templates, and the annotated report of a dry run (the
uploaded rows as they were, an added 错误说明 column, each bad cell filled red with a comment).
openpyxl in write-only mode: rows stream out, memory stays flat."""

from __future__ import annotations

import io
from collections import defaultdict
from collections.abc import Iterable, Iterator
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill

from tenants.imports.columns import COLUMNS, NOTES_TITLE, SHEET_TITLES
from tenants.imports.reading import FileProblem, Table, open_rows
from tenants.imports.validation import Problem

EXPLANATION = "错误说明"
RED = PatternFill(fill_type="solid", start_color="FFFFC7CE", end_color="FFFFC7CE")
RED_TEXT = Font(color="FF9C0006")
BOLD = Font(bold=True)
REQUIRED = Font(bold=True, color="FFC00000")
MAX_COMMENTS = 2_000  # a comment per bad cell up to here; past it the 错误说明 column still says all
AUTHOR = "物业系统"


def _save(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def template(kind: str) -> bytes:
    """Chinese headers (required ones in red), one example row, and a sheet of notes per column."""
    columns = COLUMNS[kind]
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(SHEET_TITLES[kind])
    for position, column in enumerate(columns):
        sheet.column_dimensions[chr(ord("A") + position)].width = max(10, len(column.header) * 2 + 4)
    header = []
    for column in columns:
        cell = WriteOnlyCell(sheet, value=column.header)
        cell.font = REQUIRED if column.required else BOLD
        header.append(cell)
    sheet.append(header)
    example = []
    for column in columns:
        cell = WriteOnlyCell(sheet, value=column.example)
        if column.as_text:
            cell.number_format = "@"
        elif column.key == "moved_in":
            cell.number_format = "yyyy-mm-dd"
        example.append(cell)
    sheet.append(example)

    notes = workbook.create_sheet(NOTES_TITLE)
    notes.column_dimensions["A"].width = 16
    notes.column_dimensions["B"].width = 8
    notes.column_dimensions["C"].width = 80
    notes.append([WriteOnlyCell(notes, value=text) for text in ("列", "必填", "说明")])
    for column in columns:
        aliases = f"（也可写作：{'、'.join(column.aliases)}）" if column.aliases else ""
        notes.append([column.header, "是" if column.required else "", f"{column.note}{aliases}"])
    notes.append([])
    for line in (
        "表头须在第一行（红色为必填列），列的顺序不限；示例行请删除或改为真实数据。",
        "上传后先校验全部数据，有问题时可下载标注了错误的表格，改好后重新上传；校验无误才能确认导入。",
        "同一文件重复导入不会产生重复数据：已存在的记录按文件内容更新，相同的保持不变。",
        "也可上传 CSV（UTF-8 或 GBK 编码），列与本模板相同。单个文件最大 20 MB、100,000 行。",
    ):
        notes.append([line])
    return _save(workbook)


def _display(value: Any) -> Any:
    if isinstance(value, str):
        return value or None
    return value


def _readable(data: bytes, file_name: str) -> Iterator[tuple[int, list[Any]]]:
    """The file's rows as far as they can be read (an unreadable file's report is its problem list)."""
    try:
        yield from open_rows(data, file_name).rows
    except FileProblem:
        return


def annotated(data: bytes, file_name: str, table: Table | None, problems: Iterable[Problem]) -> bytes:
    """The uploaded rows where Excel showed them, bad cells red with the problem as a comment, the
    problems of each row in an added 错误说明 column, and a sheet listing every problem."""
    by_row: dict[int | None, list[Problem]] = defaultdict(list)
    for problem in problems:
        by_row[problem.row].append(problem)
    header_index = table.header_index if table else {}
    header_row = table.header_row if table else None

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("导入结果")
    width = 0  # the header's: 错误说明 goes right of it on every row
    comments = 0
    expected = 1
    for number, cells in _readable(data, file_name):
        while expected < number:  # rows calamine skipped before the first cell: keep Excel's numbering
            sheet.append([])
            expected += 1
        expected = number + 1
        if number == header_row:
            width = len(cells)
            explanation = WriteOnlyCell(sheet, value=EXPLANATION)
            explanation.font = REQUIRED
            sheet.append([*(_display(value) for value in cells), explanation])
            continue
        found = by_row.get(number)
        if not found:
            sheet.append([_display(value) for value in cells])
            continue
        out = [WriteOnlyCell(sheet, value=_display(value)) for value in cells]
        out += [WriteOnlyCell(sheet, value=None) for _ in range(width - len(out))]
        for problem in found:
            position = header_index.get(problem.column or "")
            if position is None or position >= len(out):
                continue
            out[position].fill = RED
            if comments < MAX_COMMENTS:
                out[position].comment = Comment(problem.message, AUTHOR, width=240, height=80)
                comments += 1
        explanation = WriteOnlyCell(
            sheet, value="；".join(f"{p.column}：{p.message}" if p.column else p.message for p in found)
        )
        explanation.font = RED_TEXT
        explanation.alignment = Alignment(wrap_text=True)
        sheet.append([*out, explanation])

    summary = workbook.create_sheet("问题汇总")
    summary.column_dimensions["C"].width = 80
    summary.append([WriteOnlyCell(summary, value=text) for text in ("行号", "列", "问题")])
    for problem in by_row.get(None, []):
        summary.append(["", "", problem.message])
    for row in sorted(key for key in by_row if key is not None):
        for problem in by_row[row]:
            summary.append([row, problem.column or "", problem.message])
    return _save(workbook)
