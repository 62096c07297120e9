"""The demo company and its data (`manage.py seed_demo`). No tables."""

from django.apps import AppConfig

from core.schemas import Schema


class DemoConfig(AppConfig):
    name = "tenants.demo"
    schema = Schema.COMPANY
    label = "demo"
    verbose_name = "Demo data"
