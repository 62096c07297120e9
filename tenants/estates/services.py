"""Writes for estates, buildings, units and houses."""

from __future__ import annotations

import secrets
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from core.errors import DomainError
from tenants.estates.models import Building, Estate, House, HouseStatus, HouseUse, Unit

_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud over the phone


def new_binding_code() -> str:
    return "".join(secrets.choice(_CODE_ALPHABET) for _ in range(8))


def create_estate(*, name: str, address: str = "") -> Estate:
    try:
        with transaction.atomic():
            return Estate.objects.create(name=name.strip(), address=address.strip())
    except IntegrityError as exc:
        raise DomainError(_("小区名称已存在。"), fields={"name": [_("小区名称已存在。")]}) from exc


@transaction.atomic
def create_building(*, estate: Estate, name: str, floors: int, units: list[str]) -> Building:
    if not 1 <= floors <= 200:
        raise DomainError(_("层数须在 1 到 200 之间。"), fields={"floors": [_("层数须在 1 到 200 之间。")]})
    if not units or len(set(units)) != len(units):
        raise DomainError(_("单元名称不能为空或重复。"), fields={"units": [_("单元名称不能为空或重复。")]})
    if Building.objects.filter(estate=estate, name=name).exists():
        raise DomainError(_("该小区已有同名楼栋。"), fields={"name": [_("该小区已有同名楼栋。")]})
    building = Building.objects.create(estate=estate, name=name, floors=floors)
    Unit.objects.bulk_create([Unit(building=building, name=unit) for unit in units])
    return building


@transaction.atomic
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
) -> list[House]:
    """Every unit gets floors × per_floor houses numbered by `number_format` — all in one go or none."""
    if not 1 <= per_floor <= 50:
        raise DomainError(_("每层户数须在 1 到 50 之间。"), fields={"per_floor": [_("每层户数须在 1 到 50 之间。")]})
    if building_area <= 0 or usable_area <= 0 or usable_area > building_area:
        raise DomainError(
            _("面积须为正数，且套内面积不大于建筑面积。"),
            fields={"usable_area": [_("面积须为正数，且套内面积不大于建筑面积。")]},
        )
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
    try:
        with transaction.atomic():
            return House.objects.bulk_create(houses, batch_size=1000)
    except IntegrityError as exc:
        raise DomainError(_("房号重复：该楼栋已有这些房屋。"), fields={"number_format": [_("房号重复。")]}) from exc
