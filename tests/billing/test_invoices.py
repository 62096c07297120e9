"""Invoices (发票): requested over paid payments, issued through the e-invoice stand-in (Nuonuo's
protocol) or on paper, rejected, voided (红冲) — and the locks the database holds: a payment on one
live invoice, no refund or void of an invoiced payment; owners see only their houses' invoices."""

from __future__ import annotations

from decimal import Decimal

import pytest
import redis
from django.conf import settings as django_settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django_tenants.utils import tenant_context

from billing.models import Allocation, Invoice, InvoiceLine, InvoiceStatus
from billing.models.invoices import is_valid_tax_number, uscc_check_character
from billing.services import invoices as invoice_services
from core.outbox import services as outbox
from standins import einvoice as standin
from tests.billing.test_ledger_api import _owner_client, _pay, _world

pytestmark = pytest.mark.django_db

COMPANY_TAX = "91350100M000100Y43"  # a unified social credit code with its check character right
SELLER_TAX = "91310000MA1FL0DQ3J"


@pytest.fixture(autouse=True)
def _einvoice(settings, tmp_path):
    settings.EINVOICE_BACKEND = "standin"
    settings.PRIVATE_ROOT = tmp_path
    store = redis.Redis.from_url(django_settings.REDIS_URL)
    store.delete("standin:einvoice:fail-next", "standin:einvoice:fail-issue")
    standin.set_polls(0)
    yield
    store.delete("standin:einvoice:fail-next", "standin:einvoice:fail-issue", "standin:einvoice:polls")


def _seller(client):
    body = {
        "invoice_seller_tax_number": SELLER_TAX,
        "invoice_seller_address": "杭州市西湖区",
        "invoice_seller_phone": "057188888888",
    }
    response = client.put("/api/v1/invoice-settings/", body, format="json")
    assert response.status_code == 200, response.content


def _setup(company, client_for):
    world = _world(company)
    cashier = client_for(company, "cashier")
    house = world["houses"][0]
    first = _pay(cashier, house, "inv-1", amount="100.00")
    second = _pay(cashier, house, "inv-2", amount="50.00")
    admin = client_for(company, "admin")
    _seller(admin)
    return world, house, admin, cashier, first["payment"]["id"], second["payment"]["id"]


def _request(client, house, payments, **extra):
    body = {"house": house.pk, "payments": payments, "title_kind": "personal", "title": "张三", **extra}
    return client.post("/api/v1/invoices/", body, format="json")


def test_tax_numbers_are_checked_by_their_shape_and_check_character():
    assert is_valid_tax_number(COMPANY_TAX) and is_valid_tax_number(SELLER_TAX)
    assert not is_valid_tax_number(COMPANY_TAX[:17] + ("0" if COMPANY_TAX[17] != "0" else "1"))
    assert not is_valid_tax_number("91350100M000100I43")  # I is not in the alphabet
    assert is_valid_tax_number("330106123456789") and is_valid_tax_number("33010612345678912345")
    assert not is_valid_tax_number("3301061234567") and not is_valid_tax_number("abc")
    assert uscc_check_character(COMPANY_TAX[:17]) == COMPANY_TAX[17]


