"""Rate limits of the sends, in Redis, each one check-and-take in a Lua script (atomic across workers):

- per company and channel, a token bucket (settings.NOTIFY_COMPANY_RATE: messages per second and the
  burst): a company's announcement goes out at its rate, never the whole provider account's;
- per recipient and channel, a token bucket of its own (settings.NOTIFY_RECIPIENT_RATE): the same
  person is not texted more often than the provider allows one number (Tencent: 1 per 30 s), so a
  message waits its turn here instead of being refused there.

Buckets are kept in milliseconds of Redis's own clock (TIME), one clock for every worker.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings

from core import redis_client

PREFIX = "notify:rate:"

# KEYS: the buckets. ARGV: rate per second, burst, tokens wanted from the first bucket (the others
# take one each: recipients). Answers {granted by the first bucket, wait ms for more, flags...}.
# A bucket is a hash {t = tokens, at = ms}; refilled lazily, expired once it would be full again.
_TAKE = """
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local wanted = tonumber(ARGV[3])
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local result = {}
for i, key in ipairs(KEYS) do
  local bucket = redis.call('HMGET', key, 't', 'at')
  local tokens = tonumber(bucket[1])
  local at = tonumber(bucket[2])
  if tokens == nil or at == nil then
    tokens = burst
  else
    tokens = math.min(burst, tokens + (now - at) * rate / 1000)
  end
  local want = 1
  if i == 1 then want = wanted end
  local granted = math.min(want, math.floor(tokens))
  if granted < 0 then granted = 0 end
  tokens = tokens - granted
  redis.call('HSET', key, 't', tostring(tokens), 'at', now)
  redis.call('PEXPIRE', key, math.ceil((burst - tokens) * 1000 / rate) + 1000)
  local wait = 0
  if granted < want then wait = math.ceil((1 - (tokens - math.floor(tokens))) * 1000 / rate) end
  result[#result + 1] = granted
  result[#result + 1] = wait
end
return result
"""


@dataclass(frozen=True)
class Rate:
    per_second: float
    burst: int

    @classmethod
    def of(cls, value: tuple[float, int] | list[float]) -> Rate:
        per_second, burst = value
        return cls(per_second=float(per_second), burst=int(burst))


def _script() -> Any:
    return redis_client.client().register_script(_TAKE)


def company_rate(channel: str) -> Rate:
    return Rate.of(settings.NOTIFY_COMPANY_RATE.get(channel, settings.NOTIFY_COMPANY_RATE["default"]))


def recipient_rate(channel: str) -> Rate | None:
    value = settings.NOTIFY_RECIPIENT_RATE.get(channel)
    return Rate.of(value) if value else None


def take_company(*, schema: str, channel: str, wanted: int) -> tuple[int, float]:
    """(how many of `wanted` sends the company may make now, seconds until the next one may go)."""
    rate = company_rate(channel)
    key = f"{PREFIX}company:{schema}:{channel}"
    granted, wait_ms = _script()(keys=[key], args=[rate.per_second, rate.burst, wanted])
    return int(granted), int(wait_ms) / 1000


def take_recipients(*, schema: str, channel: str, recipients: Sequence[int | str]) -> list[float]:
    """Per recipient, 0 when they may be sent to now (a token taken), else seconds to wait."""
    rate = recipient_rate(channel)
    if rate is None or not recipients:
        return [0.0] * len(recipients)
    keys = [f"{PREFIX}recipient:{schema}:{channel}:{recipient}" for recipient in recipients]
    answer = _script()(keys=keys, args=[rate.per_second, rate.burst, 1])
    return [0.0 if int(answer[2 * i]) else int(answer[2 * i + 1]) / 1000 for i in range(len(keys))]


# A token back per bucket; a bucket that lapsed meanwhile keeps the refund alone a while. (Not
# EXPIRE … NX: the embedded Redis of a fresh checkout is 6.2, where EXPIRE takes no option.)
_REFUND = """
for _, key in ipairs(KEYS) do
  redis.call('HINCRBYFLOAT', key, 't', 1)
  if redis.call('TTL', key) < 0 then redis.call('EXPIRE', key, 3600) end
end
return #KEYS
"""


def refund_recipients(*, schema: str, channel: str, recipients: Sequence[int | str]) -> None:
    """Give back the tokens of sends the provider did not take (it counts only what it delivered)."""
    if recipient_rate(channel) is None or not recipients:
        return
    keys = [f"{PREFIX}recipient:{schema}:{channel}:{recipient}" for recipient in recipients]
    redis_client.client().register_script(_REFUND)(keys=keys)
