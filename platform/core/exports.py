"""Excel export of any list endpoint: the same URL and filters plus `?format=xlsx`.

A list view mixes in ExcelExportMixin and names its columns (`export_columns`: field -> header);
the rows are the view's own serializer output, filtered and ordered as the table shows them, not
paginated. Large exports belong in a background job; until then a cap answers 400 with advice.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from openpyxl.styles import Font
from rest_framework import serializers
from rest_framework.exceptions import NotAcceptable
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import BaseRenderer, BrowsableAPIRenderer, JSONRenderer
from rest_framework.response import Response

from core.errors import DomainError
from core.sheets import Spreadsheet

# Type-only: DRF loads this module (the negotiation class) while rest_framework.views is half imported.
if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise
    from rest_framework.generics import GenericAPIView
    from rest_framework.mixins import ListModelMixin
    from rest_framework.request import Request

    class _ListView(ListModelMixin, GenericAPIView[Any]):
        """What ExcelExportMixin is mixed into: a list view (its queryset, filters, serializer)."""

else:
    _ListView = object

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXPORT_MAX_ROWS = 20_000


def _cell_value(value: Any, labels: Mapping[Any, Any] | None) -> Any:
    if labels and isinstance(value, str):
        return str(labels.get(value, value))
    if isinstance(value, list):
        return "、".join(str(_cell_value(v, labels)) for v in value)
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if isinstance(value, str) and len(value) >= 19 and value[4] == "-" and "T" in value:
        parsed = parse_datetime(value)
        if parsed is not None:  # Excel has no time zones: write Beijing time as it reads on screen
            return timezone.localtime(parsed).replace(tzinfo=None) if timezone.is_aware(parsed) else parsed
    if isinstance(value, Decimal | int | float | date | datetime) or value is None:
        return value
    if isinstance(value, dict):
        return str(value.get("label") or value.get("name") or value)
    return str(value)


def _decimal_fields(view: Any) -> set[str]:
    """The columns the API writes as decimal strings ("89.50"): the sheet gets numbers, so a cashier
    can sum them, with the API's exactness (Decimal, never float)."""
    try:
        fields = view.get_serializer().fields
    except Exception:  # a view without a serializer: nothing to convert
        return set()
    return {name for name, field in fields.items() if isinstance(field, serializers.DecimalField)}


def _number(value: Any) -> Any:
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value))
    except ArithmeticError:
        return str(value)


class XlsxRenderer(BaseRenderer):
    media_type = XLSX
    format = "xlsx"
    charset = None
    render_style = "binary"

    def render(
        self, data: Any, accepted_media_type: str | None = None, renderer_context: Mapping[str, Any] | None = None
    ) -> bytes:
        view = (renderer_context or {}).get("view")
        response = (renderer_context or {}).get("response")
        if response is not None and response.status_code >= 400:
            # Errors stay JSON-shaped in the body even when a spreadsheet was asked for.
            response["Content-Type"] = "application/json"
            error_body: bytes = JSONRenderer().render(data)
            return error_body
        columns: list[tuple[str, StrOrPromise]] = list(getattr(view, "export_columns", []))
        labels: Mapping[str, Mapping[Any, Any]] = getattr(view, "export_labels", {})
        as_text = set(getattr(view, "export_text_fields", ()))
        export_rows = getattr(view, "export_rows", None)
        if export_rows is not None:  # a view whose rows are not its list's (one per person and house)
            data = export_rows(data)
        book = Spreadsheet()
        sheet = book.sheet(str(getattr(view, "export_title", "Sheet1")))
        sheet.text_columns(position for position, (field, _title) in enumerate(columns, 1) if field in as_text)
        bold = Font(bold=True)
        sheet.append(sheet.cell(str(title), font=bold) for _field, title in columns)
        numeric = _decimal_fields(view)
        for row in data:
            sheet.append(
                _number(row.get(field)) if field in numeric else _cell_value(row.get(field), labels.get(field))
                for field, _title in columns
            )
        return book.save()


