"""店铺资料 and 周边商家: the vendor describes its shop once (address, hours, location, photos of the
shop and of its offerings) and every company's owners who may order from it see it — open or closed
now, how far from their estate, its photos — and nobody else sees its photos."""

from __future__ import annotations

import io
from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from tests.payments.conftest import make_payer
from tests.tenants.vendor_orders.world import add_offering, admit, admitted_vendor

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")
ESTATE = {"latitude": "31.230416", "longitude": "121.473701"}  # People's Square, Shanghai
NEAR = {"latitude": "31.240416", "longitude": "121.473701"}  # 0.01° north: about 1,112 m
FAR = {"latitude": "31.230416", "longitude": "121.523701"}  # 0.05° east: about 4,755 m


def _jpeg(*, gps: bool = True) -> SimpleUploadedFile:
    image = Image.new("RGB", (64, 48), (200, 30, 30))
    exif = Image.Exif()
    if gps:
        exif[0x8825] = {1: "N", 2: (31.0, 14.0, 5.5), 3: "E", 4: (121.0, 28.0, 10.0)}
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return SimpleUploadedFile("shop.jpg", out.getvalue(), content_type="image/jpeg")


def _upload(vendor, **fields):
    return vendor.client.post("/api/v1/partner/photos/", {"file": _jpeg(), **fields}, format="multipart")


def _locate_estate(client_for, payer, where=ESTATE):
    admin = client_for(payer.company, "admin")
    answer = admin.patch(f"/api/v1/estates/{payer.house.estate_id}/", where, format="json")
    assert answer.status_code == 200, answer.content
    return answer.json()


@pytest.fixture
def world(payer, vendor, client_for):
    return admitted_vendor(vendor, payer.company, client_for(payer.company, "admin"), [payer.house.estate_id])


def test_the_vendor_keeps_its_shop_with_hours_and_location_given_in_pairs(vendor):
    empty = vendor.client.get("/api/v1/partner/shop/").json()
    assert (empty["address"], empty["opens_at"], empty["latitude"], empty["is_open"]) == ("", None, None, None)
    body = {
        "address": " 黄浦区人民大道 100 号 ",
        "intro": "二十年老店",
        "opens_at": "08:00",
        "closes_at": "21:30",
        "hours_note": "周一店休",
        **NEAR,
    }
    saved = vendor.client.patch("/api/v1/partner/shop/", body, format="json")
    assert saved.status_code == 200, saved.content
    shown = saved.json()
    assert (shown["address"], shown["opens_at"], shown["closes_at"]) == (
        "黄浦区人民大道 100 号",
        "08:00:00",
        "21:30:00",
    )
    assert (shown["latitude"], shown["longitude"]) == (NEAR["latitude"], NEAR["longitude"])
    assert isinstance(shown["is_open"], bool)

    def refused(body, field):
        answer = vendor.client.patch("/api/v1/partner/shop/", body, format="json")
        assert answer.status_code == 400 and field in answer.json()["fields"], (body, answer.content)

    refused({"opens_at": "09:00"}, "closes_at")  # hours come in pairs
    refused({"opens_at": "09:00", "closes_at": "09:00"}, "closes_at")
    refused({"latitude": "31.2"}, "longitude")  # and so does the location
    refused({"latitude": "91", "longitude": "121"}, "latitude")
    refused({"latitude": "31", "longitude": "181"}, "longitude")
    refused({"address": "x" * 201}, "address")
    unchanged = vendor.client.get("/api/v1/partner/shop/").json()
    assert (unchanged["opens_at"], unchanged["latitude"]) == ("08:00:00", NEAR["latitude"])  # nothing half-written

    cleared = vendor.client.patch("/api/v1/partner/shop/", {"latitude": None, "longitude": None}, format="json")
    assert (cleared.json()["latitude"], cleared.json()["opens_at"]) == (None, "08:00:00")

    from accounts.models import AuditEvent

    assert AuditEvent.objects.filter(action="partner.shop_change").count() == 2


def test_open_now_follows_shanghai_time_and_runs_past_midnight():
    from partners.models import Vendor
    from partners.services.shop import is_open

    def at(hour, minute=0):
        return datetime(2026, 12, 4, hour, minute, tzinfo=SHANGHAI)

    day = Vendor(opens_at=time(8), closes_at=time(21, 30))
    assert [is_open(day, at(h, m)) for h, m in ((7, 59), (8, 0), (21, 29), (21, 30))] == [False, True, True, False]
    night = Vendor(opens_at=time(18), closes_at=time(2))
    assert [is_open(night, at(h)) for h in (17, 18, 23, 1, 2, 12)] == [False, True, True, True, False, False]
    assert is_open(Vendor(), at(12)) is None  # no hours given: nobody claims it is open or closed
    all_day = Vendor(opens_at=time(0), closes_at=time(23, 59))  # as the form advises for all day
    assert [is_open(all_day, at(h, m)) for h, m in ((0, 0), (12, 0), (23, 59))] == [True, True, True]
    # 00:30 UTC is 08:30 in Shanghai: open.
    assert is_open(day, datetime(2026, 12, 4, 0, 30, tzinfo=ZoneInfo("UTC"))) is True


