"""A company's admission of vendors: its own admissions only, each decision audited on its own trail."""

from __future__ import annotations

import pytest
from django_tenants.utils import tenant_context

from accounts.models import AuditEvent
from partners.models import Admission
from tenants.estates import services as estate_services
from tests.platform.partners.conftest import licence

pytestmark = pytest.mark.django_db


def _estate(company, name="阳光小区"):
    with tenant_context(company):
        return estate_services.create_estate(name=name).pk


def _applied(vendor, company):
    upload = vendor.client.post(
        "/api/v1/partner/documents/",
        {"kind": "business_licence", "number": "91310000MA1FL0001", "file": licence(), "expires_on": "2099-12-31"},
        format="multipart",
    )
    assert upload.status_code == 201, upload.content
    applied = vendor.client.post("/api/v1/partner/admissions/", {"company": company.slug}, format="json")
    assert applied.status_code == 201, applied.content
    assert applied.json()["status"] == "applied"
    return applied.json()["id"]


def _trail(company, action):
    with tenant_context(company):
        return list(AuditEvent.objects.filter(action=action).values_list("object_id", flat=True))


def test_a_company_reviews_approves_suspends_and_reinstates(vendor, client_for, company_a):
    estate = _estate(company_a)
    admission_id = _applied(vendor, company_a)
    admin = client_for(company_a, "admin")
    listed = admin.get("/api/v1/partner-admissions/?status=applied").json()["results"]
    assert [row["id"] for row in listed] == [admission_id]
    detail = admin.get(f"/api/v1/partner-admissions/{admission_id}/").json()
    assert detail["vendor"]["phone"] == vendor.phone and len(detail["documents"]) == 1
    file = admin.get(f"/api/v1/partner-admissions/{admission_id}/documents/{detail['documents'][0]['id']}/file/")
    assert file.status_code == 200 and b"".join(file.streaming_content) == b"%PDF-1.4 licence"

    approved = admin.post(
        f"/api/v1/partner-admissions/{admission_id}/approve/",
        {"estate_ids": [estate], "commission_rate": "0.0500"},
        format="json",
    )
    assert approved.status_code == 200, approved.content
    assert approved.json()["status"] == "approved" and approved.json()["commission_rate"] == "0.0500"
    assert approved.json()["documents_reviewed_at"]
    suspend = admin.post(f"/api/v1/partner-admissions/{admission_id}/suspend/", {"reason": "投诉较多"}, format="json")
    assert suspend.json()["status"] == "suspended"
    assert vendor.client.get("/api/v1/partner/admissions/").json()["results"][0]["status"] == "suspended"
    reinstate = admin.post(f"/api/v1/partner-admissions/{admission_id}/reinstate/")
    assert reinstate.json()["status"] == "approved"
    for verb in ("apply", "approve", "suspend", "reinstate"):
        assert _trail(company_a, f"partner_admission.{verb}") == [str(admission_id)], verb
    portal_view = vendor.client.get("/api/v1/partner/admissions/").json()["results"][0]
    assert portal_view["company_name"] and portal_view["estates_count"] == 1 and "estate_ids" not in portal_view


