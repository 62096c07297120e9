"""Production refuses to start on a data key derived from the secret key, or on a default secret
(a guard in core.adapters' startup registry)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from core import adapters, crypto

GOOD_SECRET = "p7Vq2mR9xL4tZ8wK1nB6cY3hJ5fD0gS-aE_uQiOoWvXrT"
GOOD_KEYS = "k1:" + "q0rN8yV2mX5cL7tB1wZ4hJ6kD9fG3sA-eU_iOpQrStY="


@pytest.fixture
def production(settings):
    settings.DEBUG = False
    settings.DEMO = False
    settings.SECRET_KEY = GOOD_SECRET
    settings.WUYE_DATA_KEYS = GOOD_KEYS
    crypto.reset_keys()
    yield settings
    crypto.reset_keys()


def _key_problems() -> list[str]:
    return [message for code, message in adapters.problems() if code == "wuye.E003"]


def test_good_keys_pass(production):
    assert crypto.data_key_problems() == []
    assert _key_problems() == []


@pytest.mark.parametrize(
    ("secret", "keys", "says"),
    [
        (GOOD_SECRET, "", "WUYE_DATA_KEYS is unset"),
        (GOOD_SECRET, "local", "is `local`"),
        (GOOD_SECRET, "k1:short", "malformed"),
        (GOOD_SECRET, "k1:" + "A" * 43 + "=", "not random"),
        ("change-me", GOOD_KEYS, "DJANGO_SECRET_KEY"),
        ("django-insecure-" + "x1y2z3" * 8, GOOD_KEYS, "DJANGO_SECRET_KEY"),
        ("a-short-but-random-Q7x9", GOOD_KEYS, "DJANGO_SECRET_KEY"),
        ("x" * 60, GOOD_KEYS, "DJANGO_SECRET_KEY"),
    ],
)
def test_derived_default_or_weak_keys_are_refused_in_production(production, secret, keys, says):
    production.SECRET_KEY = secret
    production.WUYE_DATA_KEYS = keys
    crypto.reset_keys()
    assert any(says in problem for problem in crypto.data_key_problems())
    assert any(says in problem for problem in _key_problems())
    with pytest.raises(ImproperlyConfigured, match=says):
        adapters.refuse_unsafe_start()


@pytest.mark.parametrize("switch", ["DEBUG", "DEMO"])
def test_development_and_the_demo_may_use_the_derived_key(production, switch):
    production.SECRET_KEY = "change-me"
    production.WUYE_DATA_KEYS = ""
    setattr(production, switch, True)
    crypto.reset_keys()
    assert crypto.data_key_problems()  # still reported by `check --deploy` ...
    adapters.refuse_unsafe_start()  # ... but the process starts


def _manage_check(**overrides: str) -> subprocess.CompletedProcess:
    root = Path(__file__).resolve().parents[2]
    env = {k: v for k, v in os.environ.items() if k not in {"WUYE_TESTING", "WUYE_DEMO", "DJANGO_DEBUG"}}
    env.update(PYTHONPATH=f"{root / 'platform'}:{root}", DJANGO_SETTINGS_MODULE="config.settings", **overrides)
    return subprocess.run(
        [sys.executable, str(root / "manage.py"), "check"], env=env, cwd=root, capture_output=True, text=True
    )


def test_the_process_refuses_to_start_on_the_secret_compose_used_to_ship():
    refused = _manage_check(DJANGO_SECRET_KEY="change-me", WUYE_DATA_KEYS="")
    assert refused.returncode != 0
    assert "Refusing to start" in refused.stderr
    assert "WUYE_DATA_KEYS is unset" in refused.stderr and "DJANGO_SECRET_KEY is a known default" in refused.stderr
    keyed = _manage_check(DJANGO_SECRET_KEY=GOOD_SECRET, WUYE_DATA_KEYS=GOOD_KEYS)
    assert "WUYE_DATA_KEYS" not in keyed.stderr and "DJANGO_SECRET_KEY" not in keyed.stderr
