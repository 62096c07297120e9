import uuid
from decimal import Decimal

from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_tenants.models import DomainMixin, TenantMixin
from django_tenants.utils import schema_exists

from core.fields import EncryptedTextField

HEX_COLOUR = RegexValidator(r"^#[0-9a-fA-F]{6}$", _("颜色须为 #RRGGBB 格式。"))


def is_system_schema(name: str) -> bool:
    """PostgreSQL's own schemas (pg_catalog, pg_toast, pg_temp_*, information_schema) and public:
    never created or dropped for a company, whatever a row says."""
    name = name.lower()
    return name.startswith("pg_") or name in {"information_schema", "public"}


class SchemaExistsError(Exception):
    """A company's schema was to be created under a name already taken: a schema of that name is there
    already, or it is one of PostgreSQL's own."""


class CompanyStatus(models.TextChoices):
    ACTIVE = "active", _("正常")
    SUSPENDED = "suspended", _("已停用")


class Company(TenantMixin):
    """物业公司 — a property-management company: one tenant, one PostgreSQL schema."""

    slug = models.SlugField(max_length=30, unique=True)
    name = models.CharField(max_length=100)
    status = models.CharField(max_length=16, choices=CompanyStatus.choices, default=CompanyStatus.ACTIVE)
    created_at = models.DateTimeField(auto_now_add=True)

    # Branding, applied to the web admin and the white-labelled mini-program.
    display_name = models.CharField(max_length=100, blank=True)
    logo = models.ImageField(upload_to="branding/", blank=True)
    primary_color = models.CharField(max_length=7, default="#1677ff", validators=[HEX_COLOUR])
    miniprogram_title = models.CharField(max_length=40, blank=True)
    # 用户协议 / 隐私政策 shown in the owner app; blank means the default template
    # (companies.agreements) in the reader's language, with the company's name filled in.
    user_agreement = models.TextField(blank=True, default="")
    privacy_policy = models.TextField(blank=True, default="")

    # WeChat mini-program credentials (the secret encrypted at rest).
    wechat_appid = models.CharField(max_length=32, blank=True)
    wechat_secret = EncryptedTextField(blank=True, platform=True)

    # The schema is created by provisioning (companies.services), never as a side effect of save():
    # django-tenants' save() adopts a schema that already exists and, when creating fails, drops it.
    auto_create_schema = False
    auto_drop_schema = True

    class Meta:
        verbose_name = _("物业公司")
        constraints = [
            # A row naming one of PostgreSQL's own schemas would make every migration and task run in
            # it. Legacy names (schema == slug with '-' → '_') still pass; new ones are c_<slug>.
            models.CheckConstraint(
                condition=models.Q(schema_name__regex=r"^[a-z][a-z0-9_]{0,62}$")
                & ~models.Q(schema_name__startswith="pg_")
                & ~models.Q(schema_name="information_schema"),
                name="company_schema_not_a_system_schema",
            ),
            models.CheckConstraint(
                condition=models.Q(primary_color__regex=r"^#[0-9a-fA-F]{6}$"), name="company_primary_color_hex"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def brand_name(self) -> str:
        return self.display_name or self.name

    def create_schema(self, check_if_exists: bool = False, sync_schema: bool = True, verbosity: int = 1) -> None:
        """Create this company's schema and its tables. A schema that already exists is refused, never
        adopted (django-tenants' check_if_exists would quietly hand the company its tables)."""
        if is_system_schema(self.schema_name) or schema_exists(self.schema_name, case_sensitive=False):
            raise SchemaExistsError(self.schema_name)
        # Without check_if_exists, CREATE SCHEMA (or the clone) itself fails on a schema created since.
        super().create_schema(check_if_exists=False, sync_schema=sync_schema, verbosity=verbosity)

    def _drop_schema(self, force_drop: bool = False) -> None:
        # Deleting a company drops its schema (auto_drop_schema) — never one of the database's own.
        if is_system_schema(self.schema_name):
            raise ValueError(f"refusing to drop the schema {self.schema_name!r}: it is not a company's")
        super()._drop_schema(force_drop)


class Domain(DomainMixin):
    """A host name that routes to a company (or to the public site)."""


class Plan(models.Model):
    """套餐 — a SaaS plan with its limits."""

    code = models.SlugField(max_length=30, unique=True)
    name = models.CharField(max_length=60)
    max_houses = models.PositiveIntegerField()
    max_staff = models.PositiveIntegerField()
    monthly_price = models.DecimalField(
        max_digits=10, decimal_places=2, default=Decimal("0.00"), validators=[MinValueValidator(Decimal("0"))]
    )
    trial_days = models.PositiveIntegerField(default=0)
    is_trial = models.BooleanField(default=False)
    stripe_price_id = models.CharField(max_length=100, blank=True)
    sort_order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "monthly_price"]
        constraints = [
            models.CheckConstraint(condition=models.Q(monthly_price__gte=0), name="plan_price_not_negative"),
            models.UniqueConstraint(fields=["is_trial"], condition=models.Q(is_trial=True), name="one_trial_plan"),
        ]

    def __str__(self) -> str:
        return self.name


class SubscriptionStatus(models.TextChoices):
    TRIALING = "trialing", _("试用中")
    ACTIVE = "active", _("已订阅")
    PAST_DUE = "past_due", _("逾期未付")
    SUSPENDED = "suspended", _("已停用")
    CANCELED = "canceled", _("已取消")


class Subscription(models.Model):
    """订阅 — a company's plan and the state of its payment."""

    company = models.OneToOneField(Company, on_delete=models.CASCADE, related_name="subscription")
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT)
    status = models.CharField(max_length=16, choices=SubscriptionStatus.choices)
    trial_ends_at = models.DateTimeField(null=True, blank=True)
    current_period_end = models.DateTimeField(null=True, blank=True)
    # Set when the company stopped being paid for (trial over, payment failed, canceled): past it,
    # the company's staff are suspended until a payment lands (subscriptions.services.lifecycle).
    grace_ends_at = models.DateTimeField(null=True, blank=True)
    suspended_at = models.DateTimeField(null=True, blank=True)
    stripe_customer_id = models.CharField(max_length=100, blank=True)
    stripe_subscription_id = models.CharField(max_length=100, blank=True)
    stripe_status = models.CharField(max_length=32, blank=True)  # as Stripe last said it
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            # One Stripe customer is one company: a webhook found by customer reaches only it.
            models.UniqueConstraint(
                fields=["stripe_customer_id"],
                condition=~models.Q(stripe_customer_id=""),
                name="subscription_one_company_per_stripe_customer",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.company} {self.plan} {self.status}"


