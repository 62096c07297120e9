"""Celery beat's scheduler: django-celery-beat's database schedules, sent to every company.

The schedules are the platform's: django-celery-beat's tables live in the public schema only (not
in every company's, where each migrated schema paid for them and each beat tick read them), and
tenant-schemas-celery's "all tenants" entries are sent to every Company row from there. The
template schema new companies can be cloned from must never run tasks (whatever they wrote would
be copied into every future company), so it is left out; spare schemas (companies.pool) are no
Company rows, so no entry reaches them.
"""

from django.conf import settings
from django_celery_beat.models import PeriodicTasks  # type: ignore[import-untyped]
from django_tenants.utils import get_public_schema_name, schema_context
from tenant_schemas_celery.db_scheduler import TenantAwareDatabaseScheduler


class PublicPeriodicTasks:
    """When the schedules last changed: read in the public schema alone (the library's reads it
    again in every company's schema, once per company per tick)."""

    @classmethod
    def last_change(cls):
        with schema_context(get_public_schema_name()):
            return PeriodicTasks.last_change()


class CompanyScheduler(TenantAwareDatabaseScheduler):
    Changes = PublicPeriodicTasks

    @classmethod
    def get_queryset(cls):
        return super().get_queryset().exclude(schema_name=settings.TENANT_BASE_SCHEMA)

    def get_schema_names(self) -> list[str]:
        # Where schedules are read from: the public schema, which alone has the tables.
        return [get_public_schema_name()]
