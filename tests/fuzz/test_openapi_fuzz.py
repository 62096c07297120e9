"""A bounded, schema-driven fuzz run over both OpenAPI documents (schemathesis, in-process WSGI).

Every operation of the company document is called with a few generated requests — valid and
invalid ones (control characters, wrong types, huge numbers, missing fields) — anonymously, as
each staff role and as an owner; the public document's operations anonymously. A request fails
the run when the server answers 5xx, or anything the document does not describe (an undocumented
status, a body not matching its schema, a wrong content type). So the documents stay true, and
bad input stays a 4xx.

Bounded: three examples per operation, derandomised (the same requests every run); an identity
an operation refused (401/403) is not asked again for it — about 1,200 requests in all. Each
request runs in a savepoint rolled back after it, inside a transaction around the module that
holds the data it works on: nothing a request writes reaches the database for other tests; files
go to a scratch folder, and outgoing work stays in the outbox (relayed only on a commit).

Left out: POST /auth/logout/ would revoke the token the next requests use (it is tested in
tests/platform/test_auth.py).
"""

from __future__ import annotations

import json
from datetime import time
from decimal import Decimal

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, connection, transaction
from django.test import Client
from django_tenants.utils import tenant_context
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, settings

from accounts import services as account_services
from accounts.models import User
from companies import services as company_services
from core import services as job_services
from tenants.estates import services as estate_services
from tenants.residents import services as resident_services
from tenants.staff import services as staff_services

pytestmark = pytest.mark.django_db

EXAMPLES = 3  # per operation, each sent as every identity that the operation does not refuse
STAFF = ["admin", "cashier", "dispatcher", "repair", "guard", "service"]
IDENTITIES = ["anonymous", *STAFF, "owner"]
FUZZ_APPID, FUZZ_SECRET = "wxfuzz0000000001", "fuzzsecret0000000001"

CONFIG = schemathesis.Config.from_dict(
    {
        "generation": {"mode": "all", "deterministic": True},
        # Fuzzing only: the coverage phase would add dozens of boundary cases per operation.
        "phases": {"examples": {"enabled": False}, "coverage": {"enabled": False}, "stateful": {"enabled": False}},
        # What the document promises: no server error, documented statuses, content types and bodies.
        "checks": {
            "enabled": False,
            "not_a_server_error": {"enabled": True},
            "status_code_conformance": {"enabled": True},
            "content_type_conformance": {"enabled": True},
            "response_schema_conformance": {"enabled": True},
        },
    }
)
HYPOTHESIS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)


def _document(urlconf: str) -> dict:
    """The OpenAPI document exactly as /api/schema/ builds it for that host (config.urls_common).
    Built at import, because schemathesis parametrizes while pytest collects, before a database
    exists (its fixture-loaded mode needs pytest < 9.2); test_documents_are_served checks that
    the served documents are these."""
    raw = SchemaGenerator(urlconf=urlconf).get_schema(request=None, public=True)
    return json.loads(OpenApiJsonRenderer().render(raw, renderer_context={}))


COMPANY_DOCUMENT = _document("config.urls_tenant")
PUBLIC_DOCUMENT = _document("config.urls_public")
company_api = schemathesis.openapi.from_dict(COMPANY_DOCUMENT, config=CONFIG).exclude(path="/api/v1/auth/logout/")
public_api = schemathesis.openapi.from_dict(PUBLIC_DOCUMENT, config=CONFIG)

_wsgi = WSGIHandler()


