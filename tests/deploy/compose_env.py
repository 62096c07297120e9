"""The environment `deploy/docker-compose.yml` gives its app services, as compose would interpolate it
from an operator's values (tests.platform.test_fail_closed reads the file the same way), with
fresh random secrets and the test run's own PostgreSQL and Redis in place of compose's `db` and
`redis` services."""

from __future__ import annotations

import base64
import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

from tests.platform.test_fail_closed import REAL_ENV, _compose_environment

ROOT = Path(__file__).resolve().parents[2]


def operator_values() -> dict[str, str]:
    """What an operator puts in compose's .env: the shipped example values with new random secrets."""
    return {
        **REAL_ENV,
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
        "WUYE_DATA_KEYS": "k1:" + base64.b64encode(secrets.token_bytes(32)).decode(),
    }


def compose_environment(service: str = "web", **overrides: str) -> dict[str, str]:
    """A clean process environment: compose's for `service`, pointed at the test PostgreSQL/Redis."""
    environment = _compose_environment(service, operator_values())
    environment["DATABASE_URL"] = os.environ["DATABASE_URL"]
    environment["REDIS_URL"] = os.environ["REDIS_URL"]
    environment.update(overrides)
    return {
        "PATH": os.environ["PATH"],
        "PYTHONPATH": f"{ROOT / 'platform'}:{ROOT}",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        **environment,
    }


SETTINGS_DUMP = """
import json, django
django.setup()
from django.conf import settings
names = json.loads(input())
print(json.dumps({name: getattr(settings, name, None) for name in names}))
"""


def settings_under(environment: dict[str, str], names: list[str]) -> dict[str, object]:
    """The named settings as a fresh process with `environment` computes them."""
    done = subprocess.run(
        [sys.executable, "-c", SETTINGS_DUMP],
        input=json.dumps(names),
        env=environment,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.splitlines()[-1])
