"""What a payment pays for, provided by the company app that owns it (ARCHITECTURE: platform apps
never import a company app; the company app registers an interface the platform calls back).

Billing registers the `bills` purpose in its AppConfig.ready() (billing/payments_bridge.py):
- `quote`: the items a payer may pay now (a house's open charges, with late fees accruing), checked
  against who asks — the total the owner sees and the order's lines;
- `allocate`: money received for an order goes into the purpose's ledger exactly once (billing's
  `record_payment`, keyed by the order), inside the caller's transaction; `ItemsTaken` when an item
  was paid elsewhere meanwhile (the cash desk won the race), so nothing was allocated;
- `refund_settled` (optional): a refund the purpose asked for (payments.services.refunds.request_refund,
  with its own reference) ended — refunded, failed or closed — told inside payments' transaction;
- `refund_book` (optional): the purpose's refund requests against the money an order settled into
  (who asked, who decided, when) and what may still be asked for — what staff see on an order.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, Protocol

from django.utils.translation import gettext as _

from core.errors import DomainError


@dataclass(frozen=True)
class QuoteLine:
    item_id: int
    amount: Decimal  # what the item owes now
    late_fee: Decimal  # accruing on it, posted when paid
    label: str


@dataclass(frozen=True)
class Quote:
    payer_kind: str
    payer_id: int
    lines: tuple[QuoteLine, ...]
    description: str  # what the payer's statement shows (≤127 characters)

    @property
    def total(self) -> Decimal:
        return sum((line.amount + line.late_fee for line in self.lines), Decimal("0.00"))


@dataclass(frozen=True)
class AllocationRequest:
    payer_id: int
    amount: Decimal
    item_ids: tuple[int, ...]
    method: str  # the purpose's name for the gateway's money ("wechat", "card", "cash"...)
    idempotency_key: str  # one per order: a second call returns the first allocation
    reference: str  # the gateway's transaction id
    received_at: datetime


@dataclass(frozen=True)
class RefundRequestView:
    """One refund the purpose was asked for, as staff see it beside the order."""

    reference: str  # the purpose reference its channel refunds carry ("refund:12")
    request_id: int
    amount: Decimal
    method: str  # "original" (back through the order's gateway) or an offline method
    reason: str
    status: str  # the purpose's own status of the request (pending, approved, rejected…)
    requested_by: str
    requested_at: datetime
    decided_by: str
    decided_at: datetime | None
    decision_note: str


@dataclass(frozen=True)
class RefundBook:
    refundable: Decimal  # what a new request may still ask for (before the order's own bound)
    requests: tuple[RefundRequestView, ...]


class ItemsTaken(Exception):
    """An item of the order was paid by someone else meanwhile: nothing was allocated."""


class Payable(Protocol):
    def quote(self, *, user: Any, payer_id: int, item_ids: Sequence[int] | None) -> Quote: ...

    def allocate(self, request: AllocationRequest) -> str:
        """Allocate in the caller's transaction; returns the purpose's reference (a payment id)."""
        ...


class RefundListener(Protocol):
    def __call__(self, *, purpose_reference: str, status: str) -> None:
        """A refund asked for with `purpose_reference` is now `status` (processing | refunded | failed |
        closed); runs in the caller's transaction."""
        ...


class RefundBookProvider(Protocol):
    def __call__(self, *, settled_reference: str) -> RefundBook:
        """The refunds asked for against the purpose's record `settled_reference` (bills: a payment id)."""
        ...


_payables: dict[str, Payable] = {}
_refund_listeners: dict[str, RefundListener] = {}
_refund_books: dict[str, RefundBookProvider] = {}


def register(
    purpose: str,
    payable: Payable,
    *,
    refund_settled: RefundListener | None = None,
    refund_book: RefundBookProvider | None = None,
) -> None:
    _payables[purpose] = payable
    if refund_settled is not None:
        _refund_listeners[purpose] = refund_settled
    if refund_book is not None:
        _refund_books[purpose] = refund_book


def refund_listener(purpose: str) -> RefundListener | None:
    return _refund_listeners.get(purpose)


def refund_book(purpose: str) -> RefundBookProvider | None:
    return _refund_books.get(purpose)


def payable(purpose: str) -> Payable:
    try:
        return _payables[purpose]
    except KeyError:
        raise DomainError(_("暂不支持该类支付。"), code="unknown_purpose") from None
