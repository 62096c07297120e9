"""A refund of an online payment, end to end: the owner pays two bills in the H5 app through WeChat
Pay H5 (the stand-in) and sees the receipt; staff open the order in 在线支付 and see its evidence,
request a refund there; the requester may not approve it (403), a second staff member approves it
in 审批; the worker asks WeChat Pay (the stand-in), whose REFUND.SUCCESS notification ends it; 在线支付
shows the order 已退款 with the refund's evidence, and the owner's history shows 已退款. The browser
pages fail the test on console errors, page errors and any 4xx/5xx answer not expected here."""

from __future__ import annotations

import re
import time
import uuid

import pytest

from tests.conftest import PASSWORD
from tests.e2e.conftest import login, screenshot
from tests.e2e.owner_payments import owner_pays_two_bills

pytestmark = pytest.mark.e2e

# The one refused answer this flow provokes: the requester approving their own refund.
SELF_APPROVAL = ("POST", re.compile(r"/api/v1/refunds/\d+/approve/$"), 403)


class BrowserProblems:
    """Console errors, page errors and failed answers of the pages watched, less those expected."""

    def __init__(self) -> None:
        self.problems: list[str] = []
        self.expected: list[tuple[str, re.Pattern[str], int]] = []
        self.seen_expected: list[str] = []

    def _is_expected(self, method: str, url: str, status: int) -> bool:
        path = re.sub(r"^https?://[^/]+", "", url).split("?")[0]
        return any(m == method and p.search(path) and s == status for m, p, s in self.expected)

    def watch(self, page, name: str) -> None:
        def on_response(response) -> None:
            if response.status >= 400:
                method = response.request.method
                if self._is_expected(method, response.url, response.status):
                    self.seen_expected.append(f"{method} {response.url} {response.status}")
                else:
                    self.problems.append(f"{name}: {method} {response.url} → {response.status}")

        def on_console(message) -> None:
            if message.type != "error":
                return
            url = (message.location or {}).get("url", "")
            # Chromium logs every failed load as a console error: the expected refusal is not a problem.
            if "Failed to load resource" in message.text and any(p.search(url) for _, p, _ in self.expected):
                return
            self.problems.append(f"{name}: console error {message.text} ({url})")

        page.on("response", on_response)
        page.on("console", on_console)
        page.on("pageerror", lambda error: self.problems.append(f"{name}: page error {error}"))

    def check(self) -> None:
        assert not self.problems, "\n".join(self.problems)


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
    from tests.payments.conftest import SUB_MCHIDS

    expect.set_options(timeout=30_000)  # a loaded machine: patient, never asleep
    wechatpay.refund_mode("PROCESSING")  # as WeChat Pay answers: processing, then a notification
    watched = BrowserProblems()
    watched.expected.append(SELF_APPROVAL)

    # --- 1. the owner pays two bills in the H5 app and sees the receipt ---------------------------
    paid = owner_pays_two_bills(
        new_context, live_stack, in_company_db, phone_prefix="1382266", estate="退款苑", shots="refund-owner-pays"
    )
    phone, order, payment = paid.phone, paid.order, paid.payment
    watched.watch(phone, "owner")
    amount = f"{payment.amount:.2f}"
    shown_amount = paid.total  # "¥1,289.50" as the pages format money

    # --- 2. staff open the order in 在线支付: its evidence; request a refund of all of it ----------
    staff = new_context().new_page()
    login(staff, live_stack, "alpha", "admin", PASSWORD)
    watched.watch(staff, "admin")  # signed in: the login page's "who am I?" (401) is behind us
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
    watched.watch(second, "approver")
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
    assert len(watched.seen_expected) == 1, watched.seen_expected  # the one refused self-approval
    watched.check()
