"""The portal's order list (GET /api/v1/partner/orders/): the orders of the companies that admit the
vendor now, newest first, filtered by status and company, paged with an exact count — the page and
its count read in one statement (partners.api.pagination) — and each row rendered exactly as DRF
would render the serializer's fields."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.signals import request_started
from django.db import connection, reset_queries
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework import serializers

from companies.models import Company
from partners import selectors
from partners.api.orders import PartnerOrderSerializer
from partners.models import Admission, AdmissionStatus, PortalOrder, Vendor

pytestmark = pytest.mark.django_db

LIST = "/api/v1/partner/orders/"
STATUSES = ["booked", "confirmed", "in_service", "done", "rated", "cancelled", "unpaid"]


def _company(slug: str, display_name: str = "") -> Company:
    # A registry row only (bulk_create: no schema) — the list reads public tables alone.
    return Company.objects.bulk_create(
        [Company(schema_name=f"list_{slug}", slug=slug, name=f"{slug}物业", display_name=display_name)]
    )[0]


def _admitted(vendor: Vendor, company: Company, status: str = AdmissionStatus.APPROVED) -> Admission:
    return Admission.objects.create(company=company, vendor=vendor, status=status, commission_rate=Decimal("0.0500"))


def _orders(admission: Admission, n: int, *, start: int = 1, minutes_ago: int = 0) -> list[PortalOrder]:
    now = timezone.now()
    rows = []
    for k in range(n):
        status = STATUSES[k % len(STATUSES)]
        created = now - timedelta(minutes=minutes_ago + k * 7)
        rows.append(
            PortalOrder(
                company_id=admission.company_id,
                vendor_id=admission.vendor_id,
                admission=admission,
                order_id=start + k,
                number=f"FW{start + k:06d}",
                version=1,
                status=status,
                offering_name="家电清洗",
                price_mode="quoted" if k % 2 else "fixed",
                quantity=1 + k % 3,
                amount=Decimal("88.50") if k % 2 else Decimal("22"),
                refunded=Decimal("22.00") if status == "cancelled" else Decimal("0"),
                commission_rate=admission.commission_rate,
                scheduled_start=created + timedelta(days=1) if k % 3 == 0 else None,
                scheduled_end=created + timedelta(days=1, hours=2) if k % 3 == 0 else None,
                estate_name="伙伴苑",
                address=f"1栋1单元{100 + k}",
                contact_name="李业主",
                contact_phone="13800138000",
                note="放门口" if k % 4 == 0 else "",
                rating=5 if status == "rated" else None,
                rating_comment="",
                created_at=created,
                paid_at=created + timedelta(minutes=3) if status != "unpaid" else None,
                completed_at=created + timedelta(hours=20) if status in ("done", "rated") else None,
                cancelled_at=created + timedelta(hours=1) if status == "cancelled" else None,
                updated_at=created,
            )
        )
    return PortalOrder.objects.bulk_create(rows)


@pytest.fixture
def world(vendor):
    """The vendor admitted by two companies (25 and 20 orders, interleaved in time) and suspended by
    a third (5 orders); another vendor's orders in the first company."""
    me = Vendor.objects.get(code=vendor.code)
    other = Vendor.objects.create(
        code="OTHERV01", name="邻家超市", kind="merchant", contact_name="赵", phone="13700000000"
    )
    north, south, gone = _company("listnorth", display_name="北苑物业"), _company("listsouth"), _company("listgone")
    _orders(_admitted(me, north), 25, start=1)
    _orders(_admitted(me, south), 20, start=1, minutes_ago=3)
    _orders(_admitted(me, gone, AdmissionStatus.SUSPENDED), 5, start=1, minutes_ago=1)
    _orders(_admitted(other, north), 4, start=100)
    return vendor, me


def test_every_order_of_the_admitting_companies_newest_first_paged_with_its_exact_count(world):
    vendor, me = world
    expected = list(
        PortalOrder.objects.filter(vendor=me, company__slug__in=["listnorth", "listsouth"])
        .order_by("-created_at", "-id")
        .values_list("pk", flat=True)
    )
    assert len(expected) == 45
    first = vendor.client.get(LIST).json()
    assert first["count"] == 45 and first["previous"] is None and "page=2" in first["next"]
    assert [row["id"] for row in first["results"]] == expected[:20]
    third = vendor.client.get(f"{LIST}?page=3").json()
    assert third["count"] == 45 and third["next"] is None and "page=2" in third["previous"]
    assert [row["id"] for row in third["results"]] == expected[40:]
    last = vendor.client.get(f"{LIST}?page=last").json()
    assert [row["id"] for row in last["results"]] == expected[40:]
    sized = vendor.client.get(f"{LIST}?page=2&page_size=40").json()
    assert sized["count"] == 45 and [row["id"] for row in sized["results"]] == expected[40:]
    assert {row["company"] for row in first["results"]} == {"listnorth", "listsouth"}
    names = {row["company"]: row["company_name"] for row in first["results"]}
    assert names == {"listnorth": "北苑物业", "listsouth": "listsouth物业"}  # the shown name, else the name