class ExcelExportMixin(_ListView):
    """For list views: `?format=xlsx` returns the filtered, ordered rows as an .xlsx download.

    Only the list read offers the spreadsheet: on any other action of the view (a detail, a create,
    a reveal, a delete) the xlsx renderer is not among the renderers, so negotiation refuses the
    request (406) in `initial()`, before authentication and before the handler: nothing is written
    or audited. (Offering it everywhere made a write run, commit, and then fail rendering its result.)"""

    renderer_classes: Sequence[type[BaseRenderer]] = [JSONRenderer, BrowsableAPIRenderer, XlsxRenderer]
    # field -> column header, in the sheet's order
    export_columns: Sequence[tuple[str, StrOrPromise]] = []
    # field -> {stored value: label shown}, for choices
    export_labels: Mapping[str, Mapping[Any, Any]] = {}
    # fields whose whole column is formatted as text (phone, ID and house numbers keep their digits)
    export_text_fields: Sequence[str] = ()
    export_title = "export"

    def get_renderers(self) -> list[BaseRenderer]:
        renderers = super().get_renderers()
        if self._is_list_read():
            return renderers
        return [renderer for renderer in renderers if not isinstance(renderer, XlsxRenderer)]

    def _is_list_read(self) -> bool:
        request = getattr(self, "request", None)
        if request is None or request.method not in ("GET", "HEAD"):
            return False
        if getattr(self, "action_map", None):  # a viewset names its action; a ListAPIView's GET is its list
            return getattr(self, "action", None) == "list"
        return hasattr(self, "list")

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        if getattr(request.accepted_renderer, "format", None) != "xlsx":
            return super().list(request, *args, **kwargs)
        queryset = self.filter_queryset(self.get_queryset())
        count = queryset.count()
        if count > EXPORT_MAX_ROWS:
            raise DomainError(
                _("导出行数过多（%(count)s 行，上限 %(max)s 行），请缩小筛选范围。")
                % {"count": count, "max": EXPORT_MAX_ROWS},
                code="export_too_large",
            )
        rows = self.get_serializer(queryset, many=True).data
        filename = f"{self.export_title}-{timezone.localdate():%Y%m%d}.xlsx"
        return Response(rows, headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(filename)}"})


class FormatFirstNegotiation(DefaultContentNegotiation):
    """An explicit `?format=` wins over the Accept header: a download asked for as xlsx by a client
    that sends `Accept: application/json` (fetch wrappers do) is a spreadsheet, not a 406.

    A format or Accept the view cannot render is a 406 in the API's error shape, by `?format=` as by
    Accept: the resource exists, only not in that form (DRF answers an unknown `?format=` with 404,
    meant for `.json`-style URL suffixes, where the URL itself names the form). Raised in the view's
    `initial()`, so the handler never runs."""

    def select_renderer(
        self, request: Request, renderers: Iterable[BaseRenderer], format_suffix: str | None = None
    ) -> tuple[BaseRenderer, str]:
        renderers = list(renderers)
        wanted = format_suffix or request.query_params.get(self.settings.URL_FORMAT_OVERRIDE)
        if wanted:
            for renderer in renderers:
                if renderer.format == wanted:
                    return renderer, renderer.media_type
            raise _not_acceptable(wanted)
        try:
            chosen: tuple[BaseRenderer, str] = super().select_renderer(request, renderers, format_suffix)
            return chosen
        except NotAcceptable:
            spreadsheet = any(XLSX in value for value in request.META.get("HTTP_ACCEPT", "").split(","))
            raise _not_acceptable("xlsx" if spreadsheet else "") from None


def _not_acceptable(wanted: str) -> NotAcceptable:
    if wanted == "xlsx":
        return NotAcceptable(_("该接口不提供 Excel 格式：只有列表可以导出为 Excel。"))
    return NotAcceptable(_("该接口不提供所请求的格式，请以 JSON 格式请求。"))
