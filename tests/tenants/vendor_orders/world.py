"""A vendor admitted by a company for the estate of a paying owner, with an offering and a slot."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.utils import timezone

from tests.platform.partners.conftest import licence


@dataclass
class Admitted:
    vendor: Any  # SignedUpVendor
    admission_id: int
    offering_id: int
    slot_id: int


def admit(vendor, company, admin, estate_ids, *, rate="0.0500") -> int:
    upload = vendor.client.post(
        "/api/v1/partner/documents/",
        {"kind": "business_licence", "number": "91310000MA1FL0001", "file": licence(), "expires_on": "2099-12-31"},
        format="multipart",
    )
    assert upload.status_code == 201, upload.content
    applied = vendor.client.post("/api/v1/partner/admissions/", {"company": company.slug}, format="json")
    assert applied.status_code == 201, applied.content
    admission_id = applied.json()["id"]
    approved = admin.post(
        f"/api/v1/partner-admissions/{admission_id}/approve/",
        {"estate_ids": estate_ids, "commission_rate": rate},
        format="json",
    )
    assert approved.status_code == 200, approved.content
    return admission_id


def add_offering(vendor, **fields) -> int:
    body = {"kind": "service", "name": "日常保洁 3 小时", "price_mode": "fixed", "price": "120.00", "unit": "次"}
    body.update(fields)
    made = vendor.client.post("/api/v1/partner/offerings/", body, format="json")
    assert made.status_code == 201, made.content
    return made.json()["id"]


def add_slot(vendor, *, days=2, capacity=1, **fields) -> int:
    start = timezone.localtime() + timedelta(days=days)
    start = start.replace(hour=9, minute=0, second=0, microsecond=0)
    body = {"starts_at": start.isoformat(), "ends_at": (start + timedelta(hours=3)).isoformat(), "capacity": capacity}
    body.update(fields)
    made = vendor.client.post("/api/v1/partner/slots/", body, format="json")
    assert made.status_code == 201, made.content
    return made.json()[0]["id"]


def admitted_vendor(vendor, company, admin, estate_ids, **kwargs) -> Admitted:
    admission_id = admit(vendor, company, admin, estate_ids, **kwargs)
    return Admitted(vendor, admission_id, add_offering(vendor), add_slot(vendor))


def book(owner_client, house_id, admitted: Admitted, *, key="book-1", **fields):
    body = {
        "vendor": _vendor_id(admitted),
        "offering": admitted.offering_id,
        "slot": admitted.slot_id,
        "house": house_id,
        "contact_name": "李业主",
        "contact_phone": "13800138000",
        "note": "有宠物猫",
        "idempotency_key": key,
    }
    body.update(fields)
    return owner_client.post("/api/v1/owner/vendor-orders/", body, format="json")


def _vendor_id(admitted: Admitted) -> int:
    from partners.models import Vendor

    return Vendor.objects.get(code=admitted.vendor.code).pk
