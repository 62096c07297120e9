"""A vendor's manager adds staff accounts to the portal (they see and move orders, but manage
nothing) and switches them off (their tokens stop working at once); a failed document upload leaves
no file behind."""

from __future__ import annotations

import os

import pytest

from tests.platform.partners.conftest import VENDOR_PASSWORD, licence, portal_client

pytestmark = pytest.mark.django_db


def _login(phone: str):
    answer = portal_client().post(
        "/api/v1/partner/auth/login/", {"phone": phone, "password": VENDOR_PASSWORD}, format="json"
    )
    assert answer.status_code == 200, answer.content
    return portal_client(answer.json()["token"])


def test_a_manager_adds_staff_who_manage_nothing_and_switches_them_off(vendor, sign_up_vendor):
    added = vendor.client.post(
        "/api/v1/partner/accounts/",
        {"name": "小张", "phone": "13900003333", "password": VENDOR_PASSWORD},
        format="json",
    )
    assert added.status_code == 201, added.content
    assert added.json()["role"] == "staff" and added.json()["phone_masked"] == "139****3333"
    staff = _login("13900003333")
    assert staff.get("/api/v1/partner/orders/").status_code == 200
    assert staff.get("/api/v1/partner/accounts/").status_code == 403
    made = staff.post(
        "/api/v1/partner/offerings/",
        {"kind": "service", "name": "x", "price_mode": "fixed", "price": "1"},
        format="json",
    )
    assert made.status_code == 403

    again = vendor.client.post(
        "/api/v1/partner/accounts/",
        {"name": "重名", "phone": "13900003333", "password": VENDOR_PASSWORD},
        format="json",
    )
    assert again.status_code == 400 and "phone" in again.json()["fields"]
    me = vendor.client.get("/api/v1/partner/me/").json()["id"]
    assert (
        vendor.client.patch(f"/api/v1/partner/accounts/{me}/", {"is_active": False}, format="json").status_code == 409
    )

    other = sign_up_vendor(phone="13900004444", name="邻家超市", kind="merchant")
    staff_id = added.json()["id"]
    assert (
        other.client.patch(f"/api/v1/partner/accounts/{staff_id}/", {"is_active": False}, format="json").status_code
        == 404
    )
    assert [row["id"] for row in other.client.get("/api/v1/partner/accounts/").json()["results"]] != [staff_id]

    off = vendor.client.patch(f"/api/v1/partner/accounts/{staff_id}/", {"is_active": False}, format="json")
    assert off.status_code == 200 and off.json()["is_active"] is False
    assert staff.get("/api/v1/partner/orders/").status_code == 401  # its token is gone


def test_a_document_upload_that_fails_leaves_no_file(vendor, settings, monkeypatch):
    from partners.services import vendors

    def broken(*args, **kwargs):
        raise RuntimeError("the audit trail is down")

    monkeypatch.setattr(vendors, "trail", broken)
    with pytest.raises(RuntimeError):
        vendor.client.post(
            "/api/v1/partner/documents/",
            {"kind": "business_licence", "number": "9131", "file": licence(), "expires_on": "2099-12-31"},
            format="multipart",
        )
    stored = [name for _root, _dirs, names in os.walk(settings.PRIVATE_ROOT) for name in names]
    assert stored == []
