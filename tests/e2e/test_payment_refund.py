"""A refund of an online payment, end to end: the owner pays two bills in the H5 app through WeChat
Pay H5 (the stand-in) and sees the receipt; staff open the order in 在线支付 and see its evidence,
request a refund there; the requester may not approve it (403), a second staff member approves it
in 审批; the worker asks WeChat Pay (the stand-in), whose REFUND.SUCCESS notification ends it; 在线支付
shows the order 已退款 with the refund's evidence, and the owner's history shows 已退款. And a refund
WeChat Pay answers ABNORMAL, paid out in cash at the cash desk's 待现金退款 instead. The pages are
watched (tests/e2e/watch.py): a console error, a page error or a 4xx/5xx answer not named here fails."""

from __future__ import annotations

import time
import uuid
from decimal import Decimal

import pytest

from tests.conftest import PASSWORD
from tests.e2e.conftest import login, screenshot
from tests.e2e.owner_payments import owner_pays_two_bills

pytestmark = pytest.mark.e2e


def _until(check, *, timeout: float = 90.0, what: str):
    """Wait for something outside any page (the worker's call reaching the stand-in): asked again
    every 0.2 s until `check()` answers, failing after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        found = check()
        if found:
            return found
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.2)


def _deliver_now(delivery) -> None:
    """WeChat Pay's notification to our server, sent now (the stand-in's deliver, but waited for)."""
    import requests

    from standins import wechatpay_notify

    url, host = wechatpay_notify.loopback(delivery.url)
    answer = requests.post(
        url, data=delivery.body, headers={**delivery.headers, **host, "Content-Type": "application/json"}, timeout=60
    )
    assert answer.status_code == 204, answer.text


def _open_order(page, live_stack, out_trade_no: str, order_id: int) -> None:
    from playwright.sync_api import expect

    page.goto(live_stack.url("alpha", "/fees/online-payments"))
    expect(page.get_by_test_id("online-payments-page")).to_be_visible()
    page.get_by_test_id("filter-search").fill(out_trade_no)
    link = page.get_by_test_id(f"order-{order_id}")
    expect(link).to_be_visible()
    link.click()
    expect(page.get_by_test_id("payment-drawer").get_by_test_id("detail-amount")).to_be_visible()


def _decide_in_approvals(page, live_stack, refund_id: int) -> None:
    from playwright.sync_api import expect

    page.goto(live_stack.url("alpha", "/fees/approvals"))
    expect(page.get_by_test_id("approvals-page")).to_be_visible()
    page.get_by_test_id("view-refunds").click()
    page.get_by_test_id(f"refund-approve-{refund_id}").click()
    expect(page.get_by_test_id("decision-dialog")).to_be_visible()
    page.get_by_test_id("decision-dialog-submit").click()


def test_a_refund_of_an_online_payment_is_approved_by_someone_else_and_shows_on_both_sides(
    new_context, live_stack, in_company_db, patient_expect
):
    from playwright.sync_api import expect

    from accounts import services as account_services
    from billing.models import Refund
    from payments.models import PaymentRefund
    from standins import wechatpay, wechatpay_notify
    from tests.e2e.watch import Watch
    from tests.payments.conftest import SUB_MCHIDS

    expect.set_options(timeout=30_000)  # a loaded machine: patient, never asleep
    wechatpay.refund_mode("PROCESSING")  # as WeChat Pay answers: processing, then a notification
    watched = Watch()
    watched.allow_status(403, r"/api/v1/refunds/\d+/approve/$", "the requester approving their own refund")

    # --- 1. the owner pays two bills in the H5 app and sees the receipt ---------------------------
    paid = owner_pays_two_bills(
        new_context, live_stack, in_company_db, phone_prefix="1382266", estate="退款苑", shots="refund-owner-pays"
    )
    phone, order, payment = paid.phone, paid.order, paid.payment
    watched.attach(phone, "owner")
    amount = f"{payment.amount:.2f}"
    shown_amount = paid.total  # "¥1,289.50" as the pages format money

    # --- 2. staff open the order in 在线支付: its evidence; request a refund of all of it ----------
    staff = new_context().new_page()
    login(staff, live_stack, "alpha", "admin", PASSWORD)
    watched.attach(staff, "admin")  # signed in: the login page's "who am I?" (401) is behind us
    _open_order(staff, live_stack, order.out_trade_no, order.pk)
    drawer = staff.get_by_test_id("payment-drawer")
    expect(drawer.get_by_test_id("detail-status")).to_have_text("已支付")
    expect(drawer.get_by_test_id("detail-settlement")).to_have_text("已核销")
    paid_event = drawer.locator("[data-testid=payment-event][data-kind=paid]")
    expect(paid_event).to_have_count(1)
    expect(paid_event).to_contain_text(f"transaction_id: {order.gateway_reference}")
    expect(paid_event).to_contain_text("trade_state: SUCCESS")
    expect(drawer.get_by_test_id("payment-refunds")).to_contain_text("暂无退款")
    expect(drawer.get_by_test_id("payment-refundable")).to_contain_text(shown_amount)
    screenshot(staff, "refund-admin-order-evidence")

    drawer.get_by_test_id("payment-refund-request").click()
    dialog = staff.get_by_test_id("payment-refund-dialog")
    expect(dialog.get_by_test_id("payment-refund-amount-input")).to_have_value(amount)
    dialog.get_by_test_id("payment-refund-reason").fill("业主重复缴费，原路退回")
    dialog.get_by_test_id("payment-refund-dialog-submit").click()
    expect(dialog).to_be_hidden()
    refund_row = drawer.get_by_test_id("payment-refund")
    expect(refund_row).to_have_count(1)
    expect(refund_row.get_by_test_id("payment-refund-status")).to_have_text("待审批")
    expect(refund_row).to_contain_text("业主重复缴费，原路退回")
    with in_company_db("alpha"):
        refund = Refund.objects.get(payment_id=payment.pk)
        assert (refund.status, refund.method, f"{refund.amount:.2f}") == ("pending", "original", amount)
    expect(refund_row).to_have_attribute("data-request-id", str(refund.pk))

    # --- 3. the requester may not approve it; a second staff member does, in 审批 -----------------
    with staff.expect_response(lambda r: r.url.endswith(f"/api/v1/refunds/{refund.pk}/approve/")) as refused:
        _decide_in_approvals(staff, live_stack, refund.pk)
    assert refused.value.status == 403
    expect(staff.get_by_test_id("decision-dialog-error")).to_contain_text("不能审批自己提交的申请")
    with in_company_db("alpha"):
        assert Refund.objects.get(pk=refund.pk).status == "pending"
        approver = f"approver{uuid.uuid4().hex[:6]}"
        account_services.create_user(username=approver, name="复核会计", roles=["admin"], password=PASSWORD)

    second = new_context().new_page()
    login(second, live_stack, "alpha", approver, PASSWORD)
    watched.attach(second, "approver")
    _decide_in_approvals(second, live_stack, refund.pk)
    expect(second.get_by_test_id("decision-dialog")).to_be_hidden()
    expect(second.locator(".el-message--success")).to_contain_text("已批准")
    expect(second.get_by_test_id(f"refund-approve-{refund.pk}")).to_have_count(0)  # no longer pending
    screenshot(second, "refund-approved")

    # --- 4. the worker asks WeChat Pay; its REFUND.SUCCESS notification ends the refund -----------
    with in_company_db("alpha"):
        assert Refund.objects.get(pk=refund.pk).status == "approved"
        channel = PaymentRefund.objects.get(purpose_reference=f"refund:{refund.pk}")
        assert channel.status == "processing"

    def sent_to_the_stand_in():
        stored = wechatpay._load(SUB_MCHIDS["alpha"], order.out_trade_no)
        return stored is not None and channel.out_refund_no in stored["refunds"]

    _until(sent_to_the_stand_in, what="the worker to send the refund to WeChat Pay")
    _deliver_now(
        wechatpay_notify.finish_refund(
            sub_mchid=SUB_MCHIDS["alpha"], out_trade_no=order.out_trade_no, out_refund_no=channel.out_refund_no
        )
    )

    # --- 5. 在线支付 shows it refunded, with the refund's evidence; the owner's history too --------
    _open_order(staff, live_stack, order.out_trade_no, order.pk)
    expect(drawer.get_by_test_id("detail-status")).to_have_text("已退款")
    expect(drawer.get_by_test_id("detail-refunded")).to_have_text(shown_amount)
    expect(refund_row.get_by_test_id("payment-refund-status")).to_have_text(
        "已退款"
    )  # approved, and its money back (the payout status)
    expect(refund_row.get_by_test_id("payment-refund-channel-status")).to_contain_text("已退款")
    expect(refund_row.get_by_test_id("payment-refund-requested-by")).not_to_be_empty()
    expect(refund_row.get_by_test_id("payment-refund-decided-by")).to_have_text("复核会计")
    expect(refund_row.get_by_test_id("payment-refund-no")).to_have_text(channel.out_refund_no)
    expect(refund_row.get_by_test_id("payment-refund-channel-no")).not_to_be_empty()
    refund_events = refund_row.get_by_test_id("refund-event")
    expect(refund_events).to_have_count(2)
    expect(refund_events.nth(1)).to_contain_text("支付通知")
    expect(refund_events.nth(1)).to_contain_text("refund_status: SUCCESS")
    expect(drawer.locator("[data-testid=payment-event][data-kind=refunded]")).to_have_count(1)
    expect(drawer.get_by_test_id("payment-refund-request")).to_have_count(0)  # nothing left to refund
    screenshot(staff, "refund-admin-refunded")

    phone.goto(live_stack.url("alpha", f"/h5/#/pages/bills/history?house={paid.house.pk}"))
    history = phone.get_by_test_id("bill-history-page")
    expect(history).to_have_attribute("data-status", "ready")
    row = phone.locator(f"[data-testid=bill-payment][data-payment-id='{payment.pk}']")
    expect(row.get_by_test_id("bill-payment-refund")).to_have_attribute("data-refund-state", "refunded")
    expect(row.get_by_test_id("bill-payment-refund")).to_have_text(f"已退款 {shown_amount}")
    screenshot(phone, "refund-owner-history")

    with in_company_db("alpha"):
        assert Refund.objects.get(pk=refund.pk).channel_status == "refunded"
        order.refresh_from_db()
        assert (order.status, f"{order.refunded_amount:.2f}") == ("refunded", amount)
    watched.assert_clean()


def _request_and_approve(new_context, live_stack, in_company_db, payment, reason: str):
    """A refund of all of an online payment, asked for by admin (the service 在线支付 calls, walked
    through above) and approved in 审批 by a second admin: the worker then asks WeChat Pay."""
    from playwright.sync_api import expect

    from accounts import services as account_services
    from accounts.models import User
    from billing.services import refunds as refund_services

    with in_company_db("alpha"):
        approver = f"approver{uuid.uuid4().hex[:6]}"
        account_services.create_user(username=approver, name="复核会计", roles=["admin"], password=PASSWORD)
        refund = refund_services.request_refund(
            house=payment.house,
            source="payment",
            payment=payment,
            amount=payment.amount,
            method="original",
            reason=reason,
            actor=User.objects.get(username="admin"),
        )
    page = new_context().new_page()
    login(page, live_stack, "alpha", approver, PASSWORD)
    _decide_in_approvals(page, live_stack, refund.pk)
    expect(page.get_by_test_id("decision-dialog")).to_be_hidden()
    expect(page.get_by_test_id(f"refund-approve-{refund.pk}")).to_have_count(0)  # approved
    page.close()
    return refund


def _shift_figures(in_company_db, shift_id: int) -> tuple[str, str]:
    """The shift's cash refunded and expected cash, as the server counts them now."""
    from billing.models import CashierShift
    from billing.services.shifts import shift_summary

    with in_company_db("alpha"):
        summary = shift_summary(CashierShift.objects.get(pk=shift_id))
    return summary["cash_refunded"], summary["expected_cash"]


