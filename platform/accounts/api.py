from __future__ import annotations

import django_filters
from django.conf import settings
from django.contrib.auth import login, logout, update_session_auth_hash
from django.middleware.csrf import get_token
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import generics, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import owner_login, password_codes, passwords, selectors, services
from accounts.authentication import CsrfSessionAuthentication
from accounts.models import AccessToken, AuditEvent, User
from accounts.permissions import AUTHENTICATED, PUBLIC
from accounts.roles import MODULES, Role
from accounts.validators import PhoneField
from core.api_views import PublicThrottledView
from core.client_ip import client_ip
from core.exports import ExcelExportMixin


class MeSerializer(serializers.ModelSerializer):
    permissions = serializers.SerializerMethodField()
    # the web admin's modules this user sees (an enum in the document: the admin has a page for each)
    modules = serializers.ListField(child=serializers.ChoiceField(choices=list(MODULES)), read_only=True)

    class Meta:
        model = User
        fields = ["id", "username", "name", "phone_masked", "roles", "permissions", "modules", "must_change_password"]

    def get_permissions(self, user: User) -> list[str]:
        return sorted(user.permissions)


class TokenResponseSerializer(serializers.Serializer):
    token = serializers.CharField()
    expires_at = serializers.DateTimeField()
    user = MeSerializer()


def _token_response(raw: str, token: AccessToken) -> Response:
    return Response({"token": raw, "expires_at": token.expires_at, "user": MeSerializer(token.user).data})


class CsrfView(APIView):
    """Sets the csrftoken cookie; the web admin calls it once before its first unsafe request."""

    required_permission = PUBLIC
    authentication_classes: list = []

    @extend_schema(responses=inline_serializer("Csrf", {"csrf_token": serializers.CharField()}))
    def get(self, request):
        return Response({"csrf_token": get_token(request)})


class LoginSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=60)
    password = serializers.CharField(max_length=128, trim_whitespace=False)


class LoginView(PublicThrottledView):
    """Web admin login: a session cookie (CSRF-protected), with throttling and growing delays."""

    throttle_scope = "login"
    error_statuses = {"post": [401, 403]}  # wrong password; no CSRF token

    @extend_schema(request=LoginSerializer, responses=MeSerializer)
    def post(self, request):
        # Login CSRF: a forged form must not sign the victim in to the attacker's account.
        CsrfSessionAuthentication().enforce_csrf(request)
        form = LoginSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        user = services.authenticate_password(**form.validated_data, ip=client_ip(request))
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        return Response(MeSerializer(user).data)


class LogoutView(APIView):
    required_permission = AUTHENTICATED
    allowed_while_password_change_required = True

    @extend_schema(request=None, responses={204: None})
    def post(self, request):
        if isinstance(request.auth, AccessToken):
            services.revoke_token(token=request.auth)
        logout(request)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeView(generics.RetrieveAPIView):
    serializer_class = MeSerializer
    required_permission = AUTHENTICATED
    allowed_while_password_change_required = True

    def get_object(self):
        return self.request.user


class SessionSerializer(serializers.Serializer):
    authenticated = serializers.BooleanField()


class SessionView(APIView):
    """Whether the caller is signed in, and nothing else: the web admin asks it before `me`, so an
    anonymous visit (the login page) gets a plain answer instead of a 401 in the browser's console.
    `me` still answers who the user is, under its own permission."""

    required_permission = PUBLIC
    # A user who must change their password is signed in: the web admin then asks `me` and sends them
    # to 修改密码 (refused here, the store would take them for signed out and loop on the login page).
    allowed_while_password_change_required = True
    error_statuses = {"get": [403]}  # as every authenticated operation: a refused session or token

    @extend_schema(responses=SessionSerializer)
    def get(self, request):
        user = request.user
        signed_in = bool(user and user.is_authenticated and user.is_active)
        return Response({"authenticated": signed_in})


class WeChatLoginSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=128)


