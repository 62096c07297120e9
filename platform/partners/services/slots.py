"""A slot's places: taken by a company's order under the slot's row lock, so the vendor's capacity
holds across every company booking it at once; released when the order is cancelled.

These run inside the caller's action (a company's booking or cancellation), on the public tables
reachable from the company's schema: the place and the order commit together or not at all."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from companies.models import Company
from core.actions import in_action
from core.errors import DomainError
from partners.models import ServiceSlot, SlotPlace


def _inside_action() -> None:
    if not in_action():
        raise RuntimeError("slot places are taken and released inside the order's action")


def take_place(
    *, slot_id: int, vendor_id: int, company: Company, order_id: int, now: datetime | None = None
) -> ServiceSlot:
    _inside_action()
    now = now or timezone.now()
    slot = (
        ServiceSlot.objects.select_for_update()
        .filter(pk=slot_id, vendor_id=vendor_id, is_open=True)
        .filter(Q(company__isnull=True) | Q(company=company))
        .first()
    )
    if slot is None or slot.starts_at <= now:
        message = _("该时段不可预约，请另选时段。")
        raise DomainError(message, code="slot_unavailable", status_code=409, fields={"slot": [message]})
    taken = SlotPlace.objects.filter(slot=slot, released_at__isnull=True).count()
    if taken >= slot.capacity:
        message = _("该时段已约满，请另选时段。")
        raise DomainError(message, code="slot_full", status_code=409, fields={"slot": [message]})
    SlotPlace.objects.create(slot=slot, company=company, order_id=order_id, taken_at=now)
    return slot


def release_place(*, company: Company, order_id: int, now: datetime | None = None) -> None:
    _inside_action()
    SlotPlace.objects.filter(company=company, order_id=order_id, released_at__isnull=True).update(
        released_at=now or timezone.now()
    )
