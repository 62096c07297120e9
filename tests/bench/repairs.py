"""Repairs at scale: the staff repair list, the statistics and the staff performance page over
`--orders` repair orders in one company, alone and (the list) under 20 concurrent clients.

    python -m tests.bench.repairs [--orders 100000] [--clients 20] [--requests 40] [--rounds 2]
                                  [--workers 2] [--threads 4] [--keep] [--alone-only]

Uses DATABASE_URL / REDIS_URL (or the embedded servers) and a scratch database `wuye_bench_repairs`,
dropped at the end (kept with --keep). Provisions a company the way signup does, then writes with
set-based SQL (bench data; the product's writes are measured elsewhere): one estate of 20 buildings ×
100 houses, 5 × 4 categories with SLA hours, 12 workers with staff profiles, and `--orders` orders
filed over the last 12 months: 5 % cancelled, the recent ones partly open, the rest finished
(completed, confirmed or closed; the confirmed and closed rated 1–5; two in three within their 48 h);
each with its timeline (filed, dispatched, accepted, completed as far as it went). Then it measures:
- alone, in-process WSGI (django.test.Client, an administrator's token): GET /api/v1/repair-orders/
  (the dispatcher's list, first page of 20), /api/v1/repair-stats/ (the last 12 months),
  /api/v1/staff-performance/?month=<last month> and /api/v1/me/ (a trivial authenticated endpoint)
  → p50/p95, and the list's query count at page sizes 10 and 50 (constant in the page size). The
  list is served from its cache while nothing on it changed (tenants/repairs/api/list_cache.py), so
  it is also measured with the cache's version moved before each call (list_uncached_*: what the
  first dispatcher to look after any repair write waits), and its queries on a hit;
- concurrently, through gunicorn as deploy/Dockerfile serves it (gthread; see owner_bills.py for why
  2 × 4 here): `--clients` keep-alive clients send `--requests` each to the list, then as many to
  /api/v1/me/, alternately `--rounds` times → p95 of each and p95_ratio_to_trivial (list ÷ trivial).
Targets (issue 19): list p95 alone ≤ 80 ms; concurrent ratio ≤ 2; statistics ≤ 1 s.
Last line: key=value pairs (without the concurrent ones under --alone-only). BENCH_SHOW_QUERIES=1 prints
the list's and the statistics' statements with their times.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

from tests.bench import serving
from tests.bench.owner_bills import _percentile, _timed, concurrent_paths

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "platform"))
sys.path.insert(0, str(ROOT))

SCRATCH = "wuye_bench_repairs"
SLUG = "benchrepairs"
PASSWORD = "Bench-pass-2026"
WORKERS = 12

ORDERS_SQL = """
WITH hs AS (SELECT array_agg(id ORDER BY id) AS ids FROM estates_house),
     cs AS (SELECT array_agg(id ORDER BY id) AS ids FROM repairs_repaircategory WHERE parent_id IS NOT NULL),
     ws AS (SELECT array_agg(id ORDER BY id) AS ids FROM accounts_user WHERE 'repair_worker' = ANY(roles))
INSERT INTO repairs_repairorder (number, house_id, estate_id, location, category_id, urgency, description,
                                 contact_name, filed_by_id, status, worker_id, due_at, completed_at, rating,
                                 rating_tags, materials, charge_source, created_at, updated_at)
SELECT 'B' || lpad(n::text, 9, '0'),
       hs.ids[1 + n %% cardinality(hs.ids)], %(estate)s, '',
       cs.ids[1 + (n * 31) %% cardinality(cs.ids)], 'normal', '厨房水管漏水，请尽快上门', '', %(admin)s,
       s.status,
       CASE WHEN s.status IN ('submitted', 'cancelled') THEN NULL ELSE ws.ids[1 + n %% cardinality(ws.ids)] END,
       f.filed + interval '48 hours',
       CASE WHEN s.status IN ('completed', 'confirmed', 'closed')
            THEN f.filed + make_interval(hours => 2 + n %% 70) END,
       CASE WHEN s.status IN ('confirmed', 'closed') THEN 1 + (n * 7 %% 13) %% 5 END,
       '{}', '', '', f.filed, f.filed
  FROM generate_series(1, %(orders)s) AS n
 CROSS JOIN hs CROSS JOIN cs CROSS JOIN ws
 CROSS JOIN LATERAL (SELECT now() - make_interval(secs => (n::bigint * 7919 %% (365 * 86400))) AS filed) f
 CROSS JOIN LATERAL (SELECT CASE
                  WHEN n %% 20 = 0 THEN 'cancelled'
                  WHEN n %% 20 IN (1, 2) AND f.filed > now() - interval '10 days' THEN 'submitted'
                  WHEN n %% 20 = 3 AND f.filed > now() - interval '20 days' THEN 'in_progress'
                  WHEN n %% 5 = 1 THEN 'completed'
                  WHEN n %% 5 = 2 THEN 'confirmed'
                  ELSE 'closed' END AS status) s;

