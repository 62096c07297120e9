"""Complaints and suggestions (投诉建议): owners' feedback, its handling and timeline. Tables live in
each company's schema."""

from django.apps import AppConfig

from core.schemas import Schema


class FeedbackConfig(AppConfig):
    name = "tenants.feedback"
    schema = Schema.COMPANY
    label = "feedback"
    verbose_name = "Feedback"

    def ready(self) -> None:
        from tenants.feedback import events  # noqa: F401  registers the notification events
