"""The demo company and its data (`manage.py seed_demo`). No tables."""

from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "tenants.demo"
    label = "demo"
    verbose_name = "Demo data"
