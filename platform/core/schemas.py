"""Where each app's tables live: the public schema, every company's schema, or both.

Each of our apps declares it on its AppConfig (`schema = Schema.COMPANY`); the settings compute
SHARED_APPS / TENANT_APPS from those declarations, and tests/platform/test_schemas.py holds every
model's table and every action (core.actions) to them — the line Sentry's silo split draws between
control and region, drawn here between the platform and each company.
"""

from __future__ import annotations

import importlib
import inspect
from enum import StrEnum


class Schema(StrEnum):
    PUBLIC = "public"  # the platform: company registry, plans, signups, the outbox
    COMPANY = "company"  # one property company's own data
    BOTH = "both"  # building blocks every schema has (users, audit trail, jobs)


def declared_schema(app: str) -> Schema:
    """The `schema` declared by the AppConfig in `<app>.apps` (read before Django is set up)."""
    module = importlib.import_module(f"{app}.apps")
    configs = [
        value
        for value in vars(module).values()
        if inspect.isclass(value) and value.__module__ == module.__name__ and hasattr(value, "schema")
    ]
    if len(configs) != 1:
        raise RuntimeError(f"{app}.apps must define exactly one AppConfig with a `schema` declaration")
    return Schema(configs[0].schema)


def app_lists(
    project_apps: list[str], *, third_party_public: list[str], third_party_both: list[str]
) -> tuple[list[str], list[str]]:
    """(SHARED_APPS, TENANT_APPS) for django-tenants, from the apps' own declarations."""
    shared = list(third_party_public) + list(third_party_both)
    tenant = list(third_party_both)
    for app in project_apps:
        schema = declared_schema(app)
        if schema in (Schema.PUBLIC, Schema.BOTH):
            shared.append(app)
        if schema in (Schema.COMPANY, Schema.BOTH):
            tenant.append(app)
    return shared, tenant
