"""Imports and the estates API speak the client's language: an import's problems are written in the
language of the person who uploaded the file (its dry run runs later, in a worker, in the language
the upload carried), file problems at upload, the estates API's errors and its export's titles."""

from __future__ import annotations

import io
import re

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from django_tenants.utils import schema_context, tenant_context

from core.outbox import services as outbox
from core.outbox.models import OutboxMessage
from tenants.estates.models import Estate, House, Unit
from tests.tenants.test_import_hc import HOUSES as HC_HOUSES
from tests.tenants.test_import_hc import dry_run as hc_dry_run
from tests.tenants.test_import_hc import hc_assets
from tests.tenants.test_imports import HOUSE_HEADER, HOUSES, RESIDENT_HEADER, RESIDENTS, import_houses, upload, xlsx

pytestmark = pytest.mark.django_db

CJK = re.compile(r"[\u4e00-\u9fff]")
EN = {"HTTP_ACCEPT_LANGUAGE": "en-US,en;q=0.9"}
ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-CN,zh;q=0.9"}


@pytest.fixture
def admin_a(client_for, company_a):
    return client_for(company_a, "admin")


@pytest.fixture
def files(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.PRIVATE_ROOT = str(tmp_path / "private")


def _deliver_validation(import_id: int) -> None:
    with schema_context("public"):
        message = OutboxMessage.objects.get(key=f"import:{import_id}:validate")
    assert outbox.deliver(message_id=message.pk) == "done"


@pytest.mark.usefixtures("files", "outbox_sent")
@pytest.mark.parametrize(
    ("headers", "worker_language", "problem"),
    [
        (EN, "zh-hans", "Duplicates row 2 (same estate, building, entrance and unit no.)."),
        (ZH, "en", "与第 2 行重复（同一小区、楼栋、单元、房号）。"),
    ],
)
def test_an_uploaders_import_problems_are_in_the_uploaders_language(admin_a, headers, worker_language, problem):
    """The dry run is delivered later by a worker running in another language than the upload's:
    the problems still come out in the uploader's."""
    content = xlsx(HOUSE_HEADER, [*HOUSES, HOUSES[0]])
    response = admin_a.post(
        "/api/v1/imports/",
        {"kind": "houses", "file": SimpleUploadedFile("data.xlsx", content)},
        format="multipart",
        **headers,
    )
    assert response.status_code == 202, response.content
    import_id = response.json()["id"]
    with translation.override(worker_language):
        _deliver_validation(import_id)
    record = admin_a.get(f"/api/v1/imports/{import_id}/", **headers).json()
    assert record["status"] == "invalid"
    assert record["errors"] == [{"row": 6, "column": "房号", "message": problem}]
    assert bool(CJK.search(record["message"])) is (headers is ZH)


@pytest.mark.usefixtures("eager")
def test_a_file_problem_is_in_the_clients_language(admin_a):
    response = admin_a.post(
        "/api/v1/imports/",
        {"kind": "houses", "file": SimpleUploadedFile("houses.xlsx", b"name,phone\nzhang,138\n")},
        format="multipart",
        **EN,
    )
    assert response.status_code == 400
    assert response.json()["fields"]["file"] == [
        "The file is not a valid Excel (.xlsx) file; it may be another format renamed. "
        "Save it as .xlsx in Excel and upload again."
    ]
    refused = upload(admin_a, "houses", b"hello", name="houses.txt")
    assert refused.status_code == 400 and "仅支持" in refused.json()["message"]  # Chinese by default


def test_an_english_client_gets_an_import_file_problem_from_the_dry_run_in_english(admin_a, eager):
    header_only = xlsx(["小区", "楼栋", "房号"], [["翠湖苑", "1栋", "101"]])
    response = admin_a.post(
        "/api/v1/imports/",
        {"kind": "houses", "file": SimpleUploadedFile("data.xlsx", header_only)},
        format="multipart",
        **EN,
    )
    assert response.status_code == 202, response.content
    record = admin_a.get(f"/api/v1/imports/{response.json()['id']}/", **EN).json()
    message = record["errors"][0]["message"]
    assert message.startswith("Required columns are missing: ")
    assert "Use the downloaded template" in message  # the column names are the file's own (Chinese) headers


@pytest.mark.usefixtures("eager")
def test_an_estates_validation_error_is_entirely_english(admin_a, company_a):
    import_houses(admin_a)
    with tenant_context(company_a):
        house = House.objects.get(building__name="1栋", number="101")
        elsewhere = Unit.objects.get(building__name="2栋")
    response = admin_a.patch(f"/api/v1/houses/{house.pk}/", {"unit": elsewhere.pk}, format="json", **EN)
    assert response.status_code == 400
    assert response.json()["fields"]["unit"] == [
        "A unit cannot be moved to another entrance; create a new unit instead."
    ]
    assert not CJK.search(response.content.decode()), response.content.decode()
    duplicate = admin_a.post("/api/v1/estates/", {"name": "翠湖苑"}, format="json", **EN)
    assert duplicate.status_code == 400
    body = duplicate.json()
    assert not CJK.search(body["message"]) and not CJK.search(str(body["fields"])), body


@pytest.mark.usefixtures("eager")
@pytest.mark.parametrize(
    ("headers", "title", "columns"),
    [
        (ZH, "房屋", ["小区", "楼栋", "单元", "房号", "楼层", "建筑面积"]),
        (EN, "Unit", ["Estate", "Building", "Entrance", "Unit no.", "Floor", "Gross floor area"]),
    ],
)
def test_an_estates_export_has_its_sheet_and_column_titles_in_the_clients_language(admin_a, headers, title, columns):
    import_houses(admin_a)
    response = admin_a.get("/api/v1/houses/?format=xlsx", **headers)
    assert response.status_code == 200, response.content
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == [title]
    header = [cell.value for cell in next(book.active.iter_rows(max_row=1))]
    assert header[: len(columns)] == columns
    estates = admin_a.get("/api/v1/estates/?format=xlsx", **headers)
    first = [cell.value for cell in next(openpyxl.load_workbook(io.BytesIO(estates.content)).active.iter_rows())]
    assert first[0] == ("Estate name" if headers is EN else "小区名称")


@pytest.mark.usefixtures("eager")
def test_an_hc_workbooks_problems_report_and_notes_in_english(admin_a, company_a):
    with tenant_context(company_a):
        estate = Estate.objects.create(name="翠湖苑")
    admin_a.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    clean = hc_dry_run(admin_a, hc_assets(), estate.pk)
    assert clean["status"] == "ready", clean["errors"]
    assert clean["notes"][0].startswith("HC 资产导入 workbook (翠湖苑): read ")
    houses = [list(row) for row in HC_HOUSES]
    houses[0][1] = 9  # a building 楼栋单元 does not have
    houses.append([1012, 1, 1, 1, "10102", 94.56, "", 0, "", 110, 94.56, 0])  # the same house twice
    houses.append([3401, 1, 2, 34, "10102", 94.56, "", 0, "", 110, 94.56, 0])  # above 总层数 33
    record = hc_dry_run(admin_a, hc_assets(houses=houses), estate.pk)
    found = {(e["sheet"], e["row"], e["column"]): e["message"] for e in record["errors"]}
    assert "楼栋单元 has no building with this number." in found["房屋信息", 2, "楼栋编号"]
    assert found["房屋信息", 6, "房屋编号"] == "“1012”: Duplicates row 3 (same building, entrance and unit number)."
    assert "Above building 1's 33 floors (楼栋单元 row 2)." in found["房屋信息", 7, "房屋楼层"]
    book = openpyxl.load_workbook(io.BytesIO(admin_a.get(record["report_url"]).content))
    assert book.sheetnames[-1] == "Problems"
    assert [cell.value for cell in book["Problems"][1]] == ["Sheet", "Row", "Column", "Problem"]


@pytest.mark.usefixtures("eager")
def test_an_english_uploaders_residents_problem_and_report_are_in_english(admin_a):
    """A bad phone and a bad date in a residents file: the problems, the report's sheets and its
    explanation column come back in English; the column names stay the file's own headers."""
    import_houses(admin_a)
    rows = [row[:] for row in RESIDENTS]
    rows[2][5] = "1381234"  # row 4: not a phone number
    rows[0][9] = "2024-02-30"  # row 2: no such date
    response = admin_a.post(
        "/api/v1/imports/",
        {"kind": "residents", "file": SimpleUploadedFile("residents.xlsx", xlsx(RESIDENT_HEADER, rows))},
        format="multipart",
        **EN,
    )
    assert response.status_code == 202, response.content
    record = admin_a.get(f"/api/v1/imports/{response.json()['id']}/", **EN).json()
    assert record["status"] == "invalid"
    assert record["errors"] == [
        {"row": 2, "column": "入住日期", "message": "No such date; please check the year, month and day."},
        {
            "row": 4,
            "column": "手机号",
            "message": "Enter an 11-digit mainland mobile number, or a landline with its area code (e.g. 010-12345678).",
        },
    ]
    report = openpyxl.load_workbook(io.BytesIO(admin_a.get(record["report_url"], **EN).content))
    assert report.sheetnames == ["Import result", "Problems"]
    assert report["Import result"].cell(row=1, column=len(RESIDENT_HEADER) + 1).value == "Problems"
    assert [c.value for c in report["Problems"][1]] == ["Row", "Column", "Problem"]


@pytest.mark.usefixtures("eager")
def test_a_template_in_english_keeps_its_chinese_headers_and_explains_them_in_english(admin_a):
    response = admin_a.get("/api/v1/imports/templates/residents/", **EN)
    assert response.status_code == 200
    data, notes = openpyxl.load_workbook(io.BytesIO(response.content)).worksheets
    assert [c.value for c in data[1]][:4] == ["小区", "楼栋", "单元", "房号"]  # the file format
    assert [c.value for c in notes[1]] == ["Column", "Required", "Description"]
    rows = list(notes.iter_rows(min_row=2, values_only=True))
    blank = next(position for position, row in enumerate(rows) if not any(row))
    described = {row[0]: row[2] for row in rows[:blank]}
    assert described["手机号"].startswith("An 11-digit mainland mobile number")
    assert "(also written: " in described["小区"]
    closing = [row[0] for row in rows[blank + 1 :]]  # the kind's notes, after a blank row
    assert closing and not any(CJK.search(line) for line in closing if line), closing
