from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tenants.estates.models import House


class Relation(models.TextChoices):
    OWNER = "owner", _("业主")
    FAMILY = "family", _("家庭成员")
    RENTER = "renter", _("租户")


class BindingStatus(models.TextChoices):
    PENDING = "pending", _("待审核")
    APPROVED = "approved", _("已通过")
    REJECTED = "rejected", _("已驳回")


class HouseBinding(models.Model):
    """绑定申请 — a mini-program user asks to be linked to a house; staff approve or reject it."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="house_bindings")
    house = models.ForeignKey(House, on_delete=models.CASCADE, related_name="bindings")
    relation = models.CharField(_("关系"), max_length=10, choices=Relation.choices)
    name = models.CharField(_("姓名"), max_length=50)
    status = models.CharField(max_length=10, choices=BindingStatus.choices, default=BindingStatus.PENDING)
    reason = models.CharField(_("驳回原因"), max_length=200, blank=True)
    via_code = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            # One open or granted link per user and house; a rejected one may be asked again.
            models.UniqueConstraint(
                fields=["user", "house"], condition=~Q(status="rejected"), name="binding_once_per_user_house"
            ),
            models.CheckConstraint(
                condition=Q(status="rejected") | Q(reason=""), name="binding_reason_only_when_rejected"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} → {self.house_id} ({self.status})"
