"""Every write of partners, one module per concern (loaded here so every action is registered)."""

from partners.services import admissions, expiry, vendors

__all__ = ["admissions", "expiry", "vendors"]
