"""The stand-in's mini-program subscribe messages (POST cgi-bin/message/subscribe/send), as WeChat
answers them: an access token is required (40001 unknown, 42001 expired, 41001 missing); the
template must be one of the mini-program's (40037); the openid one of its users (40003); every
keyword of the template filled within its type's rules (47003: thing ≤ 20 characters, phrase ≤ 5
Chinese characters, amount a number with ¥ or 元 …); 45009 past the app's send quota; -1 (system
busy) now and then; and a message goes out only against a one-time subscription the user gave that
template (43101 otherwise), which it then uses up. A refused send uses none.

Not part of WeChat: `POST /_device/templates` adds a template to a mini-program (its console),
`POST /_device/subscribe` plays the owner accepting wx.requestSubscribeMessage, and the functions
below let tests expire tokens, force a busy answer, lower the quota and read what was sent.
"""

from __future__ import annotations

import json
import re
import secrets
import time
from typing import Any

import redis

from core import redis_client

PREFIX = "standin:wechat:"
SEND_LIMIT_PER_MINUTE = 1000
BUSY_RATE = 0.02  # of sends answered -1 (system busy), unless set_busy_rate() says otherwise

# The keyword types of subscribe-message templates and the values WeChat takes for them.
_CHINESE = r"[\u4e00-\u9fff]"
_DATE = r"\d{4}年\d{1,2}月\d{1,2}日"
_RULES: dict[str, re.Pattern[str]] = {
    "thing": re.compile(r"(?s).{1,20}"),
    "number": re.compile(r"[+-]?\d{1,30}(\.\d{1,30})?"),
    "letter": re.compile(r"[A-Za-z]{1,32}"),
    "symbol": re.compile(r"[^\w\s]{1,5}"),
    "character_string": re.compile(r"[A-Za-z0-9_\-.:/#]{1,32}"),
    "time": re.compile(
        rf"(({_DATE}|\d{{4}}-\d{{2}}-\d{{2}}) )?\d{{1,2}}:\d{{2}}(:\d{{2}})?|{_DATE}|\d{{4}}-\d{{2}}-\d{{2}}"
    ),
    "date": re.compile(rf"({_DATE}|\d{{4}}-\d{{2}}-\d{{2}})( \d{{1,2}}:\d{{2}}(:\d{{2}})?)?"),
    "amount": re.compile(r"¥?\d{1,10}(\.\d{1,2})?元?"),
    "phone_number": re.compile(r"[\d+\-() ]{1,17}"),
    "car_number": re.compile(r".{1,8}"),
    "name": re.compile(rf"{_CHINESE}{{1,10}}|[A-Za-z ]{{1,20}}"),
    "phrase": re.compile(rf"{_CHINESE}{{1,5}}"),
}
KEYWORD = re.compile(r"([a-z_]+?)(\d+)")


def _error(errcode: int, errmsg: str) -> tuple[int, dict[str, Any]]:
    return 200, {"errcode": errcode, "errmsg": f"{errmsg} rid: {secrets.token_hex(6)}"}


def valid_value(keyword: str, value: str) -> bool:
    match = KEYWORD.fullmatch(keyword)
    rule = _RULES.get(match.group(1)) if match else None
    return rule is not None and bool(rule.fullmatch(value))


def _token_app(store: redis.Redis, token: str) -> tuple[str, int | None]:
    """(appid, None) for a live token; ("", errcode) otherwise."""
    if not token:
        return "", 41001
    record = store.get(f"{PREFIX}token:{token}")
    if record is None:
        return "", 40001
    appid, _sep, expires = str(record).partition("|")
    if expires and float(expires) < time.time():
        return "", 42001
    return appid, None


