from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

import django_filters
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.roles import STAFF_ROLES, Role
from accounts.validators import PhoneField
from core.api_fields import BoundedDateField, HourMinuteField
from core.exports import ExcelExportMixin
from tenants.staff import selectors, services
from tenants.staff.models import AttendanceRecord, Department, Post, RosterEntry, Shift, StaffProfile
from tenants.staff.selectors import PerformanceFigures

VIEW, MANAGE, CLOCK = "staff.view", "staff.manage", "staff.clock"
READ_OR_MANAGE = {"GET": VIEW, "*": MANAGE}
STAFF_ROLE_CHOICES = [(r.value, r.label) for r in Role if r in STAFF_ROLES]
MONTH_PARAM = OpenApiParameter("month", OpenApiTypes.STR, description="YYYY-MM; this month when omitted")


def month_param(request) -> date:
    """?month=2026-11 → date(2026, 11, 1); this month when absent; a field error when malformed."""
    raw = (request.query_params.get("month") or "").strip()
    if not raw:
        return timezone.localdate().replace(day=1)
    match = re.fullmatch(r"(\d{4})-(\d{1,2})", raw)
    if match and 2000 <= int(match[1]) <= 2100 and 1 <= int(match[2]) <= 12:
        return date(int(match[1]), int(match[2]), 1)
    raise serializers.ValidationError({"month": [_("月份格式应为 YYYY-MM，例如 2026-11。")]})


# --- departments, posts, shifts ---------------------------------------------------------------


class DepartmentSerializer(serializers.ModelSerializer):
    # stubs: a serializer is a Field, and this field hides Field.parent
    parent = serializers.PrimaryKeyRelatedField(  # type: ignore[assignment]
        queryset=Department.objects.all(), allow_null=True, required=False, default=None
    )
    parent_name = serializers.CharField(source="parent.name", read_only=True, default=None, allow_null=True)
    staff_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Department
        fields = ["id", "name", "parent", "parent_name", "sort_order", "staff_count", "created_at"]
        read_only_fields = ["id", "created_at"]
        extra_kwargs: dict[str, dict[str, Any]] = {"name": {"validators": []}}
        validators: list = []  # uniqueness is the service's to check, with our own messages


