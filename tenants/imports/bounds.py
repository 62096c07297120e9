"""What an uploaded workbook may declare and hold, checked before a parser touches it.

python-calamine reads a sheet into one dense grid spanning its first to its last cell: a 1.5 KB
.xlsx with a value in A1 and one in XFD1048576 makes it allocate 1,048,576 × 16,384 cells × 32 bytes
= 512 GiB, and Rust aborts the whole process (the Celery worker), not just the read. It has no way
to read rows lazily, so the grid must be known small before it is built. For an .xlsx (a zip of XML)
that means, without trusting anything the file says about itself:

- every zip entry inflated by us, counting the bytes it really yields (headers can lie about sizes,
  and Python's zipfile stops where the header says, while calamine reads on): a cap on the total
  (zip bombs) and on the number of entries; only the methods Excel writes (stored, deflate);
- the sheet calamine will read located as calamine does (workbook.xml → its relationship), its
  declared `<dimension ref>` checked, then every `<row>` and `<c>` tag of it scanned, streaming, for
  the farthest row and column that hold a cell (explicit `r=` or implied by position): past the caps,
  the file is refused with the cell named, so the user can find it.

An .xls (BIFF records in an OLE compound file) is bounded the same way: 5.6 KB with values in A1 and
IV65536 costs calamine a gigabyte and six seconds. The compound file's streams are followed by us
(every directory entry named Workbook or Book), their records walked from the start and from every
sheet's declared offset, each sheet's DIMENSIONS and the row and column of every cell that holds
something checked against the same caps.
"""

from __future__ import annotations

import io
import re
import struct
import zipfile
import zlib
from collections.abc import Iterator
from xml.etree import ElementTree

from django.utils.translation import gettext as _

MAX_COLUMNS = 200
MAX_CELLS = 5_000_000  # rows × columns of the grid calamine builds: 160 MB at most
MAX_ENTRIES = 5_000
MAX_METADATA_BYTES = 10 * 1024 * 1024  # workbook.xml and its relationships
CHUNK = 1024 * 1024
MAX_PENDING_TAG = 4 * 1024 * 1024  # a tag (with the text before it) split across chunks

