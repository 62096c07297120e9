"""Views that belong to no app: the SPA shell, a company's own media files, and the error pages
(JSON in the API's shape under /api/, Django's own elsewhere)."""

from __future__ import annotations

import mimetypes
from pathlib import Path

from django.conf import settings
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils._os import safe_join
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views import defaults

from core.db import current_schema

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
    if schema != current_schema() or not rest:
        raise Http404
    try:
        # Joined under the company's own folder: "beta/../alpha/x" must not climb into alpha.
        full = Path(safe_join(Path(settings.MEDIA_ROOT) / schema, rest))
    except Exception as exc:
        raise Http404 from exc
    if not full.is_file():
        raise Http404
    return FileResponse(full.open("rb"))


def owner_app(request: HttpRequest, path: str = "") -> HttpResponse | FileResponse:
    """The owner app's H5 build at /h5/ on a company's host (hash routing: only files live here).
    Text files go out pre-compressed (Brotli or gzip, written by the build: miniprogram/scripts/
    compress.mjs) when the browser takes them; hashed assets are cached for a year, the index is
    revalidated on every visit so a new build is picked up at once."""
    name = path or "index.html"
    try:
        full = Path(safe_join(OWNER_H5, name))
    except Exception as exc:
        raise Http404 from exc
    if not full.is_file():
        if not path:
            return HttpResponse("The owner app is not built yet: cd miniprogram && npm run build:h5", status=503)
        raise Http404
    content_type = mimetypes.guess_type(full.name)[0] or "application/octet-stream"
    if content_type.startswith("text/") or content_type in ("application/javascript", "application/json"):
        content_type += "; charset=utf-8"
    encoding, body = _precompressed(full, request.headers.get("Accept-Encoding", ""))
    response = FileResponse(body.open("rb"), content_type=content_type)
    if encoding:
        response["Content-Encoding"] = encoding
    patch_vary_headers(response, ["Accept-Encoding"])
    if "/assets/" in f"/{name}":
        response["Cache-Control"] = "public, max-age=31536000, immutable"  # hashed file names
    else:
        response["Cache-Control"] = "no-cache"
    return response


def _precompressed(full: Path, accept_encoding: str) -> tuple[str, Path]:
    """The smallest variant the browser accepts: (Content-Encoding, file); ("", full) for none."""
    accepted = {part.split(";")[0].strip().lower() for part in accept_encoding.split(",")}
    for encoding, suffix in (("br", ".br"), ("gzip", ".gz")):
        variant = full.with_name(full.name + suffix)
        if encoding in accepted and variant.is_file():
            return encoding, variant
    return "", full


# --- error pages: Django answers these outside DRF (unknown routes, a crash, a refused Host or
# upload); an API client must still get {code, message, fields}, never an HTML page.


def _api_error(request: HttpRequest, status: int, code: str, message: str) -> HttpResponse | None:
    if not request.path.startswith("/api/"):
        return None
    return JsonResponse({"code": code, "message": message, "fields": {}}, status=status)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    return _api_error(request, 400, "bad_request", _("请求无效。")) or defaults.bad_request(request, exception)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    return _api_error(request, 403, "permission_denied", _("您没有执行该操作的权限。")) or defaults.permission_denied(
        request, exception
    )


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    return _api_error(request, 404, "not_found", _("接口不存在。")) or defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    return _api_error(request, 500, "server_error", _("服务器出错了，请稍后再试。")) or defaults.server_error(request)
