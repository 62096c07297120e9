"""Repair categories, repair orders and each order's timeline."""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.storage import private_storage
from tenants.estates.models import Building, Estate, House


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
    # The SLA warning goes out when this share of an order's time has passed (fixed at filing).
    sla_warning_percent = models.PositiveSmallIntegerField(_("超时预警（时限的百分比）"), default=80)
    auto_close_days = models.PositiveSmallIntegerField(_("完工后未确认自动关闭天数"), default=7)
    # The one-off fee item a paid repair's fee is charged under (billing.services.service_charges).
    fee_item = models.ForeignKey(
        "billing.FeeItem",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("维修费收费项目"),
    )

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
    # The SLA timer (services.sla): when to warn, and when the warning and the escalation went out —
    # each set once by a conditional UPDATE, so a redelivered sweep tells nobody twice.
    sla_warn_at = models.DateTimeField(null=True, blank=True)
    sla_warned_at = models.DateTimeField(null=True, blank=True)
    sla_escalated_at = models.DateTimeField(null=True, blank=True)
    # The first acceptance (accept or grab), as the timeline has it: kept on the order so the time to
    # accept is an aggregate over orders, not a join with every timeline entry.
    accepted_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    # Recorded by the worker at completion; a paid category's fee is charged to the house.
    materials = models.CharField(_("所用材料"), max_length=500, blank=True, default="")
    fee = models.DecimalField(_("维修费"), max_digits=12, decimal_places=2, null=True, blank=True)
    # The source of the fee's charge on the billing ledger (services.fees), "" when none was posted.
    charge_source = models.CharField(max_length=64, blank=True, default="")
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
            # The SLA sweep's three scans (services.sla), each over the few rows still waiting.
            models.Index(
                fields=["sla_warn_at"],
                condition=Q(status__in=OPEN_STATUSES, sla_warned_at__isnull=True, sla_warn_at__isnull=False),
                name="repair_order_sla_warn",
            ),
            models.Index(
                fields=["due_at"],
                condition=Q(status__in=OPEN_STATUSES, sla_escalated_at__isnull=True, due_at__isnull=False),
                name="repair_order_sla_due",
            ),
            models.Index(fields=["completed_at"], condition=Q(status=Status.COMPLETED), name="repair_order_auto_close"),
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
            models.CheckConstraint(condition=Q(fee__isnull=True) | Q(fee__gte=0), name="repair_order_fee_not_negative"),
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
    at = models.DateTimeField(default=timezone.now)  # the move's own moment (the order's accepted_at, completed_at)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.transition}: {self.from_status} → {self.to_status}"


class PhotoKind(models.TextChoices):
    PROBLEM = "problem", _("报修照片")
    PROGRESS = "progress", _("维修过程")
    RESULT = "result", _("完工照片")


def _photo_path(instance: RepairPhoto, filename: str) -> str:
    # Private storage (PRIVATE_ROOT/<schema>/, never served by URL); the token keeps names unguessable.
    return f"repairs/photos/{instance.token}/{filename}"


class RepairPhoto(models.Model):
    """报修照片 — a photo of a repair: uploaded first (order empty), then attached to an order when it is
    filed or moved, with the timeline entry of that step. Stored re-encoded (EXIF gone, orientation
    applied) in the company's private storage; served only through the permission-checked views."""

    token = models.CharField(max_length=32, unique=True, editable=False)
    order = models.ForeignKey(RepairOrder, on_delete=models.CASCADE, null=True, blank=True, related_name="photos")
    entry = models.ForeignKey(TimelineEntry, on_delete=models.CASCADE, null=True, blank=True, related_name="photos")
    kind = models.CharField(_("类型"), max_length=16, choices=PhotoKind.choices, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    file = models.FileField(upload_to=_photo_path, max_length=200, storage=private_storage)
    thumbnail = models.FileField(upload_to=_photo_path, max_length=200, storage=private_storage)
    content_type = models.CharField(max_length=20)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    size = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["uploaded_by", "order"], name="repair_photo_uploader")]
        constraints = [
            models.CheckConstraint(
                condition=Q(order__isnull=True, entry__isnull=True, kind="") | (Q(order__isnull=False) & ~Q(kind="")),
                name="repair_photo_attached_has_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"photo {self.pk} of order {self.order_id}"


class DispatchRule(models.Model):
    """派单规则 — an auto-dispatch rule: orders of a category (a first-level one covers its children),
    optionally only in an estate or a building, go to a worker. Several rules of one scope make a
    team, shared by workload (services.dispatch_rules)."""

    category = models.ForeignKey(RepairCategory, on_delete=models.CASCADE, related_name="dispatch_rules")
    estate = models.ForeignKey(Estate, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    building = models.ForeignKey(Building, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    worker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["category", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["category", "estate", "building", "worker"],
                nulls_distinct=False,
                name="repair_dispatch_rule_unique",
            ),
            models.CheckConstraint(
                condition=Q(building__isnull=True) | Q(estate__isnull=False),
                name="repair_dispatch_rule_building_in_estate",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.category_id}/{self.estate_id}/{self.building_id} → {self.worker_id}"


class ListVersion(models.Model):
    """One row whose `version` a statement trigger bumps on every change to repair orders, their
    photos and categories (migration 0007): the dispatcher's list cache (api/list_cache.py) keys its
    pages by it, so no write path — a service, a task, a bulk statement, psql — can leave a stale
    page behind. The row's lock is held by the writing transaction until it commits, so a reader
    never sees the new version before the data it stands for."""

    version = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(id=1), name="repair_list_version_single_row")]

    def __str__(self) -> str:
        return f"repair list v{self.version}"
