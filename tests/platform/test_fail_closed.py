"""Outside services fail closed: production refuses to start on a stand-in (or without an adapter's
settings) unless the demo switch is on; the stand-ins and login codes exist only in the demo; the
shipped deploy/ configurations start only with real values."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from django.core.exceptions import ImproperlyConfigured

from core import adapters, crypto

ROOT = Path(__file__).resolve().parents[2]
REAL_SMS = {
    "SECRET_ID": "AKIDrealLookingId000000000000000000001",
    "SECRET_KEY": "real-looking-secret-key-00000000",
    "SDK_APP_ID": "1400999999",
    "SIGN_NAME": "某某物业",
    "TEMPLATE_IDS": {"login_code": "1234567", "password_code": "1234568", "staff_invite": "1234569"},
    "REGION": "ap-guangzhou",
    "ENDPOINT": "https://sms.tencentcloudapi.com/",
}
RANDOM_LOOKING_SECRET = "q3Zt8vN1xK6pW0rL9sB4mH7cJ2fD5gY-aE_uQiOoVwXbT8nR"


def _pems() -> tuple[str, str]:
    from payments.gateways import wechatpay_sign

    merchant, platform = wechatpay_sign.generate_key(), wechatpay_sign.generate_key()
    return wechatpay_sign.private_pem(merchant), wechatpay_sign.public_pem(platform)


MERCHANT_PEM, PLATFORM_PEM = _pems()
REAL_WECHATPAY = {
    "SP_MCHID": "1900000109",
    "SP_APPID": "wx8888888888888888",
    "APIV3_KEY": "a" * 16 + "B" * 16,
    "MERCHANT_SERIAL": "5157F09EFDC096DE15EBE81A47057A72",
    "MERCHANT_PRIVATE_KEY": MERCHANT_PEM,
    "PLATFORM_SERIAL": "PUB_KEY_ID_0114232134912410000000000000",
    "PLATFORM_PUBLIC_KEY": PLATFORM_PEM,
    "API_BASE": "https://api.mch.weixin.qq.com",
}
REAL_NUONUO = {
    "APP_KEY": "SD63236305",
    "APP_SECRET": "SDDED2523BED4643",
    "ACCESS_TOKEN": "a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6",
    "API_BASE": "https://sdk.nuonuo.com/open/v1/services",
    "TAX_RATE": "0.06",
    "GOODS_CODE": "3040801010000000000",
    "GOODS_NAME": "物业管理服务",
    "CLERK": "张三",
}
REAL_ENV = {  # what an operator provides to the shipped deploy/ files
    "DJANGO_SECRET_KEY": RANDOM_LOOKING_SECRET,
    "WUYE_DATA_KEYS": "k1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
    "WUYE_BASE_DOMAIN": "wuye.example.com",
    "TENCENT_SMS_SECRET_ID": REAL_SMS["SECRET_ID"],
    "TENCENT_SMS_SECRET_KEY": REAL_SMS["SECRET_KEY"],
    "TENCENT_SMS_SDK_APP_ID": REAL_SMS["SDK_APP_ID"],
    "TENCENT_SMS_SIGN_NAME": REAL_SMS["SIGN_NAME"],
    "TENCENT_SMS_TEMPLATE_IDS": "login_code=1234567,password_code=1234568,staff_invite=1234569",
    **{f"WECHATPAY_{name}": value for name, value in REAL_WECHATPAY.items() if name != "API_BASE"},
    "EMAIL_HOST": "smtp.exmail.qq.com",
    "DEFAULT_FROM_EMAIL": "物业 <noreply@wuye.example.com>",
    "STRIPE_SECRET_KEY": "sk_live_realLookingKey000000000000000000",
    "STRIPE_WEBHOOK_SECRET": "whsec_realLookingSecret0000000000000000",
    "STRIPE_PUBLISHABLE_KEY": "pk_live_realLookingKey00000000000000000",
    **{
        f"NUONUO_{name}": REAL_NUONUO[name] for name in ("APP_KEY", "APP_SECRET", "ACCESS_TOKEN", "GOODS_CODE", "CLERK")
    },
}


@pytest.fixture
def production(settings):
    """Production settings with every adapter bound to its real service."""
    settings.DEBUG = False
    settings.DEMO = False
    settings.SMS_BACKEND = "tencent"
    settings.TENCENT_SMS = dict(REAL_SMS)
    settings.WECHAT_API_BASE_URL = "https://api.weixin.qq.com/"
    settings.WECHATPAY_BACKEND = "wechatpay"
    settings.WECHATPAY = dict(REAL_WECHATPAY)
    settings.EINVOICE_BACKEND = "nuonuo"
    settings.NUONUO = dict(REAL_NUONUO)
    settings.STRIPE_BACKEND = "stripe"
    settings.STRIPE_API_BASE = "https://api.stripe.com"
    settings.STRIPE_SECRET_KEY = REAL_ENV["STRIPE_SECRET_KEY"]
    settings.STRIPE_WEBHOOK_SECRET = REAL_ENV["STRIPE_WEBHOOK_SECRET"]
    settings.STRIPE_PUBLISHABLE_KEY = REAL_ENV["STRIPE_PUBLISHABLE_KEY"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = REAL_ENV["EMAIL_HOST"]
    settings.DEFAULT_FROM_EMAIL = REAL_ENV["DEFAULT_FROM_EMAIL"]
    settings.SECRET_KEY = RANDOM_LOOKING_SECRET  # and keys fit for real data (core.crypto's guard)
    settings.WUYE_DATA_KEYS = REAL_ENV["WUYE_DATA_KEYS"]
    crypto.reset_keys()
    yield settings
    crypto.reset_keys()


def _refusal() -> str:
    with pytest.raises(ImproperlyConfigured) as refused:
        adapters.refuse_unsafe_start()
    return str(refused.value)


# --- the rule, in process ---------------------------------------------------------------------


def test_production_with_real_adapters_starts(production):
    adapters.refuse_unsafe_start()
    assert {b.adapter: b.standin for b in adapters.bindings()} == {
        "einvoice": False,
        "email": False,
        "sms": False,
        "stripe": False,
        "wechat": False,
        "wechatpay": False,
    }


def test_production_refuses_the_wechat_pay_stand_in(production):
    production.WECHATPAY_BACKEND = "standin"
    message = _refusal()
    assert "wechatpay points at a stand-in" in message


def test_production_refuses_wechat_pay_without_its_keys(production):
    production.WECHATPAY = {**REAL_WECHATPAY, "APIV3_KEY": "short", "PLATFORM_PUBLIC_KEY": "", "SP_MCHID": ""}
    message = _refusal()
    assert "WECHATPAY_APIV3_KEY (32 bytes)" in message and "WECHATPAY_PLATFORM_PUBLIC_KEY" in message
    assert "WECHATPAY_SP_MCHID" in message and MERCHANT_PEM not in message
    production.WECHATPAY = {**REAL_WECHATPAY, "API_BASE": "http://127.0.0.1:9/"}
    assert "WECHATPAY_API_BASE (https)" in _refusal()


@pytest.mark.parametrize("backend", ["console", "locmem", "filebased", "dummy"], ids=lambda name: f"{name}-backend")
def test_production_refuses_mail_that_goes_nowhere(production, backend):
    production.EMAIL_BACKEND = f"django.core.mail.backends.{backend}.EmailBackend"
    assert f"email points at a stand-in ({backend})" in _refusal()


def test_production_refuses_smtp_without_a_server_or_sender(production):
    production.EMAIL_HOST = "localhost"  # the settings' default: nothing listens there in a container
    production.DEFAULT_FROM_EMAIL = "noreply@localhost"
    message = _refusal()
    assert "email (smtp://localhost) lacks EMAIL_HOST, DEFAULT_FROM_EMAIL" in message
    production.EMAIL_HOST = "smtp.exmail.qq.com"
    production.DEFAULT_FROM_EMAIL = "物业 <noreply@wuye.example.com>"
    adapters.refuse_unsafe_start()


def test_a_deployment_without_wechat_pay_says_so(production):
    production.WECHATPAY_BACKEND = "disabled"
    production.WECHATPAY = {}
    adapters.refuse_unsafe_start()


def test_production_refuses_the_einvoice_stand_in_and_nuonuo_without_its_keys(production):
    production.EINVOICE_BACKEND = "standin"
    assert "einvoice points at a stand-in" in _refusal()
    production.EINVOICE_BACKEND = "nuonuo"
    production.NUONUO = {**REAL_NUONUO, "APP_SECRET": "", "API_BASE": "http://127.0.0.1:9/"}
    message = _refusal()
    assert "NUONUO_APP_SECRET" in message and "NUONUO_API_BASE (https)" in message
    production.EINVOICE_BACKEND = "disabled"
    adapters.refuse_unsafe_start()


def test_compose_refuses_the_einvoice_stand_in():
    environment = {**_compose_environment("web", REAL_ENV), "WUYE_EINVOICE_BACKEND": "standin"}
    started = _settings_of(environment)
    assert started.returncode != 0 and "einvoice points at a stand-in" in started.stderr


def test_production_refuses_the_sms_stand_in(production):
    production.SMS_BACKEND = "standin"
    message = _refusal()
    assert "sms" in message and "standin" in message and "WUYE_DEMO" in message and "拒绝启动" in message


def test_production_refuses_the_stripe_stand_in_and_stripe_without_its_keys(production):
    production.STRIPE_BACKEND = "standin"
    assert "stripe points at a stand-in" in _refusal()
    production.STRIPE_BACKEND = "stripe"
    production.STRIPE_API_BASE = "http://127.0.0.1:8000/_standins/stripe"
    assert "stripe points at a stand-in" in _refusal()
    production.STRIPE_API_BASE = "https://api.stripe.com"
    production.STRIPE_WEBHOOK_SECRET = ""
    message = _refusal()
    assert "STRIPE_WEBHOOK_SECRET" in message and REAL_ENV["STRIPE_SECRET_KEY"] not in message


@pytest.mark.parametrize(
    "base",
    ["http://127.0.0.1:8000/_standins/wechat/", "http://localhost:8000/", "http://[::1]/", "https://x.localhost/"],
)
def test_production_refuses_wechat_on_a_stand_in(production, base):
    production.WECHAT_API_BASE_URL = base
    assert "wechat" in _refusal()


def test_production_refuses_an_adapter_without_its_settings(production):
    production.TENCENT_SMS = {**REAL_SMS, "SECRET_KEY": "", "TEMPLATE_IDS": {}}
    message = _refusal()
    assert "TENCENT_SMS_SECRET_KEY" in message and "TENCENT_SMS_TEMPLATE_IDS[login_code]" in message
    assert REAL_SMS["SECRET_ID"] not in message


def test_production_refuses_sms_without_the_password_templates(production):
    """Reset codes and staff invitations are texted with templates of their own: a deployment that
    approved only the login code's would fail each one at send time, so it does not start."""
    production.TENCENT_SMS = {**REAL_SMS, "TEMPLATE_IDS": {"login_code": "1234567"}}
    message = _refusal()
    assert "TENCENT_SMS_TEMPLATE_IDS[password_code]" in message and "TENCENT_SMS_TEMPLATE_IDS[staff_invite]" in message
    assert "TENCENT_SMS_TEMPLATE_IDS[login_code]" not in message


