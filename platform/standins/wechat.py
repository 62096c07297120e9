"""A stand-in for WeChat's server API (api.weixin.qq.com): access tokens, mini-program login and
subscribe messages (standins.wechat_messages).

Behaves like the real service where our code can tell: the same paths and JSON, errcodes 40013
(invalid appid), 40125 (invalid secret), 40029 (invalid code), 40163 (code already used), 40002
(bad grant_type), 45011 (too frequent); codes are one-time and expire after 5 minutes; openids are
stable per (appid, WeChat user) and differ between mini-programs, as in WeChat. Access tokens
expire after two hours (42001 after that, 40001 for one never issued).

Not part of WeChat: `POST /_device/apps` registers a mini-program (appid, secret) and
`POST /_device/login` plays a phone calling wx.login() for a WeChat user, returning a code;
`/_device/templates` and `/_device/subscribe` are standins.wechat_messages'.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import time
from typing import Any
from urllib.parse import parse_qs

import redis

from core import redis_client
from standins import wechat_messages

PREFIX = "standin:wechat:"
CODE_TTL = 300
TOKEN_TTL = 7200
LOGIN_LIMIT_PER_MINUTE = 100


def _store() -> redis.Redis:
    return redis_client.client()


def _error(errcode: int, errmsg: str) -> tuple[int, dict[str, Any]]:
    rid = secrets.token_hex(6)
    return 200, {"errcode": errcode, "errmsg": f"{errmsg}, rid: {rid}"}  # WeChat answers errors with 200


def openid_for(appid: str, wechat_user: str) -> str:
    return "o" + hashlib.sha256(f"{appid}:{wechat_user}".encode()).hexdigest()[:27]


def _check_app(store: redis.Redis, appid: str, secret: str) -> tuple[int, dict] | None:
    known = store.get(f"{PREFIX}app:{appid}")
    if known is None:
        return _error(40013, "invalid appid")
    if not secrets.compare_digest(str(known), secret or ""):  # a str: the store decodes responses
        return _error(40125, "invalid appsecret")
    return None


def handle(method: str, path: str, params: dict[str, str], body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    store = _store()
    path = path.strip("/")
    if method == "GET" and path == "cgi-bin/token":
        if params.get("grant_type") != "client_credential":
            return _error(40002, "invalid grant_type")
        problem = _check_app(store, params.get("appid", ""), params.get("secret", ""))
        if problem:
            return problem
        appid = params["appid"]
        token = secrets.token_urlsafe(48)
        # Kept past its expiry, so a late call is told 42001 (expired) rather than 40001 (unknown).
        store.set(f"{PREFIX}token:{token}", f"{appid}|{time.time() + TOKEN_TTL}", ex=TOKEN_TTL + 3600)
        store.sadd(f"{PREFIX}tokens:{appid}", token)
        store.incr(f"{PREFIX}token-fetches:{appid}")
        return 200, {"access_token": token, "expires_in": TOKEN_TTL}
    if method == "POST" and path == "cgi-bin/message/subscribe/send":
        return wechat_messages.send(store, params, body)
    if method == "GET" and path == "sns/jscode2session":
        if params.get("grant_type") != "authorization_code":
            return _error(40002, "invalid grant_type")
        appid = params.get("appid", "")
        problem = _check_app(store, appid, params.get("secret", ""))
        if problem:
            return problem
        rate_key = f"{PREFIX}rate:{appid}"
        calls = store.incr(rate_key)
        if calls == 1:
            store.expire(rate_key, 60)  # (no EXPIRE NX: the embedded Redis is 6.2)
        if calls > LOGIN_LIMIT_PER_MINUTE:
            return _error(45011, "api minute-quota reach limit")
        code = params.get("js_code", "")
        record = store.get(f"{PREFIX}code:{code}")
        if record is None:
            return _error(40029, "invalid code")
        data = json.loads(record)
        if data["appid"] != appid:
            return _error(40029, "invalid code")
        if not store.set(f"{PREFIX}used:{code}", "1", ex=CODE_TTL, nx=True):
            return _error(40163, "code been used")
        result = {"openid": data["openid"], "session_key": secrets.token_urlsafe(16)}
        if data.get("unionid"):
            result["unionid"] = data["unionid"]
        return 200, result
    if method == "POST" and path == "_device/apps":
        store.set(f"{PREFIX}app:{body['appid']}", body["secret"])
        return 200, {"ok": True}
    if method == "POST" and path == "_device/login":
        appid, user = body.get("appid", ""), body.get("user", "")
        if not store.exists(f"{PREFIX}app:{appid}"):
            return 400, {"errcode": 40013, "errmsg": "invalid appid"}
        code = secrets.token_urlsafe(24)
        login = {"appid": appid, "openid": openid_for(appid, user), "unionid": None}
        store.sadd(f"{PREFIX}openids:{appid}", login["openid"])
        store.set(f"{PREFIX}code:{code}", json.dumps(login), ex=CODE_TTL)
        return 200, {"code": code, "openid": login["openid"]}
    if method == "POST" and path == "_device/templates":
        return wechat_messages.add_template(store, body)
    if method == "POST" and path == "_device/subscribe":
        appid = body.get("appid", "")
        openid = openid_for(appid, body.get("user", ""))
        if not store.sismember(f"{PREFIX}openids:{appid}", openid):
            return 400, {"errcode": 40003, "errmsg": "this user never opened the mini-program"}
        return wechat_messages.subscribe(store, body, openid)
    return 404, {"errcode": -1, "errmsg": "not found"}


def register_app(appid: str, secret: str) -> None:
    _store().set(f"{PREFIX}app:{appid}", secret)


def device_login(appid: str, wechat_user: str) -> str:
    """What wx.login() returns on a phone of `wechat_user`: a fresh one-time code."""
    status, payload = handle("POST", "_device/login", {}, {"appid": appid, "user": wechat_user})
    if status != 200:
        raise ValueError(payload)
    return payload["code"]


def add_template(appid: str, template_id: str, keywords: list[str]) -> None:
    """The company picked a template in its mini-program's console (keywords: thing1, amount2 …)."""
    status, payload = handle(
        "POST", "_device/templates", {}, {"appid": appid, "template_id": template_id, "keywords": keywords}
    )
    if status != 200:
        raise ValueError(payload)


def device_subscribe(appid: str, wechat_user: str, template_ids: list[str]) -> dict[str, str]:
    """What wx.requestSubscribeMessage answers when `wechat_user` taps 允许 (one message per template)."""
    status, payload = handle(
        "POST", "_device/subscribe", {}, {"appid": appid, "user": wechat_user, "template_ids": template_ids}
    )
    if status != 200:
        raise ValueError(payload)
    return {key: value for key, value in payload.items() if key != "errMsg"}


def wsgi_app(environ: dict, start_response: Any) -> list[bytes]:
    """The same service as a bare WSGI app (tests serve it on a loopback port)."""
    params = {k: v[0] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}
    length = int(environ.get("CONTENT_LENGTH") or 0)
    raw = environ["wsgi.input"].read(length) if length else b""
    body = json.loads(raw or b"{}")
    status, payload = handle(environ["REQUEST_METHOD"], environ.get("PATH_INFO", ""), params, body)
    data = json.dumps(payload, ensure_ascii=False).encode()
    start_response(
        f"{status} {'OK' if status == 200 else 'ERROR'}",
        [("Content-Type", "application/json; charset=utf-8"), ("Content-Length", str(len(data)))],
    )
    return [data]
