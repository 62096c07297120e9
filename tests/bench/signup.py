"""Signup-to-ready time with many companies: a company signs up through the API and a real Celery
worker provisions it, from the pool of spare schemas (companies.pool) and, as the baseline in the
same run, with the pool empty (a new schema migrated, the path every signup took before the pool).

    python -m tests.bench.signup [--existing 1000] [--runs 20] [--baseline-runs 5] [--fill-processes 2]

Uses DATABASE_URL / REDIS_URL (or the embedded servers) and a scratch database `wuye_bench`, which
it drops at the end. First `existing` companies are made, fast: each from a spare (its schema
replayed from one recorded migration, companies.spare_build) and provisioned as the worker does it,
in `--fill-processes` processes, with a cheap password hasher (the fill is not measured). Then
`runs` signups with the pool full, `baseline-runs` with it empty. Each figure: from the POST until
the status page says ready (`signup`, what the founder waits: it includes hashing the password),
and the worker's provisioning alone (`provision`: the signup's started_at → finished_at).
Last line: key=value figures.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "platform"))
sys.path.insert(0, str(ROOT))

DATABASE = "wuye_bench"
PASSWORD = "Bench-pass-2026"


def _fill(slugs: list[str]) -> None:
    """Companies `slugs`, each from a spare built for it (one process of the fill)."""
    from unittest import mock

    from django.db import connections
    from django.test import override_settings

    from companies import pool
    from core.outbox import relay
    from tests.bench import serving

    connections.close_all()  # a forked process opens its own connection
    # Provisioned here (serving.provision_company delivers the message itself): nothing for the broker.
    with (
        override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]),
        mock.patch.object(relay, "publish", lambda *args, **kwargs: None),
    ):
        for done, slug in enumerate(slugs, 1):
            pool.build_spare(schema_name=pool.SPARE_PREFIX + slug.replace("-", "_"))
            serving.provision_company(slug=slug, name=f"基准物业{slug}", password=PASSWORD)
            if done % 100 == 0:
                print(f"  filling: {done} of {len(slugs)} in this process", flush=True)
    connections.close_all()


def fill(existing: int, processes: int) -> float:
    from companies.models import Company

    started = time.perf_counter()
    have = Company.objects.exclude(schema_name__in=["public", "tenant_template"]).count()
    slugs = [f"f{i:05d}" for i in range(have, existing)]
    if slugs:
        from django.db import connections

        connections.close_all()
        chunks = [slugs[i::processes] for i in range(processes)]
        with multiprocessing.get_context("fork").Pool(processes) as workers:
            workers.map(_fill, chunks, 1)
    return time.perf_counter() - started


def _p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--existing", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--baseline-runs", type=int, default=5)
    parser.add_argument("--fill-processes", type=int, default=2)
    args = parser.parse_args()

    from tests.bench import serving

    os.environ["DATABASE_URL"] = serving.scratch_database_url(DATABASE)
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    os.environ.setdefault("WUYE_DEMO", "true")  # stand-ins for outside services, as under `./wuye up`
    os.environ["CELERY_DEFAULT_QUEUE"] = "wuye-bench"
    os.environ["WUYE_LOG_FORMAT"] = "text"
    os.environ["LOG_LEVEL"] = "WARNING"
    import django

    django.setup()
    serving.fresh_database(DATABASE)
    env = {**os.environ, "PYTHONPATH": f"{ROOT / 'platform'}:{ROOT}"}
    worker = None
    try:
        from django.test import Client

        from companies import pool, services
        from companies.models import Signup, SpareSchema

        services.ensure_public_tenant()
        fill_seconds = fill(args.existing, args.fill_processes)
        print(f"filled to {args.existing} companies in {fill_seconds:.0f} s", flush=True)

        celery = [sys.executable, "-m", "celery", "-A", "config", "worker", "-Q", "wuye-bench"]
        worker = subprocess.Popen(
            [*celery, "--concurrency", "1", "--loglevel", "WARNING"],
            env=env,
            cwd=ROOT,
        )
        client = Client()
        counter = iter(range(1, 1_000_000))

        posts: dict[str, float] = {}
        queued: dict[str, float] = {}

        def signup(slug: str) -> tuple[float, float]:
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
                    "admin_username": "founder",
                    "password": PASSWORD,
                },
                content_type="application/json",
                HTTP_HOST="localhost",
                REMOTE_ADDR=remote,
            )
            posts[slug] = time.perf_counter() - started
            assert response.status_code == 202, response.content
            status_url = response.json()["status_url"]
            while True:
                status = client.get(status_url, HTTP_HOST="localhost").json()["status"]
                if status == "ready":
                    waited = time.perf_counter() - started
                    done = Signup.objects.get(slug=slug)
                    queued[slug] = (done.started_at - done.created_at).total_seconds()
                    return waited, (done.finished_at - done.started_at).total_seconds()
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

        signup("warm-up")  # the worker's first task loads what later ones reuse (not counted)
        baseline_ms = trivial() * 1000

        refill_started = time.perf_counter()
        pool.refill(target=args.runs)
        refill_each = (time.perf_counter() - refill_started) / max(args.runs, 1)
        pooled = [signup(f"p{i:03d}") for i in range(args.runs)]
        spares_left = SpareSchema.objects.count()
        for name in SpareSchema.objects.values_list("schema_name", flat=True):
            pool.drop_spare(schema_name=name)
        migrated = [signup(f"m{i:03d}") for i in range(args.baseline_runs)]

        def figures(runs: list[tuple[float, float]]) -> tuple[float, float, float]:
            waits = [wait for wait, _ in runs]
            return statistics.median(waits), _p(waits, 0.95), statistics.median(p for _, p in runs)

        post_p50 = statistics.median(posts[f"p{i:03d}"] for i in range(args.runs))
        queued_p50 = statistics.median(queued[f"p{i:03d}"] for i in range(args.runs))
        p50, p95, provision = figures(pooled)
        base_p50, base_p95, base_provision = figures(migrated)
        print(
            f"{args.runs} signups from the pool with {args.existing}+ companies: p50 {p50:.3f} s, p95 {p95:.3f} s "
            f"(provisioning alone p50 {provision:.3f} s; {spares_left} spares left; a spare took {refill_each:.1f} s "
            "to build)",
            flush=True,
        )
        print(
            f"  of which: the POST p50 {post_p50:.3f} s (validating, hashing the password, queueing), "
            f"accepted → the worker starts p50 {queued_p50:.3f} s",
            flush=True,
        )
        print(
            f"{args.baseline_runs} signups with the pool empty (migrating, as before): p50 {base_p50:.3f} s, "
            f"p95 {base_p95:.3f} s (provisioning alone p50 {base_provision:.3f} s)",
            flush=True,
        )
        print(
            f"companies={args.existing} signup_p50_s={p50:.3f} signup_p95_s={p95:.3f} provision_p50_s={provision:.3f} "
            f"baseline_signup_p50_s={base_p50:.3f} baseline_signup_p95_s={base_p95:.3f} "
            f"baseline_provision_p50_s={base_provision:.3f} speedup={base_p50 / p50:.1f} "
            f"post_p50_s={post_p50:.3f} fill_s={fill_seconds:.0f} trivial_request_ms={baseline_ms:.2f}"
        )
    finally:
        if worker is not None:
            worker.terminate()
            worker.wait(timeout=30)
        serving.drop_database(DATABASE)


if __name__ == "__main__":
    main()
