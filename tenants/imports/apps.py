"""Data migration in: estates, buildings, houses and residents from Excel/CSV, validated in a dry run
before an all-or-nothing commit. Tables live in each company's schema."""

from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "tenants.imports"
    label = "imports"
    verbose_name = "Imports"
