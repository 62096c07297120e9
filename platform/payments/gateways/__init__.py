"""Gateways behind one interface, found by name in a registry: adding one (Stripe next) touches no caller.

A gateway speaks to one payment provider and knows nothing of orders' states or ledgers: it turns
an order into the provider's calls and the provider's answers (and notifications, once verified)
into `GatewayState`s, which payments.services acts on.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from payments.models import PaymentOrder


class GatewayError(Exception):
    """The provider refused or could not be reached. `code` is the provider's (e.g. ORDERNOTEXIST)."""

    def __init__(self, code: str, message: str = "", *, status: int | None = None, body: Any = None):
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.status = status
        self.body = body

    @property
    def unreachable(self) -> bool:
        """Nobody knows whether the provider acted (timeout, 5xx): ask it again later."""
        return self.status is None or self.status >= 500


class VerificationFailed(Exception):
    """A notification whose signature, timestamp, serial or encryption does not check out."""


@dataclass(frozen=True)
class GatewayState:
    """What the provider says of one order (a query's answer or a verified notification)."""

    state: str  # paid | pending | closed | failed | unknown (the provider has no such order)
    out_trade_no: str
    reference: str = ""  # the provider's transaction id
    amount_fen: int | None = None
    paid_at: datetime | None = None
    merchant: Mapping[str, str] = field(default_factory=dict)  # the merchant ids it was paid to
    payer_account: str = ""
    raw: Mapping[str, Any] = field(default_factory=dict)  # the evidence, as the provider said it


@dataclass(frozen=True)
class RefundState:
    state: str  # processing | refunded | failed
    out_refund_no: str
    out_trade_no: str
    amount_fen: int
    reference: str = ""
    merchant: Mapping[str, str] = field(default_factory=dict)
    raw: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Notification:
    """A verified, decrypted notification: what happened (`event`) to which order."""

    event: str  # transaction.success | refund.success | refund.closed | other
    event_id: str
    payment: GatewayState | None = None
    refund: RefundState | None = None
    raw: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Prepay:
    """What the client needs to pay (the JSAPI requestPayment parameters for WeChat)."""

    reference: str  # prepay_id
    client_params: Mapping[str, str]
    raw: Mapping[str, Any] = field(default_factory=dict)


class Gateway(Protocol):
    """Besides these, a gateway owners may choose in a browser (payments.services.methods) has a
    `label` (gettext'd, e.g. 银行卡支付) and `configured(company) -> bool`; it reads `order.channel`
    ("h5") and its Prepay's client_params hold `pay_url`: the provider's page the H5 app opens, which
    returns to the app afterwards. WeChat Pay is offered by its own rules (sub-merchant, openid)."""

    name: str
    method: str  # how the purpose records the money (billing.PaymentMethod value)

    def merchant_ids(self, merchant: Mapping[str, str]) -> Mapping[str, str]:
        """The merchant ids every report about this company's orders must carry."""
        ...

    def prepay(self, order: PaymentOrder, *, merchant: Mapping[str, str], payer_account: str) -> Prepay: ...

    def query(self, order: PaymentOrder, *, merchant: Mapping[str, str]) -> GatewayState: ...

    def close(self, order: PaymentOrder, *, merchant: Mapping[str, str]) -> None: ...

    def refund(
        self, order: PaymentOrder, *, merchant: Mapping[str, str], out_refund_no: str, amount_fen: int, reason: str
    ) -> RefundState: ...

    def parse_notification(self, headers: Mapping[str, str], body: bytes) -> Notification: ...


_factories: dict[str, Callable[[], Gateway]] = {}


def register(name: str, factory: Callable[[], Gateway]) -> None:
    _factories[name] = factory


def get(name: str) -> Gateway:
    if not _factories:
        _load_builtin()
    return _factories[name]()


def names() -> list[str]:
    if not _factories:
        _load_builtin()
    return sorted(_factories)


def _load_builtin() -> None:
    from payments.gateways import offline, wechatpay

    register("wechatpay", wechatpay.gateway)
    register("offline", offline.gateway)
