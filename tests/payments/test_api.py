"""Who may use payments' endpoints, in which company: roles, object-level isolation, the merchant
settings (company admins only, field errors, audited, the secret encrypted and never shown)."""

from __future__ import annotations

import pytest
from django.db import connection
from django_tenants.utils import tenant_context

from tests.payments.conftest import APPIDS, make_merchant, make_payer, start

pytestmark = pytest.mark.django_db
SETTINGS = "/api/v1/settings/wechat-pay/"


@pytest.mark.parametrize("username", ["cashier", "dispatcher", "repair", "guard", "service"])
def test_only_company_admins_see_or_change_the_merchant_settings(company_a, client_for, username):
    staff = client_for(company_a, username)
    assert staff.get(SETTINGS).status_code == 403
    assert (
        staff.put(SETTINGS, {"sub_mchid": "1230000001", "sub_appid": APPIDS["alpha"]}, format="json").status_code == 403
    )


def test_an_owner_cannot_touch_the_merchant_settings(payer):
    assert payer.client.get(SETTINGS).status_code == 403
    assert payer.client.put(SETTINGS, {"sub_mchid": "1", "sub_appid": "wx1"}, format="json").status_code == 403


def test_the_admin_sets_the_merchant_with_field_errors_audit_and_an_encrypted_secret(company_a, client_for):
    from accounts.models import AuditEvent

    admin = client_for(company_a, "admin")
    bad = admin.put(SETTINGS, {"sub_mchid": "12ab", "sub_appid": "wx1", "secret": "short"}, format="json")
    assert bad.status_code == 400 and "sub_mchid" in bad.json()["fields"]
    bad_appid = admin.put(
        SETTINGS, {"sub_mchid": "1230000001", "sub_appid": "nope", "secret": "s3cr3tS3cr3tS3cr3t"}, format="json"
    )
    assert bad_appid.status_code == 400 and "sub_appid" in bad_appid.json()["fields"]
    body = {"sub_mchid": "1230000001", "sub_appid": APPIDS["alpha"], "secret": "s3cr3tS3cr3tS3cr3t"}
    saved = admin.put(SETTINGS, body, format="json")
    assert saved.status_code == 200, saved.content
    shown = admin.get(SETTINGS).json()
    assert shown["sub_mchid"] == "1230000001" and shown["sub_appid"] == APPIDS["alpha"] and shown["secret_set"]
    assert "secret" not in shown and shown["notify_url"].endswith("/api/v1/payments/wechat/notify/")
    assert shown["notify_url"].startswith("http://alpha.localhost")
    # the secret may be left out to keep the stored one
    kept = admin.put(SETTINGS, {"sub_mchid": "1230000003", "sub_appid": APPIDS["alpha"]}, format="json")
    assert kept.status_code == 200 and kept.json()["sub_mchid"] == "1230000003"
    with connection.cursor() as cursor:
        cursor.execute("SELECT wechat_secret FROM public.companies_company WHERE slug = 'alpha'")
        stored = cursor.fetchone()[0]
    assert stored.startswith("v1:") and "s3cr3t" not in stored
    with tenant_context(company_a):
        assert AuditEvent.objects.filter(action="payments.merchant").count() == 2


def test_staff_cannot_use_the_owner_payment_endpoints(company_a, client_for):
    for username in ("admin", "cashier"):
        staff = client_for(company_a, username)
        assert (
            staff.post("/api/v1/owner/payments/", {"house": 1, "idempotency_key": "s"}, format="json").status_code
            == 403
        )
        assert staff.get("/api/v1/owner/payments/1/").status_code == 403


def test_an_owner_sees_only_their_own_orders(payer, client_for):
    from tests.billing.test_ledger_api import _owner_client

    order = start(payer, key="own").json()
    assert payer.client.get(f"/api/v1/owner/payments/{order['id']}/").status_code == 200
    neighbour = _owner_client(payer.company, client_for, house=payer.world["houses"][1], username="neighbour")
    assert neighbour.get(f"/api/v1/owner/payments/{order['id']}/").status_code == 404
    assert neighbour.get("/api/v1/owner/payments/999999/").status_code == 404


def test_an_order_of_company_a_is_404_on_company_b(payer, company_b, client_for):
    make_merchant(company_b)
    order = start(payer, key="cross").json()
    owner_b = make_payer(company_b, client_for, username="payer-b")
    assert owner_b.client.get(f"/api/v1/owner/payments/{order['id']}/").status_code == 404
    # A house of company A named on company B's host is no house of this owner there.
    crossed = owner_b.client.post(
        "/api/v1/owner/payments/", {"house": payer.house.pk, "idempotency_key": "cross-b"}, format="json"
    )
    assert crossed.status_code == 404 or crossed.json()["house"] != payer.house.pk
    # The credential of A's owner is useless on B's host.
    payer.client.defaults["HTTP_HOST"] = f"{company_b.slug}.localhost"
    assert payer.client.get(f"/api/v1/owner/payments/{order['id']}/").status_code == 401
    # B's admin sees B's settings, not A's.
    assert client_for(company_b, "admin").get(SETTINGS).json()["sub_appid"] == APPIDS["beta"]
