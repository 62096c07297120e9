"""Staff API: attendance records, today's card, clocking in and out, one's own duty."""

from __future__ import annotations

from datetime import date

import django_filters
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api_fields import BoundedDateField, HourMinuteField
from core.exports import ExcelExportMixin
from tenants.staff import selectors, services
from tenants.staff.api.common import CLOCK, MONTH_PARAM, VIEW, month_param
from tenants.staff.api.profiles import DutySerializer
from tenants.staff.models import AttendanceRecord, Shift, StaffProfile


class AttendanceRecordSerializer(serializers.ModelSerializer):
    employee_no = serializers.CharField(source="staff.employee_no", read_only=True)
    name = serializers.CharField(source="staff.user.name", read_only=True)
    department_name = serializers.CharField(source="staff.department.name", read_only=True, default=None)
    shift_name = serializers.CharField(source="shift.name", read_only=True, default=None)
    missing_clock_in = serializers.BooleanField(read_only=True)
    missing_clock_out = serializers.SerializerMethodField()

    class Meta:
        model = AttendanceRecord
        fields = [
            "id",
            "staff",
            "employee_no",
            "name",
            "department_name",
            "work_date",
            "shift",
            "shift_name",
            "clock_in_at",
            "clock_in_latitude",
            "clock_in_longitude",
            "clock_in_accuracy",
            "clock_in_ip",
            "clock_out_at",
            "clock_out_latitude",
            "clock_out_longitude",
            "clock_out_accuracy",
            "clock_out_ip",
            "late_minutes",
            "early_leave_minutes",
            "missing_clock_in",
            "missing_clock_out",
        ]
        read_only_fields = fields

    def get_missing_clock_out(self, record) -> bool:
        return record.clock_in_at is not None and record.clock_out_at is None and record.work_date < _today(self)


def _today(serializer) -> date:
    today = serializer.context.get("today")
    if today is None:
        today = serializer.context["today"] = timezone.localdate()
    return today


class AttendanceFilter(django_filters.FilterSet):
    date_from = django_filters.DateFilter(field_name="work_date", lookup_expr="gte", label=_("起始日期"))
    date_to = django_filters.DateFilter(field_name="work_date", lookup_expr="lte", label=_("截止日期"))
    department = django_filters.NumberFilter(method="filter_department", label=_("部门（含下级）"))
    late = django_filters.BooleanFilter(method="filter_late", label=_("迟到"))
    early_leave = django_filters.BooleanFilter(method="filter_early", label=_("早退"))
    missing_clock_in = django_filters.BooleanFilter(field_name="clock_in_at", lookup_expr="isnull", label=_("缺上班卡"))

    class Meta:
        model = AttendanceRecord
        fields = ["staff", "work_date"]

    def filter_department(self, queryset, name, value):
        return queryset.filter(staff__department_id__in=selectors.department_and_descendants(int(value)))

    def filter_late(self, queryset, name, value):
        return queryset.filter(late_minutes__gt=0) if value else queryset.filter(late_minutes=0)

    def filter_early(self, queryset, name, value):
        return queryset.filter(early_leave_minutes__gt=0) if value else queryset.filter(early_leave_minutes=0)


ATTENDANCE_EXPORT_COLUMNS = [
    ("work_date", _("日期")),
    ("employee_no", _("工号")),
    ("name", _("姓名")),
    ("department_name", _("部门")),
    ("shift_name", _("班次")),
    ("clock_in_at", _("上班打卡")),
    ("clock_out_at", _("下班打卡")),
    ("late_minutes", _("迟到（分钟）")),
    ("early_leave_minutes", _("早退（分钟）")),
    ("missing_clock_in", _("缺上班卡")),
    ("missing_clock_out", _("缺下班卡")),
    ("clock_in_latitude", _("上班纬度")),
    ("clock_in_longitude", _("上班经度")),
    ("clock_in_ip", _("上班 IP")),
    ("clock_out_latitude", _("下班纬度")),
    ("clock_out_longitude", _("下班经度")),
    ("clock_out_ip", _("下班 IP")),
]


class AttendanceRecordList(ExcelExportMixin, generics.ListAPIView):
    """考勤记录 of every staff member (managers)."""

    serializer_class = AttendanceRecordSerializer
    required_permission = VIEW
    export_title = _("考勤记录")  # type: ignore[assignment]  # core.exports types it str; rendered with str()
    export_columns = ATTENDANCE_EXPORT_COLUMNS
    filterset_class = AttendanceFilter
    search_fields = ["staff__user__name", "staff__employee_no"]
    ordering_fields = ["work_date", "clock_in_at", "clock_out_at", "late_minutes"]

    def get_queryset(self):
        return selectors.attendance_records()


