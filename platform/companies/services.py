"""Every write about companies: signup, provisioning, branding, suspension, the public site."""

from __future__ import annotations

import logging
import re
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, InterfaceError, OperationalError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tenants.utils import get_public_schema_name, schema_context, schema_exists, tenant_context

from accounts import services as account_services
from accounts.roles import Role
from accounts.validators import CHINESE_MOBILE, founder_username_problem, normalise_phone, normalise_username
from companies import agreements, pool
from companies.models import (
    Company,
    CompanyStatus,
    Domain,
    Plan,
    SchemaExistsError,
    Signup,
    SignupStatus,
    Subscription,
    SubscriptionStatus,
    is_system_schema,
)
from core import text
from core.actions import action, emit
from core.db import tenant_db
from core.errors import DomainError
from core.schemas import Schema

logger = logging.getLogger(__name__)

SLUG_RE = re.compile(r"^[a-z][a-z0-9-]{1,28}[a-z0-9]$")
PROVISIONING_LOCK = 0x77_75_79_65  # "wuye": the advisory lock that serialises provisioning
TEMPLATE_SLUG = "tenant-template"
TOPIC_PROVISION = "companies.provision"
# A new company's schema is c_<slug>: no PostgreSQL schema (pg_*, information_schema), public or
# tenant_template starts so, so no slug can name one. Companies from before keep their stored name.
COMPANY_SCHEMA_PREFIX = "c_"
COMPANY_SCHEMA_RE = re.compile(r"^c_[a-z][a-z0-9_]{1,28}[a-z0-9]$")


def schema_name_for(slug: str) -> str:
    """The schema a new company with this slug gets (slugs allow '-' but never '_', so two slugs never
    share one)."""
    if not SLUG_RE.match(slug):
        raise ValueError(f"not a slug: {slug!r}")
    return COMPANY_SCHEMA_PREFIX + slug.replace("-", "_")


def company_host(slug: str) -> str:
    return f"{slug}.{settings.BASE_DOMAIN}"


def company_url(slug: str) -> str:
    port = settings.PUBLIC_PORT
    default_port = {"http": "80", "https": "443"}[settings.PUBLIC_SCHEME]
    suffix = f":{port}" if port and port != default_port else ""
    return f"{settings.PUBLIC_SCHEME}://{company_host(slug)}{suffix}/"


def _slug_taken(slug: str) -> bool:
    schema = schema_name_for(slug)
    return (
        Company.objects.filter(schema_name=schema).exists()
        or Company.objects.filter(slug=slug).exists()
        or Signup.objects.filter(slug=slug).exclude(status=SignupStatus.FAILED).exists()
        # any schema of that name, ours or not (an older company's, one made by hand)
        or schema_exists(schema, case_sensitive=False)
    )


def slug_problem(slug: str) -> str | None:
    """Why no new company may have this slug (None when it may), leaving aside whether it is taken."""
    if not SLUG_RE.match(slug):
        return _("子域名须为 3 到 30 位小写字母、数字或连字符，以字母开头，不以连字符结尾。")
    if slug in settings.RESERVED_SLUGS or slug.startswith(tuple(settings.RESERVED_SLUG_PREFIXES)):
        return _("该子域名为系统保留，请换一个。")
    if "--" in slug:
        # xn--… is a punycode host that can look like another company's; a-b and a--b look alike.
        return _("子域名不能包含连续的连字符。")
    return None


def validate_signup(data: dict[str, Any]) -> dict[str, list[str]]:
    """Every problem with a signup, by field (empty when it can go ahead)."""
    errors: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    name = text.clean_name(data.get("company_name"))
    if not 2 <= len(name) <= 100:
        add("company_name", _("公司名称须为 2 到 100 个字符。"))
    slug = (data.get("slug") or "").strip()
    if problem := slug_problem(slug):
        add("slug", problem)
    elif _slug_taken(slug):
        add("slug", _("该子域名已被使用。"))
    admin_name = text.clean_name(data.get("admin_name"))
    if not 1 <= len(admin_name) <= 50:
        add("admin_name", _("请填写管理员姓名（不超过 50 个字符）。"))
    phone = normalise_phone(data.get("admin_phone"))
    try:
        CHINESE_MOBILE(phone)
    except ValidationError as exc:
        add("admin_phone", str(exc.messages[0]))
    if "admin_username" in data:  # the API always sends it; older service callers name no one (`admin`)
        username = normalise_username(data.get("admin_username") or "")
        if problem := founder_username_problem(username):
            add("admin_username", problem)
    email = (data.get("admin_email") or "").strip()
    try:
        validate_email(email)
    except ValidationError:
        add("admin_email", _("请输入有效的邮箱地址。"))
    password = data.get("password") or ""
    try:
        validate_password(password)
    except ValidationError as exc:
        for message in exc.messages:
            add("password", message)
    return errors


