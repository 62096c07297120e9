"""Tencent Cloud SMS, API 3.0 (`SendSms`, version 2021-01-11), signed with TC3-HMAC-SHA256.

The request: POST https://sms.tencentcloudapi.com/ with a JSON body and the headers X-TC-Action,
X-TC-Version, X-TC-Timestamp, X-TC-Region and Authorization. The signature (Tencent's "signature
v3"): a canonical request (method, "/", empty query, the signed headers lowercased as "name:value\\n",
their names, the body's SHA-256) is hashed into a string to sign ("TC3-HMAC-SHA256", timestamp,
"<UTC date>/sms/tc3_request", that hash), which is signed with a key derived from the secret key:
HMAC("TC3" + key, date) -> HMAC(·, "sms") -> HMAC(·, "tc3_request").

Answers: a request-level refusal is `Response.Error.Code` (AuthFailure.SignatureFailure, ...);
otherwise each number has its own `SendStatusSet[].Code`, "Ok" when accepted, else a code such as
LimitExceeded.PhoneNumberThirtySecondLimit. Both map to one SmsError with a reason the caller
acts on. What might pass on a second try (the API's own rate limit, an internal error, the network)
is retried with a fresh signature; resending the same login code is harmless. The secret key, the
Authorization header and template parameters (login codes) are never logged.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import urlsplit

import requests
from django.conf import settings

from notifications.sms import TEMPLATES, SmsError, SmsFailure, SmsReceipt, template_params

logger = logging.getLogger(__name__)

ACTION = "SendSms"
VERSION = "2021-01-11"
SERVICE = "sms"
ALGORITHM = "TC3-HMAC-SHA256"
CONTENT_TYPE = "application/json; charset=utf-8"
SIGNED_HEADERS = ("content-type", "host", "x-tc-action")
MAX_NUMBERS = 200  # numbers in one SendSms request (PhoneNumberSet)

THROTTLED = frozenset(
    {
        "LimitExceeded.PhoneNumberThirtySecondLimit",
        "LimitExceeded.PhoneNumberOneHourLimit",
        "LimitExceeded.PhoneNumberDailyLimit",
        "LimitExceeded.PhoneNumberSameContentDailyLimit",
        "LimitExceeded.DeliveryFrequencyLimit",
    }
)
INVALID_NUMBER = frozenset(
    {
        "InvalidParameterValue.IncorrectPhoneNumber",
        "FailedOperation.PhoneNumberInBlacklist",
        "FailedOperation.PhoneNumberOnBlacklist",
    }
)
# Nothing was sent, or Tencent says its side failed: worth another signed try.
RETRYABLE = frozenset(
    {"RequestLimitExceeded", "InternalError", "InternalError.SendAndRecvFail", "InternalError.Timeout"}
)


@dataclass(frozen=True)
class TencentSmsConfig:
    secret_id: str
    secret_key: str = field(repr=False)
    sdk_app_id: str
    sign_name: str
    template_ids: Mapping[str, str]  # our template name -> Tencent's approved template ID
    region: str = "ap-guangzhou"
    endpoint: str = "https://sms.tencentcloudapi.com/"
    timeout: float = 5.0
    attempts: int = 3

    @classmethod
    def from_settings(cls) -> TencentSmsConfig:
        conf = settings.TENCENT_SMS
        return cls(
            secret_id=conf["SECRET_ID"],
            secret_key=conf["SECRET_KEY"],
            sdk_app_id=conf["SDK_APP_ID"],
            sign_name=conf["SIGN_NAME"],
            template_ids=dict(conf["TEMPLATE_IDS"]),
            region=conf["REGION"],
            endpoint=conf["ENDPOINT"],
        )

    def missing(self) -> tuple[str, ...]:
        """The env variables a production start needs and lacks."""
        names = [
            env
            for env, value in [
                ("TENCENT_SMS_SECRET_ID", self.secret_id),
                ("TENCENT_SMS_SECRET_KEY", self.secret_key),
                ("TENCENT_SMS_SDK_APP_ID", self.sdk_app_id),
                ("TENCENT_SMS_SIGN_NAME", self.sign_name),
            ]
            if not value
        ]
        # Vendors' texts are optional: without their templates they fail closed, with the reason, per text.
        required = [name for name in TEMPLATES if not name.startswith("vendor_")]
        names += [f"TENCENT_SMS_TEMPLATE_IDS[{name}]" for name in required if not self.template_ids.get(name)]
        if not self.endpoint.startswith("https://"):
            names.append("TENCENT_SMS_ENDPOINT (https)")
        return tuple(names)


def _hmac(key: bytes, text: str) -> bytes:
    return hmac.new(key, text.encode(), hashlib.sha256).digest()


def canonical_request(*, host: str, action: str, payload: bytes) -> str:
    headers = {"content-type": CONTENT_TYPE, "host": host, "x-tc-action": action}
    canonical_headers = "".join(f"{name}:{headers[name].strip().lower()}\n" for name in SIGNED_HEADERS)
    return "\n".join(
        ["POST", "/", "", canonical_headers, ";".join(SIGNED_HEADERS), hashlib.sha256(payload).hexdigest()]
    )


def string_to_sign(*, timestamp: int, service: str, canonical: str) -> str:
    date = datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d")
    scope = f"{date}/{service}/tc3_request"
    return "\n".join([ALGORITHM, str(timestamp), scope, hashlib.sha256(canonical.encode()).hexdigest()])


def authorization(*, secret_id: str, secret_key: str, host: str, action: str, payload: bytes, timestamp: int) -> str:
    """The Authorization header of one request."""
    date = datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d")
    to_sign = string_to_sign(
        timestamp=timestamp, service=SERVICE, canonical=canonical_request(host=host, action=action, payload=payload)
    )
    signing_key = _hmac(_hmac(_hmac(f"TC3{secret_key}".encode(), date), SERVICE), "tc3_request")
    signature = hmac.new(signing_key, to_sign.encode(), hashlib.sha256).hexdigest()
    return (
        f"{ALGORITHM} Credential={secret_id}/{date}/{SERVICE}/tc3_request, "
        f"SignedHeaders={';'.join(SIGNED_HEADERS)}, Signature={signature}"
    )


class _Retry(Exception):
    def __init__(self, error: SmsError):
        self.error = error


class TencentSmsGateway:
    def __init__(
        self,
        config: TencentSmsConfig,
        *,
        session: requests.Session | None = None,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self.config = config
        self.session = session or requests.Session()
        self.clock = clock
        self.sleep = sleep

    def has_template(self, template: str) -> bool:
        return template_params(template) is not None and bool(self.config.template_ids.get(template))

    def send(self, *, phone: str, template: str, params: dict[str, str]) -> SmsReceipt:
        return _one(self.send_many(phones=[phone], template=template, params=params))

    def send_many(self, *, phones: list[str], template: str, params: dict[str, str]) -> list[SmsReceipt | SmsError]:
        """One of our templates (by name, with the account's configured ID and signature) to several numbers."""
        names = template_params(template)
        template_id = self.config.template_ids.get(template)
        if names is None or not template_id:
            raise SmsError("ClientConfig", f"no Tencent template ID for {template!r}")
        return self.send_many_approved(phones=phones, template_id=template_id, values=[params[name] for name in names])

    def template_id(self, template: str) -> str:
        """The approved template's ID this account was configured with for one of our names ("" for none)."""
        return self.config.template_ids.get(template, "")

    def send_approved(self, *, phone: str, template_id: str, values: list[str], sign_name: str = "") -> SmsReceipt:
        """Send an approved template by its ID with its positional parameters, under a signature
        (the account's when none is given): a company's own template and signature."""
        return _one(
            self.send_many_approved(phones=[phone], template_id=template_id, values=values, sign_name=sign_name)
        )

    def send_many_approved(
        self, *, phones: list[str], template_id: str, values: list[str], sign_name: str = ""
    ) -> list[SmsReceipt | SmsError]:
        """One request for up to MAX_NUMBERS numbers with the same text (Tencent's PhoneNumberSet):
        per number, in order, its receipt or its refusal. A refusal of the whole request raises."""
        if not 1 <= len(phones) <= MAX_NUMBERS:
            raise ValueError(f"one SendSms request takes 1 to {MAX_NUMBERS} numbers")
        body = {
            "PhoneNumberSet": [phone if phone.startswith("+") else f"+86{phone}" for phone in phones],
            "SmsSdkAppId": self.config.sdk_app_id,
            "SignName": sign_name or self.config.sign_name,
            "TemplateId": template_id,
            "TemplateParamSet": values,
        }
        payload = json.dumps(body, ensure_ascii=False).encode()
        for attempt in range(1, self.config.attempts + 1):
            try:
                return self._attempt(payload, count=len(phones))
            except _Retry as retry:
                if attempt == self.config.attempts:
                    raise retry.error from None
                logger.warning("Tencent SMS: %s, try %d again", retry.error.code, attempt + 1)
                self.sleep(0.25 * 2 ** (attempt - 1))
        raise AssertionError("unreachable")

    def _attempt(self, payload: bytes, *, count: int) -> list[SmsReceipt | SmsError]:
        host = urlsplit(self.config.endpoint).netloc
        timestamp = int(self.clock())
        headers = {
            "Content-Type": CONTENT_TYPE,
            "Host": host,
            "X-TC-Action": ACTION,
            "X-TC-Version": VERSION,
            "X-TC-Timestamp": str(timestamp),
            "X-TC-Region": self.config.region,
            "Authorization": authorization(
                secret_id=self.config.secret_id,
                secret_key=self.config.secret_key,
                host=host,
                action=ACTION,
                payload=payload,
                timestamp=timestamp,
            ),
        }
        try:
            response = self.session.post(
                self.config.endpoint, data=payload, headers=headers, timeout=self.config.timeout
            )
        except requests.RequestException as exc:
            raise _Retry(SmsError("Network", exc.__class__.__name__)) from exc
        try:
            answer = response.json()["Response"]
        except (ValueError, KeyError, TypeError):
            error = SmsError("HTTP", f"HTTP {response.status_code} without an API answer")
            if response.status_code >= 500:
                raise _Retry(error) from None
            raise error from None
        request_id = answer.get("RequestId", "")
        if "Error" in answer:
            raise self._refused(answer["Error"].get("Code", ""), answer["Error"].get("Message", ""), request_id)
        statuses = answer.get("SendStatusSet") or []
        if len(statuses) != count:
            raise SmsError("HTTP", f"{len(statuses)} statuses for {count} numbers", request_id=request_id)
        results: list[SmsReceipt | SmsError] = []
        for status in statuses:  # in the order of PhoneNumberSet
            if status.get("Code") == "Ok":
                results.append(SmsReceipt(message_id=status.get("SerialNo", request_id)))
                continue
            try:
                results.append(self._refused(status.get("Code", ""), status.get("Message", ""), request_id))
            except _Retry as retry:
                if count == 1:
                    raise
                results.append(retry.error)  # one number's answer is no reason to text the others again
        return results

    def _refused(self, code: str, message: str, request_id: str) -> SmsError:
        """The refusal to raise (or a _Retry, raised here, for what another signed try may pass)."""
        if code in THROTTLED:
            return SmsError(code, message, reason=SmsFailure.THROTTLED, request_id=request_id)
        if code in INVALID_NUMBER:
            return SmsError(code, message, reason=SmsFailure.INVALID_NUMBER, request_id=request_id)
        error = SmsError(code, message, request_id=request_id)
        if code in RETRYABLE:
            raise _Retry(error)
        # Ours to fix (keys, signature, template, balance): say so loudly, without secrets.
        logger.error("Tencent SMS refused: %s (%s), request %s", code, message, request_id)
        return error


def _one(answers: list[SmsReceipt | SmsError]) -> SmsReceipt:
    if isinstance(answers[0], SmsError):
        raise answers[0]
    return answers[0]
