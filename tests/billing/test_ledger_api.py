"""The ledger's API: bill runs, charges, the cash desk, payments and receipts, waivers, refunds,
deposits, balances, shifts, and the owner's bills — roles, bad input, isolation, fixed query counts."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tenants.utils import tenant_context

from accounts import services as account_services
from accounts.models import User
from billing.models import (
    Allocation,
    BalanceEntry,
    BillRun,
    Charge,
    Deposit,
    FeeAssignment,
    FeeItem,
    FeePrice,
    Payment,
    Receipt,
    Refund,
    Waiver,
)
from billing.services import bill_runs
from core.actions import action
from core.schemas import Schema
from tenants.estates import services as estate_services
from tenants.estates.models import House
from tenants.residents import services as resident_services

pytestmark = pytest.mark.django_db


def _first_of_month(day: date, back: int = 0) -> date:
    year, month = day.year, day.month - back
    while month < 1:
        year, month = year - 1, month + 12
    return date(year, month, 1)


@action(schema=Schema.COMPANY, audit=False)  # test set-up: fee configuration has its own audited services
def _fee(*, name, houses, start, late_fee=None, price="2.5000"):
    item = FeeItem.objects.create(
        name=name,
        kind="property",
        mode="building_area",
        cycle_months=1,
        valid_from=start,
        due_value=15,
        late_fee=late_fee or {},
    )
    FeePrice.objects.create(fee_item=item, effective_from=start, unit_price=Decimal(price))
    FeeAssignment.objects.bulk_create([FeeAssignment(fee_item=item, house=h, start=start) for h in houses])
    return item


def _run(estate, as_of):
    run = bill_runs.create_bill_run(as_of=as_of, estate=estate, actor=None)
    run = bill_runs.start_bill_run(run=run, actor=None)
    bill_runs.execute_bill_run(bill_run_id=run.pk)
    return run


def _world(company, *, name="翠湖苑", floors=2, per_floor=2, billed=True):
    """An estate of houses on a property fee: one month billed long ago (overdue, accruing a late
    fee), the rest up to today due in two weeks; house 0 has an owner with a phone."""
    today = timezone.localdate()
    with tenant_context(company):
        estate = estate_services.create_estate(name=name)
        building = estate_services.create_building(estate=estate, name="1栋", floors=floors, units=["1单元"])
        estate_services.generate_houses(
            building=building, per_floor=per_floor, building_area=Decimal("89.50"), usable_area=Decimal("72.30")
        )
        houses = list(House.objects.filter(estate=estate).select_related("building", "unit").order_by("id"))
        start = _first_of_month(today, 2)
        item = _fee(
            name=f"物业费{name}",
            houses=houses,
            start=start,
            late_fee={"strategy": "daily_rate", "rate": "0.0005"},
        )
        if billed:
            _run(estate, start)
            _run(estate, today)
        admin = User.objects.get(username="admin")
        person = resident_services.create_person(actor=admin, name="张三", phone="13912345678")
        resident_services.add_occupancy(
            actor=admin, house=houses[0], person=person, relation="owner", is_primary_payer=True
        )
    return {"estate": estate, "houses": houses, "item": item, "person": person, "today": today, "start": start}


def _owner_client(company, client_for, house=None, person=None, username="owner-1"):
    with tenant_context(company):
        owner = User.objects.create(username=username, roles=["resident"])
        if person is None:
            admin = User.objects.get(username="admin")
            person = resident_services.create_person(actor=admin, name=f"业主{username}")
            resident_services.add_occupancy(actor=admin, house=house, person=person, relation="owner")
        person.user = owner
        person.save(update_fields=["user"])
        raw, _token = account_services.issue_token(user=owner, kind="sms")
    client = client_for(company)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


def _counts(company):
    with tenant_context(company):
        return {
            model.__name__: model.objects.count()
            for model in (Charge, Payment, Allocation, Receipt, BalanceEntry, Waiver, Refund, Deposit, BillRun)
        }


# --- bill runs ---------------------------------------------------------------------------------------


def test_a_bill_run_is_previewed_started_with_a_job_and_finished(company_a, client_for):
    world = _world(company_a, billed=False)
    admin = client_for(company_a, "admin")
    created = admin.post(
        "/api/v1/bill-runs/", {"as_of": world["start"].isoformat(), "estate": world["estate"].pk}, format="json"
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["status"] == "previewed" and body["preview"]["charges"] == 4
    assert body["job"] is None
    started = admin.post(f"/api/v1/bill-runs/{body['id']}/start/")
    assert started.status_code == 200
    job = started.json()["job"]
    assert job and admin.get(f"/api/v1/jobs/{job}/").status_code == 200
    again = admin.post(f"/api/v1/bill-runs/{body['id']}/start/")
    assert again.status_code == 409
    with tenant_context(company_a):
        bill_runs.execute_bill_run(bill_run_id=body["id"])
    detail = admin.get(f"/api/v1/bill-runs/{body['id']}/").json()
    assert detail["status"] == "succeeded" and detail["result"]["charges"] == 4
    assert admin.get("/api/v1/bill-runs/").json()["count"] >= 1
    cancel_later = admin.post(
        "/api/v1/bill-runs/", {"as_of": world["today"].isoformat(), "estate": world["estate"].pk}, format="json"
    ).json()
    assert admin.post(f"/api/v1/bill-runs/{cancel_later['id']}/cancel/").json()["status"] == "cancelled"


def test_a_bad_bill_run_is_refused_with_field_errors_and_writes_nothing(company_a, client_for):
    _world(company_a, billed=False)
    admin = client_for(company_a, "admin")
    before = _counts(company_a)
    response = admin.post("/api/v1/bill-runs/", {"as_of": "2026-13-01", "estate": 999999}, format="json")
    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"as_of", "estate"}
    far = (timezone.localdate() + timedelta(days=90)).isoformat()
    response = admin.post("/api/v1/bill-runs/", {"as_of": far}, format="json")
    assert response.status_code == 400 and "as_of" in response.json()["fields"]
    assert _counts(company_a) == before


def test_cashiers_read_bill_runs_but_only_fee_managers_create_them(company_a, client_for):
    world = _world(company_a, billed=False)
    cashier = client_for(company_a, "cashier")
    assert cashier.get("/api/v1/bill-runs/").status_code == 200
    body = {"as_of": world["start"].isoformat(), "estate": world["estate"].pk}
    assert cashier.post("/api/v1/bill-runs/", body, format="json").status_code == 403
    for username in ("guard", "repair"):
        assert client_for(company_a, username).get("/api/v1/bill-runs/").status_code == 403


# --- charges -----------------------------------------------------------------------------------------


def test_charges_list_their_status_outstanding_and_explanation(company_a, client_for):
    world = _world(company_a)
    cashier = client_for(company_a, "cashier")
    house = world["houses"][0]
    rows = cashier.get(f"/api/v1/charges/?house={house.pk}&page_size=50").json()["results"]
    assert len(rows) == 3  # three months to date
    overdue = [r for r in rows if r["status"] == "overdue"]
    assert len(overdue) == 1
    row = overdue[0]
    assert row["outstanding"] == row["net"] == row["amount"] == "223.75"
    assert row["paid"] == "0.00"
    assert row["explanation"] == "89.50㎡ × 2.5000 元 × 1 月"
    assert row["house_label"] == "1栋1单元101"
    assert row["fee_item_name"] == world["item"].name
    unpaid = cashier.get(f"/api/v1/charges/?house={house.pk}&status=unpaid").json()
    assert unpaid["count"] == 2
    due_from = (world["today"] + timedelta(days=1)).isoformat()
    assert cashier.get(f"/api/v1/charges/?house={house.pk}&due_from={due_from}").json()["count"] == 2
    export = cashier.get(f"/api/v1/charges/?house={house.pk}&format=xlsx")
    assert export.status_code == 200
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")


def test_charge_statuses_follow_payments(company_a, client_for):
    world = _world(company_a)
    cashier = client_for(company_a, "cashier")
    house = world["houses"][1]
    rows = cashier.get(f"/api/v1/charges/?house={house.pk}&status=unpaid").json()["results"]
    charge_id = rows[0]["id"]
    paid = cashier.post(
        f"/api/v1/cashdesk/houses/{house.pk}/pay/",
        {"amount": "100.00", "method": "pos", "charge_ids": [charge_id], "idempotency_key": "partial-1"},
        format="json",
    )
    assert paid.status_code == 201, paid.content
    row = cashier.get(f"/api/v1/charges/{charge_id}/").json()
    assert (row["status"], row["paid"], row["outstanding"]) == ("partial", "100.00", "123.75")
    cashier.post(
        f"/api/v1/cashdesk/houses/{house.pk}/pay/",
        {"amount": "123.75", "method": "pos", "charge_ids": [charge_id], "idempotency_key": "partial-2"},
        format="json",
    )
    assert cashier.get(f"/api/v1/charges/{charge_id}/").json()["status"] == "paid"
    assert cashier.get(f"/api/v1/charges/?house={house.pk}&status=paid").json()["count"] == 1


def test_a_manual_charge_needs_fee_managers_and_valid_input(company_a, client_for):
    world = _world(company_a, billed=False)
    house = world["houses"][0]
    today = world["today"]
    body = {
        "house": house.pk,
        "fee_item": world["item"].pk,
        "period_start": today.isoformat(),
        "period_end": (today + timedelta(days=30)).isoformat(),
        "amount": "88.00",
        "reason": "装修垃圾清运",
    }
    assert client_for(company_a, "cashier").post("/api/v1/charges/", body, format="json").status_code == 403
    admin = client_for(company_a, "admin")
    before = _counts(company_a)
    bad = admin.post("/api/v1/charges/", {**body, "period_end": today.isoformat()}, format="json")
    assert bad.status_code == 400 and "period_end" in bad.json()["fields"]
    assert _counts(company_a) == before
    created = admin.post("/api/v1/charges/", body, format="json")
    assert created.status_code == 201, created.content
    assert created.json()["explanation"] == "装修垃圾清运"
    assert admin.post("/api/v1/charges/", body, format="json").status_code == 409


# --- the cash desk -----------------------------------------------------------------------------------


def test_the_desk_finds_a_house_by_label_number_owner_or_phone(company_a, client_for):
    world = _world(company_a)
    cashier = client_for(company_a, "cashier")
    house = world["houses"][0]
    for query in ("1栋1单元101", "101", "张三", "13912345678"):
        found = cashier.get("/api/v1/cashdesk/search/", {"q": query})
        assert found.status_code == 200
        ids = [row["id"] for row in found.json()]
        assert house.pk in ids, query
    row = next(r for r in cashier.get("/api/v1/cashdesk/search/", {"q": "13912345678"}).json() if r["id"] == house.pk)
    assert row["payer_name"] == "张三" and Decimal(row["owing"]) == Decimal("671.25")
    assert cashier.get("/api/v1/cashdesk/search/", {"q": "13900000000"}).json() == []


def test_the_desk_shows_what_is_due_with_late_fees_to_post_and_pays_it(company_a, client_for):
    world = _world(company_a)
    cashier = client_for(company_a, "cashier")
    house = world["houses"][0]
    desk = cashier.get(f"/api/v1/cashdesk/houses/{house.pk}/").json()
    assert desk["payer"]["name"] == "张三" and desk["payer"]["phone_masked"].startswith("139")
    assert len(desk["lines"]) == 3 and sum(line["overdue"] for line in desk["lines"]) == 1
    assert len(desk["late_fees_to_post"]) == 1
    late = Decimal(desk["late_fees_to_post"][0]["amount"])
    assert late > 0
    assert Decimal(desk["total_due"]) == Decimal("671.25") + late
    assert desk["balance"] == "0.00"

    pay = {
        "amount": "700.00",
        "method": "cash",
        "tendered": "800.00",
        "payer_name": "张三",
        "idempotency_key": "desk-pay-1",
    }
    first = cashier.post(f"/api/v1/cashdesk/houses/{house.pk}/pay/", pay, format="json")
    assert first.status_code == 201, first.content
    body = first.json()
    assert body["change"] == "100.00"
    assert Decimal(body["to_balance"]) == Decimal("700.00") - Decimal("671.25") - late
    assert body["receipt"]["number"].startswith(f"{timezone.localdate().year}-")
    assert len(body["allocations"]) == 4  # three months and the late fee posted on paying
    again = cashier.post(f"/api/v1/cashdesk/houses/{house.pk}/pay/", pay, format="json")
    assert again.status_code == 200
    assert again.json()["payment"]["id"] == body["payment"]["id"] and again.json()["replayed"] is True
    with tenant_context(company_a):
        assert Payment.objects.filter(house=house).count() == 1
    desk = cashier.get(f"/api/v1/cashdesk/houses/{house.pk}/").json()
    assert desk["lines"] == [] and desk["late_fees_to_post"] == []
    assert desk["balance"] == body["balance_after"] == body["to_balance"]
    assert desk["recent_payments"][0]["receipt_number"] == body["receipt"]["number"]

    top_up = cashier.post(
        f"/api/v1/cashdesk/houses/{house.pk}/top-up/",
        {"amount": "500.00", "method": "transfer", "idempotency_key": "top-up-1"},
        format="json",
    )
    assert top_up.status_code == 201
    assert Decimal(top_up.json()["balance_after"]) == Decimal(body["to_balance"]) + 500


def test_notes_stored_by_an_english_screen_are_kept_in_chinese(company_a, client_for):
    """The screen speaks the caller's language; the ledger keeps the company's (core.i18n)."""
    house = _world(company_a)["houses"][0]
    cashier = client_for(company_a, "cashier")
    english = {"format": "json", "HTTP_ACCEPT_LANGUAGE": "en"}
    pay = {"amount": "2000.00", "method": "cash", "tendered": "2000.00", "idempotency_key": "en-pay"}
    assert cashier.post(f"/api/v1/cashdesk/houses/{house.pk}/pay/", pay, **english).status_code == 201
    top_up = {"amount": "50.00", "method": "cash", "idempotency_key": "en-top-up"}
    assert cashier.post(f"/api/v1/cashdesk/houses/{house.pk}/top-up/", top_up, **english).status_code == 201
    refused = cashier.post(f"/api/v1/cashdesk/houses/{house.pk}/pay/", {"amount": "-1"}, **english)
    assert refused.status_code == 400 and "amount" in refused.json()["fields"]  # errors still follow the caller
    with tenant_context(company_a):
        notes = dict(BalanceEntry.objects.filter(house=house).values_list("kind", "note"))
    assert notes == {"overpayment": "收款余额转入预存款", "top_up": "预存款充值"}


def test_bad_payments_are_400_with_field_errors_and_write_nothing(company_a, client_for):
    world = _world(company_a)
    cashier = client_for(company_a, "cashier")
    house = world["houses"][0]
    before = _counts(company_a)
    url = f"/api/v1/cashdesk/houses/{house.pk}/pay/"
    cases = [
        ({"amount": "-5", "method": "cash", "idempotency_key": "k"}, "amount"),
        ({"amount": "1.234", "method": "cash", "idempotency_key": "k"}, "amount"),
        ({"amount": "10", "method": "wechat", "idempotency_key": "k"}, "method"),
        ({"amount": "10", "method": "cash"}, "idempotency_key"),
        ({"amount": "10", "method": "cash", "tendered": "5", "idempotency_key": "k"}, "tendered"),
        ({"amount": "10", "method": "pos", "tendered": "20", "idempotency_key": "k"}, "tendered"),
        ({"amount": "10", "method": "cash", "charge_ids": ["x"], "idempotency_key": "k"}, "charge_ids"),
    ]
    for body, field in cases:
        response = cashier.post(url, body, format="json")
        assert response.status_code == 400, (body, response.content)
        assert field in response.json()["fields"], (body, response.json())
    other = world["houses"][1]
    foreign = Charge.objects.none()
    with tenant_context(company_a):
        foreign = Charge.objects.filter(house=other).first()
    response = cashier.post(
        url, {"amount": "10", "method": "cash", "charge_ids": [foreign.pk], "idempotency_key": "k2"}, format="json"
    )
    assert response.status_code == 409 and response.json()["code"] == "charge_not_due"
    assert _counts(company_a) == before


def test_cash_desk_roles(company_a, client_for):
    world = _world(company_a)
    house = world["houses"][0]
    for username in ("guard", "repair", "dispatcher"):
        client = client_for(company_a, username)
        assert client.get(f"/api/v1/cashdesk/houses/{house.pk}/").status_code == 403
        assert client.get("/api/v1/cashdesk/search/?q=101").status_code == 403
        pay = {"amount": "1", "method": "cash", "idempotency_key": f"r-{username}"}
        assert client.post(f"/api/v1/cashdesk/houses/{house.pk}/pay/", pay, format="json").status_code == 403
    owner = _owner_client(company_a, client_for, person=world["person"])
    assert owner.get(f"/api/v1/cashdesk/houses/{house.pk}/").status_code == 403
    assert owner.get("/api/v1/charges/").status_code == 403
    assert owner.get("/api/v1/payments/").status_code == 403


# --- payments and receipts ---------------------------------------------------------------------------


def _pay(client, house, key, amount="223.75", method="cash"):
    response = client.post(
        f"/api/v1/cashdesk/houses/{house.pk}/pay/",
        {"amount": amount, "method": method, "idempotency_key": key},
        format="json",
    )
    assert response.status_code == 201, response.content
    return response.json()


def test_payments_and_receipts_list_filter_and_render_a_pdf(company_a, client_for):
    world = _world(company_a)
    cashier = client_for(company_a, "cashier")
    paid = _pay(cashier, world["houses"][1], "list-1", method="pos")
    _pay(cashier, world["houses"][2], "list-2", method="cash")
    today = timezone.localdate().isoformat()
    rows = cashier.get(f"/api/v1/payments/?method=pos&date_from={today}&date_to={today}").json()["results"]
    assert [r["id"] for r in rows] == [paid["payment"]["id"]]
    assert rows[0]["receipt_number"] == paid["receipt"]["number"]
    assert cashier.get(f"/api/v1/payments/?house={world['houses'][2].pk}").json()["count"] == 1
    lines = cashier.get(f"/api/v1/payments/{paid['payment']['id']}/lines/").json()
    assert sum(Decimal(line["amount"]) for line in lines) == Decimal("223.75")
    receipt_id = paid["receipt"]["id"]
    detail = cashier.get(f"/api/v1/receipts/{receipt_id}/").json()
    assert detail["number"] == paid["receipt"]["number"] and detail["snapshot"]["total"] == "223.75"
    pdf = cashier.get(f"/api/v1/receipts/{receipt_id}/pdf/")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert f'filename="{paid["receipt"]["number"]}.pdf"' in pdf["Content-Disposition"]
    assert cashier.get(f"/api/v1/receipts/{receipt_id}/pdf/", HTTP_ACCEPT="application/pdf").status_code == 200


def test_a_cashier_voids_only_their_own_receipt_of_today(company_a, client_for):
    world = _world(company_a)
    cashier = client_for(company_a, "cashier")
    admin = client_for(company_a, "admin")
    own = _pay(cashier, world["houses"][1], "void-own")
    others = _pay(admin, world["houses"][2], "void-admin")
    refused = cashier.post(f"/api/v1/receipts/{others['receipt']['id']}/void/", {"reason": "错收"}, format="json")
    assert refused.status_code == 403
    assert cashier.post(f"/api/v1/receipts/{own['receipt']['id']}/void/", {}, format="json").status_code == 400
    voided = cashier.post(f"/api/v1/receipts/{own['receipt']['id']}/void/", {"reason": "错收"}, format="json")
    assert voided.status_code == 200 and voided.json()["voided"] is True
    twice = cashier.post(f"/api/v1/receipts/{own['receipt']['id']}/void/", {"reason": "错收"}, format="json")
    assert twice.status_code == 409
    admin_void = admin.post(f"/api/v1/receipts/{others['receipt']['id']}/void/", {"reason": "重复"}, format="json")
    assert admin_void.status_code == 200
    for username in ("guard", "repair"):
        assert client_for(company_a, username).get("/api/v1/receipts/").status_code == 403


# --- waivers, refunds, deposits, balances, shifts ----------------------------------------------------


def test_a_waiver_is_requested_by_a_cashier_and_approved_by_someone_else(company_a, client_for):
    world = _world(company_a)
    cashier = client_for(company_a, "cashier")
    admin = client_for(company_a, "admin")
    house = world["houses"][1]
    charge = cashier.get(f"/api/v1/charges/?house={house.pk}&status=overdue").json()["results"][0]
    before = _counts(company_a)
    bad = cashier.post("/api/v1/waivers/", {"charge": charge["id"], "amount": "0", "kind": "x"}, format="json")
    assert bad.status_code == 400 and {"amount", "kind", "reason"} <= set(bad.json()["fields"])
    assert _counts(company_a) == before
    body = {"charge": charge["id"], "amount": "23.75", "kind": "reduction", "reason": "空置"}
    requested = cashier.post("/api/v1/waivers/", body, format="json")
    assert requested.status_code == 201, requested.content
    waiver = requested.json()
    assert cashier.post("/api/v1/waivers/", body, format="json").status_code == 409  # one pending at a time
    assert cashier.post(f"/api/v1/waivers/{waiver['id']}/approve/", {}, format="json").status_code == 403
    assert cashier.get("/api/v1/waivers/?decided=false").json()["count"] == 1
    approved = admin.post(f"/api/v1/waivers/{waiver['id']}/approve/", {"note": "同意"}, format="json")
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    row = cashier.get(f"/api/v1/charges/{charge['id']}/").json()
    assert (row["adjusted"], row["net"], row["outstanding"]) == ("-23.75", "200.00", "200.00")
    assert admin.post(f"/api/v1/waivers/{waiver['id']}/reject/", {"note": "x"}, format="json").status_code == 409
    own = admin.post("/api/v1/waivers/", {**body, "amount": "1.00"}, format="json").json()
    assert admin.post(f"/api/v1/waivers/{own['id']}/approve/", {}, format="json").status_code == 403
    assert admin.post(f"/api/v1/waivers/{own['id']}/reject/", {}, format="json").status_code == 400


def test_a_refund_from_the_balance_is_approved_and_paid_back(company_a, client_for):
    world = _world(company_a)
    cashier = client_for(company_a, "cashier")
    admin = client_for(company_a, "admin")
    house = world["houses"][3]
    cashier.post(
        f"/api/v1/cashdesk/houses/{house.pk}/top-up/",
        {"amount": "300.00", "method": "cash", "idempotency_key": "refund-top-up"},
        format="json",
    )
    body = {"house": house.pk, "source": "balance", "amount": "100.00", "method": "cash", "reason": "搬走"}
    too_much = cashier.post("/api/v1/refunds/", {**body, "amount": "999.00"}, format="json")
    assert too_much.status_code == 400 and "amount" in too_much.json()["fields"]
    requested = cashier.post("/api/v1/refunds/", body, format="json")
    assert requested.status_code == 201, requested.content
    refund = requested.json()
    assert cashier.post(f"/api/v1/refunds/{refund['id']}/approve/", {}, format="json").status_code == 403
    approved = admin.post(f"/api/v1/refunds/{refund['id']}/approve/", {}, format="json")
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    balances = cashier.get("/api/v1/balances/").json()["results"]
    assert {"house": house.pk, "balance": "200.00"}.items() <= next(
        b for b in balances if b["house"] == house.pk
    ).items()
    entries = cashier.get(f"/api/v1/balances/{house.pk}/entries/").json()["results"]
    assert [e["amount"] for e in entries] == ["-100.00", "300.00"]
    assert cashier.get("/api/v1/balances/999999/entries/").status_code == 404


def test_a_deposit_is_received_listed_with_what_remains_and_applied(company_a, client_for):
    world = _world(company_a)
    cashier = client_for(company_a, "cashier")
    house = world["houses"][2]
    body = {
        "house": house.pk,
        "amount": "1000.00",
        "method": "cash",
        "purpose": "装修押金",
        "idempotency_key": "deposit-1",
    }
    before = _counts(company_a)
    bad = cashier.post("/api/v1/deposits/", {**body, "purpose": "", "amount": "abc"}, format="json")
    assert bad.status_code == 400 and {"purpose", "amount"} <= set(bad.json()["fields"])
    assert _counts(company_a) == before
    received = cashier.post("/api/v1/deposits/", body, format="json")
    assert received.status_code == 201, received.content
    deposit = received.json()
    assert deposit["remaining"] == "1000.00"
    applied = cashier.post(f"/api/v1/deposits/{deposit['id']}/apply/", {"amount": "223.75"}, format="json")
    assert applied.status_code == 201, applied.content
    assert cashier.get(f"/api/v1/deposits/{deposit['id']}/").json()["remaining"] == "776.25"
    assert cashier.get("/api/v1/deposits/?held=true").json()["count"] >= 1
    desk = cashier.get(f"/api/v1/cashdesk/houses/{house.pk}/").json()
    assert desk["deposits"][0]["remaining"] == "776.25"


def test_a_cashier_opens_and_closes_a_shift_with_a_summary_by_method(company_a, client_for):
    world = _world(company_a)
    cashier = client_for(company_a, "cashier")
    assert cashier.get("/api/v1/cashier-shifts/current/").status_code == 204  # none open: no error
    opened = cashier.post("/api/v1/cashier-shifts/", {"opening_float": "200.00"}, format="json")
    assert opened.status_code == 201, opened.content
    shift = opened.json()
    assert cashier.post("/api/v1/cashier-shifts/", {}, format="json").status_code == 409
    _pay(cashier, world["houses"][1], "shift-cash", method="cash")
    _pay(cashier, world["houses"][2], "shift-pos", method="pos")
    current = cashier.get("/api/v1/cashier-shifts/current/").json()
    assert {row["method"]: row["total"] for row in current["summary"]["by_method"]} == {
        "cash": "223.75",
        "pos": "223.75",
    }
    admin = client_for(company_a, "admin")
    close = {"counted_cash": "423.75"}
    assert admin.post(f"/api/v1/cashier-shifts/{shift['id']}/close/", close, format="json").status_code == 403
    assert cashier.post(f"/api/v1/cashier-shifts/{shift['id']}/close/", {}, format="json").status_code == 400
    closed = cashier.post(f"/api/v1/cashier-shifts/{shift['id']}/close/", close, format="json")
    assert closed.status_code == 200
    assert closed.json()["summary"]["expected_cash"] == "423.75"
    assert closed.json()["summary"]["difference"] == "0.00"
    assert cashier.get("/api/v1/cashier-shifts/").json()["count"] >= 1


# --- the owner ---------------------------------------------------------------------------------------


def test_an_owner_sees_the_bills_of_their_house_only(company_a, client_for):
    world = _world(company_a)
    owner = _owner_client(company_a, client_for, person=world["person"])
    mine, other = world["houses"][0], world["houses"][1]
    bills = owner.get("/api/v1/owner/bills/")
    assert bills.status_code == 200, bills.content
    (house,) = bills.json()
    assert house["house"] == mine.pk and house["house_label"] == "1栋1单元101"
    assert len(house["overdue"]) == 1 and len(house["due"]) == 2 and house["paid"] == []
    assert house["overdue"][0]["explanation"] == "89.50㎡ × 2.5000 元 × 1 月"
    assert Decimal(house["totals"]["to_pay"]) == Decimal("671.25") + Decimal(house["totals"]["late_fees_accruing"])
    desk = client_for(company_a, "cashier").get(f"/api/v1/cashdesk/houses/{mine.pk}/").json()
    assert [(a["principal"], a["amount"]) for a in house["late_fees_accruing"]] == [
        (a["principal"], a["amount"]) for a in desk["late_fees_to_post"]
    ]  # the same rule as the services' accrued_unposted
    assert Decimal(house["totals"]["late_fees_accruing"]) > 0
    # An accruing late fee names its bill: the overdue line's fee item and period.
    (accruing,) = house["late_fees_accruing"]
    (overdue,) = house["overdue"]
    assert accruing["principal"] == overdue["id"]
    assert (accruing["fee_item_name"], accruing["period_start"], accruing["period_end"]) == (
        overdue["fee_item_name"],
        overdue["period_start"],
        overdue["period_end"],
    )
    assert all(line["principal"] is None for line in house["due"] + house["overdue"])
    assert owner.get(f"/api/v1/owner/bills/?house={mine.pk}").json()[0]["house"] == mine.pk
    assert owner.get(f"/api/v1/owner/bills/?house={other.pk}").status_code == 404
    assert owner.get("/api/v1/owner/bills/?house=abc").status_code == 400

    cashier = client_for(company_a, "cashier")
    mine_paid = _pay(cashier, mine, "owner-mine", amount="300.00")
    others_paid = _pay(cashier, other, "owner-other")
    history = owner.get("/api/v1/owner/bills/history/").json()
    assert [p["id"] for p in history["results"]] == [mine_paid["payment"]["id"]]
    assert history["results"][0]["lines"]
    assert (history["results"][0]["method"], history["results"][0]["method_label"]) == ("cash", "现金")
    assert owner.get(f"/api/v1/owner/bills/history/?house={other.pk}").status_code == 404
    assert owner.get(f"/api/v1/owner/receipts/{mine_paid['receipt']['id']}/pdf/").status_code == 200
    assert owner.get(f"/api/v1/owner/receipts/{others_paid['receipt']['id']}/pdf/").status_code == 404
    bills = owner.get("/api/v1/owner/bills/").json()[0]
    assert bills["overdue"] == [] and len(bills["paid"]) >= 1
    # The late fee posted with the payment is a line of its own that says which bill it is for.
    lines = bills["due"] + bills["paid"]
    (late,) = [line for line in lines if line["kind"] == "late_fee"]
    assert late["principal"] == {
        "id": overdue["id"],
        "fee_item_name": overdue["fee_item_name"],
        "period_start": overdue["period_start"],
        "period_end": overdue["period_end"],
    }
    assert late["period_start"] != overdue["period_start"]  # its own period is the days overdue
    assert all(line["principal"] is None for line in lines if line["kind"] != "late_fee")


def test_staff_cannot_use_the_owner_endpoints(company_a, client_for):
    _world(company_a)
    for username in ("admin", "cashier"):
        assert client_for(company_a, username).get("/api/v1/owner/bills/").status_code == 403


def test_owner_bills_take_a_fixed_number_of_queries(company_a, client_for):
    world = _world(company_a)
    owner = _owner_client(company_a, client_for, person=world["person"])
    owner.get("/api/v1/owner/bills/")
    with CaptureQueriesContext(connection) as few:
        assert owner.get("/api/v1/owner/bills/").status_code == 200
    with tenant_context(company_a):
        _run(world["estate"], world["today"] + timedelta(days=25))  # another month of lines
    with CaptureQueriesContext(connection) as more:
        assert owner.get("/api/v1/owner/bills/").status_code == 200
    assert len(few) == len(more), (len(few), len(more))


def test_owner_lines_agree_with_the_staff_ledger(company_a, client_for):
    """owner_lines reads the ledger in its own SQL: its amounts and statuses are outstanding.with_status's,
    across a waiver, a partial payment, a paid line and a posted late fee."""
    from billing import outstanding
    from billing.selectors import ledger, owner

    world = _world(company_a)
    cashier, admin = client_for(company_a, "cashier"), client_for(company_a, "admin")
    waived, partial, paid = world["houses"][1], world["houses"][2], world["houses"][3]
    charge = cashier.get(f"/api/v1/charges/?house={waived.pk}&status=overdue").json()["results"][0]
    body = {"charge": charge["id"], "amount": "23.75", "kind": "reduction", "reason": "空置"}
    waiver = cashier.post("/api/v1/waivers/", body, format="json").json()
    assert admin.post(f"/api/v1/waivers/{waiver['id']}/approve/", {}, format="json").status_code == 200
    _pay(cashier, partial, "lines-partial", amount="100.00")
    _pay(cashier, paid, "lines-paid", amount="2000.00")
    today = world["today"]
    with tenant_context(company_a):
        ids = [h.pk for h in world["houses"]]
        lines = owner.owner_lines(ids, paid_since=today - timedelta(days=400), as_of=today)
        staff = {
            c.pk: c
            for c in outstanding.with_status(Charge.objects.filter(house_id__in=ids), as_of=today).exclude(
                kind="adjustment"
            )
        }
    fields = ("adjusted", "net", "paid", "outstanding", "status")
    assert {c.status for c in lines} >= {"overdue", "paid", "unpaid"}
    assert any(c.adjusted < 0 for c in lines) and any(c.kind == "late_fee" for c in lines)
    order = sorted(staff.values(), key=lambda c: (c.house_id, c.due_date, c.period_start, c.pk))
    assert [c.pk for c in lines] == [c.pk for c in order]
    for line in lines:
        assert [getattr(line, f) for f in fields] == [getattr(staff[line.pk], f) for f in fields], line.pk
        assert ledger.explain(line) == ledger.explain(staff[line.pk])


# --- isolation and fixed query counts ----------------------------------------------------------------


def test_company_b_ids_are_404_on_company_a(company_a, company_b, client_for):
    world = _world(company_b, name="贝塔苑")
    b_admin = client_for(company_b, "admin")
    paid = _pay(b_admin, world["houses"][0], "b-pay")
    with tenant_context(company_b):
        charge_id = Charge.objects.filter(house=world["houses"][0]).values_list("pk", flat=True).first()
        run_id = BillRun.objects.values_list("pk", flat=True).last()
    with tenant_context(company_a):
        taken = {
            "charges": set(Charge.objects.values_list("pk", flat=True)),
            "receipts": set(Receipt.objects.values_list("pk", flat=True)),
            "houses": set(House.objects.values_list("pk", flat=True)),
            "bill-runs": set(BillRun.objects.values_list("pk", flat=True)),
        }
    a_admin = client_for(company_a, "admin")
    checks = [
        ("charges", charge_id, f"/api/v1/charges/{charge_id}/"),
        ("receipts", paid["receipt"]["id"], f"/api/v1/receipts/{paid['receipt']['id']}/pdf/"),
        ("houses", world["houses"][0].pk, f"/api/v1/cashdesk/houses/{world['houses'][0].pk}/"),
        ("bill-runs", run_id, f"/api/v1/bill-runs/{run_id}/"),
    ]
    for kind, pk, path in checks:
        if pk in taken[kind]:
            continue  # ids are per schema: this one exists in A too
        assert a_admin.get(path).status_code == 404, path
    if world["houses"][0].pk not in taken["houses"]:
        pay = {"amount": "1.00", "method": "cash", "idempotency_key": "cross"}
        path = f"/api/v1/cashdesk/houses/{world['houses'][0].pk}/pay/"
        assert a_admin.post(path, pay, format="json").status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/charges/",
        "/api/v1/payments/",
        "/api/v1/receipts/",
        "/api/v1/bill-runs/",
        "/api/v1/deposits/",
        "/api/v1/waivers/",
        "/api/v1/refunds/",
        "/api/v1/balances/",
        "/api/v1/cashier-shifts/",
    ],
)
def test_list_queries_do_not_grow_with_page_size(company_a, client_for, path):
    world = _world(company_a, floors=3, per_floor=2)
    admin = client_for(company_a, "admin")
    cashier = client_for(company_a, "cashier")
    for index, house in enumerate(world["houses"]):
        _pay(cashier, house, f"q-{index}")
        cashier.post(
            f"/api/v1/cashdesk/houses/{house.pk}/top-up/",
            {"amount": "10.00", "method": "cash", "idempotency_key": f"qt-{index}"},
            format="json",
        )
        cashier.post(
            "/api/v1/deposits/",
            {
                "house": house.pk,
                "amount": "5.00",
                "method": "cash",
                "purpose": "押金",
                "idempotency_key": f"qd-{index}",
            },
            format="json",
        )
        charge = cashier.get(f"/api/v1/charges/?house={house.pk}&status=unpaid").json()["results"][0]
        cashier.post(
            "/api/v1/waivers/",
            {"charge": charge["id"], "amount": "1.00", "kind": "reduction", "reason": "r"},
            format="json",
        )
        cashier.post(
            "/api/v1/refunds/",
            {"house": house.pk, "source": "balance", "amount": "1.00", "method": "cash", "reason": "r"},
            format="json",
        )
    cashier.post("/api/v1/cashier-shifts/", {}, format="json")
    admin.post("/api/v1/cashier-shifts/", {}, format="json")
    counts = []
    for size in (2, 50):
        with CaptureQueriesContext(connection) as queries:
            response = admin.get(f"{path}?page_size={size}")
            assert response.status_code == 200
        assert response.json()["count"] >= 2, path
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
