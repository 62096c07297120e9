from __future__ import annotations

from django.db.models import Q, QuerySet

from tenants.estates.models import Estate, House


def estates() -> QuerySet[Estate]:
    return Estate.objects.all()


def houses_with_labels() -> QuerySet[House]:
    return House.objects.select_related("unit", "building", "estate")


def search_houses_in_estate(*, estate_id: int, search: str = "", limit: int = 50) -> list[House]:
    """Houses an owner can pick from: by number, or building+unit+number typed together."""
    houses = houses_with_labels().filter(estate_id=estate_id)
    term = search.strip()
    if term:
        houses = houses.filter(Q(number__icontains=term) | Q(building__name__icontains=term))
    return list(houses.order_by("building__name", "unit__name", "floor", "number")[:limit])


def house_by_binding_code(code: str) -> House | None:
    return houses_with_labels().filter(binding_code=code.strip().upper()).first()
