"""The owner's bills (mini-program) on a house among a large ledger, through the whole HTTP stack.

    python -m tests.bench.owner_bills [--houses 25000] [--months 4]

Uses DATABASE_URL / REDIS_URL (or the embedded servers) and a scratch database `wuye_bench_owner`,
dropped at the end. Provisions a company, fills it with `--houses` houses on three monthly fee items
(one with a late-fee policy), issues `--months` months of bills (houses × 3 × months charges), pays
part of one house's bills, binds an owner to it, then times (in-process WSGI, token auth):
- GET /api/v1/owner/bills/ and /api/v1/owner/bills/history/ → p50 and p95 over 60 calls each;
- GET /api/v1/me/ for the same owner, the baseline of a trivial authenticated endpoint.
Last line: charges, owner_bills_p50_ms, owner_bills_p95_ms, history_p50_ms, baseline_p50_ms, bills_queries.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "platform"))
sys.path.insert(0, str(ROOT))

SCRATCH = "wuye_bench_owner"
SLUG = "benchowner"


def _scratch_database_url() -> str:
    from config import embedded

    url = os.environ.get("DATABASE_URL") or embedded.start_postgres()
    os.environ.setdefault("REDIS_URL", os.environ.get("REDIS_URL") or embedded.start_redis())
    base, _, _name = url.rpartition("/")
    return f"{base}/{SCRATCH}"


def _timed(call, n: int) -> list[float]:
    timings = []
    for _ in range(n):
        t0 = time.perf_counter()
        call()
        timings.append((time.perf_counter() - t0) * 1000)
    return sorted(timings)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--houses", type=int, default=25_000)
    parser.add_argument("--months", type=int, default=4)
    args = parser.parse_args()

    os.environ["DATABASE_URL"] = _scratch_database_url()
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    os.environ.setdefault("WUYE_DEMO", "true")
    os.environ["WUYE_LOG_FORMAT"] = "text"
    os.environ["LOG_LEVEL"] = "WARNING"
    import django
    import psycopg

    def admin_connect():
        params = django.db.connections["default"].get_connection_params()
        return psycopg.connect(**{**params, "dbname": "postgres"}, autocommit=True)

    django.setup()
    from django.db import connection, connections

    with admin_connect() as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {SCRATCH} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {SCRATCH}")
    try:
        env = {**os.environ, "PYTHONPATH": f"{ROOT / 'platform'}:{ROOT}"}
        subprocess.run(
            [sys.executable, str(ROOT / "manage.py"), "migrate_schemas", "--shared", "-v", "0"], env=env, check=True
        )
        from django.test import Client
        from django.test.utils import CaptureQueriesContext
        from django_tenants.utils import tenant_context

        from accounts import services as account_services
        from accounts.models import User
        from billing.models import Charge, FeeItem, FeePrice
        from billing.services import payments
        from companies import services as company_services
        from companies.models import Company
        from core.actions import action
        from core.outbox import relay
        from core.outbox import services as outbox
        from core.schemas import Schema
        from tenants.estates import services as estate_services
        from tenants.estates.models import House
        from tenants.residents import services as resident_services

        relay.publish = lambda *a, **k: None
        company_services.ensure_public_tenant()
        signup = company_services.create_signup(
            data={
                "company_name": "业主账单基准物业",
                "slug": SLUG,
                "admin_name": "基准",
                "admin_phone": "13800000000",
                "admin_email": f"admin@{SLUG}.example.com",
                "password": "Bench-pass-2026",
            }
        )
        if outbox.deliver_now(schema_name="public", key=f"signup:{signup.pk}") != "done":
            raise SystemExit("provisioning the bench company failed")
        company = Company.objects.get(slug=SLUG)
        host = company.domains.first().domain

        with tenant_context(company):
            from django.utils import timezone

            today = timezone.localdate()
            month, year = today.month - (args.months - 1), today.year
            while month < 1:
                month, year = month + 12, year - 1
            start = date(year, month, 1)
            estate = estate_services.create_estate(name="基准小区")
            building = estate_services.create_building(estate=estate, name="1栋", floors=200, units=["1单元"])
            unit_id = building.units.get().pk

            @action(schema=Schema.COMPANY, audit=False)  # bench data, set-based
            def fill() -> None:
                with connection.cursor() as cursor:
                    cursor.execute(
                        """INSERT INTO estates_house (unit_id, building_id, estate_id, number, floor, building_area,
                               usable_area, layout, use, status, fee_coefficient, binding_code)
                           SELECT %s, %s, %s, 'H' || n, 1 + (n %% 200), 60 + (n %% 90) + 0.25,
                                  round((60 + (n %% 90)) * 0.8, 2), '', 'residential', 'occupied', 1, 'B' || n
                           FROM generate_series(1, %s) AS n""",
                        [unit_id, building.pk, estate.pk, args.houses],
                    )
                specs = [
                    ("物业费", "building_area", "2.3500", {"strategy": "daily_rate", "rate": "0.0005"}),
                    ("垃圾处理费", "fixed", "15.00", {}),
                    ("二次供水费", "count", "8.5000", {}),
                ]
                for name, mode, price, late_fee in specs:
                    item = FeeItem.objects.create(
                        name=name, kind="property", mode=mode, valid_from=start, late_fee=late_fee
                    )
                    FeePrice.objects.create(fee_item=item, effective_from=start, unit_price=Decimal(price))
                    with connection.cursor() as cursor:
                        cursor.execute(
                            """INSERT INTO billing_feeassignment (fee_item_id, house_id, start, quantity, created_at)
                               SELECT %s, id, %s, 1, now() FROM estates_house""",
                            [item.pk, start],
                        )

            fill()
            # The ledger, set-based (the bill run has its own bench): every house × item × month, the
            # months before this one overdue, with the calculation a bill run records.
            items = list(FeeItem.objects.order_by("id").values_list("pk", "mode"))

            @action(schema=Schema.COMPANY, audit=False)  # bench data, set-based
            def issue() -> None:
                with connection.cursor() as cursor:
                    for item_id, mode in items:
                        cursor.execute(
                            """INSERT INTO billing_charge (house_id, estate_id, building_id, fee_item_id, kind,
                                   cycle_start, period_start, period_end, amount, issued_on, due_date, calculation,
                                   reason, created_at)
                               SELECT h.id, h.estate_id, h.building_id, %s, 'regular', m::date, m::date,
                                      (m + interval '1 month')::date, round(h.building_area * 2.35, 2), m::date,
                                      (m + interval '15 days')::date,
                                      jsonb_build_object('mode', %s, 'base', h.building_area::text,
                                                         'unit_price', '2.3500', 'months', '1/1'),
                                      '', now()
                               FROM estates_house h
                               CROSS JOIN generate_series(%s::date, %s::date, interval '1 month') AS m""",
                            [item_id, mode, start, date(today.year, today.month, 1)],
                        )

            issue()
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
            charges = Charge.objects.count()
            print(f"{charges} charges for {args.houses} houses", flush=True)

            house = House.objects.order_by("id")[args.houses // 2]
            payments.record_payment(
                house=house, amount=Decimal("150.00"), method="cash", idempotency_key="bench-owner-1", actor=None
            )
            admin = User.objects.get(username="admin")
            owner = User.objects.create(username="bench-owner", roles=["resident"])
            person = resident_services.create_person(actor=admin, name="业主")
            resident_services.add_occupancy(
                actor=admin, house=house, person=person, relation="owner", is_primary_payer=True
            )
            person.user = owner
            person.save(update_fields=["user"])
            raw, _token = account_services.issue_token(user=owner, kind="sms")

        connection.set_schema_to_public()
        client = Client(HTTP_HOST=host, HTTP_AUTHORIZATION=f"Bearer {raw}")

        def get(path: str) -> None:
            response = client.get(path)
            assert response.status_code == 200, (path, response.status_code, response.content[:300])

        for path in ("/api/v1/owner/bills/", "/api/v1/owner/bills/history/", "/api/v1/me/"):
            for _ in range(5):
                get(path)  # warm: connections, caches, the token
        from django.core.signals import request_started
        from django.db import reset_queries

        request_started.disconnect(reset_queries)  # or the capture is emptied when the request starts
        with CaptureQueriesContext(connection) as queries:
            get("/api/v1/owner/bills/")
        if os.environ.get("BENCH_SHOW_QUERIES"):
            for query in queries.captured_queries:
                print(f"{float(query['time']) * 1000:7.1f} ms  {query['sql'][:160]}")
        bills = _timed(lambda: get("/api/v1/owner/bills/"), 60)
        history = _timed(lambda: get("/api/v1/owner/bills/history/"), 60)
        baseline = _timed(lambda: get("/api/v1/me/"), 60)
        print(
            f"charges={charges} owner_bills_p50_ms={statistics.median(bills):.1f} "
            f"owner_bills_p95_ms={bills[int(len(bills) * 0.95) - 1]:.1f} "
            f"history_p50_ms={statistics.median(history):.1f} baseline_p50_ms={statistics.median(baseline):.1f} "
            f"bills_queries={len(queries.captured_queries)}"
        )
    finally:
        connections.close_all()
        with admin_connect() as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {SCRATCH} WITH (FORCE)")


if __name__ == "__main__":
    main()
