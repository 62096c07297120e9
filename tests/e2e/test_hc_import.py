"""A company switching from HC uploads HC's own asset workbook as it is, in a browser against the
real server and worker: chooses the estate, reads the dry run's report (what was not imported and
why), commits, and finds the owner on the house page. Then, under 收费管理 › 数据迁移, it brings over
HC's payment history and the opening arrears of those houses, and finds both on the house page:
the paid charges with their periods, and what is still owed."""

from __future__ import annotations

import uuid
from datetime import date

import pytest

from tests.billing.test_bill_runs import _fee
from tests.billing.test_history_import import HC_HEADER, history, serial
from tests.conftest import PASSWORD
from tests.e2e.conftest import login, screenshot
from tests.e2e.watch import Watch
from tests.tenants.test_import_hc import OWNERS, hc_assets, id_number
from tests.tenants.test_imports import xlsx

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

pytestmark = pytest.mark.e2e


def test_an_hc_asset_workbook_imports_as_it_is(desktop, live_stack, in_company_db):
    from playwright.sync_api import expect

    from tenants.estates import services as estate_services
    from tenants.estates.models import House

    name = f"HC迁移小区{uuid.uuid4().hex[:4]}"
    # People of their own: what this test commits stays in the database the other tests share.
    seed = uuid.uuid4().int
    owners = [list(row) for row in OWNERS[1]]
    for index, row in enumerate(owners):
        body = f"{110105 + index}{1960 + (seed + index) % 40}0{1 + index % 9}1{(seed // 7 + index) % 10}{(seed // 11 + index) % 10}5{index}"
        if row[5] != "111111111111111111":
            row[5] = id_number(body[:17])
        if row[4] != 18999999999:
            row[4] = 13700000000 + (seed + index * 7919) % 100_000_000
    with in_company_db("alpha"):
        estate = estate_services.create_estate(name=name)

    page = desktop
    login(page, live_stack, "alpha", "admin", PASSWORD)
    page.goto(live_stack.url("alpha", "/basic-data/imports"))
    page.get_by_test_id("import-kind-hc_assets").click()
    expect(page.get_by_test_id("import-template")).to_have_count(0)
    page.get_by_test_id("import-estate").click()
    page.get_by_test_id(f"import-estate-{estate.pk}").click()
    page.get_by_test_id("import-file-input").set_input_files(
        {
            "name": "HC资产导出.xlsx",
            "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "buffer": hc_assets(owners=owners),
        }
    )
    page.get_by_test_id("import-upload").click()
    current = page.get_by_test_id("import-current")
    expect(current).to_have_attribute("data-status", "ready", timeout=60_000)
    expect(page.get_by_test_id("import-estate-name")).to_have_text(name)
    notes = page.get_by_test_id("import-notes")
    expect(notes).to_contain_text("车位信息：2 个车位未导入")
    expect(notes).to_contain_text("费用设置：将新建收费项目“测试收费1”")
    expect(notes).to_contain_text("119 宿舍 → 住宅")
    expect(page.get_by_test_id("import-count-create")).to_contain_text("11")  # 4 houses, 7 relations
    screenshot(page, "admin-hc-import-ready")
    with in_company_db("alpha"):
        assert not House.objects.filter(estate=estate).exists()  # the dry run wrote nothing

    page.get_by_test_id("import-commit").click()
    expect(current).to_have_attribute("data-status", "done", timeout=60_000)
    with in_company_db("alpha"):
        house = House.objects.get(estate=estate, building__name="1", unit__name="1", number="1012")
        assert house.building.floors == 33 and house.building.has_elevator is True

    page.goto(live_stack.url("alpha", f"/basic-data/houses/{house.pk}"))
    residents = page.get_by_test_id("house-residents-current")
    expect(residents).to_contain_text("赵一", timeout=30_000)
    expect(residents).to_contain_text("钱二")
    expect(residents).to_contain_text("孙三")
    screenshot(page, "admin-hc-import-house")

    _fee_history_and_arrears(page, live_stack, in_company_db, estate=name, house=house)


def _upload_through_migration(
    page, live_stack, kind: str, file_name: str, content: bytes, watch: Watch, *, estate: int, estate_name: str
):
    """收费管理 › 数据迁移: pick the kind, check its template downloads, choose the estate (HC's file
    names none), upload, wait for the dry run, which names the estate."""
    from playwright.sync_api import expect

    page.goto(live_stack.url("alpha", "/fees/migration"))
    page.get_by_test_id(f"import-kind-{kind}").click()
    template = page.get_by_test_id("import-template")
    expect(template).to_have_attribute("href", f"/api/v1/imports/templates/{kind}/")
    status, kind_of = page.evaluate(
        "href => fetch(href).then((r) => [r.status, r.headers.get('content-type')])", template.get_attribute("href")
    )
    assert (status, kind_of) == (200, XLSX)  # a workbook of our own
    page.get_by_test_id("import-estate").click()
    page.get_by_test_id(f"import-estate-{estate}").click()
    page.get_by_test_id("import-file-input").set_input_files({"name": file_name, "mimeType": XLSX, "buffer": content})
    expect(page.get_by_test_id("import-current")).to_have_attribute("data-status", "ready", timeout=60_000)
    expect(page.get_by_test_id("import-estate-name")).to_have_text(estate_name)
    watch.screen(page, f"fees-migration-{kind}-ready")