class SignupStatus(models.TextChoices):
    PENDING = "pending", _("等待开通")
    PROVISIONING = "provisioning", _("开通中")
    READY = "ready", _("已开通")
    FAILED = "failed", _("开通失败")


class Signup(models.Model):
    """自助注册 — a company's self-service signup, provisioned by a background task."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    company_name = models.CharField(max_length=100)
    slug = models.SlugField(max_length=30)
    admin_name = models.CharField(max_length=50)
    admin_phone = EncryptedTextField(platform=True)
    admin_email = models.EmailField()
    # The first admin's username, chosen by the founder (signups from before were all `admin`).
    admin_username = models.CharField(max_length=60, default="admin")
    password_hash = models.CharField(max_length=256)
    status = models.CharField(max_length=16, choices=SignupStatus.choices, default=SignupStatus.PENDING)
    error = models.CharField(max_length=500, blank=True)
    company = models.OneToOneField(Company, null=True, blank=True, on_delete=models.SET_NULL, related_name="signup")
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            # Two racing signups for one slug: the database lets exactly one through.
            models.UniqueConstraint(
                fields=["slug"], condition=~models.Q(status="failed"), name="signup_slug_unique_unless_failed"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.slug} {self.status}"


class PaymentWatch(models.Model):
    """A company with payment orders or refunds still live at their gateway: the one list the payment
    sweeper's beat reads (payments.services.watch), so it visits these companies every two minutes
    instead of every company's schema. Bookkeeping written outside actions by design (core.actions)."""

    schema_name = models.CharField(max_length=63, primary_key=True)
    since = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.schema_name


class SpareSchema(models.Model):
    """A company schema created and migrated ahead of time, no company's yet: a signup renames it to
    the new company's (companies.pool). Nothing but what migrations write is ever in it."""

    schema_name = models.CharField(max_length=63, primary_key=True)
    # The code's migrations it was built at (companies.pool.fingerprint): handed out only at those.
    migrations = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.schema_name
