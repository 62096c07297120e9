"""Adapter for WeChat's server API (mini-program login), through wechatpy.

The real service is https://api.weixin.qq.com/, the default outside the demo. When
WECHAT_API_BASE_URL points elsewhere (the local stand-in in tests and the demo), requests keep their
real URLs and only the network hop is redirected, so wechatpy's own code — access-token handling,
error codes — runs unchanged. `binding()` tells core.adapters when that is a stand-in, which
production refuses.
"""

from __future__ import annotations

from dataclasses import dataclass

import requests
from django.conf import settings
from requests.adapters import HTTPAdapter
from wechatpy import WeChatClient
from wechatpy.exceptions import WeChatClientException
from wechatpy.session import SessionStorage
from wechatpy.session.memorystorage import MemoryStorage

from core import adapters
from core.adapters import Binding

REAL_BASE = "https://api.weixin.qq.com/"


class WeChatLoginError(Exception):
    def __init__(self, errcode: int | None, errmsg: str):
        super().__init__(f"{errcode}: {errmsg}")
        self.errcode = errcode
        self.errmsg = errmsg


@dataclass(frozen=True)
class WeChatSession:
    openid: str
    session_key: str
    unionid: str | None


class _RedirectAdapter(HTTPAdapter):
    def __init__(self, target_base: str):
        super().__init__(max_retries=0)
        self.target_base = target_base

    def send(self, request, **kwargs):
        request.url = self.target_base + request.url.removeprefix(REAL_BASE)
        return super().send(request, **kwargs)


def _is_standin(base: str) -> bool:
    return adapters.is_local(base)


def binding() -> Binding:
    """core.adapters' probe: the WeChat API base URL, a stand-in when it is ours or on this machine."""
    base = settings.WECHAT_API_BASE_URL
    missing = () if base.startswith("https://") or _is_standin(base) else ("WECHAT_API_BASE_URL (https)",)
    return Binding(adapter="wechat", backend=base, standin=_is_standin(base), missing=missing)


def client(appid: str, secret: str, *, session: SessionStorage | None = None) -> WeChatClient:
    """A wechatpy client of one mini-program; `session` keeps its access token (in memory by default)."""
    client = WeChatClient(appid, secret, session=session or MemoryStorage(), timeout=5)
    base = settings.WECHAT_API_BASE_URL
    if base and base != REAL_BASE:
        http = requests.Session()
        http.mount(REAL_BASE, _RedirectAdapter(base))
        client._http = http
    return client


def code_to_session(*, appid: str, secret: str, code: str) -> WeChatSession:
    """wx.login()'s one-time code -> the user's openid in this mini-program."""
    try:
        result = client(appid, secret).wxa.code_to_session(code)
    except WeChatClientException as exc:
        raise WeChatLoginError(exc.errcode, str(exc.errmsg)) from exc
    except requests.RequestException as exc:
        raise WeChatLoginError(None, f"WeChat unreachable: {exc.__class__.__name__}") from exc
    return WeChatSession(openid=result["openid"], session_key=result["session_key"], unionid=result.get("unionid"))
