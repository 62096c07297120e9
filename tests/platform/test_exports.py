"""Excel export of lists: same filters as the table, Chinese headers, readable values, capped."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from core.exports import XLSX

pytestmark = pytest.mark.django_db


def _sheet(response):
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    assert "attachment" in response["Content-Disposition"]
    rows = list(load_workbook(io.BytesIO(response.content), read_only=True).active.iter_rows(values_only=True))
    return rows[0], rows[1:]


def test_staff_export_follows_the_table_filters(client_for, company_a):
    client = client_for(company_a, "admin")
    header, rows = _sheet(client.get("/api/v1/users/?format=xlsx&role=guard"))
    assert header == ("用户名", "姓名", "手机号", "角色", "启用", "最近登录")
    assert [row[0] for row in rows] == ["guard"]
    assert rows[0][3] == "保安" and rows[0][4] == "是"
    _header, everyone = _sheet(client.get("/api/v1/users/?format=xlsx&ordering=username"))
    assert [row[0] for row in everyone] == sorted(row[0] for row in everyone)
    assert len(everyone) == client.get("/api/v1/users/").json()["count"]  # not one page: all rows


def test_format_wins_over_an_accept_header(client_for, company_a):
    response = client_for(company_a, "admin").get("/api/v1/users/?format=xlsx", HTTP_ACCEPT="application/json")
    _header, rows = _sheet(response)
    assert rows


def test_export_needs_the_same_permission_as_the_list(client_for, company_a):
    response = client_for(company_a, "guard").get("/api/v1/users/?format=xlsx")
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"  # errors stay JSON


def test_export_is_capped(client_for, company_a, monkeypatch):
    monkeypatch.setattr("core.exports.EXPORT_MAX_ROWS", 2)
    response = client_for(company_a, "admin").get("/api/v1/users/?format=xlsx")
    assert response.status_code == 400
    assert response.json()["code"] == "export_too_large"


def test_export_of_one_company_has_none_of_anothers_rows(client_for, company_a, company_b, in_company):
    from accounts import services as account_services

    with in_company(company_a):
        account_services.create_user(username="alpha-only-export", roles=["cashier"])
    _header, rows = _sheet(client_for(company_b, "admin").get("/api/v1/users/?format=xlsx"))
    assert "alpha-only-export" not in [row[0] for row in rows]


def test_audit_trail_exports(client_for, company_a):
    header, rows = _sheet(
        client_for(company_a, "admin").get("/api/v1/audit-events/?format=xlsx&action=login.succeeded")
    )
    assert header[:3] == ("时间", "操作人", "操作")
    assert rows and all(row[2] == "login.succeeded" for row in rows)


# --- a spreadsheet is a form of a list read, nothing else ------------------------------------------


def _fingerprint(*schemas: str) -> dict[str, str]:
    """Every table of these schemas → a hash of its rows: any write shows as a changed entry."""
    from django.db import connection

    out = {}
    with connection.cursor() as cursor:
        for schema in schemas:
            cursor.execute(
                "SELECT table_name FROM information_schema.tables"
                " WHERE table_schema = %s AND table_type = 'BASE TABLE' ORDER BY 1",
                [schema],
            )
            for (table,) in cursor.fetchall():
                cursor.execute(
                    f"SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM \"{schema}\".\"{table}\" t"
                )
                out[f"{schema}.{table}"] = cursor.fetchone()[0]
    return out


def _refused(response) -> bool:
    return response.status_code == 406 and response.json()["code"] == "not_acceptable"


def test_xlsx_on_a_create_is_refused_before_anything_is_written(client_for, company_a, in_company):
    from tenants.estates.models import Estate

    admin = client_for(company_a, "admin")
    by_format = admin.post("/api/v1/estates/?format=xlsx", {"name": "格式小区"}, format="json")
    assert _refused(by_format), by_format.content
    by_accept = admin.post("/api/v1/estates/", {"name": "格式小区"}, format="json", HTTP_ACCEPT=XLSX)
    assert _refused(by_accept), by_accept.content
    with in_company(company_a):
        assert not Estate.objects.filter(name="格式小区").exists()
    # The same create without the spreadsheet succeeds the first time (no "already exists").
    assert admin.post("/api/v1/estates/", {"name": "格式小区"}, format="json").status_code == 201


def test_xlsx_on_a_reveal_is_refused_and_not_audited(client_for, company_a, in_company):
    from accounts.models import AuditEvent, User
    from tenants.residents import services as resident_services

    with in_company(company_a):
        person = resident_services.create_person(
            actor=User.objects.get(username="admin"), name="格式", phone="13812345678"
        )
    admin = client_for(company_a, "admin")
    for extra in ({"path": "?format=xlsx"}, {"path": "", "HTTP_ACCEPT": XLSX}):
        path = f"/api/v1/residents/{person.pk}/reveal/{extra.pop('path')}"
        response = admin.post(path, {"field": "phone"}, format="json", **extra)
        assert _refused(response), response.content
    with in_company(company_a):
        assert not AuditEvent.objects.filter(action="pii.reveal").exists()


def test_a_detail_read_has_no_spreadsheet_form(client_for, company_a, in_company):
    from accounts.models import User

    with in_company(company_a):
        admin_id = User.objects.get(username="admin").pk
    admin = client_for(company_a, "admin")
    assert _refused(admin.get(f"/api/v1/users/{admin_id}/?format=xlsx"))
    assert _refused(admin.get(f"/api/v1/users/{admin_id}/", HTTP_ACCEPT=XLSX))
    # An Accept that also takes JSON gets JSON; an unknown format is refused the same way.
    assert admin.get(f"/api/v1/users/{admin_id}/", HTTP_ACCEPT=f"{XLSX}, application/json").status_code == 200
    assert _refused(admin.get("/api/v1/users/?format=pdf"))


def _exports_list(method: str, view) -> bool:
    from core.exports import ExcelExportMixin

    actions = getattr(view, "actions", None)
    if method != "GET":
        return False
    if issubclass(view.cls, ExcelExportMixin):
        return actions is None or actions.get("get") == "list"
    # A report (one GET, no detail: repair-stats/) that renders its own figures as a workbook.
    renderers = getattr(view.cls, "renderer_classes", ())
    return actions is None and any(getattr(renderer, "format", None) == "xlsx" for renderer in renderers)


def test_every_route_but_a_list_read_refuses_a_spreadsheet_and_writes_nothing(client_for, company_a):
    """Every route and method of the company API, asked for xlsx by ?format= and by Accept, as the
    admin (who may do everything): list reads of export views answer a spreadsheet, everything else
    a 406 before the view runs, so no table of the company's schema or the public one changes."""
    from tests.routes import company_api_routes
    from tests.tenants.activities.helpers import activity

    admin = client_for(company_a, "admin")
    admin.raise_request_exception = False  # a 500 is recorded, and the sweep goes on
    routes = company_api_routes()
    # A list under a parent (an activity's sign-ups) exports for a parent that exists.
    parents = {"/api/v1/activities/1/": f"/api/v1/activities/{activity(company_a).pk}/"}
    before = _fingerprint(company_a.schema_name, "public")
    wrong = []
    for method, path, view in routes:
        if _exports_list(method, view):
            continue
        for response in (
            admin.generic(method, f"{path}?format=xlsx", "{}", content_type="application/json"),
            admin.generic(method, path, "{}", content_type="application/json", HTTP_ACCEPT=XLSX),
        ):
            if not _refused(response):
                wrong.append(f"{method} {path} → {response.status_code}")
    assert wrong == []
    changed = {
        table for table, digest in _fingerprint(company_a.schema_name, "public").items() if before.get(table) != digest
    }
    assert changed == set()
    exported = 0
    for method, path, view in routes:
        if _exports_list(method, view):
            for placeholder, real in parents.items():
                path = path.replace(placeholder, real)
            response = admin.get(f"{path}?format=xlsx&month=2026-01")
            assert response.status_code == 200 and response["Content-Type"] == XLSX, f"{path} → {response.status_code}"
            exported += 1
    assert exported >= 10