class WeChatLoginView(PublicThrottledView):
    """Mini-program login: wx.login() code -> code2session -> a bearer token for this company."""

    throttle_scope = "login"
    error_statuses = {"post": [403, 503]}  # account disabled; WeChat not configured or unavailable

    @extend_schema(request=WeChatLoginSerializer, responses=TokenResponseSerializer)
    def post(self, request):
        form = WeChatLoginSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        company = request.tenant
        raw, token = owner_login.login_with_wechat(
            appid=company.wechat_appid, secret=company.wechat_secret or "", code=form.validated_data["code"]
        )
        return _token_response(raw, token)


class UserSerializer(serializers.ModelSerializer):
    roles = serializers.ListField(child=serializers.ChoiceField(choices=Role.choices), allow_empty=False)
    phone = PhoneField(write_only=True, required=False, allow_blank=True)
    password = serializers.CharField(
        write_only=True,
        required=False,
        allow_blank=True,
        trim_whitespace=False,
        help_text="Left blank: the new staff member is sent an invitation to set their own password.",
    )
    has_password = serializers.BooleanField(source="has_usable_password", read_only=True)

    class Meta:
        model = User
        fields = [
            "id",
            "username",
            "name",
            "email",
            "phone",
            "phone_masked",
            "roles",
            "is_active",
            "last_login",
            "date_joined",
            "password",
            "has_password",
            "must_change_password",
        ]
        read_only_fields = ["id", "phone_masked", "last_login", "date_joined", "must_change_password"]
        extra_kwargs: dict[str, dict[str, object]] = {"username": {"validators": []}}


class AdminResetSerializer(serializers.Serializer):
    mode = serializers.ChoiceField(
        choices=password_codes.RESET_MODES,
        help_text="temporary: a password shown once, to be changed at the next sign-in; invite: a link to set one.",
    )


class AdminResetResultSerializer(serializers.Serializer):
    mode = serializers.CharField()
    temporary_password = serializers.CharField(allow_null=True, help_text="Shown once (mode temporary).")


class InvitationSentSerializer(serializers.Serializer):
    channel = serializers.ChoiceField(choices=password_codes.CHANNELS)
    expires_at = serializers.DateTimeField()


class UserFilter(django_filters.FilterSet):
    role = django_filters.ChoiceFilter(choices=Role.choices, method="filter_role", label=_("角色"))

    class Meta:
        model = User
        fields = ["is_active"]

    def filter_role(self, queryset, name, value):
        return queryset.filter(roles__contains=[value])


