"""Staff API: staff profiles, their duty and the candidates for one."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.roles import Role
from accounts.validators import PhoneField
from core.api_fields import BoundedDateField
from core.exports import ExcelExportMixin
from tenants.staff import selectors, services
from tenants.staff.api.common import READ_OR_MANAGE, STAFF_ROLE_CHOICES
from tenants.staff.models import Department, Post, Shift, StaffProfile


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
    export_title = _("员工档案")  # type: ignore[assignment]  # core.exports types it str; rendered with str()
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
