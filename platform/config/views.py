"""Views that belong to no app: the SPA shell and a company's own media files."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.db import connection
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.utils._os import safe_join

INDEX = settings.BASE_DIR / "frontend" / "dist" / "index.html"
OWNER_H5 = settings.BASE_DIR / "miniprogram" / "dist" / "build" / "h5"


def spa_index(request: HttpRequest) -> HttpResponse:
    """Every non-API path returns the web admin's index.html; its router takes over."""
    if INDEX.exists():
        return HttpResponse(INDEX.read_bytes(), content_type="text/html; charset=utf-8")
    return HttpResponse(
        "<!doctype html><meta charset=utf-8><title>Wuye</title>"
        "<p>Wuye API is running. The web admin is not built yet: <code>cd frontend && npm run build</code>.</p>"
        '<p><a href="/api/docs/">API docs</a></p>',
        content_type="text/html; charset=utf-8",
    )


def company_media(request: HttpRequest, path: str) -> FileResponse:
    """Files under MEDIA_ROOT/<schema>/ — served only on that company's own host."""
    schema, _sep, rest = path.partition("/")
    if schema != connection.schema_name or not rest:
        raise Http404
    try:
        # Joined under the company's own folder: "beta/../alpha/x" must not climb into alpha.
        full = Path(safe_join(Path(settings.MEDIA_ROOT) / schema, rest))
    except Exception as exc:
        raise Http404 from exc
    if not full.is_file():
        raise Http404
    return FileResponse(full.open("rb"))


def owner_app(request: HttpRequest, path: str = "") -> HttpResponse:
    """The owner app's H5 build at /h5/ on a company's host (hash routing: only files live here)."""
    if not path:
        index = OWNER_H5 / "index.html"
        if not index.exists():
            return HttpResponse("The owner app is not built yet: cd miniprogram && npm run build:h5", status=503)
        return HttpResponse(index.read_bytes(), content_type="text/html; charset=utf-8")
    try:
        full = Path(safe_join(OWNER_H5, path))
    except Exception as exc:
        raise Http404 from exc
    if not full.is_file():
        raise Http404
    response = FileResponse(full.open("rb"))
    if "/assets/" in f"/{path}":
        response["Cache-Control"] = "public, max-age=31536000, immutable"  # hashed file names
    return response
