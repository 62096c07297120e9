"""Fee items (收费项目), their prices over time, and which houses they are charged on."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from tenants.estates.models import House


class FeeKind(models.TextChoices):
    PROPERTY = "property", _("物业费")
    WATER = "water", _("水费")
    ELECTRICITY = "electricity", _("电费")
    GAS = "gas", _("燃气费")
    HEATING = "heating", _("取暖费")
    PARKING = "parking", _("停车费")
    GARBAGE = "garbage", _("垃圾处理费")
    SHARED = "shared", _("公摊费")
    RENT = "rent", _("租金")
    DEPOSIT = "deposit", _("押金")
    ONE_OFF = "one_off", _("一次性费用")
    OTHER = "other", _("其他")


class PayerKind(models.TextChoices):
    """Who a fee is charged on. Parking spaces and vehicles come with their modules."""

    HOUSE = "house", _("房屋")


class ChargingMode(models.TextChoices):
    BUILDING_AREA = "building_area", _("建筑面积 × 单价")
    USABLE_AREA = "usable_area", _("套内面积 × 单价")
    FIXED = "fixed", _("固定金额")
    METER = "meter", _("抄表用量 × 单价")
    SHARED_METER = "shared_meter", _("公摊用量 × 单价")
    USAGE = "usage", _("录入用量 × 单价")
    COUNT = "count", _("数量 × 单价")
    TIME = "time", _("时长 × 单价")
    FORMULA = "formula", _("自定义公式")


class BillingTiming(models.TextChoices):
    PREPAID = "prepaid", _("预收（收下一周期）")
    POSTPAID = "postpaid", _("后收（收上一周期）")


class DueRule(models.TextChoices):
    DAY_OF_MONTH = "day_of_month", _("每月固定日")
    DAYS_AFTER_ISSUE = "days_after_issue", _("出账后天数")


class RoundingMode(models.TextChoices):
    HALF_UP = "half_up", _("四舍五入")
    UP = "up", _("向上取整")
    DOWN = "down", _("向下取整")


class RoundingPlace(models.TextChoices):
    FEN = "fen", _("到分")
    JIAO = "jiao", _("到角")
    YUAN = "yuan", _("到元")


class TimeUnit(models.TextChoices):
    MONTH = "month", _("按月")
    DAY = "day", _("按天")


CYCLE_CHOICES = [(0, _("一次性")), (1, _("每月")), (3, _("每季度")), (6, _("每半年")), (12, _("每年"))]
# Cycles step from this anchor, so monthly items bill calendar months and quarterly ones Jan/Apr/Jul/Oct.
NATURAL_ANCHOR = date(2000, 1, 1)


class FeeItem(models.Model):
    """收费项目 — a fee item: what is charged, how it is computed, when it is due and how it is rounded.

    Prices live in FeePrice rows with the date they apply from, so a price change never touches a
    charge already issued: each charge records the inputs it was computed from.
    """

    name = models.CharField(_("名称"), max_length=50, unique=True)
    kind = models.CharField(_("费用类型"), max_length=16, choices=FeeKind.choices)
    payer_kind = models.CharField(_("收费对象"), max_length=16, choices=PayerKind.choices, default=PayerKind.HOUSE)
    mode = models.CharField(_("计费方式"), max_length=16, choices=ChargingMode.choices)
    cycle_months = models.PositiveSmallIntegerField(_("收费周期"), choices=CYCLE_CHOICES, default=1)
    cycle_anchor = models.DateField(_("周期起点"), default=NATURAL_ANCHOR)
    timing = models.CharField(
        _("收费时机"), max_length=10, choices=BillingTiming.choices, default=BillingTiming.PREPAID
    )
    due_rule = models.CharField(_("缴费期限"), max_length=20, choices=DueRule.choices, default=DueRule.DAYS_AFTER_ISSUE)
    due_value = models.PositiveSmallIntegerField(_("期限天数/日"), default=15)
    rounding = models.CharField(_("舍入方式"), max_length=8, choices=RoundingMode.choices, default=RoundingMode.HALF_UP)
    rounding_place = models.CharField(
        _("舍入精度"), max_length=8, choices=RoundingPlace.choices, default=RoundingPlace.FEN
    )
    time_unit = models.CharField(_("计时单位"), max_length=8, choices=TimeUnit.choices, default=TimeUnit.MONTH)
    meter_kind = models.CharField(_("表具类型"), max_length=16, blank=True, default="")
    valid_from = models.DateField(_("生效日期"))
    valid_until = models.DateField(_("失效日期"), null=True, blank=True)  # exclusive
    balance_may_pay = models.BooleanField(_("允许预存款抵扣"), default=True)
    payable_online = models.BooleanField(_("允许线上缴费"), default=True)
    # A late-fee policy (billing.late_fees.policy_from_config); {} means none.
    late_fee = models.JSONField(_("滞纳金规则"), default=dict, blank=True)
    active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["kind", "name"]
        constraints = [
            models.CheckConstraint(condition=Q(cycle_months__in=[0, 1, 3, 6, 12]), name="fee_item_cycle_known"),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gt=F("valid_from")),
                name="fee_item_validity_ordered",
            ),
            models.CheckConstraint(
                condition=~Q(due_rule="day_of_month") | Q(due_value__gte=1, due_value__lte=28),
                name="fee_item_due_day_in_month",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def periodic(self) -> bool:
        return self.cycle_months > 0


class FeePrice(models.Model):
    """A fee item's price from a date on: unit price (4 places), fixed extra, tiers or formula."""

    fee_item = models.ForeignKey(FeeItem, on_delete=models.CASCADE, related_name="prices")
    effective_from = models.DateField(_("起始日期"))
    unit_price = models.DecimalField(_("单价"), max_digits=12, decimal_places=4, default=Decimal("0"))
    fixed_extra = models.DecimalField(_("附加费"), max_digits=12, decimal_places=2, default=Decimal("0"))
    # 阶梯 bands: [[upper bound or null, unit price], ...] as strings; empty = one flat unit price.
    tiers = models.JSONField(_("阶梯价格"), default=list, blank=True)
    # Per-register prices of a time-of-use meter: {"peak": "0.5583", "valley": "0.3583"}.
    register_prices = models.JSONField(_("峰谷单价"), default=dict, blank=True)
    formula = models.CharField(_("计费公式"), max_length=500, blank=True, default="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["fee_item_id", "-effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["fee_item", "effective_from"], name="fee_price_once_per_date"),
            models.CheckConstraint(condition=Q(unit_price__gte=0), name="fee_price_unit_nonnegative"),
            models.CheckConstraint(condition=Q(fixed_extra__gte=0), name="fee_price_extra_nonnegative"),
        ]

    def __str__(self) -> str:
        return f"{self.fee_item_id}@{self.effective_from}"


