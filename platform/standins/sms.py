"""A stand-in for Tencent Cloud SMS (API 3.0, SendSms 2021-01-11) that checks the protocol.

It refuses what Tencent refuses, with Tencent's answers (HTTP 200, `Response.Error.Code`):
- the call: POST, JSON body, X-TC-Action SendSms (InvalidAction), X-TC-Version 2021-01-11
  (NoSuchVersion), a region (UnsupportedRegion), an Authorization header of the TC3 shape
  (AuthFailure.InvalidAuthorization);
- X-TC-Timestamp more than 5 minutes from its clock (AuthFailure.SignatureExpire);
- an unknown SecretId (AuthFailure.SecretIdNotFound); a signature that differs from the one it
  recomputes, with the account's key, over the request exactly as received — signed headers, body,
  credential scope (AuthFailure.SignatureFailure);
- the SMS account: SmsSdkAppId (InvalidParameterValue.SdkAppIdNotExist), an approved SignName
  (FailedOperation.SignatureIncorrectOrUnapproved), an approved TemplateId
  (FailedOperation.TemplateIncorrectOrUnapproved), its parameter count and, for a code, 0-6 digits
  (InvalidParameterValue.TemplateParameterFormatError).
Per number (`SendStatusSet[].Code`): a mainland mobile in E.164 (InvalidParameterValue.
IncorrectPhoneNumber), at most 200 numbers a request (LimitExceeded.PhoneNumberCountLimit), the
API's own limit of 3000 requests a second per account (RequestLimitExceeded) and Tencent's default
frequency limits — 1 message per 30 s, 5 per hour, 10 per
day (LimitExceeded.PhoneNumberThirtySecondLimit / OneHourLimit / DailyLimit); "Ok" otherwise, and the
message goes to an outbox in Redis that tests and the demo read (`outbox(phone)`).
`fail_next(code)` makes the next requests fail with any code (an outage, a rate limit, arrears).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import redis
import requests

from core import redis_client
from notifications.tencent_sms import TencentSmsConfig
from standins.transport import WsgiTransport

PREFIX = "standin:tencent-sms:"
HOST = "sms.tencentcloudapi.com"
REGIONS = frozenset({"ap-guangzhou", "ap-beijing", "ap-nanjing"})
MAX_SKEW_SECONDS = 300
MAX_NUMBERS = 200  # numbers in one request (PhoneNumberSet)
REQUESTS_PER_SECOND = 3000  # SendSms's frequency limit per account
LIMITS = [  # Tencent's defaults for one number, in the order it checks them
    (30, 1, "LimitExceeded.PhoneNumberThirtySecondLimit", "单个手机号30秒内下发短信条数超过设定的上限"),
    (3600, 5, "LimitExceeded.PhoneNumberOneHourLimit", "单个手机号1小时内下发短信条数超过设定的上限"),
    (86400, 10, "LimitExceeded.PhoneNumberDailyLimit", "单个手机号日下发短信条数超过设定的上限"),
]
# Per number (KEYS: its three limit counters, its outbox; ARGV: limit, window × 3, then the texts):
# 0 when sent, else which limit (1-3) refused it.
_DELIVER = """
local answers = {}
local n = #KEYS / 4
for i = 1, n do
  local base = (i - 1) * 4
  local refused = 0
  for j = 1, 3 do
    if tonumber(redis.call('GET', KEYS[base + j]) or '0') >= tonumber(ARGV[2 * j - 1]) then
      refused = j
      break
    end
  end
  if refused == 0 then
    for j = 1, 3 do
      if redis.call('INCR', KEYS[base + j]) == 1 then redis.call('EXPIRE', KEYS[base + j], ARGV[2 * j]) end
    end
    redis.call('LPUSH', KEYS[base + 4], ARGV[6 + i])
    redis.call('LTRIM', KEYS[base + 4], 0, 49)
    redis.call('EXPIRE', KEYS[base + 4], 86400)
  end
  answers[i] = refused
