"""对账's staff API: runs and their differences, running a day again (202, a job), resolving a
difference with a note; only payments.reconcile; another company's runs are not found."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django_tenants.utils import tenant_context

from tests.conftest import PASSWORD
from tests.payments.conftest import SUB_MCHIDS
from tests.payments.test_reconciliation import bill_day, reconcile  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db
RUNS = "/api/v1/payments/reconciliation/runs/"


@pytest.fixture
def found(alpha_merchant, bill_day):  # noqa: F811
    from standins import wechatpay_bill

    wechatpay_bill.inject_payment(
        sub_mchid=SUB_MCHIDS["alpha"], day=bill_day, out_trade_no="WSTRANGERAPI0001", total_fen=1234
    )
    return reconcile(alpha_merchant)


def test_admins_see_runs_and_their_differences_and_resolve_them(found, client_for):
    from companies.models import Company

    company = Company.objects.get(slug="alpha")
    client = client_for(company, "admin")
    listed = client.get(RUNS)
    assert listed.status_code == 200
    (run,) = listed.json()["results"]
    assert run["status"] == "done" and run["item_count"] == run["open_count"] == 1 and run["healed_count"] == 0
    assert run["provider_payments"] == 1 and Decimal(run["provider_paid_total"]) == Decimal("12.34")
    assert client.get(f"{RUNS}{run['id']}/").json()["id"] == run["id"]

    (item,) = client.get(f"{RUNS}{run['id']}/items/?open=true").json()["results"]
    assert item["kind"] == "missing_here" and Decimal(item["provider_amount"]) == Decimal("12.34")
    assert item["our_amount"] is None and item["resolved_at"] is None

    resolve = f"/api/v1/payments/reconciliation/items/{item['id']}/resolve/"
    assert client.post(resolve, {"note": " "}, format="json").status_code == 400
    done = client.post(resolve, {"note": "微信支付确认为测试交易"}, format="json")
    assert done.status_code == 200 and done.json()["note"] == "微信支付确认为测试交易"
    assert done.json()["resolved_by_name"]
    assert client.post(resolve, {"note": "again"}, format="json").status_code == 409
    assert client.get(f"{RUNS}{run['id']}/items/?open=true").json()["results"] == []
    assert client.get(RUNS).json()["results"][0]["open_count"] == 0


def test_running_a_day_again_answers_202_with_its_job(found, client_for):
    from companies.models import Company

    client = client_for(Company.objects.get(slug="alpha"), "admin")
    answer = client.post(RUNS, {"bill_date": found.bill_date.isoformat()}, format="json")
    assert answer.status_code == 202, answer.content
    body = answer.json()
    assert body["status"] == "running" and body["job"]["status"] == "queued"
    again = client.post(RUNS, {"bill_date": found.bill_date.isoformat()}, format="json")
    assert again.status_code == 409 and again.json()["code"] == "reconciliation_running"
    assert client.post(RUNS, {"bill_date": "2999-01-01"}, format="json").status_code == 400
    assert client.post(RUNS, {"bill_date": "2026-01-01", "gateway": "offline"}, format="json").status_code == 400
    assert client.post(RUNS, {}, format="json").status_code == 400


def test_only_payments_reconcile_may_look(found, client_for):
    from accounts import services as account_services
    from companies.models import Company

    company = Company.objects.get(slug="alpha")
    with tenant_context(company):
        account_services.create_user(username="cash-1", name="收银", roles=["cashier"], password=PASSWORD)
    cashier = client_for(company, "cash-1")
    assert cashier.get(RUNS).status_code == 403
    assert cashier.post(RUNS, {"bill_date": found.bill_date.isoformat()}, format="json").status_code == 403


def test_another_companys_runs_and_items_are_not_found(found, company_b, client_for):
    on_b = client_for(company_b, "admin")
    assert on_b.get(RUNS).json()["results"] == []
    assert on_b.get(f"{RUNS}{found.pk}/").status_code == 404
    assert on_b.get(f"{RUNS}{found.pk}/items/").status_code == 404
    from companies.models import Company

    with tenant_context(Company.objects.get(slug="alpha")):
        item = found.items.get()
    answer = on_b.post(f"/api/v1/payments/reconciliation/items/{item.pk}/resolve/", {"note": "x"}, format="json")
    assert answer.status_code == 404
