"""Shared building blocks: errors, field encryption, pagination, request context, health, jobs.

Tables live in BOTH schemas: the public schema (platform jobs such as provisioning guards) and
every company's schema (that company's long-running jobs and task guards).
"""

from django.apps import AppConfig

from core import adapters
from core.schemas import Schema

# Production must not encrypt personal data under a key derived from, or beside, a known secret.
adapters.register_guard("data-keys", "core.crypto.data_key_problems")


class CoreConfig(AppConfig):
    name = "core"
    schema = Schema.BOTH
    verbose_name = "Core"

    def ready(self) -> None:
        # Every app's apps.py (where adapters register) is imported before any ready() runs.
        adapters.refuse_unsafe_start()
