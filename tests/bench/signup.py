"""Signup-to-ready time: a company signs up through the API and a real Celery worker provisions it.

    python -m tests.bench.signup [--runs 20] [--existing 200]

Uses DATABASE_URL / REDIS_URL (or the embedded servers) and a scratch database `wuye_bench`, which
it drops at the end. Prints the median of `runs` signups with no other company present, then again
with `existing` companies already provisioned, and a baseline: a trivial request on the same setup.
Last line: key=value figures.
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


def _scratch_database_url() -> str:
    from config import embedded

    url = os.environ.get("DATABASE_URL") or embedded.start_postgres()
    os.environ.setdefault("REDIS_URL", os.environ.get("REDIS_URL") or embedded.start_redis())
    base, _, _name = url.rpartition("/")
    return f"{base}/wuye_bench"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--existing", type=int, default=200)
    args = parser.parse_args()

    os.environ["DATABASE_URL"] = _scratch_database_url()
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    os.environ.setdefault("WUYE_DEMO", "true")  # stand-ins for outside services, as under `./wuye up`
    os.environ["CELERY_DEFAULT_QUEUE"] = "wuye-bench"
    os.environ["WUYE_LOG_FORMAT"] = "text"
    os.environ["LOG_LEVEL"] = "WARNING"
    import django
    import psycopg

    def admin_connect():
        params = django.db.connections["default"].get_connection_params()
        params = {**params, "dbname": "postgres"}
        return psycopg.connect(**params, autocommit=True)

    django.setup()
    from django.db import connections

    with admin_connect() as conn:
        conn.execute("DROP DATABASE IF EXISTS wuye_bench")
        conn.execute("CREATE DATABASE wuye_bench")
    env = {**os.environ, "PYTHONPATH": f"{ROOT / 'platform'}:{ROOT}"}
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate_schemas", "--shared", "-v", "0"], env=env, check=True)
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "-Q",
            "wuye-bench",
            "--concurrency",
            "1",
            "--loglevel",
            "WARNING",
        ],
        env=env,
        cwd=ROOT,
    )
    try:
        from django.test import Client

        from companies import services

        services.ensure_public_tenant()
        client = Client()

        counter = iter(range(1, 1_000_000))

        def signup(slug: str) -> float:
            n = next(counter)
            # Each signup comes from its own client address, as real ones do (the signup throttle is per client).
            remote = f"192.0.2.{n % 250 + 1}" if n < 250 else f"198.51.100.{n % 250 + 1}"
            started = time.perf_counter()
            response = client.post(
                "/api/v1/signups/",
                {
                    "company_name": f"基准物业{slug}",
                    "slug": slug,
                    "admin_name": "基准",
                    "admin_phone": "13800000000",
                    "admin_email": f"{slug}@bench.cn",
                    "password": "Bench-pass-2026",
                },
                content_type="application/json",
                HTTP_HOST="localhost",
                REMOTE_ADDR=remote,
            )
            assert response.status_code == 202, response.content
            status_url = response.json()["status_url"]
            while True:
                status = client.get(status_url, HTTP_HOST="localhost").json()["status"]
                if status == "ready":
                    return time.perf_counter() - started
                if status == "failed":
                    raise SystemExit(f"provisioning of {slug} failed")
                time.sleep(0.02)

        def trivial() -> float:
            for _ in range(5):  # warm up: URL conf, DRF and the connection load on the first request
                client.get("/api/v1/site/", HTTP_HOST="localhost")
            started = time.perf_counter()
            for _ in range(50):
                client.get("/api/v1/site/", HTTP_HOST="localhost")
            return (time.perf_counter() - started) / 50

        baseline_ms = trivial() * 1000
        empty = [signup(f"b{i:03d}") for i in range(args.runs)]
        median_empty = statistics.median(empty)
        print(
            f"{args.runs} signups, {args.runs} companies at most: median {median_empty:.3f}s, max {max(empty):.3f}s",
            flush=True,
        )

        from companies.models import Company

        fill_started = time.perf_counter()
        have = Company.objects.exclude(schema_name="public").count()
        for i in range(have, args.existing):
            signup(f"f{i:04d}")
        print(f"filled to {args.existing} companies in {time.perf_counter() - fill_started:.1f}s", flush=True)
        loaded = [signup(f"l{i:03d}") for i in range(args.runs)]
        median_loaded = statistics.median(loaded)
        print(
            f"{args.runs} signups with {args.existing}+ companies: median {median_loaded:.3f}s, max {max(loaded):.3f}s",
            flush=True,
        )
        print(
            f"signup_to_ready_median_s={median_empty:.3f} signup_to_ready_median_at_{args.existing}_s={median_loaded:.3f} "
            f"trivial_request_ms={baseline_ms:.2f} ratio_to_trivial={median_empty * 1000 / baseline_ms:.0f}"
        )
    finally:
        worker.terminate()
        worker.wait(timeout=30)
        connections.close_all()
        with admin_connect() as conn:
            conn.execute("DROP DATABASE IF EXISTS wuye_bench WITH (FORCE)")


if __name__ == "__main__":
    main()
