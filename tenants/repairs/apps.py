"""Repairs (报修): categories, repair orders, their state machine and timeline. Tables live in each
company's schema."""

from django.apps import AppConfig

from core.schemas import Schema


class RepairsConfig(AppConfig):
    name = "tenants.repairs"
    schema = Schema.COMPANY
    label = "repairs"
    verbose_name = "Repairs"

    def ready(self) -> None:
        from tenants.repairs import events  # noqa: F401  registers the notification events
