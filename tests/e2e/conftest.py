"""End-to-end tests of the web admin: a real browser against a real server and worker.

Session-wide live stack on the pytest test database (after tests/conftest.py has provisioned
`alpha` and `beta`): gunicorn serving the built front end and the API, and a Celery worker on a
queue of its own. Everything the browser does is committed by those processes, so tests never use
pytest-django's `db` fixture for it; they read and write the database under
`django_db_blocker.unblock()` when they must. These tests run after every other test (see
pytest_collection_modifyitems) so that nothing they commit is seen by a test that rolls back.

Browser: Debian's /usr/bin/chromium through Playwright (never `playwright install`). Missing
browser: skipped, unless CI is set, where it fails.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import pytest_django.fixtures

from tests.database import database_url

ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "test-results" / "e2e"
CHROMIUM = os.environ.get("WUYE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
DESKTOP = {"viewport": {"width": 1280, "height": 800}}
PHONE = {"viewport": {"width": 375, "height": 812}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}
TIMEOUT_MS = 15_000


def pytest_collection_modifyitems(config, items):
    """Browser tests last: the data they commit must not meet the tests that roll back."""
    items.sort(key=lambda item: item.get_closest_marker("e2e") is not None)


# pytest-django creates the test database only when a collected test asks for `db` (or a marker);
# these tests use it without `db` (their data is committed by the server), so they declare it here.
# Without this, `pytest tests/e2e` alone would provision alpha/beta into the real database.
_databases_for_test = pytest_django.fixtures._get_databases_for_test


def _databases_for_e2e_test(test):
    if test.get_closest_marker("e2e") is not None:
        return ("default",), False
    return _databases_for_test(test)


pytest_django.fixtures._get_databases_for_test = _databases_for_e2e_test


_SESSION_STARTED = time.time()


def pytest_terminal_summary(terminalreporter):
    """The first-load figures of test_metrics.py, when it ran in this session."""
    path = RESULTS / "metrics.json"
    if not path.exists() or path.stat().st_mtime < _SESSION_STARTED:
        return
    m = json.loads(path.read_text())
    terminalreporter.write_sep("-", "web admin login page, first load (test-results/e2e/metrics.json)")
    terminalreporter.write_line(
        f"JS: {m['js_files']} files, {m['js_raw_kb']} KB raw, {m['js_gzip_kb']} KB gzip, "
        f"{m['js_transferred_kb']} KB transferred ({', '.join(m['content_encodings'])}); "
        f"time to interactive: {m['time_to_interactive_ms_median']:.0f} ms (median)"
    )


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in {"", "0", "false", "no"}


@pytest.fixture(scope="session")
def chromium_executable() -> str:
    problem = None
    if not Path(CHROMIUM).exists():
        problem = f"{CHROMIUM} is missing (apt-get install -y chromium)"
    else:
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            problem = "the playwright package is missing (pip install -e '.[dev]')"
    if problem:
        if _in_ci():
            pytest.fail(f"browser tests cannot run under CI: {problem}")
        pytest.skip(f"browser tests skipped: {problem}")
    return CHROMIUM


# --- the live stack ---------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _tail(path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


@dataclass
class LiveStack:
    port: int
    queue: str
    server_log: Path
    worker_log: Path
    media_root: Path  # the server's MEDIA_ROOT (not this process's)

    def url(self, slug: str | None = None, path: str = "/") -> str:
        host = f"{slug}.localhost" if slug else "localhost"
        return f"http://{host}:{self.port}{path}"


def _stop(process: subprocess.Popen, name: str) -> None:
    if process.poll() is not None:
        return
    # gunicorn: SIGINT is its quick shutdown; celery: SIGTERM is a warm shutdown (idle: immediate).
    process.send_signal(signal.SIGINT if name == "gunicorn" else signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


def _wait_for_health(stack: LiveStack, server: subprocess.Popen, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    last = ""
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited ({server.returncode}):\n{_tail(stack.server_log)}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{stack.port}/healthz", timeout=5) as response:
                if response.status == 200:
                    return
                last = str(response.status)
        except Exception as exc:
            last = repr(exc)
        time.sleep(0.2)
    raise RuntimeError(f"/healthz not healthy after {timeout:.0f}s ({last}):\n{_tail(stack.server_log)}")


def _close_test_database_connections(django_db_blocker, timeout: float = 3) -> None:
    """pytest-django drops the test database after us, which fails while anyone is connected: give
    the stopped server and worker a moment, then end whatever is left (such as a connection some
    test's thread never closed)."""
    from django.db import connection

    query = "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
    with django_db_blocker.unblock():
        try:
            with connection.cursor() as cursor:
                terminated = False
                deadline = time.monotonic() + timeout
                while True:
                    cursor.execute(query)
                    if not cursor.fetchall():
                        return
                    if time.monotonic() > deadline:
                        if terminated:
                            return
                        cursor.execute(f"SELECT pg_terminate_backend(pid) FROM ({query}) AS others")
                        terminated, deadline = True, time.monotonic() + timeout
                    time.sleep(0.1)
        finally:
            # Our own too: see in_company_db for why it may not be the one pytest-django closes.
            connection.close()


@pytest.fixture(scope="session")
def live_stack(django_db_setup, django_db_blocker, chromium_executable, tmp_path_factory) -> Iterator[LiveStack]:
    from django.conf import settings
    from django.db import connection

    test_name = settings.DATABASES["default"]["TEST"]["NAME"]
    assert connection.settings_dict["NAME"] == test_name, "the live stack runs on the test database only"
    RESULTS.mkdir(parents=True, exist_ok=True)
    port = _free_port()
    queue = f"wuye-e2e-{uuid.uuid4().hex[:10]}"
    # Logs are written in a folder of this run and copied to test-results/e2e/ at the end.
    logs = tmp_path_factory.mktemp("e2e-logs")
    stack = LiveStack(port, queue, logs / "server.log", logs / "worker.log", tmp_path_factory.mktemp("e2e-media"))
    env = {key: value for key, value in os.environ.items() if key != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env.update(
        DATABASE_URL=database_url(settings.DATABASES["default"]),
        # The embedded Redis (if any) was started by this process's settings; the URL is in os.environ.
        REDIS_URL=settings.REDIS_URL,
        PYTHONPATH=f"{ROOT / 'platform'}:{ROOT}",
        DJANGO_SETTINGS_MODULE="config.settings",
        WUYE_PUBLIC_PORT=str(port),
        WUYE_DEMO="true",  # stand-ins for SMS and WeChat, the login code shown (as under `./wuye up`)
        CELERY_DEFAULT_QUEUE=queue,
        CELERY_TASK_ALWAYS_EAGER="false",
        WUYE_LOG_FORMAT="text",
        WUYE_MEDIA_ROOT=str(stack.media_root),
        PYTHONUNBUFFERED="1",
    )
    processes: list[tuple[str, subprocess.Popen]] = []
    with stack.server_log.open("w") as server_out, stack.worker_log.open("w") as worker_out:
        try:
            server = subprocess.Popen(
                [
                    *(sys.executable, "-m", "gunicorn", "config.wsgi:application"),
                    *("--bind", f"127.0.0.1:{port}", "--workers", "2", "--threads", "4"),
                    *("--graceful-timeout", "5", "--access-logfile", "-"),
                ],
                cwd=ROOT,
                env=env,
                stdout=server_out,
                stderr=subprocess.STDOUT,
            )
            processes.append(("gunicorn", server))
            worker = subprocess.Popen(
                [
                    *(sys.executable, "-m", "celery", "-A", "config", "worker"),
                    *("-Q", queue, "--concurrency", "1", "--loglevel", "INFO", "--without-gossip", "--without-mingle"),
                ],
                cwd=ROOT,
                env=env,
                stdout=worker_out,
                stderr=subprocess.STDOUT,
            )
            processes.append(("celery", worker))
            _wait_for_health(stack, server)
            yield stack
        finally:
            for name, process in reversed(processes):
                _stop(process, name)
            _close_test_database_connections(django_db_blocker)
            for log in (stack.server_log, stack.worker_log):
                with contextlib.suppress(OSError):
                    shutil.copyfile(log, RESULTS / log.name)


# --- the browser ------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def playwright_driver(chromium_executable):
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop running in this thread, which Django takes for an
    # async context; the ORM calls these tests make (under django_db_blocker) are plain sync code.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as driver:
            yield driver
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="session")
def browser(playwright_driver, chromium_executable):
    browser = playwright_driver.chromium.launch(executable_path=chromium_executable, headless=True, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


def _context(browser, **options):
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", **options)
    context.set_default_timeout(TIMEOUT_MS)
    context.set_default_navigation_timeout(30_000)
    return context


@pytest.fixture
def desktop_context(browser, live_stack):
    """A desktop browser context (1280×800), a fresh visitor."""
    context = _context(browser, **DESKTOP)
    yield context
    context.close()


@pytest.fixture
def phone_context(browser, live_stack):
    """A phone-sized context (375×812, DPR 2, touch), a fresh visitor."""
    context = _context(browser, **PHONE)
    yield context
    context.close()


@pytest.fixture
def desktop(desktop_context):
    """A page in the desktop context (its context: desktop.context)."""
    return desktop_context.new_page()


@pytest.fixture
def phone(phone_context):
    """A page in the phone context (its context: phone.context)."""
    return phone_context.new_page()


@pytest.fixture
def new_context(browser, live_stack):
    """new_context(**options): more contexts for one test (each a fresh visitor), closed afterwards."""
    made = []

    def make(**options):
        context = _context(browser, **{**DESKTOP, **options})
        made.append(context)
        return context

    yield make
    for context in made:
        with contextlib.suppress(Exception):
            context.close()


def screenshot(page, name: str) -> Path:
    """The flow's picture under test-results/e2e/ (kept by CI as an artifact)."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True, animations="disabled")
    return path


def login(page, stack: LiveStack, slug: str, username: str, password: str, *, expect_success: bool = True) -> None:
    """Open the company's login page, sign in, and (by default) wait for the admin layout."""
    from playwright.sync_api import expect

    page.goto(stack.url(slug, "/login"))
    page.get_by_test_id("login-username").fill(username)
    page.get_by_test_id("login-password").fill(password)
    page.get_by_test_id("login-submit").click()
    if expect_success:
        expect(page.get_by_test_id("header-company-name")).to_be_visible()


@pytest.fixture
def patient_expect():
    """A fresh live server's first answers (the site, a company schema's first queries) can take
    longer than Playwright's 5 s when a test runs alone, or on a loaded machine."""
    from playwright.sync_api import expect

    expect.set_options(timeout=15_000)
    yield
    expect.set_options(timeout=5_000)


@pytest.fixture
def in_company_db(django_db_blocker):
    """with in_company_db("alpha"): ORM calls, committed, in that company's schema."""

    @contextlib.contextmanager
    def run(slug: str):
        from django.db import connection
        from django_tenants.utils import tenant_context

        from companies.models import Company

        with django_db_blocker.unblock():
            try:
                company = Company.objects.get(slug=slug)
                with tenant_context(company):
                    yield company
            finally:
                connection.set_schema_to_public()
                # While Playwright's event loop runs in this thread, Django keeps connections per
                # asyncio context (asgiref), so this one is not the connection pytest-django closes
                # before dropping the test database: close it here.
                connection.close()

    return run
