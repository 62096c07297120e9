"""HC workbooks against what is already on file: a house HC calls unsold (2002) that has a person on
it, and a later or hand-made partial file — it ends the relations of the houses it lists whose
owner is gone, never those of houses it does not mention."""

from __future__ import annotations

import pytest
from django.utils import timezone
from django_tenants.utils import tenant_context

from tenants.estates.models import House
from tenants.residents.models import Occupancy
from tests.tenants.test_import_hc import (
    HOUSE_HEADER,
    HOUSES,
    ID_ZHAO,
    ROOMS,
    commit,
    dry_run,
    hc_assets,
    hc_rooms,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager")]


def _current(company):
    """(building, number, person, relation) of every current relation."""
    with tenant_context(company):
        return sorted(
            Occupancy.objects.filter(moved_out__isnull=True).values_list(
                "house__building__name", "house__number", "person__name", "relation"
            )
        )


def _warnings(record):
    return {(w["sheet"], w["row"], w["column"]): w["message"] for w in record["warnings"]}


def test_an_unsold_house_with_an_owner_imports_both_and_says_so(admin_a, company_a, estate):
    header = [*HOUSE_HEADER, "房屋状态"]  # as HC's 资产导出 writes it
    houses = [[*row, state] for row, state in zip(HOUSES, [2001, 2002, 2002, 2001], strict=True)]
    record = dry_run(admin_a, hc_assets(houses=houses, house_header=header), estate.pk)
    assert record["status"] == "ready", record["errors"]
    warnings = _warnings(record)
    said = warnings["房屋信息", 3, "房屋状态"]  # 1012: owner 2; 1021 (no owner) is no warning
    assert said.startswith("“2002”：房屋状态为未销售") and "业主 赵一（业主编号 2）" in said
    assert [key for key in warnings if key[2] == "房屋状态"] == [("房屋信息", 3, "房屋状态")]
    assert record["counts"]["unsold_with_people"] == 1
    assert commit(admin_a, record)["status"] == "done"
    with tenant_context(company_a):
        house = House.objects.get(number="1012")
        assert house.status == "unsold"
        assert house.occupancies.get(relation="owner").person.id_number == ID_ZHAO


def test_an_unsold_house_with_a_person_in_the_rooms_sheet(admin_a, company_a, estate):
    rows = [*ROOMS, [1, 1, 1002, 1, 33, "有", 110, 10102, 94.56, 94.56, 0, 2002, "孙四", "男", 13700000004, "", 1003]]
    record = dry_run(admin_a, hc_rooms(rows), estate.pk)
    assert record["status"] == "ready", record["errors"]
    said = _warnings(record)["资产信息", 8, "房屋状态"]
    assert said.startswith("“2002”：") and "房屋租客 孙四" in said
    assert commit(admin_a, record)["status"] == "done"
    with tenant_context(company_a):
        assert House.objects.get(number="1002").occupancies.get().person.name == "孙四"


PARTIAL_OWNERS = [[7, "钱七", "男", 40, 13700000007, "", 1001, 7]]


def test_a_partial_file_ends_only_the_relations_of_the_houses_it_lists(admin_a, company_a, estate):
    assert commit(admin_a, dry_run(admin_a, hc_assets(), estate.pk))["status"] == "done"
    before = _current(company_a)
    # A hand-made file of one house: 1012 sold by owner 2 (赵一) to 钱七 — and with him go the family
    # member and the renter HC ties to owner 2 (业主编号). 赵一 and they stay in 2-1-101, and 1011 is
    # not in the file at all: neither is touched.
    sold = [[1012, 1, 1, 1, "10102", 94.56, 7, 0, "", 110, 80.1, 0]]
    content = hc_assets(houses=sold, owners=PARTIAL_OWNERS, buildings=[[1, 1, 33, "有"]], fees=[])
    record = dry_run(admin_a, content, estate.pk)
    assert record["status"] == "ready", record["errors"]
    assert record["counts"]["ended"] == 3
    today = timezone.localdate().isoformat()
    # said at the row of the new owner, who replaces them
    assert sorted((w["sheet"], w["row"], w["column"], w["message"]) for w in record["warnings"]) == sorted(
        (
            "业主信息",
            2,
            "业主名称",
            f"“钱七”：将结束 {name} 的{relation}关系：文件中该房屋的{relation}已不含此人，迁出日期记为 {today}。",
        )
        for name, relation in (("赵一", "业主"), ("钱二", "家庭成员"), ("孙三", "租户"))
    )
    assert _current(company_a) == before  # the dry run wrote nothing
    assert commit(admin_a, record)["status"] == "done"
    after = _current(company_a)
    assert set(before) - set(after) == {
        ("1", "1012", "赵一", "owner"),
        ("1", "1012", "钱二", "family"),
        ("1", "1012", "孙三", "renter"),
    }
    assert set(after) - set(before) == {("1", "1012", "钱七", "owner")}
    assert {("1", "1011", "吴学文", "owner"), ("2", "101", "赵一", "owner"), ("2", "101", "钱二", "family")} <= set(
        after
    )


def test_a_partial_file_naming_the_same_owners_ends_nothing(admin_a, company_a, estate):
    assert commit(admin_a, dry_run(admin_a, hc_assets(), estate.pk))["status"] == "done"
    before = _current(company_a)
    content = hc_assets(houses=HOUSES[:1], buildings=[[1, 1, 33, "有"]])
    record = dry_run(admin_a, content, estate.pk)
    assert record["status"] == "ready", record["errors"]
    assert (record["counts"]["ended"], record["counts"]["residents_create"]) == (0, 0)
    assert commit(admin_a, record)["status"] == "done"
    assert _current(company_a) == before


def test_a_house_listed_without_its_owner_keeps_them_and_the_dry_run_says_so(admin_a, company_a, estate):
    assert commit(admin_a, dry_run(admin_a, hc_assets(), estate.pk))["status"] == "done"
    before = _current(company_a)
    nobody = [[1011, 1, 1, 1, "10102", 94.56, "", 0, "", 110, 94.56, 0]]  # 业主编号 left blank
    record = dry_run(admin_a, hc_assets(houses=nobody, buildings=[[1, 1, 33, "有"]]), estate.pk)
    assert record["status"] == "ready", record["errors"]
    assert (record["counts"].get("ended", 0), record["counts"]["houses_kept_without_people"]) == (0, 1)
    assert _warnings(record)[("房屋信息", 2, "房屋编号")] == (
        "“1011”：文件中该房屋没有住户；系统中的 吴学文（业主） 保留不变（文件未列出的住户关系不会结束）。"
    )
    assert commit(admin_a, record)["status"] == "done"
    assert _current(company_a) == before
