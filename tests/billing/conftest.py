"""Fixtures of the billing tests."""

from __future__ import annotations

import pytest

from tests.billing.concurrency import drop, on_own_connection, provision_scratch


@pytest.fixture
def scratch_company(django_db_blocker):
    on_own_connection(django_db_blocker, lambda: drop("gamma"))  # what a killed run left behind
    company = on_own_connection(django_db_blocker, provision_scratch)
    try:
        yield company
    finally:
        on_own_connection(django_db_blocker, lambda: drop("gamma"))
