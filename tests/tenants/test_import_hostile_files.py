"""Files that try to break the importer or the people who open its report: control characters and
formula-like text in cells, sheets declaring or using an enormous range, zip bombs, endless lines.
Every one ends as an import with a readable problem, quickly and in little memory."""

from __future__ import annotations

import io
import resource
import struct
import time
import zipfile

import openpyxl
import pytest

from tenants.imports import reading
from tests.tenants.test_imports import HOUSE_HEADER, csv_bytes, dry_run, xlsx

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager")]


@pytest.fixture
def admin_a(client_for, company_a):
    return client_for(company_a, "admin")


FORMULAS = ['=HYPERLINK("http://x","y")', "+1+1", "-2+3", "@SUM(A1)"]


def _report(client, record) -> openpyxl.Workbook:
    assert record["status"] == "invalid" and record["report_url"], record
    response = client.get(record["report_url"])
    assert response.status_code == 200
    return openpyxl.load_workbook(io.BytesIO(response.content))


def test_the_error_report_writes_uploaded_text_as_inert_text(admin_a):
    # 小区, 楼栋, 单元, 房号, 楼层, 建筑面积, 套内面积, 户型, 用途, 状态, 收费系数 — 用途 is bad on purpose
    row = ["翠\x01湖\x1b苑", *FORMULAS[:3], "1", "89.5", "72.3", FORMULAS[3], "不是用途", "", ""]
    record = dry_run(admin_a, "houses", csv_bytes(HOUSE_HEADER, [row]), name="房屋.csv")
    sheet = _report(admin_a, record)["导入结果"]
    cells = list(sheet[2])
    assert cells[0].value == "翠\ufffd湖\ufffd苑"
    for cell, text in zip([*cells[1:4], cells[7]], FORMULAS, strict=True):
        assert (cell.value, cell.data_type, cell.quotePrefix) == (text, "s", True)


def test_the_error_report_keeps_numbers_numbers(admin_a):
    row = ["翠湖苑", "1栋", "1单元", 101, -1, 89.5, 72.3, "+1+1", "不是用途", None, None]
    sheet = _report(admin_a, dry_run(admin_a, "houses", xlsx(HOUSE_HEADER, [row])))["导入结果"]
    floor, area, kind = sheet["E2"], sheet["F2"], sheet["H2"]
    assert (floor.value, floor.data_type) == (-1, "n") and (area.value, area.data_type) == (89.5, "n")
    assert (kind.value, kind.data_type, kind.quotePrefix) == ("+1+1", "s", True)


# --- sheets that declare or use an enormous range ---------------------------------------------------

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_PARTS = {
    "[Content_Types].xml": (
        '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
        'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/'
        'workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.spreadsheetml.worksheet+xml"/></Types>'
    ),
    "_rels/.rels": (
        '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
        '2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
    ),
    "xl/workbook.xml": (
        f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{_MAIN}" xmlns:r="http://schemas.openxmlformats'
        '.org/officeDocument/2006/relationships"><sheets><sheet name="房屋" sheetId="1" r:id="rId1"/></sheets>'
        "</workbook>"
    ),
    "xl/_rels/workbook.xml.rels": (
        '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
        '2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
    ),
}


def _text(ref: str | None, text: str) -> str:
    where = f' r="{ref}"' if ref else ""
    return f'<c{where} t="inlineStr"><is><t>{text}</t></is></c>'


def _header(row: int = 1) -> str:
    return f'<row r="{row}">' + "".join(_text(None, title) for title in HOUSE_HEADER) + "</row>"