def test_a_refund_the_channel_fails_to_pay_is_paid_out_in_cash_at_the_cash_desk(
    new_context, live_stack, in_company_db, patient_expect
):
    """WeChat Pay (the stand-in) answers the refund ABNORMAL: the approved refund is 退款失败 and the
    cash desk lists it under 待现金退款; the cashier, in an open shift, pays it out in cash (改为现金退款,
    confirmed): it is refunded once, in cash, by the cashier, leaves the list, and the shift's expected
    cash is lower by its amount, in the database and in the 交班 dialog, which closes the shift."""
    from playwright.sync_api import expect

    from accounts.models import AuditEvent, User
    from billing.models import Allocation, CashierShift, PayoutStatus, Refund
    from billing.services import shifts as shift_services
    from standins import wechatpay
    from tests.e2e.watch import Watch

    expect.set_options(timeout=30_000)  # a loaded machine: patient, never asleep
    wechatpay.refund_mode("ABNORMAL")  # the payer's account cannot take it: the channel refund fails
    try:
        paid = owner_pays_two_bills(
            new_context, live_stack, in_company_db, phone_prefix="1382277", estate="现退苑", shots="cash-refund-pays"
        )
        refund = _request_and_approve(
            new_context, live_stack, in_company_db, paid.payment, "业主要求退款，微信零钱不可用"
        )

        def failed_on_the_channel():
            with in_company_db("alpha"):
                return Refund.objects.get(pk=refund.pk).payout_status == PayoutStatus.REFUND_FAILED

        _until(failed_on_the_channel, what="WeChat Pay's ABNORMAL answer to fail the refund")
    finally:
        wechatpay.refund_mode("PROCESSING")  # the stand-in's default again, for whatever runs next
    with in_company_db("alpha"):
        failed = Refund.objects.get(pk=refund.pk)
        assert (failed.status, failed.method, failed.refunded_at, failed.reversed_at) == (
            "approved",
            "original",
            None,
            None,
        )
        house = paid.house.__class__.objects.select_related("building__estate", "unit").get(pk=paid.house.pk)
        typed = {house.label, house.building.estate.name, "cashier"}  # shown back: the house, the username
        reversals_before = Allocation.objects.filter(payment_id=paid.payment.pk, amount__lt=0).count()
    assert reversals_before == 0

    # --- the cashier, in a shift opened with a float, finds the refund in 待现金退款 ------------------
    # Opened beforehand (the service 开班 calls): the desk with no shift open asks for the current one
    # and is answered 404, which the watch never allows.
    with in_company_db("alpha"):
        cashier = User.objects.get(username="cashier")
        shift = shift_services.open_shift(actor=cashier, opening_float=Decimal("2000.00"))
    assert _shift_figures(in_company_db, shift.pk) == ("0.00", "2000.00")
    watch = Watch(allowed_words=typed)
    page = new_context().new_page()
    login(page, live_stack, "alpha", "cashier", PASSWORD)
    watch.attach(page, "cashier")  # signed in: the login page's "who am I?" (401) is behind us
    page.goto(live_stack.url("alpha", "/fees/cashdesk"))
    expect(page.get_by_test_id("cashdesk-page")).to_be_visible()
    expect(page.get_by_test_id("shift-open")).to_contain_text("¥2,000.00")

    due = page.get_by_test_id("desk-cash-refunds")
    expect(due).to_be_visible()
    expect(page.get_by_test_id(f"desk-cash-refund-amount-{refund.pk}")).to_have_text(paid.total)
    expect(page.get_by_test_id(f"desk-cash-refund-house-{refund.pk}")).to_be_visible()
    expect(due).to_contain_text("业主要求退款，微信零钱不可用")
    watch.screen(page, "cash desk: a refund awaiting cash")
    screenshot(page, "cash-refund-due")

    # --- 改为现金退款, confirmed: the popover names the amount -------------------------------------
    page.get_by_test_id(f"refund-pay-cash-{refund.pk}").click()
    expect(page.locator(".el-popconfirm").filter(visible=True)).to_contain_text(paid.total)
    with page.expect_response(lambda r: r.url.endswith(f"/api/v1/refunds/{refund.pk}/pay-cash/")) as answered:
        page.get_by_test_id(f"refund-pay-cash-{refund.pk}-confirm").click()
    assert answered.value.status == 200
    expect(page.locator(".el-message--success", has_text="已改为现金退款")).to_be_visible()
    expect(page.get_by_test_id(f"refund-pay-cash-{refund.pk}")).to_have_count(0)  # no longer listed
    expect(page.get_by_test_id(f"desk-cash-refund-amount-{refund.pk}")).to_have_count(0)
    screenshot(page, "cash-refund-paid")

    with in_company_db("alpha"):
        done = Refund.objects.get(pk=refund.pk)
        assert (done.payout_status, done.method, done.paid_out_by_id) == (PayoutStatus.REFUNDED, "cash", cashier.pk)
        assert done.refunded_at is not None and done.reversed_at is not None
        assert AuditEvent.objects.filter(action="refund.pay_cash", object_id=str(refund.pk)).count() == 1
        reversed_total = sum(a.amount for a in Allocation.objects.filter(payment_id=paid.payment.pk, amount__lt=0))
        assert -reversed_total == paid.payment.amount  # taken back from the ledger once, all of it
    expected_cash = f"{Decimal('2000.00') - paid.payment.amount:.2f}"
    assert _shift_figures(in_company_db, shift.pk) == (f"{paid.payment.amount:.2f}", expected_cash)

    # --- a fresh look: the panel does not list it; 交班 shows the cash refunded and closes the shift -----
    page.reload()
    expect(page.get_by_test_id("shift-open")).to_be_visible()
    expect(page.get_by_test_id(f"desk-cash-refund-amount-{refund.pk}")).to_have_count(0)
    page.get_by_test_id("shift-close").click()
    dialog = page.get_by_test_id("shift-close-dialog")
    expect(dialog.get_by_test_id("shift-expected")).to_have_text(f"¥{Decimal(expected_cash):,.2f}")
    expect(dialog.get_by_test_id("shift-cash-out")).to_contain_text(paid.total)
    watch.screen(page, "shift close with a cash refund")
    dialog.get_by_test_id("shift-counted").fill(expected_cash)
    dialog.get_by_test_id("shift-close-dialog-submit").click()
    expect(page.get_by_test_id("shift-none")).to_be_visible()
    with in_company_db("alpha"):
        closed = CashierShift.objects.get(pk=shift.pk)
        assert closed.summary["cash_refunded"] == f"{paid.payment.amount:.2f}"
        assert (closed.summary["expected_cash"], closed.summary["difference"]) == (expected_cash, "0.00")
    watch.assert_clean()
