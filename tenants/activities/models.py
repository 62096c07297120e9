"""Activities and their sign-ups."""

from __future__ import annotations

import secrets
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from billing.models import FeeItem
from tenants.estates.models import Estate, House


class Target(models.TextChoices):
    COMPANY = "company", _("全公司")
    ESTATES = "estates", _("指定小区")


class Status(models.TextChoices):
    DRAFT = "draft", _("草稿")
    PUBLISHED = "published", _("报名中")
    CANCELLED = "cancelled", _("已取消")
    FINISHED = "finished", _("已结束")


DEFAULT_REMIND_HOURS = 24
MAX_REMIND_HOURS = 168  # a week


class Activity(models.Model):
    """社区活动 — an event for the owners of the whole company or chosen estates."""

    title = models.CharField(_("标题"), max_length=100)
    description = models.TextField(_("介绍"), blank=True)  # sanitised HTML (core.html)
    cover_url = models.URLField(_("封面图片"), max_length=500, blank=True)
    start_at = models.DateTimeField(_("开始时间"))
    end_at = models.DateTimeField(_("结束时间"))
    place = models.CharField(_("地点"), max_length=200)
    target = models.CharField(_("范围"), max_length=16, choices=Target.choices, default=Target.COMPANY)
    estates = models.ManyToManyField(Estate, blank=True, related_name="+", verbose_name=_("小区"))
    capacity = models.PositiveIntegerField(_("名额（人）"))
    signup_deadline = models.DateTimeField(_("报名截止时间"))
    max_people = models.PositiveSmallIntegerField(_("每次报名最多人数"), default=1)
    # A paid activity: fee per person, charged through billing (a one-off fee item) on the owner's house
    # when the seat is confirmed; the owner pays it with their bills.
    fee = models.DecimalField(_("费用（元/人）"), max_digits=10, decimal_places=2, default=Decimal("0"))
    fee_item = models.ForeignKey(
        FeeItem, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("收费项目")
    )
    # Hours before the start at which the confirmed owners are reminded (tasks.remind_upcoming); 0: no reminder.
    remind_hours_before = models.PositiveSmallIntegerField(_("提前提醒（小时）"), default=DEFAULT_REMIND_HOURS)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("取消或结束时间"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-start_at", "-id"]
        indexes = [models.Index(fields=["status", "end_at"], name="activity_status_end_idx")]

    def __str__(self) -> str:
        return self.title


class SignUpStatus(models.TextChoices):
    CONFIRMED = "confirmed", _("已报名")
    WAITING = "waiting", _("候补中")
    CANCELLED = "cancelled", _("已取消")


ACTIVE = (SignUpStatus.CONFIRMED, SignUpStatus.WAITING)


CHARGE_SOURCE_PREFIX = "activities.signup:"


def new_check_in_code() -> str:
    return secrets.token_urlsafe(12)  # 96 random bits: unguessable, short enough for a QR and typing


class SignUp(models.Model):
    """报名 — an owner's sign-up for `people` seats, confirmed or waiting; its check-in code is the QR."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="signups")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    house = models.ForeignKey(House, on_delete=models.PROTECT, related_name="+")
    people = models.PositiveSmallIntegerField(_("人数"), default=1)
    contact_name = models.CharField(_("联系人"), max_length=50, blank=True)
    status = models.CharField(_("状态"), max_length=16, choices=SignUpStatus.choices)
    check_in_code = models.CharField(max_length=32, unique=True, default=new_check_in_code, editable=False)
    checked_in_at = models.DateTimeField(_("签到时间"), null=True, blank=True)
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    # When the start reminder went out for this sign-up (services.reminders); the notification's key
    # (the activity and the owner) keeps an owner who signs up again from being reminded twice.
    reminded_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "user"],
                condition=Q(status__in=["confirmed", "waiting"]),
                name="activity_signup_once",
            ),
            models.CheckConstraint(condition=Q(people__gte=1), name="activity_signup_people"),
        ]
        indexes = [models.Index(fields=["activity", "status", "created_at"], name="activity_signup_queue_idx")]

    def __str__(self) -> str:
        return f"{self.activity_id}:{self.user_id}:{self.status}"

    @property
    def charge_source(self) -> str:
        """The billing source of this sign-up's fee (billing.services.service_charges)."""
        return f"{CHARGE_SOURCE_PREFIX}{self.pk}"
