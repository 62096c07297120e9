from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Exists, F, OuterRef, Prefetch, QuerySet

from tenants.estates import selectors as estate_selectors
from tenants.residents import pii
from tenants.residents.models import CorrectionRequest, CorrectionStatus, HouseBinding, Occupancy, Person


def bindings() -> QuerySet[HouseBinding]:
    return HouseBinding.objects.select_related("house__unit", "house__building", "house__estate", "user")


def bindings_of(user: Any) -> QuerySet[HouseBinding]:
    return bindings().filter(user=user)


def _current_occupancies() -> QuerySet[Occupancy]:
    return Occupancy.objects.filter(moved_out__isnull=True).select_related(
        "house__unit", "house__building", "house__estate"
    )


def people() -> QuerySet[Person]:
    """Residents with their current houses prefetched (two queries whatever the page size)."""
    # The app account's state rides along as one joined column (not the whole user row, whose
    # encrypted phone would be decrypted for nothing).
    return Person.objects.annotate(account_active=F("user__is_active")).prefetch_related(
        Prefetch("occupancies", queryset=_current_occupancies(), to_attr="current_occupancies")
    )


def filter_people(
    queryset: QuerySet[Person],
    *,
    phone: str = "",
    estate: int | None = None,
    building: int | None = None,
    house: int | None = None,
    relation: str = "",
) -> QuerySet[Person]:
    """Staff's 业主信息查询: exact phone through the blind index; place and relation through the
    person's current relations (an EXISTS, so a person living in two matching houses shows once)."""
    if phone:
        queryset = queryset.filter(phone_index__in=pii.phone_indexes(pii.normalise_phone(phone)))
    place: dict[str, object] = {}
    if estate:
        place["house__estate_id"] = estate
    if building:
        place["house__building_id"] = building
    if house:
        place["house_id"] = house
    if relation:
        place["relation"] = relation
    if place:
        lives = Occupancy.objects.filter(person=OuterRef("pk"), moved_out__isnull=True, **place)
        queryset = queryset.filter(Exists(lives))
    return queryset


def occupancies() -> QuerySet[Occupancy]:
    """Current relations first, then history, newest move-out first."""
    return Occupancy.objects.select_related("house__unit", "house__building", "house__estate", "person").order_by(
        *estate_selectors.occupancy_order()
    )


def primary_payer_names(house_ids: Iterable[int]) -> dict[int, str]:
    """Each house's current primary payer's name (主缴费人), for reports addressed to payers: one
    query, names only — nothing encrypted is read or decrypted."""
    rows = Occupancy.objects.filter(house_id__in=list(house_ids), moved_out__isnull=True, is_primary_payer=True)
    return {house_id: name for house_id, name in rows.values_list("house_id", "person__name")}


def corrections() -> QuerySet[CorrectionRequest]:
    return CorrectionRequest.objects.select_related("person")


# --- the owner's own view --------------------------------------------------------------------------


def person_of(user: Any) -> Person | None:
    return Person.objects.filter(user=user).first()


def houses_of(person: Person) -> list[Occupancy]:
    return list(_current_occupancies().filter(person=person).order_by("moved_in", "id"))


def pending_correction(person: Person) -> CorrectionRequest | None:
    return person.corrections.filter(status=CorrectionStatus.PENDING).first()


def last_decided_correction(person: Person) -> CorrectionRequest | None:
    return person.corrections.exclude(status=CorrectionStatus.PENDING).order_by("-decided_at").first()
