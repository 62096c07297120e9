"""The same bills paid online and at the cash desk at once, each side in turn holding its transaction
open while the other runs into its locks (seen waiting in pg_stat_activity, not guessed with sleeps):
the one that commits first wins, the other is refused (the desk, 409) or refunded (online: the lost
race's refund through the outbox, delivered twice, refunds once). Then a worker killed — SIGKILL,
in a process of its own — while its settle transaction is open: WeChat Pay's retry, or the sweeper's
query, completes the payment exactly once. Committed data: a scratch company, dropped afterwards."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import connection, connections
from django.utils import timezone
from django_tenants.utils import tenant_context

from tests.billing.concurrency import drop, on_own_connection
from tests.conftest import _provision
from tests.database import database_url
from tests.payments.conftest import make_merchant, make_payer, post_notification, start

pytestmark = pytest.mark.django_db(transaction=False)
ROOT = Path(__file__).resolve().parents[2]
SUB_MCHID, APPID = "1230000088", "wxd8d8d8d8d8d8d8d8"


@pytest.fixture
def scratch(django_db_blocker, monkeypatch):
    from tests.payments import conftest

    monkeypatch.setitem(conftest.SUB_MCHIDS, "delta", SUB_MCHID)
    monkeypatch.setitem(conftest.APPIDS, "delta", APPID)
    on_own_connection(django_db_blocker, lambda: drop("delta"))  # left by an interrupted run, if any
    company = on_own_connection(django_db_blocker, lambda: _provision("delta", "德尔塔物业"))
    try:
        yield company
    finally:
        on_own_connection(django_db_blocker, lambda: drop("delta"))


def _prepared(scratch, django_db_blocker, client_for):
    """An owner's pending order for one charge, paid at the stand-in (its notification in hand)."""
    from standins import wechatpay_notify

    def prepare():
        make_merchant(scratch)
        payer = make_payer(scratch, client_for, username="racer")
        charge = payer.charges[0]
        order = start(payer, [charge.pk], key="race").json()
        delivery = wechatpay_notify.pay(sub_mchid=SUB_MCHID, out_trade_no=order["out_trade_no"])
        # Clients made here: a cashier's token written in the test's own (never committed) transaction
        # is invisible to the threads, and its row lock would hold them.
        return payer, charge, order, delivery, client_for(scratch), client_for(scratch, "cashier")

    return on_own_connection(django_db_blocker, prepare)


def _someone_waits_on_a_lock(django_db_blocker, timeout: float = 20.0) -> bool:
    """True once another backend of this database waits on a lock (the other side ran into ours)."""

    def waiting() -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                    "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
                )
                if cursor.fetchone()[0]:
                    return True
            time.sleep(0.05)
        return False

    return bool(on_own_connection(django_db_blocker, waiting))


def _in_thread(django_db_blocker, work, into: dict, name: str) -> threading.Thread:
    def run() -> None:
        with django_db_blocker.unblock():
            try:
                into[name] = work()
            except BaseException as exc:  # handed back to the test
                into[name] = exc
            finally:
                connections.close_all()

    thread = threading.Thread(target=run, name=name)
    thread.start()
    return thread


def _ledger(django_db_blocker, scratch, payer, charge, order):
    def read():
        from billing.models import Allocation, Payment
        from payments.models import PaymentOrder

        with tenant_context(scratch):
            allocated = sum((a.amount for a in Allocation.objects.filter(charge=charge)), Decimal("0"))
            methods = sorted(Payment.objects.filter(house=payer.house).values_list("method", flat=True))
            model = PaymentOrder.objects.get(pk=order["id"])
            return {
                "allocated": allocated,
                "methods": methods,
                "status": model.status,
                "settlement": model.settlement,
                "refunded": model.refunded_amount,
            }

    return on_own_connection(django_db_blocker, read)


