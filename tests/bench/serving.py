"""What the benches that go through HTTP share: a scratch database, one company provisioned the way
signup does it, and gunicorn started as deploy/Dockerfile starts it."""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


def scratch_database_url(name: str) -> str:
    """DATABASE_URL's server (or the embedded one) with the database `name`; REDIS_URL set too."""
    from config import embedded

    url = os.environ.get("DATABASE_URL") or embedded.start_postgres()
    os.environ.setdefault("REDIS_URL", os.environ.get("REDIS_URL") or embedded.start_redis())
    base, _, _name = url.rpartition("/")
    return f"{base}/{name}"


def fresh_database(name: str) -> None:
    """Drop and create `name`, then migrate the public schema into it (settings loaded against it)."""
    import django
    import psycopg

    params = django.db.connections["default"].get_connection_params()
    with psycopg.connect(**{**params, "dbname": "postgres"}, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {name}")
    env = {**os.environ, "PYTHONPATH": f"{ROOT / 'platform'}:{ROOT}"}
    subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "migrate_schemas", "--shared", "-v", "0"], env=env, check=True
    )


def drop_database(name: str) -> None:
    import django
    import psycopg

    django.db.connections.close_all()
    params = django.db.connections["default"].get_connection_params()
    with psycopg.connect(**{**params, "dbname": "postgres"}, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def provision_company(*, slug: str, name: str, password: str) -> Any:
    """A company through the real signup path, provisioned as the worker does it."""
    from companies import services as company_services
    from companies.models import Company
    from core.outbox import services as outbox

    company_services.ensure_public_tenant()
    signup = company_services.create_signup(
        data={
            "company_name": name,
            "slug": slug,
            "admin_name": "基准",
            "admin_phone": "13800000000",
            "admin_email": f"admin@{slug}.example.com",
            "password": password,
        }
    )
    if outbox.deliver_now(schema_name="public", key=f"signup:{signup.pk}") != "done":
        raise SystemExit("provisioning the bench company failed")
    return Company.objects.get(slug=slug)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def serve(*, port: int, workers: int, threads: int) -> subprocess.Popen[bytes]:
    """gunicorn as deploy/Dockerfile starts it, on a loopback port, against DATABASE_URL."""
    env = {**os.environ, "PYTHONPATH": f"{ROOT / 'platform'}:{ROOT}", "DJANGO_SETTINGS_MODULE": "config.settings"}
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "config.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--worker-class",
        "gthread",
        "--workers",
        str(workers),
        "--threads",
        str(threads),
        "--chdir",
        str(ROOT),
        "--log-level",
        "warning",
    ]
    server = subprocess.Popen(command, env=env)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited with {server.returncode}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                conn.close()
                return server
        except OSError:
            pass
        time.sleep(0.3)
    server.terminate()
    raise SystemExit("gunicorn did not answer /healthz within 60 s")