def test_the_demo_switch_or_debug_lets_stand_ins_start(production):
    production.SMS_BACKEND = "standin"
    production.DEMO = True
    adapters.refuse_unsafe_start()
    production.DEMO = False
    production.DEBUG = True
    adapters.refuse_unsafe_start()
    # ...but `check --deploy` still calls them errors.
    assert [error.id for error in adapters.deploy_check()] == ["wuye.E001"]


def test_other_modules_register_adapters_and_guards(production, monkeypatch):
    monkeypatch.setattr(adapters, "_probes", dict(adapters._probes))
    monkeypatch.setattr(adapters, "_guards", dict(adapters._guards))
    adapters.register("payments", lambda: adapters.Binding(adapter="payments", backend="standin", standin=True))
    assert "payments" in _refusal()
    adapters.register("payments", lambda: adapters.Binding(adapter="payments", backend="wechatpay", standin=False))
    adapters.refuse_unsafe_start()
    adapters.register_guard("data-keys", lambda: ["WUYE_DATA_KEYS is derived from SECRET_KEY"])
    assert "WUYE_DATA_KEYS is derived" in _refusal()


# --- only in the demo: stand-ins' device endpoints, login codes --------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/_standins/wechat/_device/apps", {"appid": "wxalpha000000001", "secret": "mine-now"}),
        ("/_standins/wechat/_device/login", {"appid": "wxalpha000000001", "user": "someone"}),
    ],
)
def test_stand_in_device_endpoints_answer_only_in_the_demo(client_for, settings, path, body):
    from standins import wechat

    wechat.register_app("wxalpha000000001", "the-real-secret")
    settings.DEMO = False
    answer = client_for().post(path, body, format="json")
    assert answer.status_code == 404
    assert wechat._store().get(f"{wechat.PREFIX}app:wxalpha000000001") == "the-real-secret"


