"""Every read of partners, already scoped: a vendor's own rows, or the current company's admissions."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Count, DecimalField, ExpressionWrapper, F, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce, Greatest, NullIf, Round
from django.utils import timezone

from companies.models import Company
from core import crypto
from core.db import current_schema
from core.geo import Point
from partners.models import (
    Admission,
    AdmissionStatus,
    CatalogPhoto,
    Offering,
    PartnerToken,
    PortalOrder,
    QualificationDocument,
    ServiceSlot,
    Vendor,
    VendorAccount,
)

FEN = Decimal("0.01")


def token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def active_token(raw: str) -> PartnerToken | None:
    return (
        PartnerToken.objects.select_related("account__vendor")
        .filter(key_hash=token_hash(raw), revoked_at__isnull=True, expires_at__gt=timezone.now())
        .first()
    )


def phone_indexes(phone: str) -> tuple[str, ...]:
    """A vendor account's phone under every configured key (public schema's, wherever asked)."""
    return crypto.blind_indexes(phone, purpose="partner_phone", schema="public") if phone else ()


def account_by_phone(phone: str) -> VendorAccount | None:
    return VendorAccount.objects.select_related("vendor").filter(phone_index__in=phone_indexes(phone)).first()


def vendor_accounts(vendor: Vendor) -> QuerySet[VendorAccount]:
    return VendorAccount.objects.filter(vendor=vendor).order_by("-is_active", "id")


def vendor_documents(vendor: Vendor) -> QuerySet[QualificationDocument]:
    return QualificationDocument.objects.filter(vendor=vendor).order_by("-uploaded_at", "-id")


def vendor_admissions(vendor: Vendor) -> QuerySet[Admission]:
    """The vendor's admissions, with the company's public face only (its name), never its data."""
    return Admission.objects.filter(vendor=vendor).select_related("company").order_by("-updated_at", "-id")


def current_company() -> Company:
    """The company whose schema is active (its registry row in the public schema)."""
    return Company.objects.get(schema_name=current_schema())


def company_admissions() -> QuerySet[Admission]:
    """The admissions of the company whose schema is active: its own, and no other company's."""
    return (
        Admission.objects.filter(company__schema_name=current_schema())
        .select_related("vendor")
        .order_by("-updated_at", "-id")
    )


def company_admission_documents(admission: Admission) -> QuerySet[QualificationDocument]:
    """The documents a company reviews: those of a vendor it has an admission with."""
    return QualificationDocument.objects.filter(vendor_id=admission.vendor_id).order_by("-uploaded_at", "-id")


def vendor_by_code(code: str) -> Vendor | None:
    return Vendor.objects.filter(code=(code or "").strip().upper(), is_active=True).first()


def vendor_orders(vendor: Vendor) -> QuerySet[PortalOrder]:
    """The vendor's orders in every company that admits it now: one query whatever the number of
    companies; a company that suspended the vendor drops out at once (the admission's status).

    The admission is matched by id among the vendor's approved ones (a semi-join, not a join on
    every order): the page's count then reads only the index on (vendor, admission) — an
    index-only scan — instead of fetching every one of the vendor's order rows to join it
    (tests.bench.partners: the count was most of the list's database time at 10 000 orders).
    The portal list's page reads the same rows in SQL (vendor_order_page): a change here is made there too."""
    approved = Admission.objects.filter(vendor=vendor, status=AdmissionStatus.APPROVED).values("pk")
    # The company's slug and shown name as two columns (`company_slug`, `company_label`), not a whole
    # Company row per order: building those models was a good part of the list's time under load.
    # Each is a subquery on the order's company, not a join: QuerySet.count() drops an annotation
    # nothing filters on, but never a join, and a join to companies_company took the count off the
    # index above onto every order row (5 ms instead of 1.3 at 10 000 orders, tests.bench.partners).
    # [:1]: the planner scans a small companies table rather than its index, and stops at the match.
    company = Company.objects.filter(pk=OuterRef("company_id"))
    label = Coalesce(NullIf(F("display_name"), Value("")), F("name"))
    return (
        PortalOrder.objects.filter(vendor=vendor, admission__in=approved)
        .annotate(
            company_slug=Subquery(company.values("slug")[:1]),
            company_label=Subquery(company.values(label=label)[:1]),
        )
        .order_by("-created_at", "-id")
    )


