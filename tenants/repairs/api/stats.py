"""Repairs API: statistics (报修统计) for the dispatcher and for those who read the company's analytics.

GET repair-stats/?date_from=&date_to=&estate= answers every figure of the statistics page (each one
aggregate query, tenants.repairs.selectors_stats); the same URL with ?format=xlsx downloads the same
figures as a workbook, one sheet per figure (they are a few hundred rows at most: answered at once,
like the other list exports, not as a background job).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any
from urllib.parse import quote

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from openpyxl.styles import Font
from rest_framework import serializers
from rest_framework.renderers import BaseRenderer, BrowsableAPIRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.exports import XLSX
from core.sheets import Spreadsheet
from tenants.estates.models import Estate
from tenants.repairs import selectors_stats as stats

VIEW_STATS = ("repairs.dispatch", "analytics.view")
MAX_DAYS = 3 * 366
EARLIEST, LATEST = date(2000, 1, 1), date(2100, 12, 31)


class StatsParams(serializers.Serializer):
    date_from = serializers.DateField(
        required=False, help_text="First day (Asia/Shanghai); the 1st of the month 11 months ago."
    )
    date_to = serializers.DateField(required=False, help_text="Last day, inclusive; today.")
    estate = serializers.IntegerField(required=False, min_value=1, max_value=2**31 - 1, help_text="Only this estate.")

    def validate_estate(self, value: int) -> int:
        if not Estate.objects.filter(pk=value).exists():
            raise serializers.ValidationError(_("小区不存在。"))
        return value

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        for name in ("date_from", "date_to"):
            if name in attrs and not EARLIEST <= attrs[name] <= LATEST:
                raise serializers.ValidationError({name: [_("日期须在 2000-01-01 至 2100-12-31 之间。")]})
        default = stats.default_period(attrs.get("date_to"))
        date_from = attrs.get("date_from", default.date_from)
        date_to = attrs.get("date_to", max(default.date_to, date_from))
        if date_to < date_from:
            raise serializers.ValidationError({"date_to": [_("结束日期不能早于开始日期。")]})
        if (date_to - date_from).days >= MAX_DAYS:
            raise serializers.ValidationError({"date_to": [_("统计范围最长 3 年，请缩小范围。")]})
        return {"date_from": date_from, "date_to": date_to, "estate": attrs.get("estate")}


def _hours(help_text: str) -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True, help_text=help_text)


def _percent(help_text: str) -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=4, decimal_places=1, allow_null=True, help_text=help_text)


class TotalsSerializer(serializers.Serializer):
    filed = serializers.IntegerField(help_text="Filed in the range, cancelled ones left out.")
    cancelled = serializers.IntegerField(help_text="Filed in the range and cancelled.")
    open = serializers.IntegerField(help_text="Filed in the range, not yet finished.")
    finished = serializers.IntegerField(help_text="Filed in the range and finished (completed, confirmed, closed).")


class MonthCountSerializer(serializers.Serializer):
    month = serializers.DateField(help_text="The month's first day.")
    count = serializers.IntegerField()


class FinishedMonthSerializer(serializers.Serializer):
    month = serializers.DateField(help_text="The month's first day (of completion).")
    finished = serializers.IntegerField()
    sla_met = serializers.IntegerField()
    sla_total = serializers.IntegerField(help_text="Finished orders that had a due time.")
    sla_met_percent = _percent("sla_met ÷ sla_total × 100; null: none had a due time.")
    rating_count = serializers.IntegerField()
    rating_average = serializers.DecimalField(max_digits=3, decimal_places=2, allow_null=True)


class CategoryCountSerializer(serializers.Serializer):
    category = serializers.IntegerField()
    name = serializers.CharField(help_text="The category's path, e.g. 水电 › 管道漏水.")
    count = serializers.IntegerField()


class BuildingCountSerializer(serializers.Serializer):
    estate = serializers.IntegerField()
    estate_name = serializers.CharField()
    building = serializers.IntegerField(allow_null=True, help_text="Null: public places of the estate.")
    building_name = serializers.CharField(allow_null=True)
    count = serializers.IntegerField()


class WorkerCountSerializer(serializers.Serializer):
    worker = serializers.IntegerField(allow_null=True, help_text="Null: not dispatched yet.")
    name = serializers.CharField(allow_null=True)
    count = serializers.IntegerField(help_text="Filed in the range and now held by the worker.")
    finished = serializers.IntegerField(help_text="Of those, finished.")


class DurationsSerializer(serializers.Serializer):
    accept_count = serializers.IntegerField(help_text="Orders filed in the range that were accepted.")
    accept_median_hours = _hours("Filing → first acceptance, median.")
    accept_p90_hours = _hours("Filing → first acceptance, 90th percentile.")
    complete_count = serializers.IntegerField(help_text="Orders finished in the range.")
    complete_median_hours = _hours("Filing → completion, median.")
    complete_p90_hours = _hours("Filing → completion, 90th percentile.")


class SlaSerializer(serializers.Serializer):
    met = serializers.IntegerField(help_text="Finished in the range by their due time (completed_at ≤ due_at).")
    total = serializers.IntegerField(help_text="Finished in the range with a due time.")
    percent = _percent("met ÷ total × 100; null: none had a due time.")


class RatingCountSerializer(serializers.Serializer):
    rating = serializers.IntegerField(min_value=1, max_value=5)
    count = serializers.IntegerField()


class RatingsSerializer(serializers.Serializer):
    count = serializers.IntegerField(help_text="Finished in the range and rated.")
    average = serializers.DecimalField(max_digits=3, decimal_places=2, allow_null=True)
    distribution = RatingCountSerializer(many=True, help_text="One line per star, 1 to 5.")


class TopCategorySerializer(CategoryCountSerializer):
    month = serializers.DateField(help_text="The month's first day.")
    rank = serializers.IntegerField(help_text="1 is the month's most frequent.")


class RepairStatsSerializer(serializers.Serializer):
    date_from = serializers.DateField(source="period.date_from")
    date_to = serializers.DateField(source="period.date_to", help_text="Inclusive.")
    estate = serializers.IntegerField(source="period.estate_id", allow_null=True)
    totals = TotalsSerializer()
    by_month = MonthCountSerializer(many=True, help_text="Orders filed per month, every month of the range.")
    finished_by_month = FinishedMonthSerializer(many=True, help_text="Per month of completion.")
    by_category = CategoryCountSerializer(many=True, help_text="Orders filed per category, most first.")
    by_building = BuildingCountSerializer(many=True, help_text="Orders filed per building, most first.")
    by_worker = WorkerCountSerializer(many=True, help_text="Orders filed per worker now holding them, most first.")
    durations = DurationsSerializer()
    sla = SlaSerializer()
    ratings = RatingsSerializer()
    top_categories_by_month = TopCategorySerializer(
        many=True, help_text=f"Each month's {stats.TOP_CATEGORIES} most frequent categories."
    )


# --- the workbook --------------------------------------------------------------------------------


def _sheets(data: Mapping[str, Any]) -> list[tuple[str, list[str], list[list[Any]]]]:
    """(title, headers, rows) of each sheet, from the API's own answer (the same figures)."""
    months = {row["month"]: row for row in data["finished_by_month"]}
    durations, sla, ratings, totals = data["durations"], data["sla"], data["ratings"], data["totals"]
    summary = [
        [_("统计期间"), f"{data['date_from']} ~ {data['date_to']}"],
        [_("报修量（不含已取消）"), totals["filed"]],
        [_("已取消"), totals["cancelled"]],
        [_("未完成"), totals["open"]],
        [_("已完成"), totals["finished"]],
        [_("接单用时中位数（小时）"), durations["accept_median_hours"]],
        [_("接单用时 P90（小时）"), durations["accept_p90_hours"]],
        [_("完工用时中位数（小时）"), durations["complete_median_hours"]],
        [_("完工用时 P90（小时）"), durations["complete_p90_hours"]],
        [_("按时完成"), sla["met"]],
        [_("有时限工单"), sla["total"]],
        [_("按时率（%）"), sla["percent"]],
        [_("评价数"), ratings["count"]],
        [_("平均评分"), ratings["average"]],
    ]
    return [
        (_("概览"), [_("指标"), _("数值")], summary),
        (
            _("按月"),
            [
                _("月份"),
                _("报修量"),
                _("完成"),
                _("按时完成"),
                _("有时限工单"),
                _("按时率（%）"),
                _("评价数"),
                _("平均评分"),
            ],
            [
                [
                    row["month"][:7],
                    row["count"],
                    months.get(row["month"], {}).get("finished"),
                    months.get(row["month"], {}).get("sla_met"),
                    months.get(row["month"], {}).get("sla_total"),
                    months.get(row["month"], {}).get("sla_met_percent"),
                    months.get(row["month"], {}).get("rating_count"),
                    months.get(row["month"], {}).get("rating_average"),
                ]
                for row in data["by_month"]
            ],
        ),
        (_("按类别"), [_("类别"), _("报修量")], [[row["name"], row["count"]] for row in data["by_category"]]),
        (
            _("按楼栋"),
            [_("小区"), _("楼栋"), _("报修量")],
            [[row["estate_name"], row["building_name"] or _("公共区域"), row["count"]] for row in data["by_building"]],
        ),
        (
            _("按维修师傅"),
            [_("维修师傅"), _("报修量"), _("已完成")],
            [[row["name"] or _("未派单"), row["count"], row["finished"]] for row in data["by_worker"]],
        ),
        (
            _("评分分布"),
            [_("评分"), _("数量")],
            [[row["rating"], row["count"]] for row in ratings["distribution"]],
        ),
        (
            _("每月高频类别"),
            [_("月份"), _("排名"), _("类别"), _("报修量")],
            [[row["month"][:7], row["rank"], row["name"], row["count"]] for row in data["top_categories_by_month"]],
        ),
    ]