class UserViewSet(
    ExcelExportMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Staff accounts of this company, managed by its admin."""

    serializer_class = UserSerializer
    required_permission = "users.manage"
    export_title = _("员工账号")  # type: ignore[assignment]  # core.exports types it str; rendered with str()
    export_columns = [
        ("username", _("用户名")),
        ("name", _("姓名")),
        ("phone_masked", _("手机号")),
        ("roles", _("角色")),
        ("is_active", _("启用")),
        ("last_login", _("最近登录")),
    ]
    export_labels = {"roles": dict(Role.choices)}
    filterset_class = UserFilter
    search_fields = ["username", "name"]
    ordering_fields = ["username", "name", "last_login", "date_joined"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return selectors.staff_users()

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        data.pop("is_active", None)
        serializer.instance = services.create_user(actor=self.request.user, **data)

    @extend_schema(request=AdminResetSerializer, responses=AdminResetResultSerializer)
    @action(detail=True, methods=["post"], url_path="reset-password")
    def reset_password(self, request, pk=None):
        """Reset a staff member's password: a temporary one, shown here once (they must change it
        at their next sign-in), or an invitation to their phone or email. Their sign-ins end."""
        form = AdminResetSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        mode = form.validated_data["mode"]
        temporary = passwords.admin_reset(user=self.get_object(), actor=request.user, mode=mode)
        return Response({"mode": mode, "temporary_password": temporary})

    @extend_schema(request=None, responses=InvitationSentSerializer)
    @action(detail=True, methods=["post"])
    def invite(self, request, pk=None):
        """(Re)send the invitation to set a password (a link valid 72 hours, single use)."""
        row = passwords.invite(user=self.get_object(), actor=request.user)
        return Response({"channel": row.channel, "expires_at": row.expires_at})

    def perform_update(self, serializer):
        changes = dict(serializer.validated_data)
        if "password" in changes or "username" in changes:
            raise serializers.ValidationError(
                {k: [_("不可在此修改。")] for k in ("password", "username") if k in changes}
            )
        serializer.instance = services.update_user(user=serializer.instance, actor=self.request.user, **changes)


class OwnerAccountSerializer(serializers.ModelSerializer):
    login_via = serializers.SerializerMethodField(help_text="How the owner signs in: wechat or sms.")

    class Meta:
        model = User
        fields = ["id", "name", "phone_masked", "login_via", "is_active", "last_login", "date_joined"]
        read_only_fields = fields

    def get_login_via(self, user: User) -> str:
        return "wechat" if user.wechat_openid else "sms"


class OwnerAccountViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Owners' mini-program / H5 accounts: staff can shut one out (every token revoked at once) and
    let it back in. Staff accounts are not here (users.manage)."""

    serializer_class = OwnerAccountSerializer
    required_permission = "owners.manage"
    filterset_fields = ["is_active"]
    ordering_fields = ["date_joined", "last_login"]

    def get_queryset(self):
        return selectors.owner_accounts()

    @extend_schema(request=None, responses=OwnerAccountSerializer)
    @action(detail=True, methods=["post"])
    def disable(self, request, pk=None):
        user = services.disable_owner_account(user=self.get_object(), actor=request.user)
        return Response(self.get_serializer(user).data)

    @extend_schema(request=None, responses=OwnerAccountSerializer)
    @action(detail=True, methods=["post"])
    def enable(self, request, pk=None):
        user = services.enable_owner_account(user=self.get_object(), actor=request.user)
        return Response(self.get_serializer(user).data)


class AuditEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = AuditEvent
        fields = [
            "id",
            "at",
            "actor_label",
            "action",
            "object_type",
            "object_id",
            "before",
            "after",
            "ip",
            "request_id",
        ]


class AuditEventList(ExcelExportMixin, generics.ListAPIView):
    """The company's audit trail (admins)."""

    serializer_class = AuditEventSerializer
    required_permission = "audit.view"
    export_title = _("操作日志")  # type: ignore[assignment]  # core.exports types it str; rendered with str()
    export_columns = [
        ("at", _("时间")),
        ("actor_label", _("操作人")),
        ("action", _("操作")),
        ("object_type", _("对象类型")),
        ("object_id", _("对象")),
        ("ip", _("IP")),
    ]
    filterset_fields = ["action", "object_type", "object_id"]
    ordering_fields = ["at"]

    def get_queryset(self):
        return selectors.audit_events()


class SmsSendSerializer(serializers.Serializer):
    phone = PhoneField()


class SmsSentSerializer(serializers.Serializer):
    sent = serializers.BooleanField()
    debug_code = serializers.CharField(required=False, help_text="Only in the demo (WUYE_DEMO).")


class SmsSendView(PublicThrottledView):
    """H5 owner login, step 1: text a login code to the phone."""

    throttle_scope = "sms"
    error_statuses = {"post": [503]}  # the SMS provider is unavailable

    @extend_schema(request=SmsSendSerializer, responses=SmsSentSerializer)
    def post(self, request):
        form = SmsSendSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        code = owner_login.send_login_code(phone=form.validated_data["phone"])
        body = {"sent": True}
        if settings.DEMO:  # never outside the demo: knowing a phone number must not give its account
            body["debug_code"] = code
        return Response(body)


