"""Fixtures shared by the company-app tests."""

from __future__ import annotations

import pytest
from django_tenants.utils import tenant_context

from config.celery import app
from tenants.estates.models import Estate


@pytest.fixture
def eager(settings, tmp_path):
    """Tasks run at once, in the schema of the request that queued them; files in a scratch folder."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.PRIVATE_ROOT = str(tmp_path / "private")
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = False


@pytest.fixture
def estate(company_a):
    """The estate an HC workbook (which names none) is imported into."""
    with tenant_context(company_a):
        return Estate.objects.create(name="翠湖苑")


@pytest.fixture
def admin_a(client_for, company_a):
    """Company A's administrator (a module's own admin_a, e.g. one that imports houses first, wins)."""
    return client_for(company_a, "admin")
