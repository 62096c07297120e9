"""Staff API: the monthly attendance sheet and performance."""

from __future__ import annotations

from dataclasses import dataclass

import django_filters
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers

from core.exports import ExcelExportMixin
from tenants.staff import selectors
from tenants.staff.api.common import MONTH_PARAM, VIEW, month_param
from tenants.staff.models import StaffProfile
from tenants.staff.selectors import PerformanceFigures


class SheetProfileFilter(django_filters.FilterSet):
    department = django_filters.NumberFilter(method="filter_department", label=_("部门（含下级）"))
    active = django_filters.BooleanFilter(label=_("在职"))

    class Meta:
        model = StaffProfile
        fields = ["post", "shift"]

    def filter_department(self, queryset, name, value):
        return queryset.filter(department_id__in=selectors.department_and_descendants(int(value)))


class _PerStaffMonthView(ExcelExportMixin, generics.ListAPIView):
    """A row per staff profile (active ones unless ?active=false) for ?month=YYYY-MM."""

    required_permission = VIEW
    filterset_class = SheetProfileFilter
    search_fields = ["user__name", "employee_no"]
    ordering_fields = ["employee_no", "user__name"]

    def get_queryset(self):
        queryset = selectors.profiles()
        if "active" not in self.request.query_params:
            queryset = queryset.filter(active=True)
        return queryset

    @extend_schema(parameters=[MONTH_PARAM])
    def get(self, request, *args, **kwargs):
        self.month = month_param(request)
        return super().get(request, *args, **kwargs)

    def rows_for(self, profiles: list[StaffProfile]) -> list:
        raise NotImplementedError

    def get_serializer(self, *args, **kwargs):
        if kwargs.get("many") and args:
            args = (self.rows_for(list(args[0])), *args[1:])
        return super().get_serializer(*args, **kwargs)


class _ProfileColumns(serializers.Serializer):
    staff = serializers.IntegerField(source="profile.pk")
    employee_no = serializers.CharField(source="profile.employee_no")
    name = serializers.CharField(source="profile.user.name")
    department_name = serializers.CharField(source="profile.department.name", default=None)
    post_name = serializers.CharField(source="profile.post.name", default=None)


class SheetRowSerializer(_ProfileColumns):
    shift_name = serializers.CharField(source="profile.shift.name", default=None)
    working_days = serializers.IntegerField()
    days_worked = serializers.IntegerField()
    late_count = serializers.IntegerField()
    late_minutes = serializers.IntegerField()
    early_leave_count = serializers.IntegerField()
    absent_count = serializers.IntegerField()
    missing_clock_in_count = serializers.IntegerField()
    missing_clock_out_count = serializers.IntegerField()


class AttendanceSheetView(_PerStaffMonthView):
    """考勤月报: per staff for a month — working days, days worked, late, early leave, absent,
    missing clock-in/out. Absent counts working days before today only."""

    serializer_class = SheetRowSerializer
    export_title = _("考勤月报")  # type: ignore[assignment]  # core.exports types it str; rendered with str()
    export_columns = [
        ("employee_no", _("工号")),
        ("name", _("姓名")),
        ("department_name", _("部门")),
        ("post_name", _("岗位")),
        ("shift_name", _("班次")),
        ("working_days", _("应出勤（天）")),
        ("days_worked", _("出勤（天）")),
        ("late_count", _("迟到（次）")),
        ("late_minutes", _("迟到（分钟）")),
        ("early_leave_count", _("早退（次）")),
        ("absent_count", _("缺勤（天）")),
        ("missing_clock_in_count", _("缺上班卡（次）")),
        ("missing_clock_out_count", _("缺下班卡（次）")),
    ]

    def rows_for(self, profiles):
        sheet = selectors.monthly_sheet(profiles=profiles, month=self.month, today=timezone.localdate())
        return [sheet[p.pk] for p in profiles]


@dataclass
class _PerformanceRow:
    profile: StaffProfile
    figures: PerformanceFigures


class PerformanceRowSerializer(_ProfileColumns):
    work_orders_done = serializers.IntegerField(source="figures.work_orders_done")
    rating_count = serializers.IntegerField(source="figures.rating_count")
    average_rating = serializers.DecimalField(
        source="figures.average_rating", max_digits=4, decimal_places=2, allow_null=True
    )
    sla_met = serializers.IntegerField(source="figures.sla_met")
    sla_total = serializers.IntegerField(source="figures.sla_total")
    sla_met_percent = serializers.DecimalField(
        source="figures.sla_met_percent", max_digits=4, decimal_places=1, allow_null=True
    )


class PerformanceView(_PerStaffMonthView):
    """绩效: per staff for a month — work orders done, ratings, SLA met — from every source module."""

    serializer_class = PerformanceRowSerializer
    export_title = _("员工绩效")  # type: ignore[assignment]  # core.exports types it str; rendered with str()
    export_columns = [
        ("employee_no", _("工号")),
        ("name", _("姓名")),
        ("department_name", _("部门")),
        ("post_name", _("岗位")),
        ("work_orders_done", _("完成工单")),
        ("rating_count", _("评价数")),
        ("average_rating", _("平均评分")),
        ("sla_met", _("按时完成")),
        ("sla_total", _("有时限工单")),
        ("sla_met_percent", _("按时率（%）")),
    ]

    def rows_for(self, profiles):
        figures = selectors.performance_summary(profiles=profiles, month=self.month)
        return [_PerformanceRow(profile=p, figures=figures[p.pk]) for p in profiles]
