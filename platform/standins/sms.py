"""A stand-in for an SMS provider (shaped like Aliyun's SendSms): what it accepts, refuses and keeps.

Answers {"Code": "OK", "BizId": ...} or an error code: isv.MOBILE_NUMBER_ILLEGAL for a malformed
number, isv.TEMPLATE_MISSING_PARAMETERS, isv.BUSINESS_LIMIT_CONTROL when one number gets more than
1 message a minute or 5 an hour (Aliyun's defaults). Delivered messages go to an outbox in Redis
that tests and the demo read (`outbox(phone)`).
"""

from __future__ import annotations

import json
import re
import secrets
import time

import redis
from django.conf import settings

PREFIX = "standin:sms:"
TEMPLATES = {"login_code": "您的验证码为 ${code}，5 分钟内有效。如非本人操作请忽略。"}


def _store() -> redis.Redis:
    return redis.Redis.from_url(settings.REDIS_URL, decode_responses=True)


def _limited(store: redis.Redis, phone: str, window: int, limit: int) -> bool:
    key = f"{PREFIX}rate:{window}:{phone}"
    count = store.incr(key)
    if count == 1:
        store.expire(key, window)
    return count > limit


def send_sms(*, phone: str, template: str, params: dict[str, str], sign_name: str) -> dict[str, str]:
    request_id = secrets.token_hex(8)
    if not re.fullmatch(r"1[3-9]\d{9}", phone):
        return {"Code": "isv.MOBILE_NUMBER_ILLEGAL", "Message": "非法手机号", "RequestId": request_id}
    text = TEMPLATES.get(template)
    if text is None:
        return {"Code": "isv.SMS_TEMPLATE_ILLEGAL", "Message": "模板不合法", "RequestId": request_id}
    missing = set(re.findall(r"\$\{(\w+)\}", text)) - set(params)
    if missing:
        return {"Code": "isv.TEMPLATE_MISSING_PARAMETERS", "Message": "模板缺少变量", "RequestId": request_id}
    store = _store()
    if _limited(store, phone, 60, 1) or _limited(store, phone, 3600, 5):
        return {"Code": "isv.BUSINESS_LIMIT_CONTROL", "Message": "触发号码天级流控", "RequestId": request_id}
    for name, value in params.items():
        text = text.replace("${" + name + "}", value)
    biz_id = f"{int(time.time())}^{secrets.token_hex(6)}"
    message = {"phone": phone, "sign": sign_name, "text": f"【{sign_name}】{text}", "params": params, "biz_id": biz_id}
    store.lpush(f"{PREFIX}outbox:{phone}", json.dumps(message, ensure_ascii=False))
    store.ltrim(f"{PREFIX}outbox:{phone}", 0, 49)
    store.expire(f"{PREFIX}outbox:{phone}", 86400)
    return {"Code": "OK", "Message": "OK", "BizId": biz_id, "RequestId": request_id}


def outbox(phone: str) -> list[dict]:
    """Messages delivered to `phone`, newest first."""
    return [json.loads(item) for item in _store().lrange(f"{PREFIX}outbox:{phone}", 0, -1)]


def reset(phone: str) -> None:
    store = _store()
    store.delete(f"{PREFIX}outbox:{phone}", f"{PREFIX}rate:60:{phone}", f"{PREFIX}rate:3600:{phone}")
