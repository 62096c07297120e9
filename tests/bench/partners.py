"""The partner portal's order list at scale: a vendor serving `--companies` companies with `--orders`
orders each opens GET /api/v1/partner/orders/ (public host, partner token), alone and under 20
concurrent clients; and its monthly settlement.

    python -m tests.bench.partners [--companies 200] [--orders 50] [--real 3] [--other-vendors 2]
                                   [--clients 20] [--requests 40] [--rounds 2] [--workers 2] [--threads 4]
                                   [--keep] [--reuse] [--alone-only]

Uses DATABASE_URL / REDIS_URL (or the embedded servers) and a scratch database `wuye_bench_partners`,
dropped at the end (kept with --keep); the vendor's document goes to a temporary WUYE_PRIVATE_ROOT,
removed too. --reuse measures again on the database a --keep run left (same --companies/--orders;
the code may have changed, the migrations not): no seeding, a fresh token for the same vendor, and
no query count at 10 companies (list_queries_10=n/a); the database is kept. The data, and what is
real in it:
- the vendor signs up, uploads its licence and gets its token through partners.services.vendors;
- `--real` companies are provisioned the way signup does (a schema each). In each, an estate with an
  owner bound to a house; the vendor applies (admissions.apply_to_company) and the company approves it
  (admissions.approve_admission); the vendor lists two goods (one fixed price, one quoted). Their
  `--orders` orders each are booked by the owner through tenants.vendor_orders.services.orders.book, so
  the vendor's copy (PortalOrder) is written by record_copy in the booking's own transaction; a fifth of
  the quoted ones are then confirmed, started and completed with an agreed amount by the vendor through
  partners.services.portal_orders.move_order (the bridge into the company's schema);
- the other companies are Company registry rows only: PUBLIC SCHEMA ONLY, NO SCHEMA PROVISIONED
  (provisioning 200 schemas would take the bench's whole budget). Each has an approved Admission and
  `--orders` PortalOrder rows bulk-inserted in the shape record_copy writes (statuses and times spread
  over the last 12 months, the ended ones' phones masked). The list and the settlement read only these
  public tables, so they cannot tell the two kinds apart; the vendor's moves on them would fail (no schema);
- `--other-vendors` more vendors admitted by the same companies with as many orders each, so the
  table is not the measured vendor's alone.
Then ANALYZE (as autovacuum would after such inserts) and it measures:
- the list's query count with 10 companies, then with all of them (must be equal: one query whatever
  the number of companies);
- alone, in-process WSGI (django.test.Client on the public host): the list (first page of 20),
  /api/v1/partner/settlement/?month=<last month> and /api/v1/partner/me/ (trivial) → p50/p95;
- concurrently, through gunicorn as deploy/Dockerfile serves it (tests.bench.owner_bills.concurrent_paths):
  `--clients` keep-alive clients alternate between the list and /api/v1/partner/me/ → p95 of each and
  p95_ratio_to_trivial.
Targets: list p95 alone ≤ 150 ms; concurrent ratio ≤ 2; list queries constant in the number of companies.
BENCH_SHOW_QUERIES=1 prints the list's statements and the EXPLAIN (ANALYZE, BUFFERS) of those reading the orders;
BENCH_PROFILE=1 prints a cProfile of 50 list requests (cumulative; BENCH_PROFILE_LINES=n lines, 35 by default).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

from tests.bench import serving
from tests.bench.owner_bills import _percentile, _timed, concurrent_paths

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "platform"))
sys.path.insert(0, str(ROOT))

SCRATCH = "wuye_bench_partners"
PASSWORD = "Bench-pass-2026"
STATUSES = ["done"] * 8 + ["rated"] * 4 + ["cancelled"] * 3 + ["unpaid", "booked", "confirmed", "in_service"] * 1


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--companies", type=int, default=200)
    parser.add_argument("--orders", type=int, default=50, help="per company")
    parser.add_argument("--real", type=int, default=3, help="companies provisioned, orders through the booking")
    parser.add_argument("--other-vendors", type=int, default=2)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--requests", type=int, default=40, help="per client, per endpoint and round")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--alone-n", type=int, default=200, help="sequential list requests")
    parser.add_argument("--keep", action="store_true", help="keep the scratch database (to profile it)")
    parser.add_argument("--reuse", action="store_true", help="measure on the database a --keep run left")
    parser.add_argument("--alone-only", action="store_true", help="skip the concurrent part")
    args = parser.parse_args()
    assert 1 <= args.real <= 10 <= args.companies

    private_root = tempfile.mkdtemp(prefix="wuye-bench-partners-")
    os.environ["WUYE_PRIVATE_ROOT"] = private_root
    os.environ["DATABASE_URL"] = serving.scratch_database_url(SCRATCH)
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    os.environ.setdefault("WUYE_DEMO", "true")
    os.environ["WUYE_LOG_FORMAT"] = "text"
    os.environ["LOG_LEVEL"] = "WARNING"
    import django

    django.setup()
    from django.db import connections

    if not args.reuse:
        serving.fresh_database(SCRATCH)
    try:
        run(args)
    finally:
        connections.close_all()
        if not (args.keep or args.reuse):
            serving.drop_database(SCRATCH)
        shutil.rmtree(private_root, ignore_errors=True)


def run(args: argparse.Namespace) -> None:
    from django.core.signals import request_started
    from django.db import connection, connections, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from companies.models import Company
    from partners.models import Admission, AdmissionStatus, PortalOrder, Vendor
    from partners.services import vendors

    if args.reuse:  # the vendor a --keep run seeded (the others are BENCHVnn), with a token of its own
        vendor = Vendor.objects.exclude(code__startswith="BENCHV").get()
        raw, _token = vendors.issue_token(account=vendor.accounts.order_by("id").first())
        others: list = []
        offering_name = ""
    else:
        vendor, raw, offering_name, others = _seed(args)
    now = timezone.now()
    phone_masked = "138****8000"

    def add_registry_companies(start: int, stop: int) -> None:
        companies = Company.objects.bulk_create(
            [
                Company(schema_name=f"bench_reg_{i:04d}", slug=f"benchreg{i:04d}", name=f"登记物业{i:04d}")
                for i in range(start, stop)
            ]
        )
        measured = Admission.objects.bulk_create(
            [
                Admission(
                    company=c,
                    vendor=vendor,
                    status=AdmissionStatus.APPROVED,
                    estate_ids=[1],
                    commission_rate=Decimal("0.0500"),
                    documents_reviewed_at=now,
                )
                for c in companies
            ]
        )
        rows = []
        for admission in measured:
            rows += _copies(
                admission, vendor.pk, args.orders, now, phone_masked, offering_name=offering_name, first_id=1
            )
        for k, other in enumerate(others, start=1):
            for admission in Admission.objects.bulk_create(
                [
                    Admission(
                        company=c, vendor=other, status=AdmissionStatus.APPROVED, commission_rate=Decimal("0.0300")
                    )
                    for c in companies
                ]
            ):
                rows += _copies(
                    admission,
                    other.pk,
                    args.orders,
                    now,
                    phone_masked,
                    offering_name="零食礼包",
                    first_id=1 + k * args.orders,
                )
        PortalOrder.objects.bulk_create(rows, batch_size=2000)

    def analyze() -> None:
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE partners_portalorder")
            cursor.execute("VACUUM ANALYZE partners_admission")
            cursor.execute("ANALYZE companies_company")

    host = Company.objects.get(schema_name="public").domains.order_by("-is_primary", "id").first().domain
    client = Client(HTTP_HOST=host, HTTP_AUTHORIZATION=f"Bearer {raw}")

    def get(path: str) -> bytes:
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code, response.content[:300])
        return bytes(response.content)

    last_month = (timezone.localdate().replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
    paths = {
        "list": "/api/v1/partner/orders/",
        "settlement": f"/api/v1/partner/settlement/?month={last_month}",
        "trivial": "/api/v1/partner/me/",
    }

    def list_queries() -> tuple[int, list[dict[str, str]]]:
        for _ in range(3):
            get(paths["list"])
        request_started.disconnect(reset_queries)  # or the capture is emptied when the request starts
        try:
            with CaptureQueriesContext(connection) as queries:
                body = get(paths["list"])
        finally:
            request_started.connect(reset_queries)
        assert b'"results"' in body
        return len(queries.captured_queries), list(queries.captured_queries)

    t0 = time.perf_counter()
    queries_10: int | str = "n/a"
    if not args.reuse:
        add_registry_companies(args.real, 10)
        analyze()
        queries_10, _captured = list_queries()
        count_10 = int(json.loads(get(paths["list"]))["count"])
        assert count_10 == 10 * args.orders, count_10
        add_registry_companies(10, args.companies)
        analyze()
    fill_seconds = time.perf_counter() - t0
    queries_all, captured = list_queries()
    listed = json.loads(get(paths["list"]))
    total = PortalOrder.objects.filter(vendor=vendor).count()
    companies = Admission.objects.filter(vendor=vendor, status=AdmissionStatus.APPROVED).count()
    assert companies == args.companies, companies
    assert total == args.companies * args.orders == listed["count"], (total, listed["count"])
    print(
        f"{total} orders of the vendor in {companies} companies ({args.real} provisioned, "
        f"{companies - args.real} registry rows only, no schema); {PortalOrder.objects.count()} portal orders "
        f"in all; registry rows filled in {fill_seconds:.1f}s",
        flush=True,
    )
    print(f"list queries: {queries_10} with 10 companies, {queries_all} with {companies}", flush=True)
    if os.environ.get("BENCH_SHOW_QUERIES"):
        for query in captured:
            print(f"{float(query['time']) * 1000:7.1f} ms  {query['sql'][:300]}")
        with connection.cursor() as cursor:
            for sql in (q["sql"] for q in captured if '"partners_portalorder"' in q["sql"]):
                cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
                print("\n".join(row[0] for row in cursor.fetchall()))

    for path in paths.values():
        for _ in range(3):
            get(path)  # warm
    if os.environ.get("BENCH_PROFILE"):  # where one list request spends its time (cProfile, 50 requests)
        import cProfile
        import pstats

        profile = cProfile.Profile()
        profile.runcall(lambda: [get(paths["list"]) for _ in range(50)])
        pstats.Stats(profile).sort_stats("cumulative").print_stats(int(os.environ.get("BENCH_PROFILE_LINES", "35")))
    alone = {
        "list": _timed(lambda: get(paths["list"]), args.alone_n),
        "settlement": _timed(lambda: get(paths["settlement"]), 60),
        "trivial": _timed(lambda: get(paths["trivial"]), 100),
    }
    for name, timings in alone.items():
        print(
            f"alone {name}: p50 {statistics.median(timings):.1f} ms, p95 {_percentile(timings, 0.95):.1f} ms",
            flush=True,
        )
    settlement_rows = json.loads(get(paths["settlement"]))
    print(f"settlement {last_month}: {len(settlement_rows)} companies", flush=True)
    connections.close_all()

    p95 = {name: _percentile(timings, 0.95) for name, timings in alone.items()}
    figures = (
        f"companies={companies} orders={total} real_companies={args.real} "
        f"list_p50_ms={statistics.median(alone['list']):.1f} list_p95_ms={p95['list']:.1f} "
        f"list_queries_10={queries_10} list_queries_{companies}={queries_all}"
    )
    tail = (
        f"settlement_p95_ms={p95['settlement']:.1f} trivial_p95_ms={p95['trivial']:.1f} load1={os.getloadavg()[0]:.2f}"
    )
    if args.alone_only:
        print(f"{figures} {tail}")
        return
    concurrent = concurrent_paths(
        args=args, host=host, token=raw, paths={"list": paths["list"], "trivial": paths["trivial"]}
    )
    ratio = concurrent["list"]["p95"] / concurrent["trivial"]["p95"]
    print(
        f"{figures} clients={args.clients} workers={args.workers}x{args.threads} "
        f"list_p95_concurrent_ms={concurrent['list']['p95']:.1f} "
        f"trivial_p95_concurrent_ms={concurrent['trivial']['p95']:.1f} "
        f"p95_ratio_to_trivial={ratio:.2f} {tail}"
    )


def _seed(args: argparse.Namespace) -> tuple:
    """The vendor, its token, the real companies and their orders booked (see the module's docstring);
    the other vendors, still without companies."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.db import connection
    from django.utils import timezone
    from django_tenants.utils import tenant_context

    from accounts.models import User
    from core.outbox import relay
    from partners.models import PortalOrder, Vendor
    from partners.services import admissions, catalogue, portal_orders, vendors
    from tenants.estates import services as estate_services
    from tenants.estates.models import House
    from tenants.residents import services as resident_services
    from tenants.vendor_orders.services import orders as order_services

    relay.publish = lambda *a, **k: None  # no worker here: the outbox's messages stay in the database

    vendor, account = vendors.sign_up_vendor(
        name="洁净家政", kind="both", contact_name="王经理", phone="13900001111", password=PASSWORD
    )
    vendors.add_document(
        account=account,
        kind="business_licence",
        number="91310000MA1FL0001",
        file=SimpleUploadedFile("licence.pdf", b"%PDF-1.4 licence", content_type="application/pdf"),
        expires_on=timezone.localdate() + timedelta(days=3650),
    )
    raw, _token = vendors.issue_token(account=account)
    fixed = catalogue.add_offering(
        account=account, kind="goods", name="桶装水 18.9L", price_mode="fixed", price=Decimal("22.00"), unit="桶"
    )
    quoted = catalogue.add_offering(
        account=account, kind="goods", name="家电清洗", price_mode="quoted", price=Decimal("80.00"), unit="台"
    )

    # --- the real companies: provisioned, orders through the booking -----------------------------------
    t0 = time.perf_counter()
    real = []
    for c in range(args.real):
        company = serving.provision_company(slug=f"benchpartner{c}", name=f"伙伴基准物业{c}", password=PASSWORD)
        real.append(company)
    provision_seconds = time.perf_counter() - t0
    print(f"{args.real} companies provisioned in {provision_seconds:.1f}s", flush=True)

    t0 = time.perf_counter()
    completed = 0
    to_complete = []
    for company in real:
        admission = admissions.apply_to_company(account=account, company_slug=company.slug)
        with tenant_context(company):
            admin = User.objects.get(username="admin")
            estate = estate_services.create_estate(name="伙伴苑")
            building = estate_services.create_building(estate=estate, name="1栋", floors=5, units=["1单元"])
            estate_services.generate_houses(
                building=building, per_floor=2, building_area=Decimal("89.50"), usable_area=Decimal("72.30")
            )
            house = House.objects.filter(estate=estate).order_by("id").first()
            admissions.approve_admission(
                admission_id=admission.pk, actor=admin, estate_ids=[estate.pk], commission_rate="0.0500"
            )
            owner = User.objects.create(username="owner-1", roles=["resident"])
            person = resident_services.create_person(actor=admin, name="李业主", phone="13800138000")
            resident_services.add_occupancy(actor=admin, house=house, person=person, relation="owner")
            person.user = owner
            person.save(update_fields=["user"])
            for n in range(args.orders):
                offering = quoted if n % 2 else fixed
                order = order_services.book(
                    user=owner,
                    vendor_id=vendor.pk,
                    offering_id=offering.pk,
                    house_id=house.pk,
                    contact_name="李业主",
                    contact_phone="13800138000",
                    idempotency_key=f"bench-{n}",
                    quantity=1 + n % 3,
                    fulfilment="delivery",
                    note="放门口即可" if n % 5 == 0 else "",
                )
                if offering is quoted and n % 10 == 1:  # a fifth of the quoted ones: served to the end
                    to_complete.append((company, order.pk))
    connection.set_schema_to_public()
    for company, order_id in to_complete:  # the vendor's moves, from the portal (public schema)
        copy = PortalOrder.objects.get(company=company, order_id=order_id)
        for move in ("confirm", "start"):
            portal_orders.move_order(account=account, portal_order_id=copy.pk, move=move)
        # A quoted order is completed with the amount agreed at the door.
        portal_orders.move_order(account=account, portal_order_id=copy.pk, move="complete", amount=Decimal("88.00"))
        completed += 1
    booking_seconds = time.perf_counter() - t0
    real_orders = PortalOrder.objects.filter(vendor=vendor).count()
    assert real_orders == args.real * args.orders, real_orders
    print(
        f"{real_orders} orders booked through the real path in {booking_seconds:.1f}s ({completed} completed)",
        flush=True,
    )

    # --- the registry-only companies: public rows, no schema -----------------------------------------
    others = [
        Vendor.objects.create(
            code=f"BENCHV{k:02d}", name=f"其他服务商{k}", kind="merchant", contact_name="赵", phone="13700000000"
        )
        for k in range(args.other_vendors)
    ]
    return vendor, raw, fixed.name, others


def _copies(admission, vendor_id: int, n: int, now, phone_masked: str, *, offering_name: str, first_id: int) -> list:
    """`n` PortalOrder rows of one company in the shape record_copy writes them."""
    from partners.models import PortalOrder

    rows = []
    for k in range(n):
        order_id = first_id + k  # the order's id in the company's schema: one per company
        created = now - timedelta(seconds=(admission.pk * 7919 + k * 104729) % (365 * 86400))
        status = STATUSES[(admission.pk + k) % len(STATUSES)]
        ended = status in ("done", "rated", "cancelled")
        amount = Decimal(22 * (1 + k % 3)).quantize(Decimal("0.01"))
        completed_at = created + timedelta(hours=20) if status in ("done", "rated") else None
        if completed_at is not None and completed_at > now:
            completed_at = now
        rows.append(
            PortalOrder(
                company_id=admission.company_id,
                vendor_id=vendor_id,
                admission=admission,
                order_id=order_id,
                number=f"FW{created:%Y%m%d}{order_id:06d}",
                version=4 if ended else 2,
                status=status,
                offering_name=offering_name,
                quantity=1 + k % 3,
                amount=amount,
                refunded=amount if status == "cancelled" else Decimal("0.00"),
                commission_rate=admission.commission_rate,
                estate_name="登记苑",
                address=f"1栋1单元{100 + k % 20}",
                contact_name="业主",
                contact_phone=phone_masked if ended or status == "unpaid" else "13800138000",
                note="",
                rating=1 + k % 5 if status == "rated" else None,
                rating_comment="",
                created_at=created,
                paid_at=created + timedelta(minutes=3) if status != "unpaid" else None,
                completed_at=completed_at,
                cancelled_at=created + timedelta(hours=1) if status == "cancelled" else None,
                updated_at=completed_at or created,
            )
        )
    return rows


if __name__ == "__main__":
    main()
