from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class OutboxStatus(models.TextChoices):
    PENDING = "pending", _("待处理")
    DONE = "done", _("已完成")
    DEAD = "dead", _("已放弃")


class OutboxMessage(models.Model):
    """发件箱消息 — one piece of outgoing work, written in the transaction of the action that caused it.

    A worker may take it once `available_at` has passed (the backoff after a failure) and nobody
    holds it (`leased_until`, so it is never worked on twice at once); the sweeper hands it to the
    broker again when it was last sent long enough ago (`sent_at`) and is still not done.
    """

    schema_name = models.CharField(max_length=63)
    topic = models.CharField(max_length=100)
    key = models.CharField(max_length=200, help_text="idempotency key, unique per schema")
    payload = models.JSONField(default=dict)
    status = models.CharField(max_length=8, choices=OutboxStatus.choices, default=OutboxStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    max_attempts = models.PositiveSmallIntegerField(default=5)
    available_at = models.DateTimeField(default=timezone.now)
    leased_until = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(default=timezone.now)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["schema_name", "key"], name="outbox_key_unique_per_schema"),
            models.CheckConstraint(condition=Q(status__in=["pending", "done", "dead"]), name="outbox_status_known"),
            models.CheckConstraint(condition=Q(attempts__lte=models.F("max_attempts")), name="outbox_attempts_bounded"),
            models.CheckConstraint(
                condition=Q(status="pending", finished_at__isnull=True)
                | Q(~Q(status="pending"), finished_at__isnull=False),
                name="outbox_finished_when_final",
            ),
        ]
        indexes = [
            # The sweeper's one query over every company: pending work, oldest send first.
            models.Index(fields=["sent_at"], condition=Q(status="pending"), name="outbox_pending_by_sent"),
            models.Index(fields=["status", "finished_at"], name="outbox_finished"),
        ]

    def __str__(self) -> str:
        return f"{self.schema_name}:{self.topic}:{self.key} {self.status}"
