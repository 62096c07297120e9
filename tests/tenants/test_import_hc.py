"""HC's own workbooks imported as they are: the 资产导入 workbook (and its 资产导出, the same sheets)
and the 房产导入 sheet 资产信息, built here as HC's templates are — real sheet names and headers,
codes, notes beside the data, numbers typed as numbers — with the estate chosen at upload."""

from __future__ import annotations

import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django_tenants.utils import tenant_context

from core.identity import check_character
from tenants.estates.models import Building, Estate, House
from tenants.imports.hc import codes
from tenants.residents.models import Occupancy, Person

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager")]


def id_number(body17: str) -> str:
    return body17 + check_character(body17)


ID_WU = id_number("63212619910916201")
ID_ZHAO = id_number("11010519491231002")
ID_QIAN = id_number("33010619880512123")
ID_SUN = id_number("44030519900101123")
ID_X = next(
    id_number(f"110105198001010{n:02d}") for n in range(100) if id_number(f"110105198001010{n:02d}").endswith("X")
)

BUILDINGS = (["楼栋号", "单元编号", "总层数", "是否有电梯"], [[1, 1, 33, "有"], [1, 2, 33, "有"], [2, 1, 6, "无"]])
OWNERS = (
    ["编号", "业主名称", "性别", "年龄", "手机号", "身份证号", "业主类型", "业主编号"],
    [
        [1, "吴学文", "男", 28, 13909711443, ID_WU, 1001, 1],
        [2, "赵一", "女", 40, 13800000001, ID_ZHAO, 1001, 2],
        [3, "钱二", "男", 1, 18999999999, ID_QIAN, 1002, 2],  # HC's placeholders: phone, age
        [4, "孙三", "女", 30, 13800000003, ID_SUN, 1003, 2],
        [5, "李临时", "男", 1, 18999999999, "111111111111111111", 1004, 2],
        [6, "周无房", "男", 50, 13800000006, ID_X, 1001, 6],
    ],
)
FEES = (
    [
        "费用编号",
        "费用类型",
        "收费项目",
        "费用标识",
        "付费类型",
        "缴费周期",
        "出账类型",
        "计费起始时间",
        "计费结束时间",
        "计算公式",
        "计费单价",
        "固定费用",
    ],
    [
        [1, "物业费", "测试收费1", "周期性费用", "预付费", 6, "每月1日", "2020-6-10", "2037-1-1", 1001, 1.3, 20],
        [2, "物业费", "测试收费2", "周期性费用", "预付费", 3, "每月1日", "2020-6-10", "2037-1-1", 2002, 1, 20],
    ],
)
HOUSE_HEADER = [
    "房屋编号",
    "楼栋编号",
    "单元编号",
    "房屋楼层",
    "房屋户型",
    "建筑面积",
    "业主编号",
    "房屋费用",
    "费用开始时间",
    "房屋类型",
    "室内面积",
    "租金",
]
HOUSES = [
    [1011, 1, 1, 1, "10102", 94.56, 1, "1#2", "2020-06-10#2020-07-10", 110, 94.56, 0],
    [1012, 1, 1, 1, "10102", 94.56, 2, 1, "2020-06-10", 110, 80.1, 0],
    [1021, 1, 2, 2, "10102", 94.56, "", 0, "", 120, 94.56, 3000],  # unsold, an office
    [101, 2, 1, 1, 10102, 60, 2, 2, "2020-06-10", 119, 50, 0],  # a dormitory of owner 2
]
PARKING = (
    [
        "停车场编号",
        "车位编码",
        "停车场类型",
        "面积",
        "业主编号",
        "车牌号",
        "车品牌",
        "车类型（9901 家用小汽车 9902 客车 9903 货车）",
        "颜色",
        "出租还是出售（H出租S出售）",
        "开始时间",
        "结束时间",
    ],
    [
        [1, "C0001", "地上停车位", 98.32] + [""] * 8,
        [1, "C0002", "地上停车位", 12, 1, "青A12345", "", 9901, "白", "S", "2020-01-01", "2037-01-01"],
    ],
)


def sheet_with_notes(sheet, header, rows, notes):
    """HC's way: the table from A1, a 说明 block two columns right of it, on the data's own rows."""
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    right = len(header) + 2
    for offset, (title, text) in enumerate([("说明", ""), *notes]):
        sheet.cell(row=offset + 3, column=right, value=title)
        sheet.cell(row=offset + 3, column=right + 1, value=text)


