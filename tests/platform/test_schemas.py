"""Every app declares where its tables live (core.schemas); the installed-app lists follow from the
declarations, every model's table is where its app says, and every action refuses the wrong schema."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.conf import settings
from django.db import connection
from django.utils.module_loading import autodiscover_modules
from django_tenants.utils import schema_context

from core import actions
from core.schemas import Schema


def _our_apps():
    return [config for config in apps.get_app_configs() if hasattr(config, "schema")]


def _tables(schema: str) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT table_name FROM information_schema.tables WHERE table_schema = %s", [schema])
        return {row[0] for row in cursor.fetchall()}


def test_every_project_app_declares_its_schema():
    project = [
        c for c in apps.get_app_configs() if c.path.startswith(str(settings.BASE_DIR)) and "site-packages" not in c.path
    ]
    assert project and all(hasattr(c, "schema") for c in project), [c.name for c in project if not hasattr(c, "schema")]


def test_installed_app_lists_follow_the_declarations():
    for config in _our_apps():
        schema = Schema(config.schema)
        assert (config.name in settings.SHARED_APPS) == (schema in (Schema.PUBLIC, Schema.BOTH)), config.name
        assert (config.name in settings.TENANT_APPS) == (schema in (Schema.COMPANY, Schema.BOTH)), config.name


@pytest.mark.django_db
def test_every_model_table_lives_where_its_app_says(company_a):
    public, company = _tables("public"), _tables(company_a.schema_name)
    checked = 0
    for config in _our_apps():
        schema = Schema(config.schema)
        for model in config.get_models():
            if not model._meta.managed or model._meta.proxy:
                continue
            table = model._meta.db_table
            assert (table in public) == (schema in (Schema.PUBLIC, Schema.BOTH)), f"{table} in public"
            assert (table in company) == (schema in (Schema.COMPANY, Schema.BOTH)), (
                f"{table} in {company_a.schema_name}"
            )
            checked += 1
    assert checked > 20


def _actions_of(schema: Schema):
    autodiscover_modules("services")
    found = []
    for name, run in actions.registry.items():
        if run.__module__.startswith("tests."):
            continue
        if actions.schema_of(run) == schema:
            found.append((name, run))
    return found


@pytest.mark.django_db
def test_company_actions_refuse_the_public_schema():
    company_actions = _actions_of(Schema.COMPANY)
    assert len(company_actions) > 30
    with schema_context("public"):
        for name, run in company_actions:
            with pytest.raises(actions.WrongSchema):
                run()  # refused before its arguments are even looked at
            assert connection.schema_name == "public", name


@pytest.mark.django_db
def test_platform_actions_refuse_a_company_schema(company_a):
    platform_actions = _actions_of(Schema.PUBLIC)
    assert {"companies.services.create_signup", "companies.services.fail_signup"} <= {n for n, _ in platform_actions}
    with schema_context(company_a.schema_name):
        for _name, run in platform_actions:
            with pytest.raises(actions.WrongSchema):
                run()
