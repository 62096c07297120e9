"""Owners told about their money through the notification service: a payment taken at the cash desk
(payment.received, with its receipt number), an invoice issued — to the house's app users only,
once however often the request is replayed, and never in another company."""

from __future__ import annotations

import pytest
from django_tenants.utils import tenant_context

from notifications.models import Delivery, Notification
from tests.billing.test_invoices import _einvoice, _request, _seller  # noqa: F401  (the stand-in fixture)
from tests.billing.test_ledger_api import _owner_client, _pay, _world

pytestmark = pytest.mark.django_db


def _inbox(client):
    return client.get("/api/v1/owner/notifications/").json()["results"]


def test_a_cash_payment_tells_the_houses_app_users_once(company_a, company_b, client_for):
    world = _world(company_a, name="收款苑")
    owner = _owner_client(company_a, client_for, person=world["person"], username="pn-owner")
    cashier = client_for(company_a, "cashier")
    paid = _pay(cashier, world["houses"][0], "pn-1", amount="100.00")
    again = cashier.post(  # the desk's retry: the same payment, replayed
        f"/api/v1/cashdesk/houses/{world['houses'][0].pk}/pay/",
        {"amount": "100.00", "method": "cash", "idempotency_key": "pn-1"},
        format="json",
    )
    assert again.status_code == 200 and again.json()["payment"]["id"] == paid["payment"]["id"]
    _pay(cashier, world["houses"][1], "pn-2", amount="50.00")  # nobody of house 1 uses the app
    with tenant_context(company_a):
        told = list(Notification.objects.filter(event="payment.received"))
        assert len(told) == 1 and told[0].key == f"payment.received:{paid['payment']['id']}"
        receipt = told[0].context["receipt"]
        assert receipt and told[0].context["amount"] == "100.00"
        recipients = set(Delivery.objects.filter(notification=told[0]).values_list("recipient__username", flat=True))
    assert recipients == {"pn-owner"}
    items = _inbox(owner)
    assert [item["title"] for item in items] == ["缴费成功：100.00 元"]
    assert items[0]["body"] == f"已收到 1栋1单元101 的缴费 100.00 元（现金），收据号 {receipt}。"
    assert items[0]["link"] == f"/pages/bills/history?house={world['houses'][0].pk}"
    for staff in ("cashier", "admin"):
        assert client_for(company_a, staff).get("/api/v1/notifications/unread-count/").json() == {"unread": 0}
    with tenant_context(company_b):
        assert not Notification.objects.exists()


def test_an_issued_invoice_tells_the_houses_owner_once(company_a, client_for):
    world = _world(company_a, name="发票苑")
    owner = _owner_client(company_a, client_for, person=world["person"], username="inv-owner")
    cashier, admin = client_for(company_a, "cashier"), client_for(company_a, "admin")
    house = world["houses"][0]
    paid = _pay(cashier, house, "inv-n-1", amount="80.00")
    _seller(admin)
    invoice = _request(admin, house, [paid["payment"]["id"]]).json()
    body = {"invoice_number": "01234567", "issued_on": "2026-01-05"}
    assert admin.post(f"/api/v1/invoices/{invoice['id']}/paper/", body, format="json").status_code == 200
    assert admin.post(f"/api/v1/invoices/{invoice['id']}/paper/", body, format="json").status_code == 409
    with tenant_context(company_a):
        assert Notification.objects.filter(event="invoice.issued").count() == 1
    titles = [item["title"] for item in _inbox(owner)]
    assert titles.count("发票已开具") == 1
    issued = next(item for item in _inbox(owner) if item["title"] == "发票已开具")
    assert "发票号码 01234567" in issued["body"] and issued["link"] == "/pages/invoices/invoices"
