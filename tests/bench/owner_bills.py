"""The owner's bills (mini-program) on a house among a large ledger, alone and under 20 concurrent clients.

    python -m tests.bench.owner_bills [--houses 25000] [--months 4] [--clients 20] [--requests 40]
                                      [--workers 2] [--threads 4] [--keep]

Uses DATABASE_URL / REDIS_URL (or the embedded servers) and a scratch database `wuye_bench_owner`,
dropped at the end (kept with --keep, to profile). Provisions a company, fills it with `--houses`
houses (set-based SQL) on three monthly prepaid fee items (one with a late-fee policy), then issues
the ledger with the product's bill runs (billing.services.bill_runs, preview → start → execute, as the
worker does): one catch-up run for the first `--months − 1` months, as of the first of last month
(its lines are overdue today), then this month's run. Each chunk is timed (its SQL, and the whole
chunk with its audit and outbox rows); a run over 60 s prints its slowest statement's EXPLAIN.
It pays part of one house's bills, binds an owner to it, then measures:
- alone, in-process WSGI (django.test.Client, token auth): GET /api/v1/owner/bills/, .../history/
  and /api/v1/me/ (a trivial authenticated endpoint) → p50/p95 over 60 calls each, and the queries;
- concurrently, through gunicorn as deploy/Dockerfile serves it (config.wsgi, config.settings,
  gthread workers, persistent DB connections as configured: DB_CONN_MAX_AGE, default 60 s) on a
  loopback port: `--clients` threads, each with its own keep-alive http.client connection, send
  `--requests` requests each to /api/v1/owner/bills/?house=<id>, then the same to /api/v1/me/,
  twice alternately (pooled) → p50/p95 of each and concurrent_p95_ratio (bills ÷ trivial).
Workers: deploy/Dockerfile runs `--workers 4 --threads 4` (gthread). Here PostgreSQL, Redis, the
clients and the server share 2 cores, so the default is 2 gthread workers (one per core: the Python
part of a request holds its worker's GIL) × 4 threads (a thread waiting on PostgreSQL lets another
run; 8 persistent DB connections in all). Sync workers would close every connection (gunicorn's
sync worker has no keep-alive), measuring TCP setup instead of the endpoint.
Last line: key=value pairs (owner_bills_p50_ms … concurrent_p95_ratio, load1).
"""

from __future__ import annotations

import argparse
import http.client
import math
import os
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from tests.bench import serving

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "platform"))
sys.path.insert(0, str(ROOT))

SCRATCH = "wuye_bench_owner"
SLUG = "benchowner"
SLOW_RUN_SECONDS = 60


def _percentile(sorted_values: list[float], q: float) -> float:
    """Nearest-rank percentile of sorted values."""
    return sorted_values[max(0, math.ceil(q * len(sorted_values)) - 1)]


def _timed(call: Callable[[], None], n: int) -> list[float]:
    timings = []
    for _ in range(n):
        t0 = time.perf_counter()
        call()
        timings.append((time.perf_counter() - t0) * 1000)
    return sorted(timings)


def _months_back(day: date, months: int) -> date:
    year, month = day.year, day.month - months
    while month < 1:
        year, month = year - 1, month + 12
    return date(year, month, 1)


# --- the bill runs, timed chunk by chunk ------------------------------------------------------------