class DepartmentViewSet(ExcelExportMixin, viewsets.ModelViewSet):
    """部门: the company's departments (a tree through `parent`)."""

    serializer_class: type[serializers.ModelSerializer[Any]] = DepartmentSerializer
    required_permission = READ_OR_MANAGE
    export_title = "部门"
    export_columns = [("name", _("名称")), ("parent_name", _("上级部门")), ("staff_count", _("在职人数"))]
    filterset_fields = ["parent"]
    search_fields = ["name"]
    ordering_fields = ["name", "sort_order", "created_at"]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    error_statuses = {"destroy": [409]}  # still in use

    def get_queryset(self):
        return selectors.departments_with_counts()

    def perform_create(self, serializer):
        serializer.instance = services.create_department(actor=self.request.user, **serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.update_department(
            department=serializer.instance, actor=self.request.user, **serializer.validated_data
        )

    def perform_destroy(self, instance):
        services.delete_department(department=instance, actor=self.request.user)

    def _reload(self, serializer):
        return selectors.departments_with_counts().get(pk=serializer.instance.pk)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        self.perform_create(serializer)
        return Response(self.get_serializer(self._reload(serializer)).data, status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        serializer = self.get_serializer(self.get_object(), data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        self.perform_update(serializer)
        return Response(self.get_serializer(self._reload(serializer)).data)


class PostSerializer(serializers.ModelSerializer):
    staff_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Post
        fields = ["id", "name", "description", "staff_count", "created_at"]
        read_only_fields = ["id", "created_at"]
        extra_kwargs: dict[str, dict[str, Any]] = {"name": {"validators": []}}
        validators: list = []  # uniqueness is the service's to check, with our own messages


class PostViewSet(DepartmentViewSet):
    """岗位: job posts."""

    serializer_class = PostSerializer
    export_title = "岗位"
    export_columns = [("name", _("名称")), ("description", _("说明")), ("staff_count", _("在职人数"))]
    filterset_fields: list[str] = []
    search_fields = ["name", "description"]
    ordering_fields = ["name", "created_at"]

    def get_queryset(self):
        return selectors.posts_with_counts()

    def perform_create(self, serializer):
        serializer.instance = services.create_post(actor=self.request.user, **serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.update_post(
            post=serializer.instance, actor=self.request.user, **serializer.validated_data
        )

    def perform_destroy(self, instance):
        services.delete_post(post=instance, actor=self.request.user)

    def _reload(self, serializer):
        return selectors.posts_with_counts().get(pk=serializer.instance.pk)


class ShiftSerializer(serializers.ModelSerializer):
    start_time = HourMinuteField()
    end_time = HourMinuteField()
    workdays = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=7), allow_empty=False, required=False
    )
    crosses_midnight = serializers.BooleanField(read_only=True)

    class Meta:
        model = Shift
        fields = [
            "id",
            "name",
            "start_time",
            "end_time",
            "late_grace_minutes",
            "early_leave_grace_minutes",
            "workdays",
            "crosses_midnight",
            "created_at",
        ]
        read_only_fields = ["id", "created_at"]
        validators: list = []
        extra_kwargs = {
            "name": {"validators": []},
            "late_grace_minutes": {"max_value": services.MAX_GRACE_MINUTES},
            "early_leave_grace_minutes": {"max_value": services.MAX_GRACE_MINUTES},
        }


class ShiftViewSet(ExcelExportMixin, viewsets.ModelViewSet):
    """班次: working hours and weekdays; late and early leave are judged against them."""

    serializer_class = ShiftSerializer
    required_permission = READ_OR_MANAGE
    error_statuses = {"destroy": [409]}  # still in use
    export_title = "班次"
    export_columns = [
        ("name", _("名称")),
        ("start_time", _("上班时间")),
        ("end_time", _("下班时间")),
        ("late_grace_minutes", _("迟到宽限（分钟）")),
        ("early_leave_grace_minutes", _("早退宽限（分钟）")),
        ("workdays", _("工作日")),
    ]
    search_fields = ["name"]
    ordering_fields = ["name", "start_time"]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self):
        return selectors.shifts()

    def perform_create(self, serializer):
        serializer.instance = services.create_shift(actor=self.request.user, **serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.update_shift(
            shift=serializer.instance, actor=self.request.user, **serializer.validated_data
        )

    def perform_destroy(self, instance):
        services.delete_shift(shift=instance, actor=self.request.user)


# --- profiles ---------------------------------------------------------------------------------


class ProfileSerializer(serializers.ModelSerializer):
    user_id = serializers.IntegerField(read_only=True)
    username = serializers.CharField(source="user.username", read_only=True)
    name = serializers.CharField(source="user.name", read_only=True)
    phone_masked = serializers.CharField(source="user.phone_masked", read_only=True)
    roles = serializers.ListField(source="user.roles", child=serializers.CharField(), read_only=True)
    account_active = serializers.BooleanField(source="user.is_active", read_only=True)
    department_name = serializers.CharField(source="department.name", read_only=True, default=None)
    post_name = serializers.CharField(source="post.name", read_only=True, default=None)
    shift_name = serializers.CharField(source="shift.name", read_only=True, default=None)

    class Meta:
        model = StaffProfile
        fields = [
            "id",
            "user_id",
            "username",
            "name",
            "phone_masked",
            "roles",
            "account_active",
            "employee_no",
            "department",
            "department_name",
            "post",
            "post_name",
            "shift",
            "shift_name",
            "hire_date",
            "on_duty",
            "active",
            "created_at",
        ]
        read_only_fields = fields


def _related(model, **kwargs):
    return serializers.PrimaryKeyRelatedField(
        queryset=model.objects.all(), allow_null=True, required=False, default=None, **kwargs
    )


class ProfileCreateSerializer(serializers.Serializer):
    """Either `user_id` of an existing staff account, or the new account's fields."""

    user_id = serializers.IntegerField(required=False, allow_null=True)
    username = serializers.CharField(max_length=60, required=False)
    name = serializers.CharField(max_length=50, required=False)
    roles = serializers.ListField(child=serializers.ChoiceField(choices=STAFF_ROLE_CHOICES), required=False)
    password = serializers.CharField(max_length=128, required=False, trim_whitespace=False, write_only=True)
    phone = PhoneField(required=False, allow_blank=True)
    email = serializers.EmailField(required=False, allow_blank=True)
    employee_no = serializers.CharField(max_length=20)
    department = _related(Department)
    post = _related(Post)
    shift = _related(Shift)
    hire_date = BoundedDateField(required=False, allow_null=True, default=None)

    ACCOUNT_FIELDS = ("username", "name", "roles", "password", "phone", "email")

    def validate(self, data):
        account = [f for f in self.ACCOUNT_FIELDS if data.get(f)]
        if data.get("user_id"):
            if account:
                raise serializers.ValidationError({account[0]: [_("选择已有账号时不能再填写新账号信息。")]})
            user = selectors.staff_without_profile().filter(pk=data["user_id"]).first()
            if user is None:
                raise serializers.ValidationError({"user_id": [_("账号不存在，或已有员工档案。")]})
            data["user"] = user
        else:
            missing = {f: [_("请填写此项。")] for f in ("username", "name", "roles") if not data.get(f)}
            if missing:
                raise serializers.ValidationError(missing)
        return data


class ProfileUpdateSerializer(serializers.Serializer):
    employee_no = serializers.CharField(max_length=20, required=False)
    department = _related(Department)
    post = _related(Post)
    shift = _related(Shift)
    hire_date = BoundedDateField(required=False, allow_null=True)
    active = serializers.BooleanField(required=False)
    name = serializers.CharField(max_length=50, required=False)
    phone = PhoneField(required=False, allow_blank=True)


class DutySerializer(serializers.Serializer):
    on_duty = serializers.BooleanField()


class ProfileFilter(django_filters.FilterSet):
    department = django_filters.NumberFilter(method="filter_department", label=_("部门（含下级）"))

    class Meta:
        model = StaffProfile
        fields = ["post", "shift", "on_duty", "active"]

    def filter_department(self, queryset, name, value):
        return queryset.filter(department_id__in=selectors.department_and_descendants(int(value)))


class CandidateSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    name = serializers.CharField()
    roles = serializers.ListField(child=serializers.CharField())


class StaffProfileViewSet(
    ExcelExportMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """员工档案: staff profiles linked one-to-one to staff accounts. Leaving is `active: false`."""

    serializer_class = ProfileSerializer
    required_permission = READ_OR_MANAGE
    error_statuses = {"duty": [409]}  # a member who has left cannot be on duty
    export_title = "员工档案"
    export_columns = [
        ("employee_no", _("工号")),
        ("name", _("姓名")),
        ("username", _("用户名")),
        ("phone_masked", _("手机号")),
        ("department_name", _("部门")),
        ("post_name", _("岗位")),
        ("shift_name", _("班次")),
        ("roles", _("角色")),
        ("hire_date", _("入职日期")),
        ("on_duty", _("在岗")),
        ("active", _("在职")),
    ]
    export_labels = {"roles": dict(Role.choices)}
    filterset_class = ProfileFilter
    search_fields = ["user__name", "user__username", "employee_no"]
    ordering_fields = ["employee_no", "user__name", "hire_date", "created_at"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return selectors.profiles()

    def _reply(self, profile, code=status.HTTP_200_OK):
        return Response(ProfileSerializer(selectors.profiles().get(pk=profile.pk)).data, status=code)

    @extend_schema(request=ProfileCreateSerializer, responses={201: ProfileSerializer})
    def create(self, request, *args, **kwargs):
        form = ProfileCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = dict(form.validated_data)
        profile_fields = {k: data[k] for k in ("employee_no", "department", "post", "shift", "hire_date")}
        if data.get("user"):
            profile = services.create_profile(user=data["user"], actor=request.user, **profile_fields)
        else:
            account = {k: data[k] for k in ProfileCreateSerializer.ACCOUNT_FIELDS if k in data}
            profile = services.create_staff_member(actor=request.user, **account, **profile_fields)
        return self._reply(profile, status.HTTP_201_CREATED)

    @extend_schema(request=ProfileUpdateSerializer, responses=ProfileSerializer)
    def partial_update(self, request, *args, **kwargs):
        profile = self.get_object()
        form = ProfileUpdateSerializer(data=request.data, partial=True)
        form.is_valid(raise_exception=True)
        profile = services.update_profile(profile=profile, actor=request.user, **form.validated_data)
        return self._reply(profile)

    def update(self, request, *args, **kwargs):
        return self.partial_update(request, *args, **kwargs)

    @extend_schema(request=DutySerializer, responses=ProfileSerializer)
    @action(detail=True, methods=["post"])
    def duty(self, request, pk=None):
        """在岗/离岗: put a staff member on or off duty."""
        profile = self.get_object()
        form = DutySerializer(data=request.data)
        form.is_valid(raise_exception=True)
        profile = services.set_on_duty(profile=profile, on_duty=form.validated_data["on_duty"], actor=request.user)
        return self._reply(profile)

    @extend_schema(responses=CandidateSerializer(many=True))
    @action(detail=False, methods=["get"], pagination_class=None, filter_backends=[])
    def candidates(self, request):
        """Active staff accounts without a profile yet (at most 500), for the create form."""
        users = selectors.staff_without_profile()[:500]
        return Response(CandidateSerializer(users, many=True).data)


# --- attendance -------------------------------------------------------------------------------


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
    export_title = "考勤记录"
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
    export_title = "我的考勤"
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


# --- monthly sheet and performance ------------------------------------------------------------


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
    export_title = "考勤月报"
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
    export_title = "员工绩效"
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


# --- roster -----------------------------------------------------------------------------------


class RosterSerializer(serializers.ModelSerializer):
    staff = serializers.PrimaryKeyRelatedField(queryset=StaffProfile.objects.all())
    shift = serializers.PrimaryKeyRelatedField(queryset=Shift.objects.all(), allow_null=True)
    name = serializers.CharField(source="staff.user.name", read_only=True)
    shift_name = serializers.CharField(source="shift.name", read_only=True, default=None)

    class Meta:
        model = RosterEntry
        fields = ["id", "staff", "name", "date", "shift", "shift_name"]
        read_only_fields = ["id"]
        validators: list = []


class RosterFilter(django_filters.FilterSet):
    date_from = django_filters.DateFilter(field_name="date", lookup_expr="gte")
    date_to = django_filters.DateFilter(field_name="date", lookup_expr="lte")

    class Meta:
        model = RosterEntry
        fields = ["staff", "date"]


class RosterViewSet(mixins.ListModelMixin, mixins.CreateModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet):
    """排班: per-date overrides of staff members' default shifts. POST replaces that date's entry;
    `shift: null` makes the date a day off."""

    serializer_class = RosterSerializer
    required_permission = READ_OR_MANAGE
    filterset_class = RosterFilter
    ordering_fields = ["date"]

    def get_queryset(self):
        return selectors.roster_entries()

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = services.set_roster_day(
            staff=data["staff"], day=data["date"], shift=data["shift"], actor=self.request.user
        )

    def perform_destroy(self, instance):
        services.clear_roster_day(entry=instance, actor=self.request.user)
