"""Excel export of lists: same filters as the table, Chinese headers, readable values, capped."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

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
