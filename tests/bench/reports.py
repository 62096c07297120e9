"""Billing reports on a large estate: 10,000 houses × 30 monthly charges = 300,000 charges, most paid,
some adjusted, some with late fees — arrears, its totals, the collection series, income.

    python -m tests.bench.reports [--houses 10000] [--months 30]

Uses DATABASE_URL / REDIS_URL (or the embedded servers) and a scratch database `wuye_bench_reports`,
dropped at the end. The ledger is written with set-based INSERT … SELECT with the ledger's row
triggers off (session_replication_role = replica): the data is consistent by construction, and the
bench measures the reads. Each report runs three times after a warm-up; the best is printed.
Baseline: one plain aggregate over the estate's charges (a scan of the same rows). Last line:
arrears_page_ms (count + page + payers, as the API runs it), arrears_totals_ms, collection_12m_ms,
income_month_ms, baseline_scan_ms, ratio (arrears page ÷ baseline).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "platform"))
sys.path.insert(0, str(ROOT))

SCRATCH = "wuye_bench_reports"
SLUG = "benchreports"


def _scratch_database_url() -> str:
    from config import embedded

    url = os.environ.get("DATABASE_URL") or embedded.start_postgres()
    os.environ.setdefault("REDIS_URL", os.environ.get("REDIS_URL") or embedded.start_redis())
    base, _, _name = url.rpartition("/")
    return f"{base}/{SCRATCH}"


LEDGER_SQL = """
INSERT INTO billing_charge (house_id, estate_id, building_id, fee_item_id, kind, cycle_start, period_start,
                            period_end, amount, issued_on, due_date, calculation, reason, created_at)
SELECT h.id, h.estate_id, h.building_id, %(item)s, 'regular', m.start, m.start, (m.start + interval '1 month')::date,
       round(h.building_area * 2.5, 2), m.start, m.start + 14, '{}', '', now()
  FROM estates_house h
 CROSS JOIN (SELECT (date_trunc('month', %(today)s::date) - make_interval(months => k))::date AS start
               FROM generate_series(0, %(months)s - 1) k) m
 WHERE h.estate_id = %(estate)s;

-- one charge in 50 adjusted by a tenth, one in 33 with a late fee
INSERT INTO billing_charge (house_id, estate_id, building_id, fee_item_id, kind, cycle_start, period_start,
                            period_end, amount, issued_on, due_date, calculation, reason, created_at, principal_id)
SELECT house_id, estate_id, building_id, fee_item_id, 'adjustment', due_date, due_date, due_date + 1,
       -round(amount / 10, 2), due_date, due_date, '{}', 'bench', now(), id
  FROM billing_charge WHERE kind = 'regular' AND id %% 50 = 0;
INSERT INTO billing_charge (house_id, estate_id, building_id, fee_item_id, kind, cycle_start, period_start,
                            period_end, amount, issued_on, due_date, calculation, reason, created_at, principal_id)
SELECT house_id, estate_id, building_id, fee_item_id, 'late_fee', due_date + 30, due_date + 30, due_date + 31,
       round(amount / 20, 2), due_date + 30, due_date + 30, '{}', '', now(), id
  FROM billing_charge WHERE kind = 'regular' AND id %% 33 = 1;

-- every regular charge older than six months paid in full, four in five newer ones; one payment each
CREATE TEMP TABLE bench_paid AS
SELECT c.id AS charge_id, c.house_id, c.estate_id,
       c.amount + COALESCE((SELECT sum(a.amount) FROM billing_charge a WHERE a.principal_id = c.id
                            AND a.kind = 'adjustment'), 0) AS amount,
       c.due_date
  FROM billing_charge c
 WHERE c.kind = 'regular' AND (c.due_date < %(today)s::date - 180 OR c.id %% 5 <> 0);
ALTER TABLE bench_paid ADD COLUMN payment_id bigint;
UPDATE bench_paid SET payment_id = nextval(pg_get_serial_sequence('billing_payment', 'id'));
INSERT INTO billing_payment (id, house_id, estate_id, method, amount, received_at, business_date, payer_name,
                             reference, note, idempotency_key, created_at)
SELECT payment_id, house_id, estate_id, (ARRAY['cash','wechat','pos','transfer'])[1 + payment_id %% 4], amount,
       LEAST(due_date, %(today)s::date)::timestamptz, LEAST(due_date, %(today)s::date), '', '', '',
       'bench-' || payment_id, now()
  FROM bench_paid;