@pytest.mark.parametrize("page", ["4", "99", "999999999", "9999999999", "0", "-1", "x", "2.5"])
def test_a_page_past_the_end_or_not_a_page_is_not_found_as_before(world, page):
    vendor, _me = world
    response = vendor.client.get(f"{LIST}?page={page}")
    assert response.status_code == 404, response.content


def test_filters_narrow_the_page_and_its_count(world):
    vendor, me = world
    booked = vendor.client.get(f"{LIST}?status=booked").json()
    expected = PortalOrder.objects.filter(vendor=me, status="booked", company__slug__in=["listnorth", "listsouth"])
    assert booked["count"] == expected.count() > 0
    assert {row["status"] for row in booked["results"]} == {"booked"}
    south = vendor.client.get(f"{LIST}?company=listsouth").json()
    assert south["count"] == 20 and {row["company"] for row in south["results"]} == {"listsouth"}
    both = vendor.client.get(f"{LIST}?company=listsouth&status=rated").json()
    assert both["count"] == PortalOrder.objects.filter(company__slug="listsouth", vendor=me, status="rated").count()
    assert vendor.client.get(f"{LIST}?company=listgone").json() == {
        "count": 0,
        "next": None,
        "previous": None,
        "results": [],
    }


def test_a_company_that_suspends_the_vendor_drops_out_of_the_page_and_the_count_at_once(world):
    vendor, me = world
    assert vendor.client.get(LIST).json()["count"] == 45
    Admission.objects.filter(vendor=me, company__slug="listnorth").update(status=AdmissionStatus.SUSPENDED)
    listed = vendor.client.get(LIST).json()
    assert listed["count"] == 20 and {row["company"] for row in listed["results"]} == {"listsouth"}
    assert vendor.client.get(f"{LIST}?page=2").status_code == 404


def test_the_page_and_its_count_are_one_statement(world):
    vendor, _me = world
    request_started.disconnect(reset_queries)  # or the capture is emptied when the request starts
    try:
        with CaptureQueriesContext(connection) as queries:
            assert vendor.client.get(LIST).status_code == 200
    finally:
        request_started.connect(reset_queries)
    reading = [q["sql"] for q in queries.captured_queries if "partners_portalorder" in q["sql"]]
    assert len(reading) == 1 and "COUNT(*)" in reading[0]


@pytest.mark.parametrize(
    ("status", "company", "limit", "offset"),
    [
        ("", "", 20, 0),
        ("", "", 20, 40),
        ("", "", 7, 3),
        ("booked", "", 20, 0),
        ("", "listsouth", 5, 5),
        ("rated", "listnorth", 20, 0),
        ("", "listgone", 20, 0),
        ("", "nosuch", 20, 0),
        ("", "", 20, 45),
    ],
)
def test_the_hand_written_page_is_vendor_orders_page_and_count(world, status, company, limit, offset):
    """The list's one statement (selectors.vendor_order_page) gives what vendor_orders gives: the same
    rows in the same order, the same company columns, every field as read, and the exact count."""
    _vendor, me = world
    rows = selectors.vendor_orders(me)
    if status:
        rows = rows.filter(status=status)
    if company:
        rows = rows.filter(company__slug=company)
    expected = list(rows[offset : offset + limit])
    page = selectors.vendor_order_page(me, status=status, company_slug=company, limit=limit, offset=offset)
    assert [row.pk for row in page] == [row.pk for row in expected]
    assert {row.total_rows for row in page} <= {rows.count()}
    names = [field.attname for field in PortalOrder._meta.concrete_fields] + ["company_slug", "company_label"]
    for got, want in zip(page, expected, strict=True):
        assert {n: getattr(got, n) for n in names} == {n: getattr(want, n) for n in names}
    assert all(row.contact_phone == "13800138000" for row in page)  # decrypted as the ORM reads it


@pytest.mark.parametrize("zone", ["Asia/Shanghai", "UTC"])
def test_a_row_is_rendered_exactly_as_drf_renders_the_serializers_fields(world, zone):
    """PartnerOrderSerializer writes its representation out by hand (the list's cost): it must be
    what ModelSerializer's own field-by-field rendering gives, field for field, for every kind of row."""
    _vendor, me = world
    with timezone.override(zone):
        for order in selectors.vendor_orders(me):
            serializer = PartnerOrderSerializer(order)
            fast = serializer.to_representation(order)
            generic = serializers.ModelSerializer.to_representation(serializer, order)
            assert list(fast) == list(generic) == PartnerOrderSerializer.Meta.fields
            assert fast == generic, order.number
    # Live orders show the phone in full, ended ones masked — as before.
    phones = {row.status: PartnerOrderSerializer(row).data["contact_phone"] for row in selectors.vendor_orders(me)}
    assert phones["booked"] == "13800138000" and phones["done"] != "13800138000"


def test_a_decimal_set_in_python_renders_to_its_places_as_drf_would(world):
    _vendor, me = world
    order = selectors.vendor_orders(me).first()
    order.amount, order.refunded, order.commission_rate = Decimal("88"), Decimal("1.5"), Decimal("0.05")
    serializer = PartnerOrderSerializer(order)
    fast = serializer.to_representation(order)
    assert fast == serializers.ModelSerializer.to_representation(serializer, order)
    assert (fast["amount"], fast["refunded"], fast["commission_rate"]) == ("88.00", "1.50", "0.0500")
