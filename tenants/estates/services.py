"""Writes for estates, buildings, units and houses."""

from __future__ import annotations

import re
import secrets
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Max, ProtectedError
from django.utils.translation import gettext as _

from accounts import services as account_services
from core import geo, locks, text
from core.actions import action
from core.db import conflict_as
from core.errors import DomainError
from subscriptions.services import limits
from tenants.estates.models import Building, Estate, House, HouseStatus, HouseUse, Unit

# Only {floor} and {index}, optionally zero-padded to at most 4 digits, between plain text: a
# format string is code, and anything more ({floor.x}, {index:>999999999}) would run it.
_NUMBER_FORMAT = re.compile(r"(?:[^{}]|\{(?:floor|index)(?::0[1-4]d)?\})*")

_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud over the phone


def new_binding_code() -> str:
    return "".join(secrets.choice(_CODE_ALPHABET) for _ in range(8))


def _shown_estate(estate: Estate) -> dict[str, Any]:
    located = estate.latitude is not None
    return {
        "name": estate.name,
        "address": estate.address,
        "location": f"{estate.latitude},{estate.longitude}" if located else "",
    }


@action
def create_estate(
    *, name: str, address: str = "", latitude: Any = None, longitude: Any = None, actor: Any = None
) -> Estate:
    name = text.clean_name(name)
    if not name:
        raise DomainError(_("请填写小区名称。"), fields={"name": [_("请填写小区名称。")]})
    point = geo.checked_point(latitude, longitude)
    lat, lng = point if point else (None, None)
    with conflict_as(DomainError(_("小区名称已存在。"), fields={"name": [_("小区名称已存在。")]})):
        estate = Estate.objects.create(name=name, address=address.strip(), latitude=lat, longitude=lng)
    _audit(actor, "estate.create", estate, after=_shown_estate(estate))
    return estate


@action
def create_building(*, estate: Estate, name: str, floors: int, units: list[str], actor: Any = None) -> Building:
    name = text.clean_name(name)
    units = [text.clean_name(unit) for unit in units]
    if not name:
        raise DomainError(_("请填写楼栋名称。"), fields={"name": [_("请填写楼栋名称。")]})
    if not 1 <= floors <= 200:
        raise DomainError(_("层数须在 1 到 200 之间。"), fields={"floors": [_("层数须在 1 到 200 之间。")]})
    if not units or "" in units or len(set(units)) != len(units):
        raise DomainError(_("单元名称不能为空或重复。"), fields={"units": [_("单元名称不能为空或重复。")]})
    if Building.objects.filter(estate=estate, name=name).exists():
        raise DomainError(_("该小区已有同名楼栋。"), fields={"name": [_("该小区已有同名楼栋。")]})
    building = Building.objects.create(estate=estate, name=name, floors=floors)
    Unit.objects.bulk_create([Unit(building=building, name=unit) for unit in units])
    _audit(actor, "building.create", building, after={"name": name, "floors": floors, "units": units})
    return building


