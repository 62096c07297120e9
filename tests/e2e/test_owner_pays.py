"""An owner pays bills on their phone: the H5 app (SMS sign-in, no WeChat) chooses two bills, pays
through WeChat Pay H5 — the stand-in's cashier page — comes back to the app, waits while the payment
is processing, sees the receipt, and the bills show paid. The real server, worker and database; the
stand-in notifies the server over HTTP as WeChat Pay would."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import screenshot
from tests.e2e.owner_payments import owner_pays_two_bills

pytestmark = pytest.mark.e2e


def test_an_owner_pays_two_bills_in_the_h5_app_through_wechat_pay_h5(
    new_context, live_stack, in_company_db, patient_expect
):
    from playwright.sync_api import expect

    paid = owner_pays_two_bills(new_context, live_stack, in_company_db, phone_prefix="1382255", estate="支付苑")
    phone, two, left, receipt_number = paid.phone, paid.two, paid.left, paid.receipt_number

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