INSERT INTO repairs_timelineentry (order_id, transition, from_status, to_status, actor_id, worker_id, note, at)
SELECT id, 'file', '', 'submitted', %(admin)s, NULL, '', created_at FROM repairs_repairorder;
INSERT INTO repairs_timelineentry (order_id, transition, from_status, to_status, actor_id, worker_id, note, at)
SELECT id, 'dispatch', 'submitted', 'dispatched', %(admin)s, worker_id, '', created_at + interval '20 minutes'
  FROM repairs_repairorder WHERE worker_id IS NOT NULL;
INSERT INTO repairs_timelineentry (order_id, transition, from_status, to_status, actor_id, worker_id, note, at)
SELECT id, 'accept', 'dispatched', 'accepted', worker_id, NULL, '',
       created_at + make_interval(mins => (25 + id %% 90)::int)
  FROM repairs_repairorder WHERE worker_id IS NOT NULL;
UPDATE repairs_repairorder o SET accepted_at = t.at
  FROM repairs_timelineentry t WHERE t.order_id = o.id AND t.transition = 'accept';
INSERT INTO repairs_timelineentry (order_id, transition, from_status, to_status, actor_id, worker_id, note, at)
SELECT id, 'complete', 'in_progress', 'completed', worker_id, NULL, '', completed_at
  FROM repairs_repairorder WHERE completed_at IS NOT NULL;
