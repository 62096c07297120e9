"""A deploy's migrate_schemas skips the schemas with nothing to migrate and migrates the others, in
parallel (core.migrate_executor); django-tenants' own executors stay available by name."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.db import connection
from django_tenants.migration_executors.standard import StandardExecutor

from core import migrate_executor
from tests.deploy.compose_env import ROOT

pytestmark = pytest.mark.django_db


def test_every_migrated_schema_is_current(company_a, company_b):
    schemas = ["public", company_a.schema_name, company_b.schema_name, "tenant_template"]
    assert migrate_executor.schemas_behind(schemas) == []


def test_a_schema_missing_a_leaf_migration_or_its_table_is_behind(company_a, company_b):
    app, name = sorted(migrate_executor.leaf_migrations())[0]
    with connection.cursor() as cursor:
        cursor.execute(
            f'DELETE FROM "{company_b.schema_name}".django_migrations WHERE app = %s AND name = %s', [app, name]
        )
        cursor.execute('CREATE SCHEMA "deploy_empty"')
    behind = migrate_executor.schemas_behind(["public", company_a.schema_name, company_b.schema_name, "deploy_empty"])
    assert behind == [company_b.schema_name, "deploy_empty"]


def test_the_executor_is_the_default_and_the_others_remain_by_name():
    assert migrate_executor.get_executor(None) is migrate_executor.SkipCurrentExecutor
    assert migrate_executor.get_executor("standard") is StandardExecutor


SETUP = """
import sys, django
django.setup()
from django.db import connection
from companies.models import Company
schemas = sys.argv[2:]
if sys.argv[1] == "add":
    Company.objects.bulk_create([Company(schema_name=s, slug=s.replace("_", "-"), name=s) for s in schemas])
    with connection.cursor() as cursor:
        for s in schemas:
            cursor.execute(f'CREATE SCHEMA "{s}"')
else:
    Company.objects.filter(schema_name__in=schemas).delete()
    with connection.cursor() as cursor:
        for s in schemas:
            cursor.execute(f'DROP SCHEMA IF EXISTS "{s}" CASCADE')
"""


@pytest.mark.worker  # commits: registers two companies with empty schemas, removed afterwards
def test_migrate_schemas_migrates_only_the_schemas_behind_in_parallel(company_a):
    test_database = connection.settings_dict["NAME"]
    env = {
        **os.environ,
        "DATABASE_URL": os.environ["DATABASE_URL"].rsplit("/", 1)[0] + f"/{test_database}",
        "PYTHONPATH": f"{ROOT / 'platform'}:{ROOT}",
        "WUYE_MIGRATE_PROCESSES": "2",
    }
    new = ["c_deploy_new_one", "c_deploy_new_two"]

    def run(*args: str) -> subprocess.CompletedProcess:
        done = subprocess.run(args, env=env, cwd=ROOT, capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
        return done

    run(sys.executable, "-c", SETUP, "add", *new)
    try:
        migrated = run(sys.executable, "manage.py", "migrate_schemas", "--tenant").stdout
        total = migrated.count("=== Starting migration")
        assert total == 2, migrated[-3000:]
        for schema in new:
            assert f"skip-current:{schema}] === Starting migration" in migrated
        assert company_a.schema_name not in migrated
        assert "schemas are up to date" in migrated
        again = run(sys.executable, "manage.py", "migrate_schemas").stdout
        assert "=== Starting migration" not in again and "Applying" not in again
    finally:
        run(sys.executable, "-c", SETUP, "remove", *new)