def crafted_xlsx(rows: str, *, dimension: str | None = None, padding: int = 0) -> bytes:
    """A minimal .xlsx written by hand (as an attacker would), not by a library that would refuse."""
    declared = f'<dimension ref="{dimension}"/>' if dimension else ""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in _PARTS.items():
            archive.writestr(name, text)
        with archive.open("xl/worksheets/sheet1.xml", "w") as sheet:
            sheet.write(f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{_MAIN}">{declared}'.encode())
            sheet.write(f"<sheetData>{rows}</sheetData>".encode())
            for _ in range(padding // 1_000_000):  # whitespace compresses a thousandfold: a zip bomb
                sheet.write(b" " * 1_000_000)
            sheet.write(b"</worksheet>")
    return buffer.getvalue()


WHOLE_GRID = _header() + f'<row r="1048576">{_text("XFD1048576", "x")}</row>'


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def test_a_sheet_spanning_the_whole_grid_fails_cleanly_fast_and_small(admin_a):
    """A value in A1 and one in XFD1048576: calamine would build a 512 GiB grid and abort the worker
    (the task redelivered forever, the import stuck in `validating`). The file is refused unread."""
    content = crafted_xlsx(WHOLE_GRID, dimension="A1:XFD1048576")
    assert len(content) < 5_000
    started, peak = time.monotonic(), _peak_rss_mb()
    record = dry_run(admin_a, "houses", content)
    assert time.monotonic() - started < 10
    assert _peak_rss_mb() - peak < 200
    assert record["status"] == "invalid" and record["job"]["status"] == "succeeded"
    [problem] = record["errors"]
    assert problem["row"] is None and "A1:XFD1048576" in problem["message"]
    assert "最多 101,010 行、200 列" in problem["message"]


@pytest.mark.parametrize(
    ("rows", "dimension", "cell"),
    [
        (WHOLE_GRID, None, "XFD1048576"),  # no declaration: the cells themselves are found
        (WHOLE_GRID, "A1:K2", "XFD1048576"),  # a declaration that lies
        (
            _header() + '<row r="2"><c r="A2" t="str" x="a>b" r2="" y=\'>\'></c><c s="1" r="GS2"><v>1</v></c></row>',
            None,
            "GS2",
        ),
        (_header() + "<row>" + "<c><v>1</v></c>" * 201 + "</row>", None, "GS2"),  # positions implied
        (_header() + f'<row r="101011">{_text("A101011", "x")}</row>', None, "A101011"),
        (_header() + "<x:row><x:c r='AAA3'><x:v>1</x:v></x:c></x:row>", None, "AAA"),  # any prefix, ' quotes
        (
            _header() + f'<row r="3">{_text("A3", "x")}</row><row r="60000">{_text("CW60000", "x")}</row>',
            None,
            "CW60000",
        ),
    ],
)
def test_cells_beyond_the_caps_are_found_however_they_are_written(rows, dimension, cell):
    with pytest.raises(reading.FileProblem) as refused:
        reading.open_rows(crafted_xlsx(rows, dimension=dimension), "x.xlsx")
    assert cell in refused.value.message or cell.rstrip("0123456789") in refused.value.message


def test_a_hand_written_sheet_within_the_caps_reads(admin_a):
    rows = (
        _header()
        + '<row r="2">'
        + "".join(_text(None, str(v)) for v in ["翠湖苑", "1栋", "1单元", "101", "1", "89.5", "72.3"])
        + "</row>"
    )
    rows += '<row r="3"><c r="A3" s="1"/><c r="XFD3" s="1"/></row>'  # formatted, empty: no cell for calamine
    source = reading.open_rows(crafted_xlsx(rows), "x.xlsx")
    assert [cells[:2] for _number, cells in source.rows][:2] == [["小区", "楼栋"], ["翠湖苑", "1栋"]]


def test_a_zip_bomb_is_refused_before_it_is_unpacked(monkeypatch):
    monkeypatch.setattr(reading, "MAX_UNPACKED_BYTES", 5_000_000)
    content = crafted_xlsx(_header(), padding=20_000_000)
    assert len(content) < 100_000
    started, peak = time.monotonic(), _peak_rss_mb()
    with pytest.raises(reading.FileProblem) as refused:
        reading.open_rows(content, "x.xlsx")
    assert "解压后过大" in refused.value.message
    assert time.monotonic() - started < 10 and _peak_rss_mb() - peak < 100


def _lying_about_the_sheet_size(content: bytes) -> bytes:
    """The sheet's declared size (local header and central directory) cut to 200 bytes: Python's
    zipfile stops reading there, while a reader that inflates to the end sees everything."""
    lying = bytearray(content)
    info = zipfile.ZipFile(io.BytesIO(content)).getinfo("xl/worksheets/sheet1.xml")
    name, small = info.filename.encode(), struct.pack("<I", 200)
    lying[info.header_offset + 22 : info.header_offset + 26] = small
    central = lying.find(b"PK\x01\x02")
    while lying[central + 46 : central + 46 + len(name)] != name:
        central = lying.find(b"PK\x01\x02", central + 4)
    lying[central + 24 : central + 28] = small
    assert zipfile.ZipFile(io.BytesIO(bytes(lying))).getinfo(info.filename).file_size == 200
    return bytes(lying)


def test_a_zip_entry_lying_about_its_size_is_refused():
    with pytest.raises(reading.FileProblem) as refused:
        reading.open_rows(_lying_about_the_sheet_size(crafted_xlsx(_header())), "x.xlsx")
    assert "损坏" in refused.value.message
    with pytest.raises(reading.FileProblem) as refused:  # what hides past the declared size is still seen
        reading.open_rows(_lying_about_the_sheet_size(crafted_xlsx(WHOLE_GRID)), "x.xlsx")
    assert "XFD1048576" in refused.value.message


# --- text files: endless lines, endless rows --------------------------------------------------------


def test_an_endless_csv_line_is_refused_quickly():
    content = "小区,楼栋\n".encode() + b"," * 5_000_000 + b"\n"
    started, peak = time.monotonic(), _peak_rss_mb()
    with pytest.raises(reading.FileProblem) as refused:
        list(reading.open_rows(content, "x.csv").rows)
    assert "第 2 行过长" in refused.value.message
    assert time.monotonic() - started < 5 and _peak_rss_mb() - peak < 100


def test_a_csv_row_wider_than_the_cap_is_refused_and_trailing_commas_are_not_columns():
    wide = ",".join(["x"] * 201)
    with pytest.raises(reading.FileProblem) as refused:
        list(reading.open_rows(f"小区,楼栋\n{wide}\n".encode(), "x.csv").rows)
    assert "第 2 行有 201 列" in refused.value.message
    saved_wide = "小区,楼栋" + "," * 500 + "\n翠湖苑,1栋" + "," * 500 + "\n"
    assert [cells for _number, cells in reading.open_rows(saved_wide.encode(), "x.csv").rows] == [
        ["小区", "楼栋"],
        ["翠湖苑", "1栋"],
    ]


def test_a_csv_of_endless_rows_is_one_problem(admin_a):
    content = (",".join(HOUSE_HEADER) + "\n" + "翠湖苑\n" * 150_000).encode()
    started = time.monotonic()
    record = dry_run(admin_a, "houses", content, name="房屋.csv")
    assert time.monotonic() - started < 10
    assert record["status"] == "invalid" and len(record["errors"]) == 1
    assert "100,000" in record["errors"][0]["message"]


def test_a_long_sheet_is_scanned_to_its_end_in_excels_form_and_any_other():
    """Rows in the form Excel writes take the fast path (chunk after chunk), a formatted empty cell
    far right is no cell, and positions implied after them still count from where the rows got to."""
    rows = _header() + "".join(
        f'<row r="{r}"><c r="A{r}" t="inlineStr"><is><t>x</t></is></c><c r="XFD{r}" s="1"/></row>'
        for r in range(2, 30_002)
    )
    assert len(rows) > 2 * 1024 * 1024
    assert reading.open_rows(crafted_xlsx(rows), "x.xlsx").height == 30_001
    with pytest.raises(reading.FileProblem) as refused:
        reading.open_rows(crafted_xlsx(rows + "<row>" + "<c><v>1</v></c>" * 201 + "</row>"), "x.xlsx")
    assert "FK30002" in refused.value.message  # 167 columns × 30,002 rows: past the cap on cells


# --- .xls: BIFF records in an OLE compound file, written by hand ------------------------------------

_END, _FREE, _FAT, _NONE = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD, 0xFFFFFFFF


def _record(kind: int, body: bytes = b"") -> bytes:
    return struct.pack("<HH", kind, len(body)) + body


def _number(row: int, column: int, value: float) -> bytes:
    return _record(0x0203, struct.pack("<HHHd", row, column, 0, value))


def _label(row: int, column: int, text: str) -> bytes:
    return _record(0x0204, struct.pack("<HHHHB", row, column, 0, len(text), 1) + text.encode("utf-16-le"))


def _bof(kind: int) -> bytes:
    return _record(0x0809, struct.pack("<HHHHII", 0x0600, kind, 0x0DBB, 0x07CC, 0, 0x06))


def biff(cells: bytes, *, dimension=(0, 1, 0, 1), sheet_at: int | None = None, hidden: bytes = b"") -> bytes:
    """A workbook stream: globals naming one sheet "房屋", then that sheet. `hidden` goes into the
    body of a record no reader knows, and `sheet_at` may point the sheet's offset into it."""
    name = "房屋".encode("utf-16-le")

    def globals_(offset: int) -> bytes:
        return (
            _bof(0x0005)
            + _record(0x0042, struct.pack("<H", 1200))
            + _record(0x0085, struct.pack("<IBBBB", offset, 0, 0, 2, 1) + name)
            + _record(0x1234, hidden)
            + _record(0x000A)
        )

    head = len(globals_(0))
    offset = head if sheet_at is None else sheet_at
    sheet = _bof(0x0010) + _record(0x0200, struct.pack("<IIHHH", *dimension, 0)) + cells + _record(0x000A)
    return globals_(offset) + sheet


def hidden_sheet_offset(hidden: bytes) -> int:
    """Where `hidden` starts inside the stream biff() writes."""
    return len(_bof(0x0005)) + 6 + 12 + len("房屋".encode("utf-16-le")) + 4


def ole(stream: bytes) -> bytes:
    """An OLE compound file (version 3, 512-byte sectors) holding `stream` as "Workbook": in plain
    sectors from 4,096 bytes on, in the mini stream below that."""
    size, mini = 512, len(stream) < 4096
    body = stream if not mini else stream.ljust(-(-len(stream) // 64) * 64, b"\x00")
    data_sectors = -(-len(body) // size)
    minifat_sectors = 1 if mini else 0
    fat_count = -(-(1 + minifat_sectors + data_sectors + 1) // 127)
    first_dir = fat_count
    first_minifat = fat_count + 1 if mini else _END
    first_data = fat_count + 1 + minifat_sectors
    fat = [_FAT] * fat_count + [_END] + [_END] * minifat_sectors
    fat += [first_data + i + 1 for i in range(data_sectors - 1)] + [_END]
    fat += [_FREE] * (fat_count * 128 - len(fat))
    header = (
        bytes.fromhex("D0CF11E0A1B11AE1")
        + b"\x00" * 16
        + struct.pack("<HHHHH", 0x003E, 0x0003, 0xFFFE, 9, 6)
        + b"\x00" * 6
        + struct.pack("<IIIIIIIII", 0, fat_count, first_dir, 0, 4096, first_minifat, minifat_sectors, _END, 0)
        + struct.pack("<109I", *(list(range(fat_count)) + [_FREE] * (109 - fat_count)))
    )

    def entry(text: str, kind: int, child: int, start: int, length: int) -> bytes:
        encoded = text.encode("utf-16-le") + b"\x00\x00" if text else b""
        return (
            encoded.ljust(64, b"\x00")
            + struct.pack("<HBB", len(encoded), kind, 1)
            + struct.pack("<III", _NONE, _NONE, child)
            + b"\x00" * 36
            + struct.pack("<IQ", start, length)
        )

    if mini:
        mini_sectors = len(body) // 64
        minifat = [i + 1 for i in range(mini_sectors - 1)] + [_END]
        minifat_sector = struct.pack(f"<{128}I", *(minifat + [_FREE] * (128 - len(minifat))))
        root = entry("Root Entry", 5, 1, first_data, len(body))
        workbook = entry("Workbook", 2, _NONE, 0, len(stream))
    else:
        minifat_sector = b""
        root = entry("Root Entry", 5, 1, _END, 0)
        workbook = entry("Workbook", 2, _NONE, first_data, len(stream))
    directory = root + workbook + entry("", 0, _NONE, _FREE, 0) * 2
    fat_bytes = struct.pack(f"<{len(fat)}I", *fat)
    return header + fat_bytes + directory + minifat_sector + body.ljust(data_sectors * size, b"\x00")


XLS_HEADER = b"".join(_label(0, column, title) for column, title in enumerate(HOUSE_HEADER))


@pytest.mark.parametrize("padding", [0, 5_000], ids=["mini-stream", "sectors"])
def test_a_hand_written_xls_within_the_caps_reads(padding):
    cells = XLS_HEADER + _label(1, 0, "翠湖苑") + _number(1, 4, 3.0) + _record(0x0201, struct.pack("<HHH", 9, 255, 0))
    stream = biff(cells, dimension=(0, 2, 0, 11)) + _record(0x1235, b"\x00" * padding)
    rows = list(reading.open_rows(ole(stream), "x.xls").rows)
    assert rows[0][1][:2] == ["小区", "楼栋"] and rows[1][1][0] == "翠湖苑" and rows[1][1][4] == 3.0


def test_an_xls_with_a_value_in_its_last_cell_fails_cleanly_fast_and_small(admin_a):
    """5.6 KB, values in A1 and IV65536: calamine spends a gigabyte and seconds on it. Refused unread."""
    content = ole(biff(_number(0, 0, 1.0) + _number(65535, 255, 2.0), dimension=(0, 65536, 0, 256)))
    started, peak = time.monotonic(), _peak_rss_mb()
    record = dry_run(admin_a, "houses", content, name="房屋.xls")
    assert time.monotonic() - started < 10 and _peak_rss_mb() - peak < 200
    assert record["status"] == "invalid" and "IV65536" in record["errors"][0]["message"]


@pytest.mark.parametrize(
    ("content", "named"),
    [
        (ole(biff(_number(0, 0, 1.0) + _number(65535, 199, 2.0))), "GR65536"),  # 200 columns, too many cells
        (ole(biff(_number(0, 0, 1.0) + _number(9, 255, 2.0))), "IV10"),  # hidden by a lying DIMENSIONS
        (ole(biff(b"", dimension=(0, 65536, 0, 256))), "A1:IV65536"),  # declared
        (  # a sheet inside another record's body, where the sheet list points
            ole(
                biff(
                    b"",
                    hidden=_bof(0x0010) + _number(65535, 255, 1.0) + _record(0x000A),
                    sheet_at=hidden_sheet_offset(b""),
                )
            ),
            "IV65536",
        ),
        (ole(biff(_number(0, 0, 1.0))[:50] + _number(65535, 255, 2.0)), "IV65536"),  # tiny: in the mini stream
    ],
)
def test_xls_cells_beyond_the_caps_are_found(content, named):
    with pytest.raises(reading.FileProblem) as refused:
        reading.open_rows(content, "x.xls")
    assert named in refused.value.message


def test_a_panic_inside_the_reader_is_an_unreadable_file(monkeypatch, admin_a):
    """pyo3 raises a Rust panic as PanicException, a BaseException that `except Exception` misses:
    the import would stay `validating`."""

    class PanicException(BaseException):
        pass

    def panics(*args, **kwargs):
        raise PanicException("index out of bounds")

    monkeypatch.setattr(reading.CalamineWorkbook, "from_filelike", panics)
    record = dry_run(admin_a, "houses", xlsx(HOUSE_HEADER, [["翠湖苑"]]))
    assert record["status"] == "invalid" and "损坏" in record["errors"][0]["message"]