INSERT INTO billing_allocation (payment_id, charge_id, amount, created_at)
SELECT payment_id, charge_id, amount, now() FROM bench_paid;
DROP TABLE bench_paid;
ANALYZE;
"""


def _best(label: str, fn, repeat: int = 3) -> float:
    fn()  # warm-up
    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        fn()
        times.append((time.perf_counter() - began) * 1000)
    best = min(times)
    print(f"{label}: best {best:.0f} ms of {repeat} ({', '.join(f'{t:.0f}' for t in times)})", flush=True)
    return best


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--houses", type=int, default=10_000)
    parser.add_argument("--months", type=int, default=30)
    parser.add_argument("--explain", action="store_true", help="print the arrears query plan")
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
    from django.db import connections

    with admin_connect() as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {SCRATCH} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {SCRATCH}")
    try:
        env = {**os.environ, "PYTHONPATH": f"{ROOT / 'platform'}:{ROOT}"}
        subprocess.run(
            [sys.executable, str(ROOT / "manage.py"), "migrate_schemas", "--shared", "-v", "0"], env=env, check=True
        )
        from decimal import Decimal

        from django.db import connection
        from django.utils import timezone
        from django_tenants.utils import tenant_context

        from billing.models import FeeItem
        from billing.selectors import arrears, collection, income
        from companies import services as company_services
        from companies.models import Company
        from core.actions import action
        from core.outbox import relay
        from core.outbox import services as outbox
        from core.schemas import Schema
        from tenants.estates import services as estate_services
        from tenants.estates.models import House

        relay.publish = lambda *args, **kwargs: None
        company_services.ensure_public_tenant()
        signup = company_services.create_signup(
            data={
                "company_name": "报表基准物业",
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
        today = timezone.localdate()
        with tenant_context(company):
            began = time.perf_counter()
            estate = estate_services.create_estate(name="基准小区")
            per_building = 25 * 10 * 2  # floors × per floor × units
            for number in range(-(-args.houses // per_building)):
                building = estate_services.create_building(
                    estate=estate, name=f"{number + 1}栋", floors=25, units=["1单元", "2单元"]
                )
                estate_services.generate_houses(
                    building=building, per_floor=10, building_area=Decimal("89.50"), usable_area=Decimal("72.30")
                )

            @action(schema=Schema.COMPANY, audit=False)  # bench set-up
            def ledger() -> int:
                item = FeeItem.objects.create(name="物业费", kind="property", mode="fixed", valid_from=today)
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL session_replication_role = replica")
                    params = {"item": item.pk, "today": today, "months": args.months, "estate": estate.pk}
                    for statement in LEDGER_SQL.split(";\n"):
                        if statement.strip():
                            cursor.execute(statement, params)
                    cursor.execute("SELECT count(*) FROM billing_charge WHERE estate_id = %s", [estate.pk])
                    return int(cursor.fetchone()[0])

            charges = ledger()
            houses = House.objects.filter(estate=estate).count()
            print(f"ledger: {houses} houses, {charges} charges in {time.perf_counter() - began:.1f}s", flush=True)

            def arrears_page():  # as the API pages it: the lines and their count in one query, then payers
                return arrears.arrears(today, estate=estate.pk).page_and_count(offset=0, limit=20)

            def baseline():
                with connection.cursor() as cursor:
                    cursor.execute(
                        "SELECT house_id, sum(amount) FROM billing_charge WHERE estate_id = %s GROUP BY house_id",
                        [estate.pk],
                    )
                    cursor.fetchall()

            if args.explain:
                query = arrears.ArrearsQuery(as_of=today, estate=estate.pk)
                with connection.cursor() as cursor:
                    cursor.execute("SET work_mem = '64MB'")
                    cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {query.grouped_sql()}", query.params())
                    print("\n".join(row[0] for row in cursor.fetchall()), flush=True)
            page_ms = _best("arrears page (20 lines with the count, then payers)", arrears_page)
            totals_ms = _best("arrears totals", lambda: arrears.arrears_totals(today, estate=estate.pk))
            _best(
                "arrears by building (all lines)", lambda: list(arrears.arrears(today, estate.pk, group_by="building"))
            )
            collection_ms = _best(
                "collection by month (12)", lambda: collection.collection_by_month(12, estate=estate.pk)
            )
            income_ms = _best(
                "income by fee item (a month)",
                lambda: income.income((today.replace(day=1) - timedelta(days=1)).replace(day=1), today, estate.pk),
            )
            base_ms = _best("baseline: sum per house over the estate's charges", baseline)
            totals = arrears.arrears_totals(today, estate=estate.pk)
            print(f"arrears: {totals.lines} payers owe {totals.total}", flush=True)
        print(
            f"charges={charges} arrears_page_ms={page_ms:.0f} arrears_totals_ms={totals_ms:.0f} "
            f"collection_12m_ms={collection_ms:.0f} income_month_ms={income_ms:.0f} baseline_scan_ms={base_ms:.0f} "
            f"ratio={page_ms / base_ms:.1f}"
        )
    finally:
        connections.close_all()
        with admin_connect() as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {SCRATCH} WITH (FORCE)")


if __name__ == "__main__":
    main()
