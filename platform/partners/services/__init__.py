"""Every write of partners, one module per concern (loaded here so every action is registered)."""

from partners.services import admissions, catalogue, expiry, portal_orders, staff, vendors

__all__ = ["admissions", "catalogue", "expiry", "portal_orders", "staff", "vendors"]
