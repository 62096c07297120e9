"""Limits a service enforces itself (not per endpoint: one budget may be spent by several
endpoints), kept in Redis and exact under concurrent requests.

- `hit(key, rates)`: fixed-window counters ("30/h", "150/d"), every window counted at once.
- `take_turn(limits)`: growing delays. Each `Backoff` lets `free` attempts through, then every
  further one must wait 2, 4, 8… seconds after the previous one (capped at `cap`). The turn is
  counted when it is taken, before the caller does the work, so a burst of parallel requests cannot
  slip through between a check and a count; a caller that succeeds calls `forgive` or `refund`.

Keys are a company's (`company_key`: the cache's key function adds the schema name, so one
company's counters never touch another's) unless a limit is the whole platform's (`platform_key`).
Callers start key names with "throttle_", the family of DRF's throttle counters, which test runs
wipe between tests.

Redis rather than the database: counters churn on every attempt, must expire on their own, and must
not turn an attacker's requests into row writes and row locks. Losing Redis loses only the counters
(limits restart from zero); while Redis is down, a request that needs a limit fails.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterable
from dataclasses import dataclass

import redis
from django.conf import settings
from django.core.cache import cache

from core import redis_client

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def _redis() -> redis.Redis:
    return redis_client.client(decode=False, url=settings.CACHES["default"]["LOCATION"])


def now() -> float:
    """The clock of every limit (tests move it instead of sleeping)."""
    return time.time()


def company_key(name: str) -> str:
    """A key of the current schema (the cache's tenant-aware key function)."""
    return cache.make_key(name)


def platform_key(name: str) -> str:
    # "*" can start no schema name, so this never equals a company's key.
    return f"*:{settings.CACHES['default'].get('KEY_PREFIX', '')}:{name}"


def parse_rate(rate: str) -> tuple[int, int]:
    """'30/h' → (30, 3600): at most 30 in each hour."""
    count, _, unit = rate.strip().partition("/")
    if unit[:1] not in _UNITS or not count.isdigit():
        raise ValueError(f"rate {rate!r} must look like 30/h (s, m, h or d)")
    return int(count), _UNITS[unit[:1]]


@dataclass(frozen=True)
class Verdict:
    retry_after: int | None  # seconds until every exceeded window has rolled over; None: allowed
    first_refusal: bool  # this call is the first one over a limit in its window

    @property
    def allowed(self) -> bool:
        return self.retry_after is None


def hit(key: str, rates: Iterable[str], *, platform: bool = False) -> Verdict:
    """Count one use of `key` (the current company's, or the whole platform's) in every window of
    `rates`; refused ones count too, so hammering on does not shorten the wait."""
    at = int(now())
    full = platform_key(key) if platform else company_key(key)
    windows = [parse_rate(rate) for rate in rates]
    pipe = _redis().pipeline(transaction=True)
    for _limit, window in windows:
        bucket = f"{full}:{window}:{at // window}"
        pipe.incr(bucket)
        pipe.expire(bucket, window + 60)
    used_counts = pipe.execute()[::2]
    waits, first = [], False
    for (limit, window), used in zip(windows, used_counts, strict=True):
        if used > limit:
            waits.append(window - at % window)
            first = first or used == limit + 1
    return Verdict(max(waits) if waits else None, first)


@dataclass(frozen=True)
class Backoff:
    key: str  # a full key: company_key(...) or platform_key(...)
    free: int  # attempts allowed before delays start
    cap: int  # longest delay, seconds
    ttl: int  # the count is forgotten this long after the last attempt, seconds


# KEYS: the counters; ARGV: now in ms, then free, cap (ms), ttl (ms) per key. All or nothing: a turn
# refused by one counter is counted by none.
_TAKE_TURN = """
local now = tonumber(ARGV[1])
local wait = 0
for i, key in ipairs(KEYS) do
  local free, cap = tonumber(ARGV[3 * i - 1]), tonumber(ARGV[3 * i])
  local n = tonumber(redis.call('HGET', key, 'n') or '0')
  if n >= free then
    local at = tonumber(redis.call('HGET', key, 'at') or '0')
    local left = at + math.min(1000 * 2 ^ (n - free + 1), cap) - now
    if left > wait then wait = left end
  end
end
if wait > 0 then return math.ceil(wait) end
for i, key in ipairs(KEYS) do
  redis.call('HINCRBY', key, 'n', 1)
  redis.call('HSET', key, 'at', ARGV[1])
  redis.call('PEXPIRE', key, ARGV[3 * i + 1])
end
return 0
"""


def take_turn(limits: list[Backoff]) -> int:
    """Count one attempt against every limit; 0 when allowed, else seconds until the next turn."""
    args: list[int] = [int(now() * 1000)]
    for limit in limits:
        args += [limit.free, limit.cap * 1000, limit.ttl * 1000]
    wait_ms = _redis().eval(_TAKE_TURN, len(limits), *[limit.key for limit in limits], *args)
    return math.ceil(int(wait_ms) / 1000) if wait_ms else 0


def forgive(*keys: str) -> None:
    """Start these counters over (the attempt they counted turned out to be legitimate)."""
    _redis().delete(*keys)


_REFUND = """
if tonumber(redis.call('HGET', KEYS[1], 'n') or '0') > 0 then redis.call('HINCRBY', KEYS[1], 'n', -1) end
"""


def refund(key: str) -> None:
    """Take back one counted attempt (it succeeded) without forgetting the others."""
    _redis().eval(_REFUND, 1, key)


def mark(key: str, *, ttl: int) -> None:
    _redis().set(key, 1, ex=ttl)


def is_marked(key: str) -> bool:
    return bool(_redis().exists(key))