@pytest.fixture
def in_process(settings, tmp_path):
    """Requests through the whole WSGI stack, inside the test's transaction: Django closes the
    connection between requests unless told not to (its test client does the same). Files go to
    a scratch folder; outgoing work (imports, provisioning) waits in the outbox for a commit that
    a rolled-back request never makes."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.PRIVATE_ROOT = str(tmp_path / "private")
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def _token(user: User, kind: str) -> str:
    raw, _token = account_services.issue_token(user=user, kind=kind)
    return raw


def _build_world(company, wechat) -> tuple[dict, dict]:
    """Something behind the ids: an estate with houses, a resident who is the owner signing in,
    a pending binding and correction, staff organisation, a job; a configured mini-program (so
    WeChat login reaches the stand-in instead of answering 503). Returns the ids by resource and
    a token per identity."""
    company_services.set_wechat_credentials(company=company, appid=FUZZ_APPID, secret=FUZZ_SECRET)
    wechat.register_app(FUZZ_APPID, FUZZ_SECRET)
    with tenant_context(company):
        admin = User.objects.get(username="admin")
        estate = estate_services.create_estate(name="模糊小区")
        building = estate_services.create_building(estate=estate, name="1栋", floors=2, units=["1单元"])
        estate_services.generate_houses(
            building=building, per_floor=2, building_area=Decimal("90"), usable_area=Decimal("75")
        )
        house, other_house = list(building.houses.order_by("pk")[:2])
        owner = User.objects.create(username="fuzz-owner", roles=["resident"], phone="13900001111")
        person = resident_services.create_person(actor=admin, name="业主", phone="13900001111")
        person.user = owner
        person.save(update_fields=["user"])
        occupancy = resident_services.add_occupancy(
            actor=admin, house=house, person=person, relation="owner", is_primary_payer=True
        )
        applicant = User.objects.create(username="fuzz-applicant", roles=["resident"])
        binding = resident_services.request_binding(user=applicant, house=other_house, relation="owner", name="申请人")
        correction = resident_services.request_correction(person=person, actor=owner, name="业主乙")
        department = staff_services.create_department(name="工程部", actor=admin)
        post = staff_services.create_post(name="维修工", actor=admin)
        shift = staff_services.create_shift(name="白班", start_time=time(8), end_time=time(17), actor=admin)
        guard = User.objects.get(username="guard")
        profile = staff_services.create_profile(
            user=guard, employee_no="G001", department=department, post=post, shift=shift, actor=admin
        )
        job = job_services.create_job(kind="export", created_by=admin, total=1)
        billing_ids = _billing_world(admin=admin, estate=estate, house=house, other_house=other_house)
        ids = {
            "estates": estate.pk,
            "buildings": building.pk,
            "houses": house.pk,
            "residents": person.pk,
            "occupancies": occupancy.pk,
            "house-bindings": binding.pk,
            "resident-corrections": correction.pk,
            "departments": department.pk,
            "posts": post.pk,
            "shifts": shift.pk,
            "staff-profiles": profile.pk,
            "users": guard.pk,
            "jobs": str(job.pk),
            "owner": estate.pk,  # /owner/estates/{estate_id}/houses/
            **billing_ids,
        }
        tokens = {name: _token(User.objects.get(username=name), "api") for name in STAFF}
        tokens["owner"] = _token(owner, "sms")
    return ids, tokens


def _billing_world(*, admin, estate, house, other_house) -> dict:
    """The ledger's objects behind the billing routes' ids: a bill run and its charges, a payment and
    its receipt, a waiver, a refund, a deposit, a cashier's shift."""
    from datetime import timedelta

    from django.utils import timezone

    from billing.models import Charge, FeeAssignment, FeeItem, FeePrice
    from billing.services import bill_runs, deposits, payments, refunds, shifts, waivers

    today = timezone.localdate()
    item = FeeItem.objects.create(
        name="模糊物业费", kind="property", mode="building_area", valid_from=today - timedelta(days=60)
    )
    FeePrice.objects.create(fee_item=item, effective_from=item.valid_from, unit_price=Decimal("2.0000"))
    FeeAssignment.objects.create(fee_item=item, house=house, start=item.valid_from)
    FeeAssignment.objects.create(fee_item=item, house=other_house, start=item.valid_from)
    run = bill_runs.create_bill_run(as_of=today, estate=estate, actor=admin)
    run = bill_runs.start_bill_run(run=run, actor=admin)
    bill_runs.execute_bill_run(bill_run_id=run.pk)
    charge = Charge.objects.filter(house=house).order_by("id").first()
    shift = shifts.open_shift(actor=admin, opening_float=Decimal("100.00"))
    # More than the house owes (its bills since the item's start), so some of it lands on the prepaid
    # balance the refund below is drawn from.
    payment = payments.record_payment(
        house=other_house, amount=Decimal("5000.00"), method="cash", idempotency_key="fuzz-pay", actor=admin
    )
    waiver = waivers.request_waiver(charge=charge, amount=Decimal("1.00"), kind="reduction", reason="模糊", actor=admin)
    refund = refunds.request_refund(
        house=other_house, source="balance", amount=Decimal("1.00"), method="cash", reason="模糊", actor=admin
    )
    deposit = deposits.receive_deposit(
        house=house,
        amount=Decimal("200.00"),
        method="cash",
        purpose="装修押金",
        idempotency_key="fuzz-dep",
        actor=admin,
    )
    return {
        "bill-runs": run.pk,
        "charges": charge.pk,
        "cashdesk": house.pk,  # /cashdesk/houses/{id}/
        "payments": payment.pk,
        "receipts": payment.receipt.pk,
        "waivers": waiver.pk,
        "refunds": refund.pk,
        "deposits": deposit.pk,
        "cashier-shifts": shift.pk,
    }


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, wechat_standin):
    """The fuzz run's data, built once in company alpha inside a transaction that spans the
    module and is rolled back after it (as Django's setUpTestData does); each test's own
    transaction nests in it as a savepoint."""
    from companies.models import Company

    with django_db_blocker.unblock():
        outer = transaction.atomic()
        # As Django's TestCase marks its own: the services' durable actions may run inside it.
        outer._from_testcase = True
        outer.__enter__()
        try:
            yield _build_world(Company.objects.get(slug="alpha"), wechat_standin)
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            connection.set_schema_to_public()


