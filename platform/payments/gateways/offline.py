"""The cash desk as a gateway: money handed over in person, so callers see one interface.

There is no provider to ask and nothing arrives later, so there is nothing to query, close at a
provider or verify; cash is refunded at the desk (billing's refunds). Today the desk still records
money through billing's cash desk API directly (record_payment); routing it through an order of this
gateway (created and settled in one step, allocated through the purpose like any other) is the next
step, and needs no change to any caller of the registry.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from payments.gateways import GatewayError, GatewayState, Notification, Prepay, RefundState, VerificationFailed


class OfflineGateway:
    name = "offline"
    method = "cash"
    label = "offline"
    channels: tuple[str, ...] = ()  # the cash desk: nothing an owner chooses online

    def merchant_for(self, company: Any) -> dict[str, str]:
        return {}

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
        raise GatewayError("MANUAL_REFUND", "cash is refunded at the desk", status=400)

    def query_refund(self, order: Any, *, merchant: Mapping[str, str], out_refund_no: str) -> RefundState:
        return RefundState(state="unknown", out_refund_no=out_refund_no, out_trade_no=order.out_trade_no, amount_fen=0)

    def parse_notification(self, headers: Mapping[str, str], body: bytes) -> Notification:
        raise VerificationFailed("the cash desk sends no notifications")


def gateway() -> OfflineGateway:
    return OfflineGateway()
