"""Progress of work that runs inside one long transaction (an all-or-nothing import) is visible to
pollers at once: it is written over a connection of its own."""

from __future__ import annotations

import pytest
from django.db import connection, connections, transaction
from django_tenants.utils import schema_context

from core import services as core_services
from core.models import Job


@pytest.fixture
def committed(django_db_setup, django_db_blocker):
    """Real commits, for what a second connection must see; the test cleans up after itself."""
    with django_db_blocker.unblock():
        yield
        connection.set_schema_to_public()


def _seen_by_another_connection(job_id, schema):
    observer = connections.create_connection("default")
    observer.set_schema(schema)
    try:
        with observer.cursor() as cursor:
            cursor.execute("SELECT progress, message FROM core_job WHERE id = %s", [job_id])
            return cursor.fetchone()
    finally:
        observer.close()


def test_progress_is_visible_while_the_transaction_is_open(committed):
    from companies.models import Company

    schema = Company.objects.get(slug="alpha").schema_name  # not the company_a fixture: it opens a transaction
    with schema_context(schema):
        job = core_services.create_job(kind="probe.progress", total=100)
        try:
            with transaction.atomic(), core_services.progress_outside_transaction(job_id=job.pk) as report:
                Job.objects.filter(kind="never").update(progress=1)  # the transaction has begun
                report(42, "正在写入")
                assert _seen_by_another_connection(job.pk, schema) == (42, "正在写入")
            assert Job.objects.get(pk=job.pk).progress == 42
        finally:
            Job.objects.filter(pk=job.pk).delete()
