"""Self-service signup: validation, provisioning, races, and failure leaving nothing behind."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from django_tenants.utils import schema_exists

from companies import services
from companies.models import Company, Domain, Signup, SignupStatus
from core.errors import DomainError

pytestmark = pytest.mark.django_db

GOOD = {
    "company_name": "新城物业",
    "slug": "newtown",
    "admin_name": "王五",
    "admin_phone": "13912345678",
    "admin_email": "wang@newtown.cn",
    "admin_username": "wangwu",
    "password": "Strong-pass-99",
}


def test_every_invalid_field_gets_an_error(client_for):
    response = client_for(None).post(
        "/api/v1/signups/",
        {
            "company_name": "x",
            "slug": "Bad_Slug",
            "admin_name": "",
            "admin_phone": "12345",
            "admin_email": "not-an-email",
            "admin_username": "Bad Name",
            "password": "12345678",
        },
        format="json",
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "validation_error"
    assert set(body["fields"]) == {
        "company_name",
        "slug",
        "admin_name",
        "admin_phone",
        "admin_email",
        "admin_username",
        "password",
    }


@pytest.mark.parametrize("username", ["admin", "Admin", "root", "system", "support"])
def test_guessable_admin_usernames_are_refused(client_for, username):
    response = client_for(None).post("/api/v1/signups/", {**GOOD, "admin_username": username}, format="json")
    assert response.status_code == 400
    assert response.json()["fields"]["admin_username"] == ["该用户名过于常见、容易被猜到，请另选一个。"]


@pytest.mark.parametrize("username", ["", "a", "wx_boss", "王五", "has space"])
def test_the_admin_username_follows_the_username_rules(client_for, username):
    response = client_for(None).post("/api/v1/signups/", {**GOOD, "admin_username": username}, format="json")
    assert response.status_code == 400 and "admin_username" in response.json()["fields"]


@pytest.mark.parametrize("slug", ["www", "api", "admin", "public"])
def test_reserved_slugs_are_refused(client_for, slug):
    response = client_for(None).post("/api/v1/signups/", {**GOOD, "slug": slug}, format="json")
    assert response.status_code == 400
    assert "slug" in response.json()["fields"]


def test_taken_slug_is_refused(client_for):
    response = client_for(None).post("/api/v1/signups/", {**GOOD, "slug": "alpha"}, format="json")
    assert response.status_code == 400
    assert response.json()["fields"]["slug"] == ["该子域名已被使用。"]


def test_password_needs_letters_and_digits(client_for):
    response = client_for(None).post("/api/v1/signups/", {**GOOD, "password": "onlyletterslong"}, format="json")
    assert "password" in response.json()["fields"]


def test_signup_provisions_a_company_whose_admin_can_sign_in(client_for, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    from config.celery import app

    app.conf.task_always_eager = True
    try:
        response = client_for(None).post("/api/v1/signups/", GOOD, format="json")
    finally:
        app.conf.task_always_eager = False
    assert response.status_code == 202, response.content
    status = client_for(None).get(response.json()["status_url"]).json()
    assert status["status"] == "ready"
    assert status["admin_url"] == "http://newtown.localhost:8000/"
    connection.set_schema_to_public()
    company = Company.objects.get(slug="newtown")
    assert Domain.objects.filter(tenant=company, domain="newtown.localhost").exists()
    assert company.subscription.status == "trialing"
    client = client_for(company)
    login = client.post("/api/v1/auth/login/", {"username": "wangwu", "password": GOOD["password"]}, format="json")
    assert login.status_code == 200
    assert login.json()["roles"] == ["admin"] and login.json()["username"] == "wangwu"
    # nobody is called admin there; the founder signs in by phone or email as well
    refused = client_for(company).post(
        "/api/v1/auth/login/", {"username": "admin", "password": GOOD["password"]}, format="json"
    )
    assert refused.status_code == 401
    for login_as in (GOOD["admin_phone"], "Wang@Newtown.cn"):
        by_other = client_for(company).post(
            "/api/v1/auth/login/", {"username": login_as, "password": GOOD["password"]}, format="json"
        )
        assert by_other.status_code == 200 and by_other.json()["username"] == "wangwu"


def test_failure_midway_leaves_nothing_behind(monkeypatch):
    signup = services.create_signup(data={**GOOD, "slug": "broken"})

    def explode(**kwargs):
        raise RuntimeError("disk full while creating the admin")

    monkeypatch.setattr("accounts.services.create_user", explode)
    with pytest.raises(DomainError):
        services.provision_company(signup_id=signup.pk)
    connection.set_schema_to_public()
    assert not schema_exists(services.schema_name_for("broken"))
    assert not Company.objects.filter(slug="broken").exists()
    assert not Domain.objects.filter(domain="broken.localhost").exists()
    signup.refresh_from_db()
    assert signup.status == SignupStatus.FAILED
    # A failed signup frees its slug for another try.
    assert services.create_signup(data={**GOOD, "slug": "broken"}).status == SignupStatus.PENDING


def test_provisioning_twice_is_harmless():
    signup = services.create_signup(data={**GOOD, "slug": "twice"})
    first = services.provision_company(signup_id=signup.pk)
    connection.set_schema_to_public()
    second = services.provision_company(signup_id=signup.pk)
    assert first.pk == second.pk
    assert Company.objects.filter(slug="twice").count() == 1


@pytest.mark.django_db(transaction=False)
def test_duplicate_slug_loses_cleanly_under_concurrency(django_db_blocker):
    """Two signups for one slug at the same instant, on two connections: exactly one is accepted."""
    from django.db import connections

    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def attempt(index: int) -> None:
        with django_db_blocker.unblock():
            try:
                barrier.wait()
                services.create_signup(data={**GOOD, "slug": "racer", "admin_email": f"r{index}@x.cn"})
                outcomes.append("accepted")
            except DomainError as exc:
                outcomes.append("refused:" + ",".join(exc.fields.get("slug", [])))
            finally:
                connections.close_all()

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with django_db_blocker.unblock():
        from core.outbox.models import OutboxMessage

        racers = [f"signup:{pk}" for pk in Signup.objects.filter(slug="racer").values_list("pk", flat=True)]
        OutboxMessage.objects.filter(schema_name="public", key__in=racers).delete()
        Signup.objects.filter(slug="racer").delete()
    assert sorted(outcomes) == ["accepted", "refused:该子域名已被使用。"]


def _tables(schema: str) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = %s", [schema])
        return {row[0] for row in cursor.fetchall()}


def test_migrated_companies_match_the_template(settings, company_a):
    template = settings.TENANT_BASE_SCHEMA
    assert _tables(company_a.schema_name) == _tables(template)
    assert {"accounts_user", "core_job", "estates_house", "django_migrations"} <= _tables(company_a.schema_name)
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT count(*) FROM "{template}".accounts_user')
        assert cursor.fetchone()[0] == 0  # nothing of any company leaks into the template


def test_provisioning_by_clone_gives_a_complete_working_company(settings, client_for, company_a):
    settings.TENANT_CREATION_FAKES_MIGRATIONS = True
    signup = services.create_signup(data={**GOOD, "slug": "cloned"})
    company = services.provision_company(signup_id=signup.pk)
    connection.set_schema_to_public()
    cloned, alpha = company.schema_name, company_a.schema_name
    assert _tables(cloned) == _tables(settings.TENANT_BASE_SCHEMA)
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT count(*) FROM "{cloned}".django_migrations')
        migrations = cursor.fetchone()[0]
        cursor.execute(f'SELECT count(*) FROM "{alpha}".django_migrations')
        assert migrations == cursor.fetchone()[0]  # recorded as applied, so later migrations run
        triggers = """SELECT t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
                      JOIN pg_namespace n ON n.oid = c.relnamespace
                      WHERE n.nspname = %s AND NOT t.tgisinternal ORDER BY 1"""
        cursor.execute(triggers, [cloned])
        cloned_triggers = cursor.fetchall()
        cursor.execute(triggers, [alpha])
        assert cloned_triggers == cursor.fetchall() and cloned_triggers  # database invariants came along
    login = client_for(company).post(
        "/api/v1/auth/login/", {"username": "wangwu", "password": GOOD["password"]}, format="json"
    )
    assert login.status_code == 200


def test_the_template_is_unreachable_and_never_scheduled(client, settings):
    from companies.selectors import real_companies
    from config.beat import CompanyScheduler

    assert not Domain.objects.filter(tenant__schema_name=settings.TENANT_BASE_SCHEMA).exists()
    assert client.get("/api/v1/site/", HTTP_HOST="tenant-template.localhost").status_code == 404
    assert settings.TENANT_BASE_SCHEMA not in set(CompanyScheduler.get_queryset().values_list("schema_name", flat=True))
    assert set(real_companies().values_list("slug", flat=True)) == {"alpha", "beta"}


def test_a_lost_provisioning_message_is_sent_again_by_the_sweeper(outbox_sent):
    from datetime import timedelta

    from django.utils import timezone

    from core.outbox import services as outbox
    from core.outbox.models import OutboxMessage

    lost = services.create_signup(data={**GOOD, "slug": "stuck"})
    message = OutboxMessage.objects.get(key=f"signup:{lost.pk}")
    assert outbox_sent == [message.pk]  # handed to the broker on commit … and lost there
    OutboxMessage.objects.filter(pk=message.pk).update(sent_at=timezone.now() - timedelta(minutes=10))
    fresh = services.create_signup(data={**GOOD, "slug": "fresh"})
    outbox_sent.clear()
    assert outbox.sweep() == 1
    assert outbox_sent == [message.pk]  # the fresh one was just sent: not again yet
    assert outbox.deliver(message_id=message.pk) == "done"
    lost.refresh_from_db()
    assert lost.status == SignupStatus.READY and lost.password_hash == ""
    assert outbox.deliver(message_id=message.pk) == "skipped"
    fresh.refresh_from_db()
    assert fresh.status == SignupStatus.PENDING
