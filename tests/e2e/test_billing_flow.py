"""Billing from end to end, in browsers against the real server and worker: the admin sets a property
fee by building area and assigns it to an estate (收费项目, 收费对象), runs the estate's bills
(出账: preview → confirm → progress → done); the cashier takes one house's fee in cash with change
and opens the receipt; the owner of that house sees the bill paid (已缴) in the H5 app's 缴费 page,
and the run's new-bill message in its inbox (消息)."""

from __future__ import annotations

import uuid
from decimal import Decimal
from pathlib import Path

import pytest

from tests.conftest import PASSWORD
from tests.e2e.conftest import PHONE, login, screenshot
from tests.e2e.test_owner_h5 import H5_INDEX, _owner_logs_in

pytestmark = pytest.mark.e2e

AREA = Decimal("89.50")
MONTHLY = Decimal("223.75")  # 89.50 m² × ¥2.50 for one whole month


@pytest.fixture
def billing_estate(in_company_db):
    """A fresh estate with one building (a name no other test uses) of 1 floor × 2 houses."""
    from tenants.estates import services as estate_services
    from tenants.estates.models import House

    tag = uuid.uuid4().hex[:4]
    with in_company_db("alpha"):
        estate = estate_services.create_estate(name=f"出账小区{tag}")
        building = estate_services.create_building(estate=estate, name=f"账{tag}栋", floors=1, units=["1单元"])
        estate_services.generate_houses(building=building, per_floor=2, building_area=AREA, usable_area=Decimal("72"))
        houses = list(House.objects.filter(estate=estate).order_by("number"))
        return {
            "tag": tag,
            "name": estate.name,
            "id": estate.pk,
            "building": building.name,
            "house_id": houses[0].pk,
            "house_number": houses[0].number,
            "houses": len(houses),
        }


def _pick_date(scope, label: str, value: str) -> None:
    """Type a date into the Element Plus date picker of the form item labelled `label`, and close
    its panel by clicking its label (the picker keeps a data-testid off its input)."""
    item = scope.locator(".el-form-item").filter(has_text=label)
    field = item.locator("input").first
    field.fill(value)
    field.press("Enter")
    item.locator(".el-form-item__label").click()  # not Escape: that would close the dialog too


