"""Estates (小区), buildings, units and houses. Tables live in each company's schema."""

from django.apps import AppConfig


class EstatesConfig(AppConfig):
    name = "tenants.estates"
    label = "estates"
    verbose_name = "Estates"
