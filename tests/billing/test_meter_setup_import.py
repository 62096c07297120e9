"""HC's 水电表 sheet imported as it is (the kind `meters`): meters registered on their houses with the
last reading as the initial one, so the next reading counts from it; dry run writes nothing, commit is
all-or-nothing, a re-import changes nothing; permissions and tenancy."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django_tenants.utils import tenant_context

from accounts.models import AuditEvent, User
from billing.models import Meter
from billing.services import meters as services
from tests.billing.test_meters import _place
from tests.tenants.conftest import eager  # noqa: F401 - the fixture, for the upload's tasks
from tests.tenants.test_imports import commit, dry_run, upload, xlsx

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager")]

D = Decimal
HC_HEADER = ["名称", "表号", "表类型", "模式", "房屋", "费用项", "厂家", "采集器ID", "读数"]
ROWS = [
    ["1-1-101智能水表", 1212.0, "水表", 2002.0, "1-1-101", "水费", 110.0, 10102.0, 1234.5],
    ["1-1-101电表", "E-0101", None, 2002.0, "1-1-101", "电费", None, None, 87],
    ["1-1-201水表", "W-0201", "水", 1001.0, "1-1-201", "水费", None, None, None],
    [None, None, None, None, None, None, None, None, None, None, None, "说明", "请一定看下面说明"],
    [None, None, None, None, None, None, None, None, None, None, None, "名称", "智能表名称，推荐为房屋+电表或者水表"],
]


@pytest.fixture
def houses(company_a):
    with tenant_context(company_a):
        _place()
    return company_a


def _meters(company):
    with tenant_context(company):
        return list(Meter.objects.order_by("number").values_list("kind", "number", "house__number", "initial_reading"))


def test_hc_meters_import_with_their_last_reading_and_the_next_reading_continues(client_for, houses):
    admin = client_for(houses, "admin")
    record = dry_run(admin, "meters", xlsx(HC_HEADER, ROWS))
    assert record["status"] == "ready", record["errors"]
    assert (record["counts"]["rows"], record["counts"]["create"], record["counts"]["blank_rows"]) == (3, 3, 2)
    assert _meters(houses) == []
    assert commit(admin, record)["status"] == "done"
    assert _meters(houses) == [
        ("water", "1212", "101", D("1234.50")),
        ("electricity", "E-0101", "101", D("87.00")),
        ("water", "W-0201", "201", D("0.00")),
    ]
    with tenant_context(houses):
        assert AuditEvent.objects.filter(action="meter.create").count() == 3
        meter = Meter.objects.get(number="1212")
        reading = services.record_reading(
            meter=meter, read_on=date(2026, 11, 30), current=D("1300"), actor=User.objects.get(username="admin")
        )
        assert (reading.previous, reading.usage) == (D("1234.50"), D("65.50"))
    again = dry_run(admin, "meters", xlsx(HC_HEADER, ROWS))
    assert again["status"] == "ready" and again["counts"]["unchanged"] == 3
    assert commit(admin, again)["status"] == "done"
    assert len(_meters(houses)) == 3


def test_a_bad_row_stops_the_whole_file(client_for, houses):
    admin = client_for(houses, "admin")
    rows = [*ROWS[:3], ["?", "X-1", "对讲机", None, "1-1-101"], ["水表", "W-9", "水表", None, "1-3-101"]]
    record = dry_run(admin, "meters", xlsx(HC_HEADER, rows))
    assert record["status"] == "invalid"
    assert {(e["row"], e["column"]) for e in record["errors"]} == {(5, "表类型"), (6, "房屋")}
    assert _meters(houses) == []


def test_permission_and_tenancy(client_for, houses, company_b):
    content = xlsx(HC_HEADER, ROWS)
    assert upload(client_for(houses, "repair"), "meters", content).status_code == 403
    other = dry_run(client_for(company_b, "admin"), "meters", content)
    assert other["status"] == "invalid" and other["counts"]["errors"] == 3
    mine = dry_run(client_for(houses, "admin"), "meters", content)
    assert client_for(company_b, "admin").post(f"/api/v1/imports/{mine['id']}/commit/").status_code == 404
    assert _meters(houses) == []
