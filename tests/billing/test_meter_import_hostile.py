"""Readings imports from files that lie or hurt: a CSV called .xlsx, a file of another type, a sheet
declaring the whole grid, a zip bomb, formulas and control characters in cells, the same meter and
day twice, a date in the future, readings below the last one (a turn of the dial, or a mistake held
for review), unknown meters and another company's meters. Each ends as a readable answer (a 400 at
upload, one file-level problem, or a problem per row); a file with any bad row writes nothing; the
same file imported again changes nothing."""

from __future__ import annotations

import io
from datetime import date, timedelta
from decimal import Decimal

import openpyxl
import pytest
from django_tenants.utils import tenant_context

from accounts.models import User
from billing.models import Meter, MeterReading
from billing.services import meters as services
from billing.services.common import today
from tenants.imports import reading
from tenants.imports.models import Import
from tests.billing import test_meter_import
from tests.billing.test_meter_import import HEADER, _imported
from tests.billing.test_meters import _place
from tests.tenants.conftest import eager  # noqa: F401 - the fixture, for the upload's tasks
from tests.tenants.test_import_hostile_files import _text, crafted_xlsx
from tests.tenants.test_imports import commit, csv_bytes, dry_run, upload, xlsx

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager")]

meters = test_meter_import.meters  # the fixture: W-1 (read 10 on 2025-01-31), W-2, time-of-use E-1
D = Decimal
GOOD = ["W-1", "水表", "2025-02-28", 20, None]
UNKNOWN = "系统中没有这个表号的该类型表具。"


def _readings(company) -> int:
    with tenant_context(company):
        return MeterReading.objects.count()


def _imports(company) -> int:
    with tenant_context(company):
        return Import.objects.count()


def _refused_commit(client, record) -> None:
    response = client.post(f"/api/v1/imports/{record['id']}/commit/")
    assert response.status_code == 409 and response.json()["code"] == "not_ready"


def _by_row(record) -> dict[tuple, str]:
    return {(e["row"], e["column"]): e["message"] for e in record["errors"]}


# --- files that lie about what they are --------------------------------------------------------------


def test_a_file_lying_about_its_type_is_refused_at_upload_with_a_reason(client_for, meters):
    admin = client_for(meters, "admin")
    before = (_readings(meters), _imports(meters))
    as_csv = csv_bytes(HEADER, [GOOD])
    for name, content, words in (
        ("抄表.xlsx", as_csv, "不是有效的 Excel (.xlsx) 文件"),  # a CSV renamed .xlsx
        ("抄表.xls", as_csv, "不是有效的 Excel (.xls) 文件"),
        ("抄表.txt", as_csv, "仅支持 Excel（.xlsx、.xls）和 CSV（.csv）文件"),
        ("抄表.xlsx.exe", xlsx(HEADER, [GOOD]), "仅支持"),
        ("抄表", xlsx(HEADER, [GOOD]), "仅支持"),
        ("抄表.xlsx", b"", "空文件"),
    ):
        response = upload(admin, "meter_readings", content, name)
        assert response.status_code == 400, (name, response.content)
        assert words in response.json()["fields"]["file"][0], (name, response.json())
    assert (_readings(meters), _imports(meters)) == before


def test_a_workbook_called_csv_is_read_as_the_workbook_it_is(client_for, meters):
    admin = client_for(meters, "admin")
    record = dry_run(admin, "meter_readings", xlsx(HEADER, [GOOD]), name="抄表.csv")
    assert record["status"] == "ready", record["errors"]


def _sheet(rows: list[list[str]], extra: str = "") -> str:
    header = '<row r="1">' + "".join(_text(None, title) for title in HEADER) + "</row>"
    body = "".join(
        f'<row r="{n}">' + "".join(_text(None, value) for value in row) + "</row>" for n, row in enumerate(rows, 2)
    )
    return header + body + extra


def test_a_sheet_declaring_the_whole_grid_is_one_readable_problem_and_writes_nothing(client_for, meters):
    admin = client_for(meters, "admin")
    before = _readings(meters)
    rows = _sheet([["W-1", "水表", "2025-02-28", "20"]], f'<row r="1048576">{_text("XFD1048576", "x")}</row>')
    record = dry_run(admin, "meter_readings", crafted_xlsx(rows, dimension="A1:XFD1048576"))
    assert record["status"] == "invalid" and record["job"]["status"] == "succeeded"
    [problem] = record["errors"]
    assert problem["row"] is None and "A1:XFD1048576" in problem["message"]
    _refused_commit(admin, record)
    assert _readings(meters) == before


