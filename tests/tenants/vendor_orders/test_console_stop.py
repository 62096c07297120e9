"""The platform stops a vendor from its console: the vendor is out at once (no token, no listing),
and in each company that admitted it the orders not started are cancelled and refunded and the
partner managers told, once; orders under way are left to the company's staff, who can now finish them."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client
from django_tenants.utils import tenant_context

from accounts.models import AuditEvent, User
from core.outbox import services as outbox
from core.outbox.models import OutboxMessage
from partners.models import Vendor
from tests.platform.partners.conftest import VENDOR_PASSWORD, portal_client
from tests.tenants.vendor_orders.test_booking import _pay
from tests.tenants.vendor_orders.test_company_moves import _in_service, _refunds
from tests.tenants.vendor_orders.world import add_slot, admitted_vendor, book

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(payer, vendor, client_for):
    return admitted_vendor(vendor, payer.company, client_for(payer.company, "admin"), [payer.house.estate_id])


@pytest.fixture
def operator(db):
    user = User.objects.create_superuser(username="operator", password="Operator-pass-2026")
    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    return client


def _change(operator, vendor: Vendor, **changes):
    url = f"/console/partners/vendor/{vendor.pk}/change/"
    page = operator.get(url)
    assert page.status_code == 200
    data = {"is_active": "on" if vendor.is_active else "", "deactivated_reason": vendor.deactivated_reason}
    for formset in page.context["inline_admin_formsets"]:
        management = formset.formset.management_form
        data.update({management.add_prefix(name): management[name].value() for name in management.fields})
        for form in formset.formset.forms:  # the existing rows' hidden keys (the rest is read-only)
            data.update({form.add_prefix(name): form[name].value() or "" for name in form.fields})
    data.update(changes)
    return operator.post(url, data)


def _deliver(schema_name: str, topic: str = "partners.vendor_deactivated") -> list[str]:
    keys = OutboxMessage.objects.filter(schema_name=schema_name, topic=topic, status="pending").values_list(
        "key", flat=True
    )
    return [outbox.deliver_now(schema_name=schema_name, key=key) for key in list(keys)]


def test_stopping_a_vendor_cancels_and_refunds_what_it_had_not_started(payer, world, client_for, operator):
    company = payer.company
    under_way = _in_service(payer, world, client_for, key="a")
    world.slot_id = add_slot(world.vendor, days=3)
    paid = book(payer.client, payer.house.pk, world, key="b").json()
    _pay(payer, client_for, paid["id"], key="pay-b")
    vendor = Vendor.objects.get(code=world.vendor.code)

    refused = _change(operator, vendor, is_active="", deactivated_reason="")
    assert refused.status_code == 200  # the form again: a reason is required
    assert Vendor.objects.get(pk=vendor.pk).is_active

    stopped = _change(operator, vendor, is_active="", deactivated_reason="营业执照被吊销")
    assert stopped.status_code == 302, stopped.content[:2000]
    vendor.refresh_from_db()
    assert (vendor.is_active, vendor.deactivated_reason) == (False, "营业执照被吊销")
    assert AuditEvent.objects.filter(action="partner.vendor_deactivated", object_id=str(vendor.pk)).exists()
    assert world.vendor.client.get("/api/v1/partner/me/").status_code == 401  # out at once
    # Signing in again: the right password is told why (not "wrong password"); a wrong one learns nothing.
    login = {"phone": world.vendor.phone, "password": VENDOR_PASSWORD}
    refused = portal_client().post("/api/v1/partner/auth/login/", login, format="json")
    assert refused.status_code == 403 and refused.json()["code"] == "vendor_deactivated"
    assert "营业执照被吊销" in refused.json()["message"] and "token" not in refused.json()
    guessed = portal_client().post(
        "/api/v1/partner/auth/login/", {**login, "password": "Wrong-pass-2026"}, format="json"
    )
    assert guessed.status_code == 401 and "营业执照" not in guessed.json()["message"]
    assert payer.client.get("/api/v1/owner/vendors/").json()["count"] == 0

    assert _deliver(company.schema_name) == ["done"]
    shown = payer.client.get(f"/api/v1/owner/vendor-orders/{paid['id']}/").json()
    assert (shown["status"], shown["cancelled_by"]) == ("cancelled", "company")
    assert [r.amount for r in _refunds(payer, paid["id"])] == [Decimal("120.00")]
    assert payer.client.get(f"/api/v1/owner/vendor-orders/{under_way['id']}/").json()["status"] == "in_service"

    from notifications.models import Notification

    with tenant_context(company):
        told = Notification.objects.filter(event="partners.vendor_deactivated")
        assert told.count() == 1 and told.get().context["cancelled"] == 1
    # Run again (a redelivered message): nothing more cancelled, refunded or told.
    from partners.tasks import stop_vendor_in_company

    payload = OutboxMessage.objects.filter(topic="partners.vendor_deactivated").values_list("payload", flat=True).get()
    with tenant_context(company):
        stop_vendor_in_company(**payload)
    assert len(_refunds(payer, paid["id"])) == 1
    with tenant_context(company):
        assert Notification.objects.filter(event="partners.vendor_deactivated").count() == 1

    # The staff may now finish the order under way (the vendor can't).
    admin = client_for(company, "admin")
    done = admin.post(f"/api/v1/vendor-orders/{under_way['id']}/complete/", {}, format="json")
    assert done.status_code == 200, done.content

    back = _change(operator, Vendor.objects.get(pk=vendor.pk), is_active="on")
    assert back.status_code == 302
    assert Vendor.objects.get(pk=vendor.pk).is_active
    assert portal_client().post("/api/v1/partner/auth/login/", login, format="json").status_code == 200
    assert payer.client.get(f"/api/v1/owner/vendor-orders/{paid['id']}/").json()["status"] == "cancelled"
    # The partner managers hear it is back, once, however often the message comes.
    assert _deliver(company.schema_name, "partners.vendor_reactivated") == ["done"]
    from partners.tasks import vendor_back_in_company

    payload = OutboxMessage.objects.filter(topic="partners.vendor_reactivated").values_list("payload", flat=True).get()
    with tenant_context(company):
        vendor_back_in_company(**payload)
        told = Notification.objects.filter(event="partners.vendor_reactivated")
        assert told.count() == 1
        assert told.get().context["vendor"] == vendor.name


def test_the_console_cannot_add_or_delete_vendors(operator, world):
    vendor = Vendor.objects.get(code=world.vendor.code)
    assert operator.get("/console/partners/vendor/add/").status_code == 403
    assert operator.post(f"/console/partners/vendor/{vendor.pk}/delete/", {"post": "yes"}).status_code == 403
    assert Vendor.objects.filter(pk=vendor.pk).exists()
