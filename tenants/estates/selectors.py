from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Case, Count, Exists, F, Func, OuterRef, Q, QuerySet, Subquery, When
from django.db.models.functions import Coalesce

from core import text
from tenants.estates.models import Building, Estate, House, HouseStatus, Unit


def estates() -> QuerySet[Estate]:
    return Estate.objects.all()


def existing_estate_ids(ids: Iterable[int]) -> set[int]:
    """Which of `ids` name an estate of the current company (partners checks the estates it serves)."""
    return set(Estate.objects.filter(pk__in=list(ids)).values_list("pk", flat=True))


def houses_with_labels() -> QuerySet[House]:
    return House.objects.select_related("unit", "building", "estate")


def search_houses_in_estate(*, estate_id: int, search: str = "", limit: int = 50) -> list[House]:
    """Houses an owner can pick from: by number, or building+unit+number typed together."""
    houses = houses_with_labels().filter(estate_id=estate_id)
    term = text.normalise(search)  # as house numbers are stored: a full-width "１０１" is 101
    if term:
        houses = houses.filter(Q(number__icontains=term) | Q(building__name__icontains=term))
    return list(houses.order_by("building__name", "unit__name", "floor", "number")[:limit])


def house_by_binding_code(code: str) -> House | None:
    return houses_with_labels().filter(binding_code=code.strip().upper()).first()


def estates_with_counts() -> QuerySet[Estate]:
    # Subqueries rather than joined Counts: two joined counts multiply each other.
    houses = House.objects.filter(estate=OuterRef("pk")).order_by().values("estate")
    return Estate.objects.annotate(
        building_count=_count(Building.objects.filter(estate=OuterRef("pk")).order_by().values("estate")),
        house_count=_count(houses),
        occupied_count=_count(houses.filter(status__in=[HouseStatus.OCCUPIED, HouseStatus.RENTING])),
    )


def _count(subquery: QuerySet) -> Coalesce:
    return Coalesce(Subquery(subquery.annotate(n=Func(F("pk"), function="COUNT")).values("n")), 0)


def buildings() -> QuerySet[Building]:
    return (
        Building.objects.select_related("estate")
        .prefetch_related("units")
        .annotate(house_count=_count(House.objects.filter(building=OuterRef("pk")).order_by().values("building")))
    )


def estate_tree() -> list[dict]:
    """Estates → buildings → units with house counts, in three queries whatever the size."""
    unit_counts = dict(House.objects.order_by().values("unit_id").annotate(n=Count("id")).values_list("unit_id", "n"))
    units_by_building: dict[int, list[dict]] = {}
    for unit in Unit.objects.order_by("building_id", "name"):
        units_by_building.setdefault(unit.building_id, []).append(
            {"id": unit.pk, "name": unit.name, "house_count": unit_counts.get(unit.pk, 0)}
        )
    buildings_by_estate: dict[int, list[dict]] = {}
    for building in Building.objects.order_by("estate_id", "name"):
        units = units_by_building.get(building.pk, [])
        buildings_by_estate.setdefault(building.estate_id, []).append(
            {
                "id": building.pk,
                "name": building.name,
                "floors": building.floors,
                "house_count": sum(u["house_count"] for u in units),
                "units": units,
            }
        )
    tree = []
    for estate in Estate.objects.order_by("name"):
        children = buildings_by_estate.get(estate.pk, [])
        tree.append(
            {
                "id": estate.pk,
                "name": estate.name,
                "house_count": sum(b["house_count"] for b in children),
                "buildings": children,
            }
        )
    return tree


def houses_for_staff() -> QuerySet[House]:
    # Occupancies belong to the residents app; counting them by relation name keeps this app
    # from importing it.
    # (An aggregate drops Meta.ordering, so the order is spelled out for stable pages.)
    # `bound`: an owner-app account is bound to the house (an approved binding, by staff or verified
    # against the record) — an Exists, so it multiplies no count.
    return (
        houses_with_labels()
        .annotate(
            resident_count=Count("occupancies", filter=Q(occupancies__moved_out__isnull=True)),
            bound=Exists(bound_houses().filter(pk=OuterRef("pk"))),
        )
        .order_by("estate__name", "building__name", "unit__name", "floor", "number")
    )


def bound_houses() -> QuerySet[House]:
    """Houses an owner-app account is bound to (an approved binding, read by relation name)."""
    return House.objects.filter(bindings__status="approved").distinct()


def house_residents(house: House) -> list[dict]:
    """The house page's residents, current first, then history (newest move-out first).

    Read through the reverse relation so this app needs nothing from the residents app.
    """
    rows = house.occupancies.select_related("person").order_by(*occupancy_order())
    return [
        {
            "id": row.pk,
            "person": row.person_id,
            "person_name": row.person.name,
            "phone_masked": row.person.phone_masked,
            "relation": row.relation,
            "share": None if row.share is None else str(row.share),
            "is_primary_payer": row.is_primary_payer,
            "moved_in": row.moved_in.isoformat() if row.moved_in else None,
            "moved_out": row.moved_out.isoformat() if row.moved_out else None,
        }
        for row in rows
    ]


def occupancy_order() -> list:
    """Current relations first (owners, then family, then renters; the primary payer first among
    equals), then history with the newest move-out first."""
    rank = Case(When(relation="owner", then=0), When(relation="family", then=1), default=2)
    return [F("moved_out").desc(nulls_first=True), rank, "-is_primary_payer", "moved_in", "id"]


def house_count() -> int:
    """How many houses the current company has (what its plan's house limit counts)."""
    return House.objects.count()
