"""The Tencent Cloud SMS adapter against a stand-in that checks Tencent's protocol, over real HTTP."""

from __future__ import annotations

import json
import logging
import socket
import time

import pytest
import requests

from notifications import sms
from notifications.tencent_sms import (
    TencentSmsConfig,
    TencentSmsGateway,
    authorization,
    canonical_request,
    string_to_sign,
)
from standins import sms as sms_standin
from standins.sms import Account, TencentSmsStandIn

PHONE = "13677778888"
SECRET_KEY = "test-only-secret-key-0123456789ab"
ACCOUNT = Account(
    secret_id="AKIDtestAccount0000000000000000000001",
    secret_key=SECRET_KEY,
    sdk_app_id="1400123456",
    sign_names=frozenset({"测试物业"}),
    templates={"2000001": "验证码{1}，5分钟内有效。"},
    verification_templates=frozenset({"2000001"}),
)


@pytest.fixture(autouse=True)
def _clean_standin():
    sms_standin.reset(PHONE)
    yield
    sms_standin.reset(PHONE)


@pytest.fixture
def endpoint(serve_wsgi):
    return serve_wsgi(TencentSmsStandIn([ACCOUNT]).wsgi_app)


def _config(endpoint: str, **changes) -> TencentSmsConfig:
    values = {
        "secret_id": ACCOUNT.secret_id,
        "secret_key": SECRET_KEY,
        "sdk_app_id": ACCOUNT.sdk_app_id,
        "sign_name": "测试物业",
        "template_ids": {"login_code": "2000001"},
        "endpoint": endpoint,
        **changes,
    }
    return TencentSmsConfig(**values)


class _Sleeps(list):
    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def _gateway(endpoint: str, *, clock=time.time, **changes) -> tuple[TencentSmsGateway, _Sleeps]:
    sleeps = _Sleeps()
    return TencentSmsGateway(_config(endpoint, **changes), clock=clock, sleep=sleeps), sleeps


def _send(gateway: TencentSmsGateway, phone: str = PHONE) -> sms.SmsReceipt:
    return gateway.send(phone=phone, template="login_code", params={"code": "123456"})


def test_signing_matches_tencents_published_example():
    """Tencent's signature v3 document signs DescribeInstances on cvm at 1551113065 (2019-02-25)."""
    payload = b'{"Limit": 1, "Filters": [{"Values": ["\\u672a\\u547d\\u540d"], "Name": "instance-name"}]}'
    canonical = canonical_request(host="cvm.tencentcloudapi.com", action="DescribeInstances", payload=payload)
    assert canonical == (
        "POST\n/\n\ncontent-type:application/json; charset=utf-8\nhost:cvm.tencentcloudapi.com\n"
        "x-tc-action:describeinstances\n\ncontent-type;host;x-tc-action\n"
        "35e9c5b0e3ae67532d3c9f17ead6c90222632e5b1ff7f6e89887f1398934f064"
    )
    assert string_to_sign(timestamp=1551113065, service="cvm", canonical=canonical) == (
        "TC3-HMAC-SHA256\n1551113065\n2019-02-25/cvm/tc3_request\n"
        "7019a55be8395899b900fb5564e4200d984910f34794a27cb3fb7d10ff6a1e84"
    )


def test_a_signed_request_is_delivered(endpoint):
    gateway, sleeps = _gateway(endpoint)
    receipt = _send(gateway)
    message = sms_standin.outbox(PHONE)[0]
    assert receipt.message_id == message["serial"]
    assert message["text"] == "【测试物业】验证码123456，5分钟内有效。" and message["params"] == ["123456"]
    assert sleeps == []


def test_a_wrong_key_is_a_signature_failure_and_sends_nothing(endpoint):
    gateway, sleeps = _gateway(endpoint, secret_key="not-the-key")
    with pytest.raises(sms.SmsError) as refused:
        _send(gateway)
    assert refused.value.code == "AuthFailure.SignatureFailure"
    assert refused.value.reason is sms.SmsFailure.UNAVAILABLE
    assert sleeps == [] and sms_standin.outbox(PHONE) == []  # not retried: another try cannot fix a key


