"""An owner pays bills on their phone: the H5 app (SMS sign-in, no WeChat) chooses two bills, pays
through WeChat Pay H5 — the stand-in's cashier page — comes back to the app, waits while the payment
is processing, sees the receipt, and the bills show paid. The real server, worker and database; the
stand-in notifies the server over HTTP as WeChat Pay would."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from tests.e2e.conftest import PHONE, screenshot
from tests.e2e.test_owner_h5 import H5_INDEX, _owner_logs_in

pytestmark = pytest.mark.e2e


@pytest.fixture
def patient_expect():
    """A fresh live server's first answers (the site, a company schema's first queries) can take
    longer than Playwright's 5 s when this test runs alone."""
    from playwright.sync_api import expect

    expect.set_options(timeout=15_000)
    yield
    expect.set_options(timeout=5_000)


def test_an_owner_pays_two_bills_in_the_h5_app_through_wechat_pay_h5(
    new_context, live_stack, in_company_db, patient_expect
):
    from playwright.sync_api import expect

    from accounts.models import User
    from accounts.services import phone_indexes
    from billing.models import Charge, Payment, Receipt
    from payments.models import PaymentOrder
    from tenants.residents.services import bindings as binding_services
    from tests.billing.test_ledger_api import _world
    from tests.payments.conftest import make_merchant

    if not Path(H5_INDEX).exists():
        pytest.fail("the owner app's H5 build is missing: cd miniprogram && npm run build:h5")
    tag = uuid.uuid4().hex[:6]
    with in_company_db("alpha") as company:
        world = _world(company, name=f"支付苑{tag}")
        make_merchant(company)
        house = world["houses"][1]  # no occupant yet: the owner binds it below
        owing = list(Charge.objects.filter(house=house, kind="regular").order_by("due_date", "id"))
        assert len(owing) >= 3  # the oldest overdue (a late fee accruing), the rest up to today
        two, left = owing[:2], owing[2:]

    owner_phone = f"1382255{int(tag, 16) % 10_000:04d}"
    phone = new_context(**PHONE).new_page()
    _owner_logs_in(phone, live_stack, owner_phone)
    with in_company_db("alpha"):
        user = User.objects.get(phone_index__in=phone_indexes(owner_phone), roles__contains=["resident"])
        assert not user.wechat_openid  # signed in by SMS: WeChat Pay H5, not JSAPI
        binding = binding_services.request_binding(user=user, house=house, relation="owner", name="支付业主")
        binding_services.approve_binding(binding_id=binding.pk, actor=None)

    # The bills: all due ticked, the server's total (late fee included), WeChat Pay offered.
    phone.goto(live_stack.url("alpha", "/h5/#/pages/bills/bills"))
    expect(phone.get_by_test_id("bills-page")).to_have_attribute("data-status", "ready")
    panel = phone.get_by_test_id("bills-pay")
    expect(panel).to_have_attribute("data-status", "ready")
    expect(phone.get_by_test_id("bill-line-select")).to_have_count(len(owing))
    expect(phone.get_by_test_id("bills-pay-all")).to_have_attribute("data-selected", "true")
    expect(phone.get_by_test_id("bills-pay-total")).to_have_text(phone.get_by_test_id("bills-to-pay").inner_text())
    expect(phone.get_by_test_id("bills-pay-method")).to_have_text(["微信支付", "银行卡支付"])  # WeChat Pay first

    # Two bills: the newest ones are unticked; the server quotes the two.
    for charge in left:
        line = phone.locator(f"[data-testid=bill-line][data-charge-id='{charge.pk}']")
        line.get_by_test_id("bill-line-select").click()
        expect(line.get_by_test_id("bill-line-select")).to_have_attribute("data-selected", "false")
    for charge in two:
        line = phone.locator(f"[data-testid=bill-line][data-charge-id='{charge.pk}']")
        expect(line.get_by_test_id("bill-line-select")).to_have_attribute("data-selected", "true")
    expect(phone.get_by_test_id("bills-pay-all")).to_have_attribute("data-selected", "false")
    expect(phone.get_by_test_id("bills-pay-count")).to_have_text("已选 2 项")
    expect(panel).to_have_attribute("data-status", "ready")
    total = phone.get_by_test_id("bills-pay-total").inner_text().strip()
    expect(phone.get_by_test_id("bills-pay-submit")).to_contain_text(total)
    screenshot(phone, "owner-pays-bills")

    # Pay: off to WeChat Pay's cashier page (the stand-in), confirm, back in the app.
    phone.get_by_test_id("bills-pay-submit").click()
    expect(phone.get_by_test_id("standin-pay-confirm")).to_be_visible()
    assert "/_standins/wechatpay/pay/" in phone.url
    expect(phone.locator("h1")).to_have_text(total.replace(",", ""))
    screenshot(phone, "owner-pays-wechat-cashier")
    phone.get_by_test_id("standin-pay-confirm").click()
    result = phone.get_by_test_id("pay-result-page")
    expect(result).to_be_visible()
    assert "pages/bills/pay-result" in phone.url and "alpha.localhost" in phone.url

    # Paid once WeChat Pay's notification is in; then the receipt.
    expect(result).to_have_attribute("data-view", "paid", timeout=20_000)
    expect(phone.get_by_test_id("pay-result-title")).to_have_text("支付成功")
    expect(phone.get_by_test_id("pay-result-amount")).to_have_text(total)
    expect(phone.get_by_test_id("pay-result-method")).to_have_text("微信支付")
    receipt_number = phone.get_by_test_id("pay-result-receipt-number").inner_text().strip()
    expect(phone.get_by_test_id("pay-result-open-receipt")).to_be_visible()
    screenshot(phone, "owner-pays-receipt")
    with in_company_db("alpha"):
        order = PaymentOrder.objects.get(created_by=user)
        assert (order.status, order.channel, order.settlement) == ("paid", "h5", "allocated")
        payment = Payment.objects.get(pk=int(order.settled_reference))
        assert payment.method == "wechat" and f"¥{payment.amount}" == total.replace(",", "")
        assert Receipt.objects.get(payment=payment).number == receipt_number
        allocated = set(payment.allocations.values_list("charge_id", flat=True))
        assert {c.pk for c in two} <= allocated and not allocated & {c.pk for c in left}

    # Back to the bills: the two paid, the rest still due; the history has the online payment.
    phone.get_by_test_id("pay-result-back").click()
    expect(phone.get_by_test_id("bills-page")).to_have_attribute("data-status", "ready")
    for charge in two:
        line = phone.locator(f"[data-testid=bill-line][data-charge-id='{charge.pk}']")
        expect(line).to_have_attribute("data-group", "paid")
        expect(line.get_by_test_id("bill-line-status")).to_have_text("已缴")
    for charge in left:
        line = phone.locator(f"[data-testid=bill-line][data-charge-id='{charge.pk}']")
        expect(line).not_to_have_attribute("data-group", "paid")
    phone.get_by_test_id("bills-history-link").click()
    expect(phone.get_by_test_id("bill-history-page")).to_have_attribute("data-status", "ready")
    expect(phone.get_by_test_id("bill-history-page")).to_contain_text(receipt_number)
    expect(phone.get_by_test_id("bill-history-page")).to_contain_text("微信支付")
    screenshot(phone, "owner-pays-history")
