"""The cash desk (收银台) in a browser against the real server: a house with an issued property-fee
charge; the cashier finds it by its number with the keyboard, takes cash with change, sees the
receipt number and opens the receipt PDF."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

import pytest

from tests.conftest import PASSWORD
from tests.e2e.conftest import login, screenshot

pytestmark = pytest.mark.e2e


@pytest.fixture
def house_with_a_charge(in_company_db):
    """A fresh building (a name no other test uses) whose house 101 owes one month of property fee."""
    from billing.models import Charge
    from billing.services import common as billing_common
    from tenants.estates import services as estate_services
    from tenants.estates.models import House
    from tests.billing.test_bill_runs import _fee, _run

    building_name = f"收{uuid.uuid4().hex[:4]}栋"
    today = billing_common.today()
    with in_company_db("alpha"):
        estate = estate_services.create_estate(name=f"收银花园{building_name}")
        building = estate_services.create_building(estate=estate, name=building_name, floors=2, units=["1单元"])
        estate_services.generate_houses(
            building=building, per_floor=2, building_area=Decimal("89.50"), usable_area=Decimal("72.30")
        )
        house = House.objects.get(building=building, number="101")
        # 2.50/m² a month from the first of this month: one full month, 223.75, due in 15 days.
        _fee(name=f"物业费{building_name}", start=date(today.year, today.month, 1), houses=[house])
        _run(estate, today)
        charges = list(Charge.objects.filter(house=house))
        assert [c.amount for c in charges] == [Decimal("223.75")]
        return {"building": building_name, "house_id": house.pk, "charge_id": charges[0].pk}


def test_a_cashier_takes_cash_with_change_and_opens_the_receipt(
    desktop, live_stack, in_company_db, house_with_a_charge
):
    from playwright.sync_api import expect

    from billing.models import Allocation, Payment, Receipt

    page = desktop
    data = house_with_a_charge
    login(page, live_stack, "alpha", "cashier", PASSWORD)
    page.goto(live_stack.url("alpha", "/fees/cashdesk"))
    expect(page.get_by_test_id("cashdesk-page")).to_be_visible()
    expect(page.get_by_test_id("shift-none")).to_be_visible()

    # Keyboard only: the building's houses (101 first), ↓ to 102, ↑ back to 101, Enter opens it.
    search = page.get_by_test_id("desk-search-input")
    search.fill(data["building"])
    expect(page.get_by_test_id("desk-result-0")).to_contain_text(f"{data['building']}1单元101")
    expect(page.get_by_test_id("desk-result-1")).to_contain_text("102")
    search.press("ArrowDown")
    expect(page.get_by_test_id("desk-result-1")).to_have_attribute("aria-selected", "true")
    search.press("ArrowUp")
    search.press("Enter")

    panel = page.get_by_test_id("desk-house")
    expect(panel).to_have_attribute("data-house", str(data["house_id"]))
    expect(page.get_by_test_id("desk-house-name")).to_contain_text(f"{data['building']}1单元101")
    expect(page.get_by_test_id("desk-total-due")).to_have_text("¥223.75")
    expect(page.get_by_test_id(f"desk-line-{data['charge_id']}")).to_contain_text("物业费")
    amount = page.get_by_test_id("desk-amount")
    expect(amount).to_have_value("223.75")  # the chosen lines' sum by default

    # Cash: 300 handed over, the change computed as the cashier types.
    page.get_by_test_id("desk-tendered").fill("300")
    expect(page.get_by_test_id("desk-change")).to_have_text("¥76.25")
    page.get_by_test_id("desk-pay").click()
    expect(page.get_by_test_id("desk-confirm-body")).to_contain_text("¥223.75")
    page.get_by_test_id("desk-confirm-ok").click()

    expect(page.get_by_test_id("desk-success")).to_be_visible()
    number = page.get_by_test_id("desk-receipt-number").inner_text().strip()
    assert number
    expect(page.get_by_test_id("desk-success-change")).to_contain_text("¥76.25")
    screenshot(page, "cashdesk-paid")

    with in_company_db("alpha"):
        payment = Payment.objects.get(house_id=data["house_id"])
        assert (payment.method, payment.amount, payment.tendered, payment.change) == (
            "cash",
            Decimal("223.75"),
            Decimal("300.00"),
            Decimal("76.25"),
        )
        assert Allocation.objects.get(payment=payment).charge_id == data["charge_id"]
        receipt = Receipt.objects.get(payment=payment)
        assert receipt.number == number

    # 打印收据: a new tab on the receipt's PDF, authenticated by the session cookie.
    pdf_path = f"/api/v1/receipts/{receipt.pk}/pdf/"
    with (
        page.context.expect_event("response", predicate=lambda r: r.url.endswith(pdf_path)) as answered,
        page.context.expect_page() as opened,
    ):
        page.get_by_test_id("desk-print").click()
    tab = opened.value
    response = answered.value
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    # The same URL fetched in the page with its session (Node cannot resolve *.localhost): a PDF.
    status, head = page.evaluate(
        """async (url) => {
            const r = await fetch(url, { credentials: 'same-origin' })
            const bytes = new Uint8Array(await r.arrayBuffer())
            return [r.status, String.fromCharCode(...bytes.slice(0, 5))]
        }""",
        pdf_path,
    )
    assert (status, head) == (200, "%PDF-")
    tab.close()

    # The house now owes nothing; the receipt is in its recent payments.
    page.get_by_test_id("desk-back").click()
    expect(page.get_by_test_id("desk-total-due")).to_have_text("¥0.00")
    expect(page.get_by_test_id("desk-recent")).to_contain_text(number)
