"""Fixed-window counters in Redis for limits a service enforces itself (not per endpoint: one
budget may be spent by several endpoints). Keys go through the cache, whose key function adds the
company's schema, so one company's counters never touch another's."""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.cache import cache

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


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


def hit(key: str, rates: Iterable[str]) -> Verdict:
    """Count one use of `key` in every window of `rates`; refused ones count too, so hammering on
    does not shorten the wait."""
    now = int(time.time())
    waits, first = [], False
    for rate in rates:
        limit, window = parse_rate(rate)
        bucket = f"{key}:{window}:{now // window}"
        cache.add(bucket, 0, timeout=window + 60)
        try:
            used = cache.incr(bucket)
        except ValueError:  # expired between add and incr
            cache.add(bucket, 1, timeout=window + 60)
            used = 1
        if used > limit:
            waits.append(window - now % window)
            first = first or used == limit + 1
    return Verdict(max(waits) if waits else None, first)