def test_photos_are_cleaned_bounded_and_the_vendors_own(vendor, sign_up_vendor, django_capture_on_commit_callbacks):
    other = sign_up_vendor(phone="13900002222", name="好邻居超市", kind="merchant")
    offering_id = add_offering(vendor)
    others_offering = add_offering(other, name="矿泉水")

    shop = _upload(vendor)
    assert shop.status_code == 201, shop.content
    assert shop.json()["offering"] is None
    of_offering = _upload(vendor, offering=offering_id)
    assert of_offering.status_code == 201 and of_offering.json()["offering"] == offering_id
    refused = _upload(vendor, offering=others_offering)
    assert refused.status_code == 400 and "offering" in refused.json()["fields"]
    not_a_photo = vendor.client.post(
        "/api/v1/partner/photos/",
        {"file": SimpleUploadedFile("x.jpg", b"=HYPERLINK(1)", content_type="image/jpeg")},
        format="multipart",
    )
    assert not_a_photo.status_code == 400 and "file" in not_a_photo.json()["fields"]

    image = vendor.client.get(shop.json()["url"])
    assert image.status_code == 200 and image["Content-Type"] == "image/jpeg"
    kept = Image.open(io.BytesIO(b"".join(image.streaming_content)))
    assert 0x8825 not in kept.getexif()  # the GPS location of the phone that took it is gone
    assert vendor.client.get(shop.json()["thumbnail_url"]).status_code == 200
    assert other.client.get(shop.json()["url"]).status_code == 404  # another vendor's
    assert other.client.delete(f"/api/v1/partner/photos/{shop.json()['id']}/").status_code == 404

    listed = vendor.client.get(f"/api/v1/partner/photos/?offering={offering_id}").json()
    assert [p["id"] for p in listed] == [of_offering.json()["id"]]
    for _ in range(8):
        assert _upload(vendor).status_code == 201
    tenth = _upload(vendor)
    assert tenth.status_code == 400 and tenth.json()["code"] == "too_many_photos"

    from partners.models import CatalogPhoto

    photo = CatalogPhoto.objects.get(pk=shop.json()["id"])
    storage, name = photo.file.storage, photo.file.name
    assert storage.exists(name)
    with django_capture_on_commit_callbacks(execute=True):
        assert vendor.client.delete(f"/api/v1/partner/photos/{photo.pk}/").status_code == 204
    assert not storage.exists(name)  # the files go with the row
    assert _upload(vendor).status_code == 201  # room again


def test_owners_see_hours_distance_and_photos_nearest_first(payer, world, sign_up_vendor, client_for):
    _locate_estate(client_for, payer)
    world.vendor.client.patch(
        "/api/v1/partner/shop/",
        {"address": "人民大道 100 号", "opens_at": "00:00", "closes_at": "23:59", **FAR},
        format="json",
    )
    cover = _upload(world.vendor).json()
    offering_photo = _upload(world.vendor, offering=world.offering_id).json()
    near = sign_up_vendor(phone="13900003333", name="邻家便利", kind="merchant")
    admit(near, payer.company, client_for(payer.company, "admin"), [payer.house.estate_id])
    near.client.patch("/api/v1/partner/shop/", NEAR, format="json")
    unplaced = sign_up_vendor(phone="13900004444", name="阿家政", kind="housekeeping")
    admit(unplaced, payer.company, client_for(payer.company, "admin"), [payer.house.estate_id])

    rows = payer.client.get("/api/v1/owner/vendors/?sort=distance").json()["results"]
    assert [row["name"] for row in rows] == ["邻家便利", "洁净家政", "阿家政"]  # not on the map: last
    assert [row["distance_m"] for row in rows][2] is None
    assert 1100 <= rows[0]["distance_m"] <= 1125 and 4700 <= rows[1]["distance_m"] <= 4800
    assert (rows[1]["address"], rows[1]["is_open"], rows[0]["is_open"]) == ("人民大道 100 号", True, None)
    assert rows[1]["cover_url"].endswith(f"/photos/{cover['id']}/thumbnail/")
    assert rows[0]["cover_url"] is None
    by_name = payer.client.get("/api/v1/owner/vendors/").json()["results"]
    assert [row["name"] for row in by_name] == ["洁净家政", "邻家便利", "阿家政"]  # by name, the default

    thumb = payer.client.get(rows[1]["cover_url"])
    assert thumb.status_code == 200 and thumb["Content-Type"] == "image/jpeg"
    detail = payer.client.get(f"/api/v1/owner/vendors/{rows[1]['id']}/").json()
    assert [p["id"] for p in detail["photos"]] == [cover["id"]]  # the shop's, not the offering's
    (offered,) = detail["offerings"]
    assert [p["id"] for p in offered["photos"]] == [offering_photo["id"]]
    assert payer.client.get(offered["photos"][0]["url"]).status_code == 200