end
return answers
"""
_AUTHORIZATION = re.compile(
    r"TC3-HMAC-SHA256 Credential=(?P<id>[^/\s]+)/(?P<date>\d{4}-\d{2}-\d{2})/(?P<service>[^/\s]+)/(?P<end>[^,\s]+),"
    r"\s*SignedHeaders=(?P<headers>[a-z0-9;-]+),\s*Signature=(?P<signature>[0-9a-f]{64})"
)


@dataclass(frozen=True)
class Account:
    """A Tencent Cloud account with one SMS application, its approved signatures and templates."""

    secret_id: str
    secret_key: str = field(repr=False)
    sdk_app_id: str
    sign_names: frozenset[str]
    templates: dict[str, str]  # template ID -> text with {1}, {2}... placeholders
    verification_templates: frozenset[str] = frozenset()


DEMO_ACCOUNT = Account(
    secret_id="AKIDwuyeStandIn0000000000000000000000",
    secret_key="wuye-standin-secret-key-000000000",
    sdk_app_id="1400000000",
    sign_names=frozenset({"物业云"}),
    templates={
        "1000001": "您的验证码为{1}，5 分钟内有效。如非本人操作请忽略。",
        "1000002": "您正在找回密码，验证码为{1}，10 分钟内有效。如非本人操作请忽略。",
        "1000003": "{1}为您开通了员工账号，请在 72 小时内打开链接设置密码：{2}",
        "1000004": "{1}的{2}账单已出，金额{3}元，请在{4}前缴纳。",
        "1000005": "{1}尚欠物业费用{2}元，请尽快缴纳。",
        "1000006": "{1}发生{2}，请注意安全并听从物业安排。",
        "1000007": "{1}有{2}元账单将于{3}到期，请及时缴纳。",
        "1000008": "{1}有{2}元账单已于{3}到期，尚未缴纳，请尽快缴纳。",
        "1000021": "已收到{1}的缴费{2}元，收据号{3}。",
        "1000022": "{1}的退款{2}元已退回。",
        "1000023": "{1}截至今日尚欠物业费用{2}元，请尽快缴纳。",
        "1000031": "{1}的业主下了新订单{2}，请登录服务商平台确认。",
        "1000032": "{1}的订单{2}已取消，请登录服务商平台查看。",
        "1000033": "{1}更新了与您的合作状态，请登录服务商平台查看。",
        "1000034": "您的{1}有效期至{2}，请登录服务商平台上传新证件。",
        "1000035": "{1}邀请您入驻服务商平台：{2}",
    },
    verification_templates=frozenset({"1000001", "1000002"}),
)
DEMO_CONFIG = TencentSmsConfig(
    secret_id=DEMO_ACCOUNT.secret_id,
    secret_key=DEMO_ACCOUNT.secret_key,
    sdk_app_id=DEMO_ACCOUNT.sdk_app_id,
    sign_name="物业云",
    template_ids={
        "login_code": "1000001",
        "password_code": "1000002",
        "staff_invite": "1000003",
        "bill_issued": "1000004",
        "final_notice": "1000005",
        "security_alert": "1000006",
        "bill_due_soon": "1000007",
        "bill_overdue": "1000008",
        "payment_received": "1000021",
        "refund_completed": "1000022",
        "arrears_reminder": "1000023",
        "vendor_order_booked": "1000031",
        "vendor_order_cancelled": "1000032",
        "vendor_admission": "1000033",
        "vendor_document": "1000034",
        "vendor_invite": "1000035",
    },
    endpoint=f"https://{HOST}/",
)


def _store() -> redis.Redis:
    return redis_client.client()


def _hmac(key: bytes, text: str) -> bytes:
    return hmac.new(key, text.encode(), hashlib.sha256).digest()


class Refusal(Exception):
    def __init__(self, code: str, message: str):
        self.code = code
        self.message = message


class TencentSmsStandIn:
    def __init__(self, accounts: Iterable[Account], *, clock: Callable[[], float] = time.time):
        self.accounts = {account.secret_id: account for account in accounts}
        self.clock = clock

    def handle(self, method: str, path: str, headers: dict[str, str], body: bytes) -> tuple[int, dict[str, Any]]:
        """One HTTP request (header names lowercased) -> (status, JSON answer)."""
        request_id = str(uuid.uuid4())
        try:
            forced = _store().lpop(f"{PREFIX}fail-next")
            if forced:
                raise Refusal(str(forced), "stand-in told to fail")
            account = self._authenticate(method, path, headers, body)
            self._within_request_limit(account)
            result = self._send(account, body)
        except Refusal as refusal:
            return 200, {
                "Response": {"Error": {"Code": refusal.code, "Message": refusal.message}, "RequestId": request_id}
            }
        return 200, {"Response": {"SendStatusSet": result, "RequestId": request_id}}

    def _within_request_limit(self, account: Account) -> None:
        """Tencent's frequency limit of the SendSms API per account (requests per second)."""
        key = f"{PREFIX}requests:{account.secret_id}:{int(self.clock())}"
        store = _store()
        count = store.incr(key)
        if count == 1:
            store.expire(key, 2)
        if count > REQUESTS_PER_SECOND:
            raise Refusal("RequestLimitExceeded", "请求的次数超过了频率限制")

    def _authenticate(self, method: str, path: str, headers: dict[str, str], body: bytes) -> Account:
        if method != "POST" or path not in ("", "/"):
            raise Refusal("UnsupportedProtocol", "只支持 POST /")
        if not headers.get("content-type", "").startswith("application/json"):
            raise Refusal("UnsupportedProtocol", "Content-Type 须为 application/json")
        if headers.get("x-tc-action") != "SendSms":
            raise Refusal("InvalidAction", "接口不存在")
        if headers.get("x-tc-version") != "2021-01-11":
            raise Refusal("NoSuchVersion", "接口版本不存在")
        if headers.get("x-tc-region") not in REGIONS:
            raise Refusal("UnsupportedRegion", "接口不支持所传地域")
        match = _AUTHORIZATION.fullmatch(headers.get("authorization", "").strip())
        if match is None:
            raise Refusal("AuthFailure.InvalidAuthorization", "请求头部的 Authorization 不符合腾讯云标准")
        try:
            timestamp = int(headers.get("x-tc-timestamp", ""))
        except ValueError:
            raise Refusal("MissingParameter", "缺少 X-TC-Timestamp") from None
        if abs(self.clock() - timestamp) > MAX_SKEW_SECONDS:
            raise Refusal("AuthFailure.SignatureExpire", "签名过期。Timestamp 和服务器时间相差不得超过五分钟")
        account = self.accounts.get(match["id"])
        if account is None:
            raise Refusal("AuthFailure.SecretIdNotFound", "密钥不存在")
        if not hmac.compare_digest(self._signature(account, match, headers, body, timestamp), match["signature"]):
            raise Refusal(
                "AuthFailure.SignatureFailure", "签名错误。签名计算错误，请对照调用方式中的接口鉴权文档检查签名计算过程"
            )
        return account

    @staticmethod
    def _signature(account: Account, match: re.Match, headers: dict[str, str], body: bytes, timestamp: int) -> str:
        """Recompute the signature over the request as received, as Tencent does."""
        date = datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d")
        signed = match["headers"].split(";")
        if (match["date"], match["service"], match["end"]) != (date, "sms", "tc3_request"):
            return ""
        if not {"content-type", "host"} <= set(signed) or signed != sorted(signed):
            return ""
        canonical_headers = "".join(f"{name}:{headers.get(name, '').strip().lower()}\n" for name in signed)
        canonical = f"POST\n/\n\n{canonical_headers}\n{match['headers']}\n{hashlib.sha256(body).hexdigest()}"
        scope = f"{date}/sms/tc3_request"
        to_sign = f"TC3-HMAC-SHA256\n{timestamp}\n{scope}\n{hashlib.sha256(canonical.encode()).hexdigest()}"
        key = b"TC3" + account.secret_key.encode()
        for part in (date, "sms", "tc3_request"):
            key = _hmac(key, part)
        return hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()

    def _send(self, account: Account, body: bytes) -> list[dict[str, Any]]:
        try:
            request = json.loads(body)
        except ValueError:
            raise Refusal("FailedOperation.JsonParseFail", "解析请求包体时候失败") from None
        if request.get("SmsSdkAppId") != account.sdk_app_id:
            raise Refusal("InvalidParameterValue.SdkAppIdNotExist", "SdkAppId 不存在")
        if request.get("SignName") not in account.sign_names:
            raise Refusal("FailedOperation.SignatureIncorrectOrUnapproved", "签名未审批或格式错误")
        template_id = request.get("TemplateId")
        text = account.templates.get(template_id)
        if text is None:
            raise Refusal("FailedOperation.TemplateIncorrectOrUnapproved", "模板未审批或内容不匹配")
        params = [str(value) for value in request.get("TemplateParamSet") or []]
        placeholders = set(re.findall(r"\{(\d+)\}", text))
        if len(params) != len(placeholders) or (
            template_id in account.verification_templates and not all(re.fullmatch(r"\d{0,6}", p) for p in params)
        ):
            raise Refusal("InvalidParameterValue.TemplateParameterFormatError", "验证码模板参数格式错误")
        phones = request.get("PhoneNumberSet") or []
        if not phones:
            raise Refusal("MissingParameter.EmptyPhoneNumberSet", "传入的号码列表为空")
        if len(phones) > MAX_NUMBERS:
            raise Refusal("LimitExceeded.PhoneNumberCountLimit", "单次提交的手机号个数超过200个")
        for number, value in enumerate(params, start=1):
            text = text.replace(f"{{{number}}}", value)
        return self._deliver(account, [str(phone) for phone in phones], request["SignName"], text, params)

    def _deliver(
        self, account: Account, phones: list[str], sign: str, text: str, params: list[str]
    ) -> list[dict[str, Any]]:
        """Each number's answer, in order: its format, then Tencent's per-number limits, else sent."""
        nationals = []
        for phone in phones:
            match = re.fullmatch(r"(?:\+86)?(1[3-9]\d{9})", phone)
            nationals.append(match[1] if match else None)
        valid = [national for national in nationals if national]
        keys, texts, serials = [], [], []
        for national in valid:
            keys += [f"{PREFIX}rate:{window}:{account.sdk_app_id}:{national}" for window, *_rest in LIMITS]
            keys.append(f"{PREFIX}outbox:{national}")
            serial = f"{int(self.clock())}:{secrets.token_hex(8)}"
            serials.append(serial)
            texted = {"phone": national, "sign": sign, "text": f"【{sign}】{text}", "params": params, "serial": serial}
            texts.append(json.dumps(texted, ensure_ascii=False))
        limits = [value for window, limit, *_rest in LIMITS for value in (limit, window)]
        # Every number's limits checked and counted, and its message kept, in one atomic step.
        over = iter(_store().register_script(_DELIVER)(keys=keys, args=[*limits, *texts]) if valid else [])
        serial_of = iter(serials)
        answers = []
        for phone, national in zip(phones, nationals, strict=True):
            status = {"SerialNo": "", "PhoneNumber": phone, "Fee": 0, "SessionContext": "", "IsoCode": "CN"}
            if national is None:
                code = "InvalidParameterValue.IncorrectPhoneNumber"
                answers.append({**status, "Code": code, "Message": "手机号格式错误"})
                continue
            refused, serial = int(next(over)), next(serial_of)
            if refused:
                _window, _limit, code, message = LIMITS[refused - 1]
                answers.append({**status, "Code": code, "Message": message})
                continue
            answers.append({**status, "SerialNo": serial, "Fee": 1, "Code": "Ok", "Message": "send success"})
        return answers

    def wsgi_app(self, environ: dict, start_response: Callable) -> list[bytes]:
        """The service as a WSGI app (tests serve it on a loopback port; the demo calls it in-process)."""
        headers = {
            key[5:].replace("_", "-").lower(): value for key, value in environ.items() if key.startswith("HTTP_")
        }
        if environ.get("CONTENT_TYPE"):
            headers["content-type"] = environ["CONTENT_TYPE"]
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        status, payload = self.handle(environ["REQUEST_METHOD"], environ.get("PATH_INFO", ""), headers, body)
        data = json.dumps(payload, ensure_ascii=False).encode()
        start_response(f"{status} OK", [("Content-Type", "application/json"), ("Content-Length", str(len(data)))])
        return [data]


standin = TencentSmsStandIn([DEMO_ACCOUNT])


def in_process_session() -> requests.Session:
    """A requests session whose calls to Tencent's SMS host reach this stand-in, never the network."""
    session = requests.Session()
    session.mount(f"https://{HOST}/", WsgiTransport(standin.wsgi_app))
    return session


def fail_next(code: str, times: int = 1) -> None:
    """Answer the next `times` requests (any account) with the error `code`."""
    _store().rpush(f"{PREFIX}fail-next", *([code] * times))


def outbox(phone: str) -> list[dict]:
    """Messages delivered to `phone` (11 digits), newest first."""
    return [json.loads(item) for item in _store().lrange(f"{PREFIX}outbox:{phone}", 0, -1)]


def reset(phone: str | None = None) -> None:
    """Forget `phone`'s messages and limits (and any pending fail_next)."""
    store = _store()
    keys = [f"{PREFIX}fail-next"]
    if phone:
        keys.append(f"{PREFIX}outbox:{phone}")
        keys += list(store.scan_iter(match=f"{PREFIX}rate:*:{phone}"))
    store.delete(*keys)
