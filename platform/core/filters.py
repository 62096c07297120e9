"""Filter backends every list shares."""

from __future__ import annotations

from rest_framework import filters

from core import text


class SearchFilter(filters.SearchFilter):
    """`?search=` compared as names and codes are stored (core.text): NFKC, so a full-width
    "１０１" finds room 101."""

    def get_search_terms(self, request):  # type: ignore[no-untyped-def]
        return [term for term in (text.normalise(t) for t in super().get_search_terms(request)) if term]