def _commit(page, watch: Watch, kind: str) -> None:
    from playwright.sync_api import expect

    page.get_by_test_id("import-commit").click()
    expect(page.get_by_test_id("import-current")).to_have_attribute("data-status", "done", timeout=60_000)
    expect(page.get_by_test_id("fees-migration-see-seeHouses")).to_be_visible()
    watch.screen(page, f"fees-migration-{kind}-done")


def _fee_history_and_arrears(page, live_stack, in_company_db, *, estate: str, house) -> None:
    from playwright.sync_api import expect

    from billing.models import Charge, Payment

    item = f"物业费{uuid.uuid4().hex[:4]}"
    # Who is signed in where, the names this test made up (hex suffixes) and the house's binding
    # code: data, not English left on a screen.
    watch = Watch(allowed_words={"admin", "alpha", estate, item, house.binding_code})
    watch.attach(page, "admin")
    with in_company_db("alpha"):
        # Set up as the company's 收费项目 (monthly, 2 元/㎡), assigned to no house yet.
        _fee(name=item, price="2.0000", start=date(2025, 1, 1))

    # HC's 房屋缴费历史 of two houses of the workbook, Jan–Jun 2026, paid on the 5th, as HC writes it:
    # no 小区 column. The company has several estates with a 1-1-1011: the estate is chosen at upload.
    rows = [[row[0], item, *row[2:]] for row in history(houses=("1-1-1011", "1-1-1012"), months=6, first=(2026, 1))]
    in_estate = {"estate": house.estate_id, "estate_name": estate}
    _upload_through_migration(
        page, live_stack, "fee_history", "HC房屋缴费历史.xlsx", xlsx(HC_HEADER, rows), watch, **in_estate
    )
    expect(page.get_by_test_id("import-count-create")).to_have_text("12")
    expect(page.get_by_test_id("import-count-charges")).to_have_text("12")
    expect(page.get_by_test_id("import-count-payments")).to_have_text("12")
    screenshot(page, "admin-fee-history-ready")
    with in_company_db("alpha"):
        assert not Charge.objects.filter(house=house).exists()  # the dry run wrote nothing
    _commit(page, watch, "fee_history")

    # The arrears HC left open on 1-1-1012: three months of 2025, 179 元 each.
    arrears = [["1-1-1012", item, serial(date(2025, 7, 1)), serial(date(2025, 10, 1)), 537.0, "HC 欠费"]]
    header = ["房屋", "收费项目", "开始时间", "结束时间", "欠费金额", "备注"]
    _upload_through_migration(
        page, live_stack, "fee_arrears", "期初欠费.xlsx", xlsx(header, arrears), watch, **in_estate
    )
    expect(page.get_by_test_id("import-count-charges")).to_have_text("3")
    _commit(page, watch, "fee_arrears")
    with in_company_db("alpha"):
        assert Charge.objects.filter(house=house).count() == 9
        assert Payment.objects.filter(house=house).count() == 6

    page.goto(live_stack.url("alpha", f"/basic-data/houses/{house.pk}"))
    charges = page.get_by_test_id("house-charges")
    lines = charges.locator(".el-table__body-wrapper tbody tr")
    expect(lines).to_have_count(9, timeout=30_000)
    expect(lines.first).to_contain_text("2026-06-01 ~ 2026-06-30")  # latest period first
    expect(lines.first).to_contain_text("已缴清")
    expect(lines.nth(5)).to_contain_text("2026-01-01 ~ 2026-01-31")
    expect(lines.nth(5)).to_contain_text(item)

    def cells(n):  # 收费项目, 期间, 应收, 已缴, 欠费, 状态, 来源
        return lines.nth(n).locator("td")

    expect(cells(0).nth(3)).to_have_text("¥179.00")  # a month of the history: paid
    expect(cells(0).nth(4)).to_have_text("¥0.00")
    expect(cells(0).nth(6)).to_have_text("历史数据导入")
    for owing in range(6, 9):  # the arrears: due, nothing paid
        expect(cells(owing).nth(3)).to_have_text("¥0.00")
        expect(cells(owing).nth(4)).to_have_text("¥179.00")
    expect(lines.nth(8)).to_contain_text("2025-07-01 ~ 2025-07-31")
    watch.screen(page, "house-charges")
    screenshot(page, "admin-hc-import-house-charges")
    watch.assert_clean()
