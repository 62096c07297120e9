"""Notifications of one company (its schema): the message, its deliveries (one per recipient ×
channel — the in-app one is the inbox item), and each person's preferences."""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    INBOX = "inbox", _("站内消息")
    SMS = "sms", _("短信")
    EMAIL = "email", _("邮件")


class DeliveryStatus(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RETRYING = "retrying", _("重试中")
    SENT = "sent", _("已发送")
    DELIVERED = "delivered", _("已送达")
    FAILED = "failed", _("发送失败")
    DEAD = "dead", _("已放弃")
    SKIPPED = "skipped", _("未发送")


# What a worker may still send; everything else is final until staff retry a failed or dead one.
SENDABLE = (DeliveryStatus.QUEUED, DeliveryStatus.RETRYING)
RETRYABLE_BY_STAFF = (DeliveryStatus.FAILED, DeliveryStatus.DEAD)


class Notification(models.Model):
    """通知 — one occurrence of an event (a bill issued, a binding waiting), with what its templates
    need. Rendered when read (inbox, in the reader's language) or sent (SMS, email)."""

    event = models.CharField(max_length=60)
    context = models.JSONField(default=dict)
    # The caller's idempotency key (a redelivered handler notifies once); empty when none given.
    key = models.CharField(max_length=200, blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["key"], condition=~Q(key=""), name="notification_key_unique"),
        ]
        indexes = [models.Index(fields=["event", "created_at"])]

    def __str__(self) -> str:
        return f"{self.event} #{self.pk}"


class Delivery(models.Model):
    """投递记录 — one notification to one person on one channel: its state, tries and last error.

    (notification, channel, recipient) is unique in the database: the idempotency key that keeps a
    redelivered task from sending twice. The inbox channel's row is the person's inbox item
    (`read_at` its read receipt)."""

    notification = models.ForeignKey(Notification, on_delete=models.CASCADE, related_name="deliveries")
    # None for a bare address (a login code to a phone with no account yet): `to` holds it, sealed.
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    to = models.TextField(blank=True, default="")  # core.crypto-sealed address of a delivery without a recipient
    channel = models.CharField(max_length=10, choices=Channel.choices)
    status = models.CharField(max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.QUEUED)
    # Where it went (masked phone, e-mail), kept for the log once the person's details change.
    address = models.CharField(max_length=200, blank=True, default="")
    attempts = models.PositiveSmallIntegerField(default=0)
    # Staff retries of a failed or dead delivery: each one is sent under a new outbox key.
    round = models.PositiveSmallIntegerField(default=0)
    not_before = models.DateTimeField(null=True, blank=True)  # held back past the recipient's quiet hours
    provider_id = models.CharField(max_length=100, blank=True, default="")
    reason = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["notification", "channel", "recipient"], name="delivery_once_per_channel_recipient"
            ),
            models.CheckConstraint(condition=Q(channel__in=Channel.values), name="delivery_channel_known"),
            models.CheckConstraint(condition=Q(status__in=DeliveryStatus.values), name="delivery_status_known"),
            models.CheckConstraint(condition=Q(read_at__isnull=True) | Q(channel="inbox"), name="delivery_read_inbox"),
            # A bare address: never the inbox (nobody to read it), once per notification and channel.
            models.CheckConstraint(
                condition=Q(recipient__isnull=False) | (~Q(to="") & ~Q(channel="inbox")), name="delivery_someone"
            ),
            models.UniqueConstraint(
                fields=["notification", "channel"],
                condition=Q(recipient__isnull=True),
                name="delivery_once_per_bare_address",
            ),
        ]
        indexes = [
            # The bell: a person's inbox, newest first, and its unread count.
            models.Index(fields=["recipient", "-created_at"], condition=Q(channel="inbox"), name="delivery_inbox"),
            models.Index(
                fields=["recipient"], condition=Q(channel="inbox", read_at__isnull=True), name="delivery_unread"
            ),
            models.Index(fields=["-updated_at"], condition=Q(status__in=["failed", "dead"]), name="delivery_failures"),
        ]

    def __str__(self) -> str:
        return f"{self.notification_id}/{self.channel}/{self.recipient_id} {self.status}"


class Preference(models.Model):
    """通知设置 — what one person does not want pushed (non-essential events) and when not
    (quiet hours, Asia/Shanghai wall-clock; a window may pass midnight, 22:00–07:00)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    muted_events = ArrayField(models.CharField(max_length=60), default=list, blank=True)
    quiet_start = models.TimeField(null=True, blank=True)
    quiet_end = models.TimeField(null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(quiet_start__isnull=True, quiet_end__isnull=True)
                | Q(quiet_start__isnull=False, quiet_end__isnull=False),
                name="preference_quiet_hours_whole",
            ),
        ]

    def __str__(self) -> str:
        return f"preferences of {self.user_id}"