@action
def generate_houses(
    *,
    building: Building,
    per_floor: int,
    building_area: Decimal,
    usable_area: Decimal,
    layout: str = "",
    use: str = HouseUse.RESIDENTIAL,
    number_format: str = "{floor}{index:02d}",
    status: str = HouseStatus.UNSOLD,
    actor: Any = None,
) -> list[House]:
    """Every unit gets floors × per_floor houses numbered by `number_format` — all in one go or none."""
    if not 1 <= per_floor <= 50:
        raise DomainError(_("每层户数须在 1 到 50 之间。"), fields={"per_floor": [_("每层户数须在 1 到 50 之间。")]})
    if building_area <= 0 or usable_area <= 0 or usable_area > building_area:
        raise DomainError(
            _("面积须为正数，且套内面积不大于建筑面积。"),
            fields={"usable_area": [_("面积须为正数，且套内面积不大于建筑面积。")]},
        )
    if use not in HouseUse.values or status not in HouseStatus.values:
        raise DomainError(_("用途或状态无效。"), fields={"use": [_("用途或状态无效。")]})
    if not _NUMBER_FORMAT.fullmatch(number_format):
        message = _("房号格式无效：可用 {floor}、{index}（可写作 {index:02d}）和文字，例如 {floor}{index:02d}。")
        raise DomainError(message, fields={"number_format": [message]})
    numbers = {number_format.format(floor=f, index=i) for f in (1, building.floors) for i in (1, per_floor)}
    if any(not n or len(n) > 20 for n in numbers):
        message = _("房号须为 1 到 20 个字符。")
        raise DomainError(message, fields={"number_format": [message]})
    houses = [
        House(
            unit=unit,
            building=building,
            estate_id=building.estate_id,
            number=number_format.format(floor=floor, index=index),
            floor=floor,
            building_area=building_area,
            usable_area=usable_area,
            layout=layout,
            use=use,
            status=status,
            binding_code=new_binding_code(),
        )
        for unit in building.units.all()
        for floor in range(1, building.floors + 1)
        for index in range(1, per_floor + 1)
    ]
    if len({(h.unit_id, h.number) for h in houses}) != len(houses):
        message = _("房号格式会产生重复的房号，请加入 {floor} 和 {index}。")
        raise DomainError(message, fields={"number_format": [message]})
    limits.hold(limits.HOUSES, adding=len(houses))
    with conflict_as(DomainError(_("房号重复：该楼栋已有这些房屋。"), fields={"number_format": [_("房号重复。")]})):
        created = House.objects.bulk_create(houses, batch_size=1000)
    _audit(actor, "building.generate_houses", building, after={"created": len(created), "per_floor": per_floor})
    return created


def _audit(actor: Any, action: str, obj: Any, before: dict | None = None, after: dict | None = None) -> None:
    account_services.record_audit(
        actor=actor, action=action, object_type=obj._meta.model_name, object_id=obj.pk, before=before, after=after
    )


@action
def update_estate(
    *, estate: Estate, actor: Any, name: str | None = None, address: str | None = None, **located: Any
) -> Estate:
    """`latitude` and `longitude`, when given, are given together (both None: the location is cleared)."""
    before = _shown_estate(estate)
    if name is not None:
        estate.name = text.clean_name(name)
        if not estate.name:
            raise DomainError(_("请填写小区名称。"), fields={"name": [_("请填写小区名称。")]})
    if address is not None:
        estate.address = address.strip()
    if "latitude" in located or "longitude" in located:
        point = geo.checked_point(located.get("latitude"), located.get("longitude"))
        estate.latitude, estate.longitude = point if point else (None, None)
    with conflict_as(DomainError(_("小区名称已存在。"), fields={"name": [_("小区名称已存在。")]})):
        estate.save(update_fields=["name", "address", "latitude", "longitude"])
    _audit(actor, "estate.update", estate, before, _shown_estate(estate))
    return estate


@action
def delete_estate(*, estate: Estate, actor: Any) -> None:
    if estate.buildings.exists():
        raise DomainError(_("小区下还有楼栋，不能删除。"), code="in_use", status_code=409)
    _audit(actor, "estate.delete", estate, {"name": estate.name})
    estate.delete()


@action
def update_building(*, building: Building, actor: Any, name: str | None = None, floors: int | None = None) -> Building:
    locks.lock_company(locks.BASIC_DATA, shared=True)  # an import may be adding houses to it
    building = Building.objects.select_for_update().get(pk=building.pk)
    before = {"name": building.name, "floors": building.floors}
    if name is not None and text.clean_name(name) != building.name:
        name = text.clean_name(name)
        if not name or Building.objects.filter(estate_id=building.estate_id, name=name).exists():
            raise DomainError(_("该小区已有同名楼栋。"), fields={"name": [_("该小区已有同名楼栋。")]})
        building.name = name
    if floors is not None:
        if not 1 <= floors <= 200:
            raise DomainError(_("层数须在 1 到 200 之间。"), fields={"floors": [_("层数须在 1 到 200 之间。")]})
        highest = building.houses.aggregate(top=Max("floor"))["top"]
        if highest is not None and floors < highest:
            message = _("楼栋已有 %(floor)s 层的房屋，层数不能少于 %(floor)s。") % {"floor": highest}
            raise DomainError(message, fields={"floors": [message]})
        building.floors = floors
    building.save(update_fields=["name", "floors"])
    _audit(actor, "building.update", building, before, {"name": building.name, "floors": building.floors})
    return building