@action
def create_signup(*, data: dict[str, Any]) -> Signup:
    """Accept a signup; its provisioning goes out through the outbox in the same transaction.
    Raises DomainError with field errors."""
    errors = validate_signup(data)
    if errors:
        raise DomainError(_("注册信息有误，请检查标出的字段。"), code="validation_error", fields=errors)
    try:
        with transaction.atomic():  # a savepoint: losing the race below is an answer, not a broken transaction
            signup = Signup.objects.create(
                company_name=text.clean_name(data["company_name"]),
                slug=data["slug"].strip(),
                admin_name=text.clean_name(data["admin_name"]),
                admin_phone=normalise_phone(data["admin_phone"]),
                admin_email=data["admin_email"].strip(),
                admin_username=normalise_username(data.get("admin_username") or "admin"),
                password_hash=make_password(data["password"]),
            )
    except IntegrityError as exc:
        # Lost a race for the slug: the partial unique index let the other signup through.
        raise DomainError(
            _("注册信息有误，请检查标出的字段。"), code="validation_error", fields={"slug": [_("该子域名已被使用。")]}
        ) from exc
    account_services.record_audit(
        actor=None, action="signup.create", object_type="signup", object_id=signup.pk, after={"slug": signup.slug}
    )
    emit(TOPIC_PROVISION, {"signup_id": str(signup.pk)}, key=f"signup:{signup.pk}")
    return signup


def trial_plan() -> Plan:
    plan = Plan.objects.filter(is_trial=True).first()
    if plan is None:
        plan = ensure_default_plans()[0]
    return plan


def ensure_default_plans() -> list[Plan]:
    """The plans every installation starts with (idempotent)."""
    defaults = [
        {
            "code": "trial",
            "name": "免费试用",
            "max_houses": 500,
            "max_staff": 20,
            "monthly_price": "0.00",
            "trial_days": 30,
            "is_trial": True,
            "sort_order": 0,
        },
        {
            "code": "standard",
            "name": "标准版",
            "max_houses": 3000,
            "max_staff": 100,
            "monthly_price": "999.00",
            "trial_days": 0,
            "is_trial": False,
            "sort_order": 1,
        },
        {
            "code": "pro",
            "name": "专业版",
            "max_houses": 20000,
            "max_staff": 500,
            "monthly_price": "2999.00",
            "trial_days": 0,
            "is_trial": False,
            "sort_order": 2,
        },
    ]
    plans = []
    for values in defaults:
        plan, _created = Plan.objects.get_or_create(code=values["code"], defaults=values)
        plans.append(plan)
    return plans


def provision_company(*, signup_id: Any) -> Company | None:
    """Create the company's schema, domain, trial subscription and admin user — all or nothing.

    Runs in the worker (the outbox's `companies.provision`). Everything, including the schema (a spare
    from the pool renamed, or CREATE SCHEMA and its migrations when the pool is empty), happens in
    one transaction (PostgreSQL DDL is transactional), so a
    failure at any step — or a worker killed mid-way — leaves no schema, domain or user behind.
    Safe to run twice: a ready signup is skipped. A transient database error is raised for the
    outbox to retry (the signup stays `provisioning`); any other failure is final and said on it.
    """
    with schema_context(get_public_schema_name()):
        signup = _start_provisioning(signup_id=signup_id)
        if signup.status != SignupStatus.PROVISIONING:
            return signup.company  # already ready, or failed for good
        try:
            return _provision(signup_id=signup_id)
        except (OperationalError, InterfaceError):
            tenant_db().set_schema_to_public()
            raise
        except Exception as exc:
            logger.exception("provisioning of %s failed", signup.slug)
            # Nothing to clean up: the schema was created in the transaction just rolled back. A
            # schema still there is one this provisioning did not create, and is never dropped.
            tenant_db().set_schema_to_public()
            fail_signup(signup_id=signup_id, message=exc.message if isinstance(exc, DomainError) else "")
            raise DomainError(_("开通失败。"), code="provisioning_failed") from exc


