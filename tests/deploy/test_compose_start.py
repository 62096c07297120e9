"""web and worker start with exactly the environment deploy/docker-compose.yml gives them (the
operator's values being fresh random secrets, and the test run's PostgreSQL and Redis standing in for
compose's `db` and `redis`), run the image's own commands, pass `manage.py check --deploy` without a
warning, sign a company's admin in over https as a TLS proxy forwards it (X-Forwarded-Proto), and
the worker runs the work the web process queued (an import's dry run, through the outbox)."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
from http.cookies import SimpleCookie

import pytest
import requests
import yaml
from django.db import connection

from tests.deploy.compose_env import ROOT, compose_environment

pytestmark = [pytest.mark.worker, pytest.mark.django_db]

USERNAME, PASSWORD = "deploy-admin", "Deploy-pass-2026x"
HOUSES_CSV = (
    "小区,楼栋,单元,房号,楼层,建筑面积,套内面积,户型,用途,状态,收费系数\n翠湖苑,1栋,1单元,101,1,89.5,72.3,3室2厅,住宅,已入住,1\n"
).encode("utf-8-sig")


def _image_command() -> list[str]:
    """The Dockerfile's CMD (what compose's `web` runs), on a free loopback port, one worker process."""
    line = re.sub(r"\\\n\s*", " ", (ROOT / "deploy" / "Dockerfile").read_text())
    command = json.loads(re.search(r"^CMD (\[.*\])$", line, re.M).group(1))
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command[command.index("--bind") + 1] = f"127.0.0.1:{port}"
    command[command.index("--workers") + 1] = "1"
    assert command[0] == "gunicorn"
    return [sys.executable, "-m", *command], port


def _worker_command() -> list[str]:
    compose = yaml.safe_load((ROOT / "deploy" / "docker-compose.yml").read_text())
    command = compose["services"]["worker"]["command"].split()
    command[command.index("--concurrency") + 1] = "1"
    assert command[0] == "celery"
    return [sys.executable, "-m", *command]


SETUP = """
import sys, django
django.setup()
from django_tenants.utils import tenant_context
from accounts import services
from accounts.models import User
from companies.models import Company
from tenants.imports.models import Import
with tenant_context(Company.objects.get(slug=sys.argv[1])):
    if sys.argv[2] == "create":
        services.create_user(username=sys.argv[3], name=sys.argv[3], roles=["admin"], password=sys.argv[4])
    else:
        Import.objects.filter(created_by__username=sys.argv[3]).delete()
        User.objects.filter(username=sys.argv[3]).delete()
