"""A lapsed qualification document suspends the vendor's listings; the beat task is safe to run twice."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import AuditEvent
from partners import tasks
from partners.models import QualificationDocument, Vendor
from tests.platform.partners.conftest import licence

pytestmark = pytest.mark.django_db


def _upload(vendor, *, expires_on, number="LIC-1"):
    response = vendor.client.post(
        "/api/v1/partner/documents/",
        {"kind": "business_licence", "number": number, "file": licence(), "expires_on": expires_on},
        format="multipart",
    )
    assert response.status_code == 201, response.content
    return response.json()


def test_an_expired_licence_suspends_the_listings_once(vendor, sign_up_vendor):
    other = sign_up_vendor(phone="13900009999", name="好邻居超市", kind="merchant")
    tomorrow = timezone.localdate() + timedelta(days=1)
    lapsing = _upload(vendor, expires_on=tomorrow.isoformat())
    _upload(other, expires_on=tomorrow.isoformat())
    # The day after tomorrow, as far as the documents know: one of them ran out yesterday.
    QualificationDocument.objects.filter(pk=lapsing["id"]).update(expires_on=timezone.localdate() - timedelta(days=1))

    first = tasks.suspend_lapsed_listings()
    assert first == {"documents_expired": 1, "vendors_suspended": 1, "reminded": 1}  # the other's, due tomorrow
    suspended = Vendor.objects.get(code=vendor.code)
    assert suspended.listings_suspended_at is not None
    assert Vendor.objects.get(code=other.code).listings_suspended_at is None
    audited = AuditEvent.objects.filter(action="partner.listings_suspended").count()
    assert audited == 1

    second = tasks.suspend_lapsed_listings()
    assert second == {"documents_expired": 0, "vendors_suspended": 0, "reminded": 0}
    assert Vendor.objects.get(code=vendor.code).listings_suspended_at == suspended.listings_suspended_at
    assert AuditEvent.objects.filter(action="partner.listings_suspended").count() == audited

    me = vendor.client.get("/api/v1/partner/me/").json()["vendor"]
    assert me["listings_suspended_at"] and me["listings_suspended_reason"]
    documents = vendor.client.get("/api/v1/partner/documents/").json()["results"]
    assert documents[0]["expired"] is True

    # A valid licence replaces the lapsed one: the listings are back, and the sweep leaves them so.
    _upload(vendor, expires_on=(timezone.localdate() + timedelta(days=365)).isoformat(), number="LIC-2")
    assert Vendor.objects.get(code=vendor.code).listings_suspended_at is None
    assert tasks.suspend_lapsed_listings() == {"documents_expired": 0, "vendors_suspended": 0, "reminded": 0}
    assert Vendor.objects.get(code=vendor.code).listings_suspended_at is None


def test_an_expired_document_cannot_be_uploaded(vendor):
    response = vendor.client.post(
        "/api/v1/partner/documents/",
        {"kind": "business_licence", "number": "LIC", "file": licence(), "expires_on": "2001-01-01"},
        format="multipart",
    )
    assert response.status_code == 400 and "expires_on" in response.json()["fields"]
    bad = vendor.client.post("/api/v1/partner/documents/", {"kind": "passport"}, format="multipart")
    assert bad.status_code == 400 and {"kind", "number", "file"} <= set(bad.json()["fields"])
    exe = vendor.client.post(
        "/api/v1/partner/documents/",
        {"kind": "other", "number": "X", "file": licence("a.pdf", b"MZ\x90\x00 not a pdf")},
        format="multipart",
    )
    assert exe.status_code == 400 and "file" in exe.json()["fields"]
    assert QualificationDocument.objects.count() == 0


def test_a_document_about_to_expire_is_told_to_the_admitting_companys_managers_once(vendor, client_for, company_a):
    from django_tenants.utils import tenant_context

    from core.outbox import services as outbox
    from notifications.models import Delivery
    from tests.platform.partners.test_admissions import _applied, _estate

    admission_id = _applied(vendor, company_a)
    admin = client_for(company_a, "admin")
    approve = admin.post(
        f"/api/v1/partner-admissions/{admission_id}/approve/",
        {"estate_ids": [_estate(company_a)], "commission_rate": "0"},
        format="json",
    )
    assert approve.status_code == 200
    soon = _upload(vendor, expires_on=(timezone.localdate() + timedelta(days=10)).isoformat(), number="LIC-SOON")

    assert tasks.suspend_lapsed_listings()["reminded"] == 1
    assert tasks.suspend_lapsed_listings()["reminded"] == 0  # once
    key = f"partner-document:{soon['id']}:expiring"
    assert outbox.deliver_now(schema_name=company_a.schema_name, key=key) == "done"
    with tenant_context(company_a):
        told = Delivery.objects.filter(notification__event="partners.document_expiring", channel="inbox")
        assert [d.recipient.username for d in told] == ["admin"]  # partners.manage: the admins only
    assert Vendor.objects.get(code=vendor.code).listings_suspended_at is None  # not expired yet