@action
def delete_building(*, building: Building, actor: Any) -> None:
    if building.houses.exists():
        raise DomainError(_("楼栋下还有房屋，不能删除。"), code="in_use", status_code=409)
    _audit(actor, "building.delete", building, {"name": building.name})
    building.units.all().delete()
    building.delete()


_HOUSE_FIELDS = {
    "number",
    "floor",
    "building_area",
    "usable_area",
    "layout",
    "use",
    "status",
    "fee_coefficient",
}


def _house_problems(house: House, building: Building) -> dict[str, list[str]]:
    problems: dict[str, list[str]] = {}
    if not house.number.strip():
        problems["number"] = [_("请填写房号。")]
    if not -building.basement_floors <= house.floor <= building.floors or house.floor == 0:
        problems["floor"] = [
            _("楼层须在 1 到 %(floors)s 之间（该楼栋共 %(floors)s 层）。") % {"floors": building.floors}
        ]
    if house.building_area is None or house.building_area <= 0:
        problems["building_area"] = [_("建筑面积须大于 0。")]
    if house.usable_area is None or house.usable_area <= 0:
        problems["usable_area"] = [_("套内面积须大于 0。")]
    elif house.building_area and house.usable_area > house.building_area:
        problems["usable_area"] = [_("套内面积不能大于建筑面积。")]
    if house.fee_coefficient is None or house.fee_coefficient <= 0:
        problems["fee_coefficient"] = [_("收费系数须大于 0。")]
    if house.use not in HouseUse.values:
        problems["use"] = [_("用途无效。")]
    if house.status not in HouseStatus.values:
        problems["status"] = [_("状态无效。")]
    clash = House.objects.filter(unit_id=house.unit_id, number=house.number.strip())
    if house.pk:
        clash = clash.exclude(pk=house.pk)
    if clash.exists():
        problems["number"] = [_("该单元已有此房号。")]
    return problems


def _house_view(house: House) -> dict[str, Any]:
    return {field: str(getattr(house, field)) for field in sorted(_HOUSE_FIELDS)}


def _save_house(house: House, *, actor: Any, action: str, before: dict | None) -> House:
    building = Building.objects.select_for_update().get(pk=house.unit.building_id)
    house.number = text.clean_name(house.number)  # a full-width "１０１" is room 101
    problems = _house_problems(house, building)
    if problems:
        raise DomainError(_("请检查填写的内容。"), fields=problems)
    house.building_id = building.pk
    house.estate_id = building.estate_id
    with conflict_as(
        DomainError(_("该单元已有此房号。"), fields={"number": [_("该单元已有此房号。")]})
    ):  # a concurrent writer took the number between check and save
        house.save()
    _audit(actor, action, house, before, _house_view(house))
    return house


@action
def create_house(*, unit: Unit, actor: Any, **fields: Any) -> House:
    unknown = set(fields) - _HOUSE_FIELDS
    if unknown:
        raise DomainError(_("不能设置这些字段。"), fields={k: [_("不可设置。")] for k in unknown})
    fields.setdefault("layout", "")
    limits.hold(limits.HOUSES, adding=1)
    house = House(unit=unit, binding_code=new_binding_code(), **fields)
    return _save_house(house, actor=actor, action="house.create", before=None)


@action
def update_house(*, house: House, actor: Any, **changes: Any) -> House:
    unknown = set(changes) - _HOUSE_FIELDS
    if unknown:
        raise DomainError(_("不能修改这些字段。"), fields={k: [_("不可修改。")] for k in unknown})
    before = _house_view(house)
    for field, value in changes.items():
        setattr(house, field, value)
    return _save_house(house, actor=actor, action="house.update", before=before)


@action
def delete_house(*, house: House, actor: Any) -> None:
    _audit(actor, "house.delete", house, _house_view(house))
    try:
        with transaction.atomic():  # a savepoint: the refusal below is an answer, not a broken transaction
            house.delete()
    except ProtectedError as exc:
        raise DomainError(_("房屋已有住户记录，不能删除；可将状态改为空置。"), code="in_use", status_code=409) from exc
