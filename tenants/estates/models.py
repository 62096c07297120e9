from decimal import Decimal

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class Estate(models.Model):
    """小区 — an estate (residential community) the company manages."""

    name = models.CharField(_("名称"), max_length=100, unique=True)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    # Where the estate is (GCJ-02, as Chinese maps give it): owners see how far a merchant is.
    latitude = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("经度"), max_digits=9, decimal_places=6, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(latitude__isnull=True, longitude__isnull=True)
                | Q(
                    latitude__isnull=False,
                    longitude__isnull=False,
                    latitude__gte=-90,
                    latitude__lte=90,
                    longitude__gte=-180,
                    longitude__lte=180,
                ),
                name="estate_location_both_or_neither",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Building(models.Model):
    """楼栋 — a building of an estate; its floor count bounds its houses' floors."""

    estate = models.ForeignKey(Estate, on_delete=models.PROTECT, related_name="buildings")
    name = models.CharField(_("楼栋"), max_length=50)
    floors = models.PositiveSmallIntegerField(_("层数"))
    basement_floors = models.PositiveSmallIntegerField(_("地下层数"), default=0)
    # Unknown unless told (HC's workbooks say 是否有电梯 per building and unit).
    has_elevator = models.BooleanField(_("有电梯"), null=True, blank=True)

    class Meta:
        ordering = ["estate_id", "name"]
        constraints = [
            models.UniqueConstraint(fields=["estate", "name"], name="building_name_unique_in_estate"),
            models.CheckConstraint(condition=Q(floors__gte=1, floors__lte=200), name="building_floors_range"),
        ]

    def __str__(self) -> str:
        return f"{self.estate} {self.name}"


class Unit(models.Model):
    """单元 — a stairwell/entrance of a building."""

    building = models.ForeignKey(Building, on_delete=models.PROTECT, related_name="units")
    name = models.CharField(_("单元"), max_length=50)

    class Meta:
        ordering = ["building_id", "name"]
        constraints = [models.UniqueConstraint(fields=["building", "name"], name="unit_name_unique_in_building")]

    def __str__(self) -> str:
        return f"{self.building} {self.name}"


class HouseUse(models.TextChoices):
    RESIDENTIAL = "residential", _("住宅")
    SHOP = "shop", _("商铺")
    OFFICE = "office", _("办公")
    STORAGE = "storage", _("储藏室")


class HouseStatus(models.TextChoices):
    UNSOLD = "unsold", _("未售")
    VACANT = "vacant", _("空置")
    OCCUPIED = "occupied", _("已入住")
    RENTING = "renting", _("出租中")
    DECORATING = "decorating", _("装修中")


class House(models.Model):
    """房屋 — a house (flat, shop, office) in a unit; the thing fees are charged on."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="houses")
    # Denormalised from unit for filtering whole estates/buildings in one index scan.
    building = models.ForeignKey(Building, on_delete=models.PROTECT, related_name="houses")
    estate = models.ForeignKey(Estate, on_delete=models.PROTECT, related_name="houses")
    number = models.CharField(_("房号"), max_length=20)
    floor = models.SmallIntegerField(_("楼层"))
    building_area = models.DecimalField(_("建筑面积"), max_digits=10, decimal_places=2)
    usable_area = models.DecimalField(_("套内面积"), max_digits=10, decimal_places=2)
    layout = models.CharField(_("户型"), max_length=20, blank=True)
    use = models.CharField(_("用途"), max_length=16, choices=HouseUse.choices, default=HouseUse.RESIDENTIAL)
    status = models.CharField(_("状态"), max_length=16, choices=HouseStatus.choices, default=HouseStatus.UNSOLD)
    fee_coefficient = models.DecimalField(_("收费系数"), max_digits=6, decimal_places=4, default=Decimal("1.0000"))
    # Given by staff to an owner who binds the house in the mini-program without picking it.
    binding_code = models.CharField(_("房屋码"), max_length=12, unique=True)

    class Meta:
        ordering = ["estate_id", "building_id", "unit_id", "floor", "number"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "number"], name="house_number_unique_in_unit"),
            models.CheckConstraint(condition=Q(building_area__gt=0), name="house_building_area_positive"),
            models.CheckConstraint(condition=Q(usable_area__gt=0), name="house_usable_area_positive"),
            models.CheckConstraint(
                condition=Q(usable_area__lte=F("building_area")), name="house_usable_within_building"
            ),
            models.CheckConstraint(condition=Q(fee_coefficient__gt=0), name="house_fee_coefficient_positive"),
        ]
        indexes = [models.Index(fields=["estate", "status"]), models.Index(fields=["building", "floor"])]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return f"{self.building.name}{self.unit.name}{self.number}"
