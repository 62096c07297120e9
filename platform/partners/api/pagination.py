"""The partner portal's order list, paged in one statement: the page's rows carry the total along."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet

from core.pagination import PagePagination


class CountedPaginator(Paginator):
    """A paginator told its count instead of asking the database for it."""

    def __init__(self, object_list: Any, per_page: int, *, count: int) -> None:
        super().__init__(object_list, per_page)
        self.count = count  # over Paginator.count, a cached_property


class PageAndCountPagination(PagePagination):
    """PagePagination's answer (count, next, previous, results) from one statement instead of two:
    the view's `page_and_count(limit=, offset=)` gives the page's rows, each with the exact total as
    `total_rows` — one statement to build, send, plan and wait for instead of a COUNT and then the
    page (tests.bench.partners). An empty page past the first, `?page=last` or a page that is not a
    plain number go the usual way over the view's queryset (a COUNT first), so they answer exactly as
    PagePagination does; `queryset` is a function that builds it, called only then (building the
    ORM's queryset was itself a fifth of the list's time)."""

    def paginate_queryset(  # type: ignore[override]  # the queryset's builder, not the queryset
        self, queryset: Callable[[], QuerySet[Any]], request: Any, view: Any = None
    ) -> list[Any] | None:
        page_size = self.get_page_size(request)
        number = _positive(request.query_params.get(self.page_query_param) or "1")
        if not page_size or number is None:
            return super().paginate_queryset(queryset(), request, view)
        self.request = request
        rows = view.page_and_count(limit=page_size, offset=(number - 1) * page_size)
        if not rows and number > 1:
            return super().paginate_queryset(queryset(), request, view)  # past the end: its 404
        paginator = CountedPaginator(rows, page_size, count=rows[0].total_rows if rows else 0)
        self.page = Page(rows, number, paginator)
        if paginator.num_pages > 1 and self.template is not None:
            self.display_page_controls = True  # the browsable API's pager
        return rows


def _positive(text: str) -> int | None:
    """A page number written plainly (at most 9 digits, so the offset stays a bigint), else None."""
    return int(text) if text.isascii() and text.isdecimal() and len(text) <= 9 and int(text) > 0 else None