# --- the wiring, in fresh processes ------------------------------------------------------------


def _env(**values: str) -> dict[str, str]:
    """A clean environment (none of the test run's switches) for a fresh process."""
    env = {
        "PATH": os.environ["PATH"],
        "PYTHONPATH": f"{ROOT / 'platform'}:{ROOT}",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres"),
        "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
        "DJANGO_SECRET_KEY": RANDOM_LOOKING_SECRET,
    }
    env.update(values)
    return env


def _run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(args, env=env, cwd=ROOT, capture_output=True, text=True, timeout=120)


FACTS = """
import json, django
django.setup()
from django.conf import settings
from django.urls import Resolver404, resolve
try:
    resolve("/_standins/wechat/_device/login", urlconf="config.urls_public")
    routed = True
except Resolver404:
    routed = False
print(json.dumps({"wechat": settings.WECHAT_API_BASE_URL, "sms": settings.SMS_BACKEND, "standins_routed": routed}))
"""


def test_outside_the_demo_adapters_default_to_the_real_services_and_no_stand_in_is_routed():
    outside = _run([sys.executable, "-c", FACTS], _env(DJANGO_DEBUG="true"))
    assert outside.returncode == 0, outside.stderr
    assert json.loads(outside.stdout.splitlines()[-1]) == {
        "wechat": "https://api.weixin.qq.com/",
        "sms": "tencent",
        "standins_routed": False,
    }
    demo = _run([sys.executable, "-c", FACTS], _env(WUYE_DEMO="true"))
    assert demo.returncode == 0, demo.stderr
    facts = json.loads(demo.stdout.splitlines()[-1])
    assert facts["sms"] == "standin" and "/_standins/wechat/" in facts["wechat"] and facts["standins_routed"]


