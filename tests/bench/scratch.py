"""What a benchmark needs before it measures: Django set up on a scratch database (dropped at the
end) with the shared schema migrated, and a company provisioned the way a signup is.

    with scratch_database("wuye_bench_x"):
        company = provision_company(slug="benchx", name="基准物业")
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "platform"))
sys.path.insert(0, str(ROOT))


@contextmanager
def scratch_database(name: str, **environment: str) -> Iterator[None]:
    """Django on the database `name` of DATABASE_URL's server (or the embedded one), migrated."""
    from config import embedded

    url = os.environ.get("DATABASE_URL") or embedded.start_postgres()
    os.environ.setdefault("REDIS_URL", os.environ.get("REDIS_URL") or embedded.start_redis())
    os.environ["DATABASE_URL"] = f"{url.rpartition('/')[0]}/{name}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    os.environ.setdefault("WUYE_DEMO", "true")
    os.environ["WUYE_LOG_FORMAT"] = "text"
    os.environ["LOG_LEVEL"] = "WARNING"
    os.environ.update(environment)
    import django
    import psycopg

    def admin_connect() -> Any:
        params = django.db.connections["default"].get_connection_params()
        return psycopg.connect(**{**params, "dbname": "postgres"}, autocommit=True)

    django.setup()
    from django.db import connections

    with admin_connect() as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {name}")
    try:
        env = {**os.environ, "PYTHONPATH": f"{ROOT / 'platform'}:{ROOT}"}
        subprocess.run(
            [sys.executable, str(ROOT / "manage.py"), "migrate_schemas", "--shared", "-v", "0"], env=env, check=True
        )
        yield
    finally:
        connections.close_all()
        with admin_connect() as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def provision_company(*, slug: str, name: str) -> Any:
    """A company provisioned as the worker does after a signup (the broker hop stubbed out)."""
    from companies import services as company_services
    from companies.models import Company
    from core.outbox import relay
    from core.outbox import services as outbox

    relay.publish = lambda *a, **k: None  # messages run here, as a worker would run them
    company_services.ensure_public_tenant()
    signup = company_services.create_signup(
        data={
            "company_name": name,
            "slug": slug,
            "admin_name": "基准",
            "admin_phone": "13800000000",
            "admin_email": f"admin@{slug}.example.com",
            "password": "Bench-pass-2026",
        }
    )
    if outbox.deliver_now(schema_name="public", key=f"signup:{signup.pk}") != "done":
        raise SystemExit("provisioning the bench company failed")
    return Company.objects.get(slug=slug)
