"""A requests transport that hands each request to a WSGI app in this process.

Mounted on a provider's real URL prefix, it lets an adapter run unchanged (URLs, headers, signing,
error handling) against a stand-in without a network hop or a port.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from urllib.parse import urlsplit

from django.conf import settings
from requests import PreparedRequest, Response
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict


class WsgiTransport(BaseAdapter):
    def __init__(self, app: Callable):
        super().__init__()
        self.app = app

    def send(self, request: PreparedRequest, **_kwargs) -> Response:  # type: ignore[override]
        url = urlsplit(request.url or "")
        body = request.body or b""
        if isinstance(body, str):
            body = body.encode()
        environ = {
            "REQUEST_METHOD": request.method,
            "PATH_INFO": url.path or "/",
            "QUERY_STRING": url.query,
            "SERVER_NAME": url.hostname or "",
            "SERVER_PORT": str(url.port or (443 if url.scheme == "https" else 80)),
            "CONTENT_TYPE": request.headers.get("Content-Type", ""),
            "CONTENT_LENGTH": str(len(body)),
            "wsgi.input": io.BytesIO(body),
            "wsgi.url_scheme": url.scheme,
        }
        for name, value in request.headers.items():
            if name.lower() not in ("content-type", "content-length"):
                environ[f"HTTP_{name.upper().replace('-', '_')}"] = value
        response = Response()
        response.request = request
        response.url = request.url or ""

        def start_response(status: str, headers: list[tuple[str, str]], _exc_info=None) -> None:
            response.status_code = int(status.split()[0])
            response.headers = CaseInsensitiveDict(headers)

        response._content = b"".join(self.app(environ, start_response))
        return response

    def close(self) -> None:
        pass


def demo_host() -> str:
    """The demo's public host, where the stand-ins' pages (a provider's payment pages) are served."""
    port = settings.PUBLIC_PORT
    return f"{settings.PUBLIC_SCHEME}://{settings.BASE_DOMAIN}{':' + port if port else ''}"
