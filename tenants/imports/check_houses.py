"""The houses kind's checks: estates, buildings, units and houses by their names, created or updated."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from tenants.estates.models import Building, Estate, House, HouseStatus, HouseUse, Unit
from tenants.imports.reading import Table
from tenants.imports.validation import PROGRESS_EVERY, Findings, Outcome, Progress, parse_rows

PlaceKey = tuple[str, str, str, str]  # estate, building, unit, number
HOUSE_FIELDS = ("floor", "building_area", "usable_area", "layout", "use", "status", "fee_coefficient")
HOUSE_DEFAULTS: dict[str, Any] = {
    "layout": "",
    "use": HouseUse.RESIDENTIAL,
    "status": HouseStatus.UNSOLD,
    "fee_coefficient": Decimal("1.0000"),
}


@dataclass
class HousePlan:
    estate_ids: dict[str, int]
    building_ids: dict[tuple[str, str], int]
    unit_ids: dict[tuple[str, str, str], int]
    new_estates: list[str] = field(default_factory=list)
    new_buildings: list[tuple[str, str, int, int]] = field(default_factory=list)  # estate, name, floors, basement
    new_units: list[tuple[str, str, str]] = field(default_factory=list)
    new_houses: list[tuple[PlaceKey, dict[str, Any]]] = field(default_factory=list)
    changed_houses: list[tuple[int, dict[str, Any]]] = field(default_factory=list)


def validate_houses(table: Table, on_progress: Progress) -> Outcome:
    findings = Findings()
    parsed = parse_rows(table, findings, on_progress, passes=2)
    total = len(parsed) * 2

    first_row: dict[PlaceKey, int] = {}
    floors_in_file: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])  # highest, lowest
    good: list[tuple[int, PlaceKey, dict]] = []
    for number, values in parsed:
        if number in findings.bad_rows:
            continue
        key = (values["estate"], values["building"], values["unit"], values["number"])
        if key in first_row:
            findings.add(
                number, "房号", _("与第 %(row)s 行重复（同一小区、楼栋、单元、房号）。") % {"row": first_row[key]}
            )
            continue
        first_row[key] = number
        bounds = floors_in_file[key[:2]]
        bounds[0] = max(bounds[0], values["floor"])
        bounds[1] = min(bounds[1], values["floor"])
        good.append((number, key, values))

    estate_names = {key[0] for _n, key, _v in good}
    estate_ids = dict(Estate.objects.filter(name__in=estate_names).values_list("name", "id"))
    estate_names_by_id = {pk: name for name, pk in estate_ids.items()}
    buildings: dict[tuple[str, str], tuple[int, int, int]] = {}
    for pk, estate_id, name, floors, basement in Building.objects.filter(estate_id__in=estate_ids.values()).values_list(
        "id", "estate_id", "name", "floors", "basement_floors"
    ):
        buildings[(estate_names_by_id[estate_id], name)] = (pk, floors, basement)
    building_names = {pk: key for key, (pk, _f, _b) in buildings.items()}
    unit_ids: dict[tuple[str, str, str], int] = {}
    for pk, building_id, name in Unit.objects.filter(building_id__in=building_names).values_list(
        "id", "building_id", "name"
    ):
        unit_ids[(*building_names[building_id], name)] = pk
    unit_names = {pk: key for key, pk in unit_ids.items()}
    houses: dict[PlaceKey, tuple[int, dict[str, Any]]] = {}
    for row in House.objects.filter(unit_id__in=unit_names).values_list("id", "unit_id", "number", *HOUSE_FIELDS):
        houses[(*unit_names[row[1]], row[2])] = (row[0], dict(zip(HOUSE_FIELDS, row[3:], strict=True)))

    plan = HousePlan(
        estate_ids=estate_ids,
        building_ids={key: pk for key, (pk, _f, _b) in buildings.items()},
        unit_ids=unit_ids,
    )
    new_estates: set[str] = set()
    new_buildings: set[tuple[str, str]] = set()
    new_units: set[tuple[str, str, str]] = set()
    verdicts: dict[int, str] = {}
    done_offset = len(parsed)
    for done, (number, key, values) in enumerate(good, 1):
        if done % PROGRESS_EVERY == 0:
            on_progress(done_offset + done, total)
        floor = values["floor"]
        existing_building = buildings.get(key[:2])
        if existing_building is not None:
            _pk, floors, basement = existing_building
            if floor > floors:
                findings.add(
                    number,
                    "楼层",
                    _("超出楼栋层数：%(building)s 共 %(floors)s 层。") % {"building": key[1], "floors": floors},
                )
                continue
            if floor < -basement:
                findings.add(
                    number,
                    "楼层",
                    _("超出楼栋地下层数：%(building)s 地下共 %(floors)s 层。")
                    % {"building": key[1], "floors": basement},
                )
                continue
        existing = houses.get(key)
        if existing is None:
            fields: dict[str, Any] = {name: values.get(name) for name in HOUSE_FIELDS}
            for name, default in HOUSE_DEFAULTS.items():
                if fields[name] is None:
                    fields[name] = default
            if fields["usable_area"] > fields["building_area"]:
                findings.add(number, "套内面积", _("套内面积不能大于建筑面积。"))
                continue
            if key[0] not in estate_ids:
                new_estates.add(key[0])
            if existing_building is None:
                new_buildings.add(key[:2])
            if key[:3] not in unit_ids:
                new_units.add(key[:3])
            plan.new_houses.append((key, fields))
            verdicts[number] = "create"
            continue
        house_id, current = existing
        changes = {
            name: values[name]
            for name in HOUSE_FIELDS
            if values.get(name) is not None and values[name] != current[name]
        }
        merged = {**current, **changes}
        if merged["usable_area"] > merged["building_area"]:
            findings.add(
                number, "套内面积", _("套内面积不能大于建筑面积（%(area)s）。") % {"area": merged["building_area"]}
            )
            continue
        if changes:
            plan.changed_houses.append((house_id, changes))
        verdicts[number] = "update" if changes else "unchanged"

    for estate, building in sorted(new_buildings):
        highest, lowest = floors_in_file[(estate, building)]
        plan.new_buildings.append((estate, building, max(highest, 1), max(-lowest, 0)))
    plan.new_estates = sorted(new_estates)
    plan.new_units = sorted(new_units)
    return findings.outcome(
        "houses",
        plan,
        rows=len(parsed),
        verdicts=verdicts,
        blank_rows=table.blank_rows,
        new_estates=len(new_estates),
        new_buildings=len(new_buildings),
        new_units=len(new_units),
    )
