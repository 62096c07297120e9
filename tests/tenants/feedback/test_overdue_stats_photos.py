"""Feedback: the reply rule (flag as a query, one notice per item from a redelivered sweep), the
figures, and photos (cleaned, visible only to the handlers and the owner who filed)."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django_tenants.utils import tenant_context
from PIL import Image

from accounts.models import AuditEvent
from notifications.models import Notification
from tenants.feedback import selectors, services
from tenants.feedback.models import Feedback, Kind, Status
from tenants.feedback.services import overdue
from tests.tenants.feedback.world import feedback_world, make_item

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _files_in_a_scratch_folder(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.PRIVATE_ROOT = str(tmp_path / "private")


def test_the_reply_time_is_fixed_at_filing_from_the_companys_rule(company_a, client_for):
    world = feedback_world(company_a, client_for)
    with tenant_context(company_a):
        services.update_settings(actor=world["admin"], reply_hours=8)
        before = timezone.now()
        item = services.file_feedback(actor=world["owner"], kind=Kind.CONSULTATION, description="物业费怎么交")
        assert timedelta(hours=8) <= item.reply_due_at - before < timedelta(hours=8, seconds=30)
        services.update_settings(actor=world["admin"], reply_hours=48)
        item.refresh_from_db()
        assert item.reply_due_at - before < timedelta(hours=9)  # a later change moves no running clock


def test_overdue_is_flagged_and_notified_once_to_the_assignee_and_managers(company_a, client_for):
    world = feedback_world(company_a, client_for)
    with tenant_context(company_a):
        item = make_item(world, status=Status.ASSIGNED)
        due = item.reply_due_at
        assert not Feedback.objects.filter(selectors.overdue_q(due - timedelta(seconds=1)), pk=item.pk).exists()
        assert overdue.sweep(now=due - timedelta(seconds=1)) == 0
        assert Feedback.objects.filter(selectors.overdue_q(due + timedelta(seconds=1)), pk=item.pk).exists()
        assert overdue.sweep(now=due + timedelta(seconds=1)) == 1
        assert overdue.sweep(now=due + timedelta(minutes=5)) == 0  # the next sweep
        assert overdue.notify_overdue(feedback_id=item.pk, now=due + timedelta(minutes=6)) is False  # redelivered
        notification = Notification.objects.get(event="feedback.overdue")
        recipients = set(notification.deliveries.filter(channel="inbox").values_list("recipient__username", flat=True))
        assert recipients == {"service", "admin"}
        assert AuditEvent.objects.filter(action="feedback.overdue", object_id=str(item.pk)).count() == 1


def test_a_replied_item_is_never_overdue(company_a, client_for):
    world = feedback_world(company_a, client_for)
    with tenant_context(company_a):
        item = make_item(world, status=Status.ASSIGNED, due_in_hours=1)
        services.transition(feedback_id=item.pk, name="reply", actor=world["service"], party="staff", note="已处理")
        assert overdue.sweep(now=timezone.now() + timedelta(hours=2)) == 0
        assert not Notification.objects.filter(event="feedback.overdue").exists()


def test_stats_by_kind_and_month_satisfaction_and_overdue(company_a, client_for):
    world = feedback_world(company_a, client_for)
    with tenant_context(company_a):
        make_item(world, kind=Kind.COMPLAINT, due_in_hours=-2)
        make_item(world, kind=Kind.COMPLAINT, status=Status.CLOSED, rating=4)
        make_item(world, kind=Kind.PRAISE, status=Status.CLOSED, rating=5)
        old = make_item(world, kind=Kind.SUGGESTION)
        Feedback.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=800))
    figures = client_for(company_a, "service").get("/api/v1/feedback-stats/?months=12").json()
    assert figures["total"] == 3
    assert figures["by_kind"] == {"complaint": 2, "suggestion": 0, "consultation": 0, "praise": 1}
    this_month = timezone.localdate().strftime("%Y-%m")
    assert {(r["month"], r["kind"], r["count"]) for r in figures["by_month"]} == {
        (this_month, "complaint", 2),
        (this_month, "praise", 1),
    }
    assert (figures["rated"], figures["satisfaction"], figures["overdue"]) == (2, 4.5, 1)
    assert client_for(company_a, "service").get("/api/v1/feedback-stats/?months=0").status_code == 400
    assert client_for(company_a, "guard").get("/api/v1/feedback-stats/").status_code == 403


GPS_IFD = 0x8825


def _jpeg() -> bytes:
    image = Image.new("RGB", (40, 30), (200, 30, 30))
    exif = Image.Exif()
    exif[GPS_IFD] = {1: "N", 2: (31.0, 14.0, 5.5), 3: "E", 4: (121.0, 28.0, 10.0)}
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def _upload(client, data: bytes):
    return client.post(
        "/api/v1/owner/feedback-photos/",
        {"file": SimpleUploadedFile("p.jpg", data, content_type="image/jpeg")},
        format="multipart",
    )


def test_photos_are_cleaned_and_seen_only_by_handlers_and_the_owner(company_a, company_b, client_for):
    world = feedback_world(company_a, client_for)
    owner, other = world["owner_client"], world["other_client"]
    assert _upload(owner, b"%PDF-1.4 not an image").status_code == 400
    photo = _upload(owner, _jpeg())
    assert photo.status_code == 201, photo.content
    photo_id = photo.json()["id"]
    assert client_for(company_a, "service").get(f"/api/v1/feedback-photos/{photo_id}/").status_code == 404  # unfiled
    stolen = other.post(
        "/api/v1/owner/feedback/", {"kind": "complaint", "description": "x", "photos": [photo_id]}, format="json"
    )
    assert stolen.status_code == 400 and "photos" in stolen.json()["fields"]
    filed = owner.post(
        "/api/v1/owner/feedback/",
        {"kind": "complaint", "description": "垃圾未清运", "photos": [photo_id]},
        format="json",
    ).json()
    assert [p["id"] for p in filed["photos"]] == [photo_id]
    mine = owner.get(filed["photos"][0]["url"])
    assert mine.status_code == 200 and mine["Content-Type"] == "image/jpeg"
    kept = Image.open(io.BytesIO(b"".join(mine.streaming_content)))
    assert GPS_IFD not in kept.getexif()
    staff = client_for(company_a, "service")
    staff_url = staff.get(f"/api/v1/feedback/{filed['id']}/").json()["photos"][0]["url"]
    assert staff.get(staff_url).status_code == 200
    assert staff.get(f"/api/v1/feedback-photos/{photo_id}/thumbnail/").status_code == 200
    assert other.get(f"/api/v1/owner/feedback-photos/{photo_id}/").status_code == 404
    assert client_for(company_a, "repair").get(staff_url).status_code == 403
    assert client_for(company_b, "service").get(staff_url).status_code == 404


def test_unattached_uploads_are_discarded_after_a_day(company_a, client_for):
    world = feedback_world(company_a, client_for)
    photo_id = _upload(world["owner_client"], _jpeg()).json()["id"]
    with tenant_context(company_a):
        assert services.discard_unattached_photos() == 0
        assert services.discard_unattached_photos(now=timezone.now() + timedelta(days=2)) == 1
    assert world["owner_client"].get(f"/api/v1/owner/feedback-photos/{photo_id}/").status_code == 404
