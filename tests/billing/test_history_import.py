"""HC's 房屋缴费历史 and an opening-arrears sheet imported as they are (the kinds `fee_history` and
`fee_arrears`): paid charges with their periods, payments, the assignment moved to the history's start,
the next bill run continuing after the last imported period, re-import unchanged, all-or-nothing,
permissions and tenancy. Sheets are built the way HC's template is filled: its headers, its notes
beside the data, dates as Excel serials, amounts as numbers."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django_tenants.utils import tenant_context

from accounts.models import AuditEvent, User
from billing import outstanding
from billing.models import Charge, FeeAssignment, Payment
from billing.selectors.arrears import arrears
from tenants.estates.models import Estate
from tenants.imports import reading
from tenants.imports.models import Import
from tests.billing.test_bill_runs import _fee, _run
from tests.billing.test_meters import _place
from tests.tenants.conftest import eager  # noqa: F401 - the fixture, for the upload's tasks
from tests.tenants.test_imports import commit, dry_run, upload, xlsx

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager")]

D = Decimal
HC_HEADER = [
    "房屋",
    "收费项目",
    "缴费周期",
    "开始时间",
    "结束时间",
    "缴费时间",
    "应缴金额",
    "实缴金额",
    "收银员",
    "备注",
]
NOTES = [
    ["说明：", ""],
    ["房屋", "请填写系统中的房屋编号 楼栋-单元-房屋 如果是商铺 楼栋-0-商铺"],
    ["收费项目", "必须和费用管理中的费用项设置中的收费项目名称保持一致"],
]


def serial(day: date) -> int:
    return (day - date(1899, 12, 30)).days


def month(year: int, number: int) -> date:
    return date(year + (number - 1) // 12, (number - 1) % 12 + 1, 1)


def hc_sheet(rows: list[list]) -> bytes:
    """The rows with HC's notes in columns L–M beside them, then the notes' own rows below."""
    width = len(HC_HEADER) + 1
    body = [row + [None] * (width - len(row)) + (NOTES[i] if i < len(NOTES) else []) for i, row in enumerate(rows)]
    body += [[None] * width + note for note in NOTES[len(rows) :]]
    return xlsx(HC_HEADER, body)


def history(houses=("1-1-101", "1-1-201"), months=12, first=(2025, 11)) -> list[list]:
    """One row a month per house, HC style: end = the next month's first day, paid on the 5th."""
    rows = []
    for house in houses:
        for i in range(months):
            start, end = month(first[0], first[1] + i), month(first[0], first[1] + i + 1)
            rows.append(
                [house, "物业费", 1, serial(start), serial(end), serial(start) + 4.4375, 179.0, 179, "张三", "手工导入"]
            )
    return rows


@pytest.fixture
def ledger(company_a):
    """Three houses (1栋 1单元 101/201/301, 89.5 ㎡…); 物业费 2 元/㎡/月 from 2024, assigned to 101 from
    2024-01 (HC's fee start) — 201 and 301 not assigned."""
    with tenant_context(company_a):
        _building, houses = _place(areas=("89.50", "89.50", "60.25"))
        _fee(name="物业费", price="2.0000", start=date(2024, 1, 1), houses=houses[:1])
    return company_a


def _counts(company):
    with tenant_context(company):
        return (
            Charge.objects.count(),
            Payment.objects.count(),
            list(FeeAssignment.objects.order_by("house__number").values_list("house__number", "start", "end")),
        )


def test_the_dry_run_reads_hc_history_as_it_is_and_writes_nothing(client_for, ledger):
    admin = client_for(ledger, "admin")
    before = _counts(ledger)
    record = dry_run(admin, "fee_history", hc_sheet(history()))
    assert record["status"] == "ready", record["errors"]
    counts = record["counts"]
    assert (counts["rows"], counts["create"], counts["unchanged"], counts["errors"]) == (24, 24, 0, 0)
    assert (counts["charges"], counts["payments"]) == (24, 24)
    assert (counts["assignments_created"], counts["assignments_moved"]) == (1, 1)
    assert _counts(ledger) == before


