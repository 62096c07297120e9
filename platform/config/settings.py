"""Django settings for Wuye, read from the environment (django-environ).

DATABASE_URL / REDIS_URL select the real services; when unset the embedded PostgreSQL and Redis
(config.embedded) are started, so a fresh checkout runs with nothing installed by hand.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from urllib.parse import unquote

import django_stubs_ext
from django.core.exceptions import ImproperlyConfigured

from config import embedded
from config.settings_api import *  # noqa: F403 (DRF and the OpenAPI document, in their own module)
from config.settings_messages import *  # noqa: F403 (SMS, password codes and mail, in their own module)
from config.settings_payments import *  # noqa: F403 (WeChat Pay and Stripe settings, in their own module)
from config.switches import DEMO, env
from core.schemas import app_lists

# Django's generic classes (ModelAdmin, fields, forms) take type parameters in django-stubs; this
# lets `admin.ModelAdmin[Bill]` run as well as type-check (django-stubs-ext's documented way).
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parents[2]

DEBUG = env.bool("DJANGO_DEBUG", default=False)
TESTING = env.bool("WUYE_TESTING", default=False)
# Production is neither the demo nor debug: the embedded servers and the generated secret key are
# refused there, and it is served over https (below).
PRODUCTION = not DEBUG and not DEMO


def _local_secret_key() -> str:
    """A development key that stays the same across runs of one checkout (sessions survive restarts)."""
    key_file = embedded.data_dir() / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


if PRODUCTION and not env("DJANGO_SECRET_KEY", default=""):
    # A key generated into .data/ would differ per container (sessions lost, tokens refused).
    raise ImproperlyConfigured(
        "拒绝启动：生产环境必须设置 DJANGO_SECRET_KEY。\n"
        "Refusing to start: production needs DJANGO_SECRET_KEY (50+ random characters)."
    )
SECRET_KEY = env("DJANGO_SECRET_KEY", default="") or _local_secret_key()

# The tenant is the host: <slug>.<BASE_DOMAIN>. The bare BASE_DOMAIN is the public (platform) host.
BASE_DOMAIN = env("WUYE_BASE_DOMAIN", default="localhost")
PUBLIC_HOSTS = env.list("WUYE_PUBLIC_HOSTS", default=[BASE_DOMAIN, "127.0.0.1"])
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=[BASE_DOMAIN, f".{BASE_DOMAIN}", "127.0.0.1"])
# The port a browser uses to reach us, for links we hand out (admin_url after signup).
PUBLIC_PORT = env("WUYE_PUBLIC_PORT", default="8000")
PUBLIC_SCHEME = env("WUYE_PUBLIC_SCHEME", default="https" if PRODUCTION else "http")
# Slugs no company may take: our own hosts and services, names confusable with the platform, and the
# database's own schemas and templates (a slug is never a schema name, see companies.services.
# schema_name_for; these are refused so nothing looks like one either).
RESERVED_SLUGS = frozenset(
    [
        "www",
        "api",
        "admin",
        "public",
        "static",
        "media",
        "app",
        "mail",
        "platform",
        "console",
        "help",
        "support",
        "status",
        "docs",
        "metrics",
        "healthz",
        "billing",
        "assets",
        "cdn",
        "ftp",
        "smtp",
        "imap",
        "pop",
        "webmail",
        "root",
        "test",
        "demo-template",
        "tenant-template",
        "information-schema",
        "postgres",
        "postgresql",
        "template0",
        "template1",
        "wuye",
        "login",
        "logout",
        "signup",
        "register",
        "auth",
        "account",
        "accounts",
        "security",
        "official",
        "service",
        "system",
        "internal",
        "localhost",
        "dashboard",
        "portal",
        "partner",
        "partners",
        "wechat",
        "weixin",
        "miniprogram",
        "standins",
    ]
)
# Prefixes refused the same way (PostgreSQL's own schemas are pg_*). A doubled hyphen is refused
# outright (companies.services.validate_signup): xn-- is punycode, a host that can look like another.
RESERVED_SLUG_PREFIXES = ("pg-",)

# Where each app's tables live is declared on its AppConfig (core.schemas); django-tenants' two
# lists are computed from those declarations. Third-party apps are placed here.
SHARED_APPS, TENANT_APPS = app_lists(
    [
        "core",
        "core.outbox",
        "companies",
        "subscriptions",
        "accounts",
        "standins",
        "notifications",
        "payments",
        "einvoice",
        "partners",
        "tenants.estates",
        "tenants.residents",
        "tenants.imports",
        "tenants.staff",
        "tenants.repairs",
        "tenants.notices",
        "tenants.feedback",
        "tenants.activities",
        "tenants.vendor_orders",
        "tenants.demo",
        "billing",
    ],
    third_party_both=[
        "django.contrib.contenttypes",
        "django.contrib.auth",
        "django.contrib.sessions",
    ],
    third_party_public=[
        "django_tenants",
        "django.contrib.messages",
        "config.apps.ConsoleAdminConfig",  # django.contrib.admin, whose writes run as actions
        "django.contrib.staticfiles",
        "django.contrib.postgres",
        # Beat's schedules are the platform's (config.beat): in the public schema only.
        "django_celery_beat",
        "rest_framework",
        "django_filters",
        "drf_spectacular",
        "drf_spectacular_sidecar",
    ],
)
INSTALLED_APPS = list(SHARED_APPS) + [app for app in TENANT_APPS if app not in SHARED_APPS]

TENANT_MODEL = "companies.Company"
TENANT_DOMAIN_MODEL = "companies.Domain"
PUBLIC_SCHEMA_URLCONF = "config.urls_public"
ROOT_URLCONF = "config.urls_tenant"
TENANT_LIMIT_SET_CALLS = True
# migrate_schemas skips the schemas with nothing to migrate and migrates the rest in parallel
# (core.migrate_executor); `--executor standard` still runs django-tenants' own.
GET_EXECUTOR_FUNCTION = "core.migrate_executor.get_executor"
TENANT_MULTIPROCESSING_MAX_PROCESSES = env.int("WUYE_MIGRATE_PROCESSES", default=4)
TENANT_MULTIPROCESSING_CHUNKS = 1
# New companies run their migrations (signup-to-ready median 1.53 s with 20 companies, 1.73 s with
# 200). Cloning the migrated template schema is faster while the catalog is small (1.08 s) but
# degrades as it grows (3.97 s with 200: the clone function reads the whole catalog), so it stays a
# switch for when the migration history gets long. migrate_schemas keeps the template current.
TENANT_BASE_SCHEMA = "tenant_template"
TENANT_CREATION_FAKES_MIGRATIONS = env.bool("WUYE_PROVISION_FROM_TEMPLATE", default=False)
# Spare company schemas kept migrated ahead of time (companies.pool): a signup renames one, and is
# ready in a fraction of a second; beat's refill tops the pool up every minute, and a signup that
# finds it empty migrates a new schema as before. None in tests unless a test asks for them.
WUYE_SPARE_SCHEMAS = env.int("WUYE_SPARE_SCHEMAS", default=0 if TESTING else 3)
# Unknown hosts get a 404, never the public schema's pages by accident: a page that helps find the
# company or sign up (JSON on API paths).
SHOW_PUBLIC_IF_NO_TENANT_FOUND = False
DEFAULT_NOT_FOUND_TENANT_VIEW = "companies.unknown_host.unknown_host"

MIDDLEWARE = [
    "core.middleware.RequestContextMiddleware",
    "core.middleware.HealthAndMetricsMiddleware",
    "core.input_guard.InputGuardMiddleware",
    "django_tenants.middleware.main.TenantMainMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "core.middleware.WritesOnlyInActionsMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "companies.middleware.CompanyStatusMiddleware",
]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "platform" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"

# --- database -------------------------------------------------------------------------------
_embedded_wanted = [name for name in ("DATABASE_URL", "REDIS_URL") if not env(name, default="")]
if PRODUCTION and _embedded_wanted:
    # The embedded servers are the demo's (the `embedded` extra, installed only by ./wuye up): a
    # production process without a real database or Redis stops here and says which is missing.
    raise ImproperlyConfigured(
        f"拒绝启动：生产环境必须设置 {', '.join(_embedded_wanted)}（内置服务器仅用于演示）。\n"
        f"Refusing to start: production needs {', '.join(_embedded_wanted)} "
        "(the embedded servers are for the demo and development only)."
    )
if not env("DATABASE_URL", default=""):
    os.environ["DATABASE_URL"] = embedded.start_postgres()
DATABASES = {"default": env.db_url("DATABASE_URL")}
# A Unix-socket directory arrives percent-encoded in the host part (the embedded server's URL).
DATABASES["default"]["HOST"] = unquote(DATABASES["default"].get("HOST") or "")
DATABASES["default"]["ENGINE"] = "django_tenants.postgresql_backend"
# Persistent connections: 8x the throughput of reconnecting per request (perf-security.md §0).
# Session-level search_path needs a session pooler, never PgBouncer transaction mode.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DATABASES["default"].setdefault("TEST", {})["NAME"] = env("WUYE_TEST_DATABASE", default="test_wuye")
DATABASE_ROUTERS = ("django_tenants.routers.TenantSyncRouter",)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: cache, broker, throttles ---------------------------------------------------------
if not env("REDIS_URL", default=""):
    os.environ["REDIS_URL"] = embedded.start_redis()
REDIS_URL = env("REDIS_URL")


def _kombu_url(url: str) -> str:
    # redis-py speaks unix://, kombu wants redis+socket:// for the same socket.
    return "redis+socket://" + url.removeprefix("unix://") if url.startswith("unix://") else url


CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        # Every key carries the schema name: one company's cache entry is invisible to another.
        "KEY_FUNCTION": "django_tenants.cache.make_key",
        "REVERSE_KEY_FUNCTION": "django_tenants.cache.reverse_key",
        "KEY_PREFIX": env("WUYE_CACHE_PREFIX", default="wuye"),
    }
}

# --- Celery ---------------------------------------------------------------------------------
CELERY_BROKER_URL = _kombu_url(env("CELERY_BROKER_URL", default=REDIS_URL))
CELERY_RESULT_BACKEND = None
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 60 * 60
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 2 * 60 * 60}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_DEFAULT_QUEUE", default="wuye")
CELERY_BEAT_SCHEDULER = "config.beat:CompanyScheduler"
CELERY_TIMEZONE = "Asia/Shanghai"
CELERY_WORKER_HIJACK_ROOT_LOGGER = False  # keep our JSON log lines (tenant, task id) in the worker

# --- notifications: batches, lanes, rate limits (platform/notifications/services/lanes.py) ----
# Urgent events' sends have a queue of their own, which every worker consumes besides the default
# (deploy/, platform/launcher.py): never behind another company's announcement.
NOTIFY_URGENT_QUEUE = env("CELERY_URGENT_QUEUE", default=f"{CELERY_TASK_DEFAULT_QUEUE}-urgent")
NOTIFY_SLOTS = {"urgent": env.int("NOTIFY_URGENT_SLOTS", default=1), "bulk": env.int("NOTIFY_BULK_SLOTS", default=2)}
NOTIFY_SLOT_SECONDS = 60  # a chain whose worker died is replaced by the sweep after this
NOTIFY_BATCH = env.int("NOTIFY_BATCH", default=200)  # deliveries a worker claims per turn
NOTIFY_SMS_GROUP = 100  # numbers per SendSms request (Tencent takes up to 200)
NOTIFY_LEASE_SECONDS = 60.0  # a claimed batch's rows are another worker's after this
NOTIFY_RETRY_SECONDS = 10.0  # first wait after a refusal for now; doubles each try
# Token buckets: (messages per second, burst). Per company and channel: an announcement goes out at
# this rate, whatever else the platform sends (Tencent's SendSms takes 3000 requests/s per account).
NOTIFY_COMPANY_RATE = {"default": (20.0, 40), "sms": (env.float("NOTIFY_COMPANY_SMS_RATE", default=1000.0), 1000)}
# Per recipient and channel: Tencent's per-number limit (1 text per 30 s), waited for, not refused.
NOTIFY_RECIPIENT_RATE = {"sms": (1 / 30, 1), "email": (1 / 6, 5)}

# --- auth -----------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "accounts.validators.LettersAndDigitsValidator"},
]
PASSWORD_HASHERS = (
    ["django.contrib.auth.hashers.MD5PasswordHasher"]
    if TESTING
    else ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 60 * 60 * 12
CSRF_COOKIE_SAMESITE = "Lax"
# No wildcard: an unsafe request must come from the host it is sent to (Django compares Origin with
# the request's own scheme and host), so a page on one company's host can never post to another's.
# Behind a TLS proxy that scheme is https through SECURE_PROXY_SSL_HEADER (below). Add an origin here
# only for a front end served from a different host than the API it calls.
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
# Password login backoff (accounts.login_throttle): free attempts, then delays of 2, 4, 8… s.
LOGIN_FREE_ATTEMPTS = 5  # per account, and per account from one address
LOGIN_ADDRESS_FREE_ATTEMPTS = 20  # per address over all accounts (an office shares one address)
LOGIN_MAX_DELAY_SECONDS = 15 * 60  # longest wait per account+address and per address
LOGIN_ACCOUNT_MAX_DELAY_SECONDS = 60  # longest wait someone else's guessing can impose on the real user
LOGIN_KNOWN_ADDRESS_DAYS = 30  # an address that signed in skips the account-wide delay this long
ACCESS_TOKEN_DAYS = 30

# Field encryption (AES-256-GCM). Keys: "kid:base64key,..." — the first encrypts, all decrypt.
WUYE_DATA_KEYS = env("WUYE_DATA_KEYS", default="")
# Lookups of personal data by whole value, per staff member and company ("count/window", each
# window enforced): a search by phone number, an ID number checked against everyone's on save.
# Each is a guess at a value lists show masked, so each is counted and audited. Holders of
# pii.reveal may reveal any value anyway (audited): their limit only brakes a runaway script.
PII_LOOKUP_LIMITS = env.list("WUYE_PII_LOOKUP_LIMITS", default=["30/h", "150/d"])
PII_LOOKUP_LIMITS_REVEAL = env.list("WUYE_PII_LOOKUP_LIMITS_REVEAL", default=["300/h"])

# --- WeChat, SMS and other outside services --------------------------------------------------
# DEMO (config.switches) points them at the local stand-ins; SMS, password codes and mail:
# config.settings_messages; payments: config.settings_payments.
WECHAT_API_BASE_URL = env(
    "WECHAT_API_BASE_URL",
    default=f"http://127.0.0.1:{PUBLIC_PORT}/_standins/wechat/" if DEMO else "https://api.weixin.qq.com/",
)
SENTRY_DSN = env("SENTRY_DSN", default="")

# --- i18n -----------------------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- files ----------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env("WUYE_STATIC_ROOT", default=str(BASE_DIR / ".data" / "static")))
# Built front ends (Vite base /static/frontend/, the owner app's H5 build under /static/h5/).
STATICFILES_DIRS = [
    (prefix, path)
    for prefix, path in [
        ("frontend", BASE_DIR / "frontend" / "dist"),
        ("h5", BASE_DIR / "miniprogram" / "dist" / "build" / "h5"),
    ]
    if path.exists()
]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("WUYE_MEDIA_ROOT", default=str(BASE_DIR / ".data" / "media")))
# Files with personal data (imports and their reports): per company, never served by URL.
PRIVATE_ROOT = Path(env("WUYE_PRIVATE_ROOT", default=str(BASE_DIR / ".data" / "private")))
# Files of each company live under MEDIA_ROOT/<schema>/ (django-tenants' storage).
STORAGES = {
    "default": {"BACKEND": "django_tenants.files.storage.TenantFileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
MULTITENANT_RELATIVE_MEDIA_ROOT = "%s"
# Serve the built front ends straight from their dist folders (no collectstatic needed to see a
# fresh build); index.html itself is returned by config.views.spa_index / owner_app.
WHITENOISE_USE_FINDERS = True
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- operations -----------------------------------------------------------------------------
METRICS_TOKEN = env("WUYE_METRICS_TOKEN", default="")
LOG_LEVEL = env("LOG_LEVEL", default="INFO")
LOG_FORMAT = env("WUYE_LOG_FORMAT", default="json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"context": {"()": "core.logging.ContextFilter"}},
    "formatters": {
        "json": {"()": "core.logging.JsonFormatter"},
        "text": {"format": "%(asctime)s %(levelname)s [%(tenant)s %(request_id)s] %(name)s: %(message)s"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["context"], "formatter": LOG_FORMAT},
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "celery": {"level": LOG_LEVEL},
    },
}

if not DEBUG:
    SECURE_CONTENT_TYPE_NOSNIFF = True
    X_FRAME_OPTIONS = "DENY"

# --- https ----------------------------------------------------------------------------------
# Served over https (production's default, WUYE_PUBLIC_SCHEME): TLS ends at the ingress or load
# balancer, which must set X-Forwarded-Proto (and overwrite any a client sent). Cookies only travel
# over https, browsers are told to use nothing else (HSTS, every company's host included) and a
# plain http request is redirected (/healthz and /metrics answer before that, for probes and scrapers).
HTTPS = PUBLIC_SCHEME == "https"
if HTTPS:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("WUYE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("WUYE_HSTS_SECONDS", default=365 * 24 * 60 * 60)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env.bool("WUYE_HSTS_PRELOAD", default=True)

if SENTRY_DSN:
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=SENTRY_DSN,
        integrations=[DjangoIntegration(), CeleryIntegration()],
        environment=env("SENTRY_ENVIRONMENT", default="production"),
        traces_sample_rate=env.float("SENTRY_TRACES_SAMPLE_RATE", default=0.0),
        send_default_pii=False,
    )
