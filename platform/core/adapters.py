"""Outside services fail closed: a registry of adapters and production guards, checked at startup.

Every adapter for the outside world (SMS, WeChat; payments and e-mail later) registers a probe
that says which backend it is bound to, whether that backend is a local stand-in and which of its
required settings are missing. Other rules that production must meet (for example "no derived data
key") register a guard that returns its problems.

In production — DEBUG off and the demo switch (settings.DEMO, env WUYE_DEMO) off — the process
refuses to start while any adapter points at a stand-in, lacks a required setting, or any guard
reports a problem: `CoreConfig.ready` calls `refuse_unsafe_start()`, which runs in every process
that sets Django up (gunicorn, Celery worker and beat, manage.py). `manage.py check --deploy`
lists the same problems as errors whatever DEBUG says, so they can be seen before deploying.

Register at import time of your app's `apps.py` (Django imports every app's `apps.py` before it
runs any `ready()`, so the registry is complete when core's `ready()` checks it). Probes and
guards read settings only: no database, no network.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django.apps import AppConfig
from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string


@dataclass(frozen=True)
class Binding:
    """What one adapter is bound to right now."""

    adapter: str  # "sms", "wechat", ...
    backend: str  # "tencent", "standin", "https://api.weixin.qq.com/", ...
    standin: bool
    missing: tuple[str, ...] = ()  # settings (env names) the real backend needs and lacks


Probe = Callable[[], Binding]
Guard = Callable[[], list[str]]

_probes: dict[str, Probe | str] = {}
_guards: dict[str, Guard | str] = {}


def is_local(base_url: str) -> bool:
    """A base URL of ours (the /_standins/ routes) or of this machine: a stand-in, not the real service."""
    parts = urlsplit(base_url)
    host = (parts.hostname or "").lower()
    if "_standins" in parts.path or host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def register(adapter: str, probe: Probe | str) -> None:
    """Register an adapter's probe (a callable or its dotted path, imported when first checked)."""
    _probes[adapter] = probe


def register_guard(name: str, guard: Guard | str) -> None:
    """Register another production rule: a callable returning readable problems (empty: fine)."""
    _guards[name] = guard


def _resolve(target: Callable[..., Any] | str) -> Callable[..., Any]:
    return import_string(target) if isinstance(target, str) else target


def bindings() -> list[Binding]:
    return [_resolve(probe)() for _name, probe in sorted(_probes.items())]


def in_production() -> bool:
    return not settings.DEBUG and not settings.DEMO


def problems() -> list[tuple[str, str]]:
    """(check id, message) for everything that must not reach production, whatever the mode."""
    found: list[tuple[str, str]] = []
    for binding in bindings():
        if binding.standin:
            found.append(
                (
                    "wuye.E001",
                    f"{binding.adapter} 指向替身服务（{binding.backend}）/ "
                    f"{binding.adapter} points at a stand-in ({binding.backend})",
                )
            )
        if binding.missing:
            names = ", ".join(binding.missing)
            found.append(
                (
                    "wuye.E002",
                    f"{binding.adapter}（{binding.backend}）缺少配置 {names} / "
                    f"{binding.adapter} ({binding.backend}) lacks {names}",
                )
            )
    for _name, guard in sorted(_guards.items()):
        found.extend(("wuye.E003", problem) for problem in _resolve(guard)())
    return found


# Operators read this in a crash log, in whichever language they read: both, and not through
# gettext (which would pick one, and is not set up this early in every process).
REFUSAL = (
    "拒绝启动：DEBUG 关闭（生产环境）时，外部服务不能使用替身或缺少配置。请配置真实服务；"
    "仅在演示时设置 WUYE_DEMO=true。\n"
    "Refusing to start: with DEBUG off (production) no outside service may use a stand-in or lack "
    "its settings. Configure the real services; set WUYE_DEMO=true for a demo only.\n"
)


def refuse_unsafe_start() -> None:
    """Raise ImproperlyConfigured in production while anything registered here is unsafe."""
    if not in_production():
        return
    found = problems()
    if found:
        raise ImproperlyConfigured(REFUSAL + "\n".join(f"  - [{code}] {message}" for code, message in found))


@checks.register(checks.Tags.security, deploy=True)
def deploy_check(app_configs: Sequence[AppConfig] | None = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """`manage.py check --deploy`: the startup refusal's problems as errors, even under DEBUG."""
    if settings.DEMO:
        return [
            checks.Error(
                "WUYE_DEMO=true：演示模式（替身服务、API 返回验证码）/ demo mode (stand-ins, login codes in answers)",
                hint="Unset WUYE_DEMO in production.",
                id="wuye.E000",
            )
        ]
    return [checks.Error(message, id=code) for code, message in problems()]