def test_the_cash_desk_commits_first_and_the_online_payment_is_refunded_once(
    scratch, django_db_blocker, client_for, monkeypatch
):
    """The desk's transaction holds the house while the notification arrives: the notification waits
    on the house's lock, finds the charge paid when the desk commits, allocates nothing and queues
    the refund; the refund's outbox message delivered twice is one refund at WeChat Pay."""
    from billing.services import receipts
    from core.outbox import services as outbox
    from core.outbox.models import OutboxMessage
    from standins import wechatpay, wechatpay_notify

    payer, charge, order, delivery, wechat, cashier = _prepared(scratch, django_db_blocker, client_for)
    results: dict = {}
    desk_holds = threading.Event()
    release = threading.Event()

    real = receipts.issue_receipt

    def issue_then_hold(**kwargs):  # the desk's payment allocated, its transaction still open
        receipt = real(**kwargs)
        if threading.current_thread().name == "desk":
            desk_holds.set()
            assert release.wait(60)
        return receipt

    monkeypatch.setattr(receipts, "issue_receipt", issue_then_hold)
    desk_thread = _in_thread(
        django_db_blocker,
        lambda: cashier.post(
            f"/api/v1/cashdesk/houses/{payer.house.pk}/pay/",
            {"amount": str(charge.amount), "method": "cash", "charge_ids": [charge.pk], "idempotency_key": "desk"},
            format="json",
        ),
        results,
        "desk",
    )
    assert desk_holds.wait(60), results
    online_thread = _in_thread(django_db_blocker, lambda: post_notification(wechat, delivery), results, "online")
    try:
        assert _someone_waits_on_a_lock(django_db_blocker), "the notification never ran into the desk's lock"
    finally:
        release.set()
        desk_thread.join()
        online_thread.join()
    assert results["desk"].status_code == 201, results["desk"].content
    assert results["online"].status_code == 204, results["online"].content
    ledger = _ledger(django_db_blocker, scratch, payer, charge, order)
    assert ledger == {
        "allocated": charge.amount,
        "methods": ["cash"],
        "status": "paid",
        "settlement": "refund_due",
        "refunded": Decimal("0.00"),
    }

    def refund_twice():
        from payments.models import PaymentRefund

        with tenant_context(scratch):
            (refund,) = PaymentRefund.objects.filter(order_id=order["id"])
            message = OutboxMessage.objects.get(schema_name=scratch.schema_name, key=f"payments.refund:{refund.pk}")
        first = outbox.deliver(message_id=message.pk)
        # The worker that ran it died before saying so: its lease ran out, the message is handed out again.
        OutboxMessage.objects.filter(pk=message.pk).update(status="pending", finished_at=None, leased_until=None)
        return first, outbox.deliver(message_id=message.pk)

    assert on_own_connection(django_db_blocker, refund_twice) == ("done", "done")
    at_wechat = wechatpay._load(SUB_MCHID, order["out_trade_no"])
    assert at_wechat["trade_state"] == "REFUND" and len(at_wechat["refunds"]) == 1
    (refund,) = at_wechat["refunds"].values()
    assert refund["refund"] == int(Decimal(order["amount"]) * 100)  # the whole order, its late fee too

    def finish():
        from payments.models import PaymentRefund

        with tenant_context(scratch):
            number = PaymentRefund.objects.get(order_id=order["id"], source="lost_race").out_refund_no
        note = wechatpay_notify.finish_refund(
            sub_mchid=SUB_MCHID, out_trade_no=order["out_trade_no"], out_refund_no=number
        )
        return [post_notification(wechat, note).status_code for _ in range(2)]

    assert on_own_connection(django_db_blocker, finish) == [204, 204]
    ledger = _ledger(django_db_blocker, scratch, payer, charge, order)
    assert ledger["status"] == "refunded" and ledger["refunded"] == Decimal(order["amount"])
    assert ledger["methods"] == ["cash"] and ledger["allocated"] == charge.amount


def test_the_notification_commits_first_and_the_cash_desk_is_refused(
    scratch, django_db_blocker, client_for, monkeypatch
):
    """The notification's settle transaction holds the order and the house (allocated, not yet
    committed) while the cashier takes the same charge: the desk waits, then is refused with 409."""
    from billing.payments_bridge import BillsPayable

    payer, charge, order, delivery, wechat, cashier = _prepared(scratch, django_db_blocker, client_for)
    results: dict = {}
    online_holds = threading.Event()
    release = threading.Event()
    real = BillsPayable.allocate

    def allocate_then_hold(self, request):
        reference = real(self, request)
        online_holds.set()
        assert release.wait(30)
        return reference

    monkeypatch.setattr(BillsPayable, "allocate", allocate_then_hold)
    online_thread = _in_thread(django_db_blocker, lambda: post_notification(wechat, delivery), results, "online")
    assert online_holds.wait(60), results
    desk_thread = _in_thread(
        django_db_blocker,
        lambda: cashier.post(
            f"/api/v1/cashdesk/houses/{payer.house.pk}/pay/",
            {"amount": str(charge.amount), "method": "cash", "charge_ids": [charge.pk], "idempotency_key": "desk"},
            format="json",
        ),
        results,
        "desk",
    )
    try:
        assert _someone_waits_on_a_lock(django_db_blocker), "the cash desk never ran into the settle's lock"
    finally:
        release.set()
        online_thread.join()
        desk_thread.join()
    assert results["online"].status_code == 204, results["online"].content
    assert results["desk"].status_code == 409, results["desk"].content
    assert results["desk"].json()["code"] == "charge_not_due"
    ledger = _ledger(django_db_blocker, scratch, payer, charge, order)
    assert ledger == {
        "allocated": charge.amount,
        "methods": ["wechat"],
        "status": "paid",
        "settlement": "allocated",
        "refunded": Decimal("0.00"),
    }


