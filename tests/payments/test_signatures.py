"""WeChat Pay v3 cryptography: signatures over the raw body (valid, invalid, tampered, wrong serial,
stale), the AEAD_AES_256_GCM resource, our own request signatures as the stand-in checks them."""

from __future__ import annotations

import time

import pytest

from payments.gateways import VerificationFailed
from payments.gateways import wechatpay_sign as crypto

BODY = b'{"id":"x","event_type":"TRANSACTION.SUCCESS"}'


@pytest.fixture(scope="module")
def platform_key():
    return crypto.generate_key()


def _keys(key, serial="PUB_KEY_ID_1"):
    return {serial: key.public_key()}


def _headers(key, body=BODY, serial="PUB_KEY_ID_1", now=None):
    return {k.lower(): v for k, v in crypto.signed_headers(key, serial, body, now=now).items()}


def test_a_valid_signature_passes(platform_key):
    crypto.verify_signed(_keys(platform_key), _headers(platform_key), BODY)


@pytest.mark.parametrize(
    "spoil",
    [
        pytest.param(lambda h, b: (h | {"wechatpay-signature": "AAAA"}, b), id="invalid-signature"),
        pytest.param(lambda h, b: (h, b.replace(b"SUCCESS", b"SUCCES5")), id="tampered-body"),
        pytest.param(lambda h, b: (h, b + b" "), id="re-serialised-body"),
        pytest.param(lambda h, b: (h | {"wechatpay-serial": "PUB_KEY_ID_2"}, b), id="wrong-serial"),
        pytest.param(lambda h, b: (h | {"wechatpay-nonce": "other"}, b), id="other-nonce"),
        pytest.param(lambda h, b: ({k: v for k, v in h.items() if k != "wechatpay-timestamp"}, b), id="no-timestamp"),
        # Digits int() refuses though str.isdigit() takes them: a refusal, not a 500 on the webhook.
        pytest.param(lambda h, b: (h | {"wechatpay-timestamp": "¹⁷⁰⁰⁰⁰⁰⁰⁰⁰"}, b), id="superscript-timestamp"),
    ],
)
def test_anything_else_is_refused(platform_key, spoil):
    headers, body = spoil(_headers(platform_key), BODY)
    with pytest.raises(VerificationFailed):
        crypto.verify_signed(_keys(platform_key), headers, body)


def test_a_stale_or_future_timestamp_is_refused(platform_key):
    for skew in (-301, 301):
        headers = _headers(platform_key, now=time.time() + skew)
        with pytest.raises(VerificationFailed, match="stale"):
            crypto.verify_signed(_keys(platform_key), headers, BODY)
    crypto.verify_signed(_keys(platform_key), _headers(platform_key, now=time.time() - 250), BODY)


def test_a_strangers_key_under_the_right_serial_is_refused(platform_key):
    with pytest.raises(VerificationFailed, match="bad"):
        crypto.verify_signed(_keys(platform_key), _headers(crypto.generate_key()), BODY)


def test_the_resource_decrypts_with_the_api_v3_key_only():
    key = "0123456789abcdef0123456789ABCDEF"
    resource = crypto.encrypt_resource(key, b'{"a":1}', associated_data="transaction", original_type="transaction")
    assert crypto.decrypt_resource(key, resource) == b'{"a":1}'
    with pytest.raises(VerificationFailed):
        crypto.decrypt_resource("f" * 32, resource)
    with pytest.raises(VerificationFailed):
        crypto.decrypt_resource(key, {**resource, "associated_data": "refund"})
    with pytest.raises(VerificationFailed):
        crypto.decrypt_resource(key, {**resource, "ciphertext": "AAAA" + resource["ciphertext"][4:]})
    with pytest.raises(VerificationFailed):
        crypto.decrypt_resource(key, {**resource, "algorithm": "AES_128_CBC"})


def test_the_stand_in_refuses_requests_we_did_not_sign(settings):
    """Our client signs every call; the stand-in recomputes the signature as WeChat Pay does."""
    import requests

    from payments.gateways import GatewayError, wechatpay
    from standins import wechatpay as standin

    session = standin.in_process_session()
    answer = session.get(f"{wechatpay.REAL_BASE}/v3/pay/partner/transactions/out-trade-no/W1?sp_mchid=1&sub_mchid=2")
    assert answer.status_code == 401 and answer.json()["code"] == "SIGN_ERROR"
    config = standin.demo_config()
    gateway = wechatpay.WechatPayGateway(config, session)
    stranger_key = crypto.private_pem(crypto.generate_key())
    stranger = wechatpay.WechatPayGateway(
        config.__class__(**{**config.__dict__, "merchant_private_key": stranger_key}), session
    )

    class Order:
        out_trade_no = "W20260101000000ABCDEFGHJKLM"

    merchant = {"sub_mchid": "1230000009"}
    assert gateway.query(Order(), merchant=merchant).state == "unknown"  # signed: the stand-in answers ORDERNOTEXIST
    with pytest.raises(GatewayError) as refused:
        stranger.query(Order(), merchant=merchant)
    assert refused.value.code == "SIGN_ERROR" and refused.value.status == 401
    assert isinstance(session, requests.Session)


def test_answers_not_signed_by_wechat_pay_are_not_believed():
    import secrets
    from datetime import timedelta

    from django.utils import timezone

    from payments.gateways import GatewayError, wechatpay
    from standins import wechatpay as standin

    config = standin.demo_config()
    stranger_key = crypto.public_pem(crypto.generate_key())
    wrong = config.__class__(**{**config.__dict__, "platform_keys": {next(iter(config.platform_keys)): stranger_key}})
    real = wechatpay.WechatPayGateway(config, standin.in_process_session())
    fooled = wechatpay.WechatPayGateway(wrong, standin.in_process_session())

    class Order:
        out_trade_no = "W" + secrets.token_hex(10)
        description = "物业费"
        expires_at = timezone.now() + timedelta(minutes=15)
        amount_fen = 100

    standin.register_sub_merchant("1230000009", "wxc3c3c3c3c3c3c3c3")
    merchant = {"sub_mchid": "1230000009", "sub_appid": "wxc3c3c3c3c3c3c3c3", "notify_url": "https://x.example/n/"}
    real.prepay(Order(), merchant=merchant, payer_account="openid-1")
    assert real.query(Order(), merchant=merchant).state == "pending"
    with pytest.raises(GatewayError) as refused:
        fooled.query(Order(), merchant=merchant)
    assert refused.value.code == "RESPONSE_NOT_VERIFIED"


def test_a_key_is_parsed_once_not_on_every_gateway_call():
    """OpenSSL 3 checks an RSA private key each time it is loaded (hundreds of ms on a busy machine);
    a gateway is built per call, so the parsed keys are kept by PEM."""
    from payments.gateways import wechatpay
    from standins import wechatpay as standin

    pem = crypto.private_pem(crypto.generate_key())
    assert crypto.load_private_key(pem) is crypto.load_private_key(pem)
    public = crypto.public_pem(crypto.load_private_key(pem))
    assert crypto.load_public_key(public) is crypto.load_public_key(public)
    first, second = (wechatpay.WechatPayGateway(standin.demo_config(), standin.in_process_session()) for _ in "12")
    assert first._private_key is second._private_key
    assert first._platform_keys == second._platform_keys