def test_the_electronic_flow_issues_through_the_stand_in_once_and_serves_the_pdf(company_a, client_for):
    _, house, admin, cashier, p1, p2 = _setup(company_a, client_for)
    bad = _request(admin, house, [p1], title_kind="company", title="某某公司", tax_number="123")
    assert bad.status_code == 400 and "tax_number" in bad.json()["fields"]
    missing = _request(admin, house, [p1], title_kind="company", title="某某公司")
    assert missing.status_code == 400 and "tax_number" in missing.json()["fields"]
    created = _request(admin, house, [p1, p2], title_kind="company", title="某某公司", tax_number=COMPANY_TAX.lower())
    assert created.status_code == 201, created.content
    invoice = created.json()
    assert invoice["status"] == "requested" and invoice["amount"] == "150.00" and invoice["tax_number"] == COMPANY_TAX
    assert {line["amount"] for line in invoice["lines"]} == {"100.00", "50.00"}
    # A payment on one live request can't be on another.
    again = _request(admin, house, [p2])
    assert again.status_code == 400 and "payments" in again.json()["fields"]
    assert cashier.post(f"/api/v1/invoices/{invoice['id']}/issue/").status_code == 403  # fees.invoice

    standin.set_polls(1)  # the provider answers 开票中 once
    before = standin.submissions()
    issued = admin.post(f"/api/v1/invoices/{invoice['id']}/issue/")
    assert issued.status_code == 200 and issued.json()["status"] == "issuing"
    assert admin.post(f"/api/v1/invoices/{invoice['id']}/issue/").status_code == 409
    key = f"invoice:{invoice['id']}:issue:1"
    assert outbox.deliver_now(schema_name=company_a.schema_name, key=key) == "retry"  # still 开票中
    with tenant_context(company_a):
        assert Invoice.objects.get(pk=invoice["id"]).provider_serial  # the serial is kept at once
        # A redelivery asks by order number first: it finds the submission, never submits twice.
        invoice_services.submit_invoice(invoice_id=invoice["id"])
        invoice_services.submit_invoice(invoice_id=invoice["id"])
    assert standin.submissions() == before + 1
    done = admin.get(f"/api/v1/invoices/{invoice['id']}/").json()
    assert done["status"] == "issued" and done["kind"] == "electronic" and done["has_pdf"] is True
    assert len(done["invoice_number"]) == 8 and len(done["invoice_code"]) == 12
    pdf = admin.get(f"/api/v1/invoices/{invoice['id']}/pdf/")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")

    # Locked: no refund, no receipt void of its payments — the service says why, the database holds it.
    refund = {"house": house.pk, "source": "payment", "payment": p1, "amount": "10.00", "method": "cash", "reason": "x"}
    refused = cashier.post("/api/v1/refunds/", refund, format="json")
    assert refused.status_code == 409 and refused.json()["code"] == "payment_invoiced"
    receipt = cashier.get(f"/api/v1/payments/?house={house.pk}").json()["results"]
    receipt_id = next(r["receipt_id"] for r in receipt if r["id"] == p1)
    assert cashier.post(f"/api/v1/receipts/{receipt_id}/void/", {"reason": "错收"}, format="json").status_code == 409

    # 红冲 through the provider releases the payments.
    standin.set_polls(0)
    assert admin.post(f"/api/v1/invoices/{invoice['id']}/void/", {}, format="json").status_code == 400
    voiding = admin.post(f"/api/v1/invoices/{invoice['id']}/void/", {"reason": "抬头有误"}, format="json")
    assert voiding.status_code == 200 and voiding.json()["status"] == "voiding"
    with tenant_context(company_a):
        void_key = f"invoice:{invoice['id']}:void:{Invoice.objects.get(pk=invoice['id']).void_order_no}"
    assert outbox.deliver_now(schema_name=company_a.schema_name, key=void_key) == "done"
    voided = admin.get(f"/api/v1/invoices/{invoice['id']}/").json()
    assert voided["status"] == "voided" and voided["void_reason"] == "抬头有误"
    # The red invoice itself: its own number and PDF, which a company buyer's books need.
    assert voided["has_void_pdf"] is True and voided["void_invoice_number"] not in ("", voided["invoice_number"])
    red = admin.get(f"/api/v1/invoices/{invoice['id']}/red-pdf/")
    assert red.status_code == 200 and red.content.startswith(b"%PDF") and red.content != pdf.content
    assert cashier.post("/api/v1/refunds/", refund, format="json").status_code == 201
    payments = admin.get(f"/api/v1/invoice-payments/?house={house.pk}").json()["results"]
    assert {p["id"] for p in payments} == {p1, p2}
    assert _request(admin, house, [p2]).status_code == 201  # released: on a new request


def test_a_provider_failure_is_shown_and_retried_under_a_new_order_number(company_a, client_for):
    _, house, admin, _, p1, _ = _setup(company_a, client_for)
    invoice = _request(admin, house, [p1]).json()
    standin.fail_next_issue("购方名称与税号不匹配")
    admin.post(f"/api/v1/invoices/{invoice['id']}/issue/")
    assert outbox.deliver_now(schema_name=company_a.schema_name, key=f"invoice:{invoice['id']}:issue:1") == "done"
    failed = admin.get(f"/api/v1/invoices/{invoice['id']}/").json()
    assert failed["status"] == "failed" and "购方名称与税号不匹配" in failed["failure"]
    # The provider unreachable: the outbox retries; its refusal of the request: failed with its code.
    with tenant_context(company_a):
        first_order = Invoice.objects.get(pk=invoice["id"]).order_no
    standin.fail_next("SERVICE_DOWN", status=503)
    retried = admin.post(f"/api/v1/invoices/{invoice['id']}/issue/")
    assert retried.status_code == 200 and retried.json()["status"] == "issuing"
    assert outbox.deliver_now(schema_name=company_a.schema_name, key=f"invoice:{invoice['id']}:issue:2") == "retry"
    with tenant_context(company_a):
        assert Invoice.objects.get(pk=invoice["id"]).order_no != first_order
        invoice_services.submit_invoice(invoice_id=invoice["id"])
    assert admin.get(f"/api/v1/invoices/{invoice['id']}/").json()["status"] == "issued"


