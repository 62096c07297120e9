"""Shared steps of the owner-pays browser tests: an owner signs in to the H5 app by SMS, binds a
house with bills, ticks two of them, pays through WeChat Pay H5 (the stand-in's cashier page) and
sees the receipt — the real server, worker and database; the stand-in notifies the server over HTTP
as WeChat Pay would."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import PHONE, screenshot
from tests.e2e.test_owner_h5 import H5_INDEX, _owner_logs_in


@dataclass
class PaidTwoBills:
    phone: Any  # the owner's page, on the payment result
    user: Any
    house: Any
    two: list  # the charges paid
    left: list  # the charges still due
    order: Any  # the PaymentOrder (paid, allocated)
    payment: Any  # billing's Payment it settled into
    total: str  # the amount as the app showed it ("¥1,289.50")
    receipt_number: str


def owner_pays_two_bills(
    new_context, live_stack, in_company_db, *, phone_prefix: str, estate: str, shots: str = "owner-pays"
) -> PaidTwoBills:
    """The owner (a new phone number under `phone_prefix`, 7 digits) pays the two oldest of a new
    estate's house's bills online and sees the receipt; returns what was paid."""
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
        world = _world(company, name=f"{estate}{tag}")
        make_merchant(company)
        house = world["houses"][1]  # no occupant yet: the owner binds it below
        owing = list(Charge.objects.filter(house=house, kind="regular").order_by("due_date", "id"))
        assert len(owing) >= 3  # the oldest overdue (a late fee accruing), the rest up to today
        two, left = owing[:2], owing[2:]

    owner_phone = f"{phone_prefix}{int(tag, 16) % 10_000:04d}"
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
    screenshot(phone, f"{shots}-bills")

    # Pay: off to WeChat Pay's cashier page (the stand-in), confirm, back in the app.
    phone.get_by_test_id("bills-pay-submit").click()
    expect(phone.get_by_test_id("standin-pay-confirm")).to_be_visible()
    assert "/_standins/wechatpay/pay/" in phone.url
    expect(phone.locator("h1")).to_have_text(total.replace(",", ""))
    screenshot(phone, f"{shots}-wechat-cashier")
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
    screenshot(phone, f"{shots}-receipt")
    with in_company_db("alpha"):
        order = PaymentOrder.objects.get(created_by=user)
        assert (order.status, order.channel, order.settlement) == ("paid", "h5", "allocated")
        payment = Payment.objects.get(pk=int(order.settled_reference))
        assert payment.method == "wechat" and f"¥{payment.amount}" == total.replace(",", "")
        assert Receipt.objects.get(payment=payment).number == receipt_number
        allocated = set(payment.allocations.values_list("charge_id", flat=True))
        assert {c.pk for c in two} <= allocated and not allocated & {c.pk for c in left}
    return PaidTwoBills(
        phone=phone,
        user=user,
        house=house,
        two=two,
        left=left,
        order=order,
        payment=payment,
        total=total,
        receipt_number=receipt_number,
    )
