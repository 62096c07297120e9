"""The platform console (Django admin on the public host) changes data through actions too: a save
or a delete there is one transaction with its audit row, not a write the request guard refuses."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone
from django_tenants.utils import tenant_context

from accounts.models import AuditEvent, User
from companies.models import Company, CompanyStatus, Plan
from core.actions import action, emit
from core.outbox.models import OutboxMessage, OutboxStatus
from core.schemas import Schema
from tenants.imports import services as import_services


@pytest.fixture
def operator(db):
    user = User.objects.create_superuser(username="operator", password="Operator-pass-2026")
    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    return client


def _form(plan: Plan, **changes) -> dict:
    fields = ["code", "name", "max_houses", "max_staff", "monthly_price", "trial_days", "sort_order"]
    data = {field: getattr(plan, field) for field in fields}
    if plan.is_trial:
        data["is_trial"] = "on"
    data.update(changes)
    return data


@pytest.mark.django_db
def test_the_console_can_change_a_plan_and_the_change_is_audited(operator):
    plan = Plan.objects.get(code="standard")
    response = operator.post(f"/console/companies/plan/{plan.pk}/change/", _form(plan, name="标准版（新）"))
    assert response.status_code == 302, response.content[:500]
    assert Plan.objects.get(pk=plan.pk).name == "标准版（新）"
    event = AuditEvent.objects.get(action="console.change", object_type="plan", object_id=str(plan.pk))
    assert event.actor_label == "operator"


@pytest.mark.django_db
def test_the_console_can_suspend_a_company(operator, company_a):
    response = operator.get(f"/console/companies/company/{company_a.pk}/change/")
    assert response.status_code == 200
    form = response.context["adminform"].form
    data = {name: form[name].value() for name in form.fields if name != "logo"}
    data = {k: ("" if v is None else v) for k, v in data.items()}
    data["status"] = CompanyStatus.SUSPENDED
    response = operator.post(f"/console/companies/company/{company_a.pk}/change/", data)
    assert response.status_code == 302, response.content[:2000]
    assert Company.objects.get(pk=company_a.pk).status == CompanyStatus.SUSPENDED
    assert AuditEvent.objects.filter(
        action="console.change", object_type="company", object_id=str(company_a.pk)
    ).exists()


@pytest.mark.django_db
def test_the_console_can_delete_a_plan(operator):
    plan = Plan.objects.create(code="old", name="旧套餐", max_houses=1, max_staff=1, monthly_price="1.00")
    response = operator.post(f"/console/companies/plan/{plan.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302, response.content[:500]
    assert not Plan.objects.filter(pk=plan.pk).exists()
    assert AuditEvent.objects.filter(action="console.delete", object_type="plan", object_id=str(plan.pk)).exists()


@pytest.mark.django_db
def test_signing_in_to_the_console_may_rewrite_an_old_password_hash():
    from django.contrib.auth.hashers import make_password

    user = User.objects.create_superuser(username="veteran", password="Veteran-pass-2026")
    old = make_password("Veteran-pass-2026", salt="short")  # too little salt today: rewritten at sign-in
    User.objects.filter(pk=user.pk).update(password=old)
    response = Client(HTTP_HOST="localhost").post(
        "/console/login/", {"username": "veteran", "password": "Veteran-pass-2026"}
    )
    assert response.status_code == 302, response.content[:500]
    assert User.objects.get(pk=user.pk).password != old


@action(schema=Schema.COMPANY, audit=False)
def _queue_a_message() -> int | None:
    # any topic will do: a dry run of an import that does not exist finds nothing to do
    return emit(import_services.TOPIC_VALIDATE, {"import_id": 0}, key="console-retry")


@pytest.mark.django_db
def test_a_dead_message_retried_from_the_console_is_sent_once_the_retry_commits(
    operator, company_a, outbox_sent, django_capture_on_commit_callbacks
):
    with tenant_context(company_a):
        message_id = _queue_a_message()
    OutboxMessage.objects.filter(pk=message_id).update(status=OutboxStatus.DEAD, attempts=3, finished_at=timezone.now())
    outbox_sent.clear()
    with django_capture_on_commit_callbacks(execute=False) as after_commit:
        response = operator.post(
            "/console/outbox/outboxmessage/", {"action": "retry", "_selected_action": [message_id]}
        )
        assert response.status_code == 302, response.content[:500]
        # The retry is not committed yet: a worker given the message now would find it still dead.
        assert outbox_sent == []
    for callback in after_commit:
        callback()
    assert outbox_sent == [message_id]
    assert OutboxMessage.objects.get(pk=message_id).status == OutboxStatus.PENDING
