"""Staff API: departments, posts and shifts."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers, status, viewsets
from rest_framework.response import Response

from core.api_fields import HourMinuteField
from core.exports import ExcelExportMixin
from tenants.staff import selectors, services
from tenants.staff.api.common import READ_OR_MANAGE
from tenants.staff.models import Department, Post, Shift


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
    export_title = _("部门")  # type: ignore[assignment]  # core.exports types it str; rendered with str()
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
    export_title = _("岗位")
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
    export_title = _("班次")  # type: ignore[assignment]  # core.exports types it str; rendered with str()
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