DECIMAL_STRING = re.compile(r"[0-9]+\.[0-9]+")  # ASCII digits only: str.isdigit() takes "²" too


def _cell(value: Any) -> Any:
    """Decimal strings of the API ("95.5") become numbers in the sheet."""
    if isinstance(value, str) and DECIMAL_STRING.fullmatch(value):
        return Decimal(value)
    return value


class StatsXlsxRenderer(BaseRenderer):
    media_type = XLSX
    format = "xlsx"
    charset = None
    render_style = "binary"

    def render(
        self, data: Any, accepted_media_type: str | None = None, renderer_context: Mapping[str, Any] | None = None
    ) -> bytes:
        response = (renderer_context or {}).get("response")
        if response is not None and response.status_code >= 400:
            response["Content-Type"] = "application/json"
            return bytes(JSONRenderer().render(data))
        book = Spreadsheet()
        bold = Font(bold=True)
        for title, headers, rows in _sheets(data):
            sheet = book.sheet(str(title))
            sheet.append(sheet.cell(str(header), font=bold) for header in headers)
            for row in rows:
                sheet.append(_cell(value) for value in row)
        return book.save()


class RepairStatsView(APIView):
    """报修统计: volume by month, category, building and worker; time to accept and to complete
    (median, 90th percentile); SLA met; ratings; each month's most frequent categories. Cancelled
    orders never count. `?format=xlsx` downloads the same figures, one sheet each."""

    required_permission = VIEW_STATS
    renderer_classes = [JSONRenderer, BrowsableAPIRenderer, StatsXlsxRenderer]

    @extend_schema(
        parameters=[StatsParams],
        responses={
            (200, "application/json"): RepairStatsSerializer,
            (200, XLSX): OpenApiResponse(OpenApiTypes.BINARY, description="The same figures as a workbook."),
        },
    )
    def get(self, request: Request) -> Response:
        params = StatsParams(data=request.query_params)
        params.is_valid(raise_exception=True)
        period = stats.Period(
            date_from=params.validated_data["date_from"],
            date_to=params.validated_data["date_to"],
            estate_id=params.validated_data["estate"],
        )
        data = RepairStatsSerializer(stats.statistics(period)).data
        headers = {}
        if getattr(request.accepted_renderer, "format", None) == "xlsx":
            filename = f"{_('报修统计')}-{timezone.localdate():%Y%m%d}.xlsx"
            headers["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
        return Response(data, headers=headers)