def test_a_zip_bomb_is_one_readable_problem_and_writes_nothing(client_for, meters, monkeypatch):
    monkeypatch.setattr(reading, "MAX_UNPACKED_BYTES", 5_000_000)
    admin = client_for(meters, "admin")
    before = _readings(meters)
    content = crafted_xlsx(_sheet([["W-1", "水表", "2025-02-28", "20"]]), padding=20_000_000)
    assert len(content) < 100_000
    record = dry_run(admin, "meter_readings", content)
    assert record["status"] == "invalid"
    [problem] = record["errors"]
    assert problem["row"] is None and "解压后过大" in problem["message"]
    _refused_commit(admin, record)
    assert _readings(meters) == before


def test_a_hand_written_sheet_of_readings_within_the_caps_imports(client_for, meters):
    admin = client_for(meters, "admin")
    record = dry_run(admin, "meter_readings", crafted_xlsx(_sheet([["W-2", "水表", "2025-02-28", "7.5"]])))
    assert record["status"] == "ready", record["errors"]
    assert commit(admin, record)["status"] == "done"
    assert _imported(meters) == [("W-2", "total", date(2025, 2, 28), D("7.50"), "admin")]


# --- cells that lie or hurt --------------------------------------------------------------------------


def test_formulas_and_control_characters_in_cells_are_reported_per_row_and_the_report_is_inert(client_for, meters):
    admin = client_for(meters, "admin")
    rows = [
        GOOD,  # 2: fine
        ["=W-1", "水表", "2025-02-28", 20, None],  # 3: formula-like number
        ["W-\x01", "水表", "2025-02-28", 20, None],  # 4: a control character
        ["W-2", "水表", "2025-02-28", "=1+1", None],  # 5: formula-like reading
        ["W-2", "@SUM(A1)", "2025-02-28", 5, None],  # 6: formula-like kind
        ["W-2", "水表", "+2025-02-28", 5, None],  # 7: formula-like date
    ]
    record = dry_run(admin, "meter_readings", csv_bytes(HEADER, rows), name="抄表.csv")
    assert record["status"] == "invalid"
    by_row = _by_row(record)
    assert by_row[(3, "表号")] == UNKNOWN and by_row[(4, "表号")] == UNKNOWN
    assert by_row[(5, "本期读数")] == "须为数字。"
    assert set(by_row) == {(3, "表号"), (4, "表号"), (5, "本期读数"), (6, "表具类型"), (7, "抄表日期")}
    assert all(message.strip() for message in by_row.values())
    assert record["counts"]["create"] == 1 and record["counts"]["errors"] == 5
    _refused_commit(admin, record)
    assert _imported(meters) == []  # not even row 2: all or nothing

    report = admin.get(record["report_url"])
    assert report.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(report.content)).worksheets[0]
    cells = {cell.coordinate: cell for row in sheet.iter_rows() for cell in row}
    for coordinate, text in (("A3", "=W-1"), ("D5", "=1+1"), ("B6", "@SUM(A1)"), ("C7", "+2025-02-28")):
        cell = cells[coordinate]
        assert (cell.value, cell.data_type, cell.quotePrefix) == (text, "s", True), coordinate
    assert cells["A4"].value == "W-\ufffd"
    assert not any(cell.data_type == "f" for cell in cells.values())