_ORDERS, _ADMISSIONS, _COMPANIES = (m._meta.db_table for m in (PortalOrder, Admission, Company))
# vendor_orders' rows as SQL, over the alias %(t)s: the same semi-join on the approved admissions.
_VENDOR_ROWS = (  # table names only; every value is a parameter
    "%(t)s.vendor_id = %%s AND %(t)s.admission_id IN"  # noqa: S608
    f" (SELECT a.id FROM {_ADMISSIONS} a WHERE a.vendor_id = %%s AND a.status = %%s)"
)
_OF_STATUS = " AND %(t)s.status = %%s"
_OF_COMPANY = f" AND %(t)s.company_id IN (SELECT c.id FROM {_COMPANIES} c WHERE c.slug = %%s)"  # noqa: S608


def vendor_order_page(vendor: Vendor, *, status: str, company_slug: str, limit: int, offset: int) -> list[PortalOrder]:
    """One page of vendor_orders (the same rows, order and `company_slug`/`company_label`), each row
    carrying the exact count of them all as `total_rows`, in one hand-written statement. The ORM's
    version of it (the queryset annotated with a count of itself) took longer to compile in Python
    than PostgreSQL took to run it — a third of the list's own time at 20 clients
    (tests.bench.partners); tests.platform.partners.test_order_list holds the two equal."""
    where, params = _VENDOR_ROWS, [vendor.pk, vendor.pk, AdmissionStatus.APPROVED]
    if status:
        where, params = where + _OF_STATUS, [*params, status]
    if company_slug:
        where, params = where + _OF_COMPANY, [*params, company_slug]
    sql = (
        f"SELECT o.*, (SELECT c.slug FROM {_COMPANIES} c WHERE c.id = o.company_id) AS company_slug,"  # noqa: S608
        f" (SELECT COALESCE(NULLIF(c.display_name, ''), c.name) FROM {_COMPANIES} c WHERE c.id = o.company_id)"
        f" AS company_label, (SELECT COUNT(*) FROM {_ORDERS} n WHERE {where % {'t': 'n'}}) AS total_rows"
        f" FROM {_ORDERS} o WHERE {where % {'t': 'o'}} ORDER BY o.created_at DESC, o.id DESC LIMIT %s OFFSET %s"
    )
    return list(PortalOrder.objects.raw(sql, [*params, *params, limit, offset]))


def offerings_for_company(*, vendor_id: int, company: Company) -> QuerySet[Offering]:
    """A vendor's active catalogue as one company's owners see it: the items for every company and
    those for this one."""
    return Offering.objects.filter(vendor_id=vendor_id, is_active=True).filter(
        Q(company__isnull=True) | Q(company=company)
    )


def open_slots_for_company(*, vendor_id: int, company: Company, now: datetime | None = None) -> QuerySet[ServiceSlot]:
    """The vendor's future open slots this company's owners may book, each with `held` places."""
    now = now or timezone.now()
    return (
        ServiceSlot.objects.filter(vendor_id=vendor_id, is_open=True, starts_at__gt=now)
        .filter(Q(company__isnull=True) | Q(company=company))
        .annotate(held=Count("places", filter=Q(places__released_at__isnull=True)))
        .order_by("starts_at", "id")
    )


# The estates of an owner's houses in the current company's schema, each with where it is (None:
# not told): registered by the company app that knows houses (platform apps never import one).
# Unregistered, an owner sees no vendor.
_owner_estates: list[Callable[[Any], dict[int, Point | None]]] = []


def register_owner_estates(lookup: Callable[[Any], dict[int, Point | None]]) -> None:
    _owner_estates[:] = [lookup]


def owner_estates(user: Any) -> dict[int, Point | None]:
    return _owner_estates[0](user) if _owner_estates else {}


def owner_vendors(
    user: Any, *, company: Company, estates: dict[int, Point | None] | None = None
) -> QuerySet[Admission]:
    """The vendors an owner may order from: admitted for an estate of one of their houses."""
    estates = owner_estates(user) if estates is None else estates
    return listed_vendors(company=company, estate_ids=sorted(estates))


def vendor_photos(vendor: Vendor) -> QuerySet[CatalogPhoto]:
    return CatalogPhoto.objects.filter(vendor=vendor).order_by("created_at", "id")


def shop_photos(vendor_ids: list[int]) -> dict[int, list[CatalogPhoto]]:
    """The shop photos (not an offering's) of these vendors, oldest first, in one query."""
    found: dict[int, list[CatalogPhoto]] = {}
    rows = CatalogPhoto.objects.filter(vendor_id__in=vendor_ids, offering__isnull=True).order_by("created_at", "id")
    for photo in rows:
        found.setdefault(photo.vendor_id, []).append(photo)
    return found