def test_an_unknown_secret_id_is_refused(endpoint):
    with pytest.raises(sms.SmsError) as refused:
        _send(_gateway(endpoint, secret_id="AKIDunknown")[0])
    assert refused.value.code == "AuthFailure.SecretIdNotFound"


def test_a_clock_more_than_five_minutes_off_is_refused(endpoint):
    with pytest.raises(sms.SmsError) as refused:
        _send(_gateway(endpoint, clock=lambda: time.time() - 400)[0])
    assert refused.value.code == "AuthFailure.SignatureExpire"


def test_the_stand_in_checks_the_signature_over_the_body_it_received(endpoint):
    """A signature is bound to its body: the same headers on another body fail, as at Tencent."""
    host = endpoint.removeprefix("http://").rstrip("/")
    signed = json.dumps({"PhoneNumberSet": [f"+86{PHONE}"]}).encode()
    sent = json.dumps({"PhoneNumberSet": ["+8613900000000"]}).encode()
    timestamp = int(time.time())
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "Host": host,
        "X-TC-Action": "SendSms",
        "X-TC-Version": "2021-01-11",
        "X-TC-Timestamp": str(timestamp),
        "X-TC-Region": "ap-guangzhou",
        "Authorization": authorization(
            secret_id=ACCOUNT.secret_id,
            secret_key=SECRET_KEY,
            host=host,
            action="SendSms",
            payload=signed,
            timestamp=timestamp,
        ),
    }
    answer = requests.post(endpoint, data=sent, headers=headers, timeout=5).json()["Response"]
    assert answer["Error"]["Code"] == "AuthFailure.SignatureFailure" and answer["RequestId"]
    unsigned = requests.post(endpoint, data=sent, headers={**headers, "Authorization": "Bearer x"}, timeout=5)
    assert unsigned.json()["Response"]["Error"]["Code"] == "AuthFailure.InvalidAuthorization"


def test_an_unapproved_sign_name_or_template_is_refused(endpoint):
    with pytest.raises(sms.SmsError) as refused:
        _send(_gateway(endpoint, sign_name="别的物业")[0])
    assert refused.value.code == "FailedOperation.SignatureIncorrectOrUnapproved"
    with pytest.raises(sms.SmsError) as refused:
        _send(_gateway(endpoint, template_ids={"login_code": "9999999"})[0])
    assert refused.value.code == "FailedOperation.TemplateIncorrectOrUnapproved"


def test_a_second_message_within_thirty_seconds_is_throttled(endpoint):
    gateway, sleeps = _gateway(endpoint)
    _send(gateway)
    with pytest.raises(sms.SmsError) as refused:
        _send(gateway)
    assert refused.value.code == "LimitExceeded.PhoneNumberThirtySecondLimit"
    assert refused.value.reason is sms.SmsFailure.THROTTLED and sleeps == []
    assert len(sms_standin.outbox(PHONE)) == 1


def test_a_malformed_number_is_an_invalid_number(endpoint):
    with pytest.raises(sms.SmsError) as refused:
        _send(_gateway(endpoint)[0], phone="12345")
    assert refused.value.code == "InvalidParameterValue.IncorrectPhoneNumber"
    assert refused.value.reason is sms.SmsFailure.INVALID_NUMBER


def test_the_apis_rate_limit_is_retried_with_a_fresh_signature(endpoint):
    sms_standin.fail_next("RequestLimitExceeded")
    gateway, sleeps = _gateway(endpoint)
    _send(gateway)
    assert sleeps == [0.25] and len(sms_standin.outbox(PHONE)) == 1


