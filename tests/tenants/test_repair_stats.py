"""Repair statistics (报修统计): every figure on a small set made by hand, worked out below, with the
edge cases (no due time, cancelled, a reopened order, months cut in Beijing time, another estate);
who may read it; another company's; the workbook; a query count that does not grow with the orders."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tenants.utils import tenant_context
from openpyxl import load_workbook

from accounts import services as account_services
from accounts.models import User
from tenants.estates import services as estate_services
from tenants.repairs.models import Status
from tests.conftest import PASSWORD
from tests.tenants.repair_orders import local, make_order, repair_world

pytestmark = pytest.mark.django_db

RANGE = "date_from=2026-01-01&date_to=2026-03-31"


def _handmade(company) -> dict:
    """The set, inside 2026-01-01 … 2026-03-31 unless said (Beijing times; h = hours):

    A filed 01-01 00:10 (16:10 UTC on 12-31: January here, December in UTC), accepted +2 h, completed
      01-02 00:10 (24 h), due 01-03, rating 5; 管道漏水, building 1, 赵师傅
    B filed 01-31 20:00, accepted 02-01 00:00 (4 h), completed 02-01 00:50 (4 h 50 m; January in UTC,
      February here), due 01-31 23:00 (missed), rating 3; 管道漏水, building 2, 钱师傅
    C filed 02-10 08:00, accepted +6 h, completed 02-12 08:00 (48 h), no due time, no rating; 灯具更换,
      building 1, 赵师傅
    D cancelled, filed 02-15: counts nowhere but `cancelled`
    E dispatched (open), filed 03-05, a public place (no house), 门窗, 钱师傅, never accepted
    F filed 03-31 20:00, accepted 21:00 (1 h), completed 23:30 (3.5 h), due 04-01 00:00 (met),
      rating 4; 门窗, building 1, 赵师傅
    G filed 04-01 00:10 (03-31 in UTC): outside the range
    H filed 2025-12-31 23:50 (outside), completed 01-02 10:00 (34 h 10 m), due 01-02 09:00 (missed),
      rating 1; 管道漏水, 赵师傅: counts for completion, SLA and ratings but not for volume
    I filed 03-08, completed 03-10 then reopened (dispatched again, completed_at kept): open, not finished;
      管道漏水, building 2, 钱师傅
    J in another estate of the company, filed and finished 01-20: only without ?estate
    """
    with tenant_context(company):
        world = repair_world()
        worker2 = account_services.create_user(
            username="repair2", name="钱师傅", roles=["repair_worker"], password=PASSWORD
        )
        make_order(
            world,
            filed=local("2026-01-01", "00:10"),
            accepted=local("2026-01-01", "02:10"),
            completed=local("2026-01-02", "00:10"),
            due=local("2026-01-03", "00:00"),
            rating=5,
        )
        make_order(
            world,
            filed=local("2026-01-31", "20:00"),
            accepted=local("2026-02-01", "00:00"),
            completed=local("2026-02-01", "00:50"),
            due=local("2026-01-31", "23:00"),
            rating=3,
            house=2,
            worker=worker2,
        )
        make_order(
            world,
            filed=local("2026-02-10", "08:00"),
            accepted=local("2026-02-10", "14:00"),
            completed=local("2026-02-12", "08:00"),
            category="lamp",
        )
        make_order(world, filed=local("2026-02-15"), status=Status.CANCELLED)
        make_order(
            world, filed=local("2026-03-05"), status=Status.DISPATCHED, category="doors", house=None, worker=worker2
        )
        make_order(
            world,
            filed=local("2026-03-31", "20:00"),
            accepted=local("2026-03-31", "21:00"),
            completed=local("2026-03-31", "23:30"),
            due=local("2026-04-01", "00:00"),
            rating=4,
            category="doors",
            house=1,
        )
        make_order(
            world,
            filed=local("2026-04-01", "00:10"),
            accepted=local("2026-04-01", "01:00"),
            completed=local("2026-04-01", "05:00"),
            rating=2,
        )
        make_order(
            world,
            filed=local("2025-12-31", "23:50"),
            completed=local("2026-01-02", "10:00"),
            due=local("2026-01-02", "09:00"),
            rating=1,
        )
        make_order(
            world,
            filed=local("2026-03-08"),
            status=Status.DISPATCHED,
            completed=local("2026-03-10"),
            house=3,
            worker=worker2,
        )
        other = estate_services.create_estate(name="别苑", actor=world["admin"])
        make_order(
            world, filed=local("2026-01-20", "09:00"), completed=local("2026-01-20", "10:00"), estate=other, house=None
        )
        world.update(worker2=worker2, other=other)
        return world


def _stats(client, query: str = RANGE):
    response = client.get(f"/api/v1/repair-stats/?{query}")
    assert response.status_code == 200, response.content
    return response.json()


def test_every_figure_on_the_handmade_set(company_a, client_for):
    world = _handmade(company_a)
    data = _stats(client_for(company_a, "dispatcher"), f"{RANGE}&estate={world['estate'].pk}")
    assert (data["date_from"], data["date_to"], data["estate"]) == ("2026-01-01", "2026-03-31", world["estate"].pk)
    assert data["totals"] == {"filed": 6, "cancelled": 1, "open": 2, "finished": 4}
    assert data["by_month"] == [
        {"month": "2026-01-01", "count": 2},
        {"month": "2026-02-01", "count": 1},
        {"month": "2026-03-01", "count": 3},
    ]
    assert [(r["name"], r["count"]) for r in data["by_category"]] == [
        ("水电 › 管道漏水", 3),
        ("门窗", 2),
        ("水电 › 灯具更换", 1),
    ]
    assert [(r["estate_name"], r["building_name"], r["count"]) for r in data["by_building"]] == [
        ("统计苑", "1栋", 3),
        ("统计苑", "2栋", 2),
        ("统计苑", None, 1),
    ]
    assert [(r["name"], r["count"], r["finished"]) for r in data["by_worker"]] == [
        (world["worker"].name, 3, 3),
        ("钱师傅", 3, 1),
    ]
    # accepted after 1, 2, 4, 6 h: median 3, p90 4 + 0.7 × 2; completed after 3.5, 4.83, 24, 34.17, 48 h
    assert data["durations"] == {
        "accept_count": 4,
        "accept_median_hours": "3.00",
        "accept_p90_hours": "5.40",
        "complete_count": 5,
        "complete_median_hours": "24.00",
        "complete_p90_hours": "42.47",
    }
    assert data["sla"] == {"met": 2, "total": 4, "percent": "50.0"}  # A, F met; B, H missed; C had none
    assert data["ratings"] == {
        "count": 4,
        "average": "3.25",
        "distribution": [{"rating": n, "count": 0 if n == 2 else 1} for n in range(1, 6)],
    }
    assert data["finished_by_month"] == [
        {
            "month": "2026-01-01",
            "finished": 2,
            "sla_met": 1,
            "sla_total": 2,
            "sla_met_percent": "50.0",
            "rating_count": 2,
            "rating_average": "3.00",
        },
        {
            "month": "2026-02-01",
            "finished": 2,
            "sla_met": 0,
            "sla_total": 1,
            "sla_met_percent": "0.0",
            "rating_count": 1,
            "rating_average": "3.00",
        },
        {
            "month": "2026-03-01",
            "finished": 1,
            "sla_met": 1,
            "sla_total": 1,
            "sla_met_percent": "100.0",
            "rating_count": 1,
            "rating_average": "4.00",
        },
    ]
    assert [(r["month"], r["rank"], r["name"], r["count"]) for r in data["top_categories_by_month"]] == [
        ("2026-01-01", 1, "水电 › 管道漏水", 2),
        ("2026-02-01", 1, "水电 › 灯具更换", 1),
        ("2026-03-01", 1, "门窗", 2),
        ("2026-03-01", 2, "水电 › 管道漏水", 1),
    ]


def test_the_whole_company_without_an_estate_and_empty_months(company_a, client_for):
    _handmade(company_a)
    client = client_for(company_a, "dispatcher")
    data = _stats(client)
    assert data["totals"]["filed"] == 7 and data["durations"]["complete_count"] == 6  # J counts
    assert {"estate_name": "别苑", "building": None} in [
        {"estate_name": r["estate_name"], "building": r["building"]} for r in data["by_building"]
    ]
    quiet = _stats(client, "date_from=2025-06-01&date_to=2025-08-15")
    assert [r["month"] for r in quiet["by_month"]] == ["2025-06-01", "2025-07-01", "2025-08-01"]
    assert quiet["totals"] == {"filed": 0, "cancelled": 0, "open": 0, "finished": 0}
    assert quiet["sla"]["percent"] is None and quiet["ratings"]["average"] is None
    assert quiet["durations"]["accept_median_hours"] is None
    assert quiet["finished_by_month"][0]["sla_met_percent"] is None


def test_the_default_range_is_the_last_twelve_months(company_a, client_for):
    data = _stats(client_for(company_a, "dispatcher"), "")
    today = timezone.localdate()
    assert data["date_to"] == today.isoformat()
    months = [r["month"] for r in data["by_month"]]
    assert len(months) == 12 and months[-1] == today.replace(day=1).isoformat()
    assert data["date_from"] == months[0]


def test_bad_queries_are_400_with_the_field(company_a, company_b, client_for):
    world = _handmade(company_a)
    client = client_for(company_a, "dispatcher")
    for query, name in [
        ("date_from=2026-13-01", "date_from"),
        ("date_from=2026-03-01&date_to=2026-02-01", "date_to"),
        ("date_from=2020-01-01&date_to=2026-01-01", "date_to"),
        ("date_from=1999-01-01&date_to=1999-02-01", "date_from"),
        ("estate=abc", "estate"),
        ("estate=0", "estate"),
        (f"estate={world['other'].pk + 1000}", "estate"),
    ]:
        response = client.get(f"/api/v1/repair-stats/?{query}")
        assert response.status_code == 400, query
        assert name in response.json()["fields"], (query, response.json())
    # another company's estate is one that does not exist here
    on_b = client_for(company_b, "dispatcher")
    response = on_b.get(f"/api/v1/repair-stats/?estate={world['estate'].pk}")
    assert response.status_code == 400 and "estate" in response.json()["fields"]


@pytest.mark.parametrize(
    ("username", "status"),
    [
        ("admin", 200),
        ("dispatcher", 200),
        ("service", 200),
        ("cashier", 200),  # analytics.view
        ("repair", 403),
        ("guard", 403),
    ],
)
def test_who_may_read_the_statistics(company_a, client_for, username, status):
    for fmt in ("", "&format=xlsx"):
        assert client_for(company_a, username).get(f"/api/v1/repair-stats/?{RANGE}{fmt}").status_code == status


def test_nobody_signed_in_and_owner_tokens_are_refused(company_a, client_for):
    assert client_for(company_a).get("/api/v1/repair-stats/").status_code in (401, 403)
    with tenant_context(company_a):
        owner = User.objects.create(username="owner-x", roles=["resident"])
        raw, _token = account_services.issue_token(user=owner, kind="sms")
    client = client_for(company_a)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert client.get("/api/v1/repair-stats/").status_code == 403


def test_another_company_sees_none_of_it(company_a, company_b, client_for):
    _handmade(company_a)
    data = _stats(client_for(company_b, "dispatcher"))
    assert data["totals"] == {"filed": 0, "cancelled": 0, "open": 0, "finished": 0}
    assert data["by_category"] == [] and data["by_worker"] == [] and data["ratings"]["count"] == 0
    alpha = client_for(company_a, "dispatcher")
    alpha.defaults["HTTP_HOST"] = f"{company_b.slug}.localhost"
    assert alpha.get("/api/v1/repair-stats/").status_code in (401, 403)


def _sheets(response) -> dict[str, list[list]]:
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.content), read_only=True)
    return {ws.title: [list(row) for row in ws.iter_rows(values_only=True)] for ws in book.worksheets}


def test_the_workbook_holds_the_same_figures(company_a, client_for):
    world = _handmade(company_a)
    client = client_for(company_a, "dispatcher")
    query = f"{RANGE}&estate={world['estate'].pk}"
    sheets = _sheets(client.get(f"/api/v1/repair-stats/?{query}&format=xlsx"))
    assert list(sheets) == ["概览", "按月", "按类别", "按楼栋", "按维修师傅", "评分分布", "每月高频类别"]
    summary = dict((row[0], row[1]) for row in sheets["概览"][1:])
    assert summary["报修量（不含已取消）"] == 6 and summary["已取消"] == 1
    assert summary["按时率（%）"] == 50 and summary["平均评分"] == 3.25
    assert summary["完工用时 P90（小时）"] == 42.47
    assert sheets["按月"][0][:3] == ["月份", "报修量", "完成"]
    assert sheets["按月"][1:] == [
        ["2026-01", 2, 2, 1, 2, 50, 2, 3],
        ["2026-02", 1, 2, 0, 1, 0, 1, 3],
        ["2026-03", 3, 1, 1, 1, 100, 1, 4],
    ]
    assert sheets["按类别"][1:] == [["水电 › 管道漏水", 3], ["门窗", 2], ["水电 › 灯具更换", 1]]
    assert sheets["按楼栋"][1:] == [["统计苑", "1栋", 3], ["统计苑", "2栋", 2], ["统计苑", "公共区域", 1]]
    assert sheets["评分分布"][1:] == [[1, 1], [2, 0], [3, 1], [4, 1], [5, 1]]
    assert sheets["每月高频类别"][-1] == ["2026-03", 2, "水电 › 管道漏水", 1]
    bad = client.get("/api/v1/repair-stats/?date_from=x&format=xlsx")
    assert bad.status_code == 400 and "date_from" in bad.json()["fields"]


def test_the_query_count_does_not_grow_with_the_orders(company_a, client_for):
    with tenant_context(company_a):
        world = repair_world()
    client = client_for(company_a, "dispatcher")
    counts = []
    for batch in (2, 12):
        with tenant_context(company_a):
            for n in range(batch):
                make_order(
                    world,
                    filed=local(f"2026-{1 + n % 3:02d}-0{1 + n % 9}"),
                    accepted=local(f"2026-{1 + n % 3:02d}-0{1 + n % 9}", "13:00"),
                    completed=local(f"2026-{1 + n % 3:02d}-0{1 + n % 9}", "18:00"),
                    rating=1 + n % 5,
                    category=("leak", "lamp", "doors")[n % 3],
                    house=n % 4,
                )
        with CaptureQueriesContext(connection) as queries:
            _stats(client)
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_months_follow_beijing_time_not_utc():
    """Period bounds are local midnights: 2026-03-01 starts at 2026-02-28 16:00 UTC."""
    from tenants.repairs.selectors_stats import Period

    period = Period(date_from=date(2026, 3, 1), date_to=date(2026, 3, 31))
    assert period.start.isoformat() == "2026-03-01T00:00:00+08:00"
    assert period.end.isoformat() == "2026-04-01T00:00:00+08:00"
    assert period.months() == [date(2026, 3, 1)]


def test_a_name_that_looks_like_a_number_does_not_break_the_workbook(company_a, client_for):
    """The sheet turns the API's decimal strings into numbers; a category named "1.²" passed
    str.isdigit() and then failed Decimal() (a 500 for the whole export)."""
    from tenants.repairs import services as repair_services

    with tenant_context(company_a):
        world = repair_world()
        repair_services.update_category(actor=world["admin"], category=world["doors"], name="1.²")
        make_order(world, filed=local("2026-02-10"), category="doors", completed=local("2026-02-11"))
    sheets = _sheets(client_for(company_a, "dispatcher").get(f"/api/v1/repair-stats/?{RANGE}&format=xlsx"))
    assert sheets["按类别"][1:] == [["1.²", 1]]
