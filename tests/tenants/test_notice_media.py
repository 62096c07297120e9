"""Announcement images and the unread houses' list: an image is checked as a repair photo is (its
real type, no EXIF left), kept as the company's public media and answered as an absolute URL the
body keeps; only notices managers upload; another company's host does not serve it. The unread
houses of an outage notice are listed and exported for the staff who go and knock; the owner's
list marks what they have not opened."""

from __future__ import annotations

import io
import os
from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django_tenants.utils import tenant_context
from PIL import Image

from accounts.models import AuditEvent
from core.exports import XLSX
from tenants.notices import services
from tenants.notices.models import Announcement
from tests.tenants.test_notices import _estate, _notice
from tests.tenants.test_repair_photos import GPS_IFD, _body, _jpeg
from tests.tenants.test_repairs import _owner

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _files_in_a_scratch_folder(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.PRIVATE_ROOT = str(tmp_path / "private")


def _upload(client, data: bytes, name: str = "a.jpg"):
    upload = SimpleUploadedFile(name, data, content_type="image/jpeg")
    return client.post("/api/v1/notice-images/", {"file": upload}, format="multipart")


def test_an_image_is_cleaned_kept_public_and_kept_in_the_body(company_a, company_b, client_for):
    _x, _b, houses, admin = _estate(company_a, "图片苑")
    owner, _user = _owner(company_a, client_for, houses["1栋"])
    service = client_for(company_a, "service")
    response = _upload(service, _jpeg(gps=True))
    assert response.status_code == 201, response.content
    url = response.json()["url"]
    host = f"{company_a.slug}.localhost"
    assert url.startswith(f"http://{host}/media/{company_a.schema_name}/notices/") and url.endswith(".jpg")
    path = url.removeprefix(f"http://{host}")
    served = client_for(company_a, "cashier").get(path)  # public media: anyone on the company's host
    assert served.status_code == 200
    kept = Image.open(io.BytesIO(_body(served)))
    assert GPS_IFD not in kept.getexif() and not kept.getexif()
    assert owner.get(path).status_code == 200
    other = client_for(company_b, "admin")
    assert other.get(path).status_code == 404  # another company's host serves its own media only
    with tenant_context(company_a):
        assert AuditEvent.objects.filter(action="notice_image.upload").count() == 1
        notice = _notice(admin, body=f'<p>见图</p><img src="{url}" alt="停水范围">')
        assert f'<img src="{url}" alt="停水范围">' in notice.body


def test_only_images_from_notices_managers_are_taken(company_a, client_for):
    _x, _b, houses, _admin = _estate(company_a, "图片权限苑")
    owner, _user = _owner(company_a, client_for, houses["1栋"])
    service = client_for(company_a, "service")
    refused = _upload(service, b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>", "x.jpg")
    assert refused.status_code == 400 and "file" in refused.json()["fields"]
    for client in (client_for(company_a, "cashier"), client_for(company_a, "repair"), owner):
        assert _upload(client, _jpeg()).status_code == 403
    with tenant_context(company_a):
        assert not AuditEvent.objects.filter(action="notice_image.upload").exists()


def test_the_unread_houses_of_an_outage_notice_are_listed_and_exported(company_a, company_b, client_for):
    _x, _b, houses, admin = _estate(company_a, "未读苑")
    owner, _user = _owner(company_a, client_for, houses["1栋"])
    with tenant_context(company_a):
        outage = _notice(admin, kind="outage")
        general = _notice(admin, kind="general", title="一般通知")
        for notice in (outage, general):
            services.publish_notice(notice=notice, actor=admin)
    service = client_for(company_a, "service")
    path = f"/api/v1/notice-unread-houses/?notice={outage.pk}"
    before = service.get(path).json()
    assert before["count"] == 2
    owner.get(f"/api/v1/owner/notices/{outage.pk}/")
    after = service.get(path).json()["results"]
    assert [row["id"] for row in after] == [houses["2栋"].pk]
    assert after[0]["estate_name"] == "未读苑"
    sheet = service.get(f"{path}&format=xlsx")
    assert sheet.status_code == 200 and sheet["Content-Type"] == XLSX
    assert service.get(f"/api/v1/notice-unread-houses/?notice={general.pk}").json()["count"] == 0
    assert service.get("/api/v1/notice-unread-houses/").json()["count"] == 0
    assert client_for(company_a, "cashier").get(path).status_code == 403
    assert client_for(company_b, "admin").get(path).json()["count"] == 0


def test_the_owner_list_marks_what_the_owner_has_not_opened(company_a, client_for):
    _x, _b, houses, admin = _estate(company_a, "红点苑")
    owner, _user = _owner(company_a, client_for, houses["1栋"])
    other, _u = _owner(company_a, client_for, houses["2栋"], username="owner-2")
    with tenant_context(company_a):
        first = _notice(admin, title="旧通知")
        pinned = _notice(admin, title="置顶通知", kind="outage", pinned=True)
        for notice in (first, pinned):
            services.publish_notice(notice=notice, actor=admin)
    listed = owner.get("/api/v1/owner/notices/").json()["results"]
    assert [(n["title"], n["is_read"]) for n in listed] == [("置顶通知", False), ("旧通知", False)]
    assert owner.get(f"/api/v1/owner/notices/{first.pk}/").json()["is_read"] is True
    listed = owner.get("/api/v1/owner/notices/").json()["results"]
    assert [(n["title"], n["is_read"]) for n in listed] == [("置顶通知", False), ("旧通知", True)]
    assert all(not n["is_read"] for n in other.get("/api/v1/owner/notices/").json()["results"])


def test_images_no_notice_names_are_deleted_after_two_days(company_a, company_b, client_for):
    _x, _b, _houses, admin = _estate(company_a, "清理苑")
    service = client_for(company_a, "service")
    urls = [_upload(service, _jpeg()).json()["url"] for _ in range(5)]
    kept, never_named, taken_out, in_a_draft, fresh = urls
    names = {url: f"notices/{url.rsplit('/', 1)[1]}" for url in urls}
    later = timezone.now() + timedelta(days=2, hours=1)
    with tenant_context(company_a):
        notice = _notice(admin, body=f'<p>图一</p><img src="{kept}"><img src="{taken_out}">')
        Announcement.objects.filter(pk=notice.pk).update(body=f'<img src="{kept}">')  # an image taken out
        _notice(admin, title="草稿", body=f'<img src="{in_a_draft}">')  # a draft counts
        assert all(default_storage.exists(name) for name in names.values())
        # Nothing is two days old yet: nothing goes, however unused.
        assert services.discard_unused_images() == 0
        # The last one was uploaded (as far as the sweep knows) just before it runs.
        stamp = later.timestamp()
        os.utime(default_storage.path(names[fresh]), (stamp, stamp))
        assert services.discard_unused_images(now=later) == 2
        gone = {url for url, name in names.items() if not default_storage.exists(name)}
        assert gone == {never_named, taken_out}
        assert services.discard_unused_images(now=later) == 0  # run twice: nothing more
    with tenant_context(company_b):  # another company's sweep sees its own folder only
        assert services.discard_unused_images(now=later) == 0
    with tenant_context(company_a):
        assert default_storage.exists(names[kept])


@pytest.mark.parametrize("notice", ["²", "١٢x", "9" * 30, "-1", "1.0", ""])
def test_a_bad_notice_id_for_the_unread_houses_is_an_empty_list(company_a, client_for, notice):
    """A fuzzer's id: superscript digits pass str.isdigit() but not int() (it was a 500)."""
    answer = client_for(company_a, "service").get("/api/v1/notice-unread-houses/", {"notice": notice})
    assert answer.status_code == 200 and answer.json()["count"] == 0