# A start tag of a row or a cell, any namespace prefix, attributes quoted either way (">" may appear
# inside a quoted value, so a plain [^>]* would cut the tag short and miss an r= after it).
_TAG = re.compile(rb"""<(?:[A-Za-z_][\w.-]*+:)?+(row|c)(?=[\s/>])((?:[^<>"']++|"[^"]*+"|'[^']*+')*+)>""")
# A row or cell tag not in the exact form Excel writes (`<row r="7"`, `<c r="B7"`, no prefix).
_ODD_TAG = re.compile(
    rb"""<(?:[A-Za-z_][\w.-]*+:(?:c|row)(?=[\s/>])"""
    rb"""|c(?=[\s/>])(?! r="[A-Z]{1,3}[0-9]{1,7}"[\s/>])"""
    rb"""|row(?=[\s/>])(?! r="[0-9]{1,7}"[\s/>]))"""
)
# Every cell tag in that form (self-closing ones too: the fast count errs on the large side):
# its column letters, its row number.
_EXCEL_CELL_COLUMN = re.compile(rb'<c r="([A-Z]{1,3})[0-9]{1,7}"')
_EXCEL_CELL_ROW = re.compile(rb'<c r="[A-Z]{1,3}([0-9]{1,7})"')
_REF_ATTRIBUTE = re.compile(rb"""(?<![\w:.-])r\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_CELL_REF = re.compile(rb"^([A-Z]{1,3})([1-9][0-9]{0,6})$")
_ROW_REF = re.compile(rb"^[1-9][0-9]{0,6}$")
_DIMENSION = re.compile(rb"""<(?:[^\s<>/:!?]+:)?dimension\s[^>]*?\bref\s*=\s*["']([^"']*)["']""")


class Refused(Exception):
    """The file is refused unread; `message` says why, for the user."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _unreadable() -> Refused:
    return Refused(_("文件已损坏或已加密，无法读取；请用 Excel 打开后另存为 .xlsx（不设密码）再上传。"))


def column_number(letters: str | bytes) -> int:
    text = letters.decode() if isinstance(letters, bytes) else letters
    number = 0
    for letter in text:
        number = number * 26 + ord(letter) - 64
    return number


def column_letters(number: int) -> str:
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _beyond_the_caps(max_rows: int, where: str) -> Refused:
    return Refused(
        _(
            "%(where)s，超出导入范围（最多 %(max_rows)s 行、%(max_columns)s 列，行数 × 列数不超过 "
            "%(max_cells)s）；请删除表格右侧和下方多余的行列（含空白但设了格式的单元格），另存后再上传。"
        )
        % {"where": where, "max_rows": f"{max_rows:,}", "max_columns": MAX_COLUMNS, "max_cells": f"{MAX_CELLS:,}"}
    )


# --- the zip, inflated by us --------------------------------------------------------------------


def _inflate(data: bytes, info: zipfile.ZipInfo, budget: int) -> Iterator[bytes]:
    """The entry's bytes as they really decompress, in chunks; Refused past `budget` bytes, or when
    they are not the size the entry declares (a lying header), or in a form Excel never writes."""
    if info.flag_bits & 0x1:
        raise _unreadable()  # encrypted
    start = info.header_offset
    if data[start : start + 4] != b"PK\x03\x04":
        raise _unreadable()
    name_length, extra_length = struct.unpack("<HH", data[start + 26 : start + 30])
    position = start + 30 + name_length + extra_length
    total = 0
    if info.compress_type == zipfile.ZIP_STORED:
        end = position + info.compress_size
        if end > len(data) or info.compress_size > budget:
            raise _unreadable() if end > len(data) else _too_big()
        for offset in range(position, end, CHUNK):
            yield data[offset : min(offset + CHUNK, end)]
        total = info.compress_size
    elif info.compress_type == zipfile.ZIP_DEFLATED:
        inflater = zlib.decompressobj(-zlib.MAX_WBITS)
        pending = b""
        try:
            while not inflater.eof:
                if not pending:
                    if position >= len(data):
                        raise _unreadable()  # the stream ends before its end marker
                    pending = data[position : position + CHUNK]
                    position += CHUNK
                out = inflater.decompress(pending, CHUNK)
                pending = inflater.unconsumed_tail
                total += len(out)
                if total > budget:
                    raise _too_big()
                if out:
                    yield out
        except zlib.error as exc:
            raise _unreadable() from exc
    else:
        raise _unreadable()
    if total != info.file_size:
        raise _unreadable()


def _too_big() -> Refused:
    return Refused(_("文件解压后过大（可能含大量图片或空白格式）；请只保留要导入的数据，另存后再上传。"))


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _attribute(element: ElementTree.Element, local_name: str) -> str | None:
    for key, value in element.attrib.items():
        if _local(key) == local_name:
            return value
    return None


def _sheet_part(parts: dict[str, bytes], skip_title: str) -> tuple[str, str]:
    """(sheet name, part name) of the sheet the importer reads: the first one not named skip_title
    (else the first), its file found as calamine finds it, through the workbook's relationships."""
    try:
        workbook_xml, relations_xml = parts["xl/workbook.xml"], parts["xl/_rels/workbook.xml.rels"]
    except KeyError as exc:
        raise _unreadable() from exc
    if any(marker in text for text in (workbook_xml, relations_xml) for marker in (b"<!DOCTYPE", b"<!ENTITY")):
        raise _unreadable()  # OOXML has no DTDs; without one no entity can expand
    try:
        workbook = ElementTree.fromstring(workbook_xml)  # noqa: S314 (no DTD, size capped above)
        relations = ElementTree.fromstring(relations_xml)  # noqa: S314
    except ElementTree.ParseError as exc:
        raise _unreadable() from exc
    sheets = [
        (element.get("name") or "", _attribute(element, "id") or "")
        for element in workbook.iter()
        if _local(element.tag) == "sheet"
    ]
    if not sheets:
        raise Refused(_("文件中没有工作表。"))
    name, relation_id = next((sheet for sheet in sheets if sheet[0] != skip_title), sheets[0])
    target = next(
        (element.get("Target") or "" for element in relations.iter() if element.get("Id") == relation_id),
        "",
    )
    target = target.lstrip("/")
    part = target if target.startswith("xl/") else f"xl/{target}"
    # Excel, WPS, LibreOffice and openpyxl all write this form; anything else could resolve
    # differently in calamine than here, so it is not read at all.
    if not re.fullmatch(r"xl/worksheets/[A-Za-z0-9_.-]+\.xml", part):
        raise _unreadable()
    return name, part


# --- the sheet: declared range, then every row and cell tag -------------------------------------


class _Extent:
    """The farthest row and column holding a cell, as the tags stream past (a million of them in a
    large sheet: the common path stays cheap)."""

    def __init__(self, max_rows: int):
        self.max_rows = max_rows
        self.row = 0  # the current row (implied rows count on from the last)
        self.column = 0  # the last cell's column in the current row
        self.rows = 0
        self.columns = 0
        self._numbers: dict[bytes, int] = {}

    def segment(self, text: bytes) -> None:
        """The tags of a run of whole tags. Where every row and cell tag has the form Excel writes,
        the cells' references are collected by the regex engine alone (a 50 MB sheet in about a
        second); anything else, or a segment that seems to pass the caps, goes tag by tag."""
        if _ODD_TAG.search(text):
            for match in _TAG.finditer(text):
                self.tag(match.group(1), match.group(2))
            return
        digits = _EXCEL_CELL_ROW.findall(text)
        if digits:
            rows = max(self.rows, *map(int, digits))
            columns = max(self.columns, *(self._number(each) for each in set(_EXCEL_CELL_COLUMN.findall(text))))
            if columns > MAX_COLUMNS or rows > self.max_rows or rows * columns > MAX_CELLS:
                for match in _TAG.finditer(text):  # the slow way, to name the cell past the caps
                    self.tag(match.group(1), match.group(2))
                return
            self.rows, self.columns = rows, columns
        for match in _TAG.finditer(text, max(0, len(text) - 4096)):  # where the next segment goes on from
            self.tag(match.group(1), match.group(2))

    def tag(self, name: bytes, attributes: bytes) -> None:
        found = _REF_ATTRIBUTE.search(attributes)
        reference = None if found is None else (found.group(1) if found.group(1) is not None else found.group(2))
        if name == b"row":
            if reference is None:
                self.row += 1
            elif _ROW_REF.match(reference):
                self.row = int(reference)
            else:
                raise _unreadable()
            self.column = 0
            return
        row, column = self._position(reference)
        self.column = column
        if attributes.endswith(b"/"):  # <c .../>: no value, calamine leaves it out
            return
        self.row = row
        if row > self.rows or column > self.columns:
            self.rows, self.columns = max(self.rows, row), max(self.columns, column)
            if self.columns > MAX_COLUMNS or self.rows > self.max_rows or self.rows * self.columns > MAX_CELLS:
                where = _("单元格 %(cell)s 有内容") % {"cell": f"{column_letters(column)}{row}"}
                raise _beyond_the_caps(self.max_rows, where)

    def _position(self, reference: bytes | None) -> tuple[int, int]:
        if reference is None:
            return max(self.row, 1), self.column + 1
        parsed = _CELL_REF.match(reference)
        if parsed is None:
            raise _unreadable()
        return int(parsed.group(2)), self._number(parsed.group(1))

    def _number(self, letters: bytes) -> int:
        number = self._numbers.get(letters)
        if number is None:
            number = self._numbers[letters] = column_number(letters)
        return number


def _check_dimension(head: bytes, max_rows: int) -> None:
    found = _DIMENSION.search(head)
    if found is None:
        return
    last = found.group(1).split(b":")[-1].replace(b"$", b"")
    parsed = _CELL_REF.match(last)
    if parsed is None:
        return  # an odd declaration is not what calamine sizes anything by; the cells decide
    row, column = int(parsed.group(2)), column_number(parsed.group(1))
    if column > MAX_COLUMNS or row > max_rows or row * column > MAX_CELLS:
        where = _("工作表声明的范围为 %(range)s") % {"range": found.group(1).decode(errors="replace")[:40]}
        raise _beyond_the_caps(max_rows, where)


def _scan_sheet(chunks: Iterator[bytes], max_rows: int) -> int:
    """Refused past the caps; else the number of bytes the sheet really holds."""
    extent = _Extent(max_rows)
    carry = b""
    total = 0
    for chunk in chunks:
        if not total:
            _check_dimension(chunk[:CHUNK], max_rows)  # near the top, before any row
        total += len(chunk)
        buffer = carry + chunk
        cut = buffer.rfind(b"<")  # everything before the last "<" holds only whole tags
        if cut < 0:
            cut = len(buffer)
        extent.segment(buffer[:cut])
        carry = buffer[cut:]
        if len(carry) > MAX_PENDING_TAG:
            raise _unreadable()
    extent.segment(carry)
    return total


def check_xlsx(data: bytes, *, max_rows: int, max_unpacked: int, skip_title: str, every_sheet: bool = False) -> str:
    """Refused unless the workbook is within bounds; returns the name of the sheet to read (the
    caller checks calamine picks the same one). `every_sheet`: every worksheet is scanned the same
    way, for a reader of all of them (HC's workbooks)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except (zipfile.BadZipFile, ValueError, EOFError) as exc:
        raise _unreadable() from exc
    names = [entry.filename for entry in entries]
    if len(entries) > MAX_ENTRIES or len(set(names)) != len(names):
        raise _unreadable()  # two entries of one name: which one a reader takes is anyone's guess
    if "xl/workbook.xml" not in names:
        raise Refused(_("文件不是 Excel 工作簿（可能是 Word 等其他文件改了扩展名）。"))
    by_name = {entry.filename: entry for entry in entries}
    metadata = {}
    for part in ("xl/workbook.xml", "xl/_rels/workbook.xml.rels"):
        if part in by_name:
            metadata[part] = b"".join(_inflate(data, by_name[part], MAX_METADATA_BYTES))
    sheet_name, sheet_part = _sheet_part(metadata, skip_title)
    if sheet_part not in by_name:
        raise _unreadable()
    budget = max_unpacked
    for entry in entries:
        chunks = _inflate(data, entry, budget)
        if entry.filename == sheet_part or (every_sheet and re.fullmatch(r"xl/worksheets/[^/]+\.xml", entry.filename)):
            budget -= _scan_sheet(chunks, max_rows)
        else:
            budget -= sum(len(chunk) for chunk in chunks)
    return sheet_name


# --- .xls: BIFF records inside an OLE compound file ----------------------------------------------

_OLE_END, _OLE_FREE = 0xFFFFFFFE, 0xFFFFFFFF
# Records whose body starts with the row and column of a cell that holds something (BIFF2 to 8).
_XLS_CELLS = {0x0002, 0x0003, 0x0004, 0x0005, 0x0006, 0x007E, 0x00D6, 0x00FD, 0x0203, 0x0204, 0x0205, 0x027E, 0x0406}
_XLS_MULRK, _XLS_BOF, _XLS_EOF, _XLS_DIMENSIONS, _XLS_BOUNDSHEET = 0x00BD, 0x0809, 0x000A, 0x0200, 0x0085


class _Compound:
    """Just enough of an OLE compound file to follow a stream's sectors, refusing what loops or
    points outside the file."""

    def __init__(self, data: bytes):
        self.data = data
        try:
            sector_shift, mini_shift = struct.unpack_from("<HH", data, 30)
            fat_count, self.directory_start = struct.unpack_from("<II", data, 44)
            self.mini_cutoff, self.minifat_start, _mini_count, difat_start, _difat_count = struct.unpack_from(
                "<IIIII", data, 56
            )
            if sector_shift not in (9, 12) or mini_shift != 6:
                raise _unreadable()
            self.size = 1 << sector_shift
            self.sectors = max(0, len(data) // self.size - 1)
            fat_sectors = [n for n in struct.unpack_from("<109I", data, 76) if n < self.sectors]
            next_difat, seen = difat_start, set()
            while next_difat < self.sectors and next_difat not in seen and len(fat_sectors) <= fat_count:
                seen.add(next_difat)
                entries = struct.unpack_from(f"<{self.size // 4}I", data, (next_difat + 1) * self.size)
                fat_sectors += [n for n in entries[:-1] if n < self.sectors]
                next_difat = entries[-1]
            self.fat = b"".join(self._sector(n) for n in fat_sectors[:fat_count])
        except struct.error as exc:
            raise _unreadable() from exc

    def _sector(self, number: int) -> bytes:
        start = (number + 1) * self.size
        return self.data[start : start + self.size]

    def chain(self, start: int, table: bytes, read) -> bytes:
        parts, seen, number = [], set(), start
        while number != _OLE_END:
            if number in seen or (number + 1) * 4 > len(table):
                raise _unreadable()
            seen.add(number)
            parts.append(read(number))
            (number,) = struct.unpack_from("<I", table, number * 4)
        return b"".join(parts)

    def streams(self, wanted: set[str]) -> list[bytes]:
        """Every stream whose name is one of `wanted` (any case), read whole."""
        directory = self.chain(self.directory_start, self.fat, self._sector)
        entries = [directory[offset : offset + 128] for offset in range(0, len(directory) - 127, 128)]
        found = []
        mini_stream: bytes | None = None
        minifat: bytes | None = None
        for entry in entries:
            name_length, kind = struct.unpack_from("<HB", entry, 64)
            name = entry[: max(0, min(name_length, 64) - 2)].decode("utf-16-le", errors="replace")
            start, size = struct.unpack_from("<IQ", entry, 116)
            if self.size == 512:
                size &= 0xFFFFFFFF  # version 3 files leave the high half undefined
            if kind != 2 or name.lower() not in wanted:
                continue
            if size < self.mini_cutoff:
                if mini_stream is None or minifat is None:  # (read together, on the first small stream)
                    root_start, root_size = struct.unpack_from("<IQ", entries[0], 116)
                    mini_stream = self.chain(root_start, self.fat, self._sector)[: root_size & 0xFFFFFFFF]
                    minifat = self.chain(self.minifat_start, self.fat, self._sector)
                stream = mini_stream
                found.append(self.chain(start, minifat, lambda n, s=stream: s[n * 64 : n * 64 + 64])[:size])
            else:
                found.append(self.chain(start, self.fat, self._sector)[:size])
        return found


def _walk_biff(stream: bytes, start: int, max_rows: int, sheets: list[int] | None) -> None:
    """The records from `start` to the end of their substream; every cell that holds something and
    every DIMENSIONS within the caps. `sheets` collects the sheets' declared offsets."""
    rows = columns = 0
    position = start
    while position + 4 <= len(stream):
        kind, length = struct.unpack_from("<HH", stream, position)
        body = stream[position + 4 : position + 4 + length]
        position += 4 + length
        cells: list[tuple[int, int]] = []
        if kind in _XLS_CELLS and length >= 4:
            cells.append(struct.unpack_from("<HH", body))
        elif kind == _XLS_MULRK and length >= 6:
            row, first = struct.unpack_from("<HH", body)
            cells += [(row, first), (row, struct.unpack_from("<H", body, length - 2)[0])]
        elif kind == _XLS_DIMENSIONS and length >= 14:
            last_row, last_column = struct.unpack_from("<I", body, 4)[0], struct.unpack_from("<H", body, 10)[0]
            if last_column > MAX_COLUMNS or last_row > max_rows or last_row * last_column > MAX_CELLS:
                end = f"{column_letters(max(last_column, 1))}{max(last_row, 1)}"
                raise _beyond_the_caps(max_rows, _("工作表声明的范围为 %(range)s") % {"range": f"A1:{end}"})
        elif kind == _XLS_BOUNDSHEET and length >= 4 and sheets is not None:
            sheets.append(struct.unpack_from("<I", body)[0])
        elif kind == _XLS_EOF and position > start + 4:
            rows = columns = 0  # the next substream (if walking on) starts afresh
            if sheets is None:
                return
        for row, column in cells:
            rows, columns = max(rows, row + 1), max(columns, column + 1)
            if columns > MAX_COLUMNS or rows > max_rows or rows * columns > MAX_CELLS:
                where = _("单元格 %(cell)s 有内容") % {"cell": f"{column_letters(column + 1)}{row + 1}"}
                raise _beyond_the_caps(max_rows, where)


def check_xls(data: bytes, *, max_rows: int) -> None:
    """Refused unless every workbook stream of the .xls is within bounds."""
    streams = _Compound(data).streams({"workbook", "book"})
    if not streams:
        raise _unreadable()
    for stream in streams:
        sheets: list[int] = []
        _walk_biff(stream, 0, max_rows, sheets)
        for offset in sheets:
            _walk_biff(stream, offset, max_rows, None)
