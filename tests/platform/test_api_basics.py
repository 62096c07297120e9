"""Health, metrics, OpenAPI on both hosts, the error format, branding, jobs."""

from __future__ import annotations

import io

import pytest
from django_tenants.utils import tenant_context
from PIL import Image

from accounts.models import User
from core import services as job_services

pytestmark = pytest.mark.django_db


def test_healthz_checks_database_and_broker(client):
    response = client.get("/healthz", HTTP_HOST="localhost")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"]["database"]["ok"] and body["checks"]["broker"]["ok"]


def test_healthz_reports_a_dead_broker(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    response = client.get("/healthz", HTTP_HOST="localhost")
    assert response.status_code == 503
    assert response.json()["checks"]["broker"]["ok"] is False


def test_metrics_are_prometheus_text(client):
    client.get("/api/v1/site/", HTTP_HOST="localhost")
    response = client.get("/metrics", HTTP_HOST="localhost")
    assert response.status_code == 200
    assert b"wuye_http_requests_total" in response.content


def test_metrics_can_require_a_token(client, settings):
    settings.METRICS_TOKEN = "s3cret"
    assert client.get("/metrics", HTTP_HOST="localhost").status_code == 401
    assert client.get("/metrics", HTTP_HOST="localhost", HTTP_AUTHORIZATION="Bearer s3cret").status_code == 200


@pytest.mark.parametrize("host", ["localhost", "alpha.localhost"])
def test_openapi_and_docs_on_every_host(client, host):
    schema = client.get("/api/schema/", HTTP_HOST=host)
    assert schema.status_code == 200
    assert b"openapi: 3" in schema.content
    assert client.get("/api/docs/", HTTP_HOST=host).status_code == 200


def test_company_schema_lists_company_endpoints_only(client):
    company = client.get("/api/schema/?format=json", HTTP_HOST="alpha.localhost").json()
    public = client.get("/api/schema/?format=json", HTTP_HOST="localhost").json()
    assert "/api/v1/users/" in company["paths"] and "/api/v1/users/" not in public["paths"]
    assert "/api/v1/signups/" in public["paths"] and "/api/v1/signups/" not in company["paths"]


def test_the_document_is_generated_once_per_configuration_and_language(client, monkeypatch):
    """Generating a document takes seconds: every company host shares one per language (the reader
    does not change it), the public site has its own."""
    from config import urls_common

    monkeypatch.setattr(urls_common, "_documents", {})
    made = []
    generate = urls_common.HostSchemaView.generator_class.get_schema

    def counted(generator, *args, **kwargs):
        made.append(generator)
        return generate(generator, *args, **kwargs)

    monkeypatch.setattr(urls_common.HostSchemaView.generator_class, "get_schema", counted)
    first = client.get("/api/schema/?format=json", HTTP_HOST="alpha.localhost").json()
    again = client.get("/api/schema/?format=json", HTTP_HOST="beta.localhost").json()
    assert first == again and len(made) == 1
    english = client.get("/api/schema/?format=json&lang=en", HTTP_HOST="alpha.localhost").json()
    assert len(made) == 2 and english != first
    public = client.get("/api/schema/?format=json", HTTP_HOST="localhost").json()
    assert len(made) == 3 and "/api/v1/signups/" in public["paths"]


def test_not_found_uses_the_error_format(client_for, company_a):
    response = client_for(company_a, "admin").get("/api/v1/users/999999/")
    assert response.status_code == 404
    assert response.json() == {"code": "not_found", "message": response.json()["message"], "fields": {}}


def test_every_response_has_a_request_id(client):
    response = client.get("/api/v1/site/", HTTP_HOST="localhost", HTTP_X_REQUEST_ID="abc12345-trace")
    assert response["X-Request-ID"] == "abc12345-trace"
    assert len(client.get("/api/v1/site/", HTTP_HOST="localhost")["X-Request-ID"]) == 32


def test_site_shows_the_company_branding(client_for, company_a):
    body = client_for(company_a).get("/api/v1/site/").json()
    assert body["surface"] == "company"
    assert body["company"]["slug"] == "alpha"
    assert body["company"]["branding"]["primary_color"] == "#1677ff"


def test_admin_updates_branding_and_bad_colour_is_refused(client_for, company_a):
    client = client_for(company_a, "admin")
    ok = client.patch(
        "/api/v1/settings/branding/", {"display_name": "阿尔法", "primary_color": "#aa3300"}, format="json"
    )
    assert ok.status_code == 200, ok.content
    assert client_for(company_a).get("/api/v1/site/").json()["company"]["branding"]["display_name"] == "阿尔法"
    bad = client.patch("/api/v1/settings/branding/", {"primary_color": "red"}, format="json")
    assert bad.status_code == 400 and "primary_color" in bad.json()["fields"]


def _png(size=(8, 8)) -> io.BytesIO:
    buffer = io.BytesIO()
    Image.new("RGB", size, "#336699").save(buffer, "PNG")
    buffer.seek(0)
    buffer.name = "logo.png"
    return buffer


def test_logo_upload_accepts_images_only(client_for, company_a, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    client = client_for(company_a, "admin")
    response = client.post("/api/v1/settings/branding/logo/", {"file": _png()}, format="multipart")
    assert response.status_code == 200, response.content
    logo_url = response.json()["logo_url"]
    assert logo_url.startswith(f"/media/{company_a.schema_name}/branding/")
    assert client.get(logo_url).status_code == 200
    fake = io.BytesIO(b"MZ this is not an image")
    fake.name = "logo.png"
    refused = client.post("/api/v1/settings/branding/logo/", {"file": fake}, format="multipart")
    assert refused.status_code == 400 and "file" in refused.json()["fields"]


def test_job_status_is_visible_to_its_owner_only(client_for, company_a):
    with tenant_context(company_a):
        cashier = User.objects.get(username="cashier")
        job = job_services.create_job(kind="export", created_by=cashier, total=10)
        job_services.start_job(job_id=job.pk)
        job_services.report_progress(job_id=job.pk, progress=4, message="4/10")
    body = client_for(company_a, "cashier").get(f"/api/v1/jobs/{job.pk}/").json()
    assert (body["status"], body["progress"], body["total"]) == ("running", 4, 10)
    assert client_for(company_a, "guard").get(f"/api/v1/jobs/{job.pk}/").status_code == 404
    assert client_for(company_a, "admin").get(f"/api/v1/jobs/{job.pk}/").status_code == 200


@pytest.mark.parametrize("urlconf", ["config.urls_tenant", "config.urls_public"])
def test_the_api_documents_itself_without_warnings(urlconf, tmp_path):
    """Every view yields a valid OpenAPI description: typed bodies, named enums, security schemes."""
    from django.core.management import call_command

    call_command("spectacular", "--urlconf", urlconf, "--validate", "--fail-on-warn", "--file", str(tmp_path / "s.yml"))
