"""Staff told through the notification service: the uploader of an import when it finished or failed,
whoever started a bill run when it finished or failed, the reviewers (basic_data.manage) of an
owner's identity correction — each once, whatever the task's redelivery, and no one else."""

from __future__ import annotations

import pytest
from django_tenants.utils import tenant_context

from billing.services import bill_runs
from notifications.models import Delivery, Notification
from tenants.imports import services as import_services
from tenants.imports import tasks as import_tasks
from tests.billing.test_ledger_api import _owner_client, _world
from tests.tenants.test_imports import HOUSE_HEADER, HOUSES, import_houses, upload, xlsx

pytestmark = pytest.mark.django_db


def _told(company, event):
    with tenant_context(company):
        return {
            n.pk: sorted(
                Delivery.objects.filter(notification=n, channel="inbox").values_list("recipient__username", flat=True)
            )
            for n in Notification.objects.filter(event=event)
        }


def _bell(client):
    return [item["event"] for item in client.get("/api/v1/notifications/").json()["results"]]


@pytest.mark.usefixtures("eager")
def test_the_uploader_hears_an_import_finished_once(client_for, company_a, company_b):
    admin = client_for(company_a, "admin")
    record = import_houses(admin)
    assert record["status"] == "done"
    with tenant_context(company_a):
        import_tasks.commit_import(import_id=record["id"])  # redelivered: nothing more
    assert list(_told(company_a, "import.finished").values()) == [["admin"]]
    finished = next(i for i in admin.get("/api/v1/notifications/").json()["results"] if i["event"] == "import.finished")
    assert finished["title"] == "导入完成：data.xlsx" and finished["link"] == "/basic-data/imports"
    assert "import.finished" not in _bell(client_for(company_a, "service"))
    assert _told(company_b, "import.finished") == {}


@pytest.mark.usefixtures("eager")
def test_the_uploader_hears_an_import_failed_once(client_for, company_a, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(import_services, "_dry_run", broken)
    service = client_for(company_a, "service")  # basic_data.manage: may import
    answer = upload(service, "houses", xlsx(HOUSE_HEADER, HOUSES))
    assert answer.status_code == 202, answer.content
    record_id = answer.json()["id"]
    assert service.get(f"/api/v1/imports/{record_id}/").json()["status"] == "failed"
    with tenant_context(company_a):
        import_services.fail_import(import_id=record_id, message="given up again")  # the outbox's give-up, late
    told = _told(company_a, "import.failed")
    assert list(told.values()) == [["service"]]
    failed = next(i for i in service.get("/api/v1/notifications/").json()["results"] if i["event"] == "import.failed")
    assert failed["title"] == "导入失败：data.xlsx" and "校验时发生意外错误" in failed["body"]
    assert "import.failed" not in _bell(client_for(company_a, "admin"))


def _started_run(company, client_for, name):
    """A bill run the admin previewed and started (its work not run yet)."""
    world = _world(company, name=name, billed=False)
    admin = client_for(company, "admin")
    created = admin.post(
        "/api/v1/bill-runs/", {"as_of": world["start"].isoformat(), "estate": world["estate"].pk}, format="json"
    ).json()
    assert admin.post(f"/api/v1/bill-runs/{created['id']}/start/").status_code == 200
    return admin, created


def test_who_started_a_bill_run_hears_it_finished_once(company_a, client_for):
    admin, created = _started_run(company_a, client_for, "出账通知苑")
    with tenant_context(company_a):
        bill_runs.execute_bill_run(bill_run_id=created["id"])
        bill_runs.execute_bill_run(bill_run_id=created["id"])  # redelivered after it finished
    assert list(_told(company_a, "bill_run.finished").values()) == [["admin"]]
    item = next(i for i in admin.get("/api/v1/notifications/").json()["results"] if i["event"] == "bill_run.finished")
    assert item["body"].startswith(f"出账批次 #{created['id']} 已完成：4 笔账单")
    assert "bill_run.finished" not in _bell(client_for(company_a, "cashier"))


def test_who_started_a_bill_run_hears_it_failed_once(company_a, client_for):
    _admin, created = _started_run(company_a, client_for, "出账失败苑")
    with tenant_context(company_a):
        for _twice in range(2):  # the outbox's give-up, delivered twice
            bill_runs.fail_bill_run(bill_run_id=created["id"], error="boom")
    assert list(_told(company_a, "bill_run.failed").values()) == [["admin"]]
    assert _told(company_a, "bill_run.finished") == {}


def test_an_identity_correction_waiting_lights_the_reviewers_bell(company_a, company_b, client_for):
    world = _world(company_a, name="更正苑", billed=False)
    owner = _owner_client(company_a, client_for, person=world["person"], username="corr-owner")
    asked = owner.post("/api/v1/owner/profile/corrections/", {"name": "张叁"}, format="json")
    assert asked.status_code == 201, asked.content
    assert owner.post("/api/v1/owner/profile/corrections/", {"name": "张叁"}, format="json").status_code == 409
    told = _told(company_a, "correction.pending")
    assert len(told) == 1
    (reviewers,) = told.values()
    assert "admin" in reviewers and "service" in reviewers and "cashier" not in reviewers
    item = next(
        i
        for i in client_for(company_a, "service").get("/api/v1/notifications/").json()["results"]
        if i["event"] == "correction.pending"
    )
    assert item["body"] == "张三 申请修改姓名，请审核。" and item["link"] == "/basic-data/corrections?status=pending"
    for bystander in ("cashier", "guard"):
        assert "correction.pending" not in _bell(client_for(company_a, bystander))
    assert owner.get("/api/v1/owner/notifications/").json()["results"] == []
    assert _told(company_b, "correction.pending") == {}