"""


def _operator(environment: dict[str, str], *args: str) -> None:
    """What an operator runs in a container of the image (compose's `run`), committed on its own."""
    done = subprocess.run(
        [sys.executable, "-c", SETUP, *args], env=environment, cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-3000:]


@pytest.fixture
def deployed(db, tmp_path):
    """web (gunicorn) and worker (celery) as compose starts them, on the test database."""
    from companies.models import Company

    test_database = connection.settings_dict["NAME"]
    database_url = os.environ["DATABASE_URL"].rsplit("/", 1)[0] + f"/{test_database}"
    environment = compose_environment(
        "web",
        DATABASE_URL=database_url,
        # compose's `files` volume, mounted at /files in web and worker alike
        WUYE_MEDIA_ROOT=str(tmp_path / "media"),
        WUYE_PRIVATE_ROOT=str(tmp_path / "private"),
        WUYE_BASE_DOMAIN="localhost",  # the test companies' hosts are <slug>.localhost
    )
    company = Company.objects.get(slug="alpha")
    # Created the production way: PBKDF2 (the test run's MD5 hashes would not be accepted there).
    _operator(environment, company.slug, "create", USERNAME, PASSWORD)
    web_command, port = _image_command()
    logs = {name: (tmp_path / f"{name}.log").open("w+") for name in ("web", "worker")}
    processes = [
        subprocess.Popen(web_command, env=environment, cwd=ROOT, stdout=logs["web"], stderr=subprocess.STDOUT),
        subprocess.Popen(_worker_command(), env=environment, cwd=ROOT, stdout=logs["worker"], stderr=subprocess.STDOUT),
    ]
    try:
        yield {"base": f"http://127.0.0.1:{port}", "env": environment, "company": company, "logs": logs}
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
        _operator(environment, company.slug, "delete", USERNAME)


def _log(deployed, name: str) -> str:
    handle = deployed["logs"][name]
    handle.flush()
    handle.seek(0)
    return handle.read()[-4000:]


def _wait(predicate, deployed, what: str, timeout: float = 120.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            value = predicate()
        except requests.ConnectionError:
            value = None
        if value:
            return value
        time.sleep(0.5)
    raise AssertionError(
        f"timed out waiting for {what}\nweb:\n{_log(deployed, 'web')}\nworker:\n{_log(deployed, 'worker')}"
    )


class HttpsBrowser:
    """A browser on https://<host>/ behind a TLS proxy that forwards plain http with X-Forwarded-Proto.
    Cookies are kept by hand: they are Secure, so a cookie jar would not send them over plain http."""

    def __init__(self, base: str, host: str):
        self.base, self.host, self.cookies = base, host, {}
        self.secure_cookies: set[str] = set()

    def request(self, method: str, path: str, **kwargs) -> requests.Response:
        origin = f"https://{self.host}"
        headers = {"Host": self.host, "X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"}
        if method != "GET":
            headers |= {
                "Origin": origin,
                "Referer": f"{origin}/login",
                "X-CSRFToken": self.cookies.get("csrftoken", ""),
            }
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        response = requests.request(
            method, self.base + path, headers=headers, allow_redirects=False, timeout=60, **kwargs
        )
        for header in response.raw.headers.getlist("Set-Cookie"):
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
                if morsel["secure"]:
                    self.secure_cookies.add(name)
        return response


def test_web_and_worker_start_with_the_compose_environment_and_sign_in_over_https(deployed):
    checked = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env=deployed["env"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr

    base = deployed["base"]
    health = _wait(lambda: requests.get(f"{base}/healthz", timeout=5), deployed, "/healthz")
    assert health.status_code == 200, health.text

    host = f"{deployed['company'].slug}.localhost"
    plain = requests.get(f"{base}/api/v1/auth/csrf/", headers={"Host": host}, allow_redirects=False, timeout=30)
    assert plain.status_code == 301 and plain.headers["Location"] == f"https://{host}/api/v1/auth/csrf/"

    browser = HttpsBrowser(base, host)
    csrf = browser.request("GET", "/api/v1/auth/csrf/")
    assert csrf.status_code == 200, csrf.text
    assert "includeSubDomains" in csrf.headers["Strict-Transport-Security"]
    signed_in = browser.request("POST", "/api/v1/auth/login/", json={"username": USERNAME, "password": PASSWORD})
    assert signed_in.status_code == 200, signed_in.text + _log(deployed, "web")
    assert {"csrftoken", "sessionid"} <= browser.secure_cookies
    assert browser.request("GET", "/api/v1/me/").json()["username"] == USERNAME
    assert requests.get(f"{base}/metrics", headers={"Host": host}, timeout=30).status_code == 404

    uploaded = browser.request(
        "POST", "/api/v1/imports/", data={"kind": "houses"}, files={"file": ("houses.csv", HOUSES_CSV, "text/csv")}
    )
    assert uploaded.status_code == 202, uploaded.text
    import_id = uploaded.json()["id"]

    def dry_run_done():
        record = browser.request("GET", f"/api/v1/imports/{import_id}/").json()
        return record if record["status"] != "validating" else None

    record = _wait(dry_run_done, deployed, "the worker's dry run")
    assert record["status"] == "ready", record
    # ...and it was this worker, in the company's schema, that ran it
    assert f'"tenant": "{deployed["company"].schema_name}"' in _log(deployed, "worker")
