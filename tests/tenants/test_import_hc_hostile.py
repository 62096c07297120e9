"""Hostile files uploaded as HC 资产表 (hc_assets): formula-like text and control characters in
names, real formula cells, workbooks that lie about what they are or how large they are, and a zip
bomb. Each ends as a clear 400 or a report, never evaluates a formula, writes nothing, and what it
quotes back (the report, the export) is inert text. The crafted workbooks are the residents and
houses hostile-file tests' own (tests.tenants.test_import_hostile_files)."""

from __future__ import annotations

import io
import zipfile

import openpyxl
import pytest
from django_tenants.utils import tenant_context

from billing.models import FeeItem
from tenants.estates.models import Building, House
from tenants.imports import reading
from tenants.imports.models import Import
from tenants.residents.models import Person
from tests.tenants.test_import_hc import ROOMS, ROOMS_HEADER, commit, dry_run, hc_assets, upload
from tests.tenants.test_import_hostile_files import FORMULAS, WHOLE_GRID, _header, _report, crafted_xlsx

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager")]


def _nothing_written(company):
    with tenant_context(company):
        assert not Building.objects.exists() and not House.objects.exists()
        assert not Person.objects.exists() and not FeeItem.objects.exists()


def _rooms_csv(rows) -> bytes:
    lines = [",".join(ROOMS_HEADER)]
    for row in rows:
        lines.append(",".join('"' + str(value).replace('"', '""') + '"' for value in row))
    return "\n".join(lines).encode("utf-8")


def _named(names):
    """ROOMS' first house, one owner row per name (the first with a bad 房屋类型, to get a report)."""
    rows = []
    for position, name in enumerate(names):
        row = list(ROOMS[0])
        row[2], row[12], row[14], row[15] = 1001 + position, name, 13800000010 + position, ""
        rows.append(row)
    return rows


def test_formula_text_and_control_characters_are_quoted_back_as_inert_text(admin_a, company_a, estate):
    names = [*FORMULAS, "赵\x01一\x1b"]
    rows = _named(names)
    rows[0][6] = "不是类型"
    record = dry_run(admin_a, _rooms_csv(rows), estate.pk, name="资产信息.csv")
    assert record["status"] == "invalid" and record["error_total"] == 1, record["errors"]
    sheet = _report(admin_a, record)["资产信息"]
    column = ROOMS_HEADER.index("业主名称") + 1
    cells = [sheet.cell(row, column) for row in range(2, 2 + len(names))]
    for cell, text in zip(cells[:4], FORMULAS, strict=True):
        assert (cell.value, cell.data_type, cell.quotePrefix) == (text, "s", True)
    assert cells[4].value == "赵\ufffd一\ufffd"
    _nothing_written(company_a)


# Without a comma: a comma in a name is two owners in one cell (HC's own convention).
NAMES = ['=HYPERLINK("http://x")', "=1+1", "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)"]


def test_formula_text_is_stored_as_text_and_exported_neutralised(admin_a, company_a, estate):
    record = dry_run(admin_a, _rooms_csv(_named(NAMES)), estate.pk, name="资产信息.csv")
    assert record["status"] == "ready", record["errors"]
    assert commit(admin_a, record)["status"] == "done"
    with tenant_context(company_a):
        assert sorted(Person.objects.values_list("name", flat=True)) == sorted(NAMES)  # never evaluated
    exported = admin_a.get("/api/v1/residents/?format=xlsx")
    assert exported.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(exported.content)).worksheets[0]
    quoted = {cell.value: cell for row in sheet.iter_rows() for cell in row if cell.value in NAMES}
    assert set(quoted) == set(NAMES)
    assert all((cell.data_type, cell.quotePrefix) == ("s", True) for cell in quoted.values())


def test_a_real_formula_cell_is_never_evaluated(admin_a, company_a, estate):
    content = hc_assets()
    book = openpyxl.load_workbook(io.BytesIO(content))
    book["业主信息"]["B2"] = "=1+1"  # a live formula, no cached value: read as the blank it shows
    buffer = io.BytesIO()
    book.save(buffer)
    record = dry_run(admin_a, buffer.getvalue(), estate.pk)
    assert record["status"] == "invalid"
    found = {(e["sheet"], e["row"], e["column"]): e["message"] for e in record["errors"]}
    assert found == {("业主信息", 2, "业主名称"): "必填，不能为空。"}  # not "2", not "=1+1"
    _nothing_written(company_a)


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (_rooms_csv(ROOMS), "hc.xlsx"),  # a CSV calling itself a workbook
        (b"\xd0\xcf\x11\xe0 not an OLE file", "hc.xlsx"),
        (b"PK\x03\x04 not a zip", "hc.xls"),
    ],
)
def test_a_file_lying_about_its_type_is_a_400(admin_a, company_a, estate, content, name):
    response = upload(admin_a, content, estate.pk, name)
    assert response.status_code == 400, response.content
    assert "扩展名" in response.content.decode()
    with tenant_context(company_a):
        assert not Import.objects.exists()


def _zip_of_junk() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("xl/workbook.xml", b"\x00\xff junk \x00" * 100)
        archive.writestr("readme.txt", "not a workbook")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("content", "said"),
    [
        (_zip_of_junk(), "无法读取"),
        (crafted_xlsx(_header(), dimension="A1:K1000000"), "A1:K1000000"),  # declares a million rows
        (crafted_xlsx(WHOLE_GRID), "XFD1048576"),  # a cell at the grid's last corner
    ],
    ids=["zip-of-junk", "declared-million-rows", "whole-grid"],
)
def test_a_workbook_lying_about_its_content_or_size_is_one_problem(admin_a, company_a, estate, content, said):
    record = dry_run(admin_a, content, estate.pk)
    assert record["status"] == "invalid" and record["job"]["status"] == "succeeded"
    [problem] = record["errors"]
    assert problem["row"] is None and said in problem["message"], problem
    _nothing_written(company_a)


def test_a_zip_bomb_is_refused_before_it_is_unpacked(admin_a, company_a, estate, monkeypatch):
    monkeypatch.setattr(reading, "MAX_UNPACKED_BYTES", 5_000_000)
    content = crafted_xlsx(_header(), padding=20_000_000)
    assert len(content) < 100_000
    record = dry_run(admin_a, content, estate.pk)
    assert record["status"] == "invalid"
    [problem] = record["errors"]
    assert "解压后过大" in problem["message"]
    _nothing_written(company_a)
