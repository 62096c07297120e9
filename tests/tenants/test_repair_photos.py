"""Repair photos: what an upload is checked for (its real type, its size, its pixels), what is kept
(re-encoded upright without EXIF — the GPS location above all), who may see it (the access matrix,
another company), whose upload id may be named, and that attaching is part of the filing's or the
move's one transaction with its audit row."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tenants.utils import tenant_context
from PIL import Image

from accounts.models import AuditEvent, User
from core.errors import DomainError
from tenants.estates.models import House
from tenants.repairs import services
from tenants.repairs.machine import Party
from tenants.repairs.models import PhotoKind, RepairOrder, RepairPhoto, Status
from tenants.residents.models import Person
from tests.tenants.test_repairs import _order, _owner, _world

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _files_in_a_scratch_folder(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.PRIVATE_ROOT = str(tmp_path / "private")


GPS_IFD, ORIENTATION = 0x8825, 0x0112
RED, BLUE = (220, 20, 20), (20, 20, 220)


def _jpeg(*, gps: bool = True, orientation: int | None = None, size=(60, 40)) -> bytes:
    """A JPEG whose left half is red and right half blue, with GPS EXIF (a location in Shanghai)."""
    image = Image.new("RGB", size, BLUE)
    image.paste(RED, (0, 0, size[0] // 2, size[1]))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    if orientation:
        exif[ORIENTATION] = orientation
    if gps:
        exif[GPS_IFD] = {1: "N", 2: (31.0, 14.0, 5.5), 3: "E", 4: (121.0, 28.0, 10.0)}
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif, quality=95)
    return out.getvalue()


def _image(fmt: str, mode: str = "RGB", size=(30, 20)) -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, (10, 200, 10, 128) if mode == "RGBA" else (10, 200, 10)).save(out, format=fmt)
    return out.getvalue()


def _file(data: bytes, name: str = "photo.jpg", content_type: str = "image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def _upload(client, data: bytes | None = None, *, owner: bool = False, **kwargs):
    path = "/api/v1/owner/repair-photos/" if owner else "/api/v1/repair-photos/"
    return client.post(path, {"file": _file(data if data is not None else _jpeg(), **kwargs)}, format="multipart")


def _uploaded(client, data: bytes | None = None, *, owner: bool = False) -> int:
    response = _upload(client, data, owner=owner)
    assert response.status_code == 201, response.content
    return response.json()["id"]


def _first_house(company, estate="报修苑"):
    with tenant_context(company):
        return House.objects.filter(estate__name=estate).order_by("pk").first()


def _body(response) -> bytes:
    return b"".join(response.streaming_content)


# --- what an upload is checked for ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n",
        b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>",
        b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect width="9"/></svg>',
        b"\xff\xd8\xff\xe0" + b"\x00" * 64,  # a JPEG's first bytes and nothing of an image after them
    ],
    ids=["pdf", "html", "svg", "truncated-jpeg"],
)
def test_a_jpg_that_is_not_an_image_is_refused(company_a, client_for, data):
    _world(company_a)
    owner_client, _owner_user = _owner(company_a, client_for, _first_house(company_a))
    response = _upload(owner_client, data, owner=True)
    assert response.status_code == 400 and "file" in response.json()["fields"], response.content
    with tenant_context(company_a):
        assert RepairPhoto.objects.count() == 0


def test_only_jpeg_png_webp_are_taken(company_a, client_for):
    _world(company_a)
    worker = client_for(company_a, "repair")
    gif = _upload(worker, _image("GIF"), name="a.gif", content_type="image/gif")
    assert gif.status_code == 400 and "file" in gif.json()["fields"]
    bmp = _upload(worker, _image("BMP"), name="a.jpg")
    assert bmp.status_code == 400
    for fmt, mode, content_type in (("PNG", "RGBA", "image/png"), ("WEBP", "RGB", "image/webp")):
        # The name and Content-Type say JPEG; what is kept is what the bytes are.
        response = _upload(worker, _image(fmt, mode), name="x.jpg", content_type="image/jpeg")
        assert response.status_code == 201, response.content
        assert response.json()["content_type"] == content_type
        served = worker.get(response.json()["url"])
        assert served.status_code == 200 and served["Content-Type"] == content_type
        assert Image.open(io.BytesIO(_body(served))).format == fmt
        thumbnail = worker.get(response.json()["thumbnail_url"])
        assert thumbnail["Content-Type"] == "image/jpeg"
        assert Image.open(io.BytesIO(_body(thumbnail))).format == "JPEG"


def test_an_oversize_file_is_refused(company_a, client_for):
    _world(company_a)
    worker = client_for(company_a, "repair")
    big = _jpeg() + b"\x00" * (10 * 1024 * 1024)  # a valid image with more than 10 MB behind it
    response = _upload(worker, big)
    assert response.status_code == 400 and response.json()["code"] == "file_too_large", response.content
    with tenant_context(company_a):
        assert RepairPhoto.objects.count() == 0


def test_a_decompression_bomb_is_refused_before_it_is_decoded(company_a, client_for):
    _world(company_a)
    out = io.BytesIO()
    Image.new("1", (8000, 7000)).save(out, format="PNG")  # 56 megapixels in a few kilobytes
    assert len(out.getvalue()) < 100_000
    response = _upload(client_for(company_a, "repair"), out.getvalue(), name="bomb.png")
    assert response.status_code == 400 and response.json()["code"] == "photo_too_large", response.content


def test_exif_gps_is_removed_and_the_orientation_applied(company_a, client_for, tmp_path):
    _world(company_a)
    original = _jpeg(orientation=6)  # stored 60×40 sideways; shown turned 90° clockwise
    before = Image.open(io.BytesIO(original))
    assert before.getexif().get_ifd(GPS_IFD)[2] == (31.0, 14.0, 5.5) and before.size == (60, 40)
    worker = client_for(company_a, "repair")
    response = _upload(worker, original)
    assert response.status_code == 201, response.content
    assert (response.json()["width"], response.json()["height"]) == (40, 60)
    for url in (response.json()["url"], response.json()["thumbnail_url"]):
        stored = _body(worker.get(url))
        assert b"Exif" not in stored and b"PhoneMaker" not in stored
        image = Image.open(io.BytesIO(stored))
        assert not image.getexif() and not image.getexif().get_ifd(GPS_IFD)
        assert image.size == (40, 60)
        top, bottom = image.getpixel((20, 5)), image.getpixel((20, 55))
        assert top[0] > 150 > top[2] and bottom[2] > 150 > bottom[0], (top, bottom)  # red came up on top
    # On disk: under the company's private folder, not under MEDIA; the file on disk is the clean one.
    files = [path for path in (tmp_path / "private" / company_a.schema_name).rglob("*") if path.is_file()]
    assert len(files) == 2 and all(b"Exif" not in path.read_bytes() for path in files)
    assert not (tmp_path / "media").exists() or not [p for p in (tmp_path / "media").rglob("*") if p.is_file()]


# --- filing, moving, the limits and whose ids --------------------------------------------------------


def test_owner_files_with_photos_worker_adds_progress_and_result_photos(company_a, client_for):
    world = _world(company_a)
    owner_client, _owner_user = _owner(company_a, client_for, world["houses"][0])
    ids = [_uploaded(owner_client, owner=True) for _ in range(2)]
    body = {"category": world["leak"].pk, "house": world["houses"][0].pk, "description": "漏水", "photos": ids}
    filed = owner_client.post("/api/v1/owner/repairs/", body, format="json")
    assert filed.status_code == 201, filed.content
    order = filed.json()
    assert [photo["id"] for photo in order["photos"]] == ids
    assert {photo["kind"] for photo in order["photos"]} == {"problem"}
    assert order["photos"][0]["url"] == f"/api/v1/owner/repair-photos/{ids[0]}/"
    assert [p["id"] for p in order["timeline"][0]["photos"]] == ids
    with tenant_context(company_a):
        audit = AuditEvent.objects.get(action="repair.file", object_id=str(order["id"]))
        assert audit.after["photos"] == ids

    dispatcher = client_for(company_a, "dispatcher")
    dispatcher.post(f"/api/v1/repair-orders/{order['id']}/dispatch/", {"worker": world["worker"].pk}, format="json")
    worker = client_for(company_a, "repair")
    work = f"/api/v1/repair-work/{order['id']}/"
    assert worker.post(f"{work}accept/", {}, format="json").status_code == 200
    progress = _uploaded(worker)
    started = worker.post(f"{work}start/", {"photos": [progress], "note": "开始"}, format="json")
    assert started.status_code == 200, started.content
    results = [_uploaded(worker), _uploaded(worker)]
    done = worker.post(f"{work}complete/", {"photos": results}, format="json")
    assert done.status_code == 200, done.content
    detail = done.json()
    by_step = {row["transition"]: [p["id"] for p in row["photos"]] for row in detail["timeline"]}
    assert by_step == {"file": ids, "dispatch": [], "accept": [], "start": [progress], "complete": results}
    assert [p["kind"] for p in detail["photos"]] == ["problem"] * 2 + ["progress"] + ["result"] * 2
    assert detail["photos"][-1]["url"] == f"/api/v1/repair-photos/{results[-1]}/"
    # The owner sees every photo of the order through the owner's views, the worker's results too.
    mine = owner_client.get(f"/api/v1/owner/repairs/{order['id']}/").json()
    assert [p["url"] for p in mine["photos"]] == [
        f"/api/v1/owner/repair-photos/{i}/" for i in [*ids, progress, *results]
    ]
    assert owner_client.get(f"/api/v1/owner/repair-photos/{results[0]}/").status_code == 200
    assert owner_client.get(f"/api/v1/owner/repair-photos/{results[0]}/thumbnail/").status_code == 200
    listed = owner_client.get("/api/v1/owner/repairs/").json()["results"][0]
    assert len(listed["photos"]) == 5 and listed["photos"][0]["thumbnail_url"].endswith("/thumbnail/")
    with tenant_context(company_a):
        assert AuditEvent.objects.get(action="repair.complete", object_id=str(order["id"])).after["photos"] == results


def test_staff_filing_for_a_resident_attaches_their_photos(company_a, client_for):
    world = _world(company_a)
    owner_client, owner = _owner(company_a, client_for, world["houses"][1])
    service = client_for(company_a, "service")
    photo = _uploaded(service)
    with tenant_context(company_a):
        person = Person.objects.get(user=owner)
    body = {
        "category": world["leak"].pk,
        "house": world["houses"][1].pk,
        "description": "电话报修",
        "resident": person.pk,
        "photos": [photo],
    }
    filed = service.post("/api/v1/repair-orders/", body, format="json")
    assert filed.status_code == 201, filed.content
    assert [p["id"] for p in filed.json()["photos"]] == [photo]
    # The resident it was filed for may see it; the uploader's staff view shows it too.
    assert owner_client.get(f"/api/v1/owner/repair-photos/{photo}/").status_code == 200
    assert service.get(f"/api/v1/repair-photos/{photo}/").status_code == 200


def test_at_most_nine_photos(company_a, client_for):
    world = _world(company_a)
    owner_client, _owner_user = _owner(company_a, client_for, world["houses"][0])
    ids = [_uploaded(owner_client, _image("PNG"), owner=True) for _ in range(10)]
    body = {"category": world["leak"].pk, "house": world["houses"][0].pk, "description": "漏水"}
    ten = owner_client.post("/api/v1/owner/repairs/", {**body, "photos": ids}, format="json")
    assert ten.status_code == 400 and "photos" in ten.json()["fields"]
    with tenant_context(company_a):
        assert RepairOrder.objects.count() == 0
        assert RepairPhoto.objects.filter(order__isnull=False).count() == 0
        order = _order(world, status=Status.SUBMITTED, category=world["leak"])
        admin = User.objects.get(username="admin")
        # The service holds the limit too, and counts the order's problem photos already there.
        with pytest.raises(DomainError) as refused:
            services.file_order(
                actor=admin, party=Party.DISPATCHER, category=world["leak"], house=world["houses"][0],
                description="x", photos=list(range(1, 11)),
            )  # fmt: skip
        assert "photos" in refused.value.fields
        for _ in range(9):
            RepairPhoto.objects.create(
                token=f"t{_}", order=order, kind=PhotoKind.PROBLEM, uploaded_by=admin,
                content_type="image/png", width=1, height=1, size=1,
            )  # fmt: skip
    nine = owner_client.post("/api/v1/owner/repairs/", {**body, "photos": ids[:9]}, format="json")
    assert nine.status_code == 201 and len(nine.json()["photos"]) == 9


def test_someone_elses_or_a_used_upload_id_is_refused(company_a, client_for):
    world = _world(company_a)
    owner_a, _user_a = _owner(company_a, client_for, world["houses"][0], username="owner-a")
    owner_b, _user_b = _owner(company_a, client_for, world["houses"][1], username="owner-b")
    a_photo = _uploaded(owner_a, owner=True)
    body = {"category": world["leak"].pk, "house": world["houses"][1].pk, "description": "漏水"}
    stolen = owner_b.post("/api/v1/owner/repairs/", {**body, "photos": [a_photo]}, format="json")
    assert stolen.status_code == 400 and "photos" in stolen.json()["fields"], stolen.content
    dispatcher = client_for(company_a, "dispatcher")
    staff_body = {**body, "photos": [a_photo]}
    assert dispatcher.post("/api/v1/repair-orders/", staff_body, format="json").status_code == 400
    with tenant_context(company_a):
        assert RepairOrder.objects.count() == 0  # nothing half-written: no order, no timeline, no audit row
        assert not AuditEvent.objects.filter(action="repair.file").exists()
        assert RepairPhoto.objects.get(pk=a_photo).order_id is None
    own = {**body, "house": world["houses"][0].pk, "photos": [a_photo]}
    assert owner_a.post("/api/v1/owner/repairs/", own, format="json").status_code == 201
    again = owner_a.post("/api/v1/owner/repairs/", own, format="json")  # already attached
    assert again.status_code == 400 and "photos" in again.json()["fields"]
    # A worker cannot hand in the owner's photo as a result, and a failed completion changes nothing.
    with tenant_context(company_a):
        order = _order(world, status=Status.IN_PROGRESS, category=world["leak"])
    worker = client_for(company_a, "repair")
    done = worker.post(f"/api/v1/repair-work/{order.pk}/complete/", {"photos": [a_photo]}, format="json")
    assert done.status_code == 400 and "photos" in done.json()["fields"]
    with tenant_context(company_a):
        order.refresh_from_db()
        assert order.status == Status.IN_PROGRESS and order.timeline.count() == 0
        assert not AuditEvent.objects.filter(action="repair.complete").exists()
        # A move that takes no photos refuses them in the service.
        accepted = _order(world, status=Status.ACCEPTED, category=world["leak"])
        photo = RepairPhoto.objects.create(
            token="own", uploaded_by=world["worker"], content_type="image/png", width=1, height=1, size=1
        )
        with pytest.raises(DomainError) as refused:
            services.transition(
                order_id=accepted.pk, name="return", actor=world["worker"], party=Party.WORKER, photos=[photo.pk]
            )
        assert "photos" in refused.value.fields


# --- who may see a photo ------------------------------------------------------------------------------


def test_access_matrix(company_a, client_for):
    world = _world(company_a)
    owner_a, _user_a = _owner(company_a, client_for, world["houses"][0], username="owner-a")
    owner_b, _user_b = _owner(company_a, client_for, world["houses"][1], username="owner-b")
    photo = _uploaded(owner_a, owner=True)
    loose = _uploaded(owner_a, owner=True)  # uploaded, never attached
    body = {"category": world["leak"].pk, "house": world["houses"][0].pk, "description": "漏水", "photos": [photo]}
    order_id = owner_a.post("/api/v1/owner/repairs/", body, format="json").json()["id"]
    client_for(company_a, "dispatcher").post(
        f"/api/v1/repair-orders/{order_id}/dispatch/", {"worker": world["worker"].pk}, format="json"
    )
    staff_url, owner_url = f"/api/v1/repair-photos/{photo}/", f"/api/v1/owner/repair-photos/{photo}/"

    def status(client, url):
        return client.get(url).status_code

    assert status(owner_a, owner_url) == 200 and status(owner_a, f"{owner_url}thumbnail/") == 200
    assert status(owner_a, f"/api/v1/owner/repair-photos/{loose}/") == 200  # own upload
    assert status(owner_b, owner_url) == 404  # same company, another owner
    assert status(owner_b, f"/api/v1/owner/repair-photos/{loose}/") == 404
    assert status(owner_a, staff_url) == 403  # an owner has no staff view
    assert status(client_for(company_a, "dispatcher"), staff_url) == 200
    assert status(client_for(company_a, "service"), staff_url) == 200
    assert status(client_for(company_a, "repair"), staff_url) == 200  # the assigned worker
    assert status(client_for(company_a, "repair2"), staff_url) == 404  # a worker not on it
    assert status(client_for(company_a, "repair2"), f"{staff_url}thumbnail/") == 404
    assert status(client_for(company_a, "cashier"), staff_url) == 403  # no repairs permission
    assert status(client_for(company_a, "dispatcher"), f"/api/v1/repair-photos/{loose}/") == 404  # not attached
    assert status(client_for(company_a), staff_url) in (401, 403)  # anonymous
    served = owner_a.get(owner_url)
    assert served["Cache-Control"] == "private, max-age=86400" and served["X-Content-Type-Options"] == "nosniff"
    # Transferred away, the first worker no longer sees it; the new one does.
    client_for(company_a, "dispatcher").post(
        f"/api/v1/repair-orders/{order_id}/transfer/", {"worker": world["worker2"].pk}, format="json"
    )
    assert status(client_for(company_a, "repair"), staff_url) == 404
    assert status(client_for(company_a, "repair2"), staff_url) == 200


def test_a_photo_of_a_is_not_served_on_b(company_a, company_b, client_for):
    world = _world(company_a)
    _world(company_b, name="别家苑")
    owner_a, _user = _owner(company_a, client_for, world["houses"][0])
    photo = _uploaded(owner_a, owner=True)
    body = {"category": world["leak"].pk, "house": world["houses"][0].pk, "description": "漏水", "photos": [photo]}
    assert owner_a.post("/api/v1/owner/repairs/", body, format="json").status_code == 201
    # B's own staff and B's hosts: the id means nothing there (B has no photos at all).
    assert client_for(company_b, "admin").get(f"/api/v1/repair-photos/{photo}/").status_code == 404
    b_owner, _b_user = _owner(company_b, client_for, _first_house(company_b, "别家苑"), username="owner-b")
    assert b_owner.get(f"/api/v1/owner/repair-photos/{photo}/").status_code == 404
    # A's owner token and A's dispatcher session on B's host are nobody.
    owner_a.defaults["HTTP_HOST"] = f"{company_b.slug}.localhost"
    assert owner_a.get(f"/api/v1/owner/repair-photos/{photo}/").status_code == 401
    assert _upload(owner_a, owner=True).status_code == 401
    dispatcher_a = client_for(company_a, "dispatcher")
    dispatcher_a.defaults["HTTP_HOST"] = f"{company_b.slug}.localhost"
    assert dispatcher_a.get(f"/api/v1/repair-photos/{photo}/").status_code in (401, 403)
    # And B's upload id cannot be named on A (another schema: it does not exist there).
    b_photo = _uploaded(b_owner, owner=True)
    with tenant_context(company_a):
        assert not RepairPhoto.objects.filter(pk=b_photo, uploaded_by__username="owner-b").exists()
    with tenant_context(company_b):
        assert RepairPhoto.objects.filter(order__isnull=False).count() == 0


def test_order_lists_with_photos_keep_their_query_count(company_a, client_for):
    world = _world(company_a)
    dispatcher = client_for(company_a, "dispatcher")
    photo_ids = [_uploaded(dispatcher, _image("PNG")) for _ in range(3)]
    with tenant_context(company_a):
        orders = [_order(world, category=world["leak"]) for _ in range(22)]
        for index, pk in enumerate(photo_ids):
            RepairPhoto.objects.filter(pk=pk).update(order=orders[index], kind=PhotoKind.PROBLEM)
    dispatcher.get("/api/v1/repair-orders/")
    counts = []
    for size in (2, 20):
        with CaptureQueriesContext(connection) as captured:
            response = dispatcher.get(f"/api/v1/repair-orders/?page_size={size}")
        assert len(response.json()["results"]) == size
        counts.append(len(captured))
    assert counts[0] == counts[1], counts


def test_uploads_never_attached_are_discarded_after_a_day_rows_and_files(
    company_a, client_for, django_capture_on_commit_callbacks
):
    world = _world(company_a)
    owner_client, _owner_user = _owner(company_a, client_for, world["houses"][0])
    used, abandoned, fresh = (_uploaded(owner_client, owner=True) for _ in range(3))
    body = {"category": world["leak"].pk, "house": world["houses"][0].pk, "description": "漏水", "photos": [used]}
    assert owner_client.post("/api/v1/owner/repairs/", body, format="json").status_code == 201
    with tenant_context(company_a):
        two_days_ago = timezone.now() - timedelta(days=2)
        RepairPhoto.objects.filter(pk__in=[used, abandoned]).update(created_at=two_days_ago)
        gone = RepairPhoto.objects.get(pk=abandoned)
        storage, names = gone.file.storage, [gone.file.name, gone.thumbnail.name]
        assert all(storage.exists(name) for name in names)
        with django_capture_on_commit_callbacks(execute=True):
            assert services.discard_unattached_photos() == 1
        assert set(RepairPhoto.objects.values_list("pk", flat=True)) == {used, fresh}
        assert not any(storage.exists(name) for name in names)
        kept = RepairPhoto.objects.get(pk=used)
        assert kept.file.storage.exists(kept.file.name)
        with django_capture_on_commit_callbacks(execute=True):
            assert services.discard_unattached_photos() == 0  # twice: nothing more
    # The abandoned id is nobody's to file with any more: a clear 400, not a half-attached photo.
    again = {**body, "photos": [abandoned]}
    refused = owner_client.post("/api/v1/owner/repairs/", again, format="json")
    assert refused.status_code == 400 and "photos" in refused.json()["fields"]


def test_uploads_never_filed_are_bounded_per_person(company_a, client_for):
    """A hostile owner uploading photo after photo without ever filing could fill the company's disk:
    past core.images.MAX_UNATTACHED waiting uploads the next is refused; filing frees the room."""
    from core.images import MAX_UNATTACHED

    world = _world(company_a)
    house = _first_house(company_a)
    owner_client, _owner_user = _owner(company_a, client_for, house)
    small = _jpeg(gps=False, size=(8, 8))
    ids = [_uploaded(owner_client, small, owner=True) for _ in range(MAX_UNATTACHED)]
    refused = _upload(owner_client, small, owner=True)
    assert refused.status_code == 400 and refused.json()["code"] == "too_many_unattached", refused.content
    with tenant_context(company_a):
        assert RepairPhoto.objects.count() == MAX_UNATTACHED
    worker = client_for(company_a, "repair")
    assert _upload(worker, small).status_code == 201  # someone else's budget
    filed = owner_client.post(
        "/api/v1/owner/repairs/",
        {"category": world["leak"].pk, "house": house.pk, "description": "漏水", "photos": ids[:9]},
        format="json",
    )
    assert filed.status_code == 201, filed.content
    assert _upload(owner_client, small, owner=True).status_code == 201