class ChunkTimer:
    """Wraps billing.services.charge_sql.run and bill_runs._issue_chunk to time each statement and chunk."""

    def __init__(self) -> None:
        from billing.services import bill_runs, charge_sql

        self.statements: list[dict[str, Any]] = []
        self.chunks: list[dict[str, Any]] = []
        self._run, self._issue = charge_sql.run, bill_runs._issue_chunk

        def run(sql: str, values: dict[str, Any]) -> list[tuple[Any, ...]]:
            t0 = time.perf_counter()
            rows = self._run(sql, values)
            kind = "insert" if "INSERT INTO billing_charge" in sql else "preview"
            self.statements.append(
                {
                    "kind": kind,
                    "item": values["item"],
                    "houses": (values["house_from"], values["house_to"]),
                    "seconds": time.perf_counter() - t0,
                    "rows": len(rows) if kind == "insert" else rows[0][0],
                    "sql": sql,
                    "values": dict(values),
                }
            )
            return rows

        def issue(**kwargs: Any) -> Any:
            t0 = time.perf_counter()
            result = self._issue(**kwargs)
            self.chunks.append(
                {
                    "item": kwargs["item"].pk,
                    "houses": (kwargs["house_from"], kwargs["house_to"]),
                    "seconds": time.perf_counter() - t0,
                    "charges": result[0],
                }
            )
            return result

        charge_sql.run, bill_runs._issue_chunk = run, issue

    def restore(self) -> None:
        from billing.services import bill_runs, charge_sql

        charge_sql.run, bill_runs._issue_chunk = self._run, self._issue

    def bill_run(self, *, estate: Any, as_of: date, label: str) -> float:
        """One run as the product runs it; prints its chunks; returns its seconds (preview + execute)."""
        from billing.services import bill_runs

        first_statement, first_chunk = len(self.statements), len(self.chunks)
        t0 = time.perf_counter()
        run = bill_runs.create_bill_run(as_of=as_of, estate=estate, actor=None)
        preview_seconds = time.perf_counter() - t0
        run = bill_runs.start_bill_run(run=run, actor=None)
        t1 = time.perf_counter()
        bill_runs.execute_bill_run(bill_run_id=run.pk)
        execute_seconds = time.perf_counter() - t1
        run.refresh_from_db()
        print(
            f"bill run {label} (as of {as_of}): {run.result.get('charges')} charges, "
            f"preview {preview_seconds:.2f}s + execute {execute_seconds:.2f}s",
            flush=True,
        )
        statements = self.statements[first_statement:]
        inserts = {(s["item"], s["houses"]): s for s in statements if s["kind"] == "insert"}
        for chunk in self.chunks[first_chunk:]:
            sql = inserts.get((chunk["item"], chunk["houses"]))
            print(
                f"  item {chunk['item']} houses [{chunk['houses'][0]}, {chunk['houses'][1]}): "
                f"{chunk['charges']} charges, chunk {chunk['seconds']:.2f}s"
                + (f" (INSERT … SELECT {sql['seconds']:.2f}s)" if sql else ""),
                flush=True,
            )
        previews = [s["seconds"] for s in statements if s["kind"] == "preview"]
        if previews:
            print(f"  preview statements: {len(previews)}, slowest {max(previews):.2f}s", flush=True)
        total = preview_seconds + execute_seconds
        if total > SLOW_RUN_SECONDS and statements:
            self.explain(max(statements, key=lambda s: s["seconds"]))
        return total

    def explain(self, statement: dict[str, Any]) -> None:
        """EXPLAIN (ANALYZE, BUFFERS) of a statement, rolled back."""
        from django.db import connection, transaction

        print(f"slowest statement ({statement['kind']}, {statement['seconds']:.2f}s):", flush=True)
        try:
            with transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + statement["sql"], statement["values"])
                    for (line,) in cursor.fetchall():
                        print("  " + line)
                transaction.set_rollback(True)
        except Exception as error:
            print(f"  (EXPLAIN failed: {error})")


# --- gunicorn and the concurrent clients -----------------------------------------------------------