def test_bad_input_and_wrong_states_are_400_with_field_errors(vendor, client_for, company_a, company_b):
    admission_id = _applied(vendor, company_a)
    admin = client_for(company_a, "admin")
    path = f"/api/v1/partner-admissions/{admission_id}/approve/"
    empty = admin.post(path, {}, format="json")
    assert empty.status_code == 400 and {"estate_ids", "commission_rate"} <= set(empty.json()["fields"])
    too_much = admin.post(path, {"estate_ids": [1], "commission_rate": "1.5"}, format="json")
    assert too_much.status_code == 400 and "commission_rate" in too_much.json()["fields"]
    beta_estate = _estate(company_b, "贝塔的小区")
    foreign = admin.post(path, {"estate_ids": [beta_estate + 1000], "commission_rate": "0"}, format="json")
    assert foreign.status_code == 400 and "estate_ids" in foreign.json()["fields"]
    reason = admin.post(f"/api/v1/partner-admissions/{admission_id}/suspend/", {"reason": "x"}, format="json")
    assert reason.status_code == 400 and reason.json()["code"] == "invalid_state"  # only an approved one
    no_reason = admin.post(f"/api/v1/partner-admissions/{admission_id}/reject/", {}, format="json")
    assert no_reason.status_code == 400 and "reason" in no_reason.json()["fields"]
    unknown = admin.post("/api/v1/partner-admissions/invite/", {"vendor_code": "NOSUCH"}, format="json")
    assert unknown.status_code == 400 and "vendor_code" in unknown.json()["fields"]
    again = vendor.client.post("/api/v1/partner/admissions/", {"company": company_a.slug}, format="json")
    assert again.status_code == 400 and "company" in again.json()["fields"]
    nowhere = vendor.client.post("/api/v1/partner/admissions/", {"company": "nowhere"}, format="json")
    assert nowhere.status_code == 400 and "company" in nowhere.json()["fields"]
    assert Admission.objects.get(pk=admission_id).status == "applied"


def test_approval_needs_a_current_document(sign_up_vendor, client_for, company_a):
    vendor = sign_up_vendor(phone="13900005555")
    assert (
        vendor.client.post("/api/v1/partner/admissions/", {"company": company_a.slug}, format="json").status_code == 201
    )
    admission = Admission.objects.get(company=company_a)
    response = client_for(company_a, "admin").post(
        f"/api/v1/partner-admissions/{admission.pk}/approve/",
        {"estate_ids": [_estate(company_a)], "commission_rate": "0"},
        format="json",
    )
    assert response.status_code == 400 and response.json()["code"] == "documents_missing"


def test_company_b_neither_sees_nor_changes_company_as_admissions(vendor, client_for, company_a, company_b):
    admission_id = _applied(vendor, company_a)
    beta = client_for(company_b, "admin")
    assert beta.get("/api/v1/partner-admissions/").json()["results"] == []
    assert beta.get(f"/api/v1/partner-admissions/{admission_id}/").status_code == 404
    for verb, body in (("approve", {"estate_ids": [1], "commission_rate": "0"}), ("reject", {"reason": "x"})):
        response = beta.post(f"/api/v1/partner-admissions/{admission_id}/{verb}/", body, format="json")
        assert response.status_code in (400, 404), verb
        if response.status_code == 400:  # estates are checked first: beta's own, then the admission
            assert "estate_ids" in response.json()["fields"]
    document = Admission.objects.get(pk=admission_id).vendor.documents.get()
    assert beta.get(f"/api/v1/partner-admissions/{admission_id}/documents/{document.pk}/file/").status_code == 404
    assert Admission.objects.get(pk=admission_id).status == "applied"
    assert _trail(company_b, "partner_admission.apply") == []
    # alpha's admin session is no good on beta's host either
    alpha = client_for(company_a, "admin")
    alpha.defaults["HTTP_HOST"] = f"{company_b.slug}.localhost"
    assert alpha.get("/api/v1/partner-admissions/").status_code in (401, 403)


def test_invitation_by_code_then_the_vendor_accepts(vendor, client_for, company_a):
    admin = client_for(company_a, "admin")
    invited = admin.post("/api/v1/partner-admissions/invite/", {"vendor_code": vendor.code.lower()}, format="json")
    assert invited.status_code == 201 and invited.json()["status"] == "invited"
    twice = admin.post("/api/v1/partner-admissions/invite/", {"vendor_code": vendor.code}, format="json")
    assert twice.status_code == 400 and twice.json()["code"] == "already_listed"
    assert vendor.client.get("/api/v1/partner/admissions/").json()["results"][0]["status"] == "invited"
    accepted = vendor.client.post("/api/v1/partner/admissions/", {"company": company_a.slug}, format="json")
    assert accepted.status_code == 201 and accepted.json()["status"] == "applied"
    assert _trail(company_a, "partner_admission.invite") == [str(invited.json()["id"])]


