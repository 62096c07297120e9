"""A signup never reaches the database's own schemas: names are derived apart from them, a schema that
already exists is refused (never adopted), and a failure drops nothing it did not create."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction
from django_tenants.utils import schema_exists, tenant_context
from hypothesis import given
from hypothesis import strategies as st

from companies import services
from companies.models import Company, Domain, SchemaExistsError, Signup, SignupStatus
from core.errors import DomainError
from tests.conftest import PASSWORD
from tests.platform.test_signup import GOOD

pytestmark = pytest.mark.django_db

RESERVED = "该子域名为系统保留，请换一个。"


@pytest.mark.parametrize(
    "slug",
    ["information-schema", "pg-toast", "pg-catalog", "public", "tenant-template", "template1", "www", "console"],
)
def test_the_databases_own_and_reserved_names_are_refused(client_for, slug):
    response = client_for(None).post("/api/v1/signups/", {**GOOD, "slug": slug}, format="json")
    assert response.status_code == 400, response.content
    assert response.json()["fields"]["slug"] == [RESERVED]
    assert not Signup.objects.filter(slug=slug).exists()


@pytest.mark.parametrize("slug", ["xn--fiqs8s", "new--town"])
def test_doubled_hyphens_are_refused(client_for, slug):
    response = client_for(None).post("/api/v1/signups/", {**GOOD, "slug": slug}, format="json")
    assert response.status_code == 400
    assert response.json()["fields"]["slug"] == ["子域名不能包含连续的连字符。"]


@given(st.from_regex(services.SLUG_RE, fullmatch=True))
def test_a_derived_schema_name_is_never_a_system_or_platform_one(slug):
    schema = services.schema_name_for(slug)
    assert services.COMPANY_SCHEMA_RE.match(schema)
    assert not schema.startswith("pg_")
    assert schema not in {"public", "information_schema", "tenant_template"}


def test_no_slug_derives_to_a_schema_present_in_the_database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT nspname FROM pg_namespace")
        present = {row[0] for row in cursor.fetchall()}
    ours = set(Company.objects.values_list("schema_name", flat=True))
    for name in present - ours:
        slug = name.replace("_", "-")
        if services.SLUG_RE.match(slug):
            assert services.schema_name_for(slug) != name


def _squat(schema: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE SCHEMA "{schema}"')
        cursor.execute(f'CREATE TABLE "{schema}".keep (note text)')
        cursor.execute(f"INSERT INTO \"{schema}\".keep VALUES ('not yours')")


def _kept(schema: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT note FROM "{schema}".keep')
        return [row[0] for row in cursor.fetchall()]


def test_a_slug_whose_schema_exists_is_refused_at_signup(client_for):
    _squat(services.schema_name_for("squatted"))
    response = client_for(None).post("/api/v1/signups/", {**GOOD, "slug": "squatted"}, format="json")
    assert response.status_code == 400
    assert response.json()["fields"]["slug"] == ["该子域名已被使用。"]


def test_provisioning_refuses_an_existing_schema_and_leaves_it_alone():
    signup = services.create_signup(data={**GOOD, "slug": "squatted"})
    schema = services.schema_name_for("squatted")
    _squat(schema)  # appeared between the signup and its provisioning
    with pytest.raises(DomainError):
        services.provision_company(signup_id=signup.pk)
    connection.set_schema_to_public()
    assert _kept(schema) == ["not yours"]
    assert not Company.objects.filter(slug="squatted").exists()
    assert not Domain.objects.filter(domain="squatted.localhost").exists()
    signup.refresh_from_db()
    assert signup.status == SignupStatus.FAILED
    assert signup.error == "该子域名对应的数据空间已存在，无法开通，请联系客服。"


def test_a_company_never_adopts_an_existing_schema():
    _squat("c_adopted")
    company = Company(schema_name="c_adopted", slug="adopted", name="x")
    with pytest.raises(SchemaExistsError), transaction.atomic():
        company.save()  # the row only: django-tenants would adopt the schema here
        company.create_schema(verbosity=0)
    assert _kept("c_adopted") == ["not yours"]


def _drops_during(run) -> list[str]:
    seen: list[str] = []

    def watch(execute, sql, params, many, context):
        if "DROP SCHEMA" in sql.upper():
            seen.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(watch):
        run()
    return seen


@pytest.mark.parametrize("slug", ["pg-toast", "information-schema"])
def test_a_system_schema_is_never_provisioned_or_dropped(slug):
    """A signup with such a slug, accepted before these checks (the row is written directly)."""
    signup = Signup.objects.create(
        company_name="x", slug=slug, admin_name="x", admin_phone="13900000000", admin_email="x@x.cn", password_hash="!"
    )

    def provision():
        with pytest.raises(DomainError):
            services.provision_company(signup_id=signup.pk)

    assert _drops_during(provision) == []
    connection.set_schema_to_public()
    assert schema_exists(slug.replace("-", "_"))
    assert not Company.objects.filter(slug=slug).exists()
    signup.refresh_from_db()
    assert signup.status == SignupStatus.FAILED and signup.error == RESERVED


def test_a_failing_provisioning_drops_nothing_and_leaves_no_schema(monkeypatch):
    signup = services.create_signup(data={**GOOD, "slug": "broken"})

    def explode(**kwargs):
        raise RuntimeError("disk full while creating the admin")

    monkeypatch.setattr("accounts.services.create_user", explode)

    def provision():
        with pytest.raises(DomainError):
            services.provision_company(signup_id=signup.pk)

    assert _drops_during(provision) == []  # the rollback alone removes what it created
    connection.set_schema_to_public()
    assert not schema_exists(services.schema_name_for("broken"))


@pytest.mark.parametrize("schema", ["information_schema", "pg_toast", "pg_catalog", "Public2"])
def test_the_database_refuses_a_company_row_on_a_system_schema(company_a, schema):
    with pytest.raises(IntegrityError), transaction.atomic():
        Company.objects.filter(pk=company_a.pk).update(schema_name=schema)


@pytest.mark.parametrize("schema", ["public", "pg_toast", "information_schema"])
def test_deleting_a_company_row_never_drops_a_system_schema(schema):
    company = Company.objects.get(schema_name="public") if schema == "public" else Company(schema_name=schema)
    with pytest.raises(ValueError):
        company._drop_schema(force_drop=True)
    assert schema_exists(schema)


def test_a_company_from_before_keeps_its_schema_named_after_its_slug(client_for, settings):
    """Companies are found by their stored schema name: one named the old way (schema == slug) works."""
    from accounts import services as account_services

    settings.TENANT_CREATION_FAKES_MIGRATIONS = True  # a clone of the template: quicker than migrating
    legacy = Company.objects.create(schema_name="legacy", slug="legacy", name="老物业")
    legacy.create_schema(verbosity=0)
    connection.set_schema_to_public()
    Domain.objects.create(domain="legacy.localhost", tenant=legacy, is_primary=True)
    with tenant_context(legacy):
        account_services.create_user(username="admin", name="管理员", roles=["admin"], password=PASSWORD)
    admin = client_for(legacy, "admin")  # signs in against the users table in schema "legacy"
    assert admin.get("/api/v1/site/").json()["company"]["slug"] == "legacy"
    assert services.validate_signup({**GOOD, "slug": "legacy"})["slug"] == ["该子域名已被使用。"]
