"""Basic data in the web admin, in a browser against the real server and worker: an estate with a
building of generated houses; a residents file with one bad row, fixed and imported again."""

from __future__ import annotations

import csv
import io
import uuid
from decimal import Decimal

import pytest

from tests.conftest import PASSWORD
from tests.e2e.conftest import login, screenshot

pytestmark = pytest.mark.e2e


def test_create_an_estate_and_a_building_with_generated_houses(desktop, live_stack, in_company_db):
    from playwright.sync_api import expect

    page = desktop
    name = f"浏览器花园{uuid.uuid4().hex[:4]}"
    login(page, live_stack, "alpha", "admin", PASSWORD)
    page.goto(live_stack.url("alpha", "/basic-data/estates"))
    expect(page.get_by_test_id("estates-page")).to_be_visible()

    page.get_by_test_id("estate-create").click()
    page.get_by_test_id("estate-name").fill(name)
    page.get_by_test_id("estate-address").fill("杭州市拱墅区湖墅南路 9 号")
    page.get_by_test_id("estate-dialog-submit").click()
    expect(page.get_by_test_id("node-title")).to_have_text(name)
    expect(page.locator("[data-testid^=tree-node-estate-]").filter(has_text=name)).to_be_visible()

    page.get_by_test_id("building-create").click()
    page.get_by_test_id("building-name").fill("5栋")
    page.get_by_test_id("building-floors").fill("18")
    units = page.get_by_test_id("building-units").locator("input")
    expect(page.get_by_test_id("building-units")).to_contain_text("1单元")  # offered by default
    units.fill("2单元")
    units.press("Enter")
    page.get_by_test_id("building-dialog-submit").click()
    expect(page.get_by_test_id("node-title")).to_contain_text("5栋")

    page.get_by_test_id("houses-generate").click()
    page.get_by_test_id("generate-per-floor").fill("4")
    page.get_by_test_id("generate-building-area").fill("96.40")
    page.get_by_test_id("generate-usable-area").fill("78.15")
    page.get_by_test_id("generate-layout").fill("3室2厅")
    preview = page.get_by_test_id("generate-preview-numbers")
    expect(preview).to_contain_text("101")
    expect(preview).to_contain_text("1804")
    expect(page.get_by_test_id("generate-total")).to_contain_text("144")
    page.get_by_test_id("generate-dialog-submit").click()
    expect(page.get_by_test_id("generate-result")).to_have_attribute("data-created", "144")
    screenshot(page, "admin-estate-generated")

    # The tree and the house list show them; the database holds exactly them.
    estate_node = page.locator("[data-testid^=tree-node-estate-]").filter(has_text=name)
    expect(estate_node).to_contain_text("144")
    expect(page.get_by_test_id("house-table")).to_contain_text("5栋1单元101")

    from tenants.estates.models import House

    with in_company_db("alpha"):
        houses = House.objects.filter(estate__name=name)
        assert houses.count() == 144
        assert set(houses.values_list("floor", flat=True)) == set(range(1, 19))
        assert houses.filter(building_area=Decimal("96.40"), usable_area=Decimal("78.15")).count() == 144


RESIDENT_HEADER = ["小区", "楼栋", "单元", "房号", "姓名", "手机号", "身份证号", "性别", "关系", "入住日期"]


def _id_number(body17: str) -> str:
    from core.identity import check_character

    return body17 + check_character(body17)


def _csv(rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(RESIDENT_HEADER)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8-sig")


@pytest.fixture
def import_estate(in_company_db):
    from tenants.estates import services as estate_services
    from tenants.estates.models import Estate

    name = f"导入小区{uuid.uuid4().hex[:4]}"
    with in_company_db("alpha"):
        if not Estate.objects.filter(name=name).exists():
            estate = estate_services.create_estate(name=name)
            building = estate_services.create_building(estate=estate, name="1栋", floors=3, units=["1单元"])
            estate_services.generate_houses(
                building=building, per_floor=2, building_area=Decimal("90"), usable_area=Decimal("75")
            )
    return name


def test_import_residents_with_a_bad_row_fix_it_and_import_again(desktop, live_stack, in_company_db, import_estate):
    from playwright.sync_api import expect

    estate = import_estate
    good = [
        [
            estate,
            "1栋",
            "1单元",
            "101",
            "周杰",
            "13811110001",
            _id_number("33010619800101123"),
            "男",
            "业主",
            "2020-05-01",
        ],
        [
            estate,
            "1栋",
            "1单元",
            "102",
            "吴敏",
            "13811110002",
            _id_number("33010619850202234"),
            "女",
            "业主",
            "2021-06-01",
        ],
    ]
    bad = [
        estate,
        "1栋",
        "1单元",
        "201",
        "郑爽",
        "1381111",
        _id_number("33010619900303345"),
        "女",
        "租户",
        "2022-07-01",
    ]
    fixed = [*bad[:5], "13811110003", *bad[6:]]

    page = desktop
    login(page, live_stack, "alpha", "admin", PASSWORD)
    page.goto(live_stack.url("alpha", "/basic-data/imports"))
    page.get_by_test_id("import-kind-residents").click()

    page.get_by_test_id("import-file-input").set_input_files(
        {"name": "住户.csv", "mimeType": "text/csv", "buffer": _csv([*good, bad])}
    )
    page.get_by_test_id("import-upload").click()
    current = page.get_by_test_id("import-current")
    expect(current).to_have_attribute("data-status", "invalid", timeout=30_000)
    errors = page.get_by_test_id("import-errors")
    expect(errors).to_contain_text("4")  # the row as Excel shows it (header is row 1)
    expect(errors).to_contain_text("手机号")
    expect(page.get_by_test_id("import-commit")).to_be_disabled()
    expect(page.get_by_test_id("import-report")).to_be_visible()
    screenshot(page, "admin-import-invalid")

    from tenants.residents.models import Person

    with in_company_db("alpha"):
        assert not Person.objects.filter(name__in=["周杰", "吴敏", "郑爽"]).exists()  # nothing half-written

    page.get_by_test_id("import-file-input").set_input_files(
        {"name": "住户-已修正.csv", "mimeType": "text/csv", "buffer": _csv([*good, fixed])}
    )
    page.get_by_test_id("import-upload").click()
    expect(current).to_have_attribute("data-status", "ready", timeout=30_000)
    expect(page.get_by_test_id("import-count-create")).to_contain_text("3")
    page.get_by_test_id("import-commit").click()
    expect(current).to_have_attribute("data-status", "done", timeout=30_000)
    screenshot(page, "admin-import-done")

    with in_company_db("alpha"):
        people = {p.name: p for p in Person.objects.filter(name__in=["周杰", "吴敏", "郑爽"])}
        assert set(people) == {"周杰", "吴敏", "郑爽"}
        assert people["郑爽"].phone == "13811110003"
        assert people["郑爽"].occupancies.get().relation == "renter"

    # The same file again changes nothing.
    page.get_by_test_id("import-file-input").set_input_files(
        {"name": "住户-再次.csv", "mimeType": "text/csv", "buffer": _csv([*good, fixed])}
    )
    page.get_by_test_id("import-upload").click()
    expect(current).to_have_attribute("data-status", "ready", timeout=30_000)
    expect(page.get_by_test_id("import-count-unchanged")).to_contain_text("3")
    expect(page.get_by_test_id("import-count-create")).to_contain_text("0")
