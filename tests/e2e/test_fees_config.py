"""Fee configuration in the web admin, in a browser against the real server: a property fee by
building area is created, assigned to a whole estate after a preview, and a meter is read on the
reader's phone page."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest

from tests.conftest import PASSWORD
from tests.e2e.conftest import PHONE, login, screenshot

pytestmark = pytest.mark.e2e


@pytest.fixture
def fee_estate(in_company_db):
    """A fresh estate of 2 floors × 2 houses, with a water meter on each of its first two houses."""
    from accounts.models import User
    from billing.services import meters as meter_services
    from tenants.estates import services as estate_services
    from tenants.estates.models import House

    name = f"收费小区{uuid.uuid4().hex[:4]}"
    with in_company_db("alpha"):
        admin = User.objects.get(username="admin")
        estate = estate_services.create_estate(name=name)
        building = estate_services.create_building(estate=estate, name="1栋", floors=2, units=["1单元"])
        estate_services.generate_houses(
            building=building, per_floor=2, building_area=Decimal("88.50"), usable_area=Decimal("70")
        )
        houses = list(House.objects.filter(estate=estate).order_by("floor", "number"))
        for index, house in enumerate(houses[:2]):
            meter_services.create_meter(
                kind="water", number=f"W{uuid.uuid4().hex[:6]}{index}", actor=admin, house=house
            )
        return {"name": name, "id": estate.pk, "houses": len(houses)}


def test_property_fee_created_and_assigned_to_an_estate_with_preview(desktop, live_stack, in_company_db, fee_estate):
    from playwright.sync_api import expect

    page = desktop
    item_name = f"物业费{uuid.uuid4().hex[:4]}"
    login(page, live_stack, "alpha", "admin", PASSWORD)
    page.goto(live_stack.url("alpha", "/fees/items"))  # an admin lands on 收银台, the first tab
    expect(page.get_by_test_id("fee-items-page")).to_be_visible()
    expect(page.get_by_test_id("tab-fees-assignments")).to_be_visible()

    # A property fee by building area (the default mode) at ¥2.5 a square metre, monthly.
    page.get_by_test_id("fee-item-create").click()
    page.get_by_test_id("fee-item-name").fill(item_name)
    page.get_by_test_id("fee-item-unit-price").fill("2.5")
    page.get_by_test_id("fee-item-dialog-submit").click()
    expect(page.get_by_test_id("fee-item-dialog")).to_be_hidden()
    row = page.get_by_test_id("table").locator("tr").filter(has_text=item_name)
    expect(row).to_contain_text("¥2.5000")
    screenshot(page, "fees-items")

    # Assign it to the whole estate: preview first, then confirm the same request.
    page.get_by_test_id("tab-fees-assignments").click()
    expect(page.get_by_test_id("assignments-page")).to_be_visible()
    page.get_by_test_id("assign-open").click()
    dialog = page.get_by_test_id("assign-dialog")
    dialog.get_by_test_id("assign-fee-item").click()
    page.locator("[data-testid^=assign-fee-item-]").filter(has_text=item_name).click()
    dialog.get_by_test_id("assign-location").locator("input").click()
    page.locator(".el-cascader-node").filter(has_text=fee_estate["name"]).locator(".el-radio").click()
    page.keyboard.press("Escape")
    dialog.get_by_test_id("assign-preview-button").click()
    expect(dialog.get_by_test_id("preview-matched")).to_have_text(str(fee_estate["houses"]))
    expect(dialog.get_by_test_id("preview-to-assign")).to_have_text(str(fee_estate["houses"]))
    expect(dialog.get_by_test_id("preview-already")).to_have_text("0")
    screenshot(page, "fees-assign-preview")
    dialog.get_by_test_id("assign-confirm").click()
    expect(dialog).to_be_hidden()
    expect(page.get_by_test_id("table")).to_contain_text(item_name)

    from billing.models import FeeAssignment

    with in_company_db("alpha"):
        rows = FeeAssignment.objects.filter(fee_item__name=item_name, house__estate_id=fee_estate["id"])
        assert rows.count() == fee_estate["houses"]
        assert all(row.end is None for row in rows)


def test_reader_records_a_reading_on_the_phone_and_moves_to_the_next_meter(
    new_context, live_stack, in_company_db, fee_estate
):
    from playwright.sync_api import expect

    page = new_context(**PHONE).new_page()
    login(page, live_stack, "alpha", "admin", PASSWORD)
    page.goto(live_stack.url("alpha", f"/meter-reading?estate={fee_estate['id']}"))
    meter = page.get_by_test_id("reading-meter")
    expect(meter).to_be_visible()
    expect(page.get_by_test_id("reading-progress")).to_contain_text("0 / 2")
    first = meter.get_attribute("data-meter")

    page.get_by_test_id("reading-input").fill("12.5")
    page.get_by_test_id("reading-save").click()
    expect(page.get_by_test_id("reading-progress")).to_contain_text("1 / 2")
    expect(meter).not_to_have_attribute("data-meter", first or "")
    # The phone page fits a 375 px screen: no sideways scrolling.
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    screenshot(page, "fees-meter-reading-phone")

    from billing.models import MeterReading

    with in_company_db("alpha"):
        reading = MeterReading.objects.get(meter_id=int(first or 0))
        assert reading.current == Decimal("12.50")
        assert reading.usage == Decimal("12.50")


def _readings_csv(rows: list[list[str]]) -> bytes:
    header = ["表号", "表具类型", "抄表日期", "本期读数"]
    return ("\n".join(",".join(row) for row in [header, *rows]) + "\n").encode("utf-8-sig")


def test_readings_imported_from_a_file_after_a_dry_run_report(desktop, live_stack, in_company_db, fee_estate):
    """抄表 › 导入读数: a file with an unknown meter is reported row by row and writes nothing; the
    corrected file passes the dry run, is committed, and its readings are listed."""
    from django.utils import timezone
    from playwright.sync_api import expect

    from billing.models import Meter, MeterReading

    with in_company_db("alpha"):
        numbers = list(
            Meter.objects.filter(estate_id=fee_estate["id"]).order_by("number").values_list("number", flat=True)
        )
    day = timezone.localdate().isoformat()  # Shanghai's date, as the server checks it, not the host's
    good = [[numbers[0], "水表", day, "21.5"], [numbers[1], "水表", day, "7"]]

    page = desktop
    login(page, live_stack, "alpha", "admin", PASSWORD)
    page.goto(live_stack.url("alpha", "/fees/meters"))
    page.get_by_test_id("view-import").click()
    expect(page.get_by_test_id("meter-import")).to_be_visible()
    expect(page.get_by_test_id("import-template")).to_have_attribute(
        "href", "/api/v1/imports/templates/meter_readings/"
    )
    expect(page.get_by_test_id("import-kind")).to_have_count(0)  # one kind here: no picking

    page.get_by_test_id("import-file-input").set_input_files(
        {
            "name": "抄表.csv",
            "mimeType": "text/csv",
            "buffer": _readings_csv([*good, ["W-没有这块表", "水表", day, "3"]]),
        }
    )
    current = page.get_by_test_id("import-current")
    expect(current).to_have_attribute("data-status", "invalid", timeout=30_000)
    error = page.get_by_test_id("import-error-0")
    expect(error).to_have_attribute("data-row", "4")
    expect(error).to_have_text("系统中没有这个表号的该类型表具。")
    expect(page.get_by_test_id("import-errors")).to_contain_text("表号")
    expect(page.get_by_test_id("import-count-create")).to_have_text("2")
    expect(page.get_by_test_id("import-commit")).to_be_disabled()
    screenshot(page, "fees-meter-import-invalid")
    with in_company_db("alpha"):
        assert not MeterReading.objects.filter(meter__number__in=numbers).exists()  # nothing half-written

    page.get_by_test_id("import-file-input").set_input_files(
        {"name": "抄表-已修正.csv", "mimeType": "text/csv", "buffer": _readings_csv(good)}
    )
    expect(current).to_have_attribute("data-status", "ready", timeout=30_000)
    expect(page.get_by_test_id("import-file-name")).to_have_text("抄表-已修正.csv")
    page.get_by_test_id("import-commit").click()
    expect(current).to_have_attribute("data-status", "done", timeout=30_000)
    expect(page.get_by_test_id("import-done")).to_be_visible()
    expect(page.get_by_test_id("import-history")).to_contain_text("抄表-已修正.csv")
    screenshot(page, "fees-meter-import-done")

    page.get_by_test_id("meter-import-show-readings").click()
    table = page.get_by_test_id("table")
    for number, value in ((numbers[0], "21.50"), (numbers[1], "7.00")):
        expect(table.locator("tr").filter(has_text=number)).to_contain_text(value)
    with in_company_db("alpha"):
        imported = MeterReading.objects.filter(meter__number__in=numbers, source="import")
        assert sorted((r.meter.number, r.current) for r in imported) == [
            (numbers[0], Decimal("21.50")),
            (numbers[1], Decimal("7.00")),
        ]
