"""A company switching from HC uploads HC's own asset workbook as it is, in a browser against the
real server and worker: chooses the estate, reads the dry run's report (what was not imported and
why), commits, and finds the owner on the house page."""

from __future__ import annotations

import uuid

import pytest

from tests.conftest import PASSWORD
from tests.e2e.conftest import login, screenshot
from tests.tenants.test_import_hc import OWNERS, hc_assets, id_number

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
    expect(notes).to_contain_text("费用设置：2 项收费标准未在此导入")
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
