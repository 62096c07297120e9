"""How an owner can pay now, on this company's host and this device: the (gateway, channel) pairs.

Every registered gateway this deployment has configured and the company is set up for (its
`merchant_for` accepts the company: WeChat Pay once the company is its sub-merchant), on the channels
it takes (payments.gateways.Gateway): JSAPI in the mini-program for an owner signed in through WeChat
(an openid), H5 in a browser, where the order's `pay_url` is the page to open (the provider's, or our
card page for Stripe). Cards are offered once Stripe has its secret and publishable keys; a secret
key without a usable publishable key offers no card at all (payments.gateways.stripe logs it).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from core.errors import DomainError
from payments import gateways
from payments.gateways import GatewayError
from payments.models import Channel

CLIENTS = ("mp-weixin", "h5")


@dataclass(frozen=True)
class Method:
    gateway: str
    channel: str
    label: str


def _accepts(gateway: Any, company: Any) -> bool:
    try:
        gateway.merchant_for(company)
    except DomainError:
        return False
    return True


def _ready(name: str, company: Any) -> Any | None:
    """The gateway, when this deployment has it configured and the company is set up for it."""
    if name == "offline":
        return None
    try:
        gateway = gateways.get(name)
    except GatewayError:
        return None
    return gateway if gateway.channels and _accepts(gateway, company) else None


def available(*, company: Any, user: Any, client: str) -> list[Method]:
    """What the owner may choose, in the order to show it (WeChat Pay first). In the mini-program only
    JSAPI (it may not leave WeChat for a provider's page), and only for an owner signed in through
    WeChat; in a browser every gateway's H5 page."""
    methods: list[Method] = []
    for name in gateways.names():
        gateway = _ready(name, company)
        if gateway is None:
            continue
        if client == "mp-weixin" and Channel.JSAPI in gateway.channels and user.wechat_openid:
            methods.append(Method(name, Channel.JSAPI, str(gateway.label)))
        elif client == "h5" and Channel.H5 in gateway.channels:
            methods.append(Method(name, Channel.H5, str(gateway.label)))
    methods.sort(key=lambda m: m.gateway != "wechatpay")
    return methods


def online(gateway_name: str) -> bool:
    """A registered gateway an owner could pay through (the cash desk's is not)."""
    return gateway_name in gateways.names() and gateway_name != "offline"


def channels_of(gateway_name: str) -> tuple[str, ...] | None:
    """The channels an online gateway takes on this deployment; None when this deployment has not
    configured it (paying through it is then refused as not configured, 409)."""
    try:
        return tuple(gateways.get(gateway_name).channels)
    except GatewayError:
        return None
