"""Community activities (社区活动): events a company publishes to its owners, who sign up in the
mini-program (a waiting list when full), check in by a QR code at the event, with participation
figures. Tables live in each company's schema."""

from django.apps import AppConfig

from core.schemas import Schema


class ActivitiesConfig(AppConfig):
    name = "tenants.activities"
    schema = Schema.COMPANY
    label = "activities"
    verbose_name = "Activities"

    def ready(self) -> None:
        from tenants.activities import events  # noqa: F401  registers the notification events
