"""Files that try to break the importer or the people who open its report: control characters and
formula-like text in cells, sheets declaring or using an enormous range, zip bombs, endless lines.
Every one ends as an import with a readable problem, quickly and in little memory."""

from __future__ import annotations

import io

import openpyxl
import pytest

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