class FeeAssignment(models.Model):
    """收费对象 — a fee item charged on one house over [start, end); a change closes one and opens another."""

    fee_item = models.ForeignKey(FeeItem, on_delete=models.PROTECT, related_name="assignments")
    house = models.ForeignKey(House, on_delete=models.PROTECT, related_name="fee_assignments")
    start = models.DateField(_("计费开始"))
    end = models.DateField(_("计费结束"), null=True, blank=True)  # exclusive
    # The count for per-count items, the months/days for timed ones, a fixed usage: 1 unless set.
    quantity = models.DecimalField(_("数量"), max_digits=12, decimal_places=4, default=Decimal("1"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["house_id", "fee_item_id", "start"]
        constraints = [
            models.UniqueConstraint(
                fields=["house", "fee_item"], condition=Q(end__isnull=True), name="fee_assignment_one_open"
            ),
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gt=F("start")), name="fee_assignment_dates_ordered"
            ),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="fee_assignment_quantity_positive"),
        ]
        # A bill run reads one item's assignments a chunk of houses at a time.
        indexes = [models.Index(fields=["fee_item", "house"]), models.Index(fields=["fee_item", "start"])]

    def __str__(self) -> str:
        return f"{self.fee_item_id}→{self.house_id} [{self.start}, {self.end})"