def _drive(*, port: int, host: str, token: str, path: str, clients: int, requests: int) -> dict[str, Any]:
    """`clients` threads, each on its own keep-alive connection, `requests` GETs each, started together."""
    headers = {"Host": host, "Authorization": f"Bearer {token}", "Connection": "keep-alive"}
    timings: list[list[float]] = [[] for _ in range(clients)]
    failures: list[str] = []
    reconnects = [0]
    barrier = threading.Barrier(clients + 1)

    def client(index: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        barrier.wait()
        for _ in range(requests):
            for attempt in (1, 2):
                t0 = time.perf_counter()
                try:
                    conn.request("GET", path, headers=headers)
                    response = conn.getresponse()
                    body = response.read()
                except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                    conn.close()  # the server closed an idle keep-alive connection: reconnect once
                    reconnects[0] += 1
                    if attempt == 2:
                        raise
                    continue
                timings[index].append((time.perf_counter() - t0) * 1000)
                if response.status != 200:
                    failures.append(f"{response.status} {body[:200]!r}")
                break
        conn.close()

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    barrier.wait()
    t0 = time.perf_counter()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - t0
    if failures:
        raise SystemExit(f"{path}: {len(failures)} failed requests, e.g. {failures[0]}")
    return {"timings": [t for per_client in timings for t in per_client], "wall": wall, "reconnects": reconnects[0]}


def _concurrent(*, args: argparse.Namespace, host: str, token: str, house_id: int) -> dict[str, dict[str, float | int]]:
    paths = {"owner_bills": f"/api/v1/owner/bills/?house={house_id}", "trivial": "/api/v1/me/"}
    return concurrent_paths(args=args, host=host, token=token, paths=paths)


def concurrent_paths(
    *, args: argparse.Namespace, host: str, token: str, paths: dict[str, str]
) -> dict[str, dict[str, float | int]]:
    """gunicorn on a loopback port; `args.rounds` rounds, each driving every path in turn with
    `args.clients` × `args.requests` GETs (tests.bench.repairs uses it too)."""
    port = serving.free_port()
    server = serving.serve(port=port, workers=args.workers, threads=args.threads)
    try:
        for path in paths.values():  # warm every worker thread: its DB connection, the token cache
            _drive(port=port, host=host, token=token, path=path, clients=args.clients, requests=5)
        pooled: dict[str, list[float]] = {name: [] for name in paths}
        walls: dict[str, float] = dict.fromkeys(paths, 0.0)
        reconnects = 0
        for _round in range(args.rounds):  # alternate, so drift on a shared machine hits both alike
            for name, path in paths.items():
                result = _drive(
                    port=port, host=host, token=token, path=path, clients=args.clients, requests=args.requests
                )
                pooled[name] += result["timings"]
                walls[name] += result["wall"]
                reconnects += result["reconnects"]
    finally:
        server.terminate()
        server.wait(timeout=30)
    figures: dict[str, dict[str, float | int]] = {}
    for name, timings in pooled.items():
        timings.sort()
        figures[name] = {
            "p50": statistics.median(timings),
            "p95": _percentile(timings, 0.95),
            "rps": len(timings) / walls[name],
            "n": len(timings),
            "reconnects": reconnects,
        }
        print(
            f"concurrent {name}: {len(timings)} requests from {args.clients} clients, "
            f"p50 {figures[name]['p50']:.1f} ms, p95 {figures[name]['p95']:.1f} ms, "
            f"max {timings[-1]:.1f} ms, {figures[name]['rps']:.0f} req/s",
            flush=True,
        )
    return figures


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--houses", type=int, default=25_000)
    parser.add_argument("--months", type=int, default=4, help="months of ledger (≥ 2): a catch-up run, then this one")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--requests", type=int, default=40, help="per client, per endpoint and round")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--keep", action="store_true", help="keep the scratch database (to profile it)")
    args = parser.parse_args()
    if args.months < 2:
        parser.error("--months must be at least 2")

    os.environ["DATABASE_URL"] = serving.scratch_database_url(SCRATCH)
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    os.environ.setdefault("WUYE_DEMO", "true")
    os.environ["WUYE_LOG_FORMAT"] = "text"
    os.environ["LOG_LEVEL"] = "WARNING"
    import django
    import psycopg

    def admin_connect() -> psycopg.Connection[Any]:
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

        relay.publish = lambda *a, **k: None  # the bill runs are executed here, as the worker would
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
            start = _months_back(today, args.months - 1)
            estate = estate_services.create_estate(name="基准小区")
            building = estate_services.create_building(estate=estate, name="1栋", floors=200, units=["1单元"])
            unit_id = building.units.get().pk

            @action(schema=Schema.COMPANY, audit=False)  # bench data, set-based (the ledger is not)
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
                        name=name,
                        kind="property",
                        mode=mode,
                        cycle_months=1,
                        timing="prepaid",
                        due_value=15,
                        valid_from=start,
                        late_fee=late_fee,
                    )
                    FeePrice.objects.create(fee_item=item, effective_from=start, unit_price=Decimal(price))
                    with connection.cursor() as cursor:
                        cursor.execute(
                            """INSERT INTO billing_feeassignment (fee_item_id, house_id, start, quantity, created_at)
                               SELECT %s, id, %s, 1, now() FROM estates_house""",
                            [item.pk, start],
                        )

            fill()
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
            timer = ChunkTimer()
            try:
                catch_up = _months_back(today, 1)
                catch_up_seconds = timer.bill_run(
                    estate=estate, as_of=catch_up, label=f"catch-up of {args.months - 1} months"
                )
                monthly_seconds = timer.bill_run(estate=estate, as_of=today, label="of this month")
            finally:
                timer.restore()
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
            charges = Charge.objects.count()
            expected = args.houses * 3 * args.months
            assert charges == expected, (charges, expected)

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
            house_id = house.pk

        connection.set_schema_to_public()
        client = Client(HTTP_HOST=host, HTTP_AUTHORIZATION=f"Bearer {raw}")

        def get(path: str) -> bytes:
            response = client.get(path)
            assert response.status_code == 200, (path, response.status_code, response.content[:300])
            return bytes(response.content)

        shape = get("/api/v1/owner/bills/")
        assert b'"overdue":[{' in shape and b'"due":[{' in shape, shape[:500]
        for path in ("/api/v1/owner/bills/", "/api/v1/owner/bills/history/", "/api/v1/me/"):
            for _ in range(5):
                get(path)  # warm: connections, caches, the token
        from django.core.signals import request_started
        from django.db import reset_queries

        request_started.disconnect(reset_queries)  # or the capture is emptied when the request starts
        with CaptureQueriesContext(connection) as queries:
            get("/api/v1/owner/bills/")
        bills_queries = len(queries.captured_queries)
        if os.environ.get("BENCH_SHOW_QUERIES"):
            for query in queries.captured_queries:
                print(f"{float(query['time']) * 1000:7.1f} ms  {query['sql'][:160]}")
        request_started.connect(reset_queries)
        bills = _timed(lambda: get("/api/v1/owner/bills/"), 60)
        history = _timed(lambda: get("/api/v1/owner/bills/history/"), 60)
        baseline = _timed(lambda: get("/api/v1/me/"), 60)
        print(
            f"alone (in-process): owner bills p50 {statistics.median(bills):.1f} ms, "
            f"p95 {_percentile(bills, 0.95):.1f} ms; /me/ p50 {statistics.median(baseline):.1f} ms",
            flush=True,
        )
        connections.close_all()

        load_before = os.getloadavg()[0]
        concurrent = _concurrent(args=args, host=host, token=raw, house_id=house_id)
        ratio = concurrent["owner_bills"]["p95"] / concurrent["trivial"]["p95"]
        print(
            f"charges={charges} catch_up_run_s={catch_up_seconds:.1f} monthly_run_s={monthly_seconds:.1f} "
            f"owner_bills_p50_ms={statistics.median(bills):.1f} owner_bills_p95_ms={_percentile(bills, 0.95):.1f} "
            f"history_p50_ms={statistics.median(history):.1f} baseline_p50_ms={statistics.median(baseline):.1f} "
            f"bills_queries={bills_queries} clients={args.clients} workers={args.workers}x{args.threads} "
            f"owner_bills_p50_concurrent_ms={concurrent['owner_bills']['p50']:.1f} "
            f"owner_bills_p95_concurrent_ms={concurrent['owner_bills']['p95']:.1f} "
            f"trivial_p50_concurrent_ms={concurrent['trivial']['p50']:.1f} "
            f"trivial_p95_concurrent_ms={concurrent['trivial']['p95']:.1f} "
            f"owner_bills_rps={concurrent['owner_bills']['rps']:.0f} trivial_rps={concurrent['trivial']['rps']:.0f} "
            f"concurrent_p95_ratio={ratio:.2f} load1={load_before:.2f}"
        )
    finally:
        connections.close_all()
        if not args.keep:
            with admin_connect() as conn:
                conn.execute(f"DROP DATABASE IF EXISTS {SCRATCH} WITH (FORCE)")


if __name__ == "__main__":
    main()
