"""Redis clients for code that talks to Redis itself (rate limits, the e-invoice token, the stand-ins'
state): one connection pool per URL and mode for the whole process, instead of a new connection for
every call. redis-py's pool notices a fork and starts afresh in the child (Celery's prefork workers)."""

from __future__ import annotations

from functools import lru_cache

import redis
from django.conf import settings


@lru_cache(maxsize=8)
def _pool(url: str, decode: bool) -> redis.ConnectionPool:
    return redis.ConnectionPool.from_url(url, decode_responses=decode)


def client(*, decode: bool = True, url: str | None = None) -> redis.Redis:
    """A client on the shared pool of `url` (settings.REDIS_URL by default); `decode` gives str values."""
    return redis.Redis(connection_pool=_pool(url or settings.REDIS_URL, decode))
