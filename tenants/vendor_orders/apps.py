"""Vendor orders (服务订单): what a company's owners book with the housekeeping vendors and order from
the merchants the company admitted (platform/partners) — the order, its payment through payments
(purpose `vendor_orders`), its moves by the vendor and the owner, its rating and a complaint.

Tables live in each company's schema: an order is the company's. Every change also writes the
vendor's copy in the public schema (partners.services.portal_orders) in the same transaction, and
takes or releases a slot's place there (partners.services.slots); the partner portal moves an order
only through the bridge this app registers (partners.bridge), after partners checked the admission.
"""

from django.apps import AppConfig

from core.schemas import Schema


class VendorOrdersConfig(AppConfig):
    name = "tenants.vendor_orders"
    schema = Schema.COMPANY
    label = "vendor_orders"
    verbose_name = "Vendor orders"

    def ready(self) -> None:
        from partners import bridge as partner_bridge
        from partners import selectors as partner_selectors
        from payments import bridge as payment_bridge
        from tenants.vendor_orders import (
            events,  # noqa: F401  registers the notification events
            selectors,
        )
        from tenants.vendor_orders.services import payment, vendor_moves

        partner_selectors.register_owner_estates(selectors.owner_estates)
        payment_bridge.register("vendor_orders", payment.VendorOrdersPayable(), refund_settled=payment.refund_settled)
        partner_bridge.register_orders(vendor_moves.PortalOrders())
