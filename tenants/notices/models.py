"""Announcements and their read receipts."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tenants.estates.models import Building, Estate


class Kind(models.TextChoices):
    OUTAGE = "outage", _("停水停电")
    ACTIVITY = "activity", _("活动")
    SAFETY = "safety", _("安全")
    GENERAL = "general", _("通知")


ESSENTIAL_KINDS = (Kind.OUTAGE, Kind.SAFETY)


class Target(models.TextChoices):
    COMPANY = "company", _("全公司")
    ESTATES = "estates", _("指定小区")
    BUILDINGS = "buildings", _("指定楼栋")


class Status(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SCHEDULED = "scheduled", _("待发布")
    PUBLISHED = "published", _("已发布")
    WITHDRAWN = "withdrawn", _("已撤回")


class Announcement(models.Model):
    """社区公告 — an announcement to the owners of the whole company, chosen estates or buildings."""

    title = models.CharField(_("标题"), max_length=100)
    body = models.TextField(_("正文"), blank=True)  # sanitised HTML (core.html)
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices, default=Kind.GENERAL)
    target = models.CharField(_("范围"), max_length=16, choices=Target.choices, default=Target.COMPANY)
    estates = models.ManyToManyField(Estate, blank=True, related_name="+", verbose_name=_("小区"))
    buildings = models.ManyToManyField(Building, blank=True, related_name="+", verbose_name=_("楼栋"))
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    publish_at = models.DateTimeField(_("定时发布时间"), null=True, blank=True)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("撤回时间"), null=True, blank=True)
    expires_at = models.DateTimeField(_("过期时间"), null=True, blank=True)
    pinned = models.BooleanField(_("置顶"), default=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-pinned", "-published_at", "-id"]
        indexes = [
            models.Index(fields=["status", "publish_at"], name="notice_due_idx", condition=Q(status="scheduled")),
            models.Index(fields=["-pinned", "-published_at"], name="notice_feed_idx"),
        ]

    def __str__(self) -> str:
        return self.title


class NoticeRead(models.Model):
    """已读 — a user opened an announcement (once per user)."""

    notice = models.ForeignKey(Announcement, on_delete=models.CASCADE, related_name="reads")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    read_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["notice", "user"], name="notice_read_once")]

    def __str__(self) -> str:
        return f"{self.notice_id}:{self.user_id}"
