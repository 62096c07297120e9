"""HC's 房屋缴费历史, 欠费 and 水电表 files name no estate: the upload of `fee_history`, `fee_arrears` and
`meters` may choose one (optional), and the rows' houses are then found in it — the 小区 column
optional, and a row naming another estate refused in that column. Without a chosen estate a file
whose houses several estates share is told, once, to choose one. The commit that plans from the kept
dry run plans in the same estate. An estate of another company is no estate here (400)."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django_tenants.utils import tenant_context

from billing.models import Charge, Meter, Payment
from billing.services import history_plan
from billing.services.history_rows import HISTORY, Parsed, pack
from tenants.estates.models import Estate
from tenants.imports import reading
from tests.billing.test_bill_runs import _fee
from tests.billing.test_history_import import HC_HEADER as HISTORY_HEADER
from tests.billing.test_history_import import hc_sheet, history, serial
from tests.billing.test_meter_setup_import import HC_HEADER as METER_HEADER
from tests.billing.test_meter_setup_import import ROWS as METER_ROWS
from tests.billing.test_meters import _place
from tests.tenants.conftest import eager  # noqa: F401 - the fixture, for the upload's tasks
from tests.tenants.test_imports import commit, xlsx

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager")]

ARREARS_HEADER = ["房屋", "收费项目", "开始时间", "结束时间", "欠费金额", "备注"]
ARREARS_ROWS = [["1-1-201", "物业费", serial(date(2025, 7, 1)), serial(date(2025, 10, 1)), 537.0, "HC 欠费"]]


@pytest.fixture
def two_estates(company_a):
    """翠湖苑 and 锦绣园, each with 1栋 1单元 101/201/301 (the same references in both); 物业费
    2 元/㎡/月, assigned to no house. Returns (company, 翠湖苑's id, 锦绣园's id)."""
    with tenant_context(company_a):
        _place("翠湖苑")
        _place("锦绣园")
        _fee(name="物业费", price="2.0000", start=date(2024, 1, 1))
        ids = dict(Estate.objects.values_list("name", "id"))
    return company_a, ids["翠湖苑"], ids["锦绣园"]


def upload(client, kind, content, estate):
    data = {"kind": kind, "file": SimpleUploadedFile("data.xlsx", content)}
    if estate is not None:
        data["estate"] = estate
    return client.post("/api/v1/imports/", data, format="multipart")


def dry_run(client, kind, content, estate):
    response = upload(client, kind, content, estate)
    assert response.status_code == 202, response.content
    return client.get(f"/api/v1/imports/{response.json()['id']}/").json()


def _charges(company):
    with tenant_context(company):
        return sorted(set(Charge.objects.values_list("house__estate__name", "house__number")))


FILES = {
    "fee_history": lambda: hc_sheet(history(months=2)),
    "fee_arrears": lambda: xlsx(ARREARS_HEADER, ARREARS_ROWS),
    "meters": lambda: xlsx(METER_HEADER, METER_ROWS),
}


@pytest.mark.parametrize("kind", sorted(FILES))
def test_without_a_chosen_estate_a_file_of_houses_several_estates_share_is_told_once_to_choose(
    client_for, two_estates, kind
):
    company, _cuihu, _jinxiu = two_estates
    record = dry_run(client_for(company, "admin"), kind, FILES[kind](), None)
    assert record["status"] == "invalid"
    whole_file = [e for e in record["errors"] if e["row"] is None]
    assert len(whole_file) == 1 and "请在上传时选择要导入到哪个小区" in whole_file[0]["message"]
    assert "翠湖苑、锦绣园" in whole_file[0]["message"]
    rows = [e for e in record["errors"] if e["row"] is not None]
    assert rows and all(e["column"] == "小区" and "多个小区" in e["message"] for e in rows)


def test_fee_history_in_the_chosen_estate_without_a_column_and_the_commit_plans_in_it(
    client_for, two_estates, monkeypatch
):
    company, _cuihu, jinxiu = two_estates
    admin = client_for(company, "admin")
    record = dry_run(admin, "fee_history", hc_sheet(history(months=2)), jinxiu)
    assert record["status"] == "ready", record["errors"]
    assert (record["estate"], record["estate_name"]) == (jinxiu, "锦绣园")
    assert (record["counts"]["create"], record["counts"]["charges"], record["counts"]["payments"]) == (4, 4, 4)
    assert _charges(company) == []

    def unread(*args, **kwargs):
        raise AssertionError("the commit read the file again")

    monkeypatch.setattr(reading, "read_table", unread)  # the commit plans from the kept dry run
    done = commit(admin, record)
    assert done["status"] == "done", done
    assert _charges(company) == [("锦绣园", "101"), ("锦绣园", "201")]
    with tenant_context(company):
        assert set(Payment.objects.values_list("house__estate__name", flat=True)) == {"锦绣园"}


def test_arrears_in_the_chosen_estate_and_a_column_that_agrees_is_accepted(client_for, two_estates):
    company, cuihu, _jinxiu = two_estates
    admin = client_for(company, "admin")
    header = [*ARREARS_HEADER, "小区"]
    rows = [
        [*ARREARS_ROWS[0], "翠湖苑"],
        ["1-1-301", "物业费", serial(date(2025, 9, 1)), serial(date(2025, 10, 1)), 60],
    ]
    record = dry_run(admin, "fee_arrears", xlsx(header, rows), cuihu)
    assert record["status"] == "ready", record["errors"]
    assert record["counts"]["charges"] == 4
    assert commit(admin, record)["status"] == "done"
    assert _charges(company) == [("翠湖苑", "201"), ("翠湖苑", "301")]


def test_meters_in_the_chosen_estate(client_for, two_estates):
    company, _cuihu, jinxiu = two_estates
    admin = client_for(company, "admin")
    record = dry_run(admin, "meters", xlsx(METER_HEADER, METER_ROWS), jinxiu)
    assert record["status"] == "ready", record["errors"]
    assert commit(admin, record)["status"] == "done"
    with tenant_context(company):
        placed = sorted(Meter.objects.values_list("number", "house__estate__name", "house__number"))
    assert placed == [("1212", "锦绣园", "101"), ("E-0101", "锦绣园", "101"), ("W-0201", "锦绣园", "201")]


@pytest.mark.parametrize("kind", sorted(FILES))
def test_a_row_naming_another_estate_is_refused_in_its_column(client_for, two_estates, kind):
    company, cuihu, jinxiu = two_estates
    with tenant_context(company):
        Estate.objects.create(name="别的小区")  # no house of the file's: still not the chosen one
    if kind == "fee_history":
        header = [*HISTORY_HEADER, "小区"]
        rows = [[*row, estate] for row, estate in zip(history(("1-1-101",), 2), ("锦绣园", "翠湖苑"), strict=True)]
    elif kind == "fee_arrears":
        header = [*ARREARS_HEADER, "小区"]
        rows = [[*ARREARS_ROWS[0], "锦绣园"], ["1-1-101", *ARREARS_ROWS[0][1:], "别的小区"]]
    else:
        header = [*METER_HEADER, "小区"]
        rows = [[*METER_ROWS[0], "锦绣园"], [*METER_ROWS[1], "翠湖苑"]]
    record = dry_run(client_for(company, "admin"), kind, xlsx(header, rows), jinxiu)
    assert record["status"] == "invalid"
    assert [(e["row"], e["column"]) for e in record["errors"]] == [(3, "小区")]
    assert "不是上传时选择的小区“锦绣园”" in record["errors"][0]["message"]
    assert record["counts"]["create"] == 1  # the row of the chosen estate passes
    assert _charges(company) == [] and cuihu


def test_an_estate_the_company_does_not_have(client_for, two_estates):
    company, _cuihu, _jinxiu = two_estates
    admin = client_for(company, "admin")
    header = [*ARREARS_HEADER, "小区"]
    record = dry_run(admin, "fee_arrears", xlsx(header, [[*ARREARS_ROWS[0], "不存在小区"]]), None)
    assert record["status"] == "invalid"
    assert [(e["row"], e["column"]) for e in record["errors"]] == [(2, "小区")]
    assert "系统中没有小区“不存在小区”" in record["errors"][0]["message"]
    with tenant_context(company):
        missing = Estate.objects.order_by("-pk").first().pk + 1000
    refused = upload(admin, "fee_arrears", xlsx(ARREARS_HEADER, ARREARS_ROWS), missing)
    assert refused.status_code == 400 and refused.json()["fields"]["estate"] == ["小区不存在。"]


@pytest.mark.parametrize("kind", sorted(FILES))
def test_another_companys_estate_is_refused_never_resolved(client_for, two_estates, company_b, kind):
    company, _cuihu, _jinxiu = two_estates
    with tenant_context(company):
        ours = set(Estate.objects.values_list("pk", flat=True))
    with tenant_context(company_b):
        theirs = Estate.objects.create(name="别家小区")
        while theirs.pk in ours:  # ids are per company: one that is no estate of company A
            theirs = Estate.objects.create(name=f"别家小区{theirs.pk}")
    before = _charges(company)
    response = upload(client_for(company, "admin"), kind, FILES[kind](), theirs.pk)
    assert response.status_code == 400 and response.json()["fields"]["estate"] == ["小区不存在。"]
    assert _charges(company) == before


def test_a_kept_dry_run_of_another_estate_is_not_planned_from():
    parsed = Parsed(HISTORY, [], 0, 0, estate_id=7, estate_column=False)
    assert history_plan.recheck(pack(parsed), lambda done, total: None, estate_id=8) is None


@pytest.mark.parametrize("kind", sorted(FILES))
def test_the_template_says_the_estate_column_is_optional_once_one_is_chosen(client_for, company_a, kind):
    import io

    import openpyxl

    response = client_for(company_a, "admin").get(f"/api/v1/imports/templates/{kind}/")
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    notes = " ".join(str(cell.value) for row in book.worksheets[-1].iter_rows() for cell in row if cell.value)
    assert "上传时已选择小区的可不填" in notes and "上传时选择小区" in notes
