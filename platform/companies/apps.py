"""The company (tenant) registry: companies, domains, plans, subscriptions, signups, branding.

Tables live in the PUBLIC schema only.
"""

from django.apps import AppConfig

from core.schemas import Schema


class CompaniesConfig(AppConfig):
    name = "companies"
    schema = Schema.PUBLIC
    verbose_name = "Companies"
