from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from core.outbox import services
from core.outbox.models import OutboxMessage, OutboxStatus


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin[OutboxMessage]):
    """The operator's view of outgoing work: what is stuck, what was given up and why."""

    list_display = ["id", "schema_name", "topic", "status", "attempts", "max_attempts", "created_at", "finished_at"]
    list_filter = ["status", "topic"]
    search_fields = ["schema_name", "key", "topic"]
    readonly_fields = [field.name for field in OutboxMessage._meta.fields]
    actions = ["retry"]

    def has_add_permission(self, request: HttpRequest) -> bool:  # messages are written by actions only
        return False

    @admin.action(description=_("重新发送选中的已放弃消息"))
    def retry(self, request: HttpRequest, queryset: QuerySet[OutboxMessage]) -> None:
        retried = sum(
            services.retry_dead(message_id=pk)
            for pk in queryset.filter(status=OutboxStatus.DEAD).values_list("pk", flat=True)
        )
        self.message_user(request, _("已重新发送 %(n)s 条消息。") % {"n": retried}, messages.SUCCESS)
