"""The outbox at scale: one sweep over every company's pending messages, and what an action with
its audit row and one emitted message costs.

    python -m tests.bench.outbox [--companies 2000] [--done 200000] [--pending 20000]

Uses DATABASE_URL / REDIS_URL (or the embedded servers) and a scratch database `wuye_bench_outbox`,
dropped at the end. Fills the public outbox table with done and pending messages spread over
`--companies` schema names (the table is one for all companies), then times:
- sweep: the beat sweeper's pass (500 due messages found and marked sent; the broker hop stubbed),
  against a baseline full scan of the same table (what a sweeper without its index would pay);
- actions: `@action` writing an audit row and emitting one message, against a baseline of the same
  two INSERTs in a plain transaction.
Last line: sweep_ms, full_scan_ms, actions_per_second, plain_per_second, action_overhead_ratio.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "platform"))
sys.path.insert(0, str(ROOT))

SCRATCH = "wuye_bench_outbox"


def _scratch_database_url() -> str:
    from config import embedded

    url = os.environ.get("DATABASE_URL") or embedded.start_postgres()
    os.environ.setdefault("REDIS_URL", os.environ.get("REDIS_URL") or embedded.start_redis())
    base, _, _name = url.rpartition("/")
    return f"{base}/{SCRATCH}"


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 2)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--companies", type=int, default=2000)
    parser.add_argument("--done", type=int, default=200_000)
    parser.add_argument("--pending", type=int, default=20_000)
    parser.add_argument("--actions", type=int, default=2000)
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
    from django.db import connection, connections, transaction

    with admin_connect() as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {SCRATCH} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {SCRATCH}")
    try:
        env = {**os.environ, "PYTHONPATH": f"{ROOT / 'platform'}:{ROOT}"}
        subprocess.run(
            [sys.executable, "manage.py", "migrate_schemas", "--shared", "-v", "0"], cwd=ROOT, env=env, check=True
        )
        from accounts import services as account_services
        from core.actions import action, emit
        from core.outbox import registry, relay
        from core.outbox import services as outbox
        from core.outbox.models import OutboxMessage
        from core.schemas import Schema

        registry.handles("bench.noop")(lambda **payload: None)
        relay.publish = lambda message_id, countdown=None: None  # the broker hop is not what is measured

        table = OutboxMessage._meta.db_table
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(
                f"""INSERT INTO {table} (schema_name, topic, key, payload, status, attempts, max_attempts,
                      available_at, sent_at, last_error, created_at, finished_at)
                    SELECT 'c_company_' || (n %% %s), 'bench.noop', 'done:' || n, '{{}}', 'done', 1, 5,
                           now(), now(), '', now() - interval '1 day', now() - interval '1 day'
                    FROM generate_series(1, %s) AS n""",
                [args.companies, args.done],
            )
            cursor.execute(
                f"""INSERT INTO {table} (schema_name, topic, key, payload, status, attempts, max_attempts,
                      available_at, sent_at, last_error, created_at)
                    SELECT 'c_company_' || (n %% %s), 'bench.noop', 'pending:' || n, '{{}}', 'pending', 0, 5,
                           now() + interval '1 hour', now(), '', now()
                    FROM generate_series(1, %s) AS n""",
                [args.companies, args.pending],
            )
            cursor.execute(f"ANALYZE {table}")
        print(
            f"filled: {args.done} done + {args.pending} pending over {args.companies} companies "
            f"in {time.perf_counter() - started:.1f}s"
        )

        sweeps, scans = [], []
        for _ in range(7):
            with connection.cursor() as cursor:  # 500 of the pending are lost and due again
                cursor.execute(
                    f"""UPDATE {table} SET available_at = now() - interval '1 hour',
                           sent_at = now() - interval '1 hour'
                        WHERE id IN (SELECT id FROM {table} WHERE status = 'pending' ORDER BY random() LIMIT 500)"""
                )
            t0 = time.perf_counter()
            swept = outbox.sweep()
            sweeps.append(time.perf_counter() - t0)
            assert swept == 500, swept
            with connection.cursor() as cursor:
                cursor.execute(f"UPDATE {table} SET available_at = now() + interval '1 hour' WHERE status = 'pending'")
            t0 = time.perf_counter()
            with connection.cursor() as cursor:
                cursor.execute(f"SELECT count(*) FROM {table} WHERE status <> 'done' AND sent_at <= now()")
                cursor.fetchone()
            scans.append(time.perf_counter() - t0)
        sweep_ms, scan_ms = _ms(statistics.median(sweeps)), _ms(statistics.median(scans))
        print(
            f"sweep (500 due of {args.pending} pending, {args.done} done): median {sweep_ms} ms; "
            f"full scan of the table: median {scan_ms} ms"
        )

        @action(schema=Schema.PUBLIC)
        def bench_action(*, n: int) -> None:
            account_services.record_audit(actor=None, action="bench.act", object_type="bench", object_id=n)
            emit("bench.noop", {"n": n}, key=f"act:{n}")

        t0 = time.perf_counter()
        for n in range(args.actions):
            bench_action(n=n)
        actions_per_second = args.actions / (time.perf_counter() - t0)

        audit_table = "accounts_auditevent"
        t0 = time.perf_counter()
        for n in range(args.actions):
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(
                    f"""INSERT INTO {audit_table} (actor_label, action, object_type, object_id, ip, request_id, at)
                        VALUES ('system', 'bench.plain', 'bench', %s, NULL, '', now())""",
                    [str(n)],
                )
                cursor.execute(
                    f"""INSERT INTO {table} (schema_name, topic, key, payload, status, attempts, max_attempts,
                          available_at, sent_at, last_error, created_at)
                        VALUES ('public', 'bench.noop', %s, '{{}}', 'pending', 0, 5, now(), now(), '', now())""",
                    [f"plain:{n}"],
                )
        plain_per_second = args.actions / (time.perf_counter() - t0)
        print(
            f"actions (audit row + one message, durable transaction each): {actions_per_second:.0f}/s; "
            f"the same two INSERTs in a plain transaction: {plain_per_second:.0f}/s"
        )
        ratio = plain_per_second / actions_per_second
        print(
            f"sweep_ms={sweep_ms} full_scan_ms={scan_ms} actions_per_second={actions_per_second:.0f} "
            f"plain_per_second={plain_per_second:.0f} action_overhead_ratio={ratio:.2f}"
        )
    finally:
        connections.close_all()
        with admin_connect() as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {SCRATCH} WITH (FORCE)")


if __name__ == "__main__":
    main()
