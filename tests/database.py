"""A DATABASE_URL for processes the tests start (workers, gunicorn, a killed worker): from Django's
database settings, a Unix-socket directory (the embedded PostgreSQL's) percent-encoded."""

from __future__ import annotations

from urllib.parse import quote


def database_url(db: dict, *, name: str | None = None) -> str:
    user = quote(db.get("USER") or "", safe="")
    password = quote(db.get("PASSWORD") or "", safe="")
    credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = db.get("HOST") or ""
    host = quote(host, safe="") if host.startswith("/") else host
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"postgres://{credentials}{host}{port}/{quote(name or db['NAME'], safe='')}"
