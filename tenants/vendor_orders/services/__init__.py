"""Every write of vendor orders, one module per concern (loaded here so every action is registered)."""

from tenants.vendor_orders.services import orders, payment, vendor_moves

__all__ = ["orders", "payment", "vendor_moves"]
