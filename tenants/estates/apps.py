"""Estates (小区), buildings, units and houses. Tables live in each company's schema."""

from django.apps import AppConfig

from core.schemas import Schema


class EstatesConfig(AppConfig):
    name = "tenants.estates"
    schema = Schema.COMPANY
    label = "estates"
    verbose_name = "Estates"

    def ready(self) -> None:
        # The plan's house limit counts this company's houses (subscriptions.services.limits).
        from partners.services import admissions
        from subscriptions.services import limits
        from tenants.estates import selectors

        limits.register_counter(limits.HOUSES, selectors.house_count)
        # The estates a vendor is admitted to serve are this company's (partners.services.admissions).
        admissions.register_estate_lookup(selectors.existing_estate_ids)
