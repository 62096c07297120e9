"""Billing's Excel exports (应收明细, 收款记录, 欠费催缴, 表具, 抄表记录) write stored text as inert text:
names, labels, references and reasons that a spreadsheet would take for a formula (`=`, `+`, `-`,
`@`, a tab, a CR) keep their text but not their power, control characters XML forbids do not break
the file, and money stays numbers. Every billing export goes through core.exports/core.sheets; these
tests hold each one to it with the billing data an attacker can reach (an estate, a fee item, an
owner, a payer, a reference, a waiver's reason, a meter number, a reader's name)."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django_tenants.utils import tenant_context
from openpyxl import load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from accounts.models import User
from billing.models import FeeItem
from billing.services import meters as meter_services
from core.sheets import FORMULA_STARTS
from tenants.estates.models import Building, Estate, House, Unit
from tests.billing.test_ledger_api import _world

pytestmark = pytest.mark.django_db

ESTATE = '=HYPERLINK("http://x","y")'
BUILDING = "+1栋"
UNIT = "-2单元"
HOUSE_NUMBER = "10\x011"  # a control character: U+FFFD in the sheet
FEE_ITEM = "@SUM(A1)物业费"
OWNER = "\t=张三"
PAYER = "-1+1 李四"
REFERENCE = "=1+1"
REASON = "=cmd|' /C calc'!A0 空置"
METER = "@W-1"
READER = "+抄表员\x1b"

SHOWN_HOUSE = f"{BUILDING}{UNIT}10\ufffd1"


@pytest.fixture
def hostile(company_a, client_for):
    """The ledger world of test_ledger_api with every name an owner or staff member can type made hostile,
    a manual charge with a formula for its reason, a payment with a hostile payer and reference, a meter read."""
    world = _world(company_a)
    house = world["houses"][0]
    cashier, admin = client_for(company_a, "cashier"), client_for(company_a, "admin")
    today = world["today"]
    manual = {
        "house": house.pk,
        "fee_item": world["item"].pk,
        "period_start": (today + timedelta(days=400)).isoformat(),
        "period_end": (today + timedelta(days=430)).isoformat(),
        "amount": "88.00",
        "reason": REASON,  # a manual line's reason is its explanation
    }
    assert admin.post("/api/v1/charges/", manual, format="json").status_code == 201
    # The ledger is immutable: the payer and reference are hostile from the start, typed at the desk.
    body = {
        "amount": "100.00",
        "method": "cash",
        "idempotency_key": "hostile",
        "payer_name": PAYER,
        "reference": REFERENCE,
    }
    assert cashier.post(f"/api/v1/cashdesk/houses/{house.pk}/pay/", body, format="json").status_code == 201
    with tenant_context(company_a):
        Estate.objects.filter(pk=world["estate"].pk).update(name=ESTATE)
        Building.objects.filter(pk=house.building_id).update(name=BUILDING)
        Unit.objects.filter(pk=house.unit_id).update(name=UNIT)
        House.objects.filter(pk=house.pk).update(number=HOUSE_NUMBER)
        FeeItem.objects.filter(pk=world["item"].pk).update(name=FEE_ITEM)
        person = world["person"]
        person.name = OWNER
        person.save()
        reader = User.objects.get(username="repair")
        User.objects.filter(pk=reader.pk).update(name=READER)
        meter = meter_services.create_meter(
            kind="water", number=METER, house=House.objects.get(pk=house.pk), actor=None
        )
        meter_services.record_reading(
            meter=meter, read_on=world["today"] - timedelta(days=1), current=12, reader=reader, actor=reader
        )
    return company_a


def _sheet(response) -> list[list]:
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return [list(row) for row in load_workbook(io.BytesIO(response.content)).active.iter_rows()]


def _assert_inert(rows: list[list]) -> dict[str, object]:
    """Every cell: text is typed text (never a formula, never an error value), formula-like text
    carries the quote prefix, and nothing XML forbids is left. Returns the cells by text."""
    by_text = {}
    for row in rows:
        for cell in row:
            if cell.data_type == "f":
                raise AssertionError(f"{cell.coordinate} is a formula: {cell.value!r}")
            if not isinstance(cell.value, str):
                continue
            assert cell.data_type == "s", (cell.coordinate, cell.value)
            assert not ILLEGAL_CHARACTERS_RE.search(cell.value), (cell.coordinate, cell.value)
            if cell.value.startswith(FORMULA_STARTS):
                assert cell.quotePrefix, (cell.coordinate, cell.value)
            by_text[cell.value] = cell
    return by_text


def _column(rows: list[list], header: str) -> list:
    index = [cell.value for cell in rows[0]].index(header)
    return [row[index] for row in rows[1:]]


def _hostile_cells(by_text, *texts):
    for text in texts:
        assert text in by_text, (text, sorted(by_text))
        cell = by_text[text]
        assert (cell.data_type, cell.quotePrefix) == ("s", True), text


def test_the_ledger_export_writes_names_labels_and_reasons_as_text(hostile, client_for):
    rows = _sheet(client_for(hostile, "cashier").get("/api/v1/charges/?format=xlsx&page_size=500"))
    by_text = _assert_inert(rows)
    _hostile_cells(by_text, ESTATE, FEE_ITEM, SHOWN_HOUSE)
    _hostile_cells(by_text, REASON)  # the manual line's reason, as its explanation
    amounts = [cell for cell in _column(rows, "应收") if cell.value is not None]
    assert amounts and all(cell.data_type == "n" for cell in amounts)  # money stays summable


def test_the_payments_export_writes_payer_and_reference_as_text(hostile, client_for):
    rows = _sheet(client_for(hostile, "cashier").get("/api/v1/payments/?format=xlsx"))
    by_text = _assert_inert(rows)
    _hostile_cells(by_text, PAYER, REFERENCE, SHOWN_HOUSE)
    assert [cell.data_type for cell in _column(rows, "金额")] == ["n"]
    assert [cell.value for cell in _column(rows, "支付方式")] == ["现金"]


def test_the_arrears_export_for_dunning_writes_owner_and_house_as_text(hostile, client_for):
    rows = _sheet(client_for(hostile, "admin").get("/api/v1/billing/arrears/?format=xlsx"))
    by_text = _assert_inert(rows)
    _hostile_cells(by_text, ESTATE, BUILDING, SHOWN_HOUSE)
    # The owner's name begins with a tab: kept, typed as text, quoted.
    (owner,) = [cell for cell in _column(rows, "主缴费人") if cell.value and "张三" in cell.value]
    assert (owner.value, owner.data_type, owner.quotePrefix) == (OWNER, "s", True)
    assert all(cell.data_type == "n" for cell in _column(rows, "欠费合计"))


def test_the_meter_and_reading_exports_write_numbers_and_readers_as_text(hostile, client_for):
    admin = client_for(hostile, "admin")
    meters = _sheet(admin.get("/api/v1/meters/?format=xlsx"))
    _hostile_cells(_assert_inert(meters), METER, ESTATE, BUILDING, SHOWN_HOUSE)
    readings = _sheet(admin.get("/api/v1/meter-readings/?format=xlsx"))
    by_text = _assert_inert(readings)
    _hostile_cells(by_text, METER, "+抄表员\ufffd")
    assert [cell.data_type for cell in _column(readings, "本期读数")] == ["n"]