def test_the_api_document_offers_a_spreadsheet_on_list_reads_only(client):
    document = client.get("/api/schema/?format=json", HTTP_HOST="alpha.localhost").json()
    offered = {
        (method.upper(), path)
        for path, operations in document["paths"].items()
        for method, operation in operations.items()
        for response in operation.get("responses", {}).values()
        if XLSX in response.get("content", {})
    }
    downloads = {("GET", "/api/v1/imports/{id}/report/"), ("GET", "/api/v1/imports/templates/{kind}/")}
    downloads |= {("GET", "/api/v1/activities/{activity_id}/signups/")}  # a list under its activity
    assert {("GET", "/api/v1/estates/"), ("GET", "/api/v1/audit-events/")} <= offered
    assert {(method, path) for method, path in offered - downloads if method != "GET" or "{" in path} == set()


# --- stored text is written as inert, well-formed text -----------------------------------------------

FORMULAS = ['=HYPERLINK("http://x","y")', "+1+1", "-2+3", "@SUM(A1)", "\tTAB"]


def _cells(response) -> list:
    """Every cell of the first sheet, loaded fully (read-only mode shows no styles)."""
    assert response.status_code == 200, response.content
    return [cell for row in load_workbook(io.BytesIO(response.content)).active.iter_rows() for cell in row]