def test_a_signature_the_stand_in_cannot_verify_is_refused():
    from einvoice import EInvoiceError
    from einvoice.nuonuo import NuonuoProvider

    config = standin.demo_config()
    forged = NuonuoProvider(
        config.__class__(**{**config.__dict__, "app_secret": "WRONG"}), standin.in_process_session()
    )
    with pytest.raises(EInvoiceError) as refused:
        forged.query(order_no="WY000", seller_tax_number=SELLER_TAX)
    assert refused.value.code == "070301" and not refused.value.unreachable


def test_paper_reject_and_the_state_machine(company_a, client_for):
    _, house, admin, _, p1, p2 = _setup(company_a, client_for)
    first = _request(admin, house, [p1]).json()
    second = _request(admin, house, [p2]).json()
    bad = admin.post(f"/api/v1/invoices/{first['id']}/paper/", {"invoice_number": "12", "issued_on": "2020-01-01"})
    assert bad.status_code == 400 and "invoice_number" in bad.json()["fields"]
    today = timezone.localdate().isoformat()
    body = {"invoice_code": "033001900111", "invoice_number": "01234567", "issued_on": today}
    paper = admin.post(f"/api/v1/invoices/{first['id']}/paper/", body, format="json")
    assert paper.status_code == 200 and paper.json()["status"] == "issued" and paper.json()["kind"] == "paper"
    assert admin.post(f"/api/v1/invoices/{first['id']}/reject/", {"reason": "x"}, format="json").status_code == 409
    assert admin.post(f"/api/v1/invoices/{first['id']}/issue/").status_code == 409
    assert admin.get(f"/api/v1/invoices/{first['id']}/pdf/").status_code == 404  # paper: no file
    assert admin.post(f"/api/v1/invoices/{second['id']}/reject/", {}, format="json").status_code == 400
    rejected = admin.post(f"/api/v1/invoices/{second['id']}/reject/", {"reason": "重复申请"}, format="json")
    assert rejected.status_code == 200 and rejected.json()["reject_reason"] == "重复申请"
    assert admin.get("/api/v1/invoices/?status=rejected").json()["count"] == 1
    voided = admin.post(f"/api/v1/invoices/{first['id']}/void/", {"reason": "作废"}, format="json")
    assert voided.status_code == 200 and voided.json()["status"] == "voided"
    with tenant_context(company_a):
        assert not InvoiceLine.objects.filter(live=True).exists()
        invoice = Invoice.objects.get(pk=first["id"])
        invoice.status = InvoiceStatus.ISSUED  # voided is final: the database refuses going back
        with pytest.raises(IntegrityError), transaction.atomic():
            Invoice.objects.filter(pk=invoice.pk).update(status="issued")


def test_the_database_refuses_a_second_live_invoice_and_reversing_an_invoiced_payment(company_a, client_for):
    _, house, admin, _, p1, p2 = _setup(company_a, client_for)
    invoice = _request(admin, house, [p1]).json()
    other = _request(admin, house, [p2]).json()
    with tenant_context(company_a):
        with pytest.raises(IntegrityError), transaction.atomic():
            InvoiceLine.objects.create(invoice_id=other["id"], payment_id=p1, amount=Decimal("100.00"))
        with pytest.raises(IntegrityError), transaction.atomic():
            Invoice.objects.filter(pk=invoice["id"]).update(status="voided")  # requested -> voided: no such move
        with pytest.raises(IntegrityError), transaction.atomic():
            Invoice.objects.filter(pk=invoice["id"]).update(amount=Decimal("1.00"))
        # A refund while only requested is allowed (the request can't be issued after); once issued, not.
        Invoice.objects.filter(pk=invoice["id"]).update(
            status="issued", kind="paper", invoice_number="01234567", issued_at=timezone.now()
        )
        allocation = Allocation.objects.filter(payment_id=p1, amount__gt=0).first()
        with pytest.raises(IntegrityError, match="void the invoice first"), transaction.atomic():
            Allocation.objects.create(
                payment_id=p1, charge_id=allocation.charge_id, amount=-allocation.amount, reverses=allocation
            )
        with pytest.raises(IntegrityError), transaction.atomic():
            InvoiceLine.objects.filter(invoice_id=invoice["id"]).delete()
        Invoice.objects.filter(pk=invoice["id"]).update(status="voided")
        assert not InvoiceLine.objects.filter(invoice_id=invoice["id"], live=True).exists()  # released


