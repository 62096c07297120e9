from __future__ import annotations

from django.conf import settings
from django.db.models import QuerySet
from django_tenants.utils import get_public_schema_name

from companies.models import Company, Plan, Signup


def signup_by_id(signup_id: str) -> Signup | None:
    return Signup.objects.select_related("company").filter(pk=signup_id).first()


def company_by_slug(slug: str) -> Company | None:
    return Company.objects.filter(slug=slug).first()


def public_plans() -> QuerySet[Plan]:
    return Plan.objects.all()


def real_companies() -> QuerySet[Company]:
    """Every company, without the public schema's row and the template new companies are cloned from."""
    return Company.objects.exclude(schema_name__in=[get_public_schema_name(), settings.TENANT_BASE_SCHEMA])


def current_branding() -> dict[str, str]:
    """The running company's name, colour and logo (PNG/JPEG as base64, "" if none or unreadable),
    for documents printed in its name (receipts)."""
    import base64

    from core.db import current_schema

    company = Company.objects.get(schema_name=current_schema())
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
