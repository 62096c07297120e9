"""The vendor's shop (店铺资料): what owners see of it in every company that lists it — address,
introduction, opening hours, where it is (for the distance to the owner's estate), and photos of the
shop and of each offering. Each write is the vendor's own step on the public trail."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from core import geo, images
from core.actions import action
from core.errors import DomainError, NotFound
from partners.models import CatalogPhoto, Offering, Vendor, VendorAccount
from partners.services.vendors import trail

MAX_PHOTOS = 9  # of the shop, and of each offering: a phone screen's grid
SHOP_TEXT = ("address", "intro", "hours_note")
END_OF_DAY = time(23, 59)


def _shown(vendor: Vendor) -> dict[str, Any]:
    return {
        "address": vendor.address,
        "intro": vendor.intro,
        "hours": f"{vendor.opens_at}-{vendor.closes_at}" if vendor.opens_at else "",
        "hours_note": vendor.hours_note,
        "location": f"{vendor.latitude},{vendor.longitude}" if vendor.latitude is not None else "",
    }


@action
def change_shop(*, account: VendorAccount, **data: Any) -> Vendor:
    """Change what is given; opening hours (`opens_at`, `closes_at`) and the location (`latitude`,
    `longitude`) are given in pairs, both None clearing them."""
    vendor = Vendor.objects.select_for_update().get(pk=account.vendor_id)
    before = _shown(vendor)
    for name in SHOP_TEXT:
        if name in data:
            setattr(vendor, name, (data[name] or "").strip())
    if "opens_at" in data or "closes_at" in data:
        vendor.opens_at, vendor.closes_at = _checked_hours(data.get("opens_at"), data.get("closes_at"))
    if "latitude" in data or "longitude" in data:
        point = geo.checked_point(data.get("latitude"), data.get("longitude"))
        vendor.latitude, vendor.longitude = point if point else (None, None)
    vendor.save()
    trail(account, "partner.shop_change", "partner_vendor", vendor.pk, before=before, after=_shown(vendor))
    return vendor


def _checked_hours(opens_at: time | None, closes_at: time | None) -> tuple[time | None, time | None]:
    if opens_at is None and closes_at is None:
        return None, None
    if opens_at is None or closes_at is None:
        message = _("营业时间须同时填写开始和结束。")
        raise DomainError(message, fields={"opens_at" if opens_at is None else "closes_at": [message]})
    if opens_at == closes_at:
        message = _("营业结束时间不能与开始时间相同；全天营业请填 00:00 至 23:59。")
        raise DomainError(message, fields={"closes_at": [message]})
    return opens_at, closes_at


def is_open(vendor: Vendor, at: datetime | None = None) -> bool | None:
    """Whether the shop is open at `at` (now) in Shanghai time; None when it gave no hours. Hours
    ending earlier than they start run past midnight (18:00–02:00); closing at 23:59 is closing at
    midnight (00:00–23:59: all day)."""
    if vendor.opens_at is None or vendor.closes_at is None:
        return None
    now = timezone.localtime(at).time()
    if vendor.closes_at == END_OF_DAY:
        return now >= vendor.opens_at
    if vendor.opens_at < vendor.closes_at:
        return vendor.opens_at <= now < vendor.closes_at
    return now >= vendor.opens_at or now < vendor.closes_at


def _offering(account: VendorAccount, offering_id: Any) -> Offering | None:
    if offering_id in (None, ""):
        return None
    offering = Offering.objects.filter(pk=offering_id, vendor_id=account.vendor_id).first()
    if offering is None:
        message = _("服务项目不存在。")
        raise DomainError(message, fields={"offering": [message]})
    return offering


@action
def add_photo(*, account: VendorAccount, clean: images.CleanImage, offering: Any = None) -> CatalogPhoto:
    """A photo of the shop, or of one of the vendor's offerings; at most MAX_PHOTOS each. `clean` is
    the upload already checked and re-encoded (core.images.clean_upload, before the action: no lock
    is held while an image is decoded)."""
    Vendor.objects.select_for_update().filter(pk=account.vendor_id).first()  # one upload at a time counts
    of = _offering(account, offering)
    if CatalogPhoto.objects.filter(vendor_id=account.vendor_id, offering=of).count() >= MAX_PHOTOS:
        raise images.refused(
            _("最多 %(count)s 张照片，请先删除不用的照片。") % {"count": MAX_PHOTOS}, "too_many_photos"
        )
    photo = CatalogPhoto(vendor_id=account.vendor_id, offering=of)
    images.store(photo, clean)
    photo.save()
    trail(
        account,
        "partner.photo_add",
        "partner_photo",
        photo.pk,
        after={"offering": of.pk if of else None, "size": photo.size},
    )
    return photo


@action
def remove_photo(*, account: VendorAccount, photo_id: Any) -> None:
    photo = CatalogPhoto.objects.select_for_update().filter(pk=photo_id, vendor_id=account.vendor_id).first()
    if photo is None:
        raise NotFound()
    trail(account, "partner.photo_remove", "partner_photo", photo.pk, before={"offering": photo.offering_id})
    images.delete_files_on_commit([photo])
    photo.delete()
