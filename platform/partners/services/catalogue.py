"""The vendor's catalogue (服务目录) and time slots (服务时段), kept once for every company it serves or
per company: each write is the vendor's own step on the public trail. A company named must be one
whose admission of the vendor is approved; nothing here reads any company's data."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from companies.models import Company
from core.actions import action
from core.errors import DomainError, NotFound
from partners.models import Admission, AdmissionStatus, Offering, PriceMode, ServiceSlot, VendorAccount
from partners.services.vendors import trail

MAX_SLOTS_PER_CALL = 200
# How far ahead a vendor schedules (a slot in year 9999 plus its repeats would pass the calendar's end).
MAX_AHEAD = timedelta(days=366)
OFFERING_FIELDS = ("kind", "name", "description", "price_mode", "price", "unit", "duration_minutes", "is_active")


def _invalid(field: str, message: str) -> DomainError:
    return DomainError(message, fields={field: [message]})


def _company(account: VendorAccount, slug: str | None) -> Company | None:
    """The company an item is for (None: all); only one that admitted the vendor."""
    if not slug:
        return None
    admission = (
        Admission.objects.filter(vendor=account.vendor, company__slug=slug, status=AdmissionStatus.APPROVED)
        .select_related("company")
        .first()
    )
    if admission is None:
        raise _invalid("company", _("只能为已准入您的物业公司单独设置。"))
    return admission.company


def _check_offering(data: dict[str, Any]) -> None:
    price = data.get("price")
    if data.get("price_mode") == PriceMode.FIXED and (price is None or Decimal(price) <= 0):
        raise _invalid("price", _("一口价须大于 0。"))


def _shown(offering: Offering) -> dict[str, Any]:
    return {
        "name": offering.name,
        "price_mode": offering.price_mode,
        "price": str(offering.price),
        "company": offering.company_id,
        "is_active": offering.is_active,
    }


@action
def add_offering(*, account: VendorAccount, company: str | None = None, **data: Any) -> Offering:
    _check_offering(data)
    fields = {name: data[name] for name in OFFERING_FIELDS if name in data}
    offering = Offering.objects.create(vendor=account.vendor, company=_company(account, company), **fields)
    trail(account, "partner.offering_add", "partner_offering", offering.pk, after=_shown(offering))
    return offering


@action
def change_offering(*, account: VendorAccount, offering_id: Any, **data: Any) -> Offering:
    offering = Offering.objects.select_for_update().filter(pk=offering_id, vendor=account.vendor).first()
    if offering is None:
        raise NotFound()
    before = _shown(offering)
    for name in OFFERING_FIELDS:
        if name in data:
            setattr(offering, name, data[name])
    _check_offering({"price_mode": offering.price_mode, "price": offering.price})
    offering.save()
    trail(account, "partner.offering_change", "partner_offering", offering.pk, before=before, after=_shown(offering))
    return offering


@action
def add_slots(
    *,
    account: VendorAccount,
    starts_at: datetime,
    ends_at: datetime,
    capacity: int,
    repeat_days: int = 1,
    company: str | None = None,
    now: datetime | None = None,
) -> list[ServiceSlot]:
    """One slot, or the same hours on `repeat_days` consecutive days (a week's schedule at once)."""
    now = now or timezone.now()
    if ends_at <= starts_at:
        raise _invalid("ends_at", _("结束时间须晚于开始时间。"))
    if ends_at - starts_at > timedelta(hours=24):
        raise _invalid("ends_at", _("一个时段不能超过 24 小时。"))
    if starts_at <= now:
        raise _invalid("starts_at", _("只能添加将来的时段。"))
    if starts_at > now + MAX_AHEAD:
        raise _invalid("starts_at", _("只能添加一年内的时段。"))
    if not 1 <= repeat_days <= 60:
        raise _invalid("repeat_days", _("重复天数须在 1 到 60 之间。"))
    target = _company(account, company)
    slots = ServiceSlot.objects.bulk_create(
        ServiceSlot(
            vendor=account.vendor,
            company=target,
            starts_at=starts_at + timedelta(days=day),
            ends_at=ends_at + timedelta(days=day),
            capacity=capacity,
        )
        for day in range(repeat_days)
    )
    trail(
        account,
        "partner.slots_add",
        "partner_slot",
        slots[0].pk,
        after={"starts_at": starts_at.isoformat(), "days": repeat_days, "capacity": capacity, "company": company or ""},
    )
    return slots


@action
def change_slot(
    *, account: VendorAccount, slot_id: Any, capacity: int | None = None, is_open: bool | None = None
) -> ServiceSlot:
    """Close a slot to new bookings (its taken places stay) or change its capacity — never below the
    places already taken."""
    slot = ServiceSlot.objects.select_for_update().filter(pk=slot_id, vendor=account.vendor).first()
    if slot is None:
        raise NotFound()
    before = {"capacity": slot.capacity, "is_open": slot.is_open}
    if capacity is not None:
        held = slot.places.filter(released_at__isnull=True).count()
        if capacity < held:
            raise _invalid("capacity", _("已有 %(held)s 个预约，可约数量不能少于此数。") % {"held": held})
        slot.capacity = capacity
    if is_open is not None:
        slot.is_open = is_open
    slot.save(update_fields=["capacity", "is_open"])
    trail(
        account,
        "partner.slot_change",
        "partner_slot",
        slot.pk,
        before=before,
        after={"capacity": slot.capacity, "is_open": slot.is_open},
    )
    return slot