def test_commit_posts_paid_charges_and_billing_continues_after_the_history(client_for, ledger):
    admin = client_for(ledger, "admin")
    done = commit(admin, dry_run(admin, "fee_history", hc_sheet(history())))
    assert done["status"] == "done", done
    with tenant_context(ledger):
        charges = Charge.objects.order_by("house__number", "cycle_start")
        assert charges.count() == 24
        assert {c.amount for c in charges} == {D("179.00")}
        assert charges.first().cycle_start == date(2025, 11, 1) and charges.last().period_end == date(2026, 11, 1)
        assert charges.first().calculation["cashier"] == "张三"
        assert not outstanding.charge_balances().filter(outstanding__gt=0).exists()
        payments = Payment.objects.all()
        assert {p.method for p in payments} == {"imported"} and payments.count() == 24
        first = payments.order_by("received_at").first()
        assert first.business_date == date(2025, 11, 5) and "张三" in first.note
        # 101's assignment (from 2024-01) now starts with its history; 201 got one from the history's start.
        assert list(FeeAssignment.objects.order_by("house__number").values_list("house__number", "start", "end")) == [
            ("101", date(2025, 11, 1), None),
            ("201", date(2025, 11, 1), None),
        ]
        assert AuditEvent.objects.filter(action="charge.import_fee_history", after__charges=24).exists()
        estate = charges.first().estate
        admin_user = User.objects.get(username="admin")
        # Through 2026-10 HC collected everything: the run bills nothing, and nothing before 2025-11.
        assert _run(estate, date(2026, 10, 1), admin_user).result["charges"] == 0
        run = _run(estate, date(2026, 11, 1), admin_user)
        assert run.result["charges"] == 2
        assert set(Charge.objects.filter(bill_run=run).values_list("cycle_start", flat=True)) == {date(2026, 11, 1)}


def test_re_importing_the_same_file_changes_nothing(client_for, ledger):
    admin = client_for(ledger, "admin")
    content = hc_sheet(history())
    assert commit(admin, dry_run(admin, "fee_history", content))["status"] == "done"
    after_first = _counts(ledger)
    again = dry_run(admin, "fee_history", content)
    assert again["status"] == "ready", again["errors"]
    assert (again["counts"]["unchanged"], again["counts"]["create"], again["counts"]["charges"]) == (24, 0, 0)
    assert commit(admin, again)["status"] == "done"
    assert _counts(ledger) == after_first


def test_a_quarter_paid_in_part_splits_into_months_and_leaves_the_rest_owing(client_for, ledger):
    admin = client_for(ledger, "admin")
    # 楼栋/单元 columns instead of a reference; the end written as the quarter's last day; 537 due, 400 paid.
    header = ["楼栋", "单元", "房号", "收费项目", "开始时间", "结束时间", "缴费时间", "应缴金额", "实缴金额"]
    rows = [["1栋", 1, 301, "物业费", "2026-01-01", "2026-03-31", "2026/1/3", 537, 400.0]]
    done = commit(admin, dry_run(admin, "fee_history", xlsx(header, rows)))
    assert done["status"] == "done", done
    with tenant_context(ledger):
        lines = list(Charge.objects.order_by("cycle_start").values_list("cycle_start", "period_end", "amount"))
        assert lines == [
            (date(2026, 1, 1), date(2026, 2, 1), D("179.00")),
            (date(2026, 2, 1), date(2026, 3, 1), D("179.00")),
            (date(2026, 3, 1), date(2026, 4, 1), D("179.00")),
        ]
        owing = [(c.cycle_start, amount) for c, amount in outstanding.owing(Charge.objects.first().house_id)]
        assert owing == [(date(2026, 3, 1), D("137.00"))]  # oldest paid first: 179 + 179 + 42