"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--requests", type=int, default=40, help="per client, per endpoint and round")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--keep", action="store_true", help="keep the scratch database (to profile it)")
    parser.add_argument("--alone-only", action="store_true", help="skip the concurrent part (to profile)")
    args = parser.parse_args()

    os.environ["DATABASE_URL"] = serving.scratch_database_url(SCRATCH)
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    os.environ.setdefault("WUYE_DEMO", "true")
    os.environ["WUYE_LOG_FORMAT"] = "text"
    os.environ["LOG_LEVEL"] = "WARNING"
    import django

    django.setup()
    from django.db import connection, connections

    serving.fresh_database(SCRATCH)
    try:
        from django.test import Client
        from django.test.utils import CaptureQueriesContext
        from django_tenants.utils import tenant_context

        from accounts import services as account_services
        from accounts.models import User
        from core.actions import action
        from core.schemas import Schema
        from tenants.estates import services as estate_services
        from tenants.repairs import services as repair_services
        from tenants.repairs.models import RepairOrder
        from tenants.staff import services as staff_services

        company = serving.provision_company(slug=SLUG, name="报修基准物业", password=PASSWORD)
        host = company.domains.first().domain

        with tenant_context(company):
            from django.utils import timezone

            admin = User.objects.get(username="admin")
            estate = estate_services.create_estate(name="基准小区", actor=admin)
            for b in range(20):  # houses set-based, like owner_bills (past the trial plan's house limit)
                estate_services.create_building(
                    estate=estate, name=f"{b + 1}栋", floors=25, units=["1单元", "2单元"], actor=admin
                )
            with connection.cursor() as cursor:
                cursor.execute(
                    """INSERT INTO estates_house (unit_id, building_id, estate_id, number, floor, building_area,
                           usable_area, layout, use, status, fee_coefficient, binding_code)
                       SELECT u.id, u.building_id, %s, f || lpad(k::text, 2, '0'), f, 90, 72, '', 'residential',
                              'occupied', 1, 'R' || u.id || '-' || f || '-' || k
                         FROM estates_unit u CROSS JOIN generate_series(1, 25) f CROSS JOIN generate_series(1, 2) k""",
                    [estate.pk],
                )
            for t, top in enumerate(["水电", "门窗", "土建", "公共设施", "电梯"]):
                parent = repair_services.create_category(actor=admin, name=top, sort_order=t)
                for k in range(4):
                    repair_services.create_category(
                        actor=admin, name=f"{top}{k + 1}", parent=parent, sla_hours={"normal": 48, "urgent": 8}
                    )
            for w in range(WORKERS):
                user = account_services.create_user(
                    username=f"worker{w:02d}", name=f"师傅{w:02d}", roles=["repair_worker"], password=PASSWORD
                )
                staff_services.create_profile(user=user, employee_no=f"W{w:03d}", actor=admin)

            @action(schema=Schema.COMPANY, audit=False)  # bench data, set-based
            def fill() -> None:
                from tenants.estates.models import House
                from tenants.repairs.models import RepairCategory

                with connection.cursor() as cursor:
                    cursor.execute(
                        ORDERS_SQL,
                        {
                            "estate": estate.pk,
                            "admin": admin.pk,
                            "orders": args.orders,
                            "houses": House.objects.count(),
                            "categories": RepairCategory.objects.filter(parent__isnull=False).count(),
                            "workers": WORKERS,
                        },
                    )

            t0 = time.perf_counter()
            fill()
            with connection.cursor() as cursor:
                # As autovacuum leaves a table after this many inserts: statistics, and the visibility
                # map that lets the list's count(*) read an index only.
                cursor.execute("VACUUM ANALYZE")
            fill_seconds = time.perf_counter() - t0
            orders = RepairOrder.objects.count()
            assert orders == args.orders, (orders, args.orders)
            print(f"{orders} orders written in {fill_seconds:.1f}s", flush=True)
            raw, _token = account_services.issue_token(user=admin, kind="api")
            last_month = (timezone.localdate().replace(day=1) - timedelta(days=1)).strftime("%Y-%m")

        connection.set_schema_to_public()
        client = Client(HTTP_HOST=host, HTTP_AUTHORIZATION=f"Bearer {raw}")

        def get(path: str) -> bytes:
            response = client.get(path)
            assert response.status_code == 200, (path, response.status_code, response.content[:300])
            return bytes(response.content)

        paths = {
            "list": "/api/v1/repair-orders/",
            "stats": "/api/v1/repair-stats/",
            "performance": f"/api/v1/staff-performance/?month={last_month}",
            "trivial": "/api/v1/me/",
        }
        for path in paths.values():
            for _ in range(3):
                get(path)  # warm: connections, caches, the token
        from django.core.signals import request_started
        from django.db import reset_queries

        request_started.disconnect(reset_queries)  # or the capture is emptied when the request starts

        def invalidate() -> None:
            """What any write to a repair order does: the list cache's version moves (not timed)."""
            with connection.cursor() as cursor:
                cursor.execute(f'UPDATE "{company.schema_name}".repairs_listversion SET version = version + 1')

        query_counts = []
        for size in (10, 50):
            invalidate()  # a page built from the database, not served from the cache
            with CaptureQueriesContext(connection) as queries:
                get(f"/api/v1/repair-orders/?page_size={size}")
            query_counts.append(len(queries.captured_queries))
            if os.environ.get("BENCH_SHOW_QUERIES"):
                for query in queries.captured_queries:
                    print(f"{float(query['time']) * 1000:7.1f} ms  {query['sql'][:200]}")
        with CaptureQueriesContext(connection) as queries:
            get("/api/v1/repair-orders/?page_size=50")  # the same page again: from the cache
        cached_queries = len(queries.captured_queries)
        with CaptureQueriesContext(connection) as queries:
            get(paths["stats"])
        stats_queries = len(queries.captured_queries)
        if os.environ.get("BENCH_SHOW_QUERIES"):
            for query in queries.captured_queries:
                print(f"{float(query['time']) * 1000:7.1f} ms  {query['sql'][:200]}")
        request_started.connect(reset_queries)
        uncached = []
        for _ in range(30):
            invalidate()
            uncached.extend(_timed(lambda: get(paths["list"]), 1))
        alone = {
            "list_uncached": sorted(uncached),
            "list": _timed(lambda: get(paths["list"]), 60),
            "stats": _timed(lambda: get(paths["stats"]), 10),
            "performance": _timed(lambda: get(paths["performance"]), 20),
            "trivial": _timed(lambda: get(paths["trivial"]), 60),
        }
        for name, timings in alone.items():
            print(
                f"alone {name}: p50 {statistics.median(timings):.1f} ms, p95 {_percentile(timings, 0.95):.1f} ms",
                flush=True,
            )
        connections.close_all()

        p95 = {name: _percentile(timings, 0.95) for name, timings in alone.items()}
        alone_figures = (
            f"orders={orders} fill_s={fill_seconds:.1f} "
            f"list_p50_ms={statistics.median(alone['list']):.1f} list_p95_ms={p95['list']:.1f} "
            f"list_uncached_p50_ms={statistics.median(alone['list_uncached']):.1f} "
            f"list_uncached_p95_ms={p95['list_uncached']:.1f} "
            f"list_queries_10={query_counts[0]} list_queries_50={query_counts[1]} "
            f"list_queries_cached={cached_queries} "
            f"stats_p50_ms={statistics.median(alone['stats']):.1f} stats_p95_ms={p95['stats']:.1f} "
            f"stats_queries={stats_queries} "
            f"performance_p95_ms={p95['performance']:.1f} trivial_p95_ms={p95['trivial']:.1f}"
        )
        if args.alone_only:
            print(f"{alone_figures} load1={os.getloadavg()[0]:.2f}")
            return
        load_before = os.getloadavg()[0]
        concurrent = concurrent_paths(
            args=args, host=host, token=raw, paths={"list": paths["list"], "trivial": paths["trivial"]}
        )
        ratio = concurrent["list"]["p95"] / concurrent["trivial"]["p95"]
        print(
            f"{alone_figures} clients={args.clients} workers={args.workers}x{args.threads} "
            f"list_p95_concurrent_ms={concurrent['list']['p95']:.1f} "
            f"trivial_p95_concurrent_ms={concurrent['trivial']['p95']:.1f} "
            f"p95_ratio_to_trivial={ratio:.2f} load1={load_before:.2f}"
        )
    finally:
        connections.close_all()
        if not args.keep:
            serving.drop_database(SCRATCH)


if __name__ == "__main__":
    main()
