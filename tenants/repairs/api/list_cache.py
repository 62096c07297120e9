"""The dispatcher's repair list, served from the cache while nothing it shows has changed.

With 100,000 orders a page costs ~35 ms of Python and SQL (the count, the page, its photos);
dispatchers refresh it all day. A page is cached under the list's version (models.ListVersion,
bumped by a database trigger on every change to orders, their photos and categories) and the
request's language, host and query, in the company's own cache space (django-tenants' key prefix).
What changes without a write to those tables is refreshed on every hit from the facts: whether an
order is overdue (the clock) and its charge (billing: the owner paying). A renamed house, estate or
worker shows within `TTL` seconds. A query by `overdue` is not cached (the clock decides its rows).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from django.core.cache import cache
from django.utils.translation import get_language
from rest_framework.request import Request

from tenants.repairs import selectors
from tenants.repairs.models import RepairOrder

TTL = 60
UNCACHED_PARAMS = frozenset({"overdue"})

Facts = dict[int, tuple[str, datetime | None]]  # order id → (charge source, due at)


def cached_page(
    request: Request,
    build: Callable[[], tuple[dict[str, Any], Sequence[RepairOrder]]],
    refresh: Callable[[list[dict[str, Any]], Facts], None],
) -> dict[str, Any]:
    """The page `build` makes (its body and the orders on it), from the cache when still current;
    `refresh` brings a cached page's live fields up to date."""
    version = selectors.list_version()
    if version is None or UNCACHED_PARAMS & set(request.query_params):
        return build()[0]
    key = _key(request, version)
    entry = cache.get(key)
    if entry is None:
        body, orders = build()
        facts = {order.pk: (order.charge_source, order.due_at) for order in orders}
        cache.set(key, {"body": body, "facts": facts}, TTL)
        return body
    refresh(entry["body"]["results"], entry["facts"])
    return entry["body"]


def _key(request: Request, version: int) -> str:
    query = sorted((name, value) for name, values in request.query_params.lists() for value in values)
    digest = hashlib.sha256(repr((get_language(), request.get_host(), query)).encode()).hexdigest()
    return f"repairs:list:{version}:{digest[:32]}"
