"""Repair categories, repair orders and each order's timeline."""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tenants.estates.models import Estate, House


class Urgency(models.TextChoices):
    NORMAL = "normal", _("一般")
    URGENT = "urgent", _("紧急")
    EMERGENCY = "emergency", _("特急")


class DispatchMode(models.TextChoices):
    ASSIGN = "assign", _("调度派单")
    GRAB = "grab", _("师傅抢单")
    ROUND_ROBIN = "round_robin", _("按工作量轮派")


class Scope(models.TextChoices):
    IN_HOUSE = "in_house", _("户内")
    PUBLIC = "public", _("公共区域")


class Status(models.TextChoices):
    SUBMITTED = "submitted", _("待派单")
    DISPATCHED = "dispatched", _("已派单")
    ACCEPTED = "accepted", _("已接单")
    IN_PROGRESS = "in_progress", _("维修中")
    COMPLETED = "completed", _("已完工")
    CONFIRMED = "confirmed", _("已评价")
    CLOSED = "closed", _("已关闭")
    CANCELLED = "cancelled", _("已取消")


OPEN_STATUSES = (Status.SUBMITTED, Status.DISPATCHED, Status.ACCEPTED, Status.IN_PROGRESS)


class RepairCategory(models.Model):
    """报修类别 — a repair category, two levels (水电 › 管道漏水)."""

    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children", verbose_name=_("上级类别")
    )
    name = models.CharField(_("名称"), max_length=50)
    default_urgency = models.CharField(
        _("默认紧急程度"), max_length=16, choices=Urgency.choices, default=Urgency.NORMAL
    )
    # urgency -> hours to complete, e.g. {"normal": 48, "urgent": 8, "emergency": 2}
    sla_hours = models.JSONField(_("时限（小时）"), default=dict, blank=True)
    is_paid = models.BooleanField(_("有偿维修"), default=False)
    dispatch_mode = models.CharField(
        _("派单方式"), max_length=16, choices=DispatchMode.choices, default=DispatchMode.ASSIGN
    )
    scope = models.CharField(_("报修位置"), max_length=16, choices=Scope.choices, default=Scope.IN_HOUSE)
    is_active = models.BooleanField(_("启用"), default=True)
    sort_order = models.PositiveIntegerField(_("排序"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["sort_order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["parent", "name"], name="repair_category_unique_name"),
            models.UniqueConstraint(
                fields=["name"], condition=Q(parent__isnull=True), name="repair_category_unique_top_name"
            ),
        ]

    def __str__(self) -> str:
        return self.path

    @property
    def path(self) -> str:
        return f"{self.parent.name} › {self.name}" if self.parent_id and self.parent else self.name


class RepairSettings(models.Model):
    """报修设置 — the company's repair settings (one row)."""

    reopen_days = models.PositiveSmallIntegerField(_("完工后可重开天数"), default=7)

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(id=1), name="repair_settings_single_row")]

    def __str__(self) -> str:
        return f"reopen within {self.reopen_days} days"


class DayCounter(models.Model):
    """The last order number issued on a day (numbers R20261203-0001 run per day)."""

    day = models.DateField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.day}: {self.last}"


class RepairOrder(models.Model):
    """报修单 — a repair order."""

    number = models.CharField(_("单号"), max_length=20, unique=True)
    house = models.ForeignKey(House, on_delete=models.PROTECT, null=True, blank=True, related_name="repair_orders")
    estate = models.ForeignKey(Estate, on_delete=models.PROTECT, related_name="repair_orders")
    location = models.CharField(_("位置"), max_length=200, blank=True)
    category = models.ForeignKey(RepairCategory, on_delete=models.PROTECT, related_name="orders")
    urgency = models.CharField(_("紧急程度"), max_length=16, choices=Urgency.choices)
    description = models.TextField(_("问题描述"), max_length=1000)
    preferred_visit_at = models.DateTimeField(_("期望上门时间"), null=True, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    contact_name = models.CharField(_("联系人"), max_length=50, blank=True)
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.SUBMITTED)
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    due_at = models.DateTimeField(_("完成时限"), null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    rating = models.PositiveSmallIntegerField(_("评分"), null=True, blank=True)
    rating_tags = ArrayField(models.CharField(max_length=20), default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "-created_at"], name="repair_order_status"),
            models.Index(fields=["worker", "status"], name="repair_order_worker"),
            models.Index(fields=["owner", "-created_at"], name="repair_order_owner"),
            # the staff list's order (newest first) and the statistics' ranges by filing and by completion
            models.Index(fields=["-created_at", "-id"], name="repair_order_created"),
            models.Index(
                fields=["completed_at"], name="repair_order_completed", condition=Q(completed_at__isnull=False)
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(house__isnull=False) | ~Q(location=""), name="repair_order_has_a_place"),
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5), name="repair_order_rating_1_5"
            ),
            models.CheckConstraint(
                condition=Q(status__in=[Status.SUBMITTED, Status.CANCELLED]) | Q(worker__isnull=False),
                name="repair_order_worked_has_worker",
            ),
        ]

    def __str__(self) -> str:
        return self.number


class TimelineEntry(models.Model):
    """A transition of a repair order: who, when, from what to what, with a note."""

    order = models.ForeignKey(RepairOrder, on_delete=models.CASCADE, related_name="timeline")
    transition = models.CharField(max_length=20)
    from_status = models.CharField(max_length=16, choices=Status.choices, blank=True)
    to_status = models.CharField(max_length=16, choices=Status.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    worker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    note = models.CharField(max_length=500, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.transition}: {self.from_status} → {self.to_status}"
