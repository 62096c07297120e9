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


def test_an_owner_pays_two_bills_in_the_h5_app_through_wechat_pay_h5(new_context, live_stack, in_company_db):
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
        assert len(owing) == 2  # one month overdue (a late fee accruing), one due

    owner_phone = f"1382255{int(tag, 16) % 10_000:04d}"
    phone = new_context(**PHONE).new_page()
    _owner_logs_in(phone, live_stack, owner_phone)
    with in_company_db("alpha"):
        user = User.objects.get(phone_index__in=phone_indexes(owner_phone), roles__contains=["resident"])
        assert not user.wechat_openid  # signed in by SMS: WeChat Pay H5, not JSAPI
        binding = binding_services.request_binding(user=user, house=house, relation="owner", name="支付业主")
        binding_services.approve_binding(binding_id=binding.pk, actor=None)

    # The bills: both ticked (all due), the server's total with the late fee, WeChat Pay offered.
    phone.goto(live_stack.url("alpha", "/h5/#/pages/bills/bills"))
    expect(phone.get_by_test_id("bills-page")).to_have_attribute("data-status", "ready")
    panel = phone.get_by_test_id("bills-pay")
    expect(panel).to_have_attribute("data-status", "ready")
    selects = phone.get_by_test_id("bill-line-select")
    expect(selects).to_have_count(2)
    for charge in owing:
        line = phone.locator(f"[data-testid=bill-line][data-charge-id='{charge.pk}']")
        expect(line.get_by_test_id("bill-line-select")).to_have_attribute("data-selected", "true")
    expect(phone.get_by_test_id("bills-pay-all")).to_have_attribute("data-selected", "true")
    total = phone.get_by_test_id("bills-pay-total").inner_text().strip()
    expect(phone.get_by_test_id("bills-to-pay")).to_have_text(total)  # both bills and the late fee
    expect(phone.get_by_test_id("bills-pay-method")).to_have_text(["微信支付"])
    screenshot(phone, "owner-pays-bills")

    # Pay: off to WeChat Pay's cashier page (the stand-in), confirm, back in the app.
    phone.get_by_test_id("bills-pay-submit").click()
    expect(phone.get_by_test_id("standin-pay-confirm")).to_be_visible()
    assert "/_standins/wechatpay/pay/" in phone.url
    expect(phone.locator("h1")).to_have_text(total)
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
        assert (
            not Charge.objects.filter(house=house, pk__in=[c.pk for c in owing])
            .exclude(pk__in=payment.allocations.values("charge_id"))
            .exists()
        )

    # Back to the bills: both paid, nothing left to pay; the history has the online payment.
    phone.get_by_test_id("pay-result-back").click()
    expect(phone.get_by_test_id("bills-page")).to_have_attribute("data-status", "ready")
    for charge in owing:
        line = phone.locator(f"[data-testid=bill-line][data-charge-id='{charge.pk}']")
        expect(line).to_have_attribute("data-group", "paid")
    expect(phone.get_by_test_id("bills-to-pay")).to_have_text("¥0.00")
    phone.get_by_test_id("bills-history-link").click()
    expect(phone.get_by_test_id("bill-history-page")).to_have_attribute("data-status", "ready")
    expect(phone.get_by_test_id("bill-history-page")).to_contain_text(receipt_number)
    expect(phone.get_by_test_id("bill-history-page")).to_contain_text("微信支付")
    screenshot(phone, "owner-pays-history")