@action
def _start_provisioning(*, signup_id: Any) -> Signup:
    signup = Signup.objects.select_for_update().get(pk=signup_id)
    if signup.status == SignupStatus.PENDING:
        signup.status = SignupStatus.PROVISIONING
        signup.started_at = timezone.now()
        signup.save(update_fields=["status", "started_at"])
    account_services.record_audit(
        actor=None, action="signup.provisioning", object_type="signup", object_id=signup.pk, after={"try": True}
    )
    return signup


@action
def _provision(*, signup_id: Any) -> Company | None:
    # One provisioning at a time: cloning (re)creates a shared SQL function, and two transactions
    # doing that at once conflict. Each takes well under a second.
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [PROVISIONING_LOCK])
    signup = Signup.objects.select_for_update().get(pk=signup_id)
    if signup.status != SignupStatus.PROVISIONING:
        return signup.company
    company, spare = _create_company(signup)
    signup.status = SignupStatus.READY
    signup.company = company
    signup.error = ""
    signup.finished_at = timezone.now()
    signup.password_hash = ""  # the admin user holds it now; keep no copy in the public schema
    signup.save(update_fields=["status", "company", "error", "finished_at", "password_hash"])
    account_services.record_audit(
        actor=None,
        action="company.provision",
        object_type="company",
        object_id=company.slug,
        after={"signup": str(signup.pk), "spare_schema": spare or ""},
    )
    return company


@action
def fail_signup(*, signup_id: Any, message: str = "") -> None:
    """A signup that cannot be provisioned: said on it for the page polling its status. One already
    ready is left as it is."""
    signup = Signup.objects.select_for_update().filter(pk=signup_id).first()
    if signup is None or signup.status == SignupStatus.READY:
        return
    signup.status = SignupStatus.FAILED
    signup.error = (message or _("开通失败，请稍后重试或联系客服。"))[:500]
    signup.finished_at = timezone.now()
    signup.save(update_fields=["status", "error", "finished_at"])
    account_services.record_audit(
        actor=None, action="signup.failed", object_type="signup", object_id=signup.pk, after={"error": signup.error}
    )


def _create_company(signup: Signup) -> tuple[Company, str | None]:
    """The company and its schema, domain, subscription and admin; with the spare schema it was
    renamed from (None: migrated here)."""
    # Checked again here: a signup accepted before a slug was reserved must not be provisioned either.
    if problem := slug_problem(signup.slug):
        raise DomainError(problem, code="slug_refused")
    schema = schema_name_for(signup.slug)
    if not COMPANY_SCHEMA_RE.match(schema):
        raise ValueError(f"refusing to create the schema {schema!r}: not a company schema name")
    company = Company(
        schema_name=schema,
        slug=signup.slug,
        name=signup.company_name,
        display_name=signup.company_name,
        miniprogram_title=signup.company_name[:40],
    )
    company.save()
    try:
        # A spare schema migrated ahead of time, renamed (companies.pool); else CREATE SCHEMA and
        # its migrations. Either inside our transaction.
        if is_system_schema(schema) or schema_exists(schema, case_sensitive=False):
            raise SchemaExistsError(schema)
        spare = pool.claim(rename_to=schema)
        if spare is None:
            company.create_schema(verbosity=0)
    except SchemaExistsError as exc:
        # Never adopt a schema that is already there (and never drop it: it is not ours).
        raise DomainError(_("该子域名对应的数据空间已存在，无法开通，请联系客服。"), code="schema_exists") from exc
    tenant_db().set_schema_to_public()
    Domain.objects.create(domain=company_host(signup.slug), tenant=company, is_primary=True)
    plan = trial_plan()
    Subscription.objects.create(
        company=company,
        plan=plan,
        status=SubscriptionStatus.TRIALING,
        trial_ends_at=timezone.now() + timedelta(days=plan.trial_days),
    )
    with tenant_context(company):
        account_services.create_user(
            username=signup.admin_username,
            name=signup.admin_name,
            roles=[Role.ADMIN.value],
            password_hash=signup.password_hash,
            phone=signup.admin_phone,
            email=signup.admin_email,
        )
    return company, spare


