from __future__ import annotations

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from accounts.roles import Role, modules_for, permissions_for
from core.fields import BlindIndexField, EncryptedTextField
from core.masking import mask_phone


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, username: str, password: str | None = None, **extra: object) -> User:
        user = self.model(username=username, **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, username: str, password: str | None = None, **extra: object) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(username, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """用户 — a person who signs in: company staff, a resident, or (public schema) a platform operator."""

    username = models.CharField(_("用户名"), max_length=60, unique=True)
    name = models.CharField(_("姓名"), max_length=50, blank=True)
    email = models.EmailField(_("邮箱"), blank=True)
    phone = EncryptedTextField(_("手机号"), blank=True)
    # HMAC of the phone number: find a user by exact phone without decrypting every row.
    phone_index = BlindIndexField(source="phone", purpose="phone", db_index=True)
    roles = ArrayField(models.CharField(max_length=20, choices=Role.choices), default=list, blank=True)
    wechat_openid = models.CharField(max_length=64, null=True, blank=True, unique=True)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)  # may use the Django admin (platform operators only)
    date_joined = models.DateTimeField(default=timezone.now)
    # Part of every session's auth hash: raising it ends all sessions of the user (see
    # _get_session_auth_hash), and nothing ever lowers it, so a re-enabled user starts afresh.
    session_version = models.PositiveIntegerField(default=0)
    # Set by an admin's reset (a temporary password): until the user chooses their own, the API
    # answers 403 password_change_required to everything but changing it, `me` and logout.
    must_change_password = models.BooleanField(default=False)
    # The dashboard's 开始使用 checklist, hidden by this user (accounts.preferences); shown again on request.
    onboarding_hidden = models.BooleanField(default=False)

    objects = UserManager()

    USERNAME_FIELD = "username"
    REQUIRED_FIELDS = []

    class Meta:
        verbose_name = _("用户")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    roles__contained_by=[r.value for r in Role],
                ),
                name="user_roles_known",
            ),
            # `Admin` and `admin` are one account. WeChat accounts (wx_<openid>) are left out:
            # openids are case-sensitive, so two may differ only in case.
            models.UniqueConstraint(
                Lower("username"),
                condition=~models.Q(username__startswith="wx_"),
                name="user_username_ci_unique",
            ),
        ]

    def __str__(self) -> str:
        return self.name or self.username

    @property
    def permissions(self) -> frozenset[str]:
        return permissions_for(self.roles) if self.is_active else frozenset()

    def has_permission(self, code: str) -> bool:
        return code in self.permissions

    @property
    def modules(self) -> list[str]:
        return modules_for(self.roles) if self.is_active else []

    @property
    def phone_masked(self) -> str:
        return mask_phone(self.phone or "")

    def _get_session_auth_hash(self, secret: str | None = None) -> str:
        # Django checks this hash on every request made with a session; it already changes with the
        # password. Version 0 keeps Django's own value so sessions from before this field survive.
        if not self.session_version:
            # Django's own (private) method, which django-stubs leave out
            return super()._get_session_auth_hash(secret=secret)  # type: ignore[misc]
        key_salt = "accounts.User.get_session_auth_hash"
        return salted_hmac(
            key_salt, f"{self.password}:{self.session_version}", secret=secret, algorithm="sha256"
        ).hexdigest()


OWNER_APP_TOKEN_KINDS = frozenset({"wechat", "sms"})


class AccessToken(models.Model):
    """A bearer token for the mini-program (and API clients). Only its SHA-256 is stored.

    Tokens issued to the owner app (kinds in OWNER_APP_TOKEN_KINDS) carry owner permissions only,
    whatever roles their user holds.
    """

    key_hash = models.CharField(max_length=64, unique=True)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="access_tokens")
    kind = models.CharField(max_length=16, default="wechat")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["user", "revoked_at"])]

    def __str__(self) -> str:
        return f"token of {self.user_id} ({self.kind})"

    @property
    def owner_app_only(self) -> bool:
        return self.kind in OWNER_APP_TOKEN_KINDS


class AuditEvent(models.Model):
    """操作日志 — who changed what: actor, action, object, before/after, time, IP."""

    actor = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    actor_label = models.CharField(max_length=100, blank=True)
    action = models.CharField(max_length=60)
    object_type = models.CharField(max_length=60, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    request_id = models.CharField(max_length=64, blank=True)
    at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action}"


class PasswordCodePurpose(models.TextChoices):
    RESET = "reset", _("找回密码")
    INVITE = "invite", _("设置密码邀请")


class PasswordCode(models.Model):
    """A one-time secret that lets its user set a password: a 6-digit code texted or mailed to the
    account's own phone or email (找回密码), or an invitation link's token (设置密码邀请). Only a keyed
    hash is stored; it lives in the company's schema, so it means nothing on another company's host."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="password_codes")
    purpose = models.CharField(max_length=10, choices=PasswordCodePurpose.choices)
    channel = models.CharField(max_length=10)  # sms or email
    digest = models.CharField(max_length=64, db_index=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["user", "purpose", "used_at"])]

    def __str__(self) -> str:
        return f"{self.purpose} code of {self.user_id}"
