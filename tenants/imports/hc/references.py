"""Finding the houses HC's references name (`1-1-1001`: 楼栋-单元-房屋, as HC's fee, payment-history
and meter templates write them) in one estate, in a few queries whatever their number.

A reference that finds no house says which part is wrong: a building the estate does not have
blames the building, a unit its building does not have the unit, and only then the house number.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import gettext as _

from tenants.estates.models import Building, House, Unit
from tenants.imports.hc.codes import HouseReference, house_reference


@dataclass(frozen=True)
class Unresolved:
    part: str  # 楼栋, 单元 or 房屋: where the reference is wrong
    message: str


def locate(cells: Iterable[object], *, estate_id: int) -> dict[str, int | Unresolved]:
    """Each distinct reference text → its house id, or why it names none."""
    wanted: dict[str, HouseReference | None] = {}
    for cell in cells:
        text = "" if cell is None else str(cell).strip()
        if text and text not in wanted:
            wanted[text] = house_reference(text)
    names = {reference.building for reference in wanted.values() if reference}
    units = {
        (building, unit)
        for building, unit in Unit.objects.filter(building__estate_id=estate_id, building__name__in=names).values_list(
            "building__name", "name"
        )
    }
    buildings = set(Building.objects.filter(estate_id=estate_id, name__in=names).values_list("name", flat=True))
    houses = {
        (building, unit, number): pk
        for pk, building, unit, number in House.objects.filter(
            estate_id=estate_id, building__name__in=names
        ).values_list("id", "building__name", "unit__name", "number")
    }
    found: dict[str, int | Unresolved] = {}
    for text, reference in wanted.items():
        if reference is None:
            found[text] = Unresolved("房屋", _("“%(text)s”不是 楼栋-单元-房屋 的写法，如 1-1-1001。") % {"text": text})
        elif reference.building not in buildings:
            found[text] = Unresolved(
                "楼栋", _("“%(text)s”：小区中没有楼栋 %(building)s。") % {"text": text, "building": reference.building}
            )
        elif (reference.building, reference.unit) not in units:
            found[text] = Unresolved(
                "单元",
                _("“%(text)s”：楼栋 %(building)s 没有单元 %(unit)s。")
                % {"text": text, "building": reference.building, "unit": reference.unit},
            )
        else:
            key = (reference.building, reference.unit, reference.number)
            house = houses.get(key)
            found[text] = (
                house
                if house is not None
                else Unresolved(
                    "房屋",
                    _("“%(text)s”：%(building)s 栋 %(unit)s 单元没有房屋 %(number)s。")
                    % {
                        "text": text,
                        "building": reference.building,
                        "unit": reference.unit,
                        "number": reference.number,
                    },
                )
            )
    return found
