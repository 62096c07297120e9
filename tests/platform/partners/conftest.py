"""Partners' fixtures: a vendor signed up through the portal's API, on the public host."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

VENDOR_PASSWORD = "Vendor-pass-2026"


@dataclass
class SignedUpVendor:
    client: APIClient  # on the public host, carrying the vendor's token
    token: str
    code: str
    phone: str


def portal_client(token: str | None = None) -> APIClient:
    client = APIClient()
    client.defaults["HTTP_HOST"] = "localhost"
    if token:
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


def licence(name: str = "licence.pdf", content: bytes = b"%PDF-1.4 licence") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


@pytest.fixture(autouse=True)
def _private_files(settings, tmp_path):
    settings.PRIVATE_ROOT = str(tmp_path / "private")


@pytest.fixture
def sign_up_vendor(db):
    def make(phone: str = "13900001111", name: str = "洁净家政", kind: str = "housekeeping") -> SignedUpVendor:
        body = {"name": name, "kind": kind, "contact_name": "王经理", "phone": phone, "password": VENDOR_PASSWORD}
        response = portal_client().post("/api/v1/partner/signup/", body, format="json")
        assert response.status_code == 201, response.content
        data = response.json()
        return SignedUpVendor(portal_client(data["token"]), data["token"], data["account"]["vendor"]["code"], phone)

    return make


@pytest.fixture
def vendor(sign_up_vendor):
    return sign_up_vendor()
