"""`./wuye up`: the whole product on one machine — database, Redis, migrations, demo data, web
server, Celery worker and beat — and `./wuye test`'s database/Redis defaults.

Starts the embedded PostgreSQL and Redis when DATABASE_URL / REDIS_URL are unset, hands their URLs
to every child process, and stops everything on Ctrl-C or SIGTERM.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "platform"))  # when imported rather than run as a script

from config import embedded  # noqa: E402


def _queues(env: dict[str, str]) -> list[str]:
    """The worker's queues: the default one and the urgent notifications' (as config.settings names them)."""
    default = env.get("CELERY_DEFAULT_QUEUE", "wuye")
    return [default, env.get("CELERY_URGENT_QUEUE", f"{default}-urgent")]


def _env() -> dict[str, str]:
    env = dict(os.environ)
    if not env.get("DATABASE_URL"):
        env["DATABASE_URL"] = embedded.start_postgres()
        print("embedded PostgreSQL: .data/pg", flush=True)
    if not env.get("REDIS_URL"):
        env["REDIS_URL"] = embedded.start_redis()
        print("embedded Redis: .data/redis.rdb", flush=True)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT / "platform"), str(ROOT), env.get("PYTHONPATH")]))
    env.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    env.setdefault("WUYE_LOG_FORMAT", "text")
    # The run command is the demo: stand-ins for outside services, login codes shown. Without the
    # switch a process with DEBUG off refuses to start on stand-ins (core.adapters).
    env.setdefault("WUYE_DEMO", "true")
    metrics_dir = embedded.data_dir() / "prometheus"
    metrics_dir.mkdir(exist_ok=True)
    for stale in metrics_dir.glob("*.db"):
        stale.unlink()
    env["PROMETHEUS_MULTIPROC_DIR"] = str(metrics_dir)
    return env


def _manage(env: dict[str, str], *args: str) -> None:
    subprocess.run([sys.executable, str(ROOT / "manage.py"), *args], env=env, check=True, cwd=ROOT)


def up() -> int:
    env = _env()
    started = time.monotonic()
    _manage(env, "migrate_schemas", "-v", "0")
    _manage(env, "collectstatic", "--noinput", "-v", "0")
    _manage(env, "seed_demo")
    port = env.get("WUYE_PUBLIC_PORT", "8000")
    python = sys.executable
    children = {
        "web": [
            python,
            "-m",
            "gunicorn",
            "config.wsgi:application",
            "--bind",
            f"0.0.0.0:{port}",
            "--workers",
            env.get("WEB_CONCURRENCY", "2"),
            "--threads",
            "4",
            "--access-logfile",
            "-",
            "--graceful-timeout",
            "5",
        ],
        "worker": [
            python,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--loglevel",
            "INFO",
            "--concurrency",
            env.get("WORKER_CONCURRENCY", "2"),
            "-Q",
            # the default queue and the urgent notifications' (settings.NOTIFY_URGENT_QUEUE)
            ",".join(_queues(env)),
        ],
        "beat": [python, "-m", "celery", "-A", "config", "beat", "--loglevel", "INFO"],
    }
    procs = {name: subprocess.Popen(cmd, env=env, cwd=ROOT) for name, cmd in children.items()}
    print(f"Wuye is up in {time.monotonic() - started:.1f}s: http://localhost:{port}/ (Ctrl-C stops)", flush=True)

    stopping = False

    def stop(*_args: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        while not stopping:
            for name, proc in procs.items():
                if proc.poll() is not None:
                    print(f"{name} exited with {proc.returncode}; stopping", flush=True)
                    stopping = True
            time.sleep(0.5)
    finally:
        for proc in procs.values():
            if proc.poll() is None:
                proc.terminate()
        deadline = time.monotonic() + 10
        for proc in procs.values():
            try:
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                proc.kill()
    return 0


def print_env() -> int:
    """Print DATABASE_URL and REDIS_URL lines for the shell (embedded ones when unset)."""
    env = _env()
    print(f"export DATABASE_URL='{env['DATABASE_URL']}' REDIS_URL='{env['REDIS_URL']}'")
    return 0


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else "up"
    sys.exit({"up": up, "env": print_env}[command]())