def send(store: redis.Redis, params: dict[str, str], body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    appid, problem = _token_app(store, params.get("access_token", ""))
    if problem == 41001:
        return _error(41001, "access_token missing")
    if problem == 42001:
        return _error(42001, "access_token expired")
    if problem:
        return _error(40001, "invalid credential, access_token is invalid or not latest")
    template_id, openid = str(body.get("template_id", "")), str(body.get("touser", ""))
    keywords = store.get(f"{PREFIX}template:{appid}:{template_id}")
    if keywords is None:
        return _error(40037, "invalid template_id")
    if not store.sismember(f"{PREFIX}openids:{appid}", openid):
        return _error(40003, "invalid openid")
    data = body.get("data")
    if not isinstance(data, dict):
        return _error(47003, "argument invalid! data invalid")
    for keyword in json.loads(keywords):
        value = data.get(keyword, {}).get("value") if isinstance(data.get(keyword), dict) else None
        if not isinstance(value, str) or not valid_value(keyword, value):
            return _error(47003, f"argument invalid! data.{keyword}.value invalid")
    rate_key = f"{PREFIX}send-rate:{appid}:{int(time.time() // 60)}"
    calls = store.incr(rate_key)
    if calls == 1:
        store.expire(rate_key, 120)
    limit = store.get(f"{PREFIX}send-limit:{appid}")
    if calls > (int(limit) if limit is not None else SEND_LIMIT_PER_MINUTE):
        return _error(45009, "reach max api daily quota limit")
    if _busy(store, appid):
        return _error(-1, "system error")
    credits_key = f"{PREFIX}subscriptions:{appid}:{openid}:{template_id}"
    if store.decr(credits_key) < 0:
        store.incr(credits_key)  # put back: the user had none to use
        return _error(43101, "user refuse to accept the msg")
    msgid = secrets.randbits(62)
    sent = {"msgid": msgid, "template_id": template_id, "data": data, "page": body.get("page", "")}
    store.rpush(f"{PREFIX}sent:{appid}:{openid}", json.dumps(sent, ensure_ascii=False))
    return 200, {"errcode": 0, "errmsg": "ok", "msgid": msgid}


def _busy(store: redis.Redis, appid: str) -> bool:
    forced = f"{PREFIX}busy:{appid}"
    if int(store.get(forced) or 0) > 0:
        store.decr(forced)
        return True
    rate = store.get(f"{PREFIX}busy-rate")
    return secrets.randbelow(10_000) < 10_000 * (float(rate) if rate is not None else BUSY_RATE)


def add_template(store: redis.Redis, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    keywords = [str(k) for k in body.get("keywords", [])]
    if not keywords or any(not (m := KEYWORD.fullmatch(k)) or m.group(1) not in _RULES for k in keywords):
        return 400, {"errcode": 47003, "errmsg": "unknown keyword type"}
    store.set(f"{PREFIX}template:{body['appid']}:{body['template_id']}", json.dumps(keywords))
    return 200, {"ok": True}


def subscribe(store: redis.Redis, body: dict[str, Any], openid: str) -> tuple[int, dict[str, Any]]:
    """The user tapped 允许 for these templates in wx.requestSubscribeMessage: one message each."""
    appid = body.get("appid", "")
    accepted = {}
    for template_id in body.get("template_ids", [])[:3]:  # WeChat asks for at most three at once
        if store.exists(f"{PREFIX}template:{appid}:{template_id}"):
            store.incr(f"{PREFIX}subscriptions:{appid}:{openid}:{template_id}")
            accepted[template_id] = "accept"
        else:
            accepted[template_id] = "reject"
    return 200, {"errMsg": "requestSubscribeMessage:ok", **accepted}


# --- for tests and the demo ----------------------------------------------------------------------


def _store() -> redis.Redis:
    return redis_client.client()


def _tokens(store: redis.Redis, appid: str) -> list[str]:
    return [str(token) for token in store.smembers(f"{PREFIX}tokens:{appid}")]  # str: the store decodes


def expire_tokens(appid: str) -> None:
    """Every access token of the app past its expiry (the next call with one gets 42001)."""
    store = _store()
    for token in _tokens(store, appid):
        if store.exists(f"{PREFIX}token:{token}"):
            store.set(f"{PREFIX}token:{token}", f"{appid}|0", keepttl=True)


def revoke_tokens(appid: str) -> None:
    """Every access token of the app unknown (as after a secret reset: the next call gets 40001)."""
    store = _store()
    for token in _tokens(store, appid):
        store.delete(f"{PREFIX}token:{token}")


def token_fetches(appid: str) -> int:
    return int(_store().get(f"{PREFIX}token-fetches:{appid}") or 0)


def force_busy(appid: str, times: int = 1) -> None:
    _store().set(f"{PREFIX}busy:{appid}", times)


def set_busy_rate(rate: float | None) -> None:
    store = _store()
    if rate is None:
        store.delete(f"{PREFIX}busy-rate")
    else:
        store.set(f"{PREFIX}busy-rate", rate)


def set_send_limit(appid: str, per_minute: int | None) -> None:
    store = _store()
    if per_minute is None:
        store.delete(f"{PREFIX}send-limit:{appid}")
    else:
        store.set(f"{PREFIX}send-limit:{appid}", per_minute)


def subscriptions_left(appid: str, openid: str, template_id: str) -> int:
    return int(_store().get(f"{PREFIX}subscriptions:{appid}:{openid}:{template_id}") or 0)


def sent_to(appid: str, openid: str) -> list[dict[str, Any]]:
    return [json.loads(item) for item in _store().lrange(f"{PREFIX}sent:{appid}:{openid}", 0, -1)]


def reset_app(appid: str) -> None:
    store = _store()
    for key in store.scan_iter(f"{PREFIX}*:{appid}:*"):
        store.delete(key)
    for key in (
        f"busy:{appid}",
        f"send-limit:{appid}",
        f"token-fetches:{appid}",
        f"openids:{appid}",
        f"tokens:{appid}",
    ):
        store.delete(f"{PREFIX}{key}")