@pytest.mark.parametrize("username", ["cashier", "dispatcher", "guard", "service"])
def test_only_admins_manage_partners(username, client_for, company_a):
    client = client_for(company_a, username)
    assert client.get("/api/v1/partner-admissions/").status_code == 403
    assert client.post("/api/v1/partner-admissions/invite/", {"vendor_code": "X"}, format="json").status_code == 403


def test_a_staff_member_of_the_vendor_cannot_apply(vendor, company_a):
    from partners.models import VendorAccount, VendorRole

    VendorAccount.objects.update(role=VendorRole.STAFF)
    assert vendor.client.get("/api/v1/partner/admissions/").status_code == 200
    response = vendor.client.post("/api/v1/partner/admissions/", {"company": company_a.slug}, format="json")
    assert response.status_code == 403


def test_both_lists_run_a_fixed_number_of_queries(sign_up_vendor, client_for, company_a, company_b):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries(client, path):
        with CaptureQueriesContext(connection) as captured:
            assert client.get(path).status_code == 200
        return len(captured)

    admin = client_for(company_a, "admin")
    first = sign_up_vendor(phone="13900000001")
    first.client.post("/api/v1/partner/admissions/", {"company": company_a.slug}, format="json")
    company_side = [queries(admin, "/api/v1/partner-admissions/")]
    vendor_side = [queries(first.client, "/api/v1/partner/admissions/")]
    first.client.post("/api/v1/partner/admissions/", {"company": company_b.slug}, format="json")
    for phone in ("13900000002", "13900000003"):
        other = sign_up_vendor(phone=phone)
        other.client.post("/api/v1/partner/admissions/", {"company": company_a.slug}, format="json")
    company_side.append(queries(admin, "/api/v1/partner-admissions/"))
    vendor_side.append(queries(first.client, "/api/v1/partner/admissions/"))
    assert len(admin.get("/api/v1/partner-admissions/").json()["results"]) == 3
    assert len(first.client.get("/api/v1/partner/admissions/").json()["results"]) == 2
    assert company_side[0] == company_side[1] and vendor_side[0] == vendor_side[1], (company_side, vendor_side)


def _approved(vendor, admin, company, estate):
    admission_id = _applied(vendor, company)
    body = {"estate_ids": [estate], "commission_rate": "0.0500"}
    assert admin.post(f"/api/v1/partner-admissions/{admission_id}/approve/", body, format="json").status_code == 200
    return admission_id


def test_an_approved_vendors_terms_change_and_are_audited(vendor, client_for, company_a):
    first, second = _estate(company_a), _estate(company_a, "明月小区")
    admin = client_for(company_a, "admin")
    admission_id = _approved(vendor, admin, company_a, first)
    changed = admin.post(
        f"/api/v1/partner-admissions/{admission_id}/terms/",
        {"estate_ids": [second, first, second], "commission_rate": "0.0825"},
        format="json",
    )
    assert changed.status_code == 200, changed.content
    body = changed.json()
    assert body["status"] == "approved" and body["commission_rate"] == "0.0825"
    assert body["estate_ids"] == sorted([first, second])
    assert _trail(company_a, "partner_admission.terms") == [str(admission_id)]
    with tenant_context(company_a):
        event = AuditEvent.objects.get(action="partner_admission.terms")
    assert event.before["commission_rate"] == "0.0500" and event.after["commission_rate"] == "0.0825"
    assert vendor.client.get("/api/v1/partner/admissions/").json()["results"][0]["estates_count"] == 2

    told = vendor.client.get("/api/v1/partner/notices/").json()["results"]
    assert [row["kind"] for row in told] == ["admission_terms", "admission_approved"]
    assert "服务 2 个小区，佣金比例 8.25%" in told[0]["text"] and told[0]["sms"] == "queued"
    same = admin.post(
        f"/api/v1/partner-admissions/{admission_id}/terms/",
        {"estate_ids": [first, second], "commission_rate": "0.0825"},
        format="json",
    )
    assert same.status_code == 200, same.content
    assert len(vendor.client.get("/api/v1/partner/notices/").json()["results"]) == 2  # nothing changed: no news
    again = admin.post(
        f"/api/v1/partner-admissions/{admission_id}/terms/",
        {"estate_ids": [first], "commission_rate": "0.1"},
        format="json",
    )
    assert again.status_code == 200, again.content
    english = vendor.client.get("/api/v1/partner/notices/", HTTP_ACCEPT_LANGUAGE="en").json()["results"][0]
    assert english["kind"] == "admission_terms" and "10%" in english["text"] and "1 " in english["text"]


