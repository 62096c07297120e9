"""Data migration in: estates, buildings, houses and residents from Excel/CSV (and any kind another
app registers, e.g. billing's meter readings), validated in a dry run before an all-or-nothing
commit. Tables live in each company's schema."""

from django.apps import AppConfig

from core.schemas import Schema


class ImportsConfig(AppConfig):
    name = "tenants.imports"
    schema = Schema.COMPANY
    label = "imports"
    verbose_name = "Imports"

    def ready(self) -> None:
        from tenants.imports import builtin_kinds

        builtin_kinds.register()