# A company's own settings: its row of the registry, changed by its admin on its own host (or by the
# platform for it), audited on the company's own trail.
@action(schema=Schema.BOTH)
def update_branding(*, company: Company, actor: Any, **changes: Any) -> Company:
    allowed = {"display_name", "primary_color", "miniprogram_title", "logo"}
    before = {k: str(getattr(company, k)) for k in allowed}
    for field, value in changes.items():
        if field not in allowed:
            raise DomainError(_("不能修改这些字段。"), fields={field: [_("不可修改。")]})
        if field in {"display_name", "miniprogram_title"}:
            value = _visible_name(value, field=field)
        setattr(company, field, value)
    try:
        company.full_clean(exclude=["schema_name", "slug", "name", "wechat_secret", "wechat_appid"])
    except ValidationError as exc:
        raise DomainError(_("品牌设置有误。"), code="validation_error", fields=exc.message_dict) from exc
    company.save(update_fields=list(changes) or None)
    _audit_on_company(
        company,
        actor=actor,
        action="company.branding",
        object_type="company",
        object_id=company.slug,
        before=before,
        after={k: str(getattr(company, k)) for k in allowed},
    )
    return company


@action(schema=Schema.BOTH)
def update_agreements(*, company: Company, actor: Any, **texts: str) -> Company:
    """The company's own 用户协议 / 隐私政策 (blank: back to the default template). Audited by
    length, not content: the trail is no place for pages of prose."""
    fields = [k for k in agreements.KINDS if k in texts]
    unknown = set(texts) - set(agreements.KINDS)
    if unknown:
        raise DomainError(_("不能修改这些字段。"), fields={k: [_("不可修改。")] for k in sorted(unknown)})
    before = {k: len(getattr(company, k)) for k in fields}
    for field in fields:
        setattr(company, field, agreements.clean_text(texts[field], field=field))
    company.save(update_fields=fields)
    _audit_on_company(
        company,
        actor=actor,
        action="company.agreements",
        object_type="company",
        object_id=company.slug,
        before=before,
        after={k: len(getattr(company, k)) for k in fields},
    )
    return company


def _visible_name(value: str, *, field: str) -> str:
    """A name shown to people (core.text.clean_name); one of only invisible characters is refused."""
    cleaned = text.clean_name(value)
    if not cleaned and (value or "").strip():
        raise DomainError(_("名称不能只包含不可见字符。"), fields={field: [_("名称不能只包含不可见字符。")]})
    return cleaned


@action(schema=Schema.BOTH)
def set_wechat_credentials(*, company: Company, appid: str, secret: str, actor: Any = None) -> Company:
    """The company's own mini-program: its appid, and its secret (encrypted at rest, never shown)."""
    if not re.fullmatch(r"wx[0-9a-zA-Z]{14,18}", appid):
        raise DomainError(_("AppID 格式不正确。"), fields={"appid": [_("AppID 格式不正确（以 wx 开头）。")]})
    if not re.fullmatch(r"[0-9a-zA-Z]{16,64}", secret):
        raise DomainError(_("AppSecret 格式不正确。"), fields={"secret": [_("AppSecret 格式不正确。")]})
    company.wechat_appid = appid
    company.wechat_secret = secret
    company.save(update_fields=["wechat_appid", "wechat_secret"])
    _audit_on_company(
        company,
        actor=actor,
        action="company.wechat_credentials",
        object_type="company",
        object_id=company.slug,
        after={"appid": appid},
    )
    return company


def _audit_on_company(company: Company, **event: Any) -> None:
    with tenant_context(company):
        account_services.record_audit(**event)


def ensure_public_tenant() -> Company:
    """The public schema's own tenant row, its hosts, the plans and the template schema new
    companies are cloned from (idempotent; run at every start)."""
    public, _created = Company.objects.get_or_create(
        schema_name=get_public_schema_name(), defaults={"slug": "public", "name": "Wuye 平台"}
    )
    for index, host in enumerate(dict.fromkeys(settings.PUBLIC_HOSTS)):
        Domain.objects.get_or_create(domain=host, defaults={"tenant": public, "is_primary": index == 0})
    ensure_default_plans()
    # A registered tenant (so migrate_schemas keeps it current) with no domain (so no host reaches it).
    with transaction.atomic():
        template, created = Company.objects.get_or_create(
            schema_name=settings.TENANT_BASE_SCHEMA,
            defaults={"slug": TEMPLATE_SLUG, "name": "模板（新公司由此复制）", "status": CompanyStatus.SUSPENDED},
        )
        if created:
            template.create_schema(verbosity=0)
            tenant_db().set_schema_to_public()
    return public
