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
    WECHAT = "wechat", _("微信订阅消息")


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
    # Sent by the urgent lane (notifications.services.lanes): an urgent event never queues behind
    # another's backlog. Copied from the event when written, so the workers' claim needs no join.
    urgent = models.BooleanField(default=False)
    # Sent by the caller inside its request (deliveries.send_at_once: a login code), never by a lane.
    immediate = models.BooleanField(default=False)
    # A worker's claim on the row while it sends its batch (services.batches). A worker killed
    # mid-batch leaves it to lapse, and another worker sends what is still queued; the status,
    # checked under the row lock, keeps a row that went out from going again.
    leased_until = models.DateTimeField(null=True, blank=True)
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
            # The workers' claim: what is still to send in a lane, oldest first.
            models.Index(
                fields=["urgent", "id"],
                condition=Q(status__in=["queued", "retrying"], immediate=False) & ~Q(channel="inbox"),
                name="delivery_to_send",
            ),
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


class WechatTemplate(models.Model):
    """微信订阅消息模板 — the company's mini-program template for one event: its id (chosen in the
    mini-program's console) and which context value fills each keyword (thing1, amount2, time3 …)."""

    event = models.CharField(max_length=60, unique=True)
    template_id = models.CharField(max_length=64)
    # WeChat keyword -> context key of the event ("thing1" -> "house"); "_title" is the rendered title.
    fields = models.JSONField(default=dict)
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.event} -> {self.template_id}"


class WechatSubscription(models.Model):
    """订阅消息次数 — how many one-time subscriptions an owner has given a template in the owner app
    (wx.requestSubscribeMessage): each accepted request is one message WeChat lets us send."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    template_id = models.CharField(max_length=64)
    credits = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "template_id"], name="wechat_subscription_once"),
            models.CheckConstraint(condition=Q(credits__gte=0), name="wechat_subscription_credits_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id}/{self.template_id}: {self.credits}"


class WechatCreditUse(models.Model):
    """One subscription spent on one delivery: unique per delivery, so a delivery spends at most one."""

    delivery = models.OneToOneField(Delivery, on_delete=models.CASCADE, related_name="+")
    template_id = models.CharField(max_length=64)
    used_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"delivery {self.delivery_id}: {self.template_id}"


class Language(models.TextChoices):
    """The languages a template is written in (settings.LANGUAGES)."""

    ZH_HANS = "zh-hans", "简体中文"
    EN = "en", "English"


class TemplateOverride(models.Model):
    """通知模板 — a company's own wording of one event on one channel in one language, with the
    event's %(name)s placeholders only (notifications.wording checks it). Without one the code's
    default (notifications.events, in that language) is used. On SMS the body is the text the
    company had approved by the provider: its placeholders, in order, are the template's parameters."""

    event = models.CharField(max_length=60)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    language = models.CharField(max_length=10, choices=Language.choices)
    title = models.CharField(max_length=200, blank=True, default="")
    body = models.TextField()
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["event", "channel", "language"], name="template_override_once"),
            models.CheckConstraint(condition=Q(channel__in=Channel.values), name="template_override_channel_known"),
            models.CheckConstraint(condition=Q(language__in=Language.values), name="template_override_language_known"),
        ]

    def __str__(self) -> str:
        return f"{self.event}/{self.channel}/{self.language}"


class EventSetting(models.Model):
    """通知发送设置 — the company's choices for one event: the channels it turned off (never the
    inbox, never an essential event's) and the ID of its approved SMS template with the provider."""

    event = models.CharField(max_length=60, unique=True)
    disabled_channels = ArrayField(models.CharField(max_length=10), default=list, blank=True)
    sms_template_id = models.CharField(max_length=32, blank=True, default="")
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=~Q(disabled_channels__contains=["inbox"]), name="event_setting_inbox_stays"
            ),
        ]

    def __str__(self) -> str:
        return f"settings of {self.event}"


class SmsSettings(models.Model):
    """短信设置 — the company's SMS signature (签名), approved with the provider; one row."""

    singleton = models.BooleanField(default=True, unique=True)
    sign_name = models.CharField(max_length=20, blank=True, default="")
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(singleton=True), name="sms_settings_one_row")]

    def __str__(self) -> str:
        return "SMS settings"