def test_a_live_formula_in_a_workbook_is_not_taken_for_its_text(client_for, meters):
    """A formula cell has no value of its own until Excel computes it: its text is not a meter number."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(HEADER)
    sheet.append(["W-1", "水表", "2025-02-28", "=10+10", None])
    buffer = io.BytesIO()
    workbook.save(buffer)
    admin = client_for(meters, "admin")
    record = dry_run(admin, "meter_readings", buffer.getvalue())
    assert record["status"] == "invalid"
    assert [(e["row"], e["column"]) for e in record["errors"]] == [(2, "本期读数")]
    assert _imported(meters) == []


# --- rows that contradict each other, the calendar, the meter or the company -------------------------


def test_every_bad_row_is_named_and_any_of_them_keeps_the_whole_file_out(client_for, meters, company_b):
    with tenant_context(company_b):
        _building, houses = _place(name="贝塔花园")
        services.create_meter(kind="water", number="B-1", house=houses[0], actor=User.objects.get(username="admin"))
    tomorrow = today() + timedelta(days=1)
    rows = [
        GOOD,  # 2: fine
        ["W-1", "水表", "2025-02-28", 21, None],  # 3: the same meter and day as row 2
        ["W-2", "水表", tomorrow.isoformat(), 5, None],  # 4: in the future
        ["W-404", "水表", "2025-02-28", 5, None],  # 5: no such meter
        ["B-1", "水表", "2025-02-28", 5, None],  # 6: another company's meter: unknown here
        ["W-1", "电表", "2025-03-31", 30, None],  # 7: a number of another kind: unknown
        ["E-1", "电表", "2025-02-28", 8, "尖峰"],  # 8: no such register
        ["W-2", "水表", "2025-02-28", 5, "峰"],  # 9: peak on a meter that is not time-of-use
        ["W-2", "水表", "2025-02-28", 5, None],  # 10: fine
    ]
    admin = client_for(meters, "admin")
    record = dry_run(admin, "meter_readings", xlsx(HEADER, rows))
    assert record["status"] == "invalid"
    by_row = _by_row(record)
    assert by_row == {
        (3, "抄表日期"): "与第 2 行是同一表、同一天的读数。",
        (4, "抄表日期"): "抄表日期不能晚于今天。",
        (5, "表号"): UNKNOWN,
        (6, "表号"): UNKNOWN,
        (7, "表号"): UNKNOWN,
        (8, "计度器"): by_row[(8, "计度器")],
        (9, "计度器"): "该表不是峰谷表，只能录入总读数。",
    }
    assert by_row[(8, "计度器")].startswith("须为以下之一：") and "峰" in by_row[(8, "计度器")]
    assert record["counts"]["create"] == 2 and record["counts"]["errors"] == 7
    # Another company's meter is never "found": its message is the unknown meter's, word for word.
    assert "B-1" not in str(record["errors"]) and by_row[(6, "表号")] == by_row[(5, "表号")]
    _refused_commit(admin, record)
    assert _imported(meters) == [] and _imported(company_b) == []
    # Uploaded again, the same file is the same report and still writes nothing.
    again = dry_run(admin, "meter_readings", xlsx(HEADER, rows))
    assert _by_row(again) == by_row
    _refused_commit(admin, again)
    assert _imported(meters) == []


def test_a_lower_reading_is_a_turn_of_the_dial_only_on_a_meter_with_a_full_scale(client_for, meters):
    """Below the last reading: on a dial with a full scale, within half a turn, the dial went round
    (usage counted across zero); otherwise the usage is negative and the reading is held for review,
    not refused — the reader may have misread, or the meter was replaced."""
    with tenant_context(meters):
        admin_user = User.objects.get(username="admin")
        house = Meter.objects.get(number="W-2").house
        dial = services.create_meter(kind="water", number="R-1", house=house, rollover_at=D("9999"), actor=admin_user)
        far = services.create_meter(kind="water", number="R-2", house=house, rollover_at=D("9999"), actor=admin_user)
        services.record_reading(meter=dial, read_on=date(2025, 1, 31), current=D("9990"), actor=admin_user)
        services.record_reading(meter=far, read_on=date(2025, 1, 31), current=D("4000"), actor=admin_user)
    rows = [
        ["R-1", "水表", "2025-02-28", 5, None],  # 9990 → 5: round the dial, usage 15
        ["R-2", "水表", "2025-02-28", 100, None],  # 4000 → 100: round the dial would be 6,100, over half a turn: held
        ["W-1", "水表", "2025-02-28", 4, None],  # 10 → 4, no full scale: negative, held
        ["R-1", "水表", "2025-03-31", 10000, None],  # above the full scale: refused
    ]
    admin = client_for(meters, "admin")
    refused = dry_run(admin, "meter_readings", xlsx(HEADER, rows))
    assert _by_row(refused) == {(5, "本期读数"): "本期读数不能大于满量程 9999.00。"}
    _refused_commit(admin, refused)
    assert _imported(meters) == []

    record = dry_run(admin, "meter_readings", xlsx(HEADER, rows[:3]))
    assert record["status"] == "ready", record["errors"]
    done = commit(admin, record)
    assert done["status"] == "done" and done["counts"]["held"] == 2
    with tenant_context(meters):
        got = {
            r.meter.number: (r.usage, r.rolled_over, r.status)
            for r in MeterReading.objects.filter(source="import").select_related("meter")
        }
    assert got == {
        "R-1": (D("15.00"), True, "ok"),
        "R-2": (D("-3900.00"), False, "held"),
        "W-1": (D("-6.00"), False, "held"),
    }
    # The same file once more changes nothing: every row is now no later than its meter's last reading.
    count = _readings(meters)
    repeat = dry_run(admin, "meter_readings", xlsx(HEADER, rows[:3]))
    assert repeat["status"] == "invalid" and repeat["counts"]["errors"] == 3
    assert {e["message"] for e in repeat["errors"]} == {"抄表日期须晚于上次抄表日期 2025-02-28。"}
    _refused_commit(admin, repeat)
    assert _readings(meters) == count
