"""Feedback for the desk's records: the list as a workbook (its filters, roles, companies), the
monthly trend figures, and an anonymous suggestion that no staff-visible record leads back to its
owner — neither the audit trail (actor, IP) nor the list, detail, export, figures or inbox."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.utils import timezone
from django_tenants.utils import tenant_context
from openpyxl import load_workbook

from accounts.models import AuditEvent
from core.exports import XLSX
from tenants.feedback.models import Feedback, Kind, Status
from tests.tenants.feedback.test_overdue_stats_photos import _jpeg, _upload
from tests.tenants.feedback.world import feedback_world, make_item

pytestmark = pytest.mark.django_db


def _sheet(response):
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == XLSX and "attachment" in response["Content-Disposition"]
    rows = list(load_workbook(io.BytesIO(response.content), read_only=True).active.iter_rows(values_only=True))
    return rows[0], rows[1:]


def test_the_export_is_the_filtered_list_with_labels(company_a, client_for):
    world = feedback_world(company_a, client_for)
    with tenant_context(company_a):
        complaint = make_item(world, due_in_hours=-3)
        praise = make_item(world, kind=Kind.PRAISE, status=Status.CLOSED, rating=5)
        secret = make_item(world, kind=Kind.SUGGESTION, anonymous=True)
    service = client_for(company_a, "service")
    header, rows = _sheet(service.get("/api/v1/feedback/?format=xlsx"))
    assert header[:6] == ("编号", "提交时间", "类型", "状态", "内容", "业主")
    by_id = {row[0]: dict(zip(header, row, strict=False)) for row in rows}
    assert set(by_id) == {complaint.pk, praise.pk, secret.pk}
    assert (by_id[complaint.pk]["类型"], by_id[complaint.pk]["状态"], by_id[complaint.pk]["已超时"]) == (
        "投诉",
        "待处理",
        "是",
    )
    assert by_id[complaint.pk]["业主"] == world["owner"].name
    assert by_id[complaint.pk]["房屋"] == world["houses"][0].label
    assert (by_id[praise.pk]["满意度"], by_id[praise.pk]["状态"]) == (5, "已关闭")
    # the anonymous suggestion: no owner, no house, in the workbook as on the screen
    assert (by_id[secret.pk]["业主"], by_id[secret.pk]["房屋"]) == (None, None)
    _, overdue_only = _sheet(service.get("/api/v1/feedback/?format=xlsx&overdue=true"))
    assert [row[0] for row in overdue_only] == [complaint.pk]
    _, praise_only = _sheet(service.get("/api/v1/feedback/?format=xlsx&kind=praise"))
    assert [row[0] for row in praise_only] == [praise.pk]
    today = timezone.localdate().isoformat()
    _, before_today = _sheet(service.get(f"/api/v1/feedback/?format=xlsx&created_to={today}&created_from=2000-01-01"))
    assert len(before_today) == 3
    bad = service.get("/api/v1/feedback/?format=xlsx&created_from=yesterday")
    assert bad.status_code == 400 and "created_from" in bad.json()["fields"]


def test_the_export_follows_roles_and_companies(company_a, company_b, client_for):
    world = feedback_world(company_a, client_for)
    with tenant_context(company_a):
        make_item(world)
    for username in ("guard", "cashier", "repair"):
        assert client_for(company_a, username).get("/api/v1/feedback/?format=xlsx").status_code == 403, username
    assert world["owner_client"].get("/api/v1/feedback/?format=xlsx").status_code == 403
    # the owner's own list is not a spreadsheet endpoint
    assert world["owner_client"].get("/api/v1/owner/feedback/?format=xlsx").status_code == 406
    # company B's desk exports its own (empty) list, nothing of A's
    _, theirs = _sheet(client_for(company_b, "service").get("/api/v1/feedback/?format=xlsx"))
    assert theirs == []
    a_service = client_for(company_a, "service")
    a_service.defaults["HTTP_HOST"] = client_for(company_b, "service").defaults.get("HTTP_HOST", "")
    assert a_service.get("/api/v1/feedback/?format=xlsx").status_code in (401, 403)


def test_monthly_trend_with_late_answers_and_satisfaction(company_a, client_for):
    world = feedback_world(company_a, client_for)
    now = timezone.now()
    with tenant_context(company_a):
        make_item(world, due_in_hours=-2)  # waiting, past its time: late
        on_time = make_item(world, status=Status.CLOSED, rating=4)
        Feedback.objects.filter(pk=on_time.pk).update(replied_at=now - timedelta(hours=30))  # due in 24 h: in time
        slow = make_item(world, status=Status.CLOSED, rating=2, due_in_hours=-10)
        Feedback.objects.filter(pk=slow.pk).update(replied_at=now - timedelta(hours=1))  # after its time
        make_item(world, kind=Kind.PRAISE)  # waiting, in time
        old = make_item(world, due_in_hours=-24 * 300)
        Feedback.objects.filter(pk=old.pk).update(created_at=now - timedelta(days=300))
    figures = client_for(company_a, "service").get("/api/v1/feedback-stats/?months=3").json()
    this_month = timezone.localdate().strftime("%Y-%m")
    assert figures["monthly"] == [{"month": this_month, "count": 4, "late": 2, "rated": 2, "satisfaction": 3.0}]
    assert (figures["total"], figures["late"], figures["overdue"]) == (4, 2, 2)  # overdue now: of any time
    wide = client_for(company_a, "service").get("/api/v1/feedback-stats/?months=12").json()
    assert [row["month"] for row in wide["monthly"]][-1] == this_month and len(wide["monthly"]) == 2
    assert wide["late"] == 3


def _anonymous_suggestion(world, client_for, company):
    owner = world["owner_client"]
    photo = _upload(owner, _jpeg())
    assert photo.status_code == 201
    filed = owner.post(
        "/api/v1/owner/feedback/",
        {
            "kind": "suggestion",
            "description": "建议物业公开维修基金账目",
            "anonymous": True,
            "house": world["houses"][0].pk,
            "photos": [photo.json()["id"]],
        },
        format="json",
        REMOTE_ADDR="203.0.113.77",
    )
    assert filed.status_code == 201, filed.content
    item = filed.json()
    service = client_for(company, "service")
    assert service.post(f"/api/v1/feedback/{item['id']}/reply/", {"note": "下月公示"}, format="json").status_code == 200
    assert service.post(f"/api/v1/feedback/{item['id']}/resolve/", {}, format="json").status_code == 200
    rated = owner.post(f"/api/v1/owner/feedback/{item['id']}/rate/", {"rating": 4}, format="json")
    assert rated.status_code == 200
    return item, photo.json()["id"]


def test_an_anonymous_suggestions_audit_rows_name_no_one(company_a, client_for):
    world = feedback_world(company_a, client_for)
    item, photo_id = _anonymous_suggestion(world, client_for, company_a)
    with tenant_context(company_a):
        owner = world["owner"]
        rows = {
            event.action: event
            for event in AuditEvent.objects.filter(object_type="feedback", object_id=str(item["id"]))
        }
        upload = AuditEvent.objects.get(action="feedback_photo.upload", object_id=str(photo_id))
        for event in (rows["feedback.file"], rows["feedback.rate"], upload):
            assert (event.actor_id, event.actor_label, event.ip, event.request_id) == (None, "anonymous", None, "")
        assert rows["feedback.file"].after["house"] is None
        # the staff's own steps on it stay theirs
        assert rows["feedback.reply"].actor_label == "service"
        about_feedback = AuditEvent.objects.filter(action__startswith="feedback")  # not their sign-in
        assert not about_feedback.filter(actor=owner).exists()
        assert not about_feedback.filter(actor_label=owner.username).exists()


def test_a_named_items_audit_rows_keep_their_owner(company_a, client_for):
    world = feedback_world(company_a, client_for)
    filed = world["owner_client"].post(
        "/api/v1/owner/feedback/", {"kind": "suggestion", "description": "增设快递柜"}, format="json"
    )
    with tenant_context(company_a):
        event = AuditEvent.objects.get(action="feedback.file", object_id=str(filed.json()["id"]))
        assert (event.actor_id, event.actor_label) == (world["owner"].pk, world["owner"].username)


def test_no_staff_view_leads_back_to_an_anonymous_owner(company_a, client_for):
    world = feedback_world(company_a, client_for)
    item, _photo = _anonymous_suggestion(world, client_for, company_a)
    owner = world["owner"]
    secrets = {owner.name, owner.username, world["houses"][0].label, "203.0.113.77"}
    admin = client_for(company_a, "admin")
    seen = [
        admin.get("/api/v1/feedback/"),
        admin.get(f"/api/v1/feedback/{item['id']}/"),
        admin.get("/api/v1/feedback-stats/"),
        admin.get(f"/api/v1/audit-events/?object_type=feedback&object_id={item['id']}"),
        admin.get("/api/v1/audit-events/?object_type=feedback_photo"),
        admin.get("/api/v1/notifications/"),
        client_for(company_a, "service").get("/api/v1/notifications/"),
    ]
    for response in seen:
        assert response.status_code == 200, response.request["PATH_INFO"]
        body = response.content.decode()
        assert not [s for s in secrets if s in body], response.request["PATH_INFO"]
    _, rows = _sheet(admin.get("/api/v1/feedback/?format=xlsx"))
    assert not [s for s in secrets if any(s == cell for cell in rows[0])]
    _, audit_rows = _sheet(admin.get("/api/v1/audit-events/?format=xlsx&object_type=feedback"))
    assert not [row for row in audit_rows if owner.username in row or "203.0.113.77" in row]
    # the owner, and only the owner, still sees it as theirs
    mine = world["owner_client"].get(f"/api/v1/owner/feedback/{item['id']}/").json()
    assert mine["owner_name"] == owner.name and mine["timeline"][0]["by_owner"] is True


def test_an_anonymous_filer_is_told_in_the_inbox_only(company_a, client_for, monkeypatch):
    """The reply and the resolution reach an anonymous suggestion's filer through the inbox alone
    (notify(inbox_only=True): no WeChat or SMS delivery in the staff's log names them, even in a
    company that set up a template for these events); a named complainant's go the usual way."""
    from tenants.feedback.services import items as item_services

    told: list[tuple[str, bool]] = []
    real = item_services.notify

    def spy(recipients, event, context, **options):
        told.append((event, options.get("inbox_only", False)))
        return real(recipients, event, context, **options)

    monkeypatch.setattr(item_services, "notify", spy)
    world = feedback_world(company_a, client_for)
    _anonymous_suggestion(world, client_for, company_a)
    assert [t for t in told if t[0] in ("feedback.replied", "feedback.resolved")] == [
        ("feedback.replied", True),
        ("feedback.resolved", True),
    ]
    told.clear()
    with tenant_context(company_a):
        named = make_item(world)
    service = client_for(company_a, "service")
    assert service.post(f"/api/v1/feedback/{named.pk}/reply/", {"note": "已处理"}, format="json").status_code == 200
    assert ("feedback.replied", False) in told
