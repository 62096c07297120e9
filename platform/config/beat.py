"""Celery beat's scheduler: django-celery-beat's database schedules, sent to every company.

tenant-schemas-celery's scheduler sends "all tenants" entries to every tenant row; the template
schema new companies are cloned from must never run tasks (whatever they wrote would be copied
into every future company), so it is left out here.
"""

from django.conf import settings
from tenant_schemas_celery.db_scheduler import TenantAwareDatabaseScheduler


class CompanyScheduler(TenantAwareDatabaseScheduler):
    @classmethod
    def get_queryset(cls):
        return super().get_queryset().exclude(schema_name=settings.TENANT_BASE_SCHEMA)

    def get_tenant_schema_names(self, exclude_schemas: list[str]) -> list[str]:
        return super().get_tenant_schema_names([*exclude_schemas, settings.TENANT_BASE_SCHEMA])
