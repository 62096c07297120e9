"""Beat's schedules are the platform's: django-celery-beat's tables live in the public schema only
(config.beat reads them there), a migration drops the empty copies company schemas had, and
entries for every company still reach every company (never the template, never a spare)."""

from __future__ import annotations

import importlib
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.db import connection

from config.beat import CompanyScheduler

pytestmark = pytest.mark.django_db

drop_migration = importlib.import_module("core.migrations.0002_beat_tables_public_only")


def _beat_tables(schema: str) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = %s AND tablename LIKE 'django\\_celery\\_beat%%'",
            [schema],
        )
        return {row[0] for row in cursor.fetchall()}


def test_beat_is_a_public_only_app():
    assert "django_celery_beat" in settings.SHARED_APPS
    assert "django_celery_beat" not in settings.TENANT_APPS


def test_company_schemas_have_no_beat_tables(company_a):
    assert _beat_tables("public") >= set(drop_migration.BEAT_TABLES)
    assert _beat_tables(company_a.schema_name) == set()
    assert _beat_tables(settings.TENANT_BASE_SCHEMA) == set()


def test_the_migration_drops_a_companys_beat_tables_and_never_the_public_ones(company_a):
    schema = company_a.schema_name
    with connection.cursor() as cursor:
        for table in drop_migration.BEAT_TABLES[:2]:
            cursor.execute(f'CREATE TABLE "{schema}"."{table}" (id int)')  # as an older schema had them
    with connection.schema_editor() as editor:
        connection.set_schema(schema)
        drop_migration.drop_beat_tables(None, editor)
        connection.set_schema_to_public()
        assert _beat_tables(schema) == set()
        drop_migration.drop_beat_tables(None, editor)  # on the public schema: nothing
    assert _beat_tables("public") >= set(drop_migration.BEAT_TABLES)


def test_the_scheduler_reads_schedules_in_public_and_sends_to_every_company(company_a, company_b, monkeypatch):
    from config.celery import app

    scheduler = CompanyScheduler.__new__(CompanyScheduler)  # its database reads, without a beat
    assert scheduler.get_schema_names() == ["public"]
    CompanyScheduler.Changes.last_change()  # one read, in public (it raised in a company's schema's absence)
    sent: list[str] = []
    monkeypatch.setattr(
        CompanyScheduler,
        "apply_async",
        lambda self, entry, **kwargs: sent.append(connection.schema_name) or SimpleNamespace(id="sent"),
    )
    scheduler.app = app
    entry = SimpleNamespace(name="every-company", task="t", options={"headers": {"_all_tenants_only": True}})
    scheduler.apply_entry(entry)
    assert {company_a.schema_name, company_b.schema_name} <= set(sent)
    assert settings.TENANT_BASE_SCHEMA not in sent and "public" not in sent
    assert not any(name.startswith("spare_") for name in sent)
