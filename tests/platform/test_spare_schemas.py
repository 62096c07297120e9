"""The pool of spare schemas (companies.pool): a signup renames a spare migrated ahead of time; an
empty pool falls back to migrating; the refill is safe twice and at once; a spare behind the code's
migrations is never handed out; a company from a spare works, holds only its own data, and its
personal data is encrypted under its own name."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections, transaction
from django_tenants.utils import schema_exists, tenant_context

from accounts.models import AuditEvent, User
from companies import pool, services, spare_build
from companies.models import SpareSchema
from core import crypto
from tests.platform.test_signup import GOOD

pytestmark = pytest.mark.django_db


def _rows(schema: str, table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT count(*) FROM "{schema}"."{table}"')
        return cursor.fetchone()[0]


def _tables(schema: str) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = %s", [schema])
        return {row[0] for row in cursor.fetchall()}


def _provisioned_from(slug: str) -> str:
    after = AuditEvent.objects.filter(action="company.provision", object_id=slug).latest("id").after
    return after["spare_schema"]


def test_a_signup_takes_a_spare_and_the_company_works_on_its_own(settings, client_for, company_a):
    settings.WUYE_SPARE_SCHEMAS = 1
    assert pool.refill()["built"] == 1
    spare = SpareSchema.objects.get().schema_name
    # Nothing but what migrations write is in a spare: no data, nothing encrypted under its name.
    # (and the repair list cache's version row, which its migration writes: repairs 0007)
    bookkeeping = {"django_migrations", "django_content_type", "auth_permission", "repairs_listversion"}
    assert all(_rows(spare, table) == 0 for table in _tables(spare) - bookkeeping)
    assert not any(table.startswith("django_celery_beat") for table in _tables(spare))

    signup = services.create_signup(data={**GOOD, "slug": "fromspare"})
    company = services.provision_company(signup_id=signup.pk)
    connection.set_schema_to_public()
    assert _provisioned_from("fromspare") == spare
    assert not schema_exists(spare) and schema_exists(company.schema_name)
    assert not SpareSchema.objects.exists()

    login = client_for(company).post(
        "/api/v1/auth/login/", {"username": "wangwu", "password": GOOD["password"]}, format="json"
    )
    assert login.status_code == 200, login.content
    assert _rows(company.schema_name, "accounts_user") == 1  # its admin, and none of alpha's staff
    with tenant_context(company):
        stored = User.objects.filter(username="wangwu").values_list("phone", flat=True).get()
    # (the field decrypts on read: the raw column holds the ciphertext)
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT phone FROM "{company.schema_name}".accounts_user')
        ciphertext = cursor.fetchone()[0]
    assert stored == GOOD["admin_phone"]
    assert crypto.decrypt(ciphertext, schema=company.schema_name) == GOOD["admin_phone"]
    for other in (spare, company_a.schema_name):
        with pytest.raises(crypto.DecryptionError):
            crypto.decrypt(ciphertext, schema=other)
    # alpha's host does not know the new company's admin
    assert (
        client_for(company_a)
        .post("/api/v1/auth/login/", {"username": "wangwu", "password": GOOD["password"]}, format="json")
        .status_code
        == 401
    )


def test_a_replayed_spare_is_a_migrated_company_schema(settings, company_a):
    settings.WUYE_SPARE_SCHEMAS = 2
    result = pool.refill()
    assert result["built"] == 2 and result["replayed"] >= 1
    for spare in SpareSchema.objects.values_list("schema_name", flat=True):
        assert spare_build.shape(spare) == spare_build.shape(company_a.schema_name)


def test_an_empty_pool_falls_back_to_migrating(settings):
    settings.WUYE_SPARE_SCHEMAS = 0
    assert pool.refill() == {"dropped": 0, "built": 0, "replayed": 0, "skipped": 0}
    signup = services.create_signup(data={**GOOD, "slug": "nospare"})
    company = services.provision_company(signup_id=signup.pk)
    connection.set_schema_to_public()
    assert _provisioned_from("nospare") == ""
    assert _rows(company.schema_name, "accounts_user") == 1


def test_refilling_twice_builds_nothing_more_and_a_run_at_once_does_nothing(settings):
    settings.WUYE_SPARE_SCHEMAS = 1
    assert pool.refill()["built"] == 1
    assert pool.refill() == {"dropped": 0, "built": 0, "replayed": 0, "skipped": 0}
    # Another refill running right now (its lock held on another connection): this one stands aside.
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s)", [pool.REFILL_LOCK])
        assert pool.refill(target=3)["skipped"] == 1
        assert SpareSchema.objects.count() == 1
    finally:
        other.close()


def test_a_spare_behind_the_codes_migrations_is_never_handed_out(settings):
    settings.WUYE_SPARE_SCHEMAS = 1
    pool.refill()
    spare = SpareSchema.objects.get().schema_name
    # A deploy added a migration the spare has not run: as if its newest one were missing.
    app, name = sorted(pool._leaves())[-1]
    with connection.cursor() as cursor:
        cursor.execute(f'DELETE FROM "{spare}".django_migrations WHERE app = %s AND name = %s', [app, name])
    signup = services.create_signup(data={**GOOD, "slug": "behind"})
    services.provision_company(signup_id=signup.pk)
    connection.set_schema_to_public()
    assert _provisioned_from("behind") == ""
    assert schema_exists(spare)
    with connection.cursor() as cursor:
        # (the refill drops in a transaction of its own; here the test's holds the spare's checks)
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    result = pool.refill()
    assert result["dropped"] == 1 and result["built"] == 1
    assert not schema_exists(spare)
    # Built by other code (another fingerprint): not handed out either, and replaced.
    SpareSchema.objects.update(migrations="built-by-older-code")
    assert pool.claim(rename_to="c_never") is None
    assert pool.refill()["dropped"] == 1
    assert SpareSchema.objects.filter(migrations=pool.fingerprint()).count() == 1


def test_a_spare_is_only_ever_a_spare():
    with pytest.raises(ValueError):
        pool.build_spare(schema_name="c_alpha")


def _committed(django_db_blocker, work):
    """`work()` on a connection of its own (another thread), committed: the test's transaction holds
    the main thread's connection, which the claiming threads could not see into."""
    out = []

    def run() -> None:
        with django_db_blocker.unblock():
            try:
                out.append(work())
            finally:
                connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    return out[0]


