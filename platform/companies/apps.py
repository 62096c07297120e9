"""The company (tenant) registry: companies, domains, plans, subscriptions, signups, branding.

Tables live in the PUBLIC schema only.
"""

from django.apps import AppConfig


class CompaniesConfig(AppConfig):
    name = "companies"
    verbose_name = "Companies"
