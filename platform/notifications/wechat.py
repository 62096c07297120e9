"""Mini-program subscribe messages through wechatpy (`WeChatClient.wxa.send_subscribe_message`),
sent with the company's own mini-program appid and secret — the ones its owners log in with
(accounts.wechat; WECHAT_API_BASE_URL points the same client at the stand-in in tests and the demo).

The access token is shared by every worker through Redis (wechatpy's RedisStorage, one per appid):
WeChat allows a mini-program 2,000 token fetches a day, so a send must not fetch one of its own.
When WeChat answers 40001, 40014 or 42001 (a token replaced or expired early) wechatpy fetches a
fresh one and sends again, once.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import requests
from wechatpy.exceptions import WeChatClientException
from wechatpy.session.redisstorage import RedisStorage

from accounts import wechat as wechat_api
from core import redis_client

TOKEN_PREFIX = "wuye:wechat-token"

# WeChat's answers, and what each means for the message (the rest are WeChat's trouble: try again).
NO_SUBSCRIPTION = 43101  # the user gave no (or no more) one-time subscription to this template
INVALID_TEMPLATE = 40037
INVALID_OPENID = 40003
INVALID_ARGUMENT = 47003  # a keyword's value broke its type's rules
NOT_SUBSCRIBED_APP = 43107
PERMANENT = frozenset({INVALID_TEMPLATE, INVALID_OPENID, INVALID_ARGUMENT, NOT_SUBSCRIBED_APP})
RATE_LIMITED = 45009
SYSTEM_BUSY = -1


class WechatSendError(Exception):
    def __init__(self, errcode: int | None, errmsg: str):
        super().__init__(f"{errcode}: {errmsg}")
        self.errcode = errcode
        self.errmsg = errmsg


def send_subscribe_message(
    *, appid: str, secret: str, openid: str, template_id: str, data: Mapping[str, Any], page: str = ""
) -> str:
    """Send one message; WeChat's msgid. Raises WechatSendError with WeChat's errcode (None: unreachable)."""
    client = wechat_api.client(appid, secret, session=RedisStorage(redis_client.client(), prefix=TOKEN_PREFIX))
    try:
        result = client.wxa.send_subscribe_message(openid, template_id, dict(data), page=page or None)
    except WeChatClientException as exc:
        raise WechatSendError(exc.errcode, str(exc.errmsg or "")) from exc
    except requests.RequestException as exc:
        raise WechatSendError(None, f"WeChat unreachable: {exc.__class__.__name__}") from exc
    return str(result.get("msgid", ""))
