"""The same charge paid at the same instant online (WeChat Pay's notification) and at the cash desk,
on two database connections: one wins, the other is refused (the desk) or refunded (online) — the
charge is allocated once. Committed data, so a scratch company, dropped afterwards."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.db import connections
from django_tenants.utils import tenant_context

from tests.billing.concurrency import drop, on_own_connection
from tests.conftest import _provision
from tests.payments.conftest import NOTIFY, make_merchant, make_payer, start

pytestmark = pytest.mark.django_db(transaction=False)


@pytest.fixture
def scratch(django_db_blocker):
    company = on_own_connection(django_db_blocker, lambda: _provision("gamma", "伽马物业"))
    try:
        yield company
    finally:
        on_own_connection(django_db_blocker, lambda: drop("gamma"))


def test_online_and_cash_desk_at_once_allocate_the_charge_once(scratch, django_db_blocker, client_for, monkeypatch):
    from standins import wechatpay_notify
    from tests.payments import conftest

    monkeypatch.setitem(conftest.SUB_MCHIDS, "gamma", "1230000077")
    monkeypatch.setitem(conftest.APPIDS, "gamma", "wxc7c7c7c7c7c7c7c7")

    def prepare():
        make_merchant(scratch)
        payer = make_payer(scratch, client_for, username="racer")
        charge = payer.charges[0]
        order = start(payer, [charge.pk], key="race").json()
        delivery = wechatpay_notify.pay(sub_mchid="1230000077", out_trade_no=order["out_trade_no"])
        return payer, charge, order, delivery, client_for(scratch, "cashier"), client_for(scratch)

    payer, charge, order, delivery, cashier, wechat = on_own_connection(django_db_blocker, prepare)
    barrier = threading.Barrier(2)
    answers: dict[str, int] = {}

    def desk() -> None:
        with django_db_blocker.unblock():
            try:
                barrier.wait()
                answers["desk"] = cashier.post(
                    f"/api/v1/cashdesk/houses/{payer.house.pk}/pay/",
                    {
                        "amount": str(charge.amount),
                        "method": "cash",
                        "charge_ids": [charge.pk],
                        "idempotency_key": "desk",
                    },
                    format="json",
                ).status_code
            finally:
                connections.close_all()

    def online() -> None:
        sent = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in delivery.headers.items()}
        with django_db_blocker.unblock():
            try:
                barrier.wait()
                answers["online"] = wechat.post(
                    NOTIFY, data=delivery.body, content_type="application/json", **sent
                ).status_code
            finally:
                connections.close_all()

    threads = [threading.Thread(target=desk), threading.Thread(target=online)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    def outcome():
        from billing.models import Allocation, Payment
        from payments.models import PaymentOrder

        with tenant_context(scratch):
            allocated = sum((a.amount for a in Allocation.objects.filter(charge=charge)), Decimal("0"))
            methods = sorted(Payment.objects.filter(house=payer.house).values_list("method", flat=True))
            model = PaymentOrder.objects.get(pk=order["id"])
            return allocated, methods, model.status, model.settlement

    allocated, methods, status, settlement = on_own_connection(django_db_blocker, outcome)
    assert answers["online"] == 204, answers
    assert allocated == charge.amount and status == "paid"
    if answers["desk"] == 201:  # the desk won: the online money is to be refunded
        assert methods == ["cash"] and settlement == "refund_due"
    else:  # online won: the desk was refused
        assert answers["desk"] == 409 and methods == ["wechat"] and settlement == "allocated"
