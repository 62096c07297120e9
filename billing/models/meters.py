"""Meters (水/电/气表) and their readings (抄表), including shared meters (公摊) of a building or estate."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tenants.estates.models import Building, Estate, House


class MeterKind(models.TextChoices):
    WATER = "water", _("水表")
    ELECTRICITY = "electricity", _("电表")
    GAS = "gas", _("燃气表")
    HEAT = "heat", _("热量表")


class SplitBy(models.TextChoices):
    COUNT = "count", _("按户数分摊")
    AREA = "area", _("按建筑面积分摊")


class Register(models.TextChoices):
    TOTAL = "total", _("总")
    PEAK = "peak", _("峰")
    VALLEY = "valley", _("谷")


class Meter(models.Model):
    """表具 — a house's meter, or a shared meter (公摊) of a building or an estate split among its houses."""

    kind = models.CharField(_("类型"), max_length=16, choices=MeterKind.choices)
    number = models.CharField(_("表号"), max_length=40)
    house = models.ForeignKey(House, null=True, blank=True, on_delete=models.PROTECT, related_name="meters")
    building = models.ForeignKey(Building, null=True, blank=True, on_delete=models.PROTECT, related_name="meters")
    estate = models.ForeignKey(Estate, on_delete=models.PROTECT, related_name="meters")
    split_by = models.CharField(_("分摊方式"), max_length=8, choices=SplitBy.choices, blank=True, default="")
    time_of_use = models.BooleanField(_("峰谷计量"), default=False)
    multiplier = models.DecimalField(_("倍率"), max_digits=10, decimal_places=2, default=Decimal("1"))
    # The dial's last value before it turns over to zero (99999 for a five-digit dial); null: never.
    rollover_at = models.DecimalField(_("满量程"), max_digits=14, decimal_places=2, null=True, blank=True)
    initial_reading = models.DecimalField(_("初始读数"), max_digits=14, decimal_places=2, default=Decimal("0"))
    active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["estate_id", "building_id", "house_id", "kind", "number"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "number"], name="meter_number_unique_per_kind"),
            models.CheckConstraint(
                condition=Q(house__isnull=False, split_by="") | Q(house__isnull=True, split_by__in=["count", "area"]),
                name="meter_private_or_shared",
            ),
            models.CheckConstraint(condition=Q(multiplier__gt=0), name="meter_multiplier_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.number}"

    @property
    def shared(self) -> bool:
        return self.house_id is None


class ReadingSource(models.TextChoices):
    STAFF = "staff", _("抄表员")
    IMPORT = "import", _("导入")
    OWNER = "owner", _("业主自报")
    DEVICE = "device", _("智能表")


class ReadingStatus(models.TextChoices):
    OK = "ok", _("正常")
    HELD = "held", _("待复核")
    APPROVED = "approved", _("复核通过")
    REJECTED = "rejected", _("已作废")


class MeterReading(models.Model):
    """抄表记录 — a reading: previous is the meter's last current value; usage counts rollover and multiplier.

    A negative or abnormal usage (over 5× the trailing average) is held for review and not billed
    until approved.
    """

    meter = models.ForeignKey(Meter, on_delete=models.PROTECT, related_name="readings")
    register = models.CharField(_("计度器"), max_length=8, choices=Register.choices, default=Register.TOTAL)
    read_on = models.DateField(_("抄表日期"))
    previous = models.DecimalField(_("上期读数"), max_digits=14, decimal_places=2)
    current = models.DecimalField(_("本期读数"), max_digits=14, decimal_places=2)
    usage = models.DecimalField(_("用量"), max_digits=14, decimal_places=2)
    rolled_over = models.BooleanField(_("表盘翻转"), default=False)
    status = models.CharField(_("状态"), max_length=10, choices=ReadingStatus.choices, default=ReadingStatus.OK)
    hold_reason = models.CharField(_("复核原因"), max_length=200, blank=True, default="")
    source = models.CharField(_("来源"), max_length=10, choices=ReadingSource.choices, default=ReadingSource.STAFF)
    reader = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["meter_id", "register", "read_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["meter", "register", "read_on"],
                condition=~Q(status="rejected"),
                name="reading_once_per_meter_day",
            ),
        ]
        indexes = [models.Index(fields=["meter", "register", "-read_on"]), models.Index(fields=["status"])]

    def __str__(self) -> str:
        return f"{self.meter_id} {self.read_on} {self.current}"
