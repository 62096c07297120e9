"""What the partner portal does to a company's orders, provided by the company app that keeps them
(tenants.vendor_orders registers it when it loads: platform apps never import a company app).

partners.services.portal_orders checks the vendor's admission first and then calls these inside the
company's schema (tenant_context), in its own action's transaction."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Protocol

from core.errors import DomainError


class OrdersProvider(Protocol):
    def vendor_move(
        self, *, order_id: int, vendor_id: int, move: str, actor_label: str, reason: str, amount: Decimal | None
    ) -> None:
        """confirm | start | complete | cancel one of the vendor's orders in the current schema (a
        quoted order is completed with its `amount`); a DomainError when the order is not the
        vendor's or cannot make that move."""
        ...

    def vendor_suspended(self, *, vendor_id: int, actor: Any) -> int:
        """The company suspended the vendor: cancel (and refund) its orders in the current schema that
        have not started, in the suspension's transaction; how many."""
        ...


_orders: list[OrdersProvider] = []


def register_orders(provider: OrdersProvider) -> None:
    _orders[:] = [provider]


def orders() -> OrdersProvider:
    if not _orders:  # fail closed: without the company app nothing moves
        raise DomainError("orders are not available", code="unavailable", status_code=503)
    return _orders[0]
