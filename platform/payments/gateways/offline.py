"""The cash desk as a gateway: money handed over in person, so callers see one interface.

There is no provider to ask: a cashier's order is created and paid in one step by
payments.services.orders.pay_offline (which allocates through the purpose, i.e. billing's
record_payment, as the cash desk always has). Nothing arrives later, so there is nothing to query,
close at a provider, or verify; refunds of cash are handed back at the desk (billing's refunds).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from payments.gateways import GatewayError, GatewayState, Notification, Prepay, RefundState, VerificationFailed


class OfflineGateway:
    name = "offline"
    method = "cash"

    def merchant_ids(self, merchant: Mapping[str, str]) -> dict[str, str]:
        return {}

    def prepay(self, order: Any, *, merchant: Mapping[str, str], payer_account: str) -> Prepay:
        return Prepay(reference=f"offline:{order.out_trade_no}", client_params={})

    def query(self, order: Any, *, merchant: Mapping[str, str]) -> GatewayState:
        # What the desk recorded is all there is to know.
        return GatewayState(
            state=order.status if order.status in ("paid", "closed") else "pending", out_trade_no=order.out_trade_no
        )

    def close(self, order: Any, *, merchant: Mapping[str, str]) -> None:
        return None

    def refund(
        self, order: Any, *, merchant: Mapping[str, str], out_refund_no: str, amount_fen: int, reason: str
    ) -> RefundState:
        raise GatewayError("MANUAL_REFUND", "cash is refunded at the desk")

    def parse_notification(self, headers: Mapping[str, str], body: bytes) -> Notification:
        raise VerificationFailed("the cash desk sends no notifications")


def gateway() -> OfflineGateway:
    return OfflineGateway()
