"""Residents: owners, family members and renters, their houses, and owners' binding requests from
the mini-program. Tables live in each company's schema."""

from django.apps import AppConfig

from core.schemas import Schema


class ResidentsConfig(AppConfig):
    name = "tenants.residents"
    schema = Schema.COMPANY
    label = "residents"
    verbose_name = "Residents"
