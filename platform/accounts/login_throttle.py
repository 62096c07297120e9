"""Password login backoff: guessing stays slow, and a stranger cannot lock the real user out.

Replaces the old lock (five wrong passwords from anyone locked the account for 15 minutes). Three
counters, each with growing delays once its free attempts are used (core.ratelimit.Backoff):

- account + address: LOGIN_FREE_ATTEMPTS, then 2, 4, 8… s up to LOGIN_MAX_DELAY_SECONDS — the
  attacker at one address ends at one guess per 15 minutes for that account;
- address, over every account: LOGIN_ADDRESS_FREE_ATTEMPTS, then the same — one address spraying
  passwords across many accounts;
- account, from every address: LOGIN_FREE_ATTEMPTS, then delays capped at the short
  LOGIN_ACCOUNT_MAX_DELAY_SECONDS — guessing from many addresses stays at about one try a minute,
  while the real user, from wherever, waits that long at most. An address that has signed in to
  the account before (within LOGIN_KNOWN_ADDRESS_DAYS) skips this one altogether: the admin at
  their usual desk is never held up by someone else's guessing.

Every attempt is counted when it is let through, before the password is checked; a correct
password forgets the account's counters and takes back its turn from the address's counter (so
colleagues behind one office address do not add up). A refused attempt checks no password at all:
429 says nothing about whether the password was right.

Counters live in Redis under the current schema's keys, so each company (and the platform
console, in the public schema) has its own; see core.ratelimit for why not the database.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.utils.translation import gettext as _

from core import ratelimit
from core.client_ip import limit_subject
from core.errors import RateLimited, wait_text

HOUR = 60 * 60
DAY = 24 * HOUR


class LoginThrottled(RateLimited):
    def __init__(self, retry_after: int) -> None:
        super().__init__(
            _("登录尝试次数过多，请 %(wait)s后再试。") % {"wait": wait_text(retry_after)}, retry_after=retry_after
        )


def _account(username: str) -> str:
    # Hashed: a key of fixed length and alphabet whatever was typed into the form.
    return hashlib.sha256(username.encode()).hexdigest()[:32]


def _keys(username: str, ip: str | None) -> dict[str, str]:
    account, address = _account(username), limit_subject(ip)
    return {
        "pair": ratelimit.company_key(f"throttle_login-pair:{account}:{address}"),
        "address": ratelimit.company_key(f"throttle_login-address:{address}"),
        "account": ratelimit.company_key(f"throttle_login-account:{account}"),
        "known": ratelimit.company_key(f"throttle_login-known:{account}:{address}"),
    }


def take_turn(*, username: str, ip: str | None) -> None:
    """Count a password attempt, or raise LoginThrottled (429 + Retry-After) when it must wait."""
    keys = _keys(username, ip)
    limits = [
        ratelimit.Backoff(
            keys["pair"], free=settings.LOGIN_FREE_ATTEMPTS, cap=settings.LOGIN_MAX_DELAY_SECONDS, ttl=DAY
        ),
        ratelimit.Backoff(
            keys["address"], free=settings.LOGIN_ADDRESS_FREE_ATTEMPTS, cap=settings.LOGIN_MAX_DELAY_SECONDS, ttl=HOUR
        ),
    ]
    if not ratelimit.is_marked(keys["known"]):
        limits.append(
            ratelimit.Backoff(
                keys["account"],
                free=settings.LOGIN_FREE_ATTEMPTS,
                cap=settings.LOGIN_ACCOUNT_MAX_DELAY_SECONDS,
                ttl=DAY,
            )
        )
    wait = ratelimit.take_turn(limits)
    if wait:
        raise LoginThrottled(wait)


def succeeded(*, username: str, ip: str | None) -> None:
    """The password was right: forget this account's failures, remember the address as known."""
    keys = _keys(username, ip)
    ratelimit.forgive(keys["pair"], keys["account"])
    ratelimit.refund(keys["address"])
    ratelimit.mark(keys["known"], ttl=settings.LOGIN_KNOWN_ADDRESS_DAYS * DAY)