def test_every_problem_of_every_row_is_reported_in_its_column_and_nothing_is_written(client_for, ledger):
    admin = client_for(ledger, "admin")
    with tenant_context(ledger):
        _run(Estate.objects.get(), date(2026, 6, 1))  # bills 101 from 2024-01 through 2026-06
    before = _counts(ledger)
    rows = history(houses=("1-1-201",), months=2)
    rows += [
        ["9-1-101", "物业费", 1, serial(date(2025, 1, 1)), serial(date(2025, 2, 1)), serial(date(2025, 1, 5)), 1, 1],
        ["1-2-101", "物业费", 1, serial(date(2025, 1, 1)), serial(date(2025, 2, 1)), serial(date(2025, 1, 5)), 1, 1],
        ["1-1-101", "停车费", 1, serial(date(2025, 1, 1)), serial(date(2025, 2, 1)), serial(date(2025, 1, 5)), 1, 1],
        ["1-1-101", "物业费", 1, serial(date(2025, 1, 1)), serial(date(2025, 1, 15)), serial(date(2025, 1, 5)), 1, 1],
        ["1-1-101", "物业费", 1, serial(date(2025, 1, 1)), serial(date(2025, 2, 1)), serial(date(2025, 1, 5)), 1, 2],
        ["1-1-201", "物业费", 1, serial(date(2025, 12, 1)), serial(date(2026, 1, 1)), serial(date(2025, 1, 5)), 1, 1],
        [
            "1-1-101",
            "物业费",
            1,
            serial(date(2026, 5, 1)),
            serial(date(2026, 6, 1)),
            serial(date(2026, 5, 5)),
            179,
            179,
        ],
    ]
    record = dry_run(admin, "fee_history", hc_sheet(rows))
    assert record["status"] == "invalid"
    found = {(e["row"], e["column"]) for e in record["errors"]}
    assert found == {
        (4, "房屋"),  # no building 9
        (5, "房屋"),  # no unit 2
        (6, "收费项目"),  # no such item
        (7, "结束时间"),  # mid-month end
        (8, "实缴金额"),  # paid more than due
        (9, "开始时间"),  # 2025-12 is on row 3 already
        (10, "开始时间"),  # the run of 2026-06 billed 101's May already
    }
    assert any("楼栋“9”" in e["message"] for e in record["errors"])
    assert _counts(ledger) == before


def test_opening_arrears_become_due_charges_in_the_arrears_list(client_for, ledger):
    admin = client_for(ledger, "admin")
    header = ["房屋", "收费项目", "开始时间", "结束时间", "欠费金额", "备注"]
    rows = [["1-1-201", "物业费", serial(date(2025, 7, 1)), serial(date(2025, 10, 1)), 537.0, "HC 欠费"]]
    record = dry_run(admin, "fee_arrears", xlsx(header, rows))
    assert record["status"] == "ready", record["errors"]
    assert (record["counts"]["charges"], record["counts"]["payments"]) == (3, 0)
    assert commit(admin, record)["status"] == "done"
    with tenant_context(ledger):
        line = next(iter(arrears(as_of=date(2026, 12, 1))))
        assert line.label.endswith("201") and line.total == D("537.00") and line.days_over_180 == D("537.00")
        assert not Payment.objects.exists()
    assert dry_run(admin, "fee_arrears", xlsx(header, rows))["counts"]["unchanged"] == 1


def test_permission_and_tenancy(client_for, ledger, company_b):
    content = hc_sheet(history())
    for username in ("guard", "cashier"):
        assert upload(client_for(ledger, username), "fee_history", content).status_code == 403
    other = dry_run(client_for(company_b, "admin"), "fee_history", content)
    assert other["status"] == "invalid" and other["counts"]["errors"] == 24  # company B has no such houses
    before = _counts(ledger)
    mine = dry_run(client_for(ledger, "admin"), "fee_history", content)
    assert client_for(company_b, "admin").post(f"/api/v1/imports/{mine['id']}/commit/").status_code == 404
    assert _counts(ledger) == before


