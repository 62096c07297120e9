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

        from django.db import models
        from rest_framework import serializers

        from core.api_fields import BoundedDateField

        # Every ModelSerializer's date fields are bounded (no 9999-12-31 move-outs), without
        # each serializer having to remember it.
        serializers.ModelSerializer.serializer_field_mapping[models.DateField] = BoundedDateField