def listed_photo(admission: Admission, photo_id: int) -> CatalogPhoto | None:
    """A photo an owner may see of a vendor listed for them: the shop's, or an offering's that their
    company's owners are offered."""
    offerings = offerings_for_company(vendor_id=admission.vendor_id, company=admission.company)
    return (
        CatalogPhoto.objects.filter(pk=photo_id, vendor_id=admission.vendor_id)
        .filter(Q(offering__isnull=True) | Q(offering__in=offerings))
        .first()
    )


def listed_vendors(*, company: Company, estate_ids: list[int]) -> QuerySet[Admission]:
    """The vendors an owner of these estates may order from: admitted by the company for one of the
    estates, active and not suspended for a lapsed document."""
    return (
        Admission.objects.filter(
            company=company,
            status=AdmissionStatus.APPROVED,
            estate_ids__overlap=estate_ids,
            vendor__is_active=True,
            vendor__listings_suspended_at__isnull=True,
        )
        .select_related("vendor")
        .order_by("vendor__name", "vendor_id")
    )


def vendor_offerings(vendor: Vendor) -> QuerySet[Offering]:
    return Offering.objects.filter(vendor=vendor).select_related("company").order_by("-is_active", "name", "id")


def vendor_slots(vendor: Vendor, *, since: datetime) -> QuerySet[ServiceSlot]:
    return (
        ServiceSlot.objects.filter(vendor=vendor, ends_at__gt=since)
        .select_related("company")
        .annotate(held=Count("places", filter=Q(places__released_at__isnull=True)))
        .order_by("starts_at", "id")
    )


@dataclass(frozen=True)
class SettlementRow:
    company_id: int
    company_name: str
    vendor_id: int
    vendor_name: str
    orders: int
    amount: Decimal
    refunded: Decimal
    commission: Decimal
    payable: Decimal


def settlement(
    *, month_start: date, vendor: Vendor | None = None, company: Company | None = None
) -> list[SettlementRow]:
    """结算: the orders completed and paid for, each in the month the later of the two happened (a
    quoted order paid after its completion counts when it is paid, so a month already read never
    changes), per company and vendor — amount, refunded, commission (each order's kept amount × its
    rate, rounded to the fen half up) and what is payable to the vendor. The vendor's report and the
    company's are this one query, so both sides see alike."""
    end = (month_start.replace(day=28) + timedelta(days=4)).replace(day=1)
    tz = timezone.get_current_timezone()
    start_at = datetime.combine(month_start, time.min, tzinfo=tz)
    end_at = datetime.combine(end, time.min, tzinfo=tz)
    rows = PortalOrder.objects.filter(completed_at__isnull=False, paid_at__isnull=False).alias(
        settles_at=Greatest("completed_at", "paid_at")
    )
    rows = rows.filter(settles_at__gte=start_at, settles_at__lt=end_at)
    if vendor is not None:
        rows = rows.filter(vendor=vendor)
    if company is not None:
        rows = rows.filter(company=company)
    kept = ExpressionWrapper(F("amount") - F("refunded"), output_field=DecimalField(max_digits=12, decimal_places=2))
    # PostgreSQL's round() of a numeric goes half away from zero: half up for these amounts.
    commission = Round(
        ExpressionWrapper(kept * F("commission_rate"), output_field=DecimalField(max_digits=18, decimal_places=6)), 2
    )
    grouped = (
        rows.values("company_id", "company__name", "company__display_name", "vendor_id", "vendor__name")
        .annotate(
            n_orders=Count("id"), sum_amount=Sum("amount"), sum_refunded=Sum("refunded"), sum_commission=Sum(commission)
        )
        .order_by("company__name", "company_id", "vendor__name", "vendor_id")
    )
    result = []
    for row in grouped:
        fee = Decimal(row["sum_commission"]).quantize(FEN)
        result.append(
            SettlementRow(
                company_id=row["company_id"],
                company_name=row["company__display_name"] or row["company__name"],
                vendor_id=row["vendor_id"],
                vendor_name=row["vendor__name"],
                orders=row["n_orders"],
                amount=row["sum_amount"],
                refunded=row["sum_refunded"],
                commission=fee,
                payable=row["sum_amount"] - row["sum_refunded"] - fee,
            )
        )
    return result