def test_owners_request_and_see_only_their_own_invoices_and_pdfs(company_a, client_for):
    world, house, admin, cashier, p1, p2 = _setup(company_a, client_for)
    owner = _owner_client(company_a, client_for, person=world["person"])
    other_house = world["houses"][1]
    p3 = _pay(cashier, other_house, "inv-3", amount="80.00")["payment"]["id"]
    stranger = _owner_client(company_a, client_for, house=other_house, username="owner-2")
    payable = owner.get("/api/v1/owner/invoices/payments/").json()["results"]
    assert {p["id"] for p in payable} == {p1, p2} and all(p["invoiceable"] for p in payable)
    # A house id of other digits ("²" passes str.isdigit()) or past the database's integer: not found, not a 500.
    for odd in ("²", "١٢", "9" * 30, "-1", str(house.pk) + ".0"):
        assert owner.get(f"/api/v1/owner/invoices/payments/?house={odd}").status_code == 404, odd
        assert owner.get(f"/api/v1/owner/invoices/?house={odd}").status_code == 404, odd
        staff = client_for(company_a, "cashier").get(f"/api/v1/invoice-payments/?house={odd}")
        assert staff.status_code == 200 and staff.json()["results"] == [], odd
    body = {"house": house.pk, "payments": [p1], "title_kind": "personal", "title": "张三", "email": "zs@example.com"}
    assert owner.post("/api/v1/owner/invoices/", {**body, "payments": [p3]}, format="json").status_code == 400
    assert owner.post("/api/v1/owner/invoices/", {**body, "house": other_house.pk}, format="json").status_code == 404
    assert owner.post("/api/v1/owner/invoices/", {**body, "email": "nope"}, format="json").status_code == 400
    created = owner.post("/api/v1/owner/invoices/", body, format="json")
    assert created.status_code == 201, created.content
    invoice = created.json()
    assert [p["id"] for p in owner.get("/api/v1/owner/invoices/payments/").json()["results"]] == [p2]
    admin.post(f"/api/v1/invoices/{invoice['id']}/issue/")
    outbox.deliver_now(schema_name=company_a.schema_name, key=f"invoice:{invoice['id']}:issue:1")
    mine = owner.get("/api/v1/owner/invoices/").json()["results"]
    assert [(i["id"], i["status"]) for i in mine] == [(invoice["id"], "issued")]
    pdf = owner.get(f"/api/v1/owner/invoices/{invoice['id']}/pdf/")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert stranger.get("/api/v1/owner/invoices/").json()["count"] == 0
    assert stranger.get(f"/api/v1/owner/invoices/{invoice['id']}/pdf/").status_code == 404
    assert stranger.get(f"/api/v1/owner/invoices/?house={house.pk}").status_code == 404
    assert owner.get("/api/v1/invoices/").status_code == 403  # staff endpoints: never for owners
    red = f"/api/v1/owner/invoices/{invoice['id']}/red-pdf/"
    assert owner.get(red).status_code == 404  # not voided: no red invoice yet
    admin.post(f"/api/v1/invoices/{invoice['id']}/void/", {"reason": "抬头有误"}, format="json")
    with tenant_context(company_a):
        void_key = f"invoice:{invoice['id']}:void:{Invoice.objects.get(pk=invoice['id']).void_order_no}"
    assert outbox.deliver_now(schema_name=company_a.schema_name, key=void_key) == "done"
    [voided] = owner.get("/api/v1/owner/invoices/").json()["results"]
    assert voided["status"] == "voided" and voided["has_void_pdf"] is True
    assert owner.get(red).content.startswith(b"%PDF")
    assert stranger.get(red).status_code == 404


def test_company_b_invoices_are_404_on_company_a(company_a, company_b, client_for):
    _, house, admin, _, p1, _ = _setup(company_b, client_for)
    invoice = _request(admin, house, [p1]).json()
    admin.post(f"/api/v1/invoices/{invoice['id']}/issue/")
    assert outbox.deliver_now(schema_name=company_b.schema_name, key=f"invoice:{invoice['id']}:issue:1") == "done"
    with tenant_context(company_a):
        taken = set(Invoice.objects.values_list("pk", flat=True))
    if invoice["id"] not in taken:
        a_admin = client_for(company_a, "admin")
        assert a_admin.get(f"/api/v1/invoices/{invoice['id']}/").status_code == 404
        assert a_admin.get(f"/api/v1/invoices/{invoice['id']}/pdf/").status_code == 404
        assert (
            a_admin.post(f"/api/v1/invoices/{invoice['id']}/void/", {"reason": "x"}, format="json").status_code == 404
        )


def test_without_an_e_invoice_provider_staff_record_paper_invoices(company_a, client_for, settings):
    _, house, admin, _, p1, _ = _setup(company_a, client_for)
    settings.EINVOICE_BACKEND = "disabled"
    invoice = _request(admin, house, [p1]).json()
    refused = admin.post(f"/api/v1/invoices/{invoice['id']}/issue/")
    assert refused.status_code == 409 and refused.json()["code"] == "einvoice_disabled"
    body = {"invoice_number": "01234567", "issued_on": timezone.localdate().isoformat()}
    assert admin.post(f"/api/v1/invoices/{invoice['id']}/paper/", body, format="json").status_code == 200
