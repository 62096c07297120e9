"""Input no view should have to think about, refused at the edge with the API's 400 shape.

- Control characters (NUL and the other C0 controls but tab/newline, and DEL) in any query
  parameter, path or body value: PostgreSQL refuses NUL in text (a 500 deep inside a view), and the
  others break the spreadsheets we write. A person never types them.
- JSON nested deeper than any of our payloads (Python's parser would recurse until it crashes).
- Bodies larger than DATA_UPLOAD_MAX_MEMORY_SIZE (413): DRF reads a JSON body whole, unlike
  Django's own request.body, which enforces the limit.

The parsers replace DRF's defaults (REST_FRAMEWORK["DEFAULT_PARSER_CLASSES"]); the middleware
covers the query string and the path of every /api/ request, which no parser sees.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from rest_framework import exceptions, parsers, status

from core.text import has_control_characters

MAX_JSON_DEPTH = 32
# The largest file we take is an import of 20 MB; a multipart body past this is refused unread.
MAX_UPLOAD_BYTES = 25 * 1024 * 1024


class RequestTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "request_too_large"

    def __init__(self) -> None:
        super().__init__(_("请求内容过大。"))


def control_character_message() -> str:
    return _("不能包含控制字符。")


def refused_fields(data: Any, *, max_depth: int | None = None) -> dict[str, list[str]]:
    """Every place in parsed input (JSON, a form, a query string) holding a control character,
    by dotted path; raises ParseError past `max_depth` levels of nesting. Iterative, so a deep
    structure cannot exhaust the stack here either."""
    problems: dict[str, list[str]] = {}
    stack: list[tuple[str, Any, int]] = [("", data, 0)]
    while stack:
        path, value, depth = stack.pop()
        if max_depth is not None and depth > max_depth:
            raise exceptions.ParseError(_("JSON 嵌套层数过多。"))
        if isinstance(value, str):
            if has_control_characters(value):
                problems[path or "non_field_errors"] = [control_character_message()]
        elif isinstance(value, dict) or hasattr(value, "lists"):
            items = value.lists() if hasattr(value, "lists") else value.items()
            for key, sub in items:
                key = str(key)
                child = f"{path}.{key}" if path else key
                if has_control_characters(key):
                    problems[child] = [control_character_message()]
                stack.append((child, sub, depth + 1))
        elif isinstance(value, list | tuple):
            # Items report on their list: a field's errors are the field's (core.api_errors).
            stack.extend((path, sub, depth + 1) for sub in value)
    return problems


def _refuse(problems: dict[str, list[str]]) -> None:
    if problems:
        raise exceptions.ValidationError(problems)


def _check_size(parser_context: Mapping[str, Any] | None, limit: int | None) -> None:
    request = (parser_context or {}).get("request")
    if request is None or limit is None:
        return
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > limit:
        raise RequestTooLarge()


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):  # type: ignore[no-untyped-def]
        _check_size(parser_context, settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError as exc:  # the C scanner gives up on very deep nesting
            raise exceptions.ParseError(_("JSON 嵌套层数过多。")) from exc
        _refuse(refused_fields(data, max_depth=MAX_JSON_DEPTH))
        return data


class FormParser(parsers.FormParser):
    def parse(self, stream, media_type=None, parser_context=None):  # type: ignore[no-untyped-def]
        data = super().parse(stream, media_type, parser_context)
        _refuse(refused_fields(data))
        return data


class MultiPartParser(parsers.MultiPartParser):
    """Files pass as they are (their readers check them); the other form fields are checked."""

    def parse(self, stream, media_type=None, parser_context=None):  # type: ignore[no-untyped-def]
        _check_size(parser_context, MAX_UPLOAD_BYTES)
        result = super().parse(stream, media_type, parser_context)
        _refuse(refused_fields(result.data))
        return result


class InputGuardMiddleware:
    """400 in the API's shape for an /api/ request whose Host is not ours, or whose path or query
    string holds a control character, before any view (or the database) sees it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith("/api/"):
            try:
                request.get_host()
            except DisallowedHost:  # django-tenants would answer an empty HTML 404
                message = _("请求无效。")
                return JsonResponse({"code": "bad_request", "message": message, "fields": {}}, status=400)
            problems = refused_fields(request.GET)
            if has_control_characters(request.path):
                problems["path"] = [control_character_message()]
            if problems:
                return JsonResponse(
                    {
                        "code": "validation_error",
                        "message": _("提交的数据有误，请检查标出的字段。"),
                        "fields": problems,
                    },
                    status=400,
                )
        return self.get_response(request)