def hc_assets(
    *, houses=HOUSES, owners=OWNERS[1], buildings=BUILDINGS[1], fees=FEES[1], extra_sheet=False, house_header=None
) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "楼栋单元"
    sheet_with_notes(
        sheet, BUILDINGS[0], buildings, [("楼栋号", "楼栋编号"), ("是否有电梯", "有电梯是填写是 没有时填写否")]
    )
    sheet_with_notes(
        book.create_sheet("业主信息"),
        OWNERS[0],
        owners,
        [("手机号", "业主真实手机号，11位，没有时固定写18999999999"), ("身份证号", "没有时填写 111111111111111111")],
    )
    sheet_with_notes(book.create_sheet("费用设置"), FEES[0], fees, [("计算公式", "1001 面积*单价+附加费")])
    sheet_with_notes(
        book.create_sheet("房屋信息"),
        house_header or HOUSE_HEADER,
        houses,
        [("房屋类型", "住宅 110"), ("", "办公室 120")],
    )
    sheet_with_notes(book.create_sheet("车位信息"), *PARKING, [("停车场编号", "小区停车场编号")])
    if extra_sheet:
        book.create_sheet("我的备注").append(["随手记的东西"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


ROOMS_HEADER = [
    "楼号",
    "单元",
    "房间",
    "楼层",
    "总层数",
    "是否有电梯",
    "房屋类型",
    "房屋户型",
    "建筑面积",
    "室内面积",
    "租金",
    "房屋状态",
    "业主名称",
    "性别",
    "手机号",
    "身份证号",
    "业主类型",
]
ROOMS = [
    [1, 1, 1001, 1, 33, "有", 110, 10102, 94.56, 94.56, 0, 2001, "吴学文", "男", 18909711443, ID_WU, 1001],
    [1, 1, 1001, 1, 33, "有", 110, 10102, 94.56, 94.56, 0, 2001, "吴小文", "女", 13900000002, "", 1002],
    [1, 1, 1002, 1, 33, "有", 110, 10102, 94.56, 94.56, 0, 2002, "", "", "", "", ""],  # unsold
    ["", "", "1-2-1101", 11, 33, "有", 110, 10102, 88, 80, 0, 2006, "赵一", "女", 13800000001, ID_X, 1001],
    ["", "", "1-2-1101", 11, 33, "有", 110, 10102, 88, 80, 0, 2006, "孙三", "女", 13800000003, ID_SUN, 1003],
    [3, 0, 5, 1, 2, "否", 120, "", 200, 180, 5000, 2003, "钱二", "男", 18999999999, ID_QIAN, 1001],
]


def hc_rooms(rows=ROOMS) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "资产信息"
    sheet_with_notes(sheet, ROOMS_HEADER, rows, [("楼号", "楼栋编号"), ("房屋类型", "住宅 110 办公室 120 宿舍 119")])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def upload(client, content, estate_id, name="hc.xlsx", kind="hc_assets"):
    data = {"kind": kind, "file": SimpleUploadedFile(name, content)}
    if estate_id is not None:
        data["estate"] = estate_id
    return client.post("/api/v1/imports/", data, format="multipart")


def dry_run(client, content, estate_id, name="hc.xlsx"):
    response = upload(client, content, estate_id, name)
    assert response.status_code == 202, response.content
    return client.get(f"/api/v1/imports/{response.json()['id']}/").json()


def commit(client, record):
    response = client.post(f"/api/v1/imports/{record['id']}/commit/")
    assert response.status_code == 202, response.content
    return client.get(f"/api/v1/imports/{record['id']}/").json()


def test_the_assets_workbook_imports_as_it_is(admin_a, company_a, estate):
    record = dry_run(admin_a, hc_assets(extra_sheet=True), estate.pk)
    assert record["status"] == "ready", record["errors"]
    assert record["estate"] == estate.pk and record["estate_name"] == "翠湖苑"
    counts = record["counts"]
    assert (counts["houses_create"], counts["new_buildings"], counts["new_units"]) == (4, 2, 3)
    # owner 1 in 1011; owner 2 in 1012 and 2-1-101, with their family member and renter in both;
    # the temporary person (1004) and owner 6 (no house) are not imported, and said so.
    assert (counts["residents_create"], counts["new_persons"]) == (7, 4)
    assert (counts["temporary_people"], counts["people_without_house"]) == (1, 1)
    assert (counts["parking_spaces"], counts["fee_items"], counts["house_fee_links"]) == (2, 2, 4)
    assert (counts["placeholder_phones"], counts["placeholder_ids"]) == (2, 1)
    notes = "\n".join(record["notes"])
    assert "已读取 业主信息 6 行、房屋信息 4 行、楼栋单元 3 行" in notes
    assert "车位信息：2 个车位未导入" in notes and "费用设置：将新建收费项目“测试收费1”" in notes
    assert "“我的备注”（1 行）不是 HC 资产表的工作表，未读取" in notes
    assert "年龄（系统不保存年龄）" in notes and "租金（系统暂无房屋租金）" in notes and "房屋费用" not in notes
    assert "119 宿舍 → 住宅（1 套）" in notes and "1004 临时人员 → 不导入（1 行）" in notes
    assert "有业主的 3 套按“已入住”、无业主的 1 套按“未售”" in notes
    with tenant_context(company_a):
        assert House.objects.count() == 0 and Building.objects.count() == 0  # the dry run wrote nothing
        assert Person.objects.count() == 0

    done = commit(admin_a, record)
    assert done["status"] == "done", done
    with tenant_context(company_a):
        one, two = Building.objects.get(name="1"), Building.objects.get(name="2")
        assert (one.floors, one.has_elevator, two.floors, two.has_elevator) == (33, True, 6, False)
        house = House.objects.get(building=one, unit__name="1", number="1012")
        assert (house.floor, house.building_area, house.usable_area, house.layout) == (
            1,
            Decimal("94.56"),
            Decimal("80.10"),
            "10102",
        )
        assert (house.use, house.status) == ("residential", "occupied")
        office = House.objects.get(number="1021")
        assert (office.use, office.status, office.estate_id) == ("office", "unsold", estate.pk)
        assert not office.occupancies.exists()
        zhao = Person.objects.get(name="赵一")
        assert (zhao.phone, zhao.id_number, zhao.gender) == ("13800000001", ID_ZHAO, "female")
        assert sorted(zhao.occupancies.values_list("house__number", "relation")) == [
            ("101", "owner"),
            ("1012", "owner"),
        ]
        qian = Person.objects.get(name="钱二")
        assert qian.phone == "" and sorted(qian.occupancies.values_list("relation", flat=True)) == ["family", "family"]
        assert set(Occupancy.objects.filter(person__name="孙三").values_list("relation", flat=True)) == {"renter"}
        assert not Person.objects.filter(name__in=["李临时", "周无房"]).exists()
        assert Person.objects.count() == 4 and Occupancy.objects.count() == 7

    again = dry_run(admin_a, hc_assets(), estate.pk)  # the same file again changes nothing
    assert again["status"] == "ready", again["errors"]
    assert (again["counts"]["create"], again["counts"]["update"], again["counts"]["unchanged"]) == (0, 0, 11)
    assert (again["counts"]["fee_items_create"], again["counts"]["fee_assignments_create"]) == (0, 0)
    assert commit(admin_a, again)["status"] == "done"
    with tenant_context(company_a):
        assert (House.objects.count(), Person.objects.count(), Occupancy.objects.count()) == (4, 4, 7)


def test_the_rooms_sheet_one_row_per_house_and_person(admin_a, company_a, estate):
    record = dry_run(admin_a, hc_rooms(), estate.pk)
    assert record["status"] == "ready", record["errors"]
    counts = record["counts"]
    assert (counts["houses_create"], counts["residents_create"], counts["new_persons"]) == (4, 5, 5)
    assert (counts["houses_without_people"], counts["placeholder_phones"]) == (1, 1)
    assert "租金（系统暂无房屋租金）" in "".join(record["notes"])
    done = commit(admin_a, record)
    assert done["status"] == "done"
    with tenant_context(company_a):
        assert House.objects.count() == 4
        referenced = House.objects.get(building__name="1", unit__name="2", number="1101")
        assert (referenced.floor, referenced.status) == (11, "renting")
        zhao = Person.objects.get(name="赵一")
        assert zhao.id_number == ID_X  # X-ending ID kept as text
        assert House.objects.get(number="1002").status == "unsold"
        shop = House.objects.get(building__name="3", unit__name="0", number="5")
        assert (shop.use, shop.status, shop.building.floors, shop.building.has_elevator) == (
            "office",
            "vacant",
            2,
            False,
        )
        assert Person.objects.get(name="吴小文").occupancies.get().relation == "family"
        assert Person.objects.get(name="钱二").phone == ""
        assert Building.objects.get(name="1").floors == 33
    again = dry_run(admin_a, hc_rooms(), estate.pk)
    assert (again["counts"]["create"], again["counts"]["update"]) == (0, 0)


def test_every_problem_of_every_sheet_in_one_pass_blamed_where_it_is(admin_a, company_a, estate):
    owners = [list(row) for row in OWNERS[1]]
    owners[1][4] = 1380000  # a truncated phone: 业主信息, 手机号
    owners[3][6] = 1009  # not a person type
    houses = [list(row) for row in HOUSES]
    houses[0][1] = 9  # a building 楼栋单元 does not have
    houses[1][5] = -3  # a negative area
    houses[2][9] = 130  # not a house type
    houses.append([1012, 1, 1, 1, "10102", 94.56, "", 0, "", 110, 94.56, 0])  # the same house twice
    houses.append([1031, 1, 1, 3, "10102", 94.56, 77, 0, "", 110, 94.56, 0])  # an unknown owner
    houses.append([3401, 1, 2, 34, "10102", 94.56, "", 0, "", 110, 94.56, 0])  # above 总层数 33
    record = dry_run(admin_a, hc_assets(houses=houses, owners=owners), estate.pk)
    assert record["status"] == "invalid"
    found = {(e["sheet"], e["row"], e["column"]): e["message"] for e in record["errors"]}
    assert (
        "“9”" in found["房屋信息", 2, "楼栋编号"] and "楼栋单元中没有这个楼栋编号" in found["房屋信息", 2, "楼栋编号"]
    )
    assert "“-3”" in found["房屋信息", 3, "建筑面积"]
    assert "“130”" in found["房屋信息", 4, "房屋类型"] and "110 住宅" in found["房屋信息", 4, "房屋类型"]
    assert "与第 3 行重复" in found["房屋信息", 6, "房屋编号"]
    assert "“77”" in found["房屋信息", 7, "业主编号"]
    assert "总层数 33" in found["房屋信息", 8, "房屋楼层"]
    assert "“1380000”" in found["业主信息", 3, "手机号"]
    assert "“1009”" in found["业主信息", 5, "业主类型"]
    assert record["error_total"] == len(found) == 8, record["errors"]
    report = admin_a.get(record["report_url"])
    assert report.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(report.content))
    assert book.sheetnames == ["业主信息", "房屋信息", "问题汇总"]
    assert book["房屋信息"]["B2"].value == 9 and "楼栋" in book["房屋信息"].cell(2, len(HOUSE_HEADER) + 1).value
    with tenant_context(company_a):
        assert not House.objects.exists() and not Building.objects.exists()


def test_the_estate_is_asked_once_at_upload(admin_a, company_a, estate, client_for, company_b):
    missing = upload(admin_a, hc_assets(), None)
    assert missing.status_code == 400 and "estate" in missing.json()["fields"]
    assert upload(admin_a, hc_assets(), estate.pk + 1000).status_code == 400
    houses = upload(admin_a, hc_assets(), estate.pk, kind="houses")
    assert houses.status_code == 400 and "estate" in houses.json()["fields"]
    with tenant_context(company_b):
        theirs = Estate.objects.create(name="别家小区")
    with tenant_context(company_a):
        assert not Estate.objects.filter(pk=theirs.pk).exists() or theirs.pk == estate.pk
    if theirs.pk != estate.pk:  # another company's estate is no estate here
        assert upload(admin_a, hc_assets(), theirs.pk).status_code == 400
    record = dry_run(admin_a, hc_assets(), estate.pk)
    admin_b = client_for(company_b, "admin")
    assert admin_b.get(f"/api/v1/imports/{record['id']}/").status_code == 404


def test_a_workbook_not_of_hc_is_one_file_problem(admin_a, estate):
    book = openpyxl.Workbook()
    book.active.append(["小区", "楼栋", "单元", "房号"])
    buffer = io.BytesIO()
    book.save(buffer)
    record = dry_run(admin_a, buffer.getvalue(), estate.pk)
    assert record["status"] == "invalid"
    assert "不是 HC 的资产表" in record["errors"][0]["message"]


def test_residents_need_the_role_that_may_reveal_whole_numbers(client_for, company_a, estate):
    response = upload(client_for(company_a, "service"), hc_assets(), estate.pk)
    assert response.status_code == 403


@pytest.mark.parametrize(
    ("cell", "reference"),
    [("1-1-1001", ("1", "1", "1001")), ("A座－2－0302", ("A座", "2", "0302")), ("1001", None), ("1-1", None)],
)
def test_hc_house_references(cell, reference):
    found = codes.house_reference(cell)
    assert (found and (found.building, found.unit, found.number)) == reference


def test_hc_codes_map_to_ours_and_refuse_others():
    assert codes.house_state(2006.0) == "2006" and codes.HOUSE_STATES["2006"][0] == "renting"
    assert codes.person_type("家庭成员") == "1002"
    assert codes.multi("1#2") == ["1", "2"]
    with pytest.raises(codes.CodeError, match="1001 业主"):
        codes.person_type(1005)


def test_a_later_export_updates_and_a_lower_floor_count_is_blamed_on_it(admin_a, company_a, estate):
    assert commit(admin_a, dry_run(admin_a, hc_assets(), estate.pk))["status"] == "done"
    buildings = [[1, 1, 35, "有"], [1, 2, 35, "有"], [2, 1, 6, "有"]]
    houses = [list(row) for row in HOUSES]
    houses[0][5] = 95.5  # remeasured
    later = dry_run(admin_a, hc_assets(houses=houses, buildings=buildings), estate.pk)
    assert later["status"] == "ready", later["errors"]
    assert (later["counts"]["houses_update"], later["counts"]["houses_unchanged"]) == (1, 3)
    assert commit(admin_a, later)["status"] == "done"
    with tenant_context(company_a):
        assert (Building.objects.get(name="1").floors, Building.objects.get(name="2").has_elevator) == (35, True)
        assert House.objects.get(number="1011").building_area == Decimal("95.50")
    lower = dry_run(admin_a, hc_assets(buildings=[[1, 1, 35, "有"], [1, 2, 35, "有"], [2, 1, 0, "有"]]), estate.pk)
    assert [(e["sheet"], e["row"], e["column"]) for e in lower["errors"]] == [("楼栋单元", 4, "总层数")]
    with tenant_context(company_a):  # the houses of building 2 sit on floor 1: 0 floors is no count
        House.objects.filter(number="1021").update(floor=2)
        Building.objects.filter(name="1").update(floors=35)
    lower = dry_run(admin_a, hc_assets(buildings=[[1, 1, 1, "有"], [1, 2, 1, "有"], [2, 1, 6, "有"]]), estate.pk)
    messages = {(e["sheet"], e["row"], e["column"]): e["message"] for e in lower["errors"]}
    assert "已有房屋的最高楼层 2" in messages["楼栋单元", 2, "总层数"]


def test_the_rooms_sheet_as_csv_and_no_template(admin_a, estate):
    lines = [",".join(ROOMS_HEADER)]
    for row in ROOMS[:3]:
        lines.append(",".join("" if value == "" else str(value) for value in row))
    record = dry_run(admin_a, "\n".join(lines).encode("utf-8-sig"), estate.pk, name="资产信息.csv")
    assert record["status"] == "ready", record["errors"]
    assert (record["counts"]["houses_create"], record["counts"]["residents_create"]) == (2, 2)
    template = admin_a.get("/api/v1/imports/templates/hc_assets/")
    assert template.status_code == 404 and "没有模板" in template.json()["message"]


def test_hc_references_find_houses_or_blame_the_part_that_is_wrong(admin_a, company_a, estate):
    from tenants.imports.hc.references import Unresolved, locate

    assert commit(admin_a, dry_run(admin_a, hc_assets(), estate.pk))["status"] == "done"
    with tenant_context(company_a):
        found = locate(["1-1-1011", "1-1-1011", "9-1-1011", "1-7-1011", "1-1-9999", "1011", None], estate_id=estate.pk)
        assert found["1-1-1011"] == House.objects.get(number="1011").pk
        assert {text: (r.part if isinstance(r, Unresolved) else "ok") for text, r in found.items()} == {
            "1-1-1011": "ok",
            "9-1-1011": "楼栋",
            "1-7-1011": "单元",
            "1-1-9999": "房屋",
            "1011": "房屋",
        }
        assert "没有楼栋 9" in found["9-1-1011"].message


@pytest.mark.parametrize("kind", ["houses", "residents"])
def test_an_hc_workbook_uploaded_as_our_own_kind_is_told_to_use_the_hc_kind(admin_a, kind):
    for content in (hc_assets(), hc_rooms()):
        response = admin_a.post(
            "/api/v1/imports/", {"kind": kind, "file": SimpleUploadedFile("hc.xlsx", content)}, format="multipart"
        )
        assert response.status_code == 202, response.content
        record = admin_a.get(f"/api/v1/imports/{response.json()['id']}/").json()
        assert record["status"] == "invalid"
        assert "HC 资产表" in record["errors"][0]["message"], record["errors"]
