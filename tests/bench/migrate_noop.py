"""A deploy's `migrate_schemas` when there is nothing to migrate, over many companies.

    python -m tests.bench.migrate_noop [--companies 20]      # issue 16's figure: --companies 300

Uses DATABASE_URL / REDIS_URL (or the embedded servers) and a scratch database `wuye_bench_migrate`,
dropped at the end. Companies are copies of the migrated template schema (pg_dump of it, renamed),
registered as companies, so building 300 takes seconds rather than 300 provisionings. Then it times
`migrate_schemas` as every deploy runs it (core.migrate_executor: skips the schemas with nothing to
migrate) and, as the baseline in the same run, django-tenants' standard executor (migrate in every
schema in turn) and the start-up of a trivial management command. Last line: key=value figures.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "platform"))
sys.path.insert(0, str(ROOT))

SCRATCH = "wuye_bench_migrate"


def _scratch_database_url() -> str:
    from config import embedded

    url = os.environ.get("DATABASE_URL") or embedded.start_postgres()
    os.environ.setdefault("REDIS_URL", os.environ.get("REDIS_URL") or embedded.start_redis())
    base, _, _name = url.rpartition("/")
    return f"{base}/{SCRATCH}"


def _timed(command: list[str], env: dict[str, str]) -> tuple[float, str]:
    started = time.perf_counter()
    done = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command[1:])} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    return elapsed, done.stdout + done.stderr


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--companies", type=int, default=20)
    args = parser.parse_args()

    os.environ["DATABASE_URL"] = _scratch_database_url()
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    os.environ.setdefault("WUYE_DEMO", "true")  # stand-ins for outside services, as under `./wuye up`
    os.environ["WUYE_LOG_FORMAT"] = "text"
    os.environ["LOG_LEVEL"] = "WARNING"
    import django
    import psycopg

    django.setup()
    from django.conf import settings
    from django.db import connections

    def admin_connect(dbname: str = "postgres") -> psycopg.Connection:
        params = {**connections["default"].get_connection_params(), "dbname": dbname}
        return psycopg.connect(**params, autocommit=True)

    with admin_connect() as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {SCRATCH} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {SCRATCH}")
    env = {**os.environ, "PYTHONPATH": f"{ROOT / 'platform'}:{ROOT}"}
    manage = [sys.executable, str(ROOT / "manage.py")]
    try:
        subprocess.run([*manage, "migrate_schemas", "--shared", "-v", "0"], env=env, check=True, cwd=ROOT)
        from companies import services
        from companies.models import Company, CompanyStatus

        services.ensure_public_tenant()  # migrates the template schema: the seed of every copy
        connections["default"].close()

        template = settings.TENANT_BASE_SCHEMA
        built = time.perf_counter()
        params = connections["default"].get_connection_params()
        dump = subprocess.run(
            [
                "pg_dump",
                "--schema",
                template,
                "--inserts",
                "--no-owner",
                "--no-privileges",
                "--host",
                str(params.get("host") or ""),
                "--port",
                str(params.get("port") or 5432),
                "--username",
                str(params.get("user") or "postgres"),
                SCRATCH,
            ],
            env={**os.environ, "PGPASSWORD": str(params.get("password") or "")},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        dump = "\n".join(line for line in dump.splitlines() if not line.startswith(("SET transaction_timeout", "\\")))
        schemas = [f"c_bench_{n:05d}" for n in range(args.companies)]
        with admin_connect(SCRATCH) as conn:
            conn.execute("SET synchronous_commit TO off")
            for start in range(0, len(schemas), 10):  # ten copies a transaction: fewer syncs
                conn.execute("".join(dump.replace(template, schema) + ";\n" for schema in schemas[start : start + 10]))
                conn.execute("SELECT pg_catalog.set_config('search_path', 'public', false)")
        Company.objects.bulk_create(
            [
                Company(schema_name=schema, slug=schema.replace("_", "-"), name=schema, status=CompanyStatus.ACTIVE)
                for schema in schemas
            ]
        )
        connections["default"].close()
        build_s = time.perf_counter() - built
        print(f"{args.companies} companies copied from {template} in {build_s:.1f}s", flush=True)

        startup_s, _ = _timed([*manage, "check"], env)
        noop_s, output = _timed([*manage, "migrate_schemas"], env)
        print(output.strip().splitlines()[-1] if output.strip() else "", flush=True)
        print(f"migrate_schemas (skip-current), nothing to migrate: {noop_s:.2f}s", flush=True)
        standard_s, _ = _timed([*manage, "migrate_schemas", "--executor", "standard", "-v", "0"], env)
        print(f"migrate_schemas --executor standard, nothing to migrate: {standard_s:.2f}s", flush=True)
        print(
            f"companies={args.companies} noop_s={noop_s:.2f} standard_noop_s={standard_s:.2f} "
            f"speedup={standard_s / noop_s:.1f} startup_s={startup_s:.2f} build_s={build_s:.1f}",
            flush=True,
        )
    finally:
        connections.close_all()
        with admin_connect() as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {SCRATCH} WITH (FORCE)")


if __name__ == "__main__":
    main()