class MyAttendanceList(ExcelExportMixin, generics.ListAPIView):
    """The signed-in staff member's own records of a month (?month=YYYY-MM)."""

    serializer_class = AttendanceRecordSerializer
    required_permission = CLOCK
    export_title = _("我的考勤")  # type: ignore[assignment]  # core.exports types it str; rendered with str()
    export_columns = ATTENDANCE_EXPORT_COLUMNS
    pagination_class = None
    filter_backends: list = []

    @extend_schema(parameters=[MONTH_PARAM])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        first, last = selectors.month_bounds(month_param(self.request))
        return selectors.attendance_of(self.request.user).filter(work_date__range=(first, last))


class ClockSerializer(serializers.Serializer):
    """Where the phone says it is (optional). The time is always the server's."""

    latitude = serializers.DecimalField(max_digits=30, decimal_places=20, required=False, allow_null=True)
    longitude = serializers.DecimalField(max_digits=30, decimal_places=20, required=False, allow_null=True)
    accuracy = serializers.DecimalField(max_digits=30, decimal_places=20, required=False, allow_null=True)


class TodayShiftSerializer(serializers.ModelSerializer):
    start_time = HourMinuteField()
    end_time = HourMinuteField()

    class Meta:
        model = Shift
        fields = ["id", "name", "start_time", "end_time", "crosses_midnight"]


class TodayRecordSerializer(serializers.ModelSerializer):
    class Meta:
        model = AttendanceRecord
        fields = [
            "id",
            "work_date",
            "clock_in_at",
            "clock_out_at",
            "late_minutes",
            "early_leave_minutes",
            "missing_clock_in",
        ]


class TodayProfileSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="user.name")
    department_name = serializers.CharField(source="department.name", default=None)
    post_name = serializers.CharField(source="post.name", default=None)

    class Meta:
        model = StaffProfile
        fields = ["id", "employee_no", "name", "department_name", "post_name", "on_duty", "active"]


class TodaySerializer(serializers.Serializer):
    date = BoundedDateField(source="day")
    server_time = serializers.SerializerMethodField()
    profile = TodayProfileSerializer(allow_null=True)
    shift = TodayShiftSerializer(allow_null=True)
    record = TodayRecordSerializer(allow_null=True)
    can_clock_in = serializers.SerializerMethodField()
    can_clock_out = serializers.SerializerMethodField()

    def get_server_time(self, status) -> str:
        return timezone.now().isoformat()

    def get_can_clock_in(self, status) -> bool:
        return bool(status.profile and status.profile.active and status.record is None)

    def get_can_clock_out(self, status) -> bool:
        return bool(
            status.profile and status.profile.active and (status.record is None or status.record.clock_out_at is None)
        )


def _today_response(request, code=status.HTTP_200_OK) -> Response:
    state = selectors.today_status(user=request.user, today=timezone.localdate())
    return Response(TodaySerializer(state).data, status=code)


class TodayView(APIView):
    """The phone clock page: today's shift and record of the signed-in staff member."""

    required_permission = CLOCK

    @extend_schema(responses=TodaySerializer)
    def get(self, request):
        return _today_response(request)


class ClockInView(APIView):
    """上班打卡 at the server's time. A second clock-in the same day is a 409."""

    required_permission = CLOCK
    error_statuses = {"post": [409]}  # no staff profile, already clocked

    @extend_schema(request=ClockSerializer, responses={201: TodaySerializer})
    def post(self, request):
        form = ClockSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        services.clock_in(user=request.user, **form.validated_data)
        return _today_response(request, status.HTTP_201_CREATED)


class ClockOutView(APIView):
    """下班打卡 at the server's time; without a clock-in it is kept and flagged."""

    required_permission = CLOCK
    error_statuses = {"post": [409]}  # no staff profile, already clocked

    @extend_schema(request=ClockSerializer, responses={201: TodaySerializer})
    def post(self, request):
        form = ClockSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        services.clock_out(user=request.user, **form.validated_data)
        return _today_response(request, status.HTTP_201_CREATED)


class MyDutyView(APIView):
    """在岗/离岗 of the signed-in staff member (e.g. a short absence during a shift)."""

    required_permission = CLOCK
    error_statuses = {"post": [409]}  # no staff profile, already clocked

    @extend_schema(request=DutySerializer, responses=TodaySerializer)
    def post(self, request):
        form = DutySerializer(data=request.data)
        form.is_valid(raise_exception=True)
        services.set_own_duty(user=request.user, on_duty=form.validated_data["on_duty"])
        return _today_response(request)