class SmsLoginSerializer(serializers.Serializer):
    phone = PhoneField()
    code = serializers.RegexField(r"^\d{6}$", error_messages={"invalid": _("验证码为 6 位数字。")})


class SmsLoginView(PublicThrottledView):
    """H5 owner login, step 2: phone + texted code -> a bearer token for this company."""

    throttle_scope = "login"
    error_statuses = {"post": [403]}  # account disabled

    @extend_schema(request=SmsLoginSerializer, responses=TokenResponseSerializer)
    def post(self, request):
        form = SmsLoginSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        raw, token = owner_login.login_with_sms(**form.validated_data)
        return _token_response(raw, token)


# --- passwords: forgotten, changed, set from an invitation ---------------------------------------


class ForgotPasswordSerializer(serializers.Serializer):
    login = serializers.CharField(max_length=150, help_text="Username, phone or email of the account.")
    channel = serializers.ChoiceField(choices=password_codes.CHANNELS, required=False)


class SentSerializer(serializers.Serializer):
    sent = serializers.BooleanField()


class ForgotPasswordView(PublicThrottledView):
    """忘记密码, step 1: a 6-digit code to the account's own phone or email. The answer is the same
    whether or not such an account exists."""

    throttle_scope = "sms"

    @extend_schema(request=ForgotPasswordSerializer, responses=SentSerializer)
    def post(self, request):
        form = ForgotPasswordSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        passwords.request_reset_code(**form.validated_data, ip=client_ip(request))
        return Response({"sent": True})


class ResetPasswordSerializer(serializers.Serializer):
    login = serializers.CharField(max_length=150)
    code = serializers.RegexField(r"^\d{6}$", error_messages={"invalid": _("验证码为 6 位数字。")})
    new_password = serializers.CharField(max_length=128, trim_whitespace=False)


class PasswordSetSerializer(serializers.Serializer):
    username = serializers.CharField()


class ResetPasswordView(PublicThrottledView):
    """忘记密码, step 2: the code and a new password. Every sign-in of the account ends."""

    throttle_scope = "login"

    @extend_schema(request=ResetPasswordSerializer, responses=PasswordSetSerializer)
    def post(self, request):
        form = ResetPasswordSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        user = passwords.reset_with_code(**form.validated_data, ip=client_ip(request))
        return Response({"username": user.username})


class AcceptInvitationSerializer(serializers.Serializer):
    token = serializers.CharField(max_length=100)
    new_password = serializers.CharField(max_length=128, trim_whitespace=False)


class AcceptInvitationView(PublicThrottledView):
    """An invited staff member sets their password with the link's token (single use, 72 hours)."""

    throttle_scope = "login"

    @extend_schema(request=AcceptInvitationSerializer, responses=PasswordSetSerializer)
    def post(self, request):
        form = AcceptInvitationSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        user = passwords.accept_invitation(**form.validated_data)
        return Response({"username": user.username})


class ChangePasswordSerializer(serializers.Serializer):
    current_password = serializers.CharField(max_length=128, trim_whitespace=False)
    new_password = serializers.CharField(max_length=128, trim_whitespace=False)


class ChangePasswordView(APIView):
    """修改密码: the current password, then a new one; every other sign-in of the user ends (this
    session, or this token, stays signed in)."""

    required_permission = AUTHENTICATED
    allowed_while_password_change_required = True
    error_statuses = {"post": [429]}

    @extend_schema(request=ChangePasswordSerializer, responses=MeSerializer)
    def post(self, request):
        form = ChangePasswordSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        token = request.auth if isinstance(request.auth, AccessToken) else None
        user = passwords.change_password(
            user=request.user,
            current_password=form.validated_data["current_password"],
            new_password=form.validated_data["new_password"],
            ip=client_ip(request),
            keep_token=token,
        )
        if token is None:
            update_session_auth_hash(request, user)  # this session lives on with the new hash
        return Response(MeSerializer(user).data)
