"""One error shape for the whole API: {"code", "message", "fields"} (DRF's EXCEPTION_HANDLER)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler

from core.errors import DomainError, RateLimited
from core.input_guard import RequestTooLarge

_CODE_BY_EXCEPTION: list[tuple[type[Exception], str]] = [
    (exceptions.NotAuthenticated, "not_authenticated"),
    (exceptions.AuthenticationFailed, "authentication_failed"),
    (exceptions.PermissionDenied, "permission_denied"),
    (exceptions.NotFound, "not_found"),
    (exceptions.MethodNotAllowed, "method_not_allowed"),
    (exceptions.Throttled, "throttled"),
    (exceptions.ParseError, "parse_error"),
    (exceptions.UnsupportedMediaType, "unsupported_media_type"),
    (exceptions.NotAcceptable, "not_acceptable"),
    (exceptions.ValidationError, "validation_error"),
]


def _flatten(detail: Any) -> dict[str, list[str]]:
    """DRF's nested error detail -> {"field": ["message", ...]} with dotted paths for nesting."""
    out: dict[str, list[str]] = {}

    def walk(prefix: str, value: Any) -> None:
        if isinstance(value, dict):
            for key, sub in value.items():
                # A list field's per-item errors ({0: [...]}) belong to the field itself.
                path = prefix if isinstance(key, int) and prefix else (f"{prefix}.{key}" if prefix else str(key))
                walk(path, sub)
        elif isinstance(value, list) and value and all(isinstance(v, str) for v in value):
            out.setdefault(prefix or "non_field_errors", []).extend(str(v) for v in value)
        elif isinstance(value, list):
            for index, sub in enumerate(value):
                walk(f"{prefix}.{index}" if prefix else str(index), sub)
        else:
            out.setdefault(prefix or "non_field_errors", []).append(str(value))

    walk("", detail)
    return out


def _body(code: str, message: str, fields: dict[str, list[str]] | None = None) -> dict[str, Any]:
    return {"code": code, "message": message, "fields": fields or {}}


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, RateLimited):
        body = {**_body(exc.code, exc.message, exc.fields), "retry_after": exc.retry_after}
        return Response(body, status=exc.status_code, headers={"Retry-After": str(exc.retry_after)})
    if isinstance(exc, DomainError):
        return Response(_body(exc.code, exc.message, exc.fields), status=exc.status_code)
    if isinstance(exc, DjangoValidationError):
        fields = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        exc = exceptions.ValidationError(fields)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound(_("对象不存在。"))
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, RequestDataTooBig):  # a multipart form's fields past DATA_UPLOAD_MAX_MEMORY_SIZE
        exc = RequestTooLarge()
    elif isinstance(exc, SuspiciousOperation):  # too many fields, a malformed upload
        exc = exceptions.ParseError()

    response = exception_handler(exc, context)
    if response is None:
        return None
    code = next((c for cls, c in _CODE_BY_EXCEPTION if isinstance(exc, cls)), getattr(exc, "default_code", "error"))
    if isinstance(exc, exceptions.ValidationError):
        fields = _flatten(exc.detail)
        message = _("提交的数据有误，请检查标出的字段。")
        if list(fields) == ["non_field_errors"]:
            message = fields["non_field_errors"][0]
        response.data = _body(code, message, fields)
    else:
        detail = getattr(exc, "detail", "")
        detail_code = getattr(detail, "code", None)
        if (
            detail_code
            and detail_code not in {"error", "invalid"}
            and code in {"permission_denied", "authentication_failed"}
        ):
            code = str(detail_code)
        response.data = _body(code, str(detail))
    # djangorestframework-stubs omit Throttled.wait, which DRF sets in __init__ (seconds or None).
    wait: float | None = getattr(exc, "wait", None) if isinstance(exc, exceptions.Throttled) else None
    if wait:
        response.data["retry_after"] = int(wait)
    return response
