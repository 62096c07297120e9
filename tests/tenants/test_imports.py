"""Data migration in: houses and residents from .xlsx/.csv, dry run first, all-or-nothing commit,
idempotent re-import, annotated reports, tenancy and roles. Files are built small in each test."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django_tenants.utils import tenant_context

from accounts.models import AuditEvent
from core.identity import check_character
from core.models import Job
from tenants.estates.models import Building, Estate, House
from tenants.imports import cells, columns, reading
from tenants.imports.models import Import
from tenants.residents import pii
from tenants.residents.models import Occupancy, Person

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager")]
PHONE_PROBLEM = pii.contact_phone_problem("123")

HOUSE_HEADER = ["小区", "楼栋", "单元", "房号", "楼层", "建筑面积", "套内面积", "户型", "用途", "状态", "收费系数"]
RESIDENT_HEADER = [
    "小区",
    "楼栋",
    "单元",
    "房号",
    "姓名",
    "手机号",
    "身份证号",
    "性别",
    "关系",
    "入住日期",
    "产权份额(%)",
    "主缴费人",
    "紧急联系人",
]


def id_number(body17: str) -> str:
    return body17 + check_character(body17)


ID_ZHANG = id_number("11010519491231002")
ID_LI = id_number("33010619880512123")
ID_WANG = id_number("44030519900101123")

HOUSES = [
    ["翠湖苑", "1栋", "1单元", 101, 1, 89.5, 72.3, "3室2厅", "住宅", "已入住", 1],
    ["翠湖苑", "1栋", "1单元", 102, 1, 89.5, 72.3, "3室2厅", "住宅", "空置", None],
    ["翠湖苑", "1栋", "1单元", 201, 2, 120, 100.25, "4室2厅", "residential", "occupied", 1.2],
    ["翠湖苑", "2栋", "1单元", "101", 1, 60, 50, "", "商铺", "出租中", None],
]
RESIDENTS = [
    [
        "翠湖苑",
        "1栋",
        "1单元",
        101,
        "张伟",
        "13812345678",
        ID_ZHANG,
        "男",
        "业主",
        "2024-03-01",
        60,
        "是",
        "李娜 13900001111",
    ],
    ["翠湖苑", "1栋", "1单元", 101, "李娜", "13900001111", ID_LI, "女", "业主", "2024/3/1", 40, "否", ""],
    ["翠湖苑", "1栋", "1单元", 101, "张小明", "13700002222", "", "男", "家庭成员", "2024年3月1日", None, None, ""],
    ["翠湖苑", "1栋", "1单元", 201, "张伟", "13812345678", ID_ZHANG, "男", "业主", "2023-01-15", 100, "是", ""],
    ["翠湖苑", "2栋", "1单元", "101", "王芳", "13600003333", ID_WANG, "女", "租户", None, None, "是", ""],
]


@pytest.fixture
def admin_a(client_for, company_a):
    return client_for(company_a, "admin")


def xlsx(header, rows, *, title_rows=()) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for line in title_rows:
        sheet.append(line)
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_bytes(header, rows, encoding="utf-8-sig") -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    return buffer.getvalue().encode(encoding)


def upload(client, kind, content, name="data.xlsx"):
    return client.post(
        "/api/v1/imports/", {"kind": kind, "file": SimpleUploadedFile(name, content)}, format="multipart"
    )


def dry_run(client, kind, content, name="data.xlsx"):
    response = upload(client, kind, content, name)
    assert response.status_code == 202, response.content
    return client.get(f"/api/v1/imports/{response.json()['id']}/").json()


def commit(client, record):
    response = client.post(f"/api/v1/imports/{record['id']}/commit/")
    assert response.status_code == 202, response.content
    return client.get(f"/api/v1/imports/{record['id']}/").json()


def import_houses(client, rows=HOUSES):
    record = dry_run(client, "houses", xlsx(HOUSE_HEADER, rows))
    assert record["status"] == "ready", record["errors"]
    return commit(client, record)


def test_houses_then_residents_happy_path(admin_a, company_a):
    houses = import_houses(admin_a)
    assert houses["status"] == "done"
    assert (houses["counts"]["create"], houses["counts"]["new_estates"], houses["counts"]["new_buildings"]) == (4, 1, 2)
    assert houses["job"]["status"] == "succeeded" and houses["job"]["progress"] == 100
    with tenant_context(company_a):
        building = Building.objects.get(name="1栋")
        assert building.floors == 2  # the highest floor the file gives it
        house = House.objects.get(building=building, number="201")
        assert (house.building_area, house.usable_area, house.fee_coefficient) == (
            Decimal("120.00"),
            Decimal("100.25"),
            Decimal("1.2000"),
        )
        assert House.objects.get(building__name="2栋").use == "shop"
        assert len({h.binding_code for h in House.objects.all()}) == 4

    record = dry_run(admin_a, "residents", xlsx(RESIDENT_HEADER, RESIDENTS))
    assert record["status"] == "ready", record["errors"]
    assert record["counts"]["create"] == 5 and record["counts"]["new_persons"] == 4
    assert record["report_url"] is None
    done = commit(admin_a, record)
    assert done["status"] == "done" and done["committed_at"]
    with tenant_context(company_a):
        zhang = Person.objects.get(id_number_index=pii.id_number_index(ID_ZHANG))
        assert (zhang.phone, zhang.id_number, zhang.gender) == ("13812345678", ID_ZHANG, "male")
        assert zhang.phone_masked == "138****5678"
        assert zhang.emergency_contact == "李娜 13900001111"
        assert zhang.occupancies.count() == 2
        first = Occupancy.objects.get(person=zhang, house__number="101", house__building__name="1栋")
        assert (first.share, first.is_primary_payer, first.moved_in) == (Decimal("60.00"), True, date(2024, 3, 1))
        kid = Person.objects.get(name="张小明")
        assert kid.id_number == "" and kid.occupancies.get().moved_in == date(2024, 3, 1)
        renter = Occupancy.objects.get(person__name="王芳")
        assert (
            renter.relation == "renter" and renter.moved_in is None
        )  # blank in the file: unknown, never the import day
        event = AuditEvent.objects.get(action="import.commit", object_id=str(done["id"]))
        assert event.after["counts"]["create"] == 5


def test_reimporting_the_same_files_changes_nothing(admin_a, company_a):
    import_houses(admin_a)
    commit(admin_a, dry_run(admin_a, "residents", xlsx(RESIDENT_HEADER, RESIDENTS)))
    with tenant_context(company_a):
        before = (
            list(House.objects.order_by("pk").values()),
            list(Person.objects.order_by("pk").values_list("pk", "name", "phone_index", "updated_at")),
            list(Occupancy.objects.order_by("pk").values()),
        )
    again = dry_run(admin_a, "houses", xlsx(HOUSE_HEADER, HOUSES))
    assert again["counts"]["unchanged"] == 4 and again["counts"]["create"] == again["counts"]["update"] == 0
    assert commit(admin_a, again)["status"] == "done"
    residents = dry_run(admin_a, "residents", xlsx(RESIDENT_HEADER, RESIDENTS))
    assert (residents["counts"]["unchanged"], residents["counts"]["create"], residents["counts"]["update"]) == (5, 0, 0)
    assert commit(admin_a, residents)["counts"]["unchanged"] == 5
    with tenant_context(company_a):
        after = (
            list(House.objects.order_by("pk").values()),
            list(Person.objects.order_by("pk").values_list("pk", "name", "phone_index", "updated_at")),
            list(Occupancy.objects.order_by("pk").values()),
        )
    assert after == before


def test_reimporting_mid_key_rotation_matches_people_indexed_under_the_old_key(admin_a, company_a, data_keys):
    data_keys("k1")
    import_houses(admin_a)
    commit(admin_a, dry_run(admin_a, "residents", xlsx(RESIDENT_HEADER, RESIDENTS)))
    data_keys("k2", "k1")  # new key first; nobody re-keyed yet
    residents = dry_run(admin_a, "residents", xlsx(RESIDENT_HEADER, RESIDENTS))
    assert residents["status"] == "ready", residents["errors"]
    assert (residents["counts"]["unchanged"], residents["counts"]["create"], residents["counts"]["update"]) == (5, 0, 0)
    changed = [row[:] for row in RESIDENTS]
    changed[0][5] = changed[3][5] = "13812349999"  # 张伟's new phone; he is found by his ID's old-key index
    record = dry_run(admin_a, "residents", xlsx(RESIDENT_HEADER, changed))
    assert record["status"] == "ready", record["errors"]
    assert record["counts"]["update"] >= 1 and record["counts"].get("new_persons", 0) == 0
    commit(admin_a, record)
    with tenant_context(company_a):
        zhang = Person.objects.get(name="张伟")
        assert zhang.phone == "13812349999" and Person.objects.count() == 4


def test_changed_values_update_existing_rows(admin_a, company_a):
    import_houses(admin_a)
    changed = [row[:] for row in HOUSES]
    changed[1][9] = "装修中"
    changed[1][10] = None  # blank optional cell: left as it is
    record = dry_run(admin_a, "houses", xlsx(HOUSE_HEADER, changed))
    assert (record["counts"]["update"], record["counts"]["unchanged"]) == (1, 3)
    commit(admin_a, record)
    with tenant_context(company_a):
        house = House.objects.get(building__name="1栋", number="102")
        assert (house.status, house.fee_coefficient) == ("decorating", Decimal("1.0000"))


def test_one_bad_row_makes_the_file_invalid_then_the_fixed_file_imports(admin_a, company_a):
    import_houses(admin_a)
    rows = [row[:] for row in RESIDENTS]
    rows[2][5] = "1381234"  # row 4 in Excel: header is row 1
    record = dry_run(admin_a, "residents", xlsx(RESIDENT_HEADER, rows), name="住户.xlsx")
    assert record["status"] == "invalid"
    assert record["errors"] == [{"row": 4, "column": "手机号", "message": PHONE_PROBLEM}]
    assert record["counts"]["errors"] == 1 and record["error_total"] == 1
    assert admin_a.post(f"/api/v1/imports/{record['id']}/commit/").status_code == 409
    with tenant_context(company_a):
        assert not Person.objects.exists() and not Occupancy.objects.exists()

    report = admin_a.get(record["report_url"])
    assert report.status_code == 200
    assert "attachment" in report["Content-Disposition"]
    workbook = openpyxl.load_workbook(io.BytesIO(report.content))
    sheet = workbook["导入结果"]
    header = [cell.value for cell in sheet[1]]
    assert header[-1] == "错误说明" and header[:-1] == RESIDENT_HEADER
    explanation = sheet.cell(row=4, column=len(header)).value
    assert "手机号" in explanation and "手机号" in PHONE_PROBLEM
    bad = sheet.cell(row=4, column=RESIDENT_HEADER.index("手机号") + 1)
    assert bad.fill.fgColor.rgb.endswith("FFC7CE") and bad.comment.text == PHONE_PROBLEM
    assert sheet.cell(row=3, column=len(header)).value is None
    assert [c.value for c in workbook["问题汇总"][2]] == [4, "手机号", PHONE_PROBLEM]

    rows[2][5] = "13812340000"
    fixed = dry_run(admin_a, "residents", xlsx(RESIDENT_HEADER, rows))
    assert fixed["status"] == "ready"
    assert commit(admin_a, fixed)["status"] == "done"
    with tenant_context(company_a):
        assert Occupancy.objects.count() == 5


def test_unknown_house_bad_phone_and_id_and_duplicates(admin_a, company_a):
    import_houses(admin_a)
    rows = [
        ["翠湖苑", "9栋", "1单元", 101, "赵六", "13812345678", "", "", "业主", None, None, None, ""],
        ["翠湖苑", "1栋", "1单元", 101, "钱七", "12345", "", "", "业主", None, None, None, ""],
        ["翠湖苑", "1栋", "1单元", 101, "孙八", "", ID_ZHANG[:-1] + "0", "", "业主", None, None, None, ""],
        ["翠湖苑", "1栋", "1单元", 102, "周九", "13500001111", "", "", "租户", None, None, None, ""],
        ["翠湖苑", "1栋", "1单元", 102, "周九", "13500001111", "", "", "租户", None, None, None, ""],
        ["翠湖苑", "1栋", "1单元", 102, "吴十", "", "", "", "亲戚", None, None, None, ""],
    ]
    record = dry_run(admin_a, "residents", xlsx(RESIDENT_HEADER, rows))
    assert record["status"] == "invalid"
    problems = {(p["row"], p["column"]): p["message"] for p in record["errors"]}
    assert "房屋不存在" in problems[(2, "房号")]
    assert problems[(3, "手机号")] == PHONE_PROBLEM
    assert "校验位" in problems[(4, "身份证号")]
    assert "与第 5 行重复" in problems[(6, "关系")]
    assert "须为以下之一" in problems[(7, "关系")]
    assert record["counts"]["errors"] == 5
    with tenant_context(company_a):
        assert not Person.objects.exists()


def test_duplicate_houses_in_a_file(admin_a):
    record = dry_run(admin_a, "houses", xlsx(HOUSE_HEADER, [*HOUSES, HOUSES[0]]))
    assert record["status"] == "invalid"
    assert record["errors"] == [
        {"row": 6, "column": "房号", "message": "与第 2 行重复（同一小区、楼栋、单元、房号）。"}
    ]


def test_shares_and_primary_payers_are_checked_per_house(admin_a):
    import_houses(admin_a)
    rows = [
        ["翠湖苑", "1栋", "1单元", 101, "张伟", "13812345678", ID_ZHANG, "", "业主", None, 70, "是", ""],
        ["翠湖苑", "1栋", "1单元", 101, "李娜", "13900001111", ID_LI, "", "业主", None, 40, "是", ""],
        ["翠湖苑", "1栋", "1单元", 102, "王芳", "13600003333", "", "", "租户", None, 10, None, ""],
    ]
    record = dry_run(admin_a, "residents", xlsx(RESIDENT_HEADER, rows))
    messages = {(p["row"], p["column"]): p["message"] for p in record["errors"]}
    assert "110%" in messages[(2, "产权份额(%)")] and "110%" in messages[(3, "产权份额(%)")]
    assert "主缴费人" in messages[(2, "主缴费人")]
    assert messages[(4, "产权份额(%)")] == "只有业主才有产权份额。"


def test_excel_numbers_dates_spaces_aliases_and_column_order(admin_a, company_a):
    import_houses(admin_a)
    header = ["  电话 ", "姓名", "房号", "单元", "楼栋", "小区", "身份", "入住时间", "证件号码", "是否主缴费人"]
    rows = [
        [13812345678, " 张伟 ", 101, "1单元", "1栋", "翠湖苑", "owner", 45352, ID_ZHANG, True],
        [1.3900001111e10, "李娜", 102, "1单元", "1栋", "翠湖苑", "业主", date(2023, 5, 6), "", "否"],
        [None, None, None, None, None, None, None, None, None, None],
        ["13700002222", "张小明", "201", "1单元", "1栋", "翠湖苑", "家属", "20220101", "", ""],
    ]
    record = dry_run(admin_a, "residents", xlsx(header, rows, title_rows=[["住户导入"]]))
    assert record["status"] == "ready", record["errors"]
    assert record["counts"]["blank_rows"] == 1 and record["counts"]["create"] == 3
    commit(admin_a, record)
    with tenant_context(company_a):
        zhang = Person.objects.get(name="张伟")
        assert zhang.phone == "13812345678"
        occupancy = zhang.occupancies.get()
        assert occupancy.moved_in == date(2024, 3, 1) and occupancy.is_primary_payer
        assert Person.objects.get(name="李娜").phone == "13900001111"
        assert Occupancy.objects.get(person__name="李娜").moved_in == date(2023, 5, 6)
        assert Occupancy.objects.get(person__name="张小明").moved_in == date(2022, 1, 1)


def test_an_id_number_typed_as_a_number_and_a_truncated_phone_are_explained(admin_a):
    import_houses(admin_a)
    rows = [
        ["翠湖苑", "1栋", "1单元", 101, "张伟", "1.38123E+10", "", "", "业主", None, None, None, ""],
        ["翠湖苑", "1栋", "1单元", 101, "李娜", "", 110105194912310000, "", "业主", None, None, None, ""],
    ]
    record = dry_run(admin_a, "residents", xlsx(RESIDENT_HEADER, rows))
    messages = {(p["row"], p["column"]): p["message"] for p in record["errors"]}
    assert "科学计数法" in messages[(2, "手机号")]
    assert "文本" in messages[(3, "身份证号")]


@pytest.mark.parametrize("encoding", ["gbk", "utf-8-sig", "utf-8"])
def test_csv_in_gbk_and_utf8(admin_a, company_a, encoding):
    record = dry_run(admin_a, "houses", csv_bytes(HOUSE_HEADER, HOUSES, encoding), name="房屋.csv")
    assert record["status"] == "ready", record["errors"]
    assert record["file_name"] == "房屋.csv"
    commit(admin_a, record)
    with tenant_context(company_a):
        assert House.objects.count() == 4 and Estate.objects.get().name == "翠湖苑"


def test_missing_required_columns_is_one_file_level_problem(admin_a):
    record = dry_run(admin_a, "houses", xlsx(["小区", "楼栋", "房号"], [["翠湖苑", "1栋", "101"]]))
    assert record["status"] == "invalid"
    assert len(record["errors"]) == 1 and record["errors"][0]["row"] is None
    assert "缺少必填列：单元、楼层、建筑面积、套内面积" in record["errors"][0]["message"]
    workbook = openpyxl.load_workbook(io.BytesIO(admin_a.get(record["report_url"]).content))
    assert "缺少必填列" in workbook["问题汇总"]["C2"].value


def test_a_non_excel_file_renamed_xlsx_is_refused(admin_a, company_a):
    response = upload(admin_a, "houses", b"name,phone\nzhang,138\n", name="houses.xlsx")
    assert response.status_code == 400
    assert response.json()["code"] == "bad_file" and "扩展名" in response.json()["fields"]["file"][0]
    # A zip that is not a workbook (a .docx renamed) gets as far as the dry run, which says so.
    buffer = io.BytesIO()
    import zipfile

    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<w/>")
    record = dry_run(admin_a, "houses", buffer.getvalue(), name="houses.xlsx")
    assert record["status"] == "invalid" and "不是 Excel 工作簿" in record["errors"][0]["message"]
    corrupt = dry_run(admin_a, "houses", xlsx(HOUSE_HEADER, HOUSES)[:300], name="houses.xlsx")
    assert corrupt["status"] == "invalid" and "损坏" in corrupt["errors"][0]["message"]
    with tenant_context(company_a):
        assert not House.objects.exists()


def test_too_big_unknown_kind_and_wrong_extension(admin_a, monkeypatch):
    monkeypatch.setattr(reading, "MAX_BYTES", 1000)
    response = upload(admin_a, "houses", b"PK\x03\x04" + b"0" * 1000)
    assert response.status_code == 400 and response.json()["code"] == "file_too_large"
    monkeypatch.setattr(reading, "MAX_BYTES", 20 * 1024 * 1024)
    monkeypatch.setattr(reading, "MAX_ROWS", 3)
    record = dry_run(admin_a, "houses", xlsx(HOUSE_HEADER, HOUSES))
    assert record["status"] == "invalid" and "超过 3 行" in record["errors"][0]["message"]
    response = upload(admin_a, "parking", xlsx(HOUSE_HEADER, HOUSES))
    assert response.status_code == 400 and response.json()["code"] == "unknown_kind"
    response = upload(admin_a, "houses", b"hello", name="houses.txt")
    assert response.status_code == 400 and "仅支持" in response.json()["message"]
    response = admin_a.post("/api/v1/imports/", {"kind": "houses"}, format="multipart")
    assert response.status_code == 400


def test_commit_only_from_ready(admin_a):
    record = import_houses(admin_a)
    response = admin_a.post(f"/api/v1/imports/{record['id']}/commit/")
    assert response.status_code == 409 and response.json()["code"] == "not_ready"


def test_data_changed_between_dry_run_and_commit_writes_nothing(admin_a, company_a):
    import_houses(admin_a)
    record = dry_run(admin_a, "residents", xlsx(RESIDENT_HEADER, RESIDENTS))
    assert record["status"] == "ready"
    with tenant_context(company_a):
        House.objects.filter(building__name="2栋").delete()  # the renter's house goes away meanwhile
    response = admin_a.post(f"/api/v1/imports/{record['id']}/commit/")
    assert response.status_code == 202
    after = admin_a.get(f"/api/v1/imports/{record['id']}/").json()
    assert after["status"] == "invalid" and "数据已发生变化" in after["message"]
    assert after["errors"][0]["row"] == 6 and "房屋不存在" in after["errors"][0]["message"]
    assert admin_a.get(after["report_url"]).status_code == 200
    assert after["job"]["status"] == "failed"
    with tenant_context(company_a):
        assert not Person.objects.exists() and not Occupancy.objects.exists()
        assert not AuditEvent.objects.filter(action="import.commit", object_id=str(record["id"])).exists()


def test_templates_have_chinese_headers_an_example_and_notes(admin_a):
    resident_header = [*RESIDENT_HEADER[:7], "证件类型", *RESIDENT_HEADER[7:]]
    for kind, header, as_text in (
        ("houses", HOUSE_HEADER, {"房号"}),
        ("residents", resident_header, {"房号", "手机号", "身份证号"}),
    ):
        response = admin_a.get(f"/api/v1/imports/templates/{kind}/")
        assert response.status_code == 200
        workbook = openpyxl.load_workbook(io.BytesIO(response.content))
        data, notes = workbook.worksheets
        assert [c.value for c in data[1]] == header
        assert data.max_row == 2 and notes.title == "填写说明"
        # Whole columns are text where a number would lose meaning, not only the example row.
        text_columns = {
            cell.value for cell in data[1] if data.column_dimensions[cell.column_letter].number_format == "@"
        }
        assert text_columns == as_text
        # The template's own example row passes the dry run.
    houses = dry_run(admin_a, "houses", admin_a.get("/api/v1/imports/templates/houses/").content)
    assert houses["status"] == "ready", houses["errors"]
    commit(admin_a, houses)
    residents = dry_run(admin_a, "residents", admin_a.get("/api/v1/imports/templates/residents/").content)
    assert residents["status"] == "ready", residents["errors"]
    assert admin_a.get("/api/v1/imports/templates/parking/").status_code == 404


def test_list_and_progress_job(admin_a, company_a):
    content = xlsx(HOUSE_HEADER, HOUSES)
    record = dry_run(admin_a, "houses", content)
    listed = admin_a.get("/api/v1/imports/?kind=houses").json()
    assert [r["id"] for r in listed["results"]] == [record["id"]]
    assert "errors" not in listed["results"][0]
    job = admin_a.get(f"/api/v1/jobs/{record['job']['id']}/").json()
    assert job["kind"] == "import.validate" and job["status"] == "succeeded"
    original = admin_a.get(f"/api/v1/imports/{record['id']}/file/")
    assert original.status_code == 200 and original.content == content
    with tenant_context(company_a):
        stored = Import.objects.get(pk=record["id"])
        assert stored.file.name.startswith(f"imports/{stored.token}/")


def test_another_company_cannot_see_commit_or_download(admin_a, client_for, company_b):
    invalid = dry_run(admin_a, "houses", xlsx(HOUSE_HEADER, [*HOUSES, HOUSES[0]]))
    ready = dry_run(admin_a, "houses", xlsx(HOUSE_HEADER, HOUSES))
    admin_b = client_for(company_b, "admin")
    assert admin_b.get("/api/v1/imports/").json()["count"] == 0
    for record in (invalid, ready):
        assert admin_b.get(f"/api/v1/imports/{record['id']}/").status_code == 404
        assert admin_b.post(f"/api/v1/imports/{record['id']}/commit/").status_code == 404
        assert admin_b.get(f"/api/v1/imports/{record['id']}/report/").status_code == 404
        assert admin_b.get(f"/api/v1/imports/{record['id']}/file/").status_code == 404
    assert admin_b.get(invalid["report_url"]).status_code == 404
    assert admin_a.get(f"/api/v1/imports/{ready['id']}/").json()["status"] == "ready"
    # alpha's session on beta's host is refused outright
    admin_a.defaults["HTTP_HOST"] = f"{company_b.slug}.localhost"
    assert admin_a.get("/api/v1/imports/").status_code in (401, 403)


@pytest.mark.parametrize("username", ["cashier", "guard", "dispatcher"])
def test_roles_without_basic_data_manage_cannot_import(client_for, company_a, admin_a, username):
    record = dry_run(admin_a, "houses", xlsx(HOUSE_HEADER, HOUSES))
    client = client_for(company_a, username)
    assert upload(client, "houses", xlsx(HOUSE_HEADER, HOUSES)).status_code == 403
    if username == "cashier":  # meters.read: imports readings, so lists imports — of that kind only
        assert client.get("/api/v1/imports/").json()["count"] == 0
    else:
        assert client.get("/api/v1/imports/").status_code == 403
    assert client.get(f"/api/v1/imports/{record['id']}/").status_code == 403
    assert client.post(f"/api/v1/imports/{record['id']}/commit/").status_code == 403
    assert client.get("/api/v1/imports/templates/houses/").status_code == 403
    assert client_for(company_a).get("/api/v1/imports/").status_code in (401, 403)


def test_customer_service_may_import(client_for, company_a):
    service = client_for(company_a, "service")
    assert import_houses(service)["status"] == "done"


def test_importing_residents_needs_the_role_that_may_reveal_whole_numbers(client_for, company_a, tmp_path):
    """A residents dry run tells its uploader, row by row, whether each phone and ID number is
    already on file: a bulk oracle on whole numbers. Only a role that may reveal them may run it."""
    service = client_for(company_a, "service")  # basic_data.manage without pii.reveal
    import_houses(service)
    stored_before = sorted((tmp_path / "private").rglob("*"))
    refused = upload(service, "residents", xlsx(RESIDENT_HEADER, RESIDENTS))
    assert refused.status_code == 403, refused.content
    assert refused.json()["code"] == "permission_denied" and "住户" in refused.json()["message"]
    assert sorted((tmp_path / "private").rglob("*")) == stored_before  # not even the file
    with tenant_context(company_a):
        assert not Import.objects.filter(kind="residents").exists()
        assert not Job.objects.filter(kind="import.validate", params__kind="residents").exists()
        assert not AuditEvent.objects.filter(action="import.upload", after__kind="residents").exists()
    record = dry_run(client_for(company_a, "admin"), "residents", xlsx(RESIDENT_HEADER, RESIDENTS))
    assert record["status"] == "ready", record["errors"]


def test_a_redelivered_commit_task_does_nothing(admin_a, company_a):
    from tenants.imports import tasks

    record = import_houses(admin_a)
    with tenant_context(company_a):
        tasks.commit_import(import_id=record["id"])
        tasks.validate_import(import_id=record["id"])
        assert House.objects.count() == 4
        assert Job.objects.filter(kind="import.commit").count() == 1


def test_the_primary_payer_can_move_within_a_file(admin_a, company_a):
    import_houses(admin_a)
    commit(admin_a, dry_run(admin_a, "residents", xlsx(RESIDENT_HEADER, RESIDENTS)))
    moved = [row[:] for row in RESIDENTS[:2]]
    moved[0][11], moved[1][11] = "否", "是"
    record = dry_run(admin_a, "residents", xlsx(RESIDENT_HEADER, moved))
    assert record["status"] == "ready", record["errors"]
    assert (record["counts"]["update"], record["counts"]["unchanged"]) == (2, 0)
    assert commit(admin_a, record)["status"] == "done"
    with tenant_context(company_a):
        payer = Occupancy.objects.get(house__building__name="1栋", house__number="101", is_primary_payer=True)
        assert payer.person.name == "李娜"
    # Marking a second payer without unmarking the first is refused (a family member here: the file
    # lists no owners, so the owners stay current).
    family = [*RESIDENTS[2][:11], "是", ""]
    record = dry_run(admin_a, "residents", xlsx(RESIDENT_HEADER, [family]))
    assert record["status"] == "invalid" and "已有主缴费人" in record["errors"][0]["message"]


def test_an_id_number_completes_a_person_known_by_name_and_phone(admin_a, company_a):
    import_houses(admin_a)
    row = ["翠湖苑", "1栋", "1单元", 102, "张小明", "13700002222", "", "", "租户", "2024-01-01", None, None, ""]
    commit(admin_a, dry_run(admin_a, "residents", xlsx(RESIDENT_HEADER, [row])))
    with_id = [*row[:6], ID_WANG, *row[7:]]
    record = dry_run(admin_a, "residents", xlsx(RESIDENT_HEADER, [with_id]))
    assert (record["counts"]["update"], record["counts"]["updated_persons"], record["counts"]["new_persons"]) == (
        1,
        1,
        0,
    )
    commit(admin_a, record)
    with tenant_context(company_a):
        person = Person.objects.get()
        assert person.id_number == ID_WANG and person.occupancies.count() == 1
    for rows in ([with_id], [row]):  # by ID number, or still by name and phone: the same person
        assert dry_run(admin_a, "residents", xlsx(RESIDENT_HEADER, rows))["counts"]["unchanged"] == 1


def test_one_person_with_different_details_in_two_rows_is_a_problem(admin_a):
    import_houses(admin_a)
    rows = [RESIDENTS[0], [*RESIDENTS[3][:5], "13812349999", *RESIDENTS[3][6:]]]
    record = dry_run(admin_a, "residents", xlsx(RESIDENT_HEADER, rows))
    assert record["errors"] == [
        {"row": 3, "column": "手机号", "message": "与第 2 行的同一人（同一身份证号或姓名加手机号）手机号不一致。"}
    ]


def test_list_queries_do_not_grow_with_page_size(admin_a):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(3):
        dry_run(admin_a, "houses", xlsx(HOUSE_HEADER, HOUSES))
    counts = []
    for size in (1, 3):
        with CaptureQueriesContext(connection) as queries:
            assert len(admin_a.get(f"/api/v1/imports/?page_size={size}").json()["results"]) == size
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_uploads_are_private_files_not_media(client_for, company_a, settings, tmp_path):
    """An upload full of phone and ID numbers is never under MEDIA_ROOT, which is served by path."""
    admin = client_for(company_a, "admin")
    upload = SimpleUploadedFile(
        "houses.csv", "小区,楼栋,单元,房号,楼层,建筑面积,套内面积\n翠湖苑,1栋,1单元,101,1,90,80\n".encode()
    )
    response = admin.post("/api/v1/imports/", {"kind": "houses", "file": upload}, format="multipart")
    assert response.status_code == 202, response.content
    private = list((tmp_path / "private" / company_a.schema_name).rglob("*.csv"))
    assert len(private) == 1
    assert not (tmp_path / "media").exists() or not list((tmp_path / "media").rglob("*.csv"))
    relative = private[0].relative_to(tmp_path / "private").as_posix()
    assert admin.get(f"/media/{relative}").status_code == 404


def test_the_import_history_exports_to_excel(client_for, company_a):
    admin = client_for(company_a, "admin")
    upload = SimpleUploadedFile(
        "houses.csv", "小区,楼栋,单元,房号,楼层,建筑面积,套内面积\n翠湖苑,1栋,1单元,101,1,90,80\n".encode()
    )
    assert admin.post("/api/v1/imports/", {"kind": "houses", "file": upload}, format="multipart").status_code == 202
    response = admin.get("/api/v1/imports/?format=xlsx")
    assert response.status_code == 200, response.content
    rows = list(openpyxl.load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[0][:5] == ("上传时间", "类型", "文件名", "状态", "新增")
    assert rows[1][1:5] == ("房屋", "houses.csv", "可导入", 1)
    assert client_for(company_a, "guard").get("/api/v1/imports/?format=xlsx").status_code == 403
    # a cashier imports meter readings (meters.read), so has a history — without the houses import
    cashiers = client_for(company_a, "cashier").get("/api/v1/imports/?format=xlsx")
    assert len(list(openpyxl.load_workbook(io.BytesIO(cashiers.content)).active.iter_rows())) == 1


def test_whole_numbers_in_an_import_file_go_only_to_its_uploader_or_a_revealing_role(client_for, company_a):
    service = client_for(company_a, "service")  # may import, may not reveal phone/ID numbers
    admin = client_for(company_a, "admin")
    content = "小区,楼栋,单元,房号,楼层,建筑面积,套内面积\n翠湖苑,1栋,1单元,101,1,90,80\n翠湖苑,1栋,1单元,101,1,90,80\n"
    by_admin = dry_run(admin, "houses", content.encode(), "houses.csv")
    assert by_admin["status"] == "invalid" and by_admin["report_url"]
    assert service.get(f"/api/v1/imports/{by_admin['id']}/").json()["report_url"] is None  # no dead link
    for what in ("file", "report"):
        assert service.get(f"/api/v1/imports/{by_admin['id']}/{what}/").status_code == 403
        assert admin.get(f"/api/v1/imports/{by_admin['id']}/{what}/").status_code == 200
    by_service = dry_run(service, "houses", content.encode(), "mine.csv")
    assert service.get(f"/api/v1/imports/{by_service['id']}/file/").status_code == 200
    with tenant_context(company_a):
        downloads = AuditEvent.objects.filter(action__startswith="import.download_")
        assert downloads.count() == 3


# --- cells people actually type: percent shares, dates as numbers, floors with units ------------


@pytest.mark.parametrize(
    ("cell", "share"),
    [
        (50, Decimal("50")),
        (1, Decimal("1")),
        (100, Decimal("100")),
        (33.33, Decimal("33.33")),
        ("50%", Decimal("50")),
        ("50 %", Decimal("50")),
        ("５０％", Decimal("50")),
        (" 12.5% ", Decimal("12.5")),
        ("0.5%", Decimal("0.5")),  # with its % sign a share under 1% is unambiguous
    ],
)
def test_a_share_is_the_number_before_the_percent_sign(cell, share):
    assert cells.percent()(cell) == share


@pytest.mark.parametrize("cell", [0.5, 0.25, "0.5", "０.５", 0.3333])
def test_a_share_between_0_and_1_is_refused_as_ambiguous(cell):
    with pytest.raises(cells.CellError) as caught:
        cells.percent()(cell)
    assert caught.value.message == cells.SHARE_AMBIGUOUS and "50" in caught.value.message


@pytest.mark.parametrize("cell", ["%", "五十%", "150%", 0, -5])
def test_other_bad_shares_keep_their_messages(cell):
    with pytest.raises(cells.CellError) as caught:
        cells.percent()(cell)
    assert caught.value.message != cells.SHARE_AMBIGUOUS


def test_a_percent_formatted_share_cell_is_a_row_error_not_half_a_percent(admin_a):
    import_houses(admin_a)
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(RESIDENT_HEADER)
    sheet.append(["翠湖苑", "1栋", "1单元", 101, "张伟", "13812345678", ID_ZHANG, "", "业主", None, 0.5, "是", ""])
    sheet.append(["翠湖苑", "1栋", "1单元", 101, "李娜", "13900001111", ID_LI, "", "业主", None, "50%", "", ""])
    sheet["K2"].number_format = "0%"  # Excel shows 50%, stores 0.5
    buffer = io.BytesIO()
    workbook.save(buffer)
    record = dry_run(admin_a, "residents", buffer.getvalue())
    assert record["status"] == "invalid"
    assert record["errors"] == [{"row": 2, "column": "产权份额(%)", "message": cells.SHARE_AMBIGUOUS}]


def test_shares_written_with_percent_signs_import_as_percentages(admin_a, company_a):
    import_houses(admin_a)
    rows = [
        ["翠湖苑", "1栋", "1单元", 101, "张伟", "13812345678", ID_ZHANG, "", "业主", None, "60%", "是", ""],
        ["翠湖苑", "1栋", "1单元", 101, "李娜", "13900001111", ID_LI, "", "业主", None, "４０％", "", ""],
    ]
    record = dry_run(admin_a, "residents", csv_bytes(RESIDENT_HEADER, rows), name="住户.csv")
    assert record["status"] == "ready", record["errors"]
    commit(admin_a, record)
    with tenant_context(company_a):
        shares = sorted(Occupancy.objects.values_list("share", flat=True))
        assert shares == [Decimal("40.00"), Decimal("60.00")]


@pytest.mark.parametrize(
    ("cell", "day"),
    [
        (45352, date(2024, 3, 1)),
        (45352.75, date(2024, 3, 1)),  # the time of day is dropped
        ("45352", date(2024, 3, 1)),
        (18264, date(1950, 1, 1)),
        (20240301, date(2024, 3, 1)),
        (date(1930, 5, 6), date(1930, 5, 6)),  # a real date cell is taken as it is
        ("1930-05-06", date(1930, 5, 6)),
    ],
)
def test_dates_from_serials_numbers_and_text(cell, day):
    assert cells.a_date(cell) == day


@pytest.mark.parametrize(
    ("cell", "says"),
    [
        (2024, "2024 只是年份"),
        (2024.0, "2024 只是年份"),
        ("2024", "2024 只是年份"),
        (18263, "1950 年"),  # 1949-12-31
        (1, "1950 年"),
        (0, "1950 年"),
        (-3, "1950 年"),
        ("12345", "1950 年"),
    ],
)
def test_small_numbers_in_a_date_cell_are_not_1900s_dates(cell, says):
    with pytest.raises(cells.CellError) as caught:
        cells.a_date(cell)
    assert caught.value.message.startswith("日期无效") and says in caught.value.message


def test_a_date_serial_far_in_the_future_is_refused():
    from datetime import timedelta

    from django.utils import timezone

    today = timezone.localdate()
    serial = (today - date(1899, 12, 30)).days
    assert cells.a_date(serial + 300) == today + timedelta(days=300)
    with pytest.raises(cells.CellError) as caught:
        cells.a_date(serial + 800)
    assert caught.value.message.startswith("日期无效")


def test_a_year_in_the_moved_in_column_is_a_row_error(admin_a):
    import_houses(admin_a)
    rows = [["翠湖苑", "1栋", "1单元", 101, "张伟", "13812345678", ID_ZHANG, "", "业主", 2024, 100, "是", ""]]
    record = dry_run(admin_a, "residents", xlsx(RESIDENT_HEADER, rows))
    assert record["status"] == "invalid"
    [problem] = record["errors"]
    assert (problem["row"], problem["column"]) == (2, "入住日期")
    assert problem["message"].startswith("日期无效") and "2024-03-01" in problem["message"]


@pytest.mark.parametrize(
    ("cell", "floor"),
    [
        (3, 3),
        (3.0, 3),
        ("3", 3),
        ("3层", 3),
        ("第3层", 3),
        ("3楼", 3),
        ("3F", 3),
        ("3f", 3),
        ("F3", 3),
        ("f12", 12),
        (" ３ 楼 ", 3),
        ("３Ｆ", 3),
        (-1, -1),
        ("-1", -1),
        ("-1F", -1),
        ("B1", -1),
        ("b2", -2),
        ("B1F", -1),
        ("地下1层", -1),
        ("负2层", -2),
    ],
)
def test_floors_in_the_ways_people_write_them(cell, floor):
    assert columns.HOUSE_COLUMNS[4].key == "floor"
    assert columns.HOUSE_COLUMNS[4].parse(cell) == floor


@pytest.mark.parametrize("cell", ["三楼", "3A", "F", "B", "3.5", 3.5, "0", "B0", "0F", "201F", "B21", True])
def test_floors_that_are_not_a_floor_are_refused(cell):
    with pytest.raises(cells.CellError):
        columns.HOUSE_COLUMNS[4].parse(cell)


def test_houses_with_floors_as_3f_and_b1_import(admin_a, company_a):
    rows = [
        ["翠湖苑", "3栋", "1单元", "301", "3F", 90, 80, "", "", "", None],
        ["翠湖苑", "3栋", "1单元", "401", "4楼", 90, 80, "", "", "", None],
        ["翠湖苑", "3栋", "1单元", "B101", "B1", 30, 25, "", "储藏室", "", None],
    ]
    record = dry_run(admin_a, "houses", xlsx(HOUSE_HEADER, rows))
    assert record["status"] == "ready", record["errors"]
    commit(admin_a, record)
    with tenant_context(company_a):
        building = Building.objects.get(name="3栋")
        assert (building.floors, building.basement_floors) == (4, 1)
        floors = dict(House.objects.filter(building=building).values_list("number", "floor"))
        assert floors == {"301": 3, "401": 4, "B101": -1}
