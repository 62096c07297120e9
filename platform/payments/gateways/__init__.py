"""Gateways behind one interface, found by name in a registry: adding one touches no caller.

A gateway speaks to one payment provider and knows nothing of orders' states or ledgers: it turns
an order into the provider's calls and the provider's answers (and notifications, once verified)
into `GatewayState`s, which payments.services acts on.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

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
    state: str  # processing | refunded | failed | closed | unknown (the provider has no such refund)
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


@dataclass(frozen=True)
class BillRow:
    """One line of a provider's daily trade bill (对账单): a payment, or a refund of one."""

    kind: str  # payment | refund
    out_trade_no: str
    reference: str  # the provider's transaction id
    amount: Decimal  # yuan: what was paid (a payment) or refunded (a refund)
    trade_state: str  # as the provider writes it (SUCCESS, REFUND, REVOKED)
    at: datetime | None = None
    merchant: Mapping[str, str] = field(default_factory=dict)
    out_refund_no: str = ""
    refund_reference: str = ""
    refund_status: str = ""
    raw: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class TradeBill:
    """A provider's trade bill for one day, verified (hash) and parsed; `rows` in file order."""

    bill_date: date
    rows: tuple[BillRow, ...]
    summary: Mapping[str, str] = field(default_factory=dict)
    exists: bool = True  # False: the provider has no bill for the day (no trade at all)

    @property
    def payments(self) -> tuple[BillRow, ...]:
        return tuple(row for row in self.rows if row.kind == "payment")

    @property
    def refunds(self) -> tuple[BillRow, ...]:
        return tuple(row for row in self.rows if row.kind == "refund")


class Gateway(Protocol):
    """A gateway is offered to an owner (payments.services.methods) on the `channels` it takes —
    "jsapi" (inside WeChat, paid with the owner's openid) and/or "h5" (a browser) — once
    `merchant_for(company)` accepts the company. It reads `order.channel`; for "h5" its Prepay's
    client_params hold `pay_url`: the provider's page the app opens, which returns to the app — or,
    for a provider with no page of its own (Stripe's PaymentIntents), the owner API sends the app to
    our page for it (payments.api.card_page)."""

    name: str
    method: str  # how the purpose records the money (billing.PaymentMethod value)
    label: Any  # what the owner sees (gettext_lazy), e.g. 微信支付
    channels: tuple[str, ...]

    def merchant_for(self, company: Any) -> Mapping[str, str]:
        """What this gateway needs of the company to take its payments, or a DomainError (409) saying
        the company is not set up for it."""
        ...

    def merchant_ids(self, merchant: Mapping[str, str]) -> Mapping[str, str]:
        """The merchant ids every report about this company's orders must carry."""
        ...

    def prepay(self, order: PaymentOrder, *, merchant: Mapping[str, str], payer_account: str) -> Prepay: ...

    def query(self, order: PaymentOrder, *, merchant: Mapping[str, str]) -> GatewayState: ...

    def close(self, order: PaymentOrder, *, merchant: Mapping[str, str]) -> None: ...

    def refund(
        self, order: PaymentOrder, *, merchant: Mapping[str, str], out_refund_no: str, amount_fen: int, reason: str
    ) -> RefundState:
        """Ask for a refund; asking again with the same `out_refund_no` is the same refund."""
        ...

    def query_refund(self, order: PaymentOrder, *, merchant: Mapping[str, str], out_refund_no: str) -> RefundState:
        """What became of a refund (state `unknown` when the provider never heard of it)."""
        ...

    def parse_notification(self, headers: Mapping[str, str], body: bytes) -> Notification: ...


@runtime_checkable
class BillSource(Protocol):
    """An optional capability of a gateway: the provider's daily trade bill, for reconciliation
    (WeChat Pay has it; the cash desk has no provider and no bill)."""

    name: str

    def trade_bill(self, bill_date: date, merchant: Mapping[str, str]) -> TradeBill:
        """The day's bill (Asia/Shanghai), verified and parsed; GatewayError if it cannot be had or
        does not parse (a malformed bill is an error, never an empty day)."""
        ...


def bill_source(gateway: Any) -> BillSource | None:
    return gateway if isinstance(gateway, BillSource) else None


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
    from payments.gateways import offline, stripe, wechatpay

    register("wechatpay", wechatpay.gateway)
    register("stripe", stripe.gateway)
    register("offline", offline.gateway)