# --- a worker killed in the middle of a notification ---------------------------------------------

WORKER = """
import json, os, sys, time
import django
django.setup()
from django_tenants.utils import tenant_context
from billing.payments_bridge import BillsPayable
from companies.models import Company
from payments.services import notifications

job = json.loads(sys.stdin.read())
real = BillsPayable.allocate

def allocate_then_stall(self, request):
    reference = real(self, request)  # allocated, in the settle transaction, not committed
    print("ALLOCATED", flush=True)
    time.sleep(120)  # killed here
    return reference

BillsPayable.allocate = allocate_then_stall
company = Company.objects.get(slug=job["slug"])
with tenant_context(company):
    notifications.handle(
        gateway_name="wechatpay", company=company, headers=job["headers"], body=job["body"].encode()
    )
print("SURVIVED", flush=True)
"""


def _killed_midway(delivery, company) -> None:
    """Hand the notification to a worker process of its own; SIGKILL it once it has allocated the
    payment inside its open transaction (PostgreSQL rolls the transaction back with the connection)."""
    url = database_url(connection.settings_dict)
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "PYTHONPATH": f"{ROOT / 'platform'}:{ROOT}",
        "LOG_LEVEL": "ERROR",
    }
    env.pop("WUYE_TESTING", None)  # a worker, not a test run: its DATABASE_URL is the test database
    worker = subprocess.Popen(
        [sys.executable, "-c", WORKER],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        env=env,
        cwd=ROOT,
        text=True,
    )
    assert worker.stdin is not None and worker.stdout is not None
    worker.stdin.write(
        json.dumps({"slug": company.slug, "headers": dict(delivery.headers), "body": delivery.body.decode()})
    )
    worker.stdin.close()
    try:
        line = worker.stdout.readline().strip()
        assert line == "ALLOCATED", line
    finally:
        worker.kill()
        worker.wait(timeout=30)
    assert worker.returncode == -9


@pytest.mark.parametrize("retry", ["redelivery", "sweeper"])
def test_a_worker_killed_inside_the_settle_transaction_is_completed_once_by_the_retry(
    scratch, django_db_blocker, client_for, retry
):
    from payments.services import sweeper

    payer, charge, order, delivery, wechat, _cashier = _prepared(scratch, django_db_blocker, client_for)
    on_own_connection(django_db_blocker, lambda: _killed_midway(delivery, scratch))
    ledger = _ledger(django_db_blocker, scratch, payer, charge, order)
    assert ledger["status"] == "pending" and ledger["methods"] == [] and ledger["allocated"] == 0

    def complete():
        if retry == "redelivery":  # WeChat Pay sends it again (a fresh signature, the same payment)
            from standins import wechatpay_notify

            again = wechatpay_notify.pay(sub_mchid=SUB_MCHID, out_trade_no=order["out_trade_no"])
            return [post_notification(wechat, again).status_code, post_notification(wechat, delivery).status_code]
        with tenant_context(scratch):
            later = timezone.now() + timedelta(minutes=2)
            return [sweeper.sweep(now=later)["paid"], sweeper.sweep(now=later)["asked"]]

    outcome = on_own_connection(django_db_blocker, complete)
    assert outcome == ([204, 204] if retry == "redelivery" else [1, 0])
    if retry == "sweeper":  # and then the notification itself arrives: nothing more
        assert on_own_connection(django_db_blocker, lambda: post_notification(wechat, delivery).status_code) == 204
    ledger = _ledger(django_db_blocker, scratch, payer, charge, order)
    assert ledger == {
        "allocated": charge.amount,
        "methods": ["wechat"],
        "status": "paid",
        "settlement": "allocated",
        "refunded": Decimal("0.00"),
    }
