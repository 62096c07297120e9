from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.storage import private_storage
from tenants.imports import kinds


class ImportStatus(models.TextChoices):
    VALIDATING = "validating", _("校验中")
    INVALID = "invalid", _("有错误")
    READY = "ready", _("可导入")
    COMMITTING = "committing", _("导入中")
    DONE = "done", _("已导入")
    FAILED = "failed", _("失败")


def _upload_path(instance: "Import", filename: str) -> str:
    # Private storage (never served by URL); the token keeps each import's files apart.
    return f"imports/{instance.token}/{filename}"


class Import(models.Model):
    """数据导入 — one uploaded file of one kind (houses, residents, meter readings, … : kinds.py),
    its dry-run findings, then its commit.

    `counts` holds what the file would do or did (rows, create, update, unchanged, errors, …);
    `errors` the first problems found ({row, column, message}), `error_total` all of them.
    """

    # The registered kinds (read when used, so a kind another app registers needs no migration here).
    kind = models.CharField(max_length=kinds.MAX_KEY_LENGTH, choices=kinds.choices)
    status = models.CharField(max_length=16, choices=ImportStatus.choices, default=ImportStatus.VALIDATING)
    token = models.CharField(max_length=32, unique=True, editable=False)
    file_name = models.CharField(_("文件名"), max_length=255)
    file = models.FileField(upload_to=_upload_path, max_length=300, storage=private_storage)
    file_size = models.PositiveIntegerField(default=0)
    report = models.FileField(upload_to=_upload_path, max_length=300, blank=True, storage=private_storage)
    counts = models.JSONField(default=dict, blank=True)
    errors = models.JSONField(default=list, blank=True)
    error_total = models.PositiveIntegerField(default=0)
    # What the file will do that a clerk should check ({row, column, message}): placeholders imported
    # as missing, several people in one cell, relations that end. Never blocking.
    warnings = models.JSONField(default=list, blank=True)
    message = models.CharField(max_length=500, blank=True)
    # Sentences beside the counts (sheets ignored and why, columns not mapped, …): validation.Outcome.notes.
    notes = models.JSONField(default=list, blank=True)
    # The estate chosen at upload, for a kind that asks for one (kinds.ImportKindSpec.estate).
    estate = models.ForeignKey(
        "estates.Estate", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("小区")
    )
    # The job of the current phase (dry run, then commit) whose progress the admin shows.
    job = models.ForeignKey("core.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    committed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    validated_at = models.DateTimeField(null=True, blank=True)
    committed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["kind", "status"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.file_name} ({self.status})"
