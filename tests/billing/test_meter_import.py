"""Meter readings imported from Excel through the import framework (the kind `meter_readings`):
template, dry run, all-or-nothing commit, held readings, permissions per kind, and tenancy."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from urllib.parse import unquote

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django_tenants.utils import tenant_context

from accounts.models import AuditEvent, User
from billing.models import Meter, MeterReading, ReadingStatus
from billing.services import meter_import
from billing.services import meters as services
from core.errors import DomainError
from tests.billing.test_meters import _place
from tests.tenants.conftest import eager  # noqa: F401 - the fixture, for the upload's tasks
from tests.tenants.test_imports import HOUSE_HEADER, HOUSES, commit, dry_run, upload, xlsx

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager")]

D = Decimal
HEADER = ["表号", "表具类型", "抄表日期", "本期读数", "计度器"]


@pytest.fixture
def meters(company_a):
    """W-1 read by hand on 2025-01-31 (10); W-2 never read; E-1 a time-of-use electricity meter."""
    with tenant_context(company_a):
        _building, houses = _place()
        admin = User.objects.get(username="admin")
        water = services.create_meter(kind="water", number="W-1", house=houses[0], actor=admin)
        services.record_reading(meter=water, read_on=date(2025, 1, 31), current=D("10"), actor=admin)
        services.create_meter(kind="water", number="W-2", house=houses[1], actor=admin)
        services.create_meter(kind="electricity", number="E-1", house=houses[2], time_of_use=True, actor=admin)
    return company_a


def _imported(company) -> list[tuple]:
    with tenant_context(company):
        return list(
            MeterReading.objects.filter(source="import")
            .order_by("meter__number", "register", "read_on")
            .values_list("meter__number", "register", "read_on", "current", "reader__username")
        )


def test_the_template_has_the_reading_columns_and_notes(client_for, meters):
    for username in ("admin", "repair", "cashier"):
        response = client_for(meters, username).get("/api/v1/imports/templates/meter_readings/")
        assert response.status_code == 200, (username, response.content)
        assert "抄表数据导入模板" in unquote(response["Content-Disposition"])
        data, notes = openpyxl.load_workbook(io.BytesIO(response.content)).worksheets
        assert data.title == "抄表数据" and [c.value for c in data[1]] == HEADER
        assert data.max_row == 2 and data["C2"].is_date
        assert notes.title == "填写说明" and [c.value for c in notes["A"]][1:6] == HEADER
        assert any("挂起" in (c.value or "") for c in notes["A"])
    for username in ("guard", "service", "dispatcher"):
        assert client_for(meters, username).get("/api/v1/imports/templates/meter_readings/").status_code == 403


def test_the_dry_run_reports_each_bad_row_readably_and_writes_nothing(client_for, meters):
    admin = client_for(meters, "admin")
    rows = [
        ["W-1", "水表", "2025-02-28", 20, None],  # 2: fine
        ["W-404", "水表", "2025-02-28", 5, None],  # 3: no such meter
        ["W-1", "水表", "2025-01-31", 15, None],  # 4: not after the last reading
        ["W-2", "水表", "2025-02-28", -5, None],  # 5: negative
        ["W-2", "水表", "2025-02-28", None, None],  # 6: empty reading
        ["W-1", "水表", date(2025, 2, 28), "20", "总"],  # 7: the same meter and day as row 2
        ["E-1", "电表", "2025/2/28", "1,234.5", "峰"],  # 8: fine
    ]
    record = dry_run(admin, "meter_readings", xlsx(HEADER, rows))
    assert record["status"] == "invalid" and record["kind_label"] == "抄表数据"
    assert record["counts"] == {
        "rows": 7,
        "create": 2,
        "update": 0,
        "unchanged": 0,
        "errors": 5,
        "blank_rows": 0,
    }
    by_row = {(e["row"], e["column"]): e["message"] for e in record["errors"]}
    assert by_row == {
        (3, "表号"): "系统中没有这个表号的该类型表具。",
        (4, "抄表日期"): "抄表日期须晚于上次抄表日期 2025-01-31。",
        (5, "本期读数"): "须为不小于 0 的数字。",
        (6, "本期读数"): "必填，不能为空。",
        (7, "抄表日期"): "与第 2 行是同一表、同一天的读数。",
    }
    assert record["error_total"] == 5 and record["can_commit"] is False
    report = admin.get(record["report_url"])
    assert report.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(report.content)).worksheets[0]
    assert sheet["F1"].value == "错误说明" and "系统中没有这个表号" in sheet["F3"].value
    assert admin.post(f"/api/v1/imports/{record['id']}/commit/").status_code == 409
    assert _imported(meters) == []


def test_an_english_uploader_gets_the_readings_problems_in_english(client_for, meters):
    admin = client_for(meters, "admin")
    english = {"HTTP_ACCEPT_LANGUAGE": "en"}
    rows = [
        ["W-404", "水表", "2025-02-28", 5, None],  # 2: no such meter
        ["W-2", "水表", "2025-02-28", -5, None],  # 3: negative
        ["W-2", "水表", "2025-02-30", 5, None],  # 4: no such date
        ["W-1", "水表", "2025-01-31", 15, None],  # 5: not after the last reading
    ]
    response = admin.post(
        "/api/v1/imports/",
        {"kind": "meter_readings", "file": SimpleUploadedFile("readings.xlsx", xlsx(HEADER, rows))},
        format="multipart",
        **english,
    )
    assert response.status_code == 202, response.content
    record = admin.get(f"/api/v1/imports/{response.json()['id']}/", **english).json()
    by_row = {(e["row"], e["column"]): e["message"] for e in record["errors"]}
    assert by_row[(2, "表号")] == "No meter of this type has this meter number."
    assert by_row[(3, "本期读数")] == "Must be a number not less than 0."
    assert by_row[(4, "抄表日期")] == "No such date; please check the year, month and day."
    assert "2025-01-31" in by_row[(5, "抄表日期")] and not any("须" in m for m in by_row.values())
    template = admin.get("/api/v1/imports/templates/meter_readings/", **english)
    _data, notes = openpyxl.load_workbook(io.BytesIO(template.content)).worksheets
    assert [c.value for c in notes[2]] == [
        "表号",
        "Yes",
        "A meter number registered in the system. (also written: 表编号、表具编号、仪表编号)",
    ]


def test_the_commit_writes_every_row_reports_held_ones_and_runs_once(client_for, meters):
    with tenant_context(meters):
        admin = User.objects.get(username="admin")
        water = Meter.objects.get(number="W-1")
        for day, current in ((date(2025, 2, 28), "20"), (date(2025, 3, 31), "30")):
            services.record_reading(meter=water, read_on=day, current=D(current), actor=admin)
    repair = client_for(meters, "repair")  # meters.read: reads meters, so imports readings
    rows = [
        ["W-1", "水表", "2025-05-31", 1000, None],  # usage 970 over an average of 10: held
        ["W-1", "水表", "2025-04-30", 40, None],  # earlier in time, later in the file: read first
        ["W-2", "水", "2025-04-30", 0, None],
        ["E-1", "电表", "2025-04-30", 12, "峰"],
        ["E-1", "电表", "2025-04-30", 8, "谷"],
    ]
    record = dry_run(repair, "meter_readings", xlsx(HEADER, rows))
    assert record["status"] == "ready", record["errors"]
    assert record["counts"]["create"] == 5
    done = commit(repair, record)
    assert done["status"] == "done" and done["counts"]["held"] == 1 and done["counts"]["create"] == 5
    assert done["message"].startswith("导入完成。") and "1 条读数用量异常" in done["message"]
    assert _imported(meters) == [
        ("E-1", "peak", date(2025, 4, 30), D("12.00"), "repair"),
        ("E-1", "valley", date(2025, 4, 30), D("8.00"), "repair"),
        ("W-1", "total", date(2025, 4, 30), D("40.00"), "repair"),
        ("W-1", "total", date(2025, 5, 31), D("1000.00"), "repair"),
        ("W-2", "total", date(2025, 4, 30), D("0.00"), "repair"),
    ]
    with tenant_context(meters):
        held = MeterReading.objects.get(status=ReadingStatus.HELD)
        assert (held.read_on, held.previous) == (date(2025, 5, 31), D("40.00"))
        repair_user = User.objects.get(username="repair")
        records = AuditEvent.objects.filter(action="meter_reading.record", actor=repair_user)
        assert records.count() == 5
        assert AuditEvent.objects.get(action="import.commit", object_id=str(record["id"])).actor == repair_user
    # Committing again, or the commit task delivered twice, writes nothing more.
    again = repair.post(f"/api/v1/imports/{record['id']}/commit/")
    assert again.status_code == 409 and again.json()["code"] == "not_ready"
    from tenants.imports import tasks

    with tenant_context(meters):
        tasks.commit_import(import_id=record["id"])
    assert len(_imported(meters)) == 5
    # The same file once more: every row is now not after its meter's last reading.
    repeat = dry_run(repair, "meter_readings", xlsx(HEADER, rows))
    assert repeat["status"] == "invalid" and repeat["counts"]["errors"] == 5


def test_a_reading_taken_by_hand_after_the_dry_run_makes_the_commit_write_nothing(client_for, meters):
    admin = client_for(meters, "admin")
    rows = [["W-2", "水表", "2025-02-28", 5, None], ["W-1", "水表", "2025-02-28", 20, None]]
    record = dry_run(admin, "meter_readings", xlsx(HEADER, rows))
    assert record["status"] == "ready", record["errors"]
    with tenant_context(meters):
        services.record_reading(
            meter=Meter.objects.get(number="W-1"),
            read_on=date(2025, 2, 28),
            current=D("19"),
            actor=User.objects.get(username="cashier"),
        )
    after = commit(admin, record)
    assert after["status"] == "invalid" and "数据已发生变化" in after["message"]
    assert after["errors"] == [{"row": 3, "column": "抄表日期", "message": "抄表日期须晚于上次抄表日期 2025-02-28。"}]
    assert after["job"]["status"] == "failed"
    assert _imported(meters) == []  # not even W-2's row


def test_a_row_the_writer_refuses_after_the_recheck_rolls_back_every_row(client_for, meters, monkeypatch):
    """A reading taken by hand between the commit's re-check and its write: record_reading refuses
    the row. The framework's answer is the stale dry run's, not an unexpected failure."""
    real = meter_import.record_reading
    calls = []

    def refusing_the_second(**kwargs):
        calls.append(kwargs["meter"].number)
        if len(calls) == 2:
            raise DomainError("抄表日期须晚于上次抄表日期 2025-02-28。", fields={"read_on": ["…"]})
        return real(**kwargs)

    admin = client_for(meters, "admin")
    rows = [["W-1", "水表", "2025-02-28", 20, None], ["W-2", "水表", "2025-02-28", 5, None]]
    record = dry_run(admin, "meter_readings", xlsx(HEADER, rows))
    assert record["status"] == "ready", record["errors"]
    monkeypatch.setattr(meter_import, "record_reading", refusing_the_second)
    after = commit(admin, record)
    assert len(calls) == 2
    assert after["status"] == "invalid" and "数据已发生变化" in after["message"]
    assert after["errors"] == [{"row": None, "column": None, "message": "抄表日期须晚于上次抄表日期 2025-02-28。"}]
    assert after["job"]["status"] == "failed"
    assert _imported(meters) == []  # the first row, written before the refusal, is rolled back too
    with tenant_context(meters):
        assert not AuditEvent.objects.filter(action="import.commit").exists()
        assert not AuditEvent.objects.filter(action="import.failed").exists()


def test_each_kind_needs_its_own_permission(client_for, meters):
    admin, repair = client_for(meters, "admin"), client_for(meters, "repair")
    guard, service = client_for(meters, "guard"), client_for(meters, "service")
    readings = xlsx(HEADER, [["W-1", "水表", "2025-02-28", 20, None]])
    houses = dry_run(admin, "houses", xlsx(HOUSE_HEADER, HOUSES))
    mine = dry_run(repair, "meter_readings", readings)
    assert mine["status"] == "ready", mine["errors"]
    # A meter reader imports readings, never houses: no upload, template, record or commit of them.
    refused = upload(repair, "houses", xlsx(HOUSE_HEADER, HOUSES))
    assert refused.status_code == 403
    assert repair.get("/api/v1/imports/templates/houses/").status_code == 403
    assert repair.get(f"/api/v1/imports/{houses['id']}/").status_code == 403
    assert repair.post(f"/api/v1/imports/{houses['id']}/commit/").status_code == 403
    assert repair.get(f"/api/v1/imports/{houses['id']}/file/").status_code == 403
    assert [r["id"] for r in repair.get("/api/v1/imports/").json()["results"]] == [mine["id"]]
    assert repair.get("/api/v1/imports/?kind=houses").json()["count"] == 0
    # Basic-data staff import houses, not readings.
    assert upload(service, "meter_readings", readings).status_code == 403
    assert service.get(f"/api/v1/imports/{mine['id']}/").status_code == 403
    assert service.post(f"/api/v1/imports/{mine['id']}/commit/").status_code == 403
    assert [r["id"] for r in service.get("/api/v1/imports/").json()["results"]] == [houses["id"]]
    # A guard holds no import permission at all.
    for response in (
        upload(guard, "meter_readings", readings),
        upload(guard, "parking", readings),
        guard.get("/api/v1/imports/"),
        guard.get("/api/v1/imports/templates/meter_readings/"),
        guard.get("/api/v1/imports/templates/parking/"),
        guard.get(f"/api/v1/imports/{mine['id']}/"),
        guard.post(f"/api/v1/imports/{mine['id']}/commit/"),
    ):
        assert response.status_code == 403
    # Unknown kinds fail closed for those who may import something.
    assert upload(repair, "parking", readings).json()["code"] == "unknown_kind"
    assert repair.get("/api/v1/imports/templates/parking/").status_code == 404
    # The admin holds every kind's permission; the reader commits their own file.
    assert {r["kind"] for r in admin.get("/api/v1/imports/").json()["results"]} == {"houses", "meter_readings"}
    assert [r["id"] for r in admin.get("/api/v1/imports/?kind=meter_readings").json()["results"]] == [mine["id"]]
    assert admin.get("/api/v1/imports/?kind=parking").status_code == 400
    assert commit(repair, mine)["status"] == "done"
    with tenant_context(meters):
        assert not MeterReading.objects.filter(source="import").exclude(reader__username="repair").exists()


def test_another_companys_meter_numbers_do_not_match(client_for, meters, company_b):
    with tenant_context(company_b):
        _building, houses = _place(name="贝塔花园")
        admin_b = User.objects.get(username="admin")
        services.create_meter(kind="water", number="B-1", house=houses[0], actor=admin_b)
    rows = [["B-1", "水表", "2025-02-28", 5, None]]
    on_a = dry_run(client_for(meters, "admin"), "meter_readings", xlsx(HEADER, rows))
    assert on_a["status"] == "invalid"
    assert on_a["errors"] == [{"row": 2, "column": "表号", "message": "系统中没有这个表号的该类型表具。"}]
    on_b = dry_run(client_for(company_b, "admin"), "meter_readings", xlsx(HEADER, [["W-1", "水表", "2025-02-28", 5]]))
    assert on_b["status"] == "invalid" and on_b["errors"][0]["column"] == "表号"
    ready_b = dry_run(client_for(company_b, "admin"), "meter_readings", xlsx(HEADER, rows))
    assert commit(client_for(company_b, "admin"), ready_b)["status"] == "done"
    assert _imported(meters) == []
    assert [row[0] for row in _imported(company_b)] == ["B-1"]


def test_a_meter_number_typed_full_width_finds_its_meter(client_for, meters):
    """Numbers are stored normalised; a clerk's IME typing 'Ｗ－２' means W-2."""
    repair = client_for(meters, "repair")
    record = dry_run(repair, "meter_readings", xlsx(HEADER, [["Ｗ-２ ", "水表", "2025-04-30", 3, None]]))
    assert record["status"] == "ready", record["errors"]
    commit(repair, record)
    assert [row[:4] for row in _imported(meters)] == [("W-2", "total", date(2025, 4, 30), D("3.00"))]
