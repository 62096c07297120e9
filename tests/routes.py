"""The company API's routes as concrete paths, for tests that sweep every endpoint and method."""

from __future__ import annotations

import re
from typing import Any


def company_api_routes(urlconf: str = "config.urls_tenant", free_id: str = "1") -> list[tuple[str, str, Any]]:
    """Every API route of a company's host (or of `urlconf`): (method, concrete path, the view callback).
    `free_id` fills the router's default lookup ([^/.]+, which takes any text), "1" everything else."""
    from django.urls import URLPattern, URLResolver, get_resolver

    samples = {"int": "1", "uuid": "00000000-0000-0000-0000-000000000001", "str": "houses", "path": "x"}
    found: list[tuple[str, str, Any]] = []

    def walk(resolver, prefix=""):
        for pattern in resolver.url_patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                route = prefix + str(pattern.pattern)
                if not route.startswith("api/v1/") or "(?P<format>" in route:
                    continue
                path = (
                    re.sub(  # router regexes
                        r"\(\?P<\w+>([^)]*)\)", lambda m: free_id if m.group(1) == "[^/.]+" else "1", route
                    )
                    .replace("^", "")
                    .replace("$", "")
                )
                path = re.sub(r"<(?:(\w+):)?\w+>", lambda m: samples[m.group(1) or "str"], path)  # path converters
                actions = getattr(pattern.callback, "actions", None)
                view_class = getattr(pattern.callback, "cls", None)
                methods = (
                    sorted(m.upper() for m in actions)
                    if actions
                    else sorted(
                        m.upper() for m in getattr(view_class, "http_method_names", []) if hasattr(view_class, m)
                    )
                )
                for method in methods:
                    if method not in {"OPTIONS", "HEAD"}:
                        found.append((method, "/" + path, pattern.callback))

    walk(get_resolver(urlconf))
    return found


def partner_api_routes(free_id: str = "1") -> list[tuple[str, str, Any]]:
    """Every route of the partner portal's API, on the public host (config.urls_public)."""
    routes = company_api_routes("config.urls_public", free_id)
    return [route for route in routes if route[1].startswith("/api/v1/partner/")]
