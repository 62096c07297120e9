"""A company invites a vendor that is not on the platform yet, by text: the link signs the vendor up
(or, signed in, takes the invitation) and applies to that company — which still reviews and decides.
One link at a time, seven days, once; another company sees and spends none of it."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from core.outbox import services as outbox
from core.outbox.models import OutboxMessage
from partners.models import Admission, VendorInvitation
from standins import sms as sms_standin
from tests.platform.partners.conftest import VENDOR_PASSWORD, portal_client

pytestmark = pytest.mark.django_db
PHONE = "13700007777"


@pytest.fixture(autouse=True)
def _fresh_phone():
    sms_standin.reset(PHONE)


def _invite(admin, *, phone=PHONE, name="好邻居超市"):
    return admin.post(
        "/api/v1/partner-invitations/", {"name": name, "contact_name": "赵店长", "phone": phone}, format="json"
    )


def _texted_token(company, phone=PHONE) -> str:
    """Deliver the invitation's text as a worker would once due (held at night: here it is
    morning); the token of the link it carried."""
    queued = OutboxMessage.objects.filter(
        schema_name=company.schema_name, topic="partners.invitation_sms", status="pending"
    )
    queued.update(available_at=timezone.now())
    for key in list(queued.values_list("key", flat=True)):
        assert outbox.deliver_now(schema_name=company.schema_name, key=key) == "done"
    text = sms_standin.outbox(phone)[0]["text"]
    match = re.search(r"/partner/join\?invite=([A-Za-z0-9_-]+)", text)
    assert match, text
    return match[1]


def _sign_up(token, *, phone="13700008888"):
    body = {
        "name": "好邻居超市",
        "kind": "merchant",
        "contact_name": "赵店长",
        "phone": phone,
        "password": VENDOR_PASSWORD,
        "invitation": token,
    }
    return portal_client().post("/api/v1/partner/signup/", body, format="json")


def test_an_invited_vendor_signs_up_from_the_text_and_has_applied(company_a, client_for):
    admin = client_for(company_a, "admin")
    made = _invite(admin)
    assert made.status_code == 201, made.content
    row = made.json()
    assert row["state"] == "pending" and row["sent_at"] is None and row["phone_masked"] != PHONE
    token = _texted_token(company_a)
    assert company_a.brand_name in sms_standin.outbox(PHONE)[0]["text"]
    listed = admin.get("/api/v1/partner-invitations/").json()["results"][0]
    assert listed["sent_at"] is not None

    offer = portal_client().get(f"/api/v1/partner/invitations/{token}/")
    assert offer.status_code == 200
    assert offer.json()["company"] == company_a.brand_name and offer.json()["state"] == "pending"

    signed = _sign_up(token)
    assert signed.status_code == 201, signed.content
    vendor_client = portal_client(signed.json()["token"])
    admissions = vendor_client.get("/api/v1/partner/admissions/").json()
    assert [(a["company"], a["status"]) for a in admissions["results"]] == [(company_a.slug, "applied")]
    listed = admin.get("/api/v1/partner-invitations/").json()["results"][0]
    assert (listed["state"], listed["vendor_name"]) == ("accepted", "好邻居超市")
    # The company reviews it like any applicant.
    assert admin.get("/api/v1/partner-admissions/?status=applied").json()["count"] == 1

    again = _sign_up(token, phone="13700009999")
    assert again.status_code == 400 and again.json()["code"] == "invitation_accepted"
    assert "invitation" in again.json()["fields"]
    login = {"phone": "13700009999", "password": VENDOR_PASSWORD}
    assert portal_client().post("/api/v1/partner/auth/login/", login, format="json").status_code == 401
    assert Admission.objects.filter(company=company_a).count() == 1


def test_a_signed_in_vendor_takes_the_invitation(company_a, client_for, vendor):
    admin = client_for(company_a, "admin")
    assert _invite(admin, phone=vendor.phone).status_code == 201
    token = _texted_token(company_a, phone=vendor.phone)
    taken = vendor.client.post("/api/v1/partner/invitations/accept/", {"token": token}, format="json")
    assert taken.status_code == 201, taken.content
    assert taken.json()["status"] == "applied"
    twice = vendor.client.post("/api/v1/partner/invitations/accept/", {"token": token}, format="json")
    assert twice.status_code == 409
    made_up = vendor.client.post("/api/v1/partner/invitations/accept/", {"token": "x" * 32}, format="json")
    assert made_up.status_code == 404


def test_resending_replaces_the_link_and_revoking_spends_it(company_a, client_for, limit_clock):
    admin = client_for(company_a, "admin")
    invitation_id = _invite(admin).json()["id"]
    first = _texted_token(company_a)
    assert _invite(admin).status_code == 400  # one pending invitation per phone
    too_soon = admin.post(f"/api/v1/partner-invitations/{invitation_id}/resend/")
    assert too_soon.status_code == 429
    VendorInvitation.objects.filter(pk=invitation_id).update(expires_at=timezone.now() + timedelta(days=6))
    sms_standin.reset(PHONE)
    resent = admin.post(f"/api/v1/partner-invitations/{invitation_id}/resend/")
    assert resent.status_code == 200, resent.content
    second = _texted_token(company_a)
    assert second != first
    assert portal_client().get(f"/api/v1/partner/invitations/{first}/").status_code == 404
    stale = _sign_up(first)  # a replaced link: nothing written
    assert stale.status_code == 400 and "invitation" in stale.json()["fields"]
    assert admin.post(f"/api/v1/partner-invitations/{invitation_id}/revoke/").json()["state"] == "revoked"
    assert portal_client().get(f"/api/v1/partner/invitations/{second}/").json()["state"] == "revoked"
    refused = _sign_up(second)
    assert refused.status_code == 400 and refused.json()["code"] == "invitation_revoked"
    assert (
        portal_client()
        .post("/api/v1/partner/auth/login/", {"phone": "13700008888", "password": VENDOR_PASSWORD}, format="json")
        .status_code
        == 401
    )  # the signup was refused as a whole


def test_an_expired_link_is_refused_and_a_text_already_replaced_is_not_sent(company_a, client_for):
    admin = client_for(company_a, "admin")
    invitation_id = _invite(admin).json()["id"]
    token = _texted_token(company_a)
    VendorInvitation.objects.filter(pk=invitation_id).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert portal_client().get(f"/api/v1/partner/invitations/{token}/").json()["state"] == "expired"
    assert _sign_up(token).json()["code"] == "invitation_expired"
    # Expired: invited again the same phone is fine.
    assert _invite(admin).status_code == 201


def test_bad_input_gets_field_errors(company_a, client_for):
    admin = client_for(company_a, "admin")
    for body, field in (
        ({"name": "", "phone": PHONE}, "name"),
        ({"name": "店", "phone": "12345"}, "phone"),
        ({"name": "\x00\x07", "phone": PHONE}, "name"),
        ({"name": "店" * 101, "phone": PHONE}, "name"),
    ):
        response = admin.post("/api/v1/partner-invitations/", body, format="json")
        assert response.status_code == 400, (body, response.content)
        assert field in response.json()["fields"], response.json()
    assert VendorInvitation.objects.count() == 0
    no_contact = admin.post("/api/v1/partner-invitations/", {"name": "便利店", "phone": PHONE}, format="json")
    assert no_contact.status_code == 201, no_contact.content  # the contact's name is optional


def test_another_company_neither_sees_nor_moves_an_invitation(company_a, company_b, client_for):
    invitation_id = _invite(client_for(company_a, "admin")).json()["id"]
    other = client_for(company_b, "admin")
    assert other.get("/api/v1/partner-invitations/").json()["count"] == 0
    assert other.post(f"/api/v1/partner-invitations/{invitation_id}/resend/").status_code == 404
    assert other.post(f"/api/v1/partner-invitations/{invitation_id}/revoke/").status_code == 404
    assert client_for(company_a, "admin").post("/api/v1/partner-invitations/x1/resend/").status_code == 404  # no 500
    assert VendorInvitation.objects.get(pk=invitation_id).revoked_at is None


def test_a_company_cannot_text_without_end(company_a, client_for, settings, monkeypatch):
    from partners.services import invitations

    monkeypatch.setattr(invitations, "DAILY_LIMIT", 2)
    admin = client_for(company_a, "admin")
    assert _invite(admin, phone="13700000001").status_code == 201
    assert _invite(admin, phone="13700000002").status_code == 201
    third = _invite(admin, phone="13700000003")
    assert third.status_code == 429
