"""Estates (小区), buildings, units and houses. Tables live in each company's schema."""

from django.apps import AppConfig

from core.schemas import Schema


class EstatesConfig(AppConfig):
    name = "tenants.estates"
    schema = Schema.COMPANY
    label = "estates"
    verbose_name = "Estates"
