"""Feedback (投诉建议) from owners: complaints, suggestions, consultations and praise, each with its
timeline and photos, and the company's reply rule."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.storage import private_storage
from tenants.estates.models import Estate, House


class Kind(models.TextChoices):
    COMPLAINT = "complaint", _("投诉")
    SUGGESTION = "suggestion", _("建议")
    CONSULTATION = "consultation", _("咨询")
    PRAISE = "praise", _("表扬")


class Status(models.TextChoices):
    SUBMITTED = "submitted", _("待处理")
    ASSIGNED = "assigned", _("处理中")
    REPLIED = "replied", _("已回复")
    RESOLVED = "resolved", _("已解决")
    CLOSED = "closed", _("已关闭")
    WITHDRAWN = "withdrawn", _("已撤回")


# Waiting for the company's reply: the reply-time rule runs only while an item is in one of these.
AWAITING_REPLY = (Status.SUBMITTED, Status.ASSIGNED)


class FeedbackSettings(models.Model):
    """投诉建议设置 — the company's reply rule (one row)."""

    reply_hours = models.PositiveSmallIntegerField(_("回复时限（小时）"), default=24)

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(id=1), name="feedback_settings_single_row")]

    def __str__(self) -> str:
        return f"reply within {self.reply_hours} hours"


class Feedback(models.Model):
    """投诉建议 — one item an owner filed."""

    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    house = models.ForeignKey(House, on_delete=models.PROTECT, null=True, blank=True, related_name="feedback")
    estate = models.ForeignKey(Estate, on_delete=models.PROTECT, null=True, blank=True, related_name="feedback")
    description = models.TextField(_("内容"), max_length=1000)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # Only a suggestion may be anonymous: the staff then see neither the owner nor the house.
    anonymous = models.BooleanField(_("匿名"), default=False)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.SUBMITTED)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reply = models.TextField(_("回复"), max_length=1000, blank=True)
    replied_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    rating = models.PositiveSmallIntegerField(_("满意度"), null=True, blank=True)
    # Fixed at filing from the company's rule (a later change of the rule moves no running clock).
    reply_due_at = models.DateTimeField(_("回复时限"))
    # When the overdue notice went out: set once, by a conditional UPDATE in the notice's action.
    overdue_notified_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["-created_at", "-id"], name="feedback_created"),
            models.Index(fields=["status", "-created_at"], name="feedback_status"),
            models.Index(fields=["owner", "-created_at"], name="feedback_owner"),
            models.Index(
                fields=["reply_due_at"],
                condition=Q(status__in=AWAITING_REPLY, overdue_notified_at__isnull=True),
                name="feedback_overdue_sweep",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(anonymous=False) | Q(kind=Kind.SUGGESTION), name="feedback_only_suggestions_anonymous"
            ),
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5), name="feedback_rating_1_5"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.pk}"


class TimelineEntry(models.Model):
    """A step of a feedback item: who, when, from what to what, with a note (the reply, the reason)."""

    feedback = models.ForeignKey(Feedback, on_delete=models.CASCADE, related_name="timeline")
    transition = models.CharField(max_length=20)
    from_status = models.CharField(max_length=16, choices=Status.choices, blank=True)
    to_status = models.CharField(max_length=16, choices=Status.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    note = models.CharField(max_length=1000, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.transition}: {self.from_status} → {self.to_status}"


def _photo_path(instance: FeedbackPhoto, filename: str) -> str:
    # Private storage (PRIVATE_ROOT/<schema>/, never served by URL); the token keeps names unguessable.
    return f"feedback/photos/{instance.token}/{filename}"


class FeedbackPhoto(models.Model):
    """A photo of a feedback item: uploaded first (item empty), attached when the owner files."""

    token = models.CharField(max_length=32, unique=True, editable=False)
    feedback = models.ForeignKey(Feedback, on_delete=models.CASCADE, null=True, blank=True, related_name="photos")
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
        indexes = [models.Index(fields=["uploaded_by", "feedback"], name="feedback_photo_uploader")]

    def __str__(self) -> str:
        return f"photo {self.pk} of feedback {self.feedback_id}"