def test_fee_set_assigned_billed_paid_at_the_desk_and_seen_paid_by_the_owner(
    desktop, new_context, live_stack, in_company_db, billing_estate
):
    from django.utils import timezone
    from playwright.sync_api import expect

    from accounts.models import User
    from accounts.services import phone_indexes
    from billing.models import BillRun, Charge, FeeAssignment, Payment, Receipt
    from tenants.estates.models import House
    from tenants.residents.services import bindings as binding_services

    if not Path(H5_INDEX).exists():
        pytest.fail("the owner app's H5 build is missing: cd miniprogram && npm run build:h5")
    data = billing_estate
    item_name = f"物业费{data['tag']}"
    # From the first of this month, so the first bill is one whole month whatever day the test runs.
    first_of_month = timezone.localdate().replace(day=1).isoformat()

    # --- 1. the admin sets the fee: building area × ¥2.50 a month -----------------------------
    page = desktop
    login(page, live_stack, "alpha", "admin", PASSWORD)
    page.goto(live_stack.url("alpha", "/fees/items"))
    expect(page.get_by_test_id("fee-items-page")).to_be_visible()
    page.get_by_test_id("fee-item-create").click()
    page.get_by_test_id("fee-item-name").fill(item_name)
    page.get_by_test_id("fee-item-unit-price").fill("2.5")
    _pick_date(page.get_by_test_id("fee-item-dialog"), "生效日期", first_of_month)
    page.get_by_test_id("fee-item-dialog-submit").click()
    expect(page.get_by_test_id("fee-item-dialog")).to_be_hidden()
    expect(page.get_by_test_id("table").locator("tr").filter(has_text=item_name)).to_contain_text("¥2.5000")

    # --- 2. … and assigns it to the estate: preview, then confirm -----------------------------
    page.get_by_test_id("tab-fees-assignments").click()
    expect(page.get_by_test_id("assignments-page")).to_be_visible()
    page.get_by_test_id("assign-open").click()
    dialog = page.get_by_test_id("assign-dialog")
    dialog.get_by_test_id("assign-fee-item").click()
    page.locator("[data-testid^=assign-fee-item-]").filter(has_text=item_name).click()
    _pick_date(dialog, "开始计费日期", first_of_month)
    dialog.get_by_test_id("assign-location").locator("input").click()
    page.locator(".el-cascader-node").filter(has_text=data["name"]).locator(".el-radio").click()
    page.keyboard.press("Escape")
    dialog.get_by_test_id("assign-preview-button").click()
    expect(dialog.get_by_test_id("preview-to-assign")).to_have_text(str(data["houses"]))
    dialog.get_by_test_id("assign-confirm").click()
    expect(dialog).to_be_hidden()
    with in_company_db("alpha"):
        assignments = FeeAssignment.objects.filter(fee_item__name=item_name)
        assert assignments.count() == data["houses"]
        item_id = assignments.first().fee_item_id  # type: ignore[union-attr]

    # The owner of the first house uses the H5 app (bound before the run, so the run tells them).
    owner_phone = f"1382244{int(data['tag'], 16) % 10_000:04d}"
    phone = new_context(**PHONE).new_page()
    _owner_logs_in(phone, live_stack, owner_phone)
    with in_company_db("alpha"):
        user = User.objects.get(phone_index__in=phone_indexes(owner_phone), roles__contains=["resident"])
        house = House.objects.get(pk=data["house_id"])
        binding = binding_services.request_binding(user=user, house=house, relation="owner", name="出账业主")
        binding_services.approve_binding(binding_id=binding.pk, actor=None)

    # --- 3. … and runs the estate's bills: 出账 preview → confirm → progress → done -------------
    page.get_by_test_id("tab-fees-bill-runs").click()
    expect(page.get_by_test_id("bill-runs-page")).to_be_visible()
    page.get_by_test_id("bill-run-new").click()
    wizard = page.get_by_test_id("bill-run-wizard")
    expect(wizard.get_by_test_id("bill-run-steps")).to_have_attribute("data-step", "scope")
    # Every active item is chosen by default, the new one among them.
    expect(wizard.get_by_test_id(f"bill-run-item-{item_id}").locator("input")).to_be_checked()
    wizard.get_by_test_id("bill-run-location").locator("input").click()
    page.locator(".el-cascader-node").filter(has_text=data["name"]).locator(".el-radio").click()
    page.keyboard.press("Escape")
    wizard.get_by_test_id("bill-run-preview-button").click()
    expect(wizard.get_by_test_id("bill-run-steps")).to_have_attribute("data-step", "preview")
    expect(wizard.get_by_test_id(f"preview-charges-{item_id}")).to_have_text(str(data["houses"]))
    expect(wizard.get_by_test_id(f"preview-total-{item_id}")).to_have_text(f"¥{MONTHLY * data['houses']:,}")
    expect(wizard.get_by_test_id("bill-run-grand-total")).to_contain_text(f"{data['houses']} 笔账单")
    expect(wizard.get_by_test_id("bill-run-nothing")).to_have_count(0)
    screenshot(page, "billing-flow-run-preview")
    with in_company_db("alpha"):
        run = BillRun.objects.get(estate_id=data["id"], status="previewed")
        assert not Charge.objects.filter(house__estate_id=data["id"]).exists()  # a preview issues nothing
    wizard.get_by_test_id("bill-run-confirm").click()
    expect(wizard.get_by_test_id("bill-run-done")).to_be_visible(timeout=60_000)
    expect(wizard.get_by_test_id("bill-run-result")).to_contain_text(f"共出账 {data['houses']} 笔")
    screenshot(page, "billing-flow-run-done")
    with in_company_db("alpha"):
        run.refresh_from_db()
        assert run.status == "succeeded"
        charges = Charge.objects.filter(bill_run=run)
        assert sorted(c.amount for c in charges) == [MONTHLY] * data["houses"]
        charge_id = charges.get(house_id=data["house_id"]).pk

    # The run's bills, from the wizard's link: the bills list filtered by this run.
    wizard.get_by_test_id("bill-run-view-bills").click()
    expect(page.get_by_test_id("bills-page")).to_be_visible()
    expect(page.get_by_test_id("bills-bill-run")).to_contain_text(f"#{run.pk}")
    expect(page.get_by_test_id("table").locator("tbody tr")).to_have_count(data["houses"])

    # --- 4. the cashier takes the first house's fee in cash, with change, and opens the receipt --
    cashier = new_context().new_page()
    login(cashier, live_stack, "alpha", "cashier", PASSWORD)
    cashier.goto(live_stack.url("alpha", "/fees/cashdesk"))
    expect(cashier.get_by_test_id("cashdesk-page")).to_be_visible()
    search = cashier.get_by_test_id("desk-search-input")
    search.fill(data["building"])
    expect(cashier.get_by_test_id("desk-result-0")).to_contain_text(f"{data['building']}1单元{data['house_number']}")
    search.press("Enter")
    expect(cashier.get_by_test_id("desk-house")).to_have_attribute("data-house", str(data["house_id"]))
    expect(cashier.get_by_test_id("desk-total-due")).to_have_text(f"¥{MONTHLY}")
    expect(cashier.get_by_test_id(f"desk-line-{charge_id}")).to_contain_text(item_name)
    expect(cashier.get_by_test_id("desk-amount")).to_have_value(str(MONTHLY))
    cashier.get_by_test_id("desk-tendered").fill("300")
    expect(cashier.get_by_test_id("desk-change")).to_have_text("¥76.25")
    cashier.get_by_test_id("desk-pay").click()
    cashier.get_by_test_id("desk-confirm-ok").click()
    expect(cashier.get_by_test_id("desk-success")).to_be_visible()
    receipt_number = cashier.get_by_test_id("desk-receipt-number").inner_text().strip()
    expect(cashier.get_by_test_id("desk-success-change")).to_contain_text("¥76.25")
    with in_company_db("alpha"):
        payment = Payment.objects.get(house_id=data["house_id"])
        assert (payment.amount, payment.tendered, payment.change) == (MONTHLY, Decimal("300.00"), Decimal("76.25"))
        receipt = Receipt.objects.get(payment=payment)
        assert receipt.number == receipt_number
    pdf_path = f"/api/v1/receipts/{receipt.pk}/pdf/"
    with (
        cashier.context.expect_event("response", predicate=lambda r: r.url.endswith(pdf_path)) as answered,
        cashier.context.expect_page() as opened,
    ):
        cashier.get_by_test_id("desk-print").click()
    assert answered.value.status == 200
    assert answered.value.headers["content-type"] == "application/pdf"
    opened.value.close()
    screenshot(cashier, "billing-flow-cashdesk-paid")

    # --- 5. the owner of that house sees the bill paid in the H5 app ---------------------------
    phone.goto(live_stack.url("alpha", "/h5/#/pages/index/index"))
    phone.get_by_test_id("home-entry-bills").click()
    expect(phone.get_by_test_id("bills-page")).to_have_attribute("data-status", "ready")
    expect(phone.get_by_test_id("bills-house")).to_contain_text(data["name"])
    line = phone.locator(f"[data-testid=bill-line][data-charge-id='{charge_id}']")
    expect(line).to_have_attribute("data-group", "paid")
    expect(line.get_by_test_id("bill-line-status")).to_have_text("已缴")
    expect(line.get_by_test_id("bill-line-amount")).to_have_text(f"¥{MONTHLY}")
    expect(phone.get_by_test_id("bills-to-pay")).to_have_text("¥0.00")
    screenshot(phone, "billing-flow-owner-paid")

    # --- 6. … and the run's bill reached their inbox (消息), opening onto the bills page ------------
    phone.goto(live_stack.url("alpha", "/h5/#/pages/profile/profile"))
    expect(phone.get_by_test_id("profile-unread")).to_be_visible()
    phone.get_by_test_id("profile-entry-messages").click()
    expect(phone.get_by_test_id("messages-page")).to_have_attribute("data-status", "ready")
    message = phone.get_by_test_id("message").filter(has_text=f"新账单：{item_name}")
    expect(message).to_have_attribute("data-read", "false")
    expect(message).to_contain_text(f"金额 {MONTHLY} 元")
    screenshot(phone, "billing-flow-owner-inbox")
    message.click()
    expect(phone.get_by_test_id("bills-page")).to_be_visible()
