"""HC's 费用设置 sheet imported as it is (the kind `fee_items`): formula codes 1001/2002/5005 become
billing's fee items through create_fee_item; codes we cannot convert are refused by name; dry run
writes nothing, re-import is unchanged, a same-named item set up differently is refused."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django_tenants.utils import tenant_context

from accounts.models import AuditEvent
from billing.models import FeeItem
from tests.tenants.conftest import eager  # noqa: F401 - the fixture, for the upload's tasks
from tests.tenants.test_imports import commit, dry_run, upload, xlsx

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager")]

D = Decimal
HC_HEADER = [
    "费用编号", "费用类型", "收费项目", "费用标识", "付费类型", "缴费周期", "出账类型",
    "计费起始时间", "计费结束时间", "计算公式", "计费单价", "固定费用",
]  # fmt: skip
ROWS = [
    [1.0, "物业费", "测试收费1", "周期性费用", "预付费", 6.0, "每月1日", "2020-6-10", "2037-1-1", 1001.0, 1.3, 20.0],
    [2.0, "物业费", "垃圾清运", "周期性费用", "预付费", 3.0, "每月1日", "2020-6-10", "2037-1-1", 2002.0, 0, 20.0],
    [3.0, "水费", "水费", "周期性费用", "后付费", 1.0, "每月1日", "2020-6-10", None, 5005.0, 3.5, 0],
    [None] * 14 + ["说明"],
    [None] * 14 + ["计算公式", 1001.0, "面积*单价+附加费"],
]


def _items(company):
    with tenant_context(company):
        return {
            item.name: (item.mode, item.cycle_months, item.timing, item.meter_kind, item.valid_from, item.valid_until,
                        item.prices.get().unit_price, item.prices.get().fixed_extra)
            for item in FeeItem.objects.all()
        }  # fmt: skip


def test_hc_fee_settings_become_fee_items(client_for, company_a):
    admin = client_for(company_a, "admin")
    record = dry_run(admin, "fee_items", xlsx(HC_HEADER, ROWS))
    assert record["status"] == "ready", record["errors"]
    assert (record["counts"]["rows"], record["counts"]["create"]) == (3, 3)
    assert _items(company_a) == {}
    assert commit(admin, record)["status"] == "done"
    assert _items(company_a) == {
        "测试收费1": ("building_area", 6, "prepaid", "", date(2020, 6, 10), date(2037, 1, 1), D("1.3"), D("20")),
        "垃圾清运": ("fixed", 3, "prepaid", "", date(2020, 6, 10), date(2037, 1, 1), D("60"), D("0")),
        "水费": ("meter", 1, "postpaid", "water", date(2020, 6, 10), None, D("3.5"), D("0")),
    }
    with tenant_context(company_a):
        assert AuditEvent.objects.filter(action="fee_item.create").count() == 3
    again = dry_run(admin, "fee_items", xlsx(HC_HEADER, ROWS))
    assert again["status"] == "ready" and again["counts"]["unchanged"] == 3


def test_unconvertible_codes_and_clashes_are_refused_and_nothing_is_written(client_for, company_a):
    admin = client_for(company_a, "admin")
    assert commit(admin, dry_run(admin, "fee_items", xlsx(HC_HEADER, ROWS[:1])))["status"] == "done"
    rows = [
        [4.0, "物业费", "租金递增", "周期性费用", "预付费", 1.0, "每月1日", "2020-6-10", None, 1102.0, 1, 0],
        [5.0, "物业费", "测试收费1", "周期性费用", "预付费", 1.0, "每月1日", "2020-6-10", None, 1001.0, 1.3, 20.0],
        [6.0, "物业费", "双月费", "周期性费用", "预付费", 2.0, "每月1日", "2020-6-10", None, 1001.0, 1, 0],
        [7.0, "物业费", "新项目", "周期性费用", "预付费", 1.0, "每月1日", "2020-6-10", None, 1001.0, 1, 0],
    ]
    record = dry_run(admin, "fee_items", xlsx(HC_HEADER, rows))
    assert record["status"] == "invalid"
    assert {(e["row"], e["column"]) for e in record["errors"]} == {(2, "计算公式"), (3, "收费项目"), (4, "缴费周期")}
    assert set(_items(company_a)) == {"测试收费1"}


def test_permission_and_tenancy(client_for, company_a, company_b):
    content = xlsx(HC_HEADER, ROWS)
    assert upload(client_for(company_a, "cashier"), "fee_items", content).status_code == 403
    mine = dry_run(client_for(company_a, "admin"), "fee_items", content)
    assert client_for(company_b, "admin").post(f"/api/v1/imports/{mine['id']}/commit/").status_code == 404
    assert _items(company_a) == {} and _items(company_b) == {}
