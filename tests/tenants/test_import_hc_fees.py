"""HC's 费用设置 sheet and 房屋信息's 房屋费用 / 费用开始时间 imported with the asset workbook: the fee
items (through billing's fee_items checks) and which houses each is charged on from when, shown in
the dry run and written in the commit's one transaction; the same workbook again changes nothing."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django_tenants.utils import tenant_context

from accounts.models import AuditEvent
from billing.models import FeeAssignment, FeeItem
from tenants.estates.models import House
from tests.tenants.test_import_hc import FEES, HOUSES, commit, dry_run, hc_assets

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager")]


def _assignments(company):
    with tenant_context(company):
        return sorted(
            FeeAssignment.objects.values_list(
                "house__building__name", "house__number", "fee_item__name", "start", "end"
            )
        )


def _by_place(record, key):
    return {(e["sheet"], e["row"], e["column"]): e["message"] for e in record[key]}


def test_fee_settings_become_fee_items_and_assignments_shown_first_then_written_once(admin_a, company_a, estate):
    record = dry_run(admin_a, hc_assets(), estate.pk)
    assert record["status"] == "ready", record["errors"]
    counts = record["counts"]
    # 1011: fees 1#2; 1012: fee 1; 1021: 0 (none); 2-1-101: fee 2
    assert (counts["fee_items_create"], counts["fee_assignments_create"], counts["fee_assignments_unchanged"]) == (
        2,
        4,
        0,
    )
    notes = "\n".join(record["notes"])
    assert (
        "费用设置：将新建收费项目“测试收费1”（计算公式 1001 → 建筑面积 × 单价，单价 1.3，附加 20 元，每 6 个月，"
        "自 2020-06-10 起至 2037-01-01），分配给 2 套房屋。" in notes
    )
    assert "“测试收费2”（计算公式 2002 → 固定金额，单价 60，每 3 个月，自 2020-06-10 起" in notes
    with tenant_context(company_a):
        assert not FeeItem.objects.exists() and not FeeAssignment.objects.exists()  # the dry run wrote nothing

    assert commit(admin_a, record)["status"] == "done"
    assert _assignments(company_a) == [
        ("1", "1011", "测试收费1", date(2020, 6, 10), None),
        ("1", "1011", "测试收费2", date(2020, 7, 10), None),  # its own 费用开始时间, the second of `#`
        ("1", "1012", "测试收费1", date(2020, 6, 10), None),
        ("2", "101", "测试收费2", date(2020, 6, 10), None),
    ]
    with tenant_context(company_a):
        area = FeeItem.objects.get(name="测试收费1")
        assert (area.mode, area.cycle_months, area.prices.get().unit_price) == ("building_area", 6, Decimal("1.3"))
        assert AuditEvent.objects.filter(action="fee_item.create").count() == 2
        assert AuditEvent.objects.filter(action="fee_item.assign").count() == 2

    again = dry_run(admin_a, hc_assets(), estate.pk)
    assert again["status"] == "ready", again["errors"]
    counts = again["counts"]
    assert (counts["fee_items_create"], counts["fee_items_unchanged"]) == (0, 2)
    assert (counts["fee_assignments_create"], counts["fee_assignments_unchanged"]) == (0, 4)
    assert "收费项目“测试收费1”已有且设置相同，不变；新分配给 0 套房屋" in "\n".join(again["notes"])
    assert commit(admin_a, again)["status"] == "done"
    with tenant_context(company_a):
        assert (FeeItem.objects.count(), FeeAssignment.objects.count()) == (2, 4)


def test_a_later_export_assigns_only_what_is_new(admin_a, company_a, estate):
    assert commit(admin_a, dry_run(admin_a, hc_assets(), estate.pk))["status"] == "done"
    houses = [list(row) for row in HOUSES]
    houses[2][7], houses[2][8] = 1, "2024-01-01"  # 1021 now charged 测试收费1 too
    record = dry_run(admin_a, hc_assets(houses=houses), estate.pk)
    assert (record["counts"]["fee_assignments_create"], record["counts"]["fee_assignments_unchanged"]) == (1, 4)
    assert "“测试收费1”已有且设置相同，不变；新分配给 1 套房屋" in "\n".join(record["notes"])
    assert commit(admin_a, record)["status"] == "done"
    assert ("1", "1021", "测试收费1", date(2024, 1, 1), None) in _assignments(company_a)


def test_a_formula_we_cannot_convert_is_named_with_its_reason_and_the_rest_imports(admin_a, company_a, estate):
    fees = [*FEES[1], [3, "物业费", "动态费用", "周期性费用", "预付费", 1, "每月1日", "2020-6-10", "", 4004, 0, 0]]
    houses = [list(row) for row in HOUSES]
    houses[1][7], houses[1][8] = "1#3", "2020-06-10#2020-06-10"
    record = dry_run(admin_a, hc_assets(fees=fees, houses=houses), estate.pk)
    assert record["status"] == "ready", record["errors"]
    [said] = [w for w in record["warnings"] if w["sheet"] == "费用设置"]
    assert (said["row"], said["column"]) == (4, "计算公式")
    assert said["message"].startswith("收费项目“动态费用”未导入：HC 计算公式 4004 无法自动换算")
    assert said["message"].endswith("；房屋费用中列有它的 1 套房屋未分配此项。")
    assert record["counts"]["fee_items_not_imported"] == 1
    assert commit(admin_a, record)["status"] == "done"
    with tenant_context(company_a):
        assert set(FeeItem.objects.values_list("name", flat=True)) == {"测试收费1", "测试收费2"}
        assert House.objects.count() == 4


def test_fee_problems_are_blamed_on_their_cells_in_one_pass_and_nothing_is_written(admin_a, company_a, estate):
    with tenant_context(company_a):  # the same name set up another way: never changed silently
        FeeItem.objects.create(name="测试收费2", kind="property", mode="fixed", valid_from=date(2020, 1, 1))
    fees = [list(row) for row in FEES[1]]
    fees[0][5] = 2  # a two-month cycle we do not bill
    houses = [list(row) for row in HOUSES]
    houses[0][8] = "2020-06-10"  # two fees, one date
    houses[1][7], houses[1][8] = "1#9", "2020-06-10#2020-06-10"  # no fee 9
    houses[3][7], houses[3][8] = 1, "2019-01-01"  # before 测试收费1 starts
    record = dry_run(admin_a, hc_assets(fees=fees, houses=houses), estate.pk)
    assert record["status"] == "invalid"
    found = _by_place(record, "errors")
    assert set(found) >= {
        ("费用设置", 2, "缴费周期"),
        ("费用设置", 3, "收费项目"),
        ("房屋信息", 2, "费用开始时间"),
        ("房屋信息", 3, "房屋费用"),
    }, found
    assert "须一一对应" in found["房屋信息", 2, "费用开始时间"]
    assert "“1#9”" in found["房屋信息", 3, "房屋费用"] and "没有费用编号 9" in found["房屋信息", 3, "房屋费用"]
    with tenant_context(company_a):
        assert list(FeeItem.objects.values_list("name", flat=True)) == ["测试收费2"]
        assert not House.objects.exists() and not FeeAssignment.objects.exists()


def test_a_start_outside_the_items_validity_is_blamed_on_the_start(admin_a, estate):
    houses = [list(row) for row in HOUSES]
    houses[3][7], houses[3][8] = 1, "2019-01-01"
    record = dry_run(admin_a, hc_assets(houses=houses), estate.pk)
    found = _by_place(record, "errors")
    assert list(found) == [("房屋信息", 5, "费用开始时间")]
    assert (
        "“2019-01-01”" in found["房屋信息", 5, "费用开始时间"]
        and "2020-06-10 至 2037-01-01" in found["房屋信息", 5, "费用开始时间"]
    )


def test_a_refusal_while_assigning_leaves_nothing_written(admin_a, company_a, estate, monkeypatch):
    from billing.services import assignments
    from core.errors import DomainError

    record = dry_run(admin_a, hc_assets(), estate.pk)
    assert record["status"] == "ready", record["errors"]

    def refuses(**kwargs):
        raise DomainError("该收费项目已停用，不能再分配。")

    monkeypatch.setattr(assignments, "assign_fee_item_from_import", refuses)
    done = commit(admin_a, record)
    assert done["status"] == "invalid", done
    with tenant_context(company_a):  # houses, residents and items went with it: one transaction
        assert not House.objects.exists() and not FeeItem.objects.exists()
        assert not AuditEvent.objects.filter(action="fee_item.create").exists()


def test_a_metered_fee_on_a_house_without_such_a_meter_is_warned_of_in_the_dry_run(admin_a, company_a, estate):
    """HC's 5005 (本期度数-上期度数)*单价 on a 水费 is 抄表用量 × 单价 on water meters: a house given it with
    no water meter (the workbook has no meters; one of another kind does not count) is warned of at its
    房屋费用, by house and fee; a house with a water meter is not; the import goes ahead."""
    from billing.models import Meter

    fees = [*FEES[1], [3, "水费", "自来水费", "周期性费用", "后付费", 1, "每月1日", "2020-6-10", "", 5005, 3.2, 0]]
    houses = [list(row) for row in HOUSES]
    houses[0][7], houses[0][8] = "1#3", "2020-06-10#2020-06-10"  # 1-1-1011: water, has a water meter
    houses[1][7], houses[1][8] = "1#3", "2020-06-10#2020-06-10"  # 1-1-1012: water, only an electricity meter
    houses[3][7], houses[3][8] = "2#3", "2020-06-10#2020-06-10"  # 2-1-101: water, no meter at all
    first = dry_run(admin_a, hc_assets(fees=fees, houses=houses), estate.pk)
    assert first["status"] == "ready", first["errors"]
    assert len([w for w in first["warnings"] if "抄表" in w["message"]]) == 3  # no meters yet: all three
    assert commit(admin_a, dry_run(admin_a, hc_assets(), estate.pk))["status"] == "done"  # the houses, no water fee
    with tenant_context(company_a):
        house_1011 = House.objects.get(building__name="1", number="1011")
        house_1012 = House.objects.get(building__name="1", number="1012")
        Meter.objects.create(kind="water", number="W-1011", house=house_1011, estate=house_1011.estate)
        Meter.objects.create(kind="electricity", number="E-1012", house=house_1012, estate=house_1012.estate)

    record = dry_run(admin_a, hc_assets(fees=fees, houses=houses), estate.pk)
    assert record["status"] == "ready", record["errors"]
    said = {(w["sheet"], w["row"], w["column"]): w["message"] for w in record["warnings"] if "抄表" in w["message"]}
    assert said == {
        ("房屋信息", 3, "房屋费用"): "房屋 1-1-1012 分配了按抄表计费的收费项目“自来水费”，但该房屋还没有水表："
        "登记表具并抄表前，此项的账单为空。",
        ("房屋信息", 5, "房屋费用"): "房屋 2-1-101 分配了按抄表计费的收费项目“自来水费”，但该房屋还没有水表："
        "登记表具并抄表前，此项的账单为空。",
    }
    assert record["counts"]["fee_assignments_create"] == 3  # warned of, still assigned
    assert commit(admin_a, record)["status"] == "done"
    with tenant_context(company_a):
        water = FeeItem.objects.get(name="自来水费")
        assert (water.mode, water.meter_kind) == ("meter", "water")
        assert FeeAssignment.objects.filter(fee_item=water).count() == 3