def test_terms_refuse_bad_input_and_any_state_but_approved(vendor, client_for, company_a, company_b):
    estate = _estate(company_a)
    admin = client_for(company_a, "admin")
    admission_id = _applied(vendor, company_a)
    path = f"/api/v1/partner-admissions/{admission_id}/terms/"
    not_yet = admin.post(path, {"estate_ids": [estate], "commission_rate": "0.1"}, format="json")
    assert not_yet.status_code == 400 and not_yet.json()["code"] == "invalid_state"
    admin.post(
        f"/api/v1/partner-admissions/{admission_id}/approve/",
        {"estate_ids": [estate], "commission_rate": "0.0500"},
        format="json",
    )
    empty = admin.post(path, {}, format="json")
    assert empty.status_code == 400 and {"estate_ids", "commission_rate"} <= set(empty.json()["fields"])
    too_much = admin.post(path, {"estate_ids": [estate], "commission_rate": "1"}, format="json")
    assert too_much.status_code == 400 and "commission_rate" in too_much.json()["fields"]
    too_fine = admin.post(path, {"estate_ids": [estate], "commission_rate": "0.05001"}, format="json")
    assert too_fine.status_code == 400 and "commission_rate" in too_fine.json()["fields"]
    beta_estate = _estate(company_b, "贝塔的小区")
    foreign = admin.post(path, {"estate_ids": [beta_estate, estate + 1000], "commission_rate": "0"}, format="json")
    assert foreign.status_code == 400 and "estate_ids" in foreign.json()["fields"]
    admin.post(f"/api/v1/partner-admissions/{admission_id}/suspend/", {"reason": "投诉较多"}, format="json")
    suspended = admin.post(path, {"estate_ids": [estate], "commission_rate": "0.1"}, format="json")
    assert suspended.status_code == 400 and suspended.json()["code"] == "invalid_state"
    admission = Admission.objects.get(pk=admission_id)
    assert admission.estate_ids == [estate] and str(admission.commission_rate) == "0.0500"
    assert _trail(company_a, "partner_admission.terms") == []


def test_company_b_cannot_change_company_as_terms(vendor, client_for, company_a, company_b):
    estate = _estate(company_a)
    admission_id = _approved(vendor, client_for(company_a, "admin"), company_a, estate)
    beta_estate = _estate(company_b, "贝塔的小区")
    beta = client_for(company_b, "admin")
    response = beta.post(
        f"/api/v1/partner-admissions/{admission_id}/terms/",
        {"estate_ids": [beta_estate], "commission_rate": "0.2"},
        format="json",
    )
    assert response.status_code == 404
    admission = Admission.objects.get(pk=admission_id)
    assert admission.estate_ids == [estate] and str(admission.commission_rate) == "0.0500"
    assert _trail(company_b, "partner_admission.terms") == []
    cashier = client_for(company_a, "cashier")
    body = {"estate_ids": [estate], "commission_rate": "0.2"}
    assert cashier.post(f"/api/v1/partner-admissions/{admission_id}/terms/", body, format="json").status_code == 403
