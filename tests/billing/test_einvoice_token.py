"""Nuonuo's access token when none is configured (a merchant app): fetched once with the app key and
secret, shared through Redis by every process, fetched again when it nears its end or the API refuses
it — and never in a loop (Nuonuo allows few fetches a month)."""

from __future__ import annotations

import threading

import pytest
import redis
from django.conf import settings

from einvoice import EInvoiceError
from einvoice.nuonuo import NuonuoConfig, NuonuoProvider
from standins import einvoice as standin

SELLER_TAX = "91310000MA1FL0DQ3J"


@pytest.fixture
def merchant_app():
    """A provider configured as a merchant app: no access token, the stand-in's key and secret."""
    config = standin.demo_config()
    store = redis.Redis.from_url(settings.REDIS_URL)
    key = f"einvoice:nuonuo:token:{config.app_key}"
    store.delete(key, key + ":lock", "standin:einvoice:token-fetches", "standin:einvoice:fail-next")
    standin.expire_token()
    yield NuonuoConfig(**{**config.__dict__, "access_token": ""})
    store.delete(key, key + ":lock")
    standin.expire_token()


def _ask(config: NuonuoConfig):
    return NuonuoProvider(config, standin.in_process_session()).query(order_no="WY-NONE", seller_tax_number=SELLER_TAX)


def test_the_token_is_fetched_once_and_shared_by_every_provider(merchant_app):
    assert _ask(merchant_app) is None  # the call went through with a fetched token
    assert _ask(merchant_app) is None
    assert standin.token_fetches() == 1


def test_processes_asking_at_once_fetch_once(merchant_app):
    errors: list[Exception] = []

    def ask():
        try:
            _ask(merchant_app)
        except Exception as exc:
            errors.append(exc)

    threads = [threading.Thread(target=ask) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and standin.token_fetches() == 1


def test_a_refused_token_is_fetched_again_once_and_the_call_sent_again(merchant_app):
    _ask(merchant_app)
    standin.expire_token()  # Nuonuo ended it before our copy expired
    assert _ask(merchant_app) is None
    assert standin.token_fetches() == 2


def test_a_token_refused_right_after_a_fresh_fetch_is_an_error_not_a_loop(merchant_app):
    standin.fail_next("070202", status=200, times=2)  # refused twice, whatever the token
    with pytest.raises(EInvoiceError) as refused:
        _ask(merchant_app)
    assert refused.value.code == "070202"
    assert standin.token_fetches() == 2  # the first token and one fresh one, then it gives up


def test_wrong_app_credentials_are_a_clear_error(merchant_app):
    wrong = NuonuoConfig(**{**merchant_app.__dict__, "app_secret": "WRONG"})
    with pytest.raises(EInvoiceError) as refused:
        _ask(wrong)
    assert refused.value.code == "TOKEN_REFUSED" and refused.value.status == 401
    assert standin.token_fetches() == 0


def test_a_configured_token_is_used_as_it_is(merchant_app):
    configured = standin.demo_config()
    assert configured.access_token
    assert (
        NuonuoProvider(configured, standin.in_process_session()).query(order_no="WY-NONE", seller_tax_number=SELLER_TAX)
        is None
    )
    assert standin.token_fetches() == 0


def test_production_needs_no_configured_token_but_an_https_token_url():
    config = standin.demo_config()
    merchant = NuonuoConfig(**{**config.__dict__, "access_token": ""})
    assert merchant.missing() == ()
    assert (
        "NUONUO_TOKEN_URL (https)"
        in NuonuoConfig(**{**merchant.__dict__, "token_url": "http://open.nuonuo.com/accessToken"}).missing()
    )
