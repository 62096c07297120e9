"""Hostile input on the money-moving endpoints (discount rules, prepayment, vacancies, refunds, waivers,
reductions, the cash desk, receipt voids): every bad value is a 400 naming its field and writes nothing.

Text that merely looks like a spreadsheet formula (=, +, -, @ first) is ordinary text to the ledger —
"-50元抹零" is a real note — and is kept as typed: the exports write every string as a text cell
(core.sheets), so it can never run as a formula. Those are checked to be stored verbatim.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django_tenants.utils import tenant_context

from accounts.models import AuditEvent
from billing.models import Charge, DiscountRule, Payment, Refund, VacancyDiscount, Waiver
from billing.services import payments
from tests.billing.test_discounts import NEXT_MONTH, THIS_MONTH, _house, _people, _rule

pytestmark = pytest.mark.django_db

BAD_TEXT = ["\x00x", "x\x1b[31m", "a\u202eb", "a\u2066b", "", "   ", "\u3000"]
LONG = "长" * 201
BAD_AMOUNTS = [
    "-1",
    "0",
    "1.001",
    "NaN",
    "nan",
    "Infinity",
    "-Infinity",
    "1e20",
    "99999999999999.99",
    "",
    "  ",
    "abc",
    "1,5",
    True,
    [],
    {},
]
OPTIONAL_AMOUNTS = [a for a in BAD_AMOUNTS if str(a).strip()]  # where optional, blank means not given
BAD_COUNTS = [-1, 0, 10**20, "NaN", 1.5, "abc", "", None, True]
FORMULAS = ["=1+1", "+86 1380", "-50元抹零", "@SUM(A1:A9)", '=HYPERLINK("http://x")']
LEDGER = (Charge, Payment, Refund, Waiver, VacancyDiscount, DiscountRule, AuditEvent)


def _counts(company):
    with tenant_context(company):
        return {model.__name__: model.objects.count() for model in LEDGER}


def _world(company):
    """A billed house, a payment to refund and void, and the rules the forms name."""
    cashier, admin = _people(company)
    _e, house, item = _house(company)
    with tenant_context(company):
        vacancy_rule = _rule(admin, item, kind="vacancy", percent=Decimal("50"))
        charge = Charge.objects.filter(house=house, kind="regular").order_by("due_date").first()
        payment = payments.record_payment(
            house=house, amount=Decimal("10.00"), method="cash", idempotency_key="fuzz", actor=cashier
        )
        receipt = payment.receipt
    return {
        "house": house,
        "item": item,
        "vacancy_rule": vacancy_rule,
        "charge": charge,
        "payment": payment,
        "receipt": receipt,
    }


def _forms(w):
    """(role, url, a good body, {field: bad values}) for each endpoint."""
    house, item = w["house"].pk, w["item"].pk
    text_200 = [*BAD_TEXT, LONG]
    optional_text = ["\x00x", "x\x1b", "a\u202eb", "长" * 201]  # blank is allowed there
    return {
        "discount-rule": (
            "admin",
            "/api/v1/discount-rules/",
            {
                "name": "预缴95折",
                "kind": "prepay_percent",
                "fee_items": [item],
                "percent": "5",
                "min_cycles": 12,
                "valid_from": str(THIS_MONTH),
            },
            {"name": [*BAD_TEXT, "长" * 51], "percent": [*BAD_AMOUNTS, "100.01", "5.001"], "min_cycles": BAD_COUNTS},
        ),
        "prepay-quote": (
            "cashier",
            f"/api/v1/prepay/houses/{house}/quote/",
            {"fee_item": item, "cycles": 3},
            {"cycles": BAD_COUNTS, "fee_item": BAD_COUNTS},
        ),
        "prepay-pay": (
            "cashier",
            f"/api/v1/prepay/houses/{house}/pay/",
            {"fee_item": item, "cycles": 3, "expected_total": "671.25", "method": "cash", "idempotency_key": "p1"},
            {
                "expected_total": BAD_AMOUNTS,
                "tendered": OPTIONAL_AMOUNTS,
                "payer_name": ["\x00x", "a\u202eb", "长" * 51],
                "note": optional_text,
                "idempotency_key": [*BAD_TEXT, "k" * 65],
                "cycles": BAD_COUNTS,
            },
        ),
        "vacancy": (
            "cashier",
            "/api/v1/vacancy-discounts/",
            {
                "house": house,
                "fee_item": item,
                "rule": w["vacancy_rule"].pk,
                "start": str(NEXT_MONTH),
                "end": "2099-01-01",
                "reason": "未入住",
            },
            {"reason": text_200, "start": ["", "2026-02-30", "99999-01-01", "\x00"], "end": ["", "0000-01-01"]},
        ),
        "refund": (
            "cashier",
            "/api/v1/refunds/",
            {
                "house": house,
                "source": "payment",
                "payment": w["payment"].pk,
                "amount": "5.00",
                "method": "cash",
                "reason": "多收",
            },
            {"amount": BAD_AMOUNTS, "reason": text_200},
        ),
        "waiver": (
            "cashier",
            "/api/v1/waivers/",
            {"charge": w["charge"].pk, "amount": "5.00", "kind": "waive", "reason": "减免"},
            {"amount": BAD_AMOUNTS, "reason": text_200},
        ),
        "reduction": (
            "cashier",
            f"/api/v1/reductions/charges/{w['charge'].pk}/reduce/",
            {"amount": "5.00", "reason": "减免"},
            {"amount": OPTIONAL_AMOUNTS, "reason": text_200},
        ),
        "cashdesk-pay": (
            "cashier",
            f"/api/v1/cashdesk/houses/{house}/pay/",
            {"amount": "10.00", "method": "cash", "idempotency_key": "c1"},
            {
                "amount": BAD_AMOUNTS,
                "tendered": OPTIONAL_AMOUNTS,
                "payer_name": ["\x00x", "a\u202eb", "长" * 51],
                "note": optional_text,
                "reference": ["\x00x", "a\u202eb", "r" * 65],
                "idempotency_key": [*BAD_TEXT, "k" * 65],
                "charge_ids": [["x"], [-1], "1", [10**20]],
            },
        ),
        "top-up": (
            "cashier",
            f"/api/v1/cashdesk/houses/{house}/top-up/",
            {"amount": "10.00", "method": "cash", "idempotency_key": "t1"},
            {"amount": BAD_AMOUNTS, "payer_name": ["\x00x", "a\u202eb", "长" * 51]},
        ),
        "receipt-void": (
            "cashier",
            f"/api/v1/receipts/{w['receipt'].pk}/void/",
            {"reason": "开错"},
            {"reason": text_200},
        ),
    }


FORMS = [
    "discount-rule",
    "prepay-quote",
    "prepay-pay",
    "vacancy",
    "refund",
    "waiver",
    "reduction",
    "cashdesk-pay",
    "top-up",
    "receipt-void",
]


@pytest.mark.parametrize("form", FORMS)
def test_every_bad_value_is_a_400_on_its_field_and_writes_nothing(client_for, company_a, outbox_sent, form):
    w = _world(company_a)
    role, url, good, bad = _forms(w)[form]
    client = client_for(company_a, role)
    before = _counts(company_a)
    wrong = []
    for field, values in bad.items():
        for value in values:
            response = client.post(url, {**good, field: value}, format="json")
            body = response.json() if response.headers.get("Content-Type", "").startswith("application/json") else {}
            if response.status_code != 400 or field not in body.get("fields", {}):
                wrong.append((field, value, response.status_code, body))
    assert not wrong, wrong
    assert _counts(company_a) == before


@pytest.mark.parametrize("form", ["cashdesk-pay", "refund", "vacancy"])
def test_formula_looking_text_is_kept_as_typed(client_for, company_a, outbox_sent, form):
    w = _world(company_a)
    role, url, good, _bad = _forms(w)[form]
    field = {"cashdesk-pay": "note", "refund": "reason", "vacancy": "reason"}[form]
    client = client_for(company_a, role)
    stored = []
    for index, text in enumerate(FORMULAS):
        body = {**good, field: text}
        if "idempotency_key" in body:
            body["idempotency_key"] = f"formula-{index}"
        if form == "vacancy":
            body["start"], body["end"] = f"{2030 + index}-01-01", f"{2030 + index}-06-01"
        response = client.post(url, body, format="json")
        assert response.status_code in (200, 201), (text, response.content)
        stored.append(text)
    with tenant_context(company_a):
        if form == "cashdesk-pay":
            kept = list(
                Payment.objects.filter(idempotency_key__startswith="formula-")
                .order_by("pk")
                .values_list("note", flat=True)
            )
        elif form == "refund":
            kept = list(Refund.objects.order_by("pk").values_list("reason", flat=True))
        else:
            kept = list(VacancyDiscount.objects.order_by("pk").values_list("reason", flat=True))
    assert kept == stored
