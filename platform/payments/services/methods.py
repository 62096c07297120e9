"""How an owner can pay now, on this company's host and this device: the (gateway, channel) pairs.

- WeChat Pay once the company is its sub-merchant (payments.services.merchant): JSAPI in the
  mini-program for an owner signed in through WeChat (an openid), H5 in a phone's browser.
- Any other registered gateway that says it is configured for the company (`configured(company)`,
  see payments.gateways), in a browser: its Prepay's client_params carry the `pay_url` to open.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from core.errors import DomainError
from payments import gateways
from payments.gateways import GatewayError
from payments.models import Channel
from payments.services.merchant import wechat_merchant

CLIENTS = ("mp-weixin", "h5")


@dataclass(frozen=True)
class Method:
    gateway: str
    channel: str
    label: str


def _wechat_ready(company: Any) -> bool:
    try:
        wechat_merchant(company)
    except DomainError:
        return False
    return True


def available(*, company: Any, user: Any, client: str) -> list[Method]:
    """What the owner may choose, in the order to show it (WeChat Pay first)."""
    methods: list[Method] = []
    for name in gateways.names():
        if name == "wechatpay":
            if not _wechat_ready(company):
                continue
            if client == "mp-weixin" and user.wechat_openid:
                methods.append(Method("wechatpay", Channel.JSAPI, _("微信支付")))
            elif client == "h5":
                methods.append(Method("wechatpay", Channel.H5, _("微信支付")))
            continue
        if client != "h5":
            continue  # a provider's page opens only in a browser (the mini-program may not leave WeChat)
        try:
            gateway = gateways.get(name)
        except GatewayError:
            continue
        configured = getattr(gateway, "configured", None)
        if callable(configured) and configured(company):
            methods.append(Method(name, Channel.H5, str(getattr(gateway, "label", name))))
    methods.sort(key=lambda m: m.gateway != "wechatpay")
    return methods


def channels_of(gateway_name: str) -> tuple[str, ...]:
    """The channels a registered gateway could ever take (an unknown name: none)."""
    if gateway_name not in gateways.names() or gateway_name == "offline":
        return ()
    return (Channel.JSAPI, Channel.H5) if gateway_name == "wechatpay" else (Channel.H5,)