def test_nobody_else_sees_a_listed_vendors_photos(payer, world, client_for, company_b):
    from tests.platform.partners.conftest import portal_client

    cover = _upload(world.vendor).json()
    url = f"/api/v1/owner/vendors/{payer.client.get('/api/v1/owner/vendors/').json()['results'][0]['id']}"
    photo_url = f"{url}/photos/{cover['id']}/"
    assert payer.client.get(photo_url).status_code == 200

    owner_b = make_payer(company_b, client_for, username="payer-b")  # not admitted by company B
    assert owner_b.client.get(photo_url).status_code == 404
    assert client_for(payer.company).get(photo_url).status_code in (401, 403)  # signed out
    assert portal_client(world.vendor.token).get(photo_url).status_code in (
        401,
        403,
        404,
    )  # a vendor token, company host

    # A photo of an offering the vendor withdrew is no owner's to see any more.
    offering_photo = _upload(world.vendor, offering=world.offering_id).json()
    assert payer.client.get(f"{url}/photos/{offering_photo['id']}/").status_code == 200
    withdrawn = world.vendor.client.patch(
        f"/api/v1/partner/offerings/{world.offering_id}/", {"is_active": False}, format="json"
    )
    assert withdrawn.status_code == 200
    assert payer.client.get(f"{url}/photos/{offering_photo['id']}/").status_code == 404

    # Suspended by the company: its photos go with its listing.
    admin = client_for(payer.company, "admin")
    assert (
        admin.post(f"/api/v1/partner-admissions/{world.admission_id}/suspend/", {"reason": "停业"}).status_code == 200
    )
    assert payer.client.get(photo_url).status_code == 404


def test_a_shop_at_the_estate_is_nearest_not_unplaced(payer, world, sign_up_vendor, client_for):
    _locate_estate(client_for, payer)
    world.vendor.client.patch("/api/v1/partner/shop/", ESTATE, format="json")  # on the estate's own spot
    other = sign_up_vendor(phone="13900005555", name="安家政", kind="housekeeping")
    admit(other, payer.company, client_for(payer.company, "admin"), [payer.house.estate_id])
    other.client.patch("/api/v1/partner/shop/", NEAR, format="json")
    rows = payer.client.get("/api/v1/owner/vendors/?sort=distance").json()["results"]
    assert [row["name"] for row in rows] == ["洁净家政", "安家政"]  # 0 m is nearest, not "not on the map"
    assert rows[0]["distance_m"] == 0


def test_the_database_keeps_a_location_whole(vendor):
    """Both or neither, whatever writes the row: a CHECK passing on NULL would let half a point in."""
    from django.db import IntegrityError, transaction

    from partners.models import Vendor

    row = Vendor.objects.get(code=vendor.code)
    for latitude, longitude in ((None, 121), (31, None), (91, 121)):
        row.latitude, row.longitude = latitude, longitude
        with pytest.raises(IntegrityError), transaction.atomic():
            row.save(update_fields=["latitude", "longitude"])


def test_estates_take_a_location_in_pairs(payer, client_for):
    located = _locate_estate(client_for, payer)
    assert (located["latitude"], located["longitude"]) == (ESTATE["latitude"], ESTATE["longitude"])
    admin = client_for(payer.company, "admin")
    half = admin.patch(f"/api/v1/estates/{payer.house.estate_id}/", {"latitude": "30"}, format="json")
    assert half.status_code == 400 and "longitude" in half.json()["fields"]
    off = admin.patch(f"/api/v1/estates/{payer.house.estate_id}/", {"latitude": "-91", "longitude": "0"}, format="json")
    assert off.status_code == 400 and "latitude" in off.json()["fields"]
    cleared = admin.patch(
        f"/api/v1/estates/{payer.house.estate_id}/", {"latitude": None, "longitude": None}, format="json"
    )
    assert cleared.status_code == 200 and cleared.json()["latitude"] is None


def test_an_upload_that_does_not_commit_leaves_no_files(vendor, monkeypatch, settings):
    from pathlib import Path

    from partners.services import shop

    def broken_trail(*args, **kwargs):
        raise RuntimeError("the audit row could not be written")

    monkeypatch.setattr(shop, "trail", broken_trail)
    with pytest.raises(RuntimeError):
        _upload(vendor)
    root = Path(settings.PRIVATE_ROOT) / "public" / "partners" / "photos"
    assert not root.exists() or not any(path.is_file() for path in root.rglob("*"))  # no file without its row