def _with_real_ids(case, ids: dict) -> None:
    """Half the generated ids (even numbers) are swapped for an object that exists, so the
    operations get past their 404 and into their code."""
    params = case.path_parameters or {}
    resource = case.operation.path.removeprefix("/api/v1/").split("/", 1)[0]
    for name in ("id", "estate_id"):
        value = params.get(name)
        if resource in ids and isinstance(value, int) and value % 2 == 0:
            params[name] = ids[resource]


def _call(case, host: str, headers: dict, identity: str) -> int:
    """One request in a savepoint rolled back after it: each request sees the world as built."""
    sid = transaction.savepoint()
    try:
        return case.call_and_validate(app=_wsgi, base_url=f"http://{host}", headers=headers).status_code
    except Exception as exc:
        exc.add_note(f"as: {identity}")
        raise
    finally:
        transaction.savepoint_rollback(sid)


# Identities an operation refused (401/403): its permission does not depend on the input (the
# check runs before the body is read), so later examples skip them and the run stays short.
_refused: dict[str, set[str]] = {}


@company_api.parametrize()
@HYPOTHESIS
def test_company_api(case, world, db, in_process):
    """Each generated request, anonymously, as every staff role and as an owner."""
    ids, tokens = world
    _with_real_ids(case, ids)
    refused = _refused.setdefault(case.operation.label, set())
    for identity in IDENTITIES:
        if identity in refused:
            continue
        headers = {"Authorization": f"Bearer {tokens[identity]}"} if identity in tokens else {}
        if _call(case, "alpha.localhost", headers, identity) in (401, 403):
            refused.add(identity)


@public_api.parametrize()
@HYPOTHESIS
def test_public_api(case, db, in_process):
    _call(case, "localhost", {}, "anonymous")


@pytest.mark.parametrize(("host", "document"), [("alpha.localhost", COMPANY_DOCUMENT), ("localhost", PUBLIC_DOCUMENT)])
def test_documents_are_served(db, host, document):
    """The fuzzed documents are the ones /api/schema/ serves on each host."""
    served = Client().get("/api/schema/?format=json", HTTP_HOST=host)
    assert served.status_code == 200
    assert served.json() == document