@pytest.mark.django_db(transaction=False)
def test_two_signups_at_once_never_get_the_same_spare(django_db_blocker, settings):
    """Three provisioning transactions claim at once, on three connections, from a pool of two: each
    spare goes to one of them, the third gets none; a rolled-back claim puts the spare back."""
    settings.WUYE_SPARE_SCHEMAS = 2

    def build() -> set[str]:
        pool.refill()
        return set(SpareSchema.objects.values_list("schema_name", flat=True))

    spares = _committed(django_db_blocker, build)
    claimed: list[str | None] = []
    claimed_by_all = threading.Barrier(3)

    class Undo(Exception):
        pass

    def claim(index: int) -> None:
        with django_db_blocker.unblock():
            try:
                with transaction.atomic():
                    claimed.append(pool.claim(rename_to=f"c_racer{index}"))
                    claimed_by_all.wait(timeout=60)  # every claim holds its spare until all have claimed
                    raise Undo
            except Undo:
                pass
            finally:
                connections.close_all()

    threads = [threading.Thread(target=claim, args=(i,)) for i in range(3)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(claimed, key=str) == sorted([*spares, None], key=str)  # never one spare twice
        left = _committed(
            django_db_blocker,
            lambda: {name for name in SpareSchema.objects.values_list("schema_name", flat=True) if schema_exists(name)},
        )
        assert left == spares  # all rolled back: both spares listed again, under their own names
    finally:

        def clean() -> None:
            for name in spares:
                pool.drop_spare(schema_name=name)
            AuditEvent.objects.filter(object_type="spare_schema").delete()

        _committed(django_db_blocker, clean)
