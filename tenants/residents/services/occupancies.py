"""A person's relations to houses: moving in and out, owners' shares, the primary payer. Writers of
a house's relations serialise on the house row."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import services as account_services
from core import locks
from core.actions import action
from core.errors import DomainError
from tenants.estates.models import House
from tenants.residents.models import Occupancy, Person, Relation


def _check_owner_shares(*, house: House, relation: str, share: Decimal | None, exclude_pk: int | None = None) -> None:
    if share is None:
        return
    if relation != Relation.OWNER:
        raise DomainError(_("只有业主有产权份额。"), fields={"share": [_("只有业主有产权份额。")]})
    if not Decimal("0") < share <= Decimal("100"):
        raise DomainError(_("产权份额须在 0 到 100 之间。"), fields={"share": [_("产权份额须在 0 到 100 之间。")]})
    others = Occupancy.objects.filter(house=house, moved_out__isnull=True, share__isnull=False)
    if exclude_pk:
        others = others.exclude(pk=exclude_pk)
    taken = others.aggregate(total=Sum("share"))["total"] or Decimal("0")
    if taken + share > Decimal("100"):
        message = _("该房屋业主产权份额合计将超过 100%%（已有 %(taken)s%%）。") % {"taken": taken}
        raise DomainError(message, fields={"share": [message]})


def _lock_house(house_id: int) -> House:
    # Shares and the primary payer are per-house sums: serialise writers on the house row, and
    # wait for an import that is checking and writing relations.
    locks.lock_company(locks.BASIC_DATA, shared=True)
    return House.objects.select_for_update().get(pk=house_id)


def _occupancy_view(occupancy: Occupancy) -> dict[str, Any]:
    return {
        "house": occupancy.house_id,
        "person": occupancy.person_id,
        "relation": occupancy.relation,
        "share": str(occupancy.share) if occupancy.share is not None else None,
        "is_primary_payer": occupancy.is_primary_payer,
        "moved_in": occupancy.moved_in.isoformat() if occupancy.moved_in else None,
        "moved_out": occupancy.moved_out.isoformat() if occupancy.moved_out else None,
    }


@action
def add_occupancy(
    *,
    actor: Any,
    house: House,
    person: Person,
    relation: str,
    moved_in: date | None = None,
    share: Decimal | None = None,
    is_primary_payer: bool = False,
) -> Occupancy:
    if relation not in Relation.values:
        raise DomainError(_("请选择与房屋的关系。"), fields={"relation": [_("请选择与房屋的关系。")]})
    moved_in = moved_in or timezone.localdate()
    with transaction.atomic():
        house = _lock_house(house.pk)
        if Occupancy.objects.filter(house=house, person=person, relation=relation, moved_out__isnull=True).exists():
            raise DomainError(
                _("该住户已以此关系登记在该房屋。"), code="already_there", fields={"person": [_("已登记。")]}
            )
        _check_owner_shares(house=house, relation=relation, share=share)
        if is_primary_payer:
            Occupancy.objects.filter(house=house, moved_out__isnull=True, is_primary_payer=True).update(
                is_primary_payer=False
            )
        occupancy = Occupancy.objects.create(
            house=house,
            person=person,
            relation=relation,
            moved_in=moved_in,
            share=share,
            is_primary_payer=is_primary_payer,
        )
        account_services.record_audit(
            actor=actor,
            action="occupancy.create",
            object_type="occupancy",
            object_id=occupancy.pk,
            after=_occupancy_view(occupancy),
        )
    return occupancy


@action
def update_occupancy(*, occupancy: Occupancy, actor: Any, **changes: Any) -> Occupancy:
    unknown = set(changes) - {"share", "is_primary_payer"}
    if unknown:
        raise DomainError(_("不能修改这些字段。"), fields={k: [_("不可修改。")] for k in unknown})
    with transaction.atomic():
        _lock_house(occupancy.house_id)
        occupancy = Occupancy.objects.select_for_update().get(pk=occupancy.pk)
        if occupancy.moved_out is not None:
            raise DomainError(_("已迁出的记录不能修改。"), code="moved_out", status_code=409)
        before = _occupancy_view(occupancy)
        if "share" in changes:
            _check_owner_shares(
                house=occupancy.house, relation=occupancy.relation, share=changes["share"], exclude_pk=occupancy.pk
            )
            occupancy.share = changes["share"]
        if changes.get("is_primary_payer"):
            Occupancy.objects.filter(
                house_id=occupancy.house_id, moved_out__isnull=True, is_primary_payer=True
            ).exclude(pk=occupancy.pk).update(is_primary_payer=False)
        if "is_primary_payer" in changes:
            occupancy.is_primary_payer = bool(changes["is_primary_payer"])
        occupancy.save(update_fields=["share", "is_primary_payer"])
        account_services.record_audit(
            actor=actor,
            action="occupancy.update",
            object_type="occupancy",
            object_id=occupancy.pk,
            before=before,
            after=_occupancy_view(occupancy),
        )
    return occupancy


@action
def move_out(*, occupancy: Occupancy, actor: Any, moved_out: date | None = None) -> Occupancy:
    """Closes the relation; the row stays as history. The primary-payer flag goes with the person."""
    moved_out = moved_out or timezone.localdate()
    with transaction.atomic():
        occupancy = Occupancy.objects.select_for_update().get(pk=occupancy.pk)
        if occupancy.moved_out is not None:
            raise DomainError(_("该住户已迁出。"), code="moved_out", status_code=409)
        if occupancy.moved_in is not None and moved_out < occupancy.moved_in:
            raise DomainError(_("迁出日期不能早于入住日期。"), fields={"moved_out": [_("迁出日期不能早于入住日期。")]})
        before = _occupancy_view(occupancy)
        occupancy.moved_out = moved_out
        occupancy.is_primary_payer = False
        occupancy.save(update_fields=["moved_out", "is_primary_payer"])
        account_services.record_audit(
            actor=actor,
            action="occupancy.move_out",
            object_type="occupancy",
            object_id=occupancy.pk,
            before=before,
            after=_occupancy_view(occupancy),
        )
    return occupancy