def test_a_lasting_internal_error_gives_up_after_three_tries(endpoint):
    sms_standin.fail_next("InternalError.Timeout", times=5)
    gateway, sleeps = _gateway(endpoint)
    with pytest.raises(sms.SmsError) as refused:
        _send(gateway)
    assert refused.value.code == "InternalError.Timeout" and sleeps == [0.25, 0.5]


def test_an_unreachable_provider_is_retried_then_unavailable():
    with socket.socket() as free:  # a port that was just free: nothing listens there
        free.bind(("127.0.0.1", 0))
        port = free.getsockname()[1]
    gateway, sleeps = _gateway(f"http://127.0.0.1:{port}/")
    with pytest.raises(sms.SmsError) as refused:
        _send(gateway)
    assert refused.value.code == "Network" and refused.value.reason is sms.SmsFailure.UNAVAILABLE
    assert sleeps == [0.25, 0.5]


def test_account_problems_are_logged_without_secrets_and_not_retried(endpoint, caplog):
    sms_standin.fail_next("UnauthorizedOperation.SerivceSuspendDueToArrears")
    gateway, sleeps = _gateway(endpoint)
    with caplog.at_level(logging.DEBUG), pytest.raises(sms.SmsError):
        _send(gateway)
    assert sleeps == []
    assert "UnauthorizedOperation.SerivceSuspendDueToArrears" in caplog.text
    assert SECRET_KEY not in caplog.text and "123456" not in caplog.text and "Signature=" not in caplog.text


def test_missing_settings_are_named():
    empty = TencentSmsConfig(secret_id="", secret_key="", sdk_app_id="", sign_name="", template_ids={})
    assert empty.missing() == (
        "TENCENT_SMS_SECRET_ID",
        "TENCENT_SMS_SECRET_KEY",
        "TENCENT_SMS_SDK_APP_ID",
        "TENCENT_SMS_SIGN_NAME",
        "TENCENT_SMS_TEMPLATE_IDS[login_code]",
        "TENCENT_SMS_TEMPLATE_IDS[password_code]",
        "TENCENT_SMS_TEMPLATE_IDS[staff_invite]",
    )
    assert "secret" not in repr(_config("https://sms.tencentcloudapi.com/")).lower().replace("secret_id", "")


# --- through the API: provider answers become the API's errors --------------------------------


def _send_code(client_for, company):
    return client_for(company).post("/api/v1/auth/sms/send/", {"phone": PHONE}, format="json")


@pytest.mark.django_db
def test_the_configured_tencent_backend_texts_a_login_code_over_http(client_for, company_a, endpoint, settings):
    settings.SMS_BACKEND = "tencent"
    settings.TENCENT_SMS = {
        "SECRET_ID": ACCOUNT.secret_id,
        "SECRET_KEY": SECRET_KEY,
        "SDK_APP_ID": ACCOUNT.sdk_app_id,
        "SIGN_NAME": "测试物业",
        "TEMPLATE_IDS": {"login_code": "2000001"},
        "REGION": "ap-guangzhou",
        "ENDPOINT": endpoint,
    }
    sent = _send_code(client_for, company_a)
    assert sent.status_code == 200, sent.content
    assert sms_standin.outbox(PHONE)[0]["text"].startswith("【测试物业】")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("code", "status", "error"),
    [
        ("LimitExceeded.PhoneNumberDailyLimit", 429, "throttled"),
        ("InvalidParameterValue.IncorrectPhoneNumber", 400, "invalid"),
        ("FailedOperation.SignatureIncorrectOrUnapproved", 503, "sms_unavailable"),
        ("AuthFailure.SignatureFailure", 503, "sms_unavailable"),
    ],
)
def test_provider_refusals_become_api_errors(client_for, company_a, code, status, error):
    sms_standin.fail_next(code)
    answer = _send_code(client_for, company_a)
    assert answer.status_code == status and answer.json()["code"] == error
    assert "debug_code" not in answer.json()
