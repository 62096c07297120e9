"""An id in a path that is not a number is a 4xx, never a server error: on every route of a
company's host whose lookup takes any text (the router's default), as the company's admin."""

from __future__ import annotations

from tests.routes import company_api_routes


def test_a_word_for_an_id_is_never_a_server_error(client_for, company_a):
    admin = client_for(company_a, "admin")
    admin.raise_request_exception = False
    routes = [route for route in company_api_routes(free_id="x1") if "/x1/" in route[1]]
    assert len(routes) > 100  # the sweep sees the detail routes
    failed = []
    for method, path, _view in routes:
        response = admin.generic(method, path, "{}", content_type="application/json")
        if response.status_code >= 500:
            failed.append(f"{method} {path} → {response.status_code}")
    assert failed == []
