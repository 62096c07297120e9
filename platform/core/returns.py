"""Where a payment page may send the payer back to: only into this deployment's own app, never an
open redirect. One check for every such page (the stand-ins' pages and our own card page)."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings


def safe_return(url: str, *, host: str = "") -> str:
    """`url` when it leads back into our own app (a path, or an http(s) URL on a host under
    BASE_DOMAIN; with `host`, on exactly that host), else "". WeChat Pay checks the merchant's
    registered H5 domain the same way."""
    parts = urlsplit(url or "")
    if not url or parts.scheme not in ("", "http", "https") or url.startswith("//") or "\\" in url:
        return ""
    if any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in url):
        return ""
    if not parts.scheme:
        return url if url.startswith("/") and not parts.netloc else ""
    name = (parts.hostname or "").lower()
    base = settings.BASE_DOMAIN.lower()
    if name != base and not name.endswith("." + base):
        return ""
    if host and parts.netloc.lower() != host.lower():
        return ""
    return url
