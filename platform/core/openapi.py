"""The API documents describe our error answers too, in the one shape api_errors produces.

Every operation gets the errors it can really answer, derived from the view: 400 and 406 from
every request (the input guard reads every query string and body; every view negotiates its
format), 401/403 from its authentication and permission classes, 404 from path parameters,
413/415 where it reads a body, 429 where it is throttled. What only a service knows (a 409 for
a decided request, a 503 from WeChat) the view declares by action (viewsets) or method (plain
views):

    error_statuses = {"destroy": [409], "approve": [409]}      # or {"post": [401, 403], "*": [404]}

The fuzz run (tests/fuzz) holds the server to these documents.

And one rule for answers: a model serializer's answer carries every field it declares (DRF writes
each readable field of the instance, one with a model default included). drf-spectacular marks
such a field optional in the answer too, as it is optional to send; here the answer lists it as
required, so the faces' generated types (and anyone reading the document) can rely on it.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any, cast

from django.contrib.auth.models import AnonymousUser
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import ComponentRegistry, force_instance
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers
from rest_framework.authentication import SessionAuthentication
from rest_framework.request import Request


class ErrorResponseSerializer(serializers.Serializer[Any]):
    """Every error answer of the API (core.api_errors)."""

    code = serializers.CharField(help_text="A stable code: validation_error, not_found, permission_denied, …")
    message = serializers.CharField(help_text="A readable message (zh-CN by default).")
    # stubs: a serializer is a Field, and this field hides Serializer.fields
    fields = serializers.DictField(  # type: ignore[assignment]
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Problems by field (dotted paths for nested fields); empty unless the input was refused.",
    )
    retry_after = serializers.IntegerField(required=False, help_text="With 429: seconds to wait.")


# Developer-facing (the API documents are in English, like their other descriptions).
ERROR_DESCRIPTIONS: dict[int, str] = {
    400: "Bad input: `fields` lists each problem by field.",
    401: "Not signed in, or the credentials are invalid or expired.",
    402: "The company's service is suspended until its subscription is paid.",
    403: "Signed in without the permission this needs (or a missing CSRF token).",
    404: "No such object here.",
    406: "The answer cannot be given in the form asked for (`?format=` or Accept): ask for JSON.",
    409: "The object is not in a state that allows this (already decided, moved out, …).",
    413: "The request body is too large.",
    415: "Unsupported Content-Type for the request body.",
    429: "Too many requests: retry after `retry_after` seconds.",
    503: "An outside service this needs is unavailable or not configured.",
}

_UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


class ErrorDocumentingAutoSchema(AutoSchema):
    def get_operation(
        self, path: str, path_regex: str, path_prefix: str, method: str, registry: ComponentRegistry
    ) -> dict[str, Any] | None:
        # (drf-spectacular leaves these unannotated)
        operation: dict[str, Any] | None = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is None:
            return None
        responses = operation["responses"]
        for status in sorted(self._derived_error_statuses(operation)):
            if str(status) not in responses:
                responses[str(status)] = self._get_response_for_code(  # type: ignore[no-untyped-call]
                    OpenApiResponse(ErrorResponseSerializer, ERROR_DESCRIPTIONS[status]), str(status)
                )
        return operation

    def _map_basic_serializer(self, serializer: Any, direction: str) -> dict[str, Any]:
        # (drf-spectacular leaves these unannotated)
        schema: dict[str, Any] = super()._map_basic_serializer(serializer, direction)  # type: ignore[no-untyped-call]
        instance = force_instance(serializer)  # type: ignore[no-untyped-call]
        properties = schema.get("properties")
        if direction == "response" and properties and isinstance(instance, serializers.ModelSerializer):
            schema["required"] = sorted(properties)
        return schema

    def _derived_error_statuses(self, operation: dict[str, Any]) -> set[int]:
        # Every request: the input guard refuses control characters anywhere, and content
        # negotiation (core.exports) refuses a format or Accept the view cannot render.
        statuses = {400, 406}
        authenticators = self.view.get_authenticators()
        # Stands in for an anonymous request: what permissions and authenticators read of one.
        anonymous = cast(Request, SimpleNamespace(method=self.method, user=AnonymousUser(), auth=None, tenant=None))
        refuses_anonymous = not all(
            permission.has_permission(anonymous, self.view) for permission in self.view.get_permissions()
        )
        if authenticators:
            # A bad credential is refused even where anyone may call: 401 when the first
            # authenticator names a challenge (DRF's rule), otherwise 403.
            statuses.add(401 if authenticators[0].authenticate_header(anonymous) else 403)
        if refuses_anonymous:
            statuses.add(403)
        if self.method in _UNSAFE and any(isinstance(a, SessionAuthentication) for a in authenticators):
            statuses.add(403)  # a session-authenticated write without its CSRF token
        if any(p.get("in") == "path" for p in operation.get("parameters", [])):
            statuses.add(404)
        if any(p.get("in") == "query" and p.get("name") == "page" for p in operation.get("parameters", [])):
            statuses.add(404)  # a page past the end (the paginator's "无效页面")
        if "requestBody" in operation:
            statuses.update({413, 415})
        if self.view.get_throttles():
            statuses.add(429)
        declared = getattr(self.view, "error_statuses", {})
        statuses.update(declared.get(getattr(self.view, "action", None) or self.method.lower(), ()))
        statuses.update(declared.get("*", ()))
        return statuses