def test_hc_vehicle_history_is_counted_as_not_imported_unless_a_house_is_named(client_for, ledger):
    """HC's 车辆缴费历史 names a plate (typed as a number in HC's own example): no module holds a
    vehicle's fees yet, so its rows are counted and named in the report, not guessed onto houses."""
    admin = client_for(ledger, "admin")
    header = [
        "车牌号",
        "收费项目",
        "缴费周期",
        "开始时间",
        "结束时间",
        "缴费时间",
        "应缴金额",
        "实缴金额",
        "收银员",
        "备注",
    ]
    paid = [serial(date(2025, 1, 1)), serial(date(2026, 1, 1)), serial(date(2025, 1, 1)), 1000.0, 1000.0, "张三"]
    rows = [[1.0, "物业费", 12.0, *paid, "手工导入"], ["京A12345", "物业费", 12.0, *paid, "手工导入"]]
    record = dry_run(admin, "fee_history", xlsx(header, rows))
    assert record["status"] == "ready", record["errors"]
    assert (record["counts"]["vehicles_not_imported"], record["counts"]["create"]) == (2, 0)
    done = commit(admin, record)
    assert done["status"] == "done" and "2 行车辆缴费历史" in done["message"]
    assert _counts(ledger)[:2] == (0, 0)
    # A row that names the house as well goes onto the house.
    with_house = xlsx(["房屋", *header], [["1-1-201", "京A12345", "物业费", 12.0, *paid, "车位费随房"]])
    record = dry_run(admin, "fee_history", with_house)
    assert (record["counts"]["create"], record["counts"]["charges"]) == (1, 12)


def _kept(company, record) -> bool:
    """Whether the dry run's rows are kept beside the upload (tenants.imports.services._keep)."""
    with tenant_context(company):
        stored = Import.objects.get(pk=record["id"]).file
        return stored.storage.exists(f"{stored.name.rpartition('/')[0]}/dry-run.kept")


def test_the_commit_plans_from_the_kept_dry_run_without_reading_the_file_again(client_for, ledger, monkeypatch):
    admin = client_for(ledger, "admin")
    record = dry_run(admin, "fee_history", hc_sheet(history()))
    assert record["status"] == "ready" and _kept(ledger, record)

    def unread(*args, **kwargs):
        raise AssertionError("the commit read the file again")

    monkeypatch.setattr(reading, "read_table", unread)
    done = commit(admin, record)
    assert done["status"] == "done", done
    assert (done["counts"]["create"], done["counts"]["charges"], done["counts"]["payments"]) == (24, 24, 24)
    assert _counts(ledger)[:2] == (24, 24) and not _kept(ledger, record)


def test_the_ledger_changing_after_the_dry_run_is_found_inside_the_commit_and_nothing_is_written(client_for, ledger):
    """The kept rows are planned again against the ledger as it is at the commit: a bill run that
    charged 101's months meanwhile makes the commit refuse them (nothing billed twice), all rows or none."""
    admin = client_for(ledger, "admin")
    record = dry_run(admin, "fee_history", hc_sheet(history()))
    assert record["status"] == "ready"
    with tenant_context(ledger):
        _run(Estate.objects.get(), date(2026, 1, 1))  # bills 101 from 2024-01 through 2026-01
    before = _counts(ledger)
    after = commit(admin, record)
    assert after["status"] == "invalid" and "数据已发生变化" in after["message"]
    assert {(e["row"], e["column"]) for e in after["errors"]} == {(2, "开始时间"), (3, "开始时间"), (4, "开始时间")}
    assert _counts(ledger) == before and not _kept(ledger, record)


@pytest.mark.parametrize("kind", ["fee_history", "fee_arrears", "meters", "fee_items"])
def test_each_kind_has_a_template_for_those_who_may_import_it(client_for, company_a, kind):
    response = client_for(company_a, "admin").get(f"/api/v1/imports/templates/{kind}/")
    assert response.status_code == 200, response.content
    assert client_for(company_a, "guard").get(f"/api/v1/imports/templates/{kind}/").status_code == 403