def test_a_control_character_in_a_stored_name_does_not_break_the_export(client_for, company_a, in_company):
    from accounts.models import User
    from tenants.estates.models import Estate

    with in_company(company_a):
        Estate.objects.create(name="翠\x01湖\x1b苑", address="西湖区\x0b文三路")
        User.objects.filter(username="cashier").update(name="收\x1b银")
    for username in ("admin", "service"):  # the list is exported by whoever may read it
        values = [cell.value for cell in _cells(client_for(company_a, username).get("/api/v1/estates/?format=xlsx"))]
        assert "翠\ufffd湖\ufffd苑" in values and "西湖区\ufffd文三路" in values
    users = [cell.value for cell in _cells(client_for(company_a, "admin").get("/api/v1/users/?format=xlsx"))]
    assert "收\ufffd银" in users


def test_formula_like_text_is_exported_as_text(client_for, company_a, in_company):
    from tenants.estates.models import Estate

    with in_company(company_a):
        for name in [*FORMULAS, "#N/A"]:
            Estate.objects.create(name=name, address=name)
    by_value = {}
    for cell in _cells(client_for(company_a, "admin").get("/api/v1/estates/?format=xlsx")):
        by_value.setdefault(cell.value, cell)
    for text in FORMULAS:
        cell = by_value[text]  # the very text stored: no apostrophe, nothing dropped
        assert cell.data_type == "s" and cell.quotePrefix, text
    assert by_value["#N/A"].data_type == "s"  # text, not Excel's error value
    assert by_value["小区名称"].data_type == "s" and not by_value["小区名称"].quotePrefix


def test_the_cell_writer_keeps_numbers_numbers_and_makes_text_inert():
    from datetime import date
    from decimal import Decimal

    from core.sheets import Spreadsheet

    book = Spreadsheet()
    sheet = book.sheet("a:b/c?[d]")
    sheet.append([-5, Decimal("-89.50"), 0, date(2026, 1, 2), True, None, *FORMULAS, "#N/A", "a\x00b", "x" * 40_000])
    sheet.append([sheet.cell("=1+1", comment=None)])
    workbook = load_workbook(io.BytesIO(book.save()))
    assert workbook.sheetnames == ["a_b_c__d_"]
    first, second = list(workbook.active.iter_rows())
    assert [(cell.value, cell.data_type) for cell in first[:3]] == [(-5, "n"), (-89.5, "n"), (0, "n")]
    assert first[3].is_date and first[4].value is True and first[5].value is None
    assert [(cell.value, cell.data_type, cell.quotePrefix) for cell in first[6:12]] == [
        (text, "s", True) for text in FORMULAS
    ] + [("#N/A", "s", False)]
    assert first[12].value == "a\ufffdb"
    assert len(first[13].value) == 32_767
    assert (second[0].value, second[0].data_type) == ("=1+1", "s")


def test_every_file_we_write_goes_through_the_cell_writer():
    """Workbooks are made only in core/sheets.py, so no writer can bypass its escaping."""
    import pathlib

    root = pathlib.Path(__file__).resolve().parents[2]
    writers = []
    for folder in ("platform", "tenants", "billing"):
        for source in (root / folder).rglob("*.py"):
            text = source.read_text(encoding="utf-8")
            if any(marker in text for marker in ("Workbook(", "WriteOnlyCell", "csv.writer", "DictWriter")):
                writers.append(str(source.relative_to(root)))
    assert writers == ["platform/core/sheets.py"]
