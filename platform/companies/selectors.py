from __future__ import annotations

from django.conf import settings
from django.db.models import QuerySet
from django_tenants.utils import get_public_schema_name

from companies import agreements
from companies.models import Company, Plan, Signup


def signup_by_id(signup_id: str) -> Signup | None:
    return Signup.objects.select_related("company").filter(pk=signup_id).first()


def company_by_slug(slug: str) -> Company | None:
    return Company.objects.filter(slug=slug).first()


def company_by_schema(schema_name: str) -> Company | None:
    return Company.objects.filter(schema_name=schema_name).first()


def public_plans() -> QuerySet[Plan]:
    return Plan.objects.all()


def real_companies() -> QuerySet[Company]:
    """Every company, without the public schema's row and the template new companies are cloned from."""
    return Company.objects.exclude(schema_name__in=[get_public_schema_name(), settings.TENANT_BASE_SCHEMA])


def current_branding() -> dict[str, str]:
    """The running company's name, colour and logo (PNG/JPEG as base64, "" if none or unreadable),
    for documents printed in its name (receipts). Read from the company row the request already
    holds (django-tenants' `connection.tenant`) and kept on it, so a request or a batch that prints
    many receipts reads the row and the logo once."""
    from django.db import connection

    from core.db import current_schema

    schema = current_schema()
    company = getattr(connection, "tenant", None)
    if not isinstance(company, Company) or company.schema_name != schema:
        company = Company.objects.get(schema_name=schema)
    branding: dict[str, str] | None = getattr(company, "_printed_branding", None)
    if branding is None:
        branding = _branding(company)
        company._printed_branding = branding  # type: ignore[attr-defined]  # kept for this row's life
    return dict(branding)


def _branding(company: Company) -> dict[str, str]:
    import base64

    logo = ""
    if company.logo:
        try:
            with company.logo.open("rb") as handle:
                logo = base64.b64encode(handle.read(2_000_000)).decode()
        except OSError:
            logo = ""
    return {
        "name": company.display_name or company.name,
        "primary_color": company.primary_color,
        "logo_png_base64": logo,
    }


def agreement(company: Company, kind: agreements.Kind, language: str | None = None) -> dict:
    """The 用户协议 / 隐私政策 a reader of `company` sees: its own text, or the default template in
    `language` (the request's language when None) with its name filled in."""
    own = getattr(company, kind)
    return {
        "kind": kind,
        "title": agreements.title(kind),
        "company_name": company.brand_name,
        "is_default": not own,
        "text": own or agreements.default_text(kind, company.brand_name, language),
    }


def agreement_settings(company: Company) -> dict:
    """What the admin's editor needs: the company's own texts (blank: none) and the defaults, in the
    request's language, that apply while a text is blank."""
    return {
        **{kind: getattr(company, kind) for kind in agreements.KINDS},
        **{f"default_{kind}": agreements.default_text(kind, company.brand_name) for kind in agreements.KINDS},
    }