@pytest.mark.parametrize(
    "command",
    [
        [sys.executable, "-c", "import config.wsgi"],  # what gunicorn loads
        [sys.executable, "-m", "celery", "-A", "config", "worker", "-Q", "wuye-never", "--without-mingle"],
    ],
    ids=["web", "worker"],
)
def test_web_and_worker_refuse_to_start_on_a_stand_in(command):
    started = _run(command, _env(WUYE_SMS_BACKEND="standin"))
    assert started.returncode != 0
    assert "Refusing to start" in started.stderr and "sms points at a stand-in" in started.stderr


def test_check_deploy_reports_stand_ins_as_errors_even_under_debug():
    checked = _run([sys.executable, "manage.py", "check", "--deploy"], _env(DJANGO_DEBUG="true"))
    assert checked.returncode != 0
    assert "wuye.E001" not in checked.stderr  # SMS defaults to Tencent outside the demo...
    assert "wuye.E002" in checked.stderr and "TENCENT_SMS_SECRET_ID" in checked.stderr  # ...which needs its keys
    demo = _run([sys.executable, "manage.py", "check", "--deploy"], _env(DJANGO_DEBUG="true", WUYE_DEMO="true"))
    assert demo.returncode != 0 and "wuye.E000" in demo.stderr


def test_the_run_command_sets_the_demo_switch(monkeypatch):
    import launcher

    monkeypatch.setenv("DATABASE_URL", "postgres://unused")
    monkeypatch.setenv("REDIS_URL", "redis://unused")
    monkeypatch.delenv("WUYE_DEMO", raising=False)
    assert launcher._env()["WUYE_DEMO"] == "true"


# --- deploy/ as shipped ------------------------------------------------------------------------

_VARIABLE = re.compile(r"\$\{(?P<name>\w+)(?:(?P<op>:?[-?])(?P<arg>[^}]*))?\}")


class MissingVariables(Exception):
    pass


