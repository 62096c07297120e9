"""The one definition of a caller's address: throttles, login backoff, audit rows and logs all use it."""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    """The caller's address. X-Forwarded-For is believed only for the WUYE_TRUSTED_PROXY_COUNT
    proxies we run, counted from the right: each of ours appends the address it saw, so the entry
    the outermost one appended is the client, and whatever a client wrote further left is ignored.
    With no trusted proxy the header is ignored altogether (a client can write anything there)."""
    hops: int = settings.TRUSTED_PROXY_COUNT
    if hops:
        forwarded = [part.strip() for part in request.headers.get("X-Forwarded-For", "").split(",")]
        forwarded = [part for part in forwarded if part]
        if len(forwarded) >= hops and _is_ip(forwarded[-hops]):
            return forwarded[-hops]
    remote: str | None = request.META.get("REMOTE_ADDR")
    return remote or None


def _is_ip(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


def limit_subject(ip: str | None) -> str:
    """What a per-client limit counts: an IPv4 address, or an IPv6 /64 (one subscriber gets a
    whole /64, so counting single IPv6 addresses would hand them 2^64 fresh identities)."""
    if not ip:
        return "unknown"
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return "unknown"
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)
