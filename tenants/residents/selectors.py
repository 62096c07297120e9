from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.db.models import Exists, F, OuterRef, Prefetch, QuerySet

from tenants.estates import selectors as estate_selectors
from tenants.residents import pii
from tenants.residents.models import (
    BindingStatus,
    CorrectionRequest,
    CorrectionStatus,
    HouseBinding,
    Occupancy,
    Person,
    Relation,
)


def bindings() -> QuerySet[HouseBinding]:
    return HouseBinding.objects.select_related("house__unit", "house__building", "house__estate", "user")


def bindings_of(user: Any) -> QuerySet[HouseBinding]:
    return bindings().filter(user=user)


def with_review_facts(page: Sequence[HouseBinding]) -> Sequence[HouseBinding]:
    """What the approver decides on, set on each binding of a page (one query whatever its size):

    - `house_owners`: the house's current residents on record (owners first), phone masked as
      stored — nothing encrypted is read or decrypted;
    - `record_match` (pending only): whether the claimant's account phone is that of a resident of
      THIS house (through the blind index) and whether the name they gave is that resident's;
    - `conflict` (pending only): the house has an owner on record and the claimant is not one.
    """
    rows = Occupancy.objects.filter(house_id__in={b.house_id for b in page}, moved_out__isnull=True).values(
        "house_id",
        "relation",
        "is_primary_payer",
        "id",
        "person_id",
        "person__name",
        "person__phone_masked",
        "person__phone_index",
        "person__user_id",
    )
    by_house: dict[int, list[Mapping[str, Any]]] = {}
    for row in sorted(rows, key=lambda r: (r["relation"] != Relation.OWNER, not r["is_primary_payer"], r["id"])):
        by_house.setdefault(row["house_id"], []).append(row)
    indexes: dict[int, frozenset[str]] = {}
    for binding in page:
        residents = by_house.get(binding.house_id, [])
        binding.house_owners = [  # type: ignore[attr-defined]
            {
                "resident_id": r["person_id"],
                "name": r["person__name"],
                "relation": r["relation"],
                "phone": r["person__phone_masked"],
                "is_primary_payer": r["is_primary_payer"],
                "has_app_account": r["person__user_id"] is not None,
                "is_claimant": r["person__user_id"] == binding.user_id,
            }
            for r in residents
        ]
        binding.record_match, binding.conflict = None, False  # type: ignore[attr-defined]
        if binding.status != BindingStatus.PENDING:
            continue
        if binding.user_id not in indexes:
            # The claimant's phone from their account (its index under every key: a key rotation
            # may leave the record and the account under different ones).
            indexes[binding.user_id] = frozenset(pii.phone_indexes(binding.user.phone or ""))
        mine = indexes[binding.user_id]
        by_phone = next((r for r in residents if _phone_of(r, mine)), None)
        name = pii.comparable_name(binding.name)
        by_name = next((r for r in residents if pii.comparable_name(r["person__name"]) == name), None)
        resident = by_phone or by_name
        binding.record_match = {  # type: ignore[attr-defined]
            "phone": by_phone is not None,
            "name": resident is not None and pii.comparable_name(resident["person__name"]) == name,
            "resident_id": resident["person_id"] if resident else None,
        }
        owners = [r for r in residents if r["relation"] == Relation.OWNER]
        claimant_is_owner = any(r["person__user_id"] == binding.user_id or _phone_of(r, mine) for r in owners)
        binding.conflict = bool(owners) and not claimant_is_owner  # type: ignore[attr-defined]
    return page


def _phone_of(row: Mapping[str, Any], indexes: frozenset[str]) -> bool:
    return bool(row["person__phone_index"]) and row["person__phone_index"] in indexes


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


def binding_overview() -> dict[str, int]:
    """How far owners have come binding their houses (the binding page's head): houses in all,
    houses an owner-app account is bound to, the rest, and requests waiting for staff."""
    houses = estate_selectors.house_count()
    bound = estate_selectors.bound_houses().count()
    return {
        "house_count": houses,
        "bound_house_count": bound,
        "unbound_house_count": houses - bound,
        "pending_count": HouseBinding.objects.filter(status=BindingStatus.PENDING).count(),
    }


def occupant_accounts(houses: QuerySet[Any]) -> list[Any]:
    """The active app accounts of the current occupants (owners and residents) of `houses`, each once,
    by account id: whom a company tells about what concerns those houses (announcements, activities)."""
    occupancies = (
        Occupancy.objects.filter(house__in=houses, moved_out__isnull=True, person__user__is_active=True)
        .select_related("person__user")
        .order_by("person__user_id")
        .distinct("person__user_id")
    )
    return [occupancy.person.user for occupancy in occupancies]