def _compose_environment(service: str, given: dict[str, str]) -> dict[str, str]:
    """The environment docker compose gives `service`, interpolated from `given` as compose does."""
    compose = yaml.safe_load((ROOT / "deploy" / "docker-compose.yml").read_text())
    missing: list[str] = []

    def substitute(match: re.Match) -> str:
        name, op, arg = match["name"], match["op"], match["arg"]
        value = given.get(name)
        if op and op.startswith(":") and not value:
            value = None
        if value is None:
            if op and op.endswith("?"):
                missing.append(name)
                return ""
            return arg if op and op.endswith("-") else ""
        return value

    environment = {
        name: _VARIABLE.sub(substitute, str(value))
        for name, value in compose["services"][service]["environment"].items()
    }
    if missing:
        raise MissingVariables(missing)
    return environment


def test_compose_needs_real_values_and_ships_no_demo_switch_or_default_secret():
    with pytest.raises(MissingVariables) as missing:
        _compose_environment("web", {})
    assert {"DJANGO_SECRET_KEY", "TENCENT_SMS_SECRET_KEY", "TENCENT_SMS_SECRET_ID"} <= set(missing.value.args[0])
    environment = _compose_environment("web", REAL_ENV)
    assert "WUYE_DEMO" not in environment and "change-me" not in json.dumps(environment)
    assert environment["DJANGO_SECRET_KEY"] == REAL_ENV["DJANGO_SECRET_KEY"]
    for service in ("worker", "beat", "migrate"):
        assert _compose_environment(service, REAL_ENV) == environment


def _settings_of(environment: dict[str, str]) -> subprocess.CompletedProcess:
    env = {"PATH": os.environ["PATH"], "PYTHONPATH": f"{ROOT / 'platform'}:{ROOT}", **environment}
    env["DJANGO_SETTINGS_MODULE"] = "config.settings"
    return _run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "ERROR"], env)


def test_compose_refuses_to_start_with_the_sms_stand_in():
    environment = {**_compose_environment("web", REAL_ENV), "WUYE_SMS_BACKEND": "standin"}
    started = _settings_of(environment)
    assert started.returncode != 0 and "sms points at a stand-in" in started.stderr


def test_compose_needs_the_wechat_pay_keys_and_refuses_its_stand_in():
    with pytest.raises(MissingVariables) as missing:
        _compose_environment("web", {k: v for k, v in REAL_ENV.items() if not k.startswith("WECHATPAY_")})
    assert {"WECHATPAY_SP_MCHID", "WECHATPAY_APIV3_KEY", "WECHATPAY_MERCHANT_PRIVATE_KEY"} <= set(missing.value.args[0])
    environment = {**_compose_environment("web", REAL_ENV), "WUYE_WECHATPAY_BACKEND": "standin"}
    started = _settings_of(environment)
    assert started.returncode != 0 and "wechatpay points at a stand-in" in started.stderr


def test_compose_starts_with_real_adapter_settings():
    started = _settings_of(_compose_environment("web", REAL_ENV))
    assert started.returncode == 0, started.stderr
    assert "wuye.E0" not in started.stdout + started.stderr


def test_kubernetes_takes_every_value_from_the_secret_and_sets_no_demo_switch():
    text = (ROOT / "deploy" / "k8s" / "wuye.yaml").read_text()
    documents = [doc for doc in yaml.safe_load_all(text) if doc]
    containers = [
        container
        for doc in documents
        if doc["kind"] in ("Deployment", "Job")
        for container in doc["spec"]["template"]["spec"]["containers"]
    ]
    assert len(containers) == 4
    for container in containers:
        assert container["envFrom"] == [{"secretRef": {"name": "wuye-env"}}]
        # No defaults that would start without the secret's real values: only the proxy hop count,
        # which is a fact of the deployment, not a secret.
        assert {item["name"] for item in container.get("env", [])} <= {"WUYE_TRUSTED_PROXY_COUNT"}
    assert "WUYE_DEMO" not in text and "_standins" not in text
    for name in ("TENCENT_SMS_SECRET_KEY", "DJANGO_SECRET_KEY", "WUYE_DATA_KEYS", "WECHATPAY_APIV3_KEY"):
        assert name in text  # the secret's required keys are listed for the operator
