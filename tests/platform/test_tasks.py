"""Tasks run in the schema of the company that queued them — eagerly and on a real worker."""

from __future__ import annotations

import time

import pytest
from celery import shared_task
from celery.contrib.testing.worker import start_worker
from django.db import connection, transaction
from django_tenants.utils import schema_context, tenant_context

from config.celery import app
from core import services as core_services
from core.models import Job


@shared_task(name="tests.record_schema")
def record_schema(marker: str) -> str:
    core_services.create_job(kind="probe", params={"marker": marker, "schema": connection.schema_name})
    return connection.schema_name


@pytest.fixture
def eager():
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = False


@pytest.mark.django_db
def test_eager_task_runs_in_the_queuing_company(eager, company_a, company_b):
    with tenant_context(company_a):
        assert record_schema.delay("eager-a").get() == company_a.schema_name
    with tenant_context(company_a):
        assert Job.objects.filter(params__marker="eager-a").count() == 1
    with tenant_context(company_b):
        assert not Job.objects.filter(params__marker="eager-a").exists()


@pytest.mark.django_db
def test_claim_once_guards_a_redelivered_task():
    with transaction.atomic():
        assert core_services.claim_once(key="bill-run:2026-11") is True
        assert core_services.claim_once(key="bill-run:2026-11") is False


@pytest.fixture
def committed(django_db_setup, django_db_blocker):
    """Real commits, for work a separate worker thread must see; the test cleans up after itself."""
    with django_db_blocker.unblock():
        yield
        connection.set_schema_to_public()


@pytest.fixture
def worker(committed):
    with start_worker(
        app,
        pool="solo",
        perform_ping_check=False,
        loglevel="WARNING",
        shutdown_timeout=10,
        queues=[app.conf.task_default_queue],
    ) as running:
        yield running


def _wait_for(predicate, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError("timed out")


@pytest.mark.worker
def test_real_worker_runs_each_task_in_its_own_company(worker):
    from companies.models import Company

    alpha, beta = Company.objects.get(slug="alpha"), Company.objects.get(slug="beta")
    try:
        with tenant_context(alpha):
            record_schema.delay("worker-a")
        with tenant_context(beta):
            record_schema.delay("worker-b")

        def done():
            with schema_context(alpha.schema_name):
                a = list(Job.objects.filter(params__marker__startswith="worker-").values_list("params", flat=True))
            with schema_context(beta.schema_name):
                b = list(Job.objects.filter(params__marker__startswith="worker-").values_list("params", flat=True))
            return (a, b) if a and b else None

        in_a, in_b = _wait_for(done)
        assert in_a == [{"marker": "worker-a", "schema": alpha.schema_name}]
        assert in_b == [{"marker": "worker-b", "schema": beta.schema_name}]
    finally:
        for company in (alpha, beta):
            with schema_context(company.schema_name):
                Job.objects.filter(params__marker__startswith="worker-").delete()


@pytest.mark.worker
def test_signup_is_provisioned_by_the_worker_and_the_admin_signs_in(worker, client_for):
    from companies.models import Company, Signup

    try:
        client = client_for(None)
        started = time.monotonic()
        response = client.post(
            "/api/v1/signups/",
            {
                "company_name": "工人物业",
                "slug": "viaworker",
                "admin_name": "赵六",
                "admin_phone": "13600001111",
                "admin_email": "zhao@viaworker.cn",
                "admin_username": "zhaoliu",
                "password": "Worker-pass-1",
            },
            format="json",
        )
        assert response.status_code == 202, response.content
        assert response.json()["status"] == "pending"
        status_url = response.json()["status_url"]
        ready = _wait_for(lambda: client.get(status_url).json()["status"] == "ready" and client.get(status_url).json())
        elapsed = time.monotonic() - started
        assert ready["admin_url"] == "http://viaworker.localhost:8000/"
        company = Company.objects.get(slug="viaworker")
        login = client_for(company).post(
            "/api/v1/auth/login/", {"username": "zhaoliu", "password": "Worker-pass-1"}, format="json"
        )
        assert login.status_code == 200
        assert elapsed < 30
    finally:
        connection.set_schema_to_public()
        for company in Company.objects.filter(slug="viaworker"):
            company.delete(force_drop=True)
        Signup.objects.filter(slug="viaworker").delete()
